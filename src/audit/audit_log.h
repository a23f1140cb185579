// The hash-chained, append-only audit log (6.1(6) ログの取得・保管, 7.2 監査).
//
// Every change of state in the ledger is one event, appended in the same
// database transaction as the change itself: either both are committed or
// neither is. An event holds a sequence number (1, 2, 3, ... without gaps),
// the time (UTC), the actor, the action, the object, the object's new state
// (canonical JSON) and its SHA-256 digest, and the hash of the previous event;
// its own hash covers all of these. Editing or deleting an event breaks the
// chain at that event.
//
// Cutting off the tail leaves a valid chain; checkpoints catch that. A
// checkpoint is an Ed25519 signature over (seq, hash) made with a key kept
// outside the database (audit_key.h); it is stored in the database and also
// appended to a checkpoint file beside the key. Verification needs only the
// public key, and reports a log that ends before a signed checkpoint.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_key.h"
#include "common/clock.h"
#include "storage/database.h"

namespace mamori::audit {

// The actor of an event no signed-in person caused: a resident's report
// through the public form, a sign-in that failed (whoever typed the login is
// not known; the account is the event's object, not its actor).
inline constexpr std::string_view kAnonymousActor = "anonymous";

// What a caller records. `state` is the object's new state as canonical JSON
// (keys sorted, no insignificant whitespace — nlohmann::json::dump() of an
// object gives that); "null" for a deleted object.
struct EventInput {
  std::string actor;        // person code, "system", "gateway" or kAnonymousActor
  std::string action;       // e.g. "asset.add", "request.approve"
  std::string object_type;  // e.g. "asset"
  std::string object_id;
  std::string state = "null";
};

struct Event {
  std::int64_t seq = 0;
  std::string time_utc;
  std::string actor;
  std::string action;
  std::string object_type;
  std::string object_id;
  std::string state;
  std::string state_digest;  // SHA-256 of state, hex
  std::string prev_hash;     // hex; 64 zeros for seq 1
  std::string hash;          // hex
};

struct Checkpoint {
  std::int64_t seq = 0;
  std::string hash;
  std::string time_utc;
  std::string key_id;
  std::string signature;  // hex
};

// The hash of the event before the first one.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string Sha256Hex(std::string_view data);
// The event's hash from its other fields.
std::string EventHash(const Event& event);
// The bytes a checkpoint signs.
std::string CheckpointMessage(std::int64_t seq, std::string_view hash, std::string_view time_utc);

class AuditLog {
 public:
  AuditLog(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Appends one event. Must be called inside db.Transaction(); the event is
  // committed with the caller's change or not at all.
  Result<Event> Append(const EventInput& input);

  // Signs the newest event, stores the checkpoint in the database and
  // appends it to `checkpoint_file` (fsynced). Does nothing when the newest
  // event already has a checkpoint. Runs its own transaction.
  Result<std::optional<Checkpoint>> MakeCheckpoint(const SigningKey& key,
                                                   const std::string& checkpoint_file);

  // Events with from <= time_utc < to (either may be empty for open ends),
  // in sequence order.
  Result<std::vector<Event>> Events(const std::string& from_utc, const std::string& to_utc);
  Result<std::int64_t> LastSeq();

 private:
  storage::Database& db_;
  const Clock& clock_;
};

struct VerifyReport {
  bool ok = true;
  std::int64_t events = 0;          // events read
  std::int64_t checkpoints = 0;     // checkpoints checked (database + file)
  std::int64_t last_checkpoint_seq = 0;
  std::optional<std::int64_t> first_bad_seq;
  std::string problem_ja;
  std::string problem_en;
  // Events after the last checkpoint: a cut there cannot be detected.
  std::int64_t unanchored_events = 0;
};

// Checks the whole chain, every checkpoint in the database and in
// `checkpoint_file` (may be missing: then only the database's), with
// `public_key`. Stops at the first problem and names it.
Result<VerifyReport> Verify(storage::Database& db, const VerifyingKey& public_key,
                            const std::string& checkpoint_file);

enum class ExportFormat { kJsonLines, kCsv };
// Writes the events of a period; CSV has a header row, UTF-8 with BOM, and
// the time in JST beside UTC.
Status Export(const std::vector<Event>& events, ExportFormat format, std::ostream& out);

}  // namespace mamori::audit
