// The installation registry: the organizations (テナント) that one mamori
// installation serves, and the operator's actions on them.
//
// An installation is a directory:
//
//   DIR/installation.db                the registry (SQLite): tenants, their host names,
//                                      and its own hash-chained audit log
//   DIR/installation.audit-key(.pub)   the registry's signing key; checkpoints beside it
//   DIR/tenants/<id>/                  one tenant's key files (audit key, checkpoints,
//                                      secret key) and, on SQLite, its ledger.db
//
// A tenant's ledger is an ordinary ledger (`mamori init` makes the same):
// its own profile, accounts, registers, audit chain and keys. Its location is
// either the SQLite file above or a schema of the installation's PostgreSQL
// (`postgresql://…?schema=<id>`, storage/open.h). The registry holds only
// what routes a request to a tenant and who did what to the list; it never
// holds any tenant's data, so an operator who reads it reads no tenant's
// registers.
//
// Every change of the registry is one transaction holding the change and
// its audit event (audit::AuditLog over the registry database, the same
// chain and verification as a ledger's).
//
// Thread safety: one Registry (one database connection) is used by one
// thread at a time; several may be open on the same directory at once (in
// one process or several): SQLite serializes their writes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "auth/password.h"
#include "common/clock.h"
#include "common/result.h"
#include "ledger/ledger.h"
#include "storage/database.h"

namespace mamori::tenancy {

enum class TenantStatus { kActive, kDisabled };

std::string_view StatusId(TenantStatus status);     // "active", "disabled"
std::string_view StatusTitle(TenantStatus status);  // 稼働中, 停止中

struct Tenant {
  std::string id;    // [a-z][a-z0-9_]{0,31}: names the path /t/<id>/, the schema, the directory
  std::string name;  // display name (e.g. 阪南市)
  // As recorded: a path relative to the installation directory (SQLite) or
  // a PostgreSQL URL ending in schema=<id>. Registry::LedgerLocation resolves it.
  std::string location;
  std::string profile;             // the profile file the ledger was created from (absolute)
  std::vector<std::string> hosts;  // host names that route to this tenant (lower case)
  TenantStatus status = TenantStatus::kActive;
  std::string created_utc;
  std::string disabled_utc;  // "" while active
};

// OK when `id` is a tenant id ([a-z][a-z0-9_]{0,31}); else an error naming it.
Status CheckTenantId(std::string_view id);
// OK when `host` is a DNS host name in lower case (letters, digits, '-',
// dots between labels; no port); else an error naming it.
Status CheckHostName(std::string_view host);

class Registry {
 public:
  enum class Mode {
    kExisting,        // the registry must exist
    kCreateIfMissing  // `mamori tenant add` on a new installation directory
  };

  // Opens (and upgrades) the registry of the installation at `directory`.
  // Errors: kNotFound when there is none and mode is kExisting; kIo.
  static Result<std::unique_ptr<Registry>> Open(const std::string& directory, const Clock& clock,
                                                Mode mode);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  const std::string& Directory() const { return directory_; }
  storage::Database& Db() { return *db_; }

  // Every tenant, by id.
  Result<std::vector<Tenant>> List();
  Result<std::optional<Tenant>> Find(std::string_view id);
  // The tenant that `host` (lower case, no port) routes to, if any.
  Result<std::optional<Tenant>> FindByHost(std::string_view host);

  // The tenant's directory (DIR/tenants/<id>), its ledger location with a
  // relative path resolved, and the ledger's key files there.
  std::string TenantDirectory(std::string_view id) const;
  std::string LedgerLocation(const Tenant& tenant) const;
  ledger::LedgerPaths PathsOf(const Tenant& tenant) const;

  // Records a tenant whose ledger has been created; the event
  // "tenant.add" by `actor`. Errors: kInvalidArgument for a taken id or
  // host name (named), else the database's.
  Status Insert(const std::string& actor, const Tenant& tenant);
  // Marks the tenant disabled (nothing is deleted); "tenant.disable".
  // Errors: kNotFound for an unknown id; kConflict when it is disabled already.
  Status Disable(const std::string& actor, std::string_view id);

  // Changes whenever any connection committed a change to the registry.
  Result<std::string> DataVersion() { return db_->DataVersion(); }
  // Signs the newest registry event (after every command).
  Status Checkpoint();
  // Checks the registry's audit chain and checkpoints.
  Result<audit::VerifyReport> Verify();
  Result<std::vector<audit::Event>> Events();

  // --- The installation's operators (運用者): they manage the list of
  // tenants and read no tenant's data (they have no account in any ledger;
  // their sessions are kept here, never in a tenant's database).

  // Creates an operator account and returns its password (generated, shown
  // once; stored only as an Argon2id hash, auth/password.h). Errors:
  // kInvalidArgument for a malformed or taken login.
  Result<std::string> AddOperator(const std::string& actor, const std::string& login,
                                  const auth::HashCost& cost);
  // A new session token when `password` is the operator's (the event
  // "operator.sign_in"), nullopt otherwise ("operator.sign_in_failed").
  // Neither the password nor the token is recorded; the token is stored as
  // its SHA-256.
  Result<std::optional<std::string>> SignInOperator(const std::string& login,
                                                    const std::string& password, int session_hours);
  // The operator whose unexpired session `token` is, if any.
  Result<std::optional<std::string>> OperatorOfSession(const std::string& token);
  Status SignOutOperator(const std::string& token);
  // The CSRF token of an operator session (derived from the token).
  static std::string OperatorCsrf(const std::string& token);

 private:
  Registry(std::string directory, std::unique_ptr<storage::Database> db, const Clock& clock);
  Result<std::vector<Tenant>> Select(std::string_view where, const storage::Params& params);

  std::string directory_;
  std::unique_ptr<storage::Database> db_;
  const Clock& clock_;
  audit::AuditLog log_;
};

// What `mamori tenant add` is given.
struct NewTenant {
  std::string id = {};
  std::string name = {};
  std::string profile = {};   // the profile file (TOML)
  std::string postgres = {};  // the installation's PostgreSQL URL; "" for a SQLite file
  std::vector<std::string> hosts = {};
};

struct AddOptions {
  bool durable = true;  // false only in tests (SqliteOptions::durable)
  // Called after the tenant's ledger is made and before it is registered;
  // an error here is handled like any failure at that step (tests use it to
  // show that nothing half-made is left).
  std::function<Status()> before_register = {};
};

// Creates the tenant's ledger exactly as `mamori init` does (its profile, a
// new signing key, the secret key file, the audit chain with ledger.init)
// and registers it. Everything that can be checked is checked before
// anything is made: the id, the name, the host names (not taken), the
// profile (loads), the database (reachable, holds no ledger), the tenant's
// directory (absent). When a later step fails, what this call made is
// removed (the tenant's directory, the PostgreSQL schema it created) and
// the error is returned; nothing already stored is touched.
Result<Tenant> AddTenant(Registry& registry, const std::string& actor, const NewTenant& input,
                         const Clock& clock, const AddOptions& options = {});

}  // namespace mamori::tenancy
