// The storage interface the ledger is written against. SQLite is the embedded
// default (src/storage/sqlite/); a PostgreSQL backend implements the same class.
//
// SQL given to a Database is the portable subset both engines read: `?`
// placeholders (a PostgreSQL backend numbers them), TEXT and INTEGER columns,
// `INSERT ... RETURNING id`, no engine-specific functions. Times are TEXT in
// UTC (common/clock.h). Registers and workflows never see which engine runs.
// A statement that fails inside Transaction() fails the transaction (and its
// commit) on both engines. DDL belongs in migrations (migrate.h), which run
// through ExecuteScript: PostgreSQL translates their types there.
//
// Thread safety: one Database per thread; a Database is not shared.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"

namespace mamori::storage {

// A value bound to a placeholder or read from a column: NULL, an integer or text.
using Value = std::variant<std::monostate, std::int64_t, std::string>;

Value Null();
std::string ValueToString(const Value& value);  // NULL → ""

// One result row; columns by position, in the SELECT's order.
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t Size() const { return values_.size(); }
  bool IsNull(std::size_t column) const;
  // The column as text ("" for NULL, decimal for an integer).
  std::string Text(std::size_t column) const;
  // The column as an integer (0 for NULL; text is not converted).
  std::int64_t Int(std::size_t column) const;
  std::optional<std::string> OptionalText(std::size_t column) const;
  const Value& At(std::size_t column) const { return values_.at(column); }

 private:
  std::vector<Value> values_;
};

using Params = std::vector<Value>;

class Database {
 public:
  virtual ~Database() = default;
  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `body` in one transaction: commits when it returns OK, rolls back
  // when it returns an error (which is passed on). Not reentrant: a nested
  // call is an error.
  virtual Status Transaction(const std::function<Status()>& body) = 0;
  bool InTransaction() const { return in_transaction_; }

  // A statement that returns no rows (or whose rows are ignored).
  Status Execute(std::string_view sql, const Params& params = {});
  // A statement that returns rows.
  Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {});
  // Several statements without parameters (migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;

  // Rows changed by the last Execute.
  virtual std::int64_t ChangedRows() const = 0;
  // "sqlite" or "postgres".
  virtual std::string_view Engine() const = 0;
  // A value that changes whenever any connection commits a change to the
  // database, so that something computed from it can be kept until then.
  virtual Result<std::string> DataVersion() = 0;

  // What the database holds, for copying a whole ledger between engines
  // (copy.h): the tables in the order they were created (a table refers
  // only to tables made before it), and a table's columns in order.
  virtual Result<std::vector<std::string>> TableNames() = 0;
  virtual Result<std::vector<std::string>> ColumnNames(const std::string& table) = 0;
  // After rows were inserted with their ids: the next id assigned by the
  // engine follows the largest (PostgreSQL's identity sequences; SQLite
  // needs nothing).
  virtual Status ResetIdentities(const std::string& table) = 0;

  // Helpers over Query.
  // The single row; kNotFound when there is none.
  Result<Row> QueryOne(std::string_view sql, const Params& params = {});
  // The first column of the single row as an integer (e.g. count(*), RETURNING id).
  Result<std::int64_t> QueryInt(std::string_view sql, const Params& params = {});
  // QueryInt, kept while `version` stays the same (for COUNT(*) of a page
  // query: paging through 10,000 records counts them once, not on every
  // page). The cache is shared by every connection in the process, keyed by
  // `scope` (which database: its path), the statement and its parameters, so
  // after a change one reader counts again, not each connection of a pool.
  // `version` must change whenever the counted rows may have, and mean the
  // same on every connection (the ledger passes its newest audit event's
  // sequence). Thread-safe.
  Result<std::int64_t> CachedQueryInt(std::string_view scope, std::int64_t version,
                                      const std::string& sql, const Params& params = {});

 protected:
  // One statement: its rows appended to `rows` unless that is null.
  virtual Status Run(std::string_view sql, const Params& params, std::vector<Row>* rows) = 0;

  bool in_transaction_ = false;
};

// A LIKE pattern (with ESCAPE '\\') that matches any text containing `text`
// literally: LIKE's own wildcards in it are escaped, so "10%" finds a percent
// sign, not everything that starts with 10. LIKE ignores ASCII case in
// SQLite and not in PostgreSQL: a search box writes
// `lower(column) LIKE lower(?) ESCAPE '\\'`, the same on both.
std::string LikeContaining(std::string_view text);

// The first column of `rows` as text (names listed by a catalog query).
std::vector<std::string> FirstColumn(const std::vector<Row>& rows);

// A database error: what the engine said, with the statement's first words.
Error DatabaseError(std::string_view engine_message, std::string_view sql);

}  // namespace mamori::storage
