// Versioned schema migrations. Each migration runs once, in its own
// transaction, in version order; `schema_migrations` records which ran, so an
// older database is upgraded in place by opening it with a newer mamori. A
// database newer than the program is refused rather than guessed at.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "storage/database.h"

namespace mamori::storage {

struct Migration {
  int version;            // 1, 2, 3, ... without gaps
  std::string_view name;  // "core", "registers", ...
  std::string_view sql;   // portable SQL script (see ForEngine)
};

// The part of a migration script that `engine` runs. A script is portable
// SQL (database.h) that every engine runs as written, except between a line
// `-- engine: sqlite` (or `postgres`) and the next `-- engine: …` line, where
// it is what only that engine runs; `-- engine: all` ends such a part. Used
// only where the dialects truly differ (triggers); types are translated by
// the backend (postgres_database.h: TranslateDdl).
std::string ForEngine(std::string_view sql, std::string_view engine);

// Applies every migration newer than the database's version. Returns the
// version the database has afterwards.
Result<int> Migrate(Database& db, std::span<const Migration> migrations, TimePoint now);

// The database's schema version (0 for an empty database).
Result<int> SchemaVersion(Database& db);

}  // namespace mamori::storage
