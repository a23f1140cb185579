// Versioned schema migrations. Each migration runs once, in its own
// transaction, in version order; `schema_migrations` records which ran, so an
// older database is upgraded in place by opening it with a newer mamori. A
// database newer than the program is refused rather than guessed at.
#pragma once

#include <span>
#include <string_view>

#include "common/clock.h"
#include "ledger/store/database.h"

namespace mamori::store {

struct Migration {
  int version;            // 1, 2, 3, ... without gaps
  std::string_view name;  // "core", "registers", ...
  std::string_view sql;   // portable SQL script
};

// Applies every migration newer than the database's version. Returns the
// version the database has afterwards.
Result<int> Migrate(Database& db, std::span<const Migration> migrations, TimePoint now);

// The database's schema version (0 for an empty database).
Result<int> SchemaVersion(Database& db);

}  // namespace mamori::store
