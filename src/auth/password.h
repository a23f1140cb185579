// Passwords (5.4(2) パスワードの取扱い, 6.2(1) 利用者の認証): Argon2id hashes
// in libsodium's self-describing string form, the policy check of a new
// password and the temporary passwords an administrator hands out.
//
// A stored hash names its own algorithm and cost, so raising HashCost later
// leaves older hashes verifiable. Plain passwords are never stored, logged
// or audited.
//
// Thread safety: every function may be called from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "policy/model.h"

namespace mamori::auth {

// The longest password accepted anywhere, in bytes (a longer one is an input
// error, not a failed sign-in: it also bounds the work an attacker can ask for).
inline constexpr std::size_t kMaxPasswordBytes = 128;

// Argon2id cost. The defaults are libsodium's crypto_pwhash_*_INTERACTIVE for
// Argon2id (2 passes, 64 MiB); password.cc checks they match sodium.h.
struct HashCost {
  unsigned long long ops = 2;
  std::size_t mem = 67108864;

  // crypto_pwhash_*_MIN (1 pass, 8 KiB): for tests only.
  static constexpr HashCost Fast() { return HashCost{1, 8192}; }
};

// The crypto_pwhash_str string of `password` (Argon2id v1.3, random salt).
// Empty only when libsodium cannot allocate the memory `cost` asks for.
std::string HashPassword(std::string_view password, const HashCost& cost);
// True when `password` matches `stored_hash` (constant time in the password;
// false for an empty or malformed hash).
bool VerifyPassword(std::string_view stored_hash, std::string_view password);
// 16 characters drawn uniformly from an alphabet without look-alikes (no 0, O,
// 1, l, I), with at least one upper-case letter, one lower-case letter and one
// digit.
std::string GenerateTemporaryPassword();

// 5.4(2): the checks a new password must pass — at least min_length
// (privileged_min_length for a privileged account, 6.2) characters counted as
// UTF-8 code points, at most kMaxPasswordBytes bytes, valid UTF-8 without
// control characters, not containing the login (ignoring ASCII case), and at
// least two of letters, digits and symbols (every other character). Error
// kInvalidArgument with one diagnostic per problem, each with
// Where.key = "new_password".
Status CheckNewPassword(const policy::PasswordPolicy& policy, bool privileged,
                        std::string_view login, std::string_view password);

// The minimum length that applies: privileged_min_length when privileged and
// set, never below min_length, never below 1.
int RequiredLength(const policy::PasswordPolicy& policy, bool privileged);

}  // namespace mamori::auth
