#include "auth/accounts.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "auth/internal.h"
#include "auth/secrets.h"
#include "auth/totp.h"
#include "common/charset.h"
#include "common/clock.h"
#include "ledger/validate.h"
#include "ledger/workflow/violations.h"

namespace mamori::auth {
namespace {

using Json = nlohmann::json;
using ledger::Ledger;

constexpr std::size_t kMaxLoginBytes = 256;      // sign-in input; logins are person codes
constexpr std::size_t kMaxAuditLoginBytes = 64;  // an unknown login as recorded
constexpr std::size_t kMaxTotpBytes = 16;        // "123 456" and a little slack
constexpr std::size_t kMaxTokenBytes = 128;      // a longer token is no token of ours
constexpr std::size_t kTokenBytes = 32;          // 256 random bits per token
constexpr std::size_t kMaxRemoteAddrBytes = 64;  // as recorded
constexpr std::size_t kMaxUserAgentBytes = 256;  // as recorded
constexpr std::chrono::seconds kTouchEvery{60};  // last_seen_utc granularity

// --- Rows -----------------------------------------------------------------

struct AccountRow {
  std::int64_t id = 0;
  std::int64_t person_id = 0;
  std::string person_code;
  std::string login;
  std::string password_hash;
  bool temporary = false;
  std::string password_changed_utc;
  int failed_count = 0;
  std::string locked_until;  // empty: NULL
  std::string totp_secret;   // empty: NULL
  std::string totp_pending_secret;
  std::int64_t totp_last_step = 0;
};

constexpr std::string_view kAccountSelect =
    "SELECT a.id, a.person_id, p.code, a.login, a.password_hash, a.temporary, "
    "a.password_changed_utc, a.failed_count, coalesce(a.locked_until_utc, ''), "
    "coalesce(a.totp_secret, ''), coalesce(a.totp_pending_secret, ''), a.totp_last_step "
    "FROM accounts a JOIN people p ON p.id = a.person_id";

AccountRow AccountFromRow(const storage::Row& row) {
  return AccountRow{row.Int(0),  row.Int(1),      row.Text(2),  row.Text(3),
                    row.Text(4), row.Int(5) != 0, row.Text(6),  static_cast<int>(row.Int(7)),
                    row.Text(8), row.Text(9),     row.Text(10), row.Int(11)};
}

Result<std::optional<AccountRow>> LoadAccount(Ledger& ledger, std::string_view where,
                                              const storage::Params& params) {
  MAMORI_TRY(
      const auto rows,
      ledger.Db().Query(std::string(kAccountSelect) + " WHERE " + std::string(where), params));
  if (rows.empty()) return std::optional<AccountRow>();
  return std::optional<AccountRow>(AccountFromRow(rows[0]));
}

struct SessionRow {
  std::int64_t id = 0;
  std::int64_t person_id = 0;
  std::string person_code;
  std::string created_utc;
  std::string last_seen_utc;
  std::string expires_utc;
  bool privileged = false;
  bool mfa_done = false;
  bool must_change_password = false;
  bool must_enroll_totp = false;
};

Session ToSession(const SessionRow& row) {
  Session session;
  session.person_code = row.person_code;
  session.created_utc = row.created_utc;
  session.expires_utc = row.expires_utc;
  session.privileged = row.privileged;
  session.must_change_password = row.must_change_password;
  session.must_enroll_totp = row.must_enroll_totp;
  session.mfa_done = row.mfa_done;
  return session;
}

// --- Time and policy --------------------------------------------------------

std::string NowUtc(const Ledger& ledger) { return FormatUtc(ledger.Now()); }

std::string MinutesFromNow(const Ledger& ledger, int minutes) {
  return FormatUtc(ledger.Now() + std::chrono::minutes(minutes));
}

std::int64_t UnixSeconds(const Ledger& ledger) {
  return static_cast<std::int64_t>(ledger.Now().time_since_epoch().count());
}

const policy::PasswordPolicy& Passwords(const Ledger& ledger) { return ledger.Profile().passwords; }

// A privileged_* value applies to privileged IDs when set (6.2(1)③); 0
// leaves the ordinary value.
int LockoutThreshold(const policy::PasswordPolicy& policy, bool privileged) {
  if (privileged && policy.privileged_lockout_threshold > 0) {
    return policy.privileged_lockout_threshold;
  }
  return policy.lockout_threshold;
}

int MaxAgeDays(const policy::PasswordPolicy& policy, bool privileged) {
  if (privileged && policy.privileged_max_age_days > 0) return policy.privileged_max_age_days;
  return policy.max_age_days;
}

// 6.2(3): a privileged session is cut to privileged_session_minutes.
int SessionMinutes(const policy::PasswordPolicy& policy, const Options& options, bool privileged) {
  int minutes = std::max(options.session_hours, 0) * 60;
  if (privileged && policy.privileged_session_minutes > 0) {
    minutes = std::min(minutes, policy.privileged_session_minutes);
  }
  return minutes;
}

// 5.4(2) / 6.2(1)③: the password is older than max_age_days.
bool PasswordExpired(const Ledger& ledger, bool privileged, const std::string& changed_utc) {
  const int days = MaxAgeDays(Passwords(ledger), privileged);
  if (days <= 0) return false;
  auto changed = ParseTime(changed_utc, "password_changed_utc");
  if (!changed.Ok()) return true;  // unreadable: make the person choose a new one
  return *changed + std::chrono::days(days) <= ledger.Now();
}

bool Locked(const AccountRow& account, const std::string& now_utc) {
  return !account.locked_until.empty() && account.locked_until > now_utc;
}

// The person's standing today, read before a transaction.
struct Standing {
  bool privileged = false;
  bool mfa_required = false;
  bool employed = false;
  bool suspended = false;
};

bool MfaRequiredFor(const policy::PasswordPolicy& policy,
                    const std::vector<ledger::RoleAssignment>& roles, const Options& options) {
  // 3(1)②ア: every terminal of a segment named in mfa_segments.
  if (std::find(policy.mfa_segments.begin(), policy.mfa_segments.end(), options.segment) !=
      policy.mfa_segments.end()) {
    return true;
  }
  // 6.2(1)③: privileged IDs.
  if (policy.mfa_privileged && IsPrivileged(roles)) return true;
  // 6.2(1)②: the roles the profile names.
  return std::any_of(roles.begin(), roles.end(), [&](const ledger::RoleAssignment& held) {
    return std::find(policy.mfa_roles.begin(), policy.mfa_roles.end(), held.role) !=
           policy.mfa_roles.end();
  });
}

Result<Standing> StandingOf(Ledger& ledger, const ledger::Person& person, const Options& options) {
  const std::string today = ledger::TodayJst(ledger);
  MAMORI_TRY(const auto roles, ledger::RolesOf(ledger, person, today));
  MAMORI_TRY(const auto suspension, ledger::workflow::ActiveSuspension(ledger, person.id));
  Standing standing;
  standing.privileged = IsPrivileged(roles);
  standing.mfa_required = MfaRequiredFor(Passwords(ledger), roles, options);
  standing.employed = ledger::ActiveOn(person, today);
  standing.suspended = suspension.has_value();
  return standing;
}

Account ToAccount(const Ledger& ledger, const AccountRow& row, const Standing& standing) {
  Account account;
  account.person_code = row.person_code;
  account.login = row.login;
  account.temporary = row.temporary;
  account.locked = Locked(row, NowUtc(ledger));
  account.locked_until = account.locked ? row.locked_until : "";
  account.failed_count = row.failed_count;
  account.totp_enabled = !row.totp_secret.empty();
  account.privileged = standing.privileged;
  account.mfa_required = standing.mfa_required;
  account.password_changed_utc = row.password_changed_utc;
  account.password_expired = PasswordExpired(ledger, standing.privileged, row.password_changed_utc);
  return account;
}

// --- Errors -------------------------------------------------------------------

Error NoAccount(const std::string& person_code) {
  return Error(ErrorCode::kNotFound, "職員「" + person_code + "」のアカウントはありません",
               "person \"" + person_code + "\" has no account", Where{"", 0, "person"});
}

Error NoSession() {
  return Error(ErrorCode::kNotFound,
               "セッションが無効です（期限切れ又はサインアウト済み）。サインインし直してください",
               "no open session for this token (expired or signed out); sign in again",
               Where{"", 0, "session"});
}

Error HashFailed() {
  return Error(ErrorCode::kInternal, "パスワードのハッシュを計算できません（メモリ不足）",
               "cannot hash the password (out of memory)");
}

// --- Sessions -----------------------------------------------------------------

constexpr std::string_view kSessionSelect =
    "SELECT s.id, s.person_id, p.code, s.created_utc, s.last_seen_utc, "
    "s.expires_utc, s.privileged, s.mfa_done, s.must_change_password, s.must_enroll_totp "
    "FROM sessions s JOIN people p ON p.id = s.person_id";

// The open session of `token` that is neither idle too long nor past its
// end, whose person is employed and not suspended.
Result<std::optional<SessionRow>> OpenSession(Ledger& ledger, std::string_view token,
                                              const Options& options) {
  if (token.empty() || token.size() > kMaxTokenBytes) return std::optional<SessionRow>();
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(
                 std::string(kSessionSelect) + " WHERE s.token_hash = ? AND s.ended_utc IS NULL",
                 {internal::Sha256Hex(token)}));
  if (rows.empty()) return std::optional<SessionRow>();
  const auto& row = rows[0];
  SessionRow session{row.Int(0),      row.Int(1),      row.Text(2),     row.Text(3),
                     row.Text(4),     row.Text(5),     row.Int(6) != 0, row.Int(7) != 0,
                     row.Int(8) != 0, row.Int(9) != 0};
  const std::string now = NowUtc(ledger);
  if (session.expires_utc <= now) return std::optional<SessionRow>();
  if (session.last_seen_utc <= MinutesFromNow(ledger, -options.idle_minutes)) {
    return std::optional<SessionRow>();
  }
  // 7.6④: a suspension, or the end of employment, ends the use of the
  // system at once, not at the next sign-in.
  MAMORI_TRY(const auto person, ledger::FindPerson(ledger, session.person_code));
  if (!ledger::ActiveOn(person, ledger::TodayJst(ledger))) return std::optional<SessionRow>();
  MAMORI_TRY(const auto suspension, ledger::workflow::ActiveSuspension(ledger, person.id));
  if (suspension) return std::optional<SessionRow>();
  return std::optional<SessionRow>(std::move(session));
}

Result<SessionRow> RequireSession(Ledger& ledger, std::string_view token, const Options& options) {
  MAMORI_TRY(auto session, OpenSession(ledger, token, options));
  if (!session) return NoSession();
  return std::move(*session);
}

// Ends every open session of `person_id` but `except_id`; returns how many.
Result<std::int64_t> EndSessions(Ledger& ledger, std::int64_t person_id, std::int64_t except_id) {
  MAMORI_TRY_STATUS(ledger.Db().Execute(
      "UPDATE sessions SET ended_utc = ? WHERE person_id = ? AND id <> ? AND ended_utc IS NULL",
      {NowUtc(ledger), person_id, except_id}));
  return ledger.Db().ChangedRows();
}

// --- Passwords ------------------------------------------------------------------

// A hash of a random password at `cost`, verified against when the login is
// unknown so that an unknown login costs as much time as a known one. One per
// cost, made once; the mutex guards the map (SignIn may run on many threads,
// each with its own Ledger).
std::string DummyHash(const HashCost& cost) {
  static std::mutex mutex;
  static std::map<std::pair<unsigned long long, std::size_t>, std::string> hashes;
  const std::lock_guard<std::mutex> lock(mutex);
  std::string& hash = hashes[{cost.ops, cost.mem}];
  if (hash.empty()) hash = HashPassword(internal::RandomToken(kTokenBytes), cost);
  return hash;
}

// The hashes a new password may not match: the current one and the last
// `history` previous ones (5.4(2) 再利用禁止).
Result<std::vector<std::string>> RecentHashes(Ledger& ledger, const AccountRow& account) {
  std::vector<std::string> hashes{account.password_hash};
  const int history = Passwords(ledger).history;
  if (history > 0) {
    MAMORI_TRY(const auto rows,
               ledger.Db().Query("SELECT password_hash FROM password_history WHERE "
                                 "account_id = ? ORDER BY id DESC LIMIT ?",
                                 {account.id, static_cast<std::int64_t>(history)}));
    for (const auto& row : rows) hashes.push_back(row.Text(0));
  }
  return hashes;
}

// Moves the account's current hash into the history and keeps the newest
// passwords.history entries (none when history = 0).
Status PushHistory(Ledger& ledger, const AccountRow& account) {
  const int history = Passwords(ledger).history;
  if (history > 0) {
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "INSERT INTO password_history (account_id, password_hash, changed_utc) VALUES (?, ?, ?)",
        {account.id, account.password_hash, NowUtc(ledger)}));
  }
  return ledger.Db().Execute(
      "DELETE FROM password_history WHERE account_id = ? AND id NOT IN (SELECT id FROM "
      "password_history WHERE account_id = ? ORDER BY id DESC LIMIT ?)",
      {account.id, account.id, static_cast<std::int64_t>(std::max(history, 0))});
}

// --- Input --------------------------------------------------------------------

Error InputError(std::string_view field, std::string ja, std::string en) {
  return ledger::FieldError(field, std::move(ja), std::move(en));
}

// Sign-in input: bad input is an error, not a failed attempt, and nothing is
// stored for it.
Status CheckSignInInput(const SignInInput& input) {
  ledger::Checks checks;
  if (input.login.empty()) {
    checks.Add(InputError("login", "ログインIDを入力してください", "login is required"));
  } else if (input.login.size() > kMaxLoginBytes) {
    checks.Add(InputError(
        "login", "ログインIDが長すぎます（" + std::to_string(kMaxLoginBytes) + "バイトまで）",
        "login is longer than " + std::to_string(kMaxLoginBytes) + " bytes"));
  } else if (!IsValidUtf8(input.login)) {
    checks.Add(InputError("login", "ログインIDに UTF-8 の文字として読めないバイトがあります",
                          "login is not valid UTF-8"));
  } else if (internal::Printable(input.login, kMaxLoginBytes).size() != input.login.size()) {
    checks.Add(InputError("login", "ログインIDに制御文字は使えません",
                          "login contains a control character"));
  }
  if (input.password.empty()) {
    checks.Add(InputError("password", "パスワードを入力してください", "password is required"));
  } else if (input.password.size() > kMaxPasswordBytes) {
    checks.Add(InputError(
        "password", "パスワードが長すぎます（" + std::to_string(kMaxPasswordBytes) + "バイトまで）",
        "password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes"));
  } else if (!IsValidUtf8(input.password)) {
    checks.Add(InputError("password", "パスワードに UTF-8 の文字として読めないバイトがあります",
                          "password is not valid UTF-8"));
  }
  if (input.totp.size() > kMaxTotpBytes || !IsValidUtf8(input.totp)) {
    checks.Add(InputError("totp", "確認コード（ワンタイムパスワード）は6桁の数字です",
                          "totp must be the 6-digit code"));
  }
  return checks.Done();
}

Status CheckActor(const std::string& actor, const std::string& person_code) {
  return ledger::Checks()
      .Add(ledger::CheckCode(actor, "actor"))
      .Add(ledger::CheckCode(person_code, "person"))
      .Done();
}

// --- Sealed secrets --------------------------------------------------------------

// The TOTP secret in `column` of `account`, opened with the ledger's key
// ring (secrets.h). Errors: the key file, or a value that does not open.
Result<std::string> OpenTotpSecret(Ledger& ledger, const AccountRow& account,
                                   std::string_view column) {
  MAMORI_TRY(const auto ring, LedgerKeyRing(ledger));
  const std::string& value =
      column == kTotpSecretColumn ? account.totp_secret : account.totp_pending_secret;
  return ring->Open(value, SealContext(column, account.person_code));
}

Result<std::string> SealTotpSecret(Ledger& ledger, const AccountRow& account,
                                   std::string_view column, std::string_view secret) {
  MAMORI_TRY(const auto ring, LedgerKeyRing(ledger));
  return ring->Seal(secret, SealContext(column, account.person_code));
}

// --- Sign-in outcomes ---------------------------------------------------------

// What SignIn learnt before its transaction.
struct Attempt {
  const SignInInput& input;
  const Options& options;
  std::string remote_addr;
  std::string user_agent;
  AccountRow seen;           // the account as read before verifying
  bool password_ok = false;  // against seen.password_hash
  Standing standing;
};

Json AttemptState(const Attempt& attempt, const AccountRow& account) {
  return Json{{"person", account.person_code},
              {"login", account.login},
              {"remote_addr", attempt.remote_addr},
              {"user_agent", attempt.user_agent}};
}

// A failed attempt that counts towards lockout (6.2(1)②, ③ for privileged
// IDs), recorded by `actor`: audit::kAnonymousActor for a sign-in (whoever
// typed the login is not known to be its owner), the person for a signed-in
// session's password change. Sets `result`; the attempt that reaches the
// threshold locks the account and answers kLocked.
Status CountFailure(Ledger& ledger, const Attempt& attempt, const AccountRow& account,
                    std::string_view actor, std::string_view reason, SignInStatus status,
                    std::string_view action, SignInResult& result) {
  const auto& policy = Passwords(ledger);
  const int failed = account.failed_count + 1;
  const int threshold = LockoutThreshold(policy, attempt.standing.privileged);
  const bool lock = threshold > 0 && failed >= threshold;
  std::string locked_until;
  if (lock) {
    locked_until = policy.lockout_minutes > 0 ? MinutesFromNow(ledger, policy.lockout_minutes)
                                              : std::string(kLockedUntilUnlocked);
  }
  MAMORI_TRY_STATUS(ledger.Db().Execute(
      "UPDATE accounts SET failed_count = ?, locked_until_utc = ?, updated_utc = ? WHERE id = ?",
      {static_cast<std::int64_t>(failed), lock ? storage::Value(locked_until) : storage::Null(),
       NowUtc(ledger), account.id}));
  Json state = AttemptState(attempt, account);
  state["reason"] = std::string(reason);
  state["failed_count"] = failed;
  MAMORI_TRY_STATUS(ledger.Record(
      {std::string(actor), std::string(action), "account", account.login, state.dump()}));
  result.status = status;
  if (lock) {
    Json lockout{{"person", account.person_code},
                 {"login", account.login},
                 {"failed_count", failed},
                 {"threshold", threshold},
                 {"privileged", attempt.standing.privileged},
                 {"locked_until", locked_until},
                 {"clause", attempt.standing.privileged ? "6.2(1)③" : "6.2(1)②"}};
    MAMORI_TRY_STATUS(ledger.Record(
        {std::string(actor), "auth.lockout", "account", account.login, lockout.dump()}));
    result.status = SignInStatus::kLocked;
    result.locked_until = locked_until;
  }
  return OkStatus();
}

Status RecordFailure(Ledger& ledger, const Attempt& attempt, const AccountRow& account,
                     std::string_view reason) {
  Json state = AttemptState(attempt, account);
  state["reason"] = std::string(reason);
  return ledger.Record({std::string(audit::kAnonymousActor), "auth.sign_in_failed", "account",
                        account.login, state.dump()});
}

// The body of SignIn's transaction for a known login.
Status SignInKnown(Ledger& ledger, const Attempt& attempt, SignInResult& result) {
  MAMORI_TRY(auto reread, LoadAccount(ledger, "a.id = ?", {attempt.seen.id}));
  if (!reread) return NoAccount(attempt.seen.person_code);
  AccountRow account = std::move(*reread);
  const auto& policy = Passwords(ledger);
  const std::string now = NowUtc(ledger);

  if (Locked(account, now)) {
    // Even the right password: the lockout stands until it runs out or an
    // administrator unlocks (6.2(1)②).
    result.status = SignInStatus::kLocked;
    result.locked_until = account.locked_until;
    return RecordFailure(ledger, attempt, account, "locked");
  }
  if (!account.locked_until.empty()) {
    // The lockout ran out (lockout_minutes): the count starts afresh.
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE accounts SET locked_until_utc = NULL, failed_count = 0, updated_utc = ? "
        "WHERE id = ?",
        {now, account.id}));
    account.locked_until.clear();
    account.failed_count = 0;
  }

  // A password changed since it was verified makes the verification stale.
  const bool password_ok =
      attempt.password_ok && account.password_hash == attempt.seen.password_hash;
  if (!password_ok) {
    return CountFailure(ledger, attempt, account, audit::kAnonymousActor, "bad_password",
                        SignInStatus::kBadCredentials, "auth.sign_in_failed", result);
  }
  if (!attempt.standing.employed || attempt.standing.suspended) {
    result.status = SignInStatus::kNotActive;
    return RecordFailure(ledger, attempt, account,
                         attempt.standing.suspended ? "suspended" : "not_employed");
  }

  // The second factor (6.2(1)②③, 3(1)②ア): asked of everyone who enrolled.
  bool mfa_done = false;
  if (!account.totp_secret.empty()) {
    if (attempt.input.totp.empty()) {
      result.status = SignInStatus::kTotpRequired;
      return RecordFailure(ledger, attempt, account, "totp_required");
    }
    MAMORI_TRY(std::string secret, OpenTotpSecret(ledger, account, kTotpSecretColumn));
    const auto step = MatchTotp(secret, attempt.input.totp, UnixSeconds(ledger));
    internal::Wipe(secret);
    if (!step || *step <= account.totp_last_step) {
      // A code seen before (the same step twice) is refused like a wrong one.
      return CountFailure(ledger, attempt, account, audit::kAnonymousActor,
                          step ? "totp_reused" : "totp_invalid", SignInStatus::kTotpInvalid,
                          "auth.sign_in_failed", result);
    }
    MAMORI_TRY_STATUS(ledger.Db().Execute("UPDATE accounts SET totp_last_step = ? WHERE id = ?",
                                          {*step, account.id}));
    mfa_done = true;
  }
  const bool must_enroll = attempt.standing.mfa_required && account.totp_secret.empty();
  // 5.4(2): a temporary password is changed at first sign-in, an old one
  // after max_age_days (privileged_max_age_days, 6.2(1)③).
  const bool must_change =
      (account.temporary && policy.temporary_must_change) ||
      PasswordExpired(ledger, attempt.standing.privileged, account.password_changed_utc);

  const std::string token = internal::RandomToken(kTokenBytes);
  Session session;
  session.token = token;
  session.csrf_token = internal::CsrfToken(token);  // derived, never stored
  session.person_code = account.person_code;
  session.created_utc = now;
  session.expires_utc =
      MinutesFromNow(ledger, SessionMinutes(policy, attempt.options, attempt.standing.privileged));
  session.privileged = attempt.standing.privileged;
  session.must_change_password = must_change;
  session.must_enroll_totp = must_enroll;
  session.mfa_done = mfa_done;
  MAMORI_TRY(const std::int64_t id,
             ledger.Db().QueryInt(
                 "INSERT INTO sessions (token_hash, person_id, created_utc, "
                 "last_seen_utc, expires_utc, privileged, mfa_done, must_change_password, "
                 "must_enroll_totp, remote_addr, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                 "?, ?) RETURNING id",
                 {internal::Sha256Hex(token), account.person_id, now, now,
                  session.expires_utc, std::int64_t{session.privileged}, std::int64_t{mfa_done},
                  std::int64_t{must_change}, std::int64_t{must_enroll}, attempt.remote_addr,
                  attempt.user_agent}));
  MAMORI_TRY_STATUS(ledger.Db().Execute(
      "UPDATE accounts SET failed_count = 0, updated_utc = ? WHERE id = ?", {now, account.id}));
  Json state = AttemptState(attempt, account);
  state["session"] = id;
  state["expires_utc"] = session.expires_utc;
  state["privileged"] = session.privileged;
  state["mfa_done"] = mfa_done;
  state["must_change_password"] = must_change;
  state["must_enroll_totp"] = must_enroll;
  MAMORI_TRY_STATUS(ledger.Record(
      {account.person_code, "auth.sign_in", "session", std::to_string(id), state.dump()}));
  result.status = SignInStatus::kOk;
  result.session = std::move(session);
  return OkStatus();
}

Result<std::string> ResetOrCreate(Ledger& ledger, const std::string& actor,
                                  const std::string& person_code, const Options& options,
                                  bool create) {
  MAMORI_TRY_STATUS(CheckActor(actor, person_code));
  const std::string temporary = GenerateTemporaryPassword();
  const std::string hash = HashPassword(temporary, options.cost);
  if (hash.empty()) return HashFailed();
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    const std::string now = NowUtc(ledger);
    if (create) {
      MAMORI_TRY(const auto person, ledger::FindActivePerson(ledger, person_code, "person"));
      MAMORI_TRY(const auto existing,
                 LoadAccount(ledger, "a.person_id = ? OR a.login = ?", {person.id, person.code}));
      if (existing) {
        return InputError("person", "職員「" + person_code + "」のアカウントは既にあります",
                          "person \"" + person_code + "\" already has an account");
      }
      MAMORI_TRY(const std::int64_t id,
                 ledger.Db().QueryInt(
                     "INSERT INTO accounts (person_id, login, password_hash, temporary, "
                     "password_changed_utc, created_utc, updated_utc) VALUES (?, ?, ?, 1, ?, ?, "
                     "?) RETURNING id",
                     {person.id, person.code, hash, now, now, now}));
      (void)id;
      return ledger.Record({actor, "account.create", "account", person.code,
                            Json{{"person", person.code},
                                 {"login", person.code},
                                 {"temporary", true},
                                 {"created_utc", now}}
                                .dump()});
    }
    MAMORI_TRY(const auto found, LoadAccount(ledger, "p.code = ?", {person_code}));
    if (!found) return NoAccount(person_code);
    // The replaced password may not come back either (5.4(2) 再利用禁止).
    MAMORI_TRY_STATUS(PushHistory(ledger, *found));
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE accounts SET password_hash = ?, temporary = 1, password_changed_utc = ?, "
        "failed_count = 0, locked_until_utc = NULL, updated_utc = ? WHERE id = ?",
        {hash, now, now, found->id}));
    MAMORI_TRY(const auto ended, EndSessions(ledger, found->person_id, 0));
    return ledger.Record({actor, "account.reset", "account", found->login,
                          Json{{"person", found->person_code},
                               {"login", found->login},
                               {"temporary", true},
                               {"password_changed_utc", now},
                               {"unlocked", true},
                               {"ended_sessions", ended}}
                              .dump()});
  }));
  return temporary;
}

}  // namespace

bool IsPrivileged(const std::vector<ledger::RoleAssignment>& roles) {
  return std::any_of(roles.begin(), roles.end(), [](const ledger::RoleAssignment& held) {
    return held.role == policy::Role::kChiefOfficer ||
           held.role == policy::Role::kDeputyChiefOfficer || held.role == policy::Role::kCiso;
  });
}

Result<bool> MfaRequired(Ledger& ledger, const ledger::Person& person, const Options& options) {
  MAMORI_TRY(const auto roles, ledger::RolesOf(ledger, person, ledger::TodayJst(ledger)));
  return MfaRequiredFor(Passwords(ledger), roles, options);
}

Result<std::string> CreateAccount(Ledger& ledger, const std::string& actor,
                                  const std::string& person_code, const Options& options) {
  return ResetOrCreate(ledger, actor, person_code, options, true);
}

Result<std::string> ResetPassword(Ledger& ledger, const std::string& actor,
                                  const std::string& person_code, const Options& options) {
  return ResetOrCreate(ledger, actor, person_code, options, false);
}

Status Unlock(Ledger& ledger, const std::string& actor, const std::string& person_code) {
  MAMORI_TRY_STATUS(CheckActor(actor, person_code));
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto found, LoadAccount(ledger, "p.code = ?", {person_code}));
    if (!found) return NoAccount(person_code);
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE accounts SET failed_count = 0, locked_until_utc = NULL, updated_utc = ? "
        "WHERE id = ?",
        {NowUtc(ledger), found->id}));
    return ledger.Record({actor, "account.unlock", "account", found->login,
                          Json{{"person", found->person_code},
                               {"login", found->login},
                               {"was_locked_until", found->locked_until},
                               {"failed_count", found->failed_count}}
                              .dump()});
  });
}

Status ResetTotp(Ledger& ledger, const std::string& actor, const std::string& person_code) {
  MAMORI_TRY_STATUS(CheckActor(actor, person_code));
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto found, LoadAccount(ledger, "p.code = ?", {person_code}));
    if (!found) return NoAccount(person_code);
    // totp_last_step stays: a code of the old secret's steps is never
    // accepted again, whatever the new secret.
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE accounts SET totp_secret = NULL, totp_pending_secret = NULL, updated_utc = ? "
        "WHERE id = ?",
        {NowUtc(ledger), found->id}));
    MAMORI_TRY(const auto ended, EndSessions(ledger, found->person_id, 0));
    return ledger.Record({actor, "account.totp_reset", "account", found->login,
                          Json{{"person", found->person_code},
                               {"login", found->login},
                               {"totp_enabled", false},
                               {"ended_sessions", ended}}
                              .dump()});
  });
}

Result<Account> GetAccount(Ledger& ledger, const std::string& person_code, const Options& options) {
  MAMORI_TRY_STATUS(ledger::CheckCode(person_code, "person"));
  MAMORI_TRY(const auto found, LoadAccount(ledger, "p.code = ?", {person_code}));
  if (!found) return NoAccount(person_code);
  MAMORI_TRY(const auto person, ledger::FindPerson(ledger, person_code));
  MAMORI_TRY(const auto standing, StandingOf(ledger, person, options));
  return ToAccount(ledger, *found, standing);
}

Result<std::vector<Account>> ListAccounts(Ledger& ledger, const Options& options) {
  MAMORI_TRY(const auto rows, ledger.Db().Query(std::string(kAccountSelect) + " ORDER BY p.code"));
  std::vector<Account> accounts;
  accounts.reserve(rows.size());
  for (const auto& row : rows) {
    const AccountRow account = AccountFromRow(row);
    MAMORI_TRY(const auto person, ledger::FindPerson(ledger, account.person_code));
    MAMORI_TRY(const auto standing, StandingOf(ledger, person, options));
    accounts.push_back(ToAccount(ledger, account, standing));
  }
  return accounts;
}

Result<SignInResult> SignIn(Ledger& reader, const WithWriter& with_writer,
                            const SignInInput& input, const Options& options) {
  MAMORI_TRY_STATUS(CheckSignInInput(input));
  // Made before the lookup, so the first unknown login is not slower.
  const std::string dummy = DummyHash(options.cost);
  MAMORI_TRY(const auto found, LoadAccount(reader, "a.login = ?", {input.login}));
  Standing standing;
  if (found) {
    MAMORI_TRY(const auto person, ledger::FindPerson(reader, found->person_code));
    MAMORI_TRY(standing, StandingOf(reader, person, options));
  }
  // Verified with no transaction open and no write connection held:
  // Argon2id takes a while and must hold up no one else. SignInKnown re-reads
  // the account inside the write transaction, so a lockout or a password
  // change made meanwhile by another connection is seen there.
  const bool verified = VerifyPassword(found ? found->password_hash : dummy, input.password);
  Attempt attempt{input,
                  options,
                  internal::Printable(input.remote_addr, kMaxRemoteAddrBytes),
                  internal::Printable(input.user_agent, kMaxUserAgentBytes),
                  found ? *found : AccountRow{},
                  verified && found.has_value(),
                  standing};
  SignInResult result;
  if (!found) {
    const std::string login = internal::Printable(input.login, kMaxAuditLoginBytes);
    MAMORI_TRY_STATUS(with_writer([&](Ledger& writer) -> Status {
      return writer.Change([&]() -> Status {
        return writer.Record({std::string(audit::kAnonymousActor), "auth.sign_in_failed", "account",
                              login,
                              Json{{"login", login},
                                   {"reason", "unknown_login"},
                                   {"remote_addr", attempt.remote_addr},
                                   {"user_agent", attempt.user_agent}}
                                  .dump()});
      });
    }));
    result.status = SignInStatus::kBadCredentials;
    return result;
  }
  MAMORI_TRY_STATUS(with_writer([&](Ledger& writer) -> Status {
    return writer.Change([&]() -> Status {
      result = SignInResult{};
      return SignInKnown(writer, attempt, result);
    });
  }));
  return result;
}

Result<SignInResult> SignIn(Ledger& ledger, const SignInInput& input, const Options& options) {
  return SignIn(
      ledger, [&ledger](const std::function<Status(Ledger&)>& change) { return change(ledger); },
      input, options);
}

Result<std::optional<SessionLookup>> LookUpSession(Ledger& ledger, std::string_view token,
                                                   const Options& options) {
  MAMORI_TRY(const auto session, OpenSession(ledger, token, options));
  if (!session) return std::optional<SessionLookup>();
  SessionLookup lookup;
  lookup.id = session->id;
  lookup.touch_due = session->last_seen_utc <= FormatUtc(ledger.Now() - kTouchEvery);
  lookup.session = ToSession(*session);
  lookup.session.csrf_token = internal::CsrfToken(token);  // derived, never stored
  return std::optional<SessionLookup>(std::move(lookup));
}

Status TouchSessions(Ledger& ledger, const std::vector<std::int64_t>& session_ids) {
  if (session_ids.empty()) return OkStatus();
  // No audit event: one per request would drown the log. Never backwards:
  // another connection may have touched the session later already.
  const std::string now = FormatUtc(ledger.Now());
  return ledger.Db().Transaction([&]() -> Status {
    for (const std::int64_t id : session_ids) {
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE sessions SET last_seen_utc = ? WHERE id = ? AND last_seen_utc < ?",
          {now, id, now}));
    }
    return OkStatus();
  });
}

Result<std::optional<Session>> FindSession(Ledger& ledger, std::string_view token,
                                           const Options& options) {
  MAMORI_TRY(auto lookup, LookUpSession(ledger, token, options));
  if (!lookup) return std::optional<Session>();
  if (lookup->touch_due) MAMORI_TRY_STATUS(TouchSessions(ledger, {lookup->id}));
  return std::optional<Session>(std::move(lookup->session));
}

Status SignOut(Ledger& ledger, std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return OkStatus();
  const std::string token_hash = internal::Sha256Hex(token);
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto rows,
               ledger.Db().Query(std::string(kSessionSelect) + " WHERE s.token_hash = ? AND "
                                                               "s.ended_utc IS NULL",
                                 {token_hash}));
    if (rows.empty()) return OkStatus();
    const std::int64_t id = rows[0].Int(0);
    const std::string now = NowUtc(ledger);
    MAMORI_TRY_STATUS(
        ledger.Db().Execute("UPDATE sessions SET ended_utc = ? WHERE id = ?", {now, id}));
    return ledger.Record({rows[0].Text(2), "auth.sign_out", "session", std::to_string(id),
                          Json{{"person", rows[0].Text(2)}, {"ended_utc", now}}.dump()});
  });
}

Status ChangePassword(Ledger& ledger, std::string_view token, std::string_view current,
                      std::string_view new_password, const Options& options,
                      std::string_view remote_addr, std::string_view user_agent) {
  MAMORI_TRY(const auto session, RequireSession(ledger, token, options));
  if (current.empty() || current.size() > kMaxPasswordBytes || !IsValidUtf8(current)) {
    return InputError("current_password", "現在のパスワードを正しく入力してください",
                      "current_password is empty, too long or not UTF-8");
  }
  MAMORI_TRY(const auto found, LoadAccount(ledger, "a.person_id = ?", {session.person_id}));
  if (!found) return NoAccount(session.person_code);
  const AccountRow& account = *found;
  // Argon2id outside the transaction, as in SignIn.
  const bool current_ok = VerifyPassword(account.password_hash, current);
  if (!current_ok) {
    // Counts as a failed sign-in: a stolen session must not become a way to
    // guess the password without lockout (6.2(1)②). Should it lock the
    // account, the session that did it ends with the person's others.
    const SignInInput none;
    Attempt attempt{none,
                    options,
                    internal::Printable(remote_addr, kMaxRemoteAddrBytes),
                    internal::Printable(user_agent, kMaxUserAgentBytes),
                    account,
                    false,
                    {}};
    MAMORI_TRY(const auto person, ledger::FindPerson(ledger, account.person_code));
    MAMORI_TRY(attempt.standing, StandingOf(ledger, person, options));
    SignInResult outcome;
    MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
      MAMORI_TRY(const auto reread, LoadAccount(ledger, "a.id = ?", {account.id}));
      if (!reread) return NoAccount(account.person_code);
      MAMORI_TRY_STATUS(CountFailure(ledger, attempt, *reread, account.person_code,
                                     "bad_current_password", SignInStatus::kBadCredentials,
                                     "auth.password_change_failed", outcome));
      if (outcome.status != SignInStatus::kLocked) return OkStatus();
      MAMORI_TRY(const auto ended, EndSessions(ledger, account.person_id, 0));
      (void)ended;
      return OkStatus();
    }));
    return InputError("current_password", "現在のパスワードが正しくありません",
                      "current_password is wrong");
  }
  MAMORI_TRY(const auto owner, ledger::FindPerson(ledger, account.person_code));
  MAMORI_TRY_STATUS(CheckNewPassword(Passwords(ledger), session.privileged,
                                     {account.login, owner.name, owner.email}, new_password));
  MAMORI_TRY(const auto recent, RecentHashes(ledger, account));
  for (const auto& hash : recent) {
    if (VerifyPassword(hash, new_password)) {
      const std::string history = std::to_string(std::max(Passwords(ledger).history, 0));
      return InputError(
          "new_password",
          "現在のパスワード及び過去" + history + "世代のパスワードは再利用できません（5.4(2)）",
          "new_password must differ from the current password and the last " + history +
              " previous ones (5.4(2))");
    }
  }
  const std::string hash = HashPassword(new_password, options.cost);
  if (hash.empty()) return HashFailed();
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto reread, LoadAccount(ledger, "a.id = ?", {account.id}));
    if (!reread || reread->password_hash != account.password_hash) {
      return InputError("current_password",
                        "パスワードが同時に変更されました。もう一度やり直してください",
                        "the password was changed meanwhile; try again");
    }
    const std::string now = NowUtc(ledger);
    MAMORI_TRY_STATUS(PushHistory(ledger, account));
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE accounts SET password_hash = ?, temporary = 0, password_changed_utc = ?, "
        "failed_count = 0, updated_utc = ? WHERE id = ?",
        {hash, now, now, account.id}));
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE sessions SET must_change_password = 0 WHERE id = ?", {session.id}));
    // Whoever else holds a session of this person held it with the old password.
    MAMORI_TRY(const auto ended, EndSessions(ledger, account.person_id, session.id));
    return ledger.Record({account.person_code, "auth.password_change", "account", account.login,
                          Json{{"person", account.person_code},
                               {"login", account.login},
                               {"password_changed_utc", now},
                               {"temporary", false},
                               {"ended_sessions", ended},
                               {"clause", "5.4(2)"}}
                              .dump()});
  });
}

Result<TotpSetup> BeginTotp(Ledger& ledger, std::string_view token, const Options& options) {
  MAMORI_TRY(const auto session, RequireSession(ledger, token, options));
  TotpSetup setup;
  setup.secret = NewTotpSecret();
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto found, LoadAccount(ledger, "a.person_id = ?", {session.person_id}));
    if (!found) return NoAccount(session.person_code);
    // Sealed inside the transaction: a rotation running meanwhile (in
    // another process) either saw this value or made the key it is sealed with.
    MAMORI_TRY(const std::string sealed,
               SealTotpSecret(ledger, *found, kTotpPendingColumn, setup.secret));
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE accounts SET totp_pending_secret = ?, updated_utc = ? WHERE id = ?",
        {sealed, NowUtc(ledger), found->id}));
    setup.otpauth_uri = OtpauthUri("mamori-" + ledger.Profile().id, found->login, setup.secret);
    return ledger.Record(
        {found->person_code, "auth.totp_begin", "account", found->login,
         Json{{"person", found->person_code}, {"login", found->login}, {"session", session.id}}
             .dump()});
  }));
  return setup;
}

Status EnableTotp(Ledger& ledger, std::string_view token, std::string_view code,
                  const Options& options) {
  MAMORI_TRY(const auto session, RequireSession(ledger, token, options));
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto found, LoadAccount(ledger, "a.person_id = ?", {session.person_id}));
    if (!found) return NoAccount(session.person_code);
    if (found->totp_pending_secret.empty()) {
      return InputError("code", "先に確認コードの登録を開始してください",
                        "no TOTP enrolment begun (call BeginTotp first)");
    }
    MAMORI_TRY(std::string secret, OpenTotpSecret(ledger, *found, kTotpPendingColumn));
    const auto step = MatchTotp(secret, code, UnixSeconds(ledger));
    if (!step || *step <= found->totp_last_step) {
      internal::Wipe(secret);
      return InputError("code",
                        "確認コードが正しくありません（認証アプリの6桁の数字を入力してください）",
                        "code does not match the new TOTP secret");
    }
    // Sealed again: the column is part of the associated data.
    auto sealed = SealTotpSecret(ledger, *found, kTotpSecretColumn, secret);
    internal::Wipe(secret);
    if (!sealed.Ok()) return sealed.Err();
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE accounts SET totp_secret = ?, totp_pending_secret = NULL, "
        "totp_last_step = ?, updated_utc = ? WHERE id = ?",
        {*sealed, *step, NowUtc(ledger), found->id}));
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE sessions SET must_enroll_totp = 0, mfa_done = 1 WHERE id = ?", {session.id}));
    return ledger.Record({found->person_code, "auth.totp_enable", "account", found->login,
                          Json{{"person", found->person_code},
                               {"login", found->login},
                               {"totp_enabled", true},
                               {"session", session.id}}
                              .dump()});
  });
}

}  // namespace mamori::auth
