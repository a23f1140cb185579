// Copying a whole database to another (`mamori copy`): every table, every
// row, as stored, into a database of the same schema version, in one
// transaction of the target (all or nothing). Engines may differ: a SQLite
// ledger moves to PostgreSQL and back. The caller checks the result (the
// ledger verifies its audit chain on the target).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "storage/database.h"

namespace mamori::storage {

struct CopyStats {
  int tables = 0;
  std::int64_t rows = 0;
};

// `to` must hold the same tables with no rows but its own
// schema_migrations (replaced by `from`'s). `progress` is called after each
// table with its name and row count.
Result<CopyStats> CopyDatabase(
    Database& from, Database& to,
    const std::function<void(const std::string&, std::int64_t)>& progress = {});

}  // namespace mamori::storage
