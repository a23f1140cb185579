// Which engine a ledger location names, and opening it.
//
//   mamori.db, /var/lib/mamori/hannan.db      → SQLite (the embedded default)
//   postgresql://user@host:5432/mamori?schema=hannan
//   postgres://…                              → PostgreSQL
//
// A PostgreSQL location is libpq's connection URI with parameters of
// mamori's own, `schema` (the organization's schema, default "public") and
// `role` (a role to SET ROLE to after connecting; the schema it creates is
// owned by that role), taken off before libpq sees the rest. Passwords belong in ~/.pgpass or
// $PGPASSWORD, not in the URL; one written there is never shown
// (RedactUrl).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "storage/database.h"

namespace mamori::storage {

struct OpenOptions {
  bool create = false;     // create the file (SQLite) or the schema (PostgreSQL)
  bool read_only = false;
  bool durable = true;     // SQLite only (SqliteOptions::durable)
};

// Whether `location` is a database server's URL (PostgreSQL) rather than a file.
bool IsServerUrl(std::string_view location);

struct ServerLocation {
  std::string url;     // for libpq: the location without `schema=` and `role=`
  std::string schema;  // "" when not given
  // `role=`: the PostgreSQL role every connection switches to (SET ROLE)
  // right after connecting — a tenant's own role, which owns its schema and
  // may use no other (tenancy/registry.h). "" when not given.
  std::string role;
  std::string dbname;  // the URL's database name ("" when not given)
};
Result<ServerLocation> ParseServerUrl(std::string_view location);

// A file name for what belongs to the ledger but lives outside it (the
// signing key, checkpoints): the path itself for SQLite; for a server URL
// "mamori-<dbname>-<schema>" in the working directory.
std::string LocalName(std::string_view location);

// `location` with a password in it replaced by "***" (for messages and logs).
std::string RedactUrl(std::string_view location);

Result<std::unique_ptr<Database>> Open(const std::string& location, const OpenOptions& options);

// Whether the database at `location` already holds a ledger (any schema
// version recorded): `mamori init` refuses to write over one.
Result<bool> HoldsLedger(const std::string& location);

}  // namespace mamori::storage
