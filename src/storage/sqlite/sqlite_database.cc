#include "storage/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <unordered_map>

namespace mamori::storage {
namespace {

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(sqlite3* db) : db_(db), serial_(++connections_opened) {}
  ~SqliteDatabase() override {
    DropStatements();
    sqlite3_close_v2(db_);
  }

  Status Transaction(const std::function<Status()>& body) override {
    if (in_transaction_) {
      return Error(ErrorCode::kInternal, "トランザクションを入れ子にはできません",
                   "nested transaction");
    }
    // IMMEDIATE: take the write lock now, so that two writers queue on the
    // busy timeout instead of failing at commit.
    MAMORI_TRY_STATUS(ExecuteScript("BEGIN IMMEDIATE"));
    in_transaction_ = true;
    Status result = body();
    in_transaction_ = false;
    if (!result.Ok()) {
      (void)ExecuteScript("ROLLBACK");
      return result;
    }
    if (auto commit = ExecuteScript("COMMIT"); !commit.Ok()) {
      (void)ExecuteScript("ROLLBACK");
      return commit;
    }
    return OkStatus();
  }

  Status ExecuteScript(std::string_view sql) override {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      Error error = DatabaseError(message != nullptr ? message : sqlite3_errmsg(db_), sql);
      sqlite3_free(message);
      return error;
    }
    return OkStatus();
  }

  std::int64_t ChangedRows() const override { return sqlite3_changes64(db_); }
  std::string_view Engine() const override { return "sqlite"; }

  // PRAGMA data_version changes with other connections' commits,
  // total_changes with this one's; the serial tells connections apart.
  Result<std::string> DataVersion() override {
    MAMORI_TRY(const auto version, QueryInt("PRAGMA data_version"));
    return std::to_string(serial_) + ":" + std::to_string(version) + ":" +
           std::to_string(sqlite3_total_changes64(db_));
  }

  Result<std::vector<std::string>> TableNames() override {
    MAMORI_TRY(const auto rows, Query("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                      "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
                                      {}));
    return FirstColumn(rows);
  }

  Result<std::vector<std::string>> ColumnNames(const std::string& table) override {
    MAMORI_TRY(const auto rows, Query("SELECT name FROM pragma_table_info(?) ORDER BY cid", {table}));
    return FirstColumn(rows);
  }

  Status ResetIdentities(const std::string&) override { return OkStatus(); }

 private:
  // Prepared statements are kept by their SQL text and reused: a server
  // runs the same few queries over and over. Queries built with a varying
  // number of placeholders make new texts, so the cache is emptied when it
  // grows past kMaxStatements.
  static constexpr std::size_t kMaxStatements = 256;

  void DropStatements() {
    for (auto& [text, statement] : statements_) sqlite3_finalize(statement);
    statements_.clear();
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    const std::string text(sql);
    if (const auto it = statements_.find(text); it != statements_.end()) return it->second;
    if (statements_.size() >= kMaxStatements) DropStatements();
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_, text.data(), static_cast<int>(text.size()),
                           SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
      return DatabaseError(sqlite3_errmsg(db_), sql);
    }
    statements_.emplace(text, raw);
    return raw;
  }

  Status Run(std::string_view sql, const Params& params, std::vector<Row>* rows) override {
    MAMORI_TRY(sqlite3_stmt* const raw, Prepare(sql));
    // Reset after use, whatever happens: a statement left mid-step would keep
    // its read transaction open.
    const auto reset = [](sqlite3_stmt* statement) {
      sqlite3_reset(statement);
      sqlite3_clear_bindings(statement);
    };
    const std::unique_ptr<sqlite3_stmt, decltype(reset)> statement(raw, reset);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(raw)) {
      return Error(ErrorCode::kInternal, "SQL の引数の数が合いません",
                   "parameter count mismatch: " + std::string(sql.substr(0, 60)));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      if (const auto* text = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text64(raw, index, text->data(), text->size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
      } else if (const auto* number = std::get_if<std::int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(raw, index, *number);
      } else {
        rc = sqlite3_bind_null(raw, index);
      }
      if (rc != SQLITE_OK) return DatabaseError(sqlite3_errmsg(db_), sql);
    }
    while (true) {
      const int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) return OkStatus();
      if (rc != SQLITE_ROW) return DatabaseError(sqlite3_errmsg(db_), sql);
      if (rows == nullptr) continue;
      const int columns = sqlite3_column_count(raw);
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(raw, c)) {
          case SQLITE_NULL:
            values.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(raw, c)));
            break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
            values.emplace_back(std::string(text != nullptr ? text : "",
                                            static_cast<std::size_t>(sqlite3_column_bytes(raw, c))));
          }
        }
      }
      rows->emplace_back(std::move(values));
    }
  }

  static inline std::atomic<std::uint64_t> connections_opened = 0;
  sqlite3* db_;
  std::uint64_t serial_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const SqliteOptions& options) {
  const bool memory = path == ":memory:";
  if (!memory && !options.create && !std::filesystem::exists(path)) {
    return Error(ErrorCode::kNotFound, "データベースがありません: " + path,
                 "no such database: " + path + " (run `mamori init` first)", {path, 0, ""});
  }
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, flags, nullptr) != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close_v2(raw);
    return Error(ErrorCode::kIo, "データベースを開けません: " + path + ": " + message,
                 "cannot open database " + path + ": " + message, {path, 0, ""});
  }
  auto db = std::make_unique<SqliteDatabase>(raw);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);
  // A 64 MiB page cache (SQLite's default is 2 MiB): a register of tens of
  // thousands of records stays in memory instead of being read again for
  // every listing.
  MAMORI_TRY_STATUS(db->ExecuteScript("PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536"));
  if (!options.read_only) {
    if (!memory) {
      MAMORI_TRY(const auto mode, db->QueryOne("PRAGMA journal_mode = WAL"));
      if (mode.Text(0) != "wal") {
        return Error(ErrorCode::kIo, "WAL モードにできません: " + path,
                     "cannot switch to WAL journal: " + path, {path, 0, ""});
      }
    }
    MAMORI_TRY_STATUS(db->ExecuteScript(options.durable ? "PRAGMA synchronous = FULL"
                                                        : "PRAGMA synchronous = NORMAL"));
  }
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace mamori::storage
