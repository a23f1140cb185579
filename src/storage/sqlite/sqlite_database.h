// The embedded default backend: one SQLite file, WAL journal,
// synchronous=FULL (a committed transaction survives power loss and SIGKILL),
// foreign keys enforced, a busy timeout so that a CLI and a server can share
// the file.
#pragma once

#include <memory>
#include <string>

#include "storage/database.h"

namespace mamori::storage {

struct SqliteOptions {
  bool create = false;        // create the file if missing (else kNotFound)
  bool read_only = false;
  int busy_timeout_ms = 5000;
  // synchronous=FULL: every commit is on disk when COMMIT returns. Only
  // tests turn this off (synchronous=NORMAL in WAL: still consistent after a
  // crash of the process, not after power loss).
  bool durable = true;
};

// Opens (or creates) the database at `path`; ":memory:" for a private
// in-memory database (tests).
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const SqliteOptions& options);

}  // namespace mamori::storage
