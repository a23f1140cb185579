// Secrets at rest: the key ring that seals the secrets the ledger must keep
// readable (TOTP secrets, 6.2(1)②③), so that a copy of the database alone
// yields none of them. docs/auth.md "Secrets at rest".
//
// The key file lives outside the database, beside the audit signing key
// (default "<database>.secret-key" next to it, or $MAMORI_SECRET_KEY_FILE),
// mode 0600 — a file readable by group or others is refused, as ssh refuses
// such a private key. It is text:
//
//   # comment
//   key <id> <base64 of 32 random bytes>
//   primary <id>
//
// Several keys may stand in it at once: during a rotation the new key seals
// and the old ones still open what they sealed. Each sealed value names the
// key that sealed it:
//
//   sealed:v1:<key id>:<base64url(24-byte nonce || ciphertext+tag)>
//
// sealed with XChaCha20-Poly1305 (libsodium's AEAD) whose associated data is
// the version, the key id and the caller's context — the row's identity and
// purpose (e.g. "accounts.totp_secret/s1"), so a ciphertext copied into
// another row, or relabelled with another key id, does not open.
//
// Thread safety: a KeyRing is immutable after it is made; LoadKeyRing may be
// called from any thread.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mamori::auth {

inline constexpr std::string_view kSealedPrefix = "sealed:v1:";

struct SecretKey {
  std::string id;  // 16 lower-case hex digits, random
  std::array<unsigned char, 32> bytes{};
};

class KeyRing {
 public:
  KeyRing(const KeyRing&) = default;
  KeyRing& operator=(const KeyRing&) = default;
  KeyRing(KeyRing&&) = default;
  KeyRing& operator=(KeyRing&&) = default;
  ~KeyRing();

  // A ring of one fresh random key (the primary).
  static Result<KeyRing> Generate();
  // Reads and checks the key file at `path`. Errors (kNotFound / kIo /
  // kInvalidArgument, each naming the file, in Japanese and English): the
  // file is missing, is not a regular file, is readable or writable by group
  // or others, or is malformed (a bad line, a key that is not 32 bytes, a
  // duplicate id, no primary or a primary that names no key).
  static Result<KeyRing> Read(const std::string& path);

  // Writes the ring to `path`, mode 0600, through a temporary file in the
  // same directory and rename(2), so a reader sees the old or the new file,
  // never half of one. kExclusive refuses a file that exists already.
  enum class WriteMode { kExclusive, kReplace };
  Status Write(const std::string& path, WriteMode mode) const;

  // This ring with a fresh random key added as the primary.
  Result<KeyRing> WithNewPrimary() const;
  // This ring with every key but the primary dropped.
  KeyRing PrimaryOnly() const;

  const std::string& PrimaryId() const { return primary_; }
  std::vector<std::string> Ids() const;
  bool Has(std::string_view id) const;

  // Seals `plaintext` under the primary key with `context` bound as
  // associated data. Returns "sealed:v1:<id>:<base64url>".
  Result<std::string> Seal(std::string_view plaintext, std::string_view context) const;
  // Opens a value Seal made with the same context. Errors (kInvalidArgument,
  // never echoing the value): not a sealed value, a key id the ring does not
  // hold (the file of an older rotation, or the wrong file), or a value that
  // does not authenticate (altered, moved to another row, the wrong key).
  Result<std::string> Open(std::string_view sealed, std::string_view context) const;

 private:
  KeyRing() = default;
  const SecretKey* Find(std::string_view id) const;

  std::vector<SecretKey> keys_;
  std::string primary_;
  std::string path_;  // where it was read from, for error messages ("" when generated)
};

// True when `value` has the sealed form (whatever the key).
bool IsSealed(std::string_view value);
// The key id named by a sealed value; empty when `value` is not sealed.
std::string SealedKeyId(std::string_view value);

// The key file of the ledger whose audit signing key is `audit_key_path` and
// database `database_path`: $MAMORI_SECRET_KEY_FILE when set and not empty,
// else "<database file name>.secret-key" in the audit key's directory.
std::string SecretKeyPath(const std::string& database_path, const std::string& audit_key_path);

// The ring in the file at `path`, read again only when the file changed
// (device, inode, size, modification time): a server picks up a rotation
// made by `mamori keys rotate` without restarting. Errors as KeyRing::Read.
// The ring is shared with the cache and with other callers; it is immutable.
Result<std::shared_ptr<const KeyRing>> LoadKeyRing(const std::string& path);

}  // namespace mamori::auth
