#include "storage/migrate.h"

#include <string>

namespace mamori::storage {

std::string ForEngine(std::string_view sql, std::string_view engine) {
  constexpr std::string_view kMarker = "-- engine:";
  std::string out;
  std::string_view current = "all";
  while (!sql.empty()) {
    const std::size_t newline = sql.find('\n');
    const std::string_view line =
        sql.substr(0, newline == std::string_view::npos ? sql.size() : newline + 1);
    sql.remove_prefix(line.size());
    if (line.starts_with(kMarker)) {
      std::string_view name = line.substr(kMarker.size());
      while (!name.empty() && (name.front() == ' ')) name.remove_prefix(1);
      while (!name.empty() && (name.back() == '\n' || name.back() == '\r' || name.back() == ' ')) {
        name.remove_suffix(1);
      }
      current = name;
      out += '\n';  // keeps line numbers of engine errors true
      continue;
    }
    out += (current == "all" || current == engine) ? line : std::string_view("\n");
  }
  return out;
}

Result<int> SchemaVersion(Database& db) {
  MAMORI_TRY_STATUS(db.Execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "name TEXT NOT NULL, applied_at TEXT NOT NULL)"));
  MAMORI_TRY(const auto version,
             db.QueryInt("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  return static_cast<int>(version);
}

Result<int> Migrate(Database& db, std::span<const Migration> migrations, TimePoint now) {
  MAMORI_TRY(int version, SchemaVersion(db));
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Error(ErrorCode::kInternal, "移行の版番号が連続していません",
                   "migration versions are not 1, 2, 3, ...");
    }
  }
  const int newest = static_cast<int>(migrations.size());
  if (version > newest) {
    return Error(ErrorCode::kInvalidArgument,
                 "データベースの版 " + std::to_string(version) + " はこのプログラム（版 " +
                     std::to_string(newest) + "）より新しいため開けません",
                 "database schema version " + std::to_string(version) +
                     " is newer than this program's (" + std::to_string(newest) + ")");
  }
  for (const auto& migration : migrations.subspan(static_cast<std::size_t>(version))) {
    MAMORI_TRY_STATUS(db.Transaction([&]() -> Status {
      MAMORI_TRY_STATUS(db.ExecuteScript(ForEngine(migration.sql, db.Engine())));
      return db.Execute(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          {static_cast<std::int64_t>(migration.version), std::string(migration.name),
           FormatUtc(now)});
    }));
    version = migration.version;
  }
  return version;
}

}  // namespace mamori::storage
