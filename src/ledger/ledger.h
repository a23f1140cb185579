// The ledger: one database holding the registers and records the policy
// demands, bound to the organization's policy profile, with every change of
// state recorded in the audit log in the same transaction.
//
//   MAMORI_TRY(auto ledger, Ledger::Open(DefaultPaths("mamori.db"), clock, {}));
//   MAMORI_TRY_STATUS(ledger->Change([&]() -> Status {
//     ... db writes ...
//     return ledger->Record({actor, "asset.add", "asset", id, state_json});
//   }));
//
// Registers and workflows (src/ledger/*/) are functions over a Ledger.
//
// Thread safety: one Ledger (one database connection) is used by one thread
// at a time. Several Ledgers may be open on the same file at once, in one
// process or several (the server keeps a pool of them): each Change is a
// transaction that lets one writer in at a time (SQLite: BEGIN IMMEDIATE,
// waiting up to the busy timeout; PostgreSQL: an advisory lock per ledger,
// see storage/postgres/postgres_database.h), and the audit chain's previous
// hash is read inside that transaction. Nothing about the database is cached in a Ledger.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "common/clock.h"
#include "storage/database.h"
#include "policy/model.h"

namespace mamori::ledger {

struct LedgerPaths {
  std::string database;     // the SQLite file or a PostgreSQL URL (storage/open.h)
  std::string key;          // the Ed25519 signing key (outside the database)
  std::string checkpoints;  // the checkpoint file (outside the database)
};

// key = "<database>.audit-key", checkpoints = "<database>.checkpoints.jsonl"
// (for a PostgreSQL URL, storage::LocalName in place of <database>, in
// $MAMORI_STATE_DIR or else the working directory).
LedgerPaths DefaultPaths(const std::string& database);

struct OpenOptions {
  std::string profile_path = {};   // override the profile recorded at creation
  int checkpoint_every = 100;      // sign after this many events (and on Checkpoint())
  bool read_only = false;          // for verify/export: no migration, no checkpoints
  bool durable = true;             // false only in tests (see SqliteOptions::durable)
};

class Ledger {
 public:
  // Creates a new database for the profile at `profile_path` and a new
  // signing key; refuses when the database or key already exists.
  static Result<std::unique_ptr<Ledger>> Create(const LedgerPaths& paths,
                                                const std::string& profile_path,
                                                const Clock& clock,
                                                const OpenOptions& options = {});
  // Opens an existing database, upgrading its schema in place, and loads its
  // profile. The signing key is read only when a checkpoint is made.
  static Result<std::unique_ptr<Ledger>> Open(const LedgerPaths& paths, const Clock& clock,
                                              const OpenOptions& options);

  const policy::Profile& Profile() const { return *profile_; }
  storage::Database& Db() { return *db_; }
  audit::AuditLog& Audit() { return audit_; }
  const Clock& GetClock() const { return clock_; }
  TimePoint Now() const { return clock_.Now(); }
  const LedgerPaths& Paths() const { return paths_; }
  // As opened: a server opens its further connections alike.
  const OpenOptions& Options() const { return options_; }

  // Runs `body` in one transaction; `body` records its events with Record().
  // Signs a checkpoint afterwards when checkpoint_every events have passed
  // since the last one (counted in the database: any connection's events).
  Status Change(const std::function<Status()>& body);
  // Appends an audit event; only inside Change().
  Status Record(const audit::EventInput& event);
  // Signs the newest event unless it is signed already.
  Status Checkpoint();

  // ledger_meta values.
  Result<std::string> Meta(const std::string& key);

  // The COUNT(*) of `sql`, counted again only after a change: every change
  // to the ledger records an audit event in its transaction, so the newest
  // event's sequence is a version that every connection to the database
  // agrees on (storage::Database::CachedQueryInt).
  Result<std::int64_t> CachedCount(const std::string& sql, const storage::Params& params);

 private:
  Ledger(LedgerPaths paths, std::unique_ptr<storage::Database> db,
         std::unique_ptr<policy::Profile> profile, const Clock& clock, OpenOptions options);

  LedgerPaths paths_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<policy::Profile> profile_;
  const Clock& clock_;
  audit::AuditLog audit_;
  OpenOptions options_;
  int events_since_checkpoint_ = 0;
};

}  // namespace mamori::ledger
