#include "ledger/ledger.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ledger/schema.h"
#include "policy/loader.h"
#include "storage/open.h"

namespace mamori::ledger {
namespace {

Result<std::string> FileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kNotFound, "ファイルを読めません: " + path, "cannot read " + path,
                 {path, 0, ""});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return audit::Sha256Hex(text.str());
}

Result<std::unique_ptr<policy::Profile>> LoadProfileFile(const std::string& path) {
  MAMORI_TRY(auto profile, policy::LoadProfile(path));
  return std::make_unique<policy::Profile>(std::move(profile));
}

}  // namespace

LedgerPaths DefaultPaths(const std::string& database) {
  std::string base = storage::LocalName(database);
  if (const char* dir = std::getenv("MAMORI_STATE_DIR");
      storage::IsServerUrl(database) && dir != nullptr && *dir != '\0') {
    base = (std::filesystem::path(dir) / base).string();
  }
  return LedgerPaths{database, base + ".audit-key", base + ".checkpoints.jsonl"};
}

Ledger::Ledger(LedgerPaths paths, std::unique_ptr<storage::Database> db,
               std::unique_ptr<policy::Profile> profile, const Clock& clock, OpenOptions options)
    : paths_(std::move(paths)),
      db_(std::move(db)),
      profile_(std::move(profile)),
      clock_(clock),
      audit_(*db_, clock),
      options_(std::move(options)) {}

Result<std::unique_ptr<Ledger>> Ledger::Create(const LedgerPaths& paths,
                                               const std::string& profile_path,
                                               const Clock& clock, const OpenOptions& options) {
  // Everything that can fail on input comes before anything is written.
  MAMORI_TRY(auto profile, LoadProfileFile(profile_path));
  MAMORI_TRY(const auto digest, FileDigest(profile_path));
  MAMORI_TRY(const bool exists, storage::HoldsLedger(paths.database));
  if (exists) {
    const std::string shown = storage::RedactUrl(paths.database);
    return Error(ErrorCode::kInvalidArgument,
                 "データベースは既にあります（上書きしません）: " + shown,
                 "database already exists (never overwritten): " + shown, {shown, 0, ""});
  }
  if (std::filesystem::exists(paths.key)) {
    return Error(ErrorCode::kInvalidArgument,
                 "署名鍵は既にあります（上書きしません）: " + paths.key,
                 "signing key already exists (never overwritten): " + paths.key, {paths.key, 0, ""});
  }
  MAMORI_TRY(auto db,
             storage::Open(paths.database, {.create = true, .durable = options.durable}));
  MAMORI_TRY(const int version, storage::Migrate(*db, Migrations(), clock.Now()));
  (void)version;
  MAMORI_TRY(const auto key, audit::GenerateKeyFile(paths.key));
  const std::string absolute = std::filesystem::absolute(profile_path).lexically_normal().string();
  std::unique_ptr<Ledger> ledger(
      new Ledger(paths, std::move(db), std::move(profile), clock, options));
  MAMORI_TRY_STATUS(ledger->Change([&]() -> Status {
    auto& database = ledger->Db();
    MAMORI_TRY_STATUS(database.Execute(
        "INSERT INTO ledger_meta (key, value) VALUES ('profile_path', ?), ('profile_digest', ?), "
        "('profile_id', ?), ('audit_key_id', ?)",
        {absolute, digest, ledger->Profile().id, key.public_key.Id()}));
    const nlohmann::json state{{"profile_path", absolute},
                               {"profile_digest", digest},
                               {"profile_id", ledger->Profile().id},
                               {"audit_key_id", key.public_key.Id()}};
    return ledger->Record({"system", "ledger.init", "ledger", ledger->Profile().id, state.dump()});
  }));
  MAMORI_TRY_STATUS(ledger->Checkpoint());
  return ledger;
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const LedgerPaths& paths, const Clock& clock,
                                             const OpenOptions& options) {
  MAMORI_TRY(auto db, storage::Open(paths.database,
                                     {.read_only = options.read_only, .durable = options.durable}));
  if (!options.read_only) {
    MAMORI_TRY(const int version, storage::Migrate(*db, Migrations(), clock.Now()));
    (void)version;
  } else {
    // Reading never upgrades the file; an older schema is named, not guessed at.
    MAMORI_TRY(const auto version,
               db->QueryInt("SELECT coalesce(max(version), 0) FROM schema_migrations"));
    const auto newest = static_cast<std::int64_t>(Migrations().size());
    if (version != newest) {
      return Error(ErrorCode::kInvalidArgument,
                   "データベースの版（" + std::to_string(version) + "）がこのプログラム（" +
                       std::to_string(newest) +
                       "）と異なります。更新する操作（例 mamori audit checkpoint）を先に実行してください",
                   "database schema version " + std::to_string(version) + " differs from the program's (" +
                       std::to_string(newest) + "); run a changing command (e.g. `mamori audit checkpoint`) first to upgrade it",
                   {storage::RedactUrl(paths.database), 0, ""});
    }
  }
  std::string profile_path = options.profile_path;
  if (profile_path.empty()) {
    MAMORI_TRY(const auto row,
               db->QueryOne("SELECT value FROM ledger_meta WHERE key = 'profile_path'"));
    profile_path = row.Text(0);
  }
  MAMORI_TRY(auto profile, LoadProfileFile(profile_path));
  std::unique_ptr<Ledger> ledger(new Ledger(paths, std::move(db), std::move(profile), clock, options));
  if (!options.read_only) {
    // A changed profile is a change of the rules every decision follows:
    // record it.
    MAMORI_TRY(const auto digest, FileDigest(profile_path));
    MAMORI_TRY(const auto known, ledger->Meta("profile_digest"));
    if (digest != known) {
      MAMORI_TRY_STATUS(ledger->Change([&]() -> Status {
        MAMORI_TRY_STATUS(ledger->Db().Execute(
            "UPDATE ledger_meta SET value = ? WHERE key = 'profile_digest'", {digest}));
        const nlohmann::json state{{"profile_path", profile_path}, {"profile_digest", digest}};
        return ledger->Record(
            {"system", "ledger.profile_changed", "ledger", ledger->Profile().id, state.dump()});
      }));
    }
  }
  return ledger;
}

Status Ledger::Change(const std::function<Status()>& body) {
  const int recorded_before = events_since_checkpoint_;
  Status result = db_->Transaction(body);
  if (!result.Ok()) {
    events_since_checkpoint_ = recorded_before;
    return result;
  }
  if (events_since_checkpoint_ == recorded_before) return OkStatus();
  // Other connections (a server's pool, a CLI beside it) append to the same
  // chain, so the events since the last checkpoint are counted in the
  // database, not remembered here.
  MAMORI_TRY(const std::int64_t unsigned_events,
             db_->QueryInt("SELECT (SELECT coalesce(max(seq), 0) FROM audit_events) - "
                           "(SELECT coalesce(max(seq), 0) FROM audit_checkpoints)"));
  events_since_checkpoint_ = static_cast<int>(std::min<std::int64_t>(unsigned_events, 1 << 30));
  if (events_since_checkpoint_ >= options_.checkpoint_every) return Checkpoint();
  return OkStatus();
}

Result<std::int64_t> Ledger::CachedCount(const std::string& sql, const storage::Params& params) {
  MAMORI_TRY(const std::int64_t version, audit_.LastSeq());
  return db_->CachedQueryInt(paths_.database, version, sql, params);
}

Status Ledger::Record(const audit::EventInput& event) {
  if (options_.read_only) {
    return Error(ErrorCode::kInternal, "読み取り専用で開いています", "ledger opened read-only");
  }
  MAMORI_TRY(const auto appended, audit_.Append(event));
  (void)appended;
  ++events_since_checkpoint_;
  return OkStatus();
}

Status Ledger::Checkpoint() {
  if (options_.read_only) return OkStatus();
  MAMORI_TRY(const auto key, audit::ReadSigningKey(paths_.key));
  MAMORI_TRY(const auto made, audit_.MakeCheckpoint(key, paths_.checkpoints));
  (void)made;
  events_since_checkpoint_ = 0;
  return OkStatus();
}

Result<std::string> Ledger::Meta(const std::string& key) {
  MAMORI_TRY(const auto row, db_->QueryOne("SELECT value FROM ledger_meta WHERE key = ?", {key}));
  return row.Text(0);
}

}  // namespace mamori::ledger
