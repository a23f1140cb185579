// The ledger's secrets at rest (docs/auth.md "Secrets at rest"): which
// values are sealed under the key ring of secret_box.h, the upgrade of
// databases that held them in the clear, and key rotation.
//
// Secrets the ledger holds, and how:
//   accounts.totp_secret, accounts.totp_pending_secret — sealed (they must be
//     read back to check a code); context "<column>/<person code>".
//   accounts.password_hash, password_history.password_hash — Argon2id.
//   sessions.token_hash — SHA-256 of the token; the token is never stored.
//   CSRF tokens — derived from the session token (never stored, since 0008).
// No audit event holds any of them, nor any key material (key ids only).
//
// Thread safety: as the Ledger — one Ledger per thread. Rotation may run in
// one process while a server runs in another (see RotateKeys).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/secret_box.h"
#include "common/result.h"
#include "ledger/ledger.h"

namespace mamori::auth {

// The sealed columns, by name.
inline constexpr std::string_view kTotpSecretColumn = "totp_secret";
inline constexpr std::string_view kTotpPendingColumn = "totp_pending_secret";

// The key file of `ledger` (SecretKeyPath of its database and audit key).
std::string SecretKeyFile(const ledger::Ledger& ledger);
// The ledger's key ring (LoadKeyRing of SecretKeyFile).
Result<std::shared_ptr<const KeyRing>> LedgerKeyRing(const ledger::Ledger& ledger);
// The associated data of a sealed column of the person's account.
std::string SealContext(std::string_view column, std::string_view person_code);

// Creates the key file of a new ledger (mamori init): one fresh key, mode
// 0600; refuses to overwrite an existing file.
Status CreateSecretKeyFile(const std::string& path);

struct SecretsStatus {
  std::string key_file;
  std::string primary;                   // the key that seals
  std::vector<std::string> key_ids;      // every key in the file
  std::map<std::string, int> sealed_by;  // key id → values it sealed
  int plaintext = 0;                     // values still in the clear (an old database)
  int unreadable = 0;                    // sealed under a key the file does not hold
};
// What the key file holds and what the database's sealed values need.
// Errors: the key file (KeyRing::Read).
Result<SecretsStatus> GetSecretsStatus(ledger::Ledger& ledger);

// Start-up step of a server (and of `mamori keys`): checks the key file can
// be read and opens every sealed value (an unreadable one is an error naming
// the key id and the file, and changes nothing), then seals any value still
// in the clear — a database from before 0008 — erasing the plaintext
// (SQLite secure_delete, VACUUM and a truncated WAL, so the bytes are gone
// from the file too). One audit event "keys.seal_plaintext" with the count
// when there was any. Returns how many values it sealed.
Result<int> PrepareSecrets(ledger::Ledger& ledger, const std::string& actor);

struct RotateResult {
  std::vector<std::string> retired_key_ids;
  std::string new_key_id;
  int resealed = 0;
};
// Where a rotation may be stopped by RotateOptions::fault (tests simulate a
// crash there): after the new key was added to the file; after `n` values
// were resealed inside the transaction; after the transaction committed,
// before the old keys were dropped.
struct RotateOptions {
  std::function<Status(std::string_view point, int resealed)> fault;
};
// Rotates the secret key (`mamori keys rotate`): (1) checks every sealed
// value opens; (2) writes the key file with a new primary key beside the old
// ones; (3) in one transaction reseals every value under the new key (and
// seals any plaintext), with the audit event "keys.rotate" (key file, retired
// and new key ids, count — never key material); (4) in a second transaction
// that finds nothing left under an old key, writes the file with the new key
// only. Stopped anywhere, every value still opens with the file as it is
// (old and new keys coexist until (4)); running it again completes. A
// server running meanwhile re-reads the file when it changes (LoadKeyRing)
// and seals inside its own transactions, so nothing it writes is lost.
Result<RotateResult> RotateKeys(ledger::Ledger& ledger, const std::string& actor,
                                const RotateOptions& options = {});

}  // namespace mamori::auth
