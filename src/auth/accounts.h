// Sign-in accounts, sessions and the second factor, as the policy asks of
// mamori itself: 5.4(2) パスワードの取扱い (length, mixing, no reuse of the
// last passwords.history passwords, temporary passwords changed at first
// sign-in, periodic change), 6.2(1)② 利用者ID及びパスワードの管理 (lockout after
// failures), 6.2(1)③ 特権を付与されたID (stricter length, lockout and expiry,
// MFA), 6.2(3) 特権による接続時間の制限 (privileged sessions end after
// passwords.privileged_session_minutes) and 3(1)②ア (MFA in the segments
// passwords.mfa_segments names). docs/auth.md describes the model.
//
// Every function works over a ledger::Ledger. Each change of state is one
// Ledger::Change with its audit event(s): account.create / reset / unlock /
// totp_reset, auth.sign_in / sign_in_failed / lockout / sign_out /
// password_change / password_change_failed / totp_begin / totp_enable. No
// audit state ever holds a password, hash, token or TOTP secret. The only
// write without an event is a session's last_seen_utc (FindSession).
//
// The caller (the server) decides who may call the administrative functions
// (CreateAccount, ResetPassword, Unlock, ResetTotp); they take the actor only
// to record it.
//
// Thread safety: as the Ledger — one Ledger per thread. SignIn's server form
// (with a WithWriter) reads, hashes and writes on different connections.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password.h"
#include "common/result.h"
#include "ledger/ledger.h"
#include "ledger/org.h"

namespace mamori::auth {

// locked_until of an account locked until an administrator unlocks it
// (passwords.lockout_minutes = 0); sorts after every real time.
inline constexpr std::string_view kLockedUntilUnlocked = "9999-12-31T23:59:59Z";

struct Options {
  HashCost cost;
  std::string segment = "lgwan";  // the network segment this server serves (MFA if in
                                  // profile.passwords.mfa_segments)
  int idle_minutes = 30;          // a session unused this long ends
  int session_hours = 10;         // absolute limit of an ordinary session
};

struct Account {
  std::string person_code;
  std::string login;
  bool temporary = false;    // the password is a temporary one
  bool locked = false;       // locked now
  std::string locked_until;  // UTC, kLockedUntilUnlocked, or empty
  int failed_count = 0;      // failures since the last success, unlock or reset
  bool totp_enabled = false;
  bool privileged = false;    // IsPrivileged today
  bool mfa_required = false;  // MfaRequired today
  std::string password_changed_utc;
  bool password_expired = false;  // older than max_age_days (privileged_max_age_days)
};

struct Session {
  std::string token;  // only filled when the session is created (SignIn); never stored
  std::string csrf_token;
  std::string person_code;
  std::string created_utc, expires_utc;
  // The person holds a privileged role (see IsPrivileged); the session is
  // limited to passwords.privileged_session_minutes (6.2(3)).
  bool privileged = false;
  // Temporary or expired password: only ChangePassword is allowed (5.4(2)).
  bool must_change_password = false;
  // MFA required but no TOTP enrolled yet: only BeginTotp/EnableTotp allowed.
  bool must_enroll_totp = false;
  // A TOTP code was given at sign-in (or TOTP was enrolled in this session).
  bool mfa_done = false;
};

enum class SignInStatus { kOk, kBadCredentials, kLocked, kTotpRequired, kTotpInvalid, kNotActive };

struct SignInInput {
  std::string login, password, totp, remote_addr, user_agent;
};

struct SignInResult {
  SignInStatus status = SignInStatus::kBadCredentials;
  Session session;           // filled only for kOk
  std::string locked_until;  // for kLocked: UTC or kLockedUntilUnlocked
};

// Privileged (特権, 6.2(1)③, 6.2(3)): holds chief_officer or
// deputy_chief_officer — the ID and privilege administrators of 6.2 — or
// ciso, who can act for them.
bool IsPrivileged(const std::vector<ledger::RoleAssignment>& roles);
// MFA required (3(1)②ア, 6.2(1)②③) for `person` today: holds a role in
// passwords.mfa_roles, or is privileged and passwords.mfa_privileged, or
// options.segment is in passwords.mfa_segments.
Result<bool> MfaRequired(ledger::Ledger& ledger, const ledger::Person& person,
                         const Options& options);

// Creates the account of `person_code` (employed today; login = the person
// code) with a temporary password, which it returns (hand it over out of
// band; it is not kept). Errors: no such person (key "person"), not employed
// today, an account exists already. Audited "account.create".
Result<std::string> CreateAccount(ledger::Ledger& ledger, const std::string& actor,
                                  const std::string& person_code, const Options& options);
// A new temporary password (returned), the account unlocked, the person's
// sessions ended; the old password joins the history. "account.reset".
Result<std::string> ResetPassword(ledger::Ledger& ledger, const std::string& actor,
                                  const std::string& person_code, const Options& options);
// Clears a lockout and the failure count. "account.unlock".
Status Unlock(ledger::Ledger& ledger, const std::string& actor, const std::string& person_code);
// Removes the person's TOTP (a lost device): the next sign-in must enroll
// again where MFA is required; ends the person's sessions. "account.totp_reset".
Status ResetTotp(ledger::Ledger& ledger, const std::string& actor, const std::string& person_code);
// kNotFound (key "person") when the person has no account.
Result<Account> GetAccount(ledger::Ledger& ledger, const std::string& person_code,
                           const Options& options);
// Every account, by person code.
Result<std::vector<Account>> ListAccounts(ledger::Ledger& ledger, const Options& options);

// Signs in. Normal outcomes are statuses, each audited: "auth.sign_in" (kOk),
// "auth.sign_in_failed" with a reason (unknown_login — the login cut to 64
// bytes —, bad_password, locked, not_employed, suspended,
// totp_required, totp_invalid, totp_reused), and "auth.lockout" when a
// failure reaches lockout_threshold (privileged_lockout_threshold for a
// privileged person). A locked account answers kLocked even to the right
// password. Wrong passwords and wrong or reused TOTP codes count as failures;
// the attempt that locks the account answers kLocked. Failures and lockouts
// are recorded by audit::kAnonymousActor with the account as their object:
// whoever typed the login is not known to be its owner. kNotActive (the person
// is not employed today or is suspended, 7.6④) only after the right
// password. A password hash is verified for unknown logins too, so timing does
// not tell which logins exist. A person with TOTP enrolled always needs a
// code. Errors (nothing stored, kInvalidArgument naming the field): an empty
// or over-long login or password, text that is not UTF-8, a totp longer than
// 16 bytes.
Result<SignInResult> SignIn(ledger::Ledger& ledger, const SignInInput& input,
                            const Options& options);
// Runs `change` on a read-write ledger (the server: a connection of its pool,
// taken only for that).
using WithWriter = std::function<Status(const std::function<Status(ledger::Ledger&)>&)>;
// SignIn for a server: the account and the person's standing are read on
// `reader` (which may be read-only), the password is verified holding no
// connection and no transaction, and the outcome is recorded in one short
// transaction through `with_writer`, which re-reads the account there (a
// lockout, unlock or password change committed in between by another
// connection decides the outcome).
Result<SignInResult> SignIn(ledger::Ledger& reader, const WithWriter& with_writer,
                            const SignInInput& input, const Options& options);
// The open session of `token`, or nullopt when unknown, ended, idle for
// options.idle_minutes, past expires_utc, or when its person is no longer
// employed or is suspended. Refreshes last_seen_utc (a plain write without an
// audit event, at most once a minute).
Result<std::optional<Session>> FindSession(ledger::Ledger& ledger, std::string_view token,
                                           const Options& options);
// FindSession in two steps, for a server that reads on read-only
// connections: LookUpSession only reads and says whether last_seen_utc is
// due (a minute old); TouchSessions sets it to now for the given sessions
// (never backwards) in one transaction of its own, on a read-write ledger.
struct SessionLookup {
  Session session;
  std::int64_t id = 0;  // the session's row
  bool touch_due = false;
};
Result<std::optional<SessionLookup>> LookUpSession(ledger::Ledger& ledger, std::string_view token,
                                                   const Options& options);
Status TouchSessions(ledger::Ledger& ledger, const std::vector<std::int64_t>& session_ids);
// Ends the session; "auth.sign_out". An unknown or already ended token is not
// an error (nothing is recorded).
Status SignOut(ledger::Ledger& ledger, std::string_view token);
// Changes the session's person's password (5.4(2)): `current` must be right
// (a wrong one counts as a sign-in failure, audited
// "auth.password_change_failed", and may lock the account), `new_password`
// must pass CheckNewPassword and differ from the current password and the
// last passwords.history ones (再利用禁止). Clears temporary and the
// session's must_change_password, ends the person's other sessions,
// "auth.password_change". Errors: kNotFound key "session" (no open session),
// kInvalidArgument key "current_password" or "new_password". `remote_addr`
// and `user_agent` (the caller's, as for SignIn) go into the failure's event.
Status ChangePassword(ledger::Ledger& ledger, std::string_view token, std::string_view current,
                      std::string_view new_password, const Options& options,
                      std::string_view remote_addr = {}, std::string_view user_agent = {});

struct TotpSetup {
  std::string secret;       // base32; show once (and as a QR code of the URI)
  std::string otpauth_uri;  // issuer "mamori-<profile id>", account = login
};
// Starts TOTP enrolment: a new pending secret for the session's person
// (replacing any earlier pending one). "auth.totp_begin".
Result<TotpSetup> BeginTotp(ledger::Ledger& ledger, std::string_view token, const Options& options);
// Verifies `code` against the pending secret and makes it the person's TOTP
// secret; clears must_enroll_totp and sets mfa_done on this session.
// "auth.totp_enable". Errors: kNotFound key "session"; kInvalidArgument key
// "code" (wrong code, or no enrolment begun).
Status EnableTotp(ledger::Ledger& ledger, std::string_view token, std::string_view code,
                  const Options& options);

}  // namespace mamori::auth
