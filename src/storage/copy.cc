#include "storage/copy.h"

#include <algorithm>

namespace mamori::storage {
namespace {

constexpr std::int64_t kPage = 2000;

std::string Join(const std::vector<std::string>& names, std::string_view separator) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += separator;
    out += '"' + name + '"';
  }
  return out;
}

}  // namespace

Result<CopyStats> CopyDatabase(Database& from, Database& to,
                               const std::function<void(const std::string&, std::int64_t)>& progress) {
  MAMORI_TRY(const auto tables, from.TableNames());
  MAMORI_TRY(const auto target_tables, to.TableNames());
  {
    auto sorted_from = tables;
    auto sorted_to = target_tables;
    std::sort(sorted_from.begin(), sorted_from.end());
    std::sort(sorted_to.begin(), sorted_to.end());
    if (sorted_from != sorted_to) {
      return Error(ErrorCode::kInvalidArgument,
                   "複写元と複写先の表が一致しません（版を揃えてください）",
                   "the source and target hold different tables (bring both to the same schema "
                   "version first)");
    }
  }
  CopyStats stats;
  MAMORI_TRY_STATUS(to.Transaction([&]() -> Status {
    for (const auto& table : tables) {
      MAMORI_TRY(const auto columns, from.ColumnNames(table));
      MAMORI_TRY(const auto target_columns, to.ColumnNames(table));
      if (columns != target_columns) {
        return Error(ErrorCode::kInvalidArgument, "表 " + table + " の列が一致しません",
                     "table " + table + " has different columns in the target");
      }
      if (table == "schema_migrations") {
        MAMORI_TRY_STATUS(to.Execute("DELETE FROM schema_migrations"));
      } else {
        MAMORI_TRY(const auto present, to.QueryInt("SELECT count(*) FROM \"" + table + "\""));
        if (present != 0) {
          return Error(ErrorCode::kInvalidArgument, "複写先の表 " + table + " は空ではありません",
                       "target table " + table + " is not empty");
        }
      }
      const std::string list = Join(columns, ", ");
      std::string insert = "INSERT INTO \"" + table + "\" (" + list + ") VALUES (";
      for (std::size_t i = 0; i < columns.size(); ++i) insert += i == 0 ? "?" : ", ?";
      insert += ")";
      // Pages in the order of every column: the same on both engines, and
      // rows that refer to earlier rows of their table (by id) come after them.
      const std::string select = "SELECT " + list + " FROM \"" + table + "\" ORDER BY " +
                                 Join(columns, ", ") + " LIMIT ? OFFSET ?";
      std::int64_t copied = 0;
      while (true) {
        MAMORI_TRY(const auto rows, from.Query(select, {kPage, copied}));
        for (const auto& row : rows) {
          Params values;
          values.reserve(row.Size());
          for (std::size_t i = 0; i < row.Size(); ++i) values.push_back(row.At(i));
          MAMORI_TRY_STATUS(to.Execute(insert, values));
        }
        copied += static_cast<std::int64_t>(rows.size());
        if (static_cast<std::int64_t>(rows.size()) < kPage) break;
      }
      MAMORI_TRY_STATUS(to.ResetIdentities(table));
      ++stats.tables;
      stats.rows += copied;
      if (progress) progress(table, copied);
    }
    return OkStatus();
  }));
  // The planner's statistics for what was just loaded: without them
  // PostgreSQL scans and sorts a whole register for every page until
  // autovacuum gets round to it (bench/README.md, serve_engines.sh). The
  // copy is committed: a failure here loses nothing, so it is not an error.
  (void)to.Execute("ANALYZE");
  return stats;
}

}  // namespace mamori::storage
