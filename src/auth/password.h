// Passwords (5.4(2) パスワードの取扱い, 6.2(1) 利用者の認証): Argon2id hashes
// in libsodium's self-describing string form, the policy check of a new
// password and the temporary passwords an administrator hands out.
//
// A stored hash names its own algorithm and cost, so raising HashCost later
// leaves older hashes verifiable. Plain passwords are never stored, logged
// or audited.
//
// Thread safety: every function may be called from any thread. Hashing and
// verifying run on password.cc's own few low-priority threads, one per two
// cores, however many callers ask at once (bounded memory and CPU; see
// HashingThreads there); the caller waits.
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
// digit, no run of 3 (aaa, abc) and at most 2 neighbours one apart — drawn
// again until so, so it passes every pattern check of CheckNewPassword.
std::string GenerateTemporaryPassword();

// Whose password it is, for passwords.reject_login_or_name.
struct PasswordOwner {
  std::string_view login;
  std::string_view name;   // as in the organization register ("佐藤 花子", "Sato Hanako")
  std::string_view email;  // its local part's pieces count as parts of the name
};

// 5.4(2): the checks a new password must pass — at least min_length
// (privileged_min_length for a privileged account, 6.2) characters counted as
// UTF-8 code points, at most kMaxPasswordBytes bytes, valid UTF-8 without
// control characters, at least two of letters, digits and symbols (every
// other character), and, as the profile sets them:
//   reject_login_or_name — not containing the login, nor a part of the
//     person's name (ASCII parts of 3 characters or more, others of 2 or
//     more) or of the e-mail address's local part, ignoring ASCII case;
//   max_repeat_run — no run of one character, nor an ascending or
//     descending sequence (abcd, 4321; letters without regard to case),
//     longer than that;
//   dictionary_check — not a common password or dictionary word
//     (password_dictionary.h); a dictionary that cannot be opened is an
//     error, never a pass.
// Error kInvalidArgument with one diagnostic per problem, each with
// Where.key = "new_password", naming the rule in Japanese and English and
// never quoting the password; kNotFound when the dictionary is missing.
Status CheckNewPassword(const policy::PasswordPolicy& policy, bool privileged,
                        const PasswordOwner& owner, std::string_view password);

// The start-up check of a server: when `policy` asks for dictionary_check,
// the dictionary opens (SharedDictionary). Errors as PasswordDictionary::Open.
Status CheckPasswordDictionary(const policy::PasswordPolicy& policy);

// The minimum length that applies: privileged_min_length when privileged and
// set, never below min_length, never below 1.
int RequiredLength(const policy::PasswordPolicy& policy, bool privileged);

}  // namespace mamori::auth
