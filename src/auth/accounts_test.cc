#include "auth/accounts.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "audit/audit_key.h"
#include "audit/audit_log.h"
#include "auth/secrets.h"
#include "auth/totp.h"
#include "ledger/org.h"
#include "ledger/test_support.h"
#include "ledger/workflow/violations.h"

namespace mamori::auth {
namespace {

using Json = nlohmann::json;
using std::chrono::days;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kGood = "Correct-horse-battery-1";  // long enough for privileged IDs
constexpr std::size_t kTenKib = 10240;                    // a pasted file, not a password
constexpr const char* kOther = "Another-good-passphrase-2";

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(MAMORI_SOURCE_DIR "/policies/hannan.toml"); }

  // A ledger on `profile`, with the test organization.
  void Open(const std::string& profile) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ledger_.reset();
    ledger_ =
        std::make_unique<ledger::testing::TempLedger>(std::string("auth_") + info->name(), profile);
    ledger::testing::SeedOrganization(**ledger_);
    options_.cost = HashCost::Fast();
    // The key file mamori init makes beside the audit key (secrets.h).
    ASSERT_TRUE(CreateSecretKeyFile(SecretKeyFile(**ledger_)).Ok());
  }

  // hannan.toml with `passwords` (TOML lines) in place of its [passwords] keys.
  std::string ProfileWith(const std::string& passwords) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const auto path = std::filesystem::temp_directory_path() /
                      (std::string("mamori_auth_profile_") + info->name() + ".toml");
    std::ofstream out(path);
    out << "[profile]\nid = \"authtest\"\nextends = \"" MAMORI_SOURCE_DIR
           "/policies/hannan.toml\"\nformat = 1\n\n[passwords]\n"
        << passwords << "\n";
    profiles_.push_back(path);
    return path.string();
  }

  void TearDown() override {
    ledger_.reset();
    for (const auto& path : profiles_) std::filesystem::remove(path);
  }

  ledger::Ledger& L() { return **ledger_; }
  FixedClock& Clock() { return ledger_->clock(); }
  std::int64_t Seq() { return *L().Audit().LastSeq(); }
  std::vector<audit::Event> Events() { return *L().Audit().Events("", ""); }
  std::vector<audit::Event> Events(const std::string& action) {
    std::vector<audit::Event> matching;
    for (auto& event : Events()) {
      if (event.action == action) matching.push_back(std::move(event));
    }
    return matching;
  }
  audit::Event LastEvent() { return Events().back(); }

  SignInResult Sign(const std::string& login, const std::string& password,
                    const std::string& totp = "") {
    auto result = SignIn(L(), {login, password, totp, "192.0.2.7", "Test-Agent/1.0"}, options_);
    EXPECT_TRUE(result.Ok()) << result.Err().ToString();
    return result.Ok() ? *result : SignInResult{};
  }
  Account Get(const std::string& code) {
    auto account = GetAccount(L(), code, options_);
    EXPECT_TRUE(account.Ok()) << account.Err().ToString();
    return account.Ok() ? *account : Account{};
  }
  std::optional<Session> Find(const std::string& token) {
    auto session = FindSession(L(), token, options_);
    EXPECT_TRUE(session.Ok()) << session.Err().ToString();
    return session.Ok() ? *session : std::nullopt;
  }

  // An account for `code` whose password is `password` (temporary one
  // changed), signed out.
  void Activate(const std::string& code, const std::string& password = kGood) {
    auto temporary = CreateAccount(L(), "system", code, options_);
    ASSERT_TRUE(temporary.Ok()) << temporary.Err().ToString();
    temporaries_[code] = *temporary;
    const auto first = Sign(code, *temporary);
    ASSERT_EQ(first.status, SignInStatus::kOk);
    auto changed = ChangePassword(L(), first.session.token, *temporary, password, options_);
    ASSERT_TRUE(changed.Ok()) << changed.Err().ToString();
    ASSERT_TRUE(SignOut(L(), first.session.token).Ok());
  }

  // Enrols TOTP for `code` (signed in with `password`); returns the secret.
  std::string EnrolTotp(const std::string& code, const std::string& password = kGood) {
    const auto signed_in = Sign(code, password);
    EXPECT_EQ(signed_in.status, SignInStatus::kOk);
    auto setup = BeginTotp(L(), signed_in.session.token, options_);
    EXPECT_TRUE(setup.Ok()) << setup.Err().ToString();
    const auto code_now = TotpCode(setup->secret, Now());
    EXPECT_TRUE(EnableTotp(L(), signed_in.session.token, *code_now, options_).Ok());
    EXPECT_TRUE(SignOut(L(), signed_in.session.token).Ok());
    return setup->secret;
  }

  std::int64_t Now() { return Clock().Now().time_since_epoch().count(); }

  // The chain verifies, and no event holds any of `secrets`.
  void ExpectAuditSound(const std::vector<std::string>& secrets) {
    ASSERT_TRUE(L().Checkpoint().Ok());
    auto key = audit::ReadVerifyingKey(ledger_->paths().key);
    ASSERT_TRUE(key.Ok());
    auto report = audit::Verify(L().Db(), *key, ledger_->paths().checkpoints);
    ASSERT_TRUE(report.Ok()) << report.Err().ToString();
    EXPECT_TRUE(report->ok) << report->problem_en;
    for (const auto& event : Events()) {
      EXPECT_EQ(event.state.find("$argon2id"), std::string::npos) << event.action;
      for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        EXPECT_EQ(event.state.find(secret), std::string::npos) << event.action;
        EXPECT_EQ(event.object_id.find(secret), std::string::npos) << event.action;
      }
    }
  }

  std::unique_ptr<ledger::testing::TempLedger> ledger_;
  Options options_;
  std::map<std::string, std::string> temporaries_;
  std::vector<std::filesystem::path> profiles_;
};

TEST_F(AuthTest, PrivilegeAndMfaFollowTheRoles) {
  auto roles = [&](const std::string& code) {
    auto person = ledger::FindPerson(L(), code);
    return *ledger::RolesOf(L(), *person, ledger::TodayJst(L()));
  };
  EXPECT_TRUE(IsPrivileged(roles("c1")));
  EXPECT_TRUE(IsPrivileged(roles("d1")));
  EXPECT_TRUE(IsPrivileged(roles("x1")));
  EXPECT_FALSE(IsPrivileged(roles("s1")));
  EXPECT_FALSE(IsPrivileged(roles("m1")));
  EXPECT_FALSE(IsPrivileged(roles("k1")));

  auto mfa = [&](const std::string& code, const std::string& segment) {
    Options options = options_;
    options.segment = segment;
    return *MfaRequired(L(), *ledger::FindPerson(L(), code), options);
  };
  EXPECT_TRUE(mfa("c1", "lgwan"));  // mfa_roles (and privileged)
  EXPECT_TRUE(mfa("x1", "lgwan"));
  EXPECT_FALSE(mfa("s1", "lgwan"));
  EXPECT_FALSE(mfa("o1", "lgwan"));
  EXPECT_TRUE(mfa("s1", "mynumber"));  // 3(1)②ア: mfa_segments
}

TEST_F(AuthTest, CreateAccountHandsOutATemporaryPassword) {
  const auto seq = Seq();
  auto temporary = CreateAccount(L(), "c1", "s1", options_);
  ASSERT_TRUE(temporary.Ok()) << temporary.Err().ToString();
  EXPECT_EQ(temporary->size(), 16u);
  EXPECT_EQ(Seq(), seq + 1);
  const auto event = LastEvent();
  EXPECT_EQ(event.action, "account.create");
  EXPECT_EQ(event.actor, "c1");
  EXPECT_EQ(event.object_type, "account");
  EXPECT_EQ(event.object_id, "s1");
  EXPECT_EQ(Json::parse(event.state)["temporary"], true);

  const auto account = Get("s1");
  EXPECT_EQ(account.login, "s1");
  EXPECT_TRUE(account.temporary);
  EXPECT_FALSE(account.locked);
  EXPECT_FALSE(account.totp_enabled);
  EXPECT_FALSE(account.privileged);
  EXPECT_FALSE(account.mfa_required);
  EXPECT_FALSE(account.password_expired);
  EXPECT_EQ(account.password_changed_utc, "2026-12-01T01:00:00Z");

  auto again = CreateAccount(L(), "c1", "s1", options_);
  ASSERT_FALSE(again.Ok());
  EXPECT_EQ(again.Err().Headline().where.key, "person");
  auto nobody = CreateAccount(L(), "c1", "zz9", options_);
  ASSERT_FALSE(nobody.Ok());
  EXPECT_EQ(nobody.Err().Code(), ErrorCode::kNotFound);
  EXPECT_EQ(nobody.Err().Headline().where.key, "person");
  EXPECT_FALSE(GetAccount(L(), "s2", options_).Ok());
  EXPECT_EQ(GetAccount(L(), "s2", options_).Err().Code(), ErrorCode::kNotFound);
  EXPECT_EQ(Seq(), seq + 1);

  ASSERT_TRUE(CreateAccount(L(), "c1", "m1", options_).Ok());
  auto all = ListAccounts(L(), options_);
  ASSERT_TRUE(all.Ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].person_code, "m1");
  EXPECT_EQ((*all)[1].person_code, "s1");
  ExpectAuditSound({*temporary});
}

TEST_F(AuthTest, TemporaryPasswordMustBeChangedAtFirstSignIn) {
  const auto temporary = *CreateAccount(L(), "system", "s1", options_);
  const auto first = Sign("s1", temporary);
  ASSERT_EQ(first.status, SignInStatus::kOk);
  EXPECT_TRUE(first.session.must_change_password);  // 5.4(2)
  EXPECT_FALSE(first.session.must_enroll_totp);
  const auto& token = first.session.token;

  // Wrong current password, weak new ones, the temporary one again.
  auto wrong = ChangePassword(L(), token, "Not-the-password-9", kGood, options_);
  ASSERT_FALSE(wrong.Ok());
  EXPECT_EQ(wrong.Err().Headline().where.key, "current_password");
  EXPECT_EQ(LastEvent().action, "auth.password_change_failed");
  EXPECT_EQ(Get("s1").failed_count, 1);
  auto weak = ChangePassword(L(), token, temporary, "short1", options_);
  ASSERT_FALSE(weak.Ok());
  EXPECT_EQ(weak.Err().Headline().where.key, "new_password");
  EXPECT_NE(weak.Err().Headline().message_ja.find("12文字以上"), std::string::npos);
  auto same = ChangePassword(L(), token, temporary, temporary, options_);
  ASSERT_FALSE(same.Ok());
  EXPECT_EQ(same.Err().Headline().where.key, "new_password");
  EXPECT_NE(same.Err().Headline().message_ja.find("再利用"), std::string::npos);

  ASSERT_TRUE(ChangePassword(L(), token, temporary, kGood, options_).Ok());
  const auto event = LastEvent();
  EXPECT_EQ(event.action, "auth.password_change");
  EXPECT_EQ(event.actor, "s1");
  EXPECT_FALSE(Find(token)->must_change_password);
  EXPECT_FALSE(Get("s1").temporary);
  EXPECT_EQ(Get("s1").failed_count, 0);

  ASSERT_TRUE(SignOut(L(), token).Ok());
  EXPECT_EQ(Sign("s1", temporary).status, SignInStatus::kBadCredentials);
  const auto second = Sign("s1", kGood);
  ASSERT_EQ(second.status, SignInStatus::kOk);
  EXPECT_FALSE(second.session.must_change_password);
  ExpectAuditSound({temporary, kGood, token, second.session.token});
}

TEST_F(AuthTest, TemporaryPasswordMayStayWhenTheProfileSaysSo) {
  Open(ProfileWith("temporary_must_change = false"));
  const auto temporary = *CreateAccount(L(), "system", "s1", options_);
  const auto first = Sign("s1", temporary);
  ASSERT_EQ(first.status, SignInStatus::kOk);
  EXPECT_FALSE(first.session.must_change_password);
}

TEST_F(AuthTest, SignInOkOpensASession) {
  Activate("s1");
  const auto seq = Seq();
  const auto result = Sign("s1", kGood);
  ASSERT_EQ(result.status, SignInStatus::kOk);
  const auto& session = result.session;
  EXPECT_GE(session.token.size(), 43u);  // 32 bytes, base64url
  EXPECT_GE(session.csrf_token.size(), 43u);
  EXPECT_NE(session.token, session.csrf_token);
  EXPECT_EQ(session.person_code, "s1");
  EXPECT_EQ(session.created_utc, "2026-12-01T01:00:00Z");
  EXPECT_EQ(session.expires_utc, "2026-12-01T11:00:00Z");  // session_hours = 10
  EXPECT_FALSE(session.privileged);
  EXPECT_FALSE(session.must_change_password);
  EXPECT_FALSE(session.must_enroll_totp);
  EXPECT_FALSE(session.mfa_done);

  EXPECT_EQ(Seq(), seq + 1);
  const auto event = LastEvent();
  EXPECT_EQ(event.action, "auth.sign_in");
  EXPECT_EQ(event.actor, "s1");
  EXPECT_EQ(event.object_type, "session");
  const auto state = Json::parse(event.state);
  EXPECT_EQ(state["remote_addr"], "192.0.2.7");
  EXPECT_EQ(state["user_agent"], "Test-Agent/1.0");

  const auto found = Find(session.token);
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->token.empty());
  EXPECT_EQ(found->person_code, "s1");
  EXPECT_EQ(found->csrf_token, session.csrf_token);
  EXPECT_FALSE(Find(session.csrf_token).has_value());
  EXPECT_FALSE(Find("").has_value());
  EXPECT_FALSE(Find(std::string(10000, 'a')).has_value());

  // The token itself is stored nowhere, nor the CSRF token (derived, 0008).
  auto rows = L().Db().Query("SELECT * FROM sessions");
  ASSERT_TRUE(rows.Ok());
  for (const auto& row : *rows) {
    for (std::size_t i = 0; i < row.Size(); ++i) {
      EXPECT_NE(row.Text(i), session.token);
      EXPECT_NE(row.Text(i), session.csrf_token);
    }
  }
  ExpectAuditSound({kGood, session.token, session.csrf_token});
}

TEST_F(AuthTest, FailuresAreAuditedUnknownLoginsToo) {
  Activate("s1");
  auto bad = Sign("s1", "Wrong-password-123");
  EXPECT_EQ(bad.status, SignInStatus::kBadCredentials);
  EXPECT_TRUE(bad.session.token.empty());
  auto event = LastEvent();
  EXPECT_EQ(event.action, "auth.sign_in_failed");
  // Whoever typed s1's login is not known to be s1: the account is the object.
  EXPECT_EQ(event.actor, "anonymous");
  EXPECT_EQ(event.object_id, "s1");
  EXPECT_EQ(Json::parse(event.state)["reason"], "bad_password");
  EXPECT_EQ(Json::parse(event.state)["failed_count"], 1);
  EXPECT_EQ(Get("s1").failed_count, 1);

  EXPECT_EQ(Sign("nobody", kGood).status, SignInStatus::kBadCredentials);
  event = LastEvent();
  EXPECT_EQ(event.action, "auth.sign_in_failed");
  EXPECT_EQ(event.actor, "anonymous");
  EXPECT_EQ(event.object_id, "nobody");
  EXPECT_EQ(Json::parse(event.state)["reason"], "unknown_login");

  // An unknown login is recorded cut to 64 bytes, on a character boundary.
  const std::string long_login = "x" + std::string(32, 'y') + "ログイン名がとても長い";
  EXPECT_EQ(Sign(long_login, kGood).status, SignInStatus::kBadCredentials);
  event = LastEvent();
  EXPECT_EQ(event.object_id.size(), 63u);  // 66 bytes: the 11th kana would be cut
  EXPECT_EQ(long_login.rfind(event.object_id, 0), 0u);

  // A successful sign-in resets the count.
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kOk);
  EXPECT_EQ(Get("s1").failed_count, 0);
  ExpectAuditSound({kGood, "Wrong-password-123"});
}

TEST_F(AuthTest, LockoutAfterThresholdAndExpiry) {
  Activate("s1");
  // hannan (base): lockout_threshold = 5, lockout_minutes = 30 (6.2(1)②).
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(Sign("s1", "Wrong-password-123").status, SignInStatus::kBadCredentials) << i;
  }
  EXPECT_TRUE(Events("auth.lockout").empty());
  const auto fifth = Sign("s1", "Wrong-password-123");
  EXPECT_EQ(fifth.status, SignInStatus::kLocked);
  EXPECT_EQ(fifth.locked_until, "2026-12-01T01:30:00Z");
  const auto lockouts = Events("auth.lockout");
  ASSERT_EQ(lockouts.size(), 1u);
  EXPECT_EQ(lockouts[0].actor, "anonymous");
  EXPECT_EQ(lockouts[0].object_id, "s1");
  EXPECT_EQ(Json::parse(lockouts[0].state)["threshold"], 5);
  EXPECT_EQ(Json::parse(lockouts[0].state)["clause"], "6.2(1)②");
  EXPECT_TRUE(Get("s1").locked);
  EXPECT_EQ(Get("s1").locked_until, "2026-12-01T01:30:00Z");

  // Locked: even the right password is refused, and that is audited.
  const auto seq = Seq();
  const auto right = Sign("s1", kGood);
  EXPECT_EQ(right.status, SignInStatus::kLocked);
  EXPECT_TRUE(right.session.token.empty());
  EXPECT_EQ(Seq(), seq + 1);
  EXPECT_EQ(Json::parse(LastEvent().state)["reason"], "locked");

  Clock().Advance(minutes(29));
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kLocked);
  Clock().Advance(minutes(1));
  EXPECT_FALSE(Get("s1").locked);
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kOk);
  EXPECT_EQ(Get("s1").failed_count, 0);
  // The count starts afresh after a lockout ran out.
  EXPECT_EQ(Sign("s1", "Wrong-password-123").status, SignInStatus::kBadCredentials);
  EXPECT_EQ(Get("s1").failed_count, 1);
  ExpectAuditSound({kGood});
}

TEST_F(AuthTest, PrivilegedIdsLockSooner) {
  Activate("c1");
  // privileged_lockout_threshold = 3 (6.2(1)③).
  EXPECT_EQ(Sign("c1", "Wrong-password-123").status, SignInStatus::kBadCredentials);
  EXPECT_EQ(Sign("c1", "Wrong-password-123").status, SignInStatus::kBadCredentials);
  EXPECT_EQ(Sign("c1", "Wrong-password-123").status, SignInStatus::kLocked);
  const auto lockouts = Events("auth.lockout");
  ASSERT_EQ(lockouts.size(), 1u);
  EXPECT_EQ(Json::parse(lockouts[0].state)["threshold"], 3);
  EXPECT_EQ(Json::parse(lockouts[0].state)["privileged"], true);
  EXPECT_EQ(Json::parse(lockouts[0].state)["clause"], "6.2(1)③");
  EXPECT_TRUE(Get("c1").privileged);
  EXPECT_EQ(Sign("c1", kGood).status, SignInStatus::kLocked);
}

TEST_F(AuthTest, LockoutUntilAnAdministratorUnlocks) {
  Open(ProfileWith("lockout_minutes = 0\nlockout_threshold = 2"));
  Activate("s1");
  EXPECT_EQ(Sign("s1", "Wrong-password-123").status, SignInStatus::kBadCredentials);
  const auto locked = Sign("s1", "Wrong-password-123");
  EXPECT_EQ(locked.status, SignInStatus::kLocked);
  EXPECT_EQ(locked.locked_until, kLockedUntilUnlocked);
  Clock().Advance(days(30));
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kLocked);
  EXPECT_EQ(Get("s1").locked_until, kLockedUntilUnlocked);

  ASSERT_TRUE(Unlock(L(), "c1", "s1").Ok());
  const auto event = LastEvent();
  EXPECT_EQ(event.action, "account.unlock");
  EXPECT_EQ(event.actor, "c1");
  EXPECT_FALSE(Get("s1").locked);
  EXPECT_EQ(Get("s1").failed_count, 0);
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kOk);
  EXPECT_EQ(Unlock(L(), "c1", "s2").Err().Code(), ErrorCode::kNotFound);
  ExpectAuditSound({kGood});
}

TEST_F(AuthTest, ResetPasswordUnlocksAndEndsSessions) {
  Activate("s1");
  const auto open = Sign("s1", kGood);
  for (int i = 0; i < 5; ++i) (void)Sign("s1", "Wrong-password-123");
  EXPECT_TRUE(Get("s1").locked);

  auto temporary = ResetPassword(L(), "c1", "s1", options_);
  ASSERT_TRUE(temporary.Ok()) << temporary.Err().ToString();
  const auto event = LastEvent();
  EXPECT_EQ(event.action, "account.reset");
  EXPECT_EQ(Json::parse(event.state)["ended_sessions"], 1);
  EXPECT_FALSE(Find(open.session.token).has_value());
  EXPECT_FALSE(Get("s1").locked);
  EXPECT_TRUE(Get("s1").temporary);
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kBadCredentials);
  const auto again = Sign("s1", *temporary);
  ASSERT_EQ(again.status, SignInStatus::kOk);
  EXPECT_TRUE(again.session.must_change_password);
  // The password before the reset is history now (5.4(2) 再利用禁止).
  auto reuse = ChangePassword(L(), again.session.token, *temporary, kGood, options_);
  ASSERT_FALSE(reuse.Ok());
  EXPECT_EQ(reuse.Err().Headline().where.key, "new_password");
  EXPECT_TRUE(ChangePassword(L(), again.session.token, *temporary, kOther, options_).Ok());
  EXPECT_EQ(ResetPassword(L(), "c1", "s2", options_).Err().Code(), ErrorCode::kNotFound);
  ExpectAuditSound({*temporary, kGood, kOther});
}

TEST_F(AuthTest, HistoryRefusesTheLastPasswords) {
  // history = 5: the current password and the five before it are refused.
  const std::vector<std::string> passwords{"History-pass-00", "History-pass-01", "History-pass-02",
                                           "History-pass-03", "History-pass-04", "History-pass-05",
                                           "History-pass-06"};
  Activate("s1", passwords[0]);
  const auto session = Sign("s1", passwords[0]);
  ASSERT_EQ(session.status, SignInStatus::kOk);
  const auto& token = session.session.token;
  for (std::size_t i = 1; i < passwords.size(); ++i) {
    ASSERT_TRUE(ChangePassword(L(), token, passwords[i - 1], passwords[i], options_).Ok()) << i;
  }
  // Current: 06; history: 01..05 (00 and the temporary one have dropped out).
  for (std::size_t i = 1; i < passwords.size(); ++i) {
    auto refused = ChangePassword(L(), token, passwords[6], passwords[i], options_);
    ASSERT_FALSE(refused.Ok()) << i;
    EXPECT_EQ(refused.Err().Headline().where.key, "new_password");
    EXPECT_NE(refused.Err().Headline().message_ja.find("過去5世代"), std::string::npos);
  }
  ASSERT_TRUE(ChangePassword(L(), token, passwords[6], passwords[0], options_).Ok());
  auto kept = L().Db().QueryInt("SELECT count(*) FROM password_history");
  EXPECT_EQ(*kept, 5);
  ExpectAuditSound(passwords);
}

TEST_F(AuthTest, PasswordExpiresAfterMaxAgeDays) {
  Activate("s1");
  Activate("c1");
  // max_age_days = 180; privileged_max_age_days = 90 (6.2(1)③).
  Clock().Advance(days(89));
  EXPECT_FALSE(Sign("s1", kGood).session.must_change_password);
  EXPECT_FALSE(Sign("c1", kGood).session.must_change_password);
  Clock().Advance(days(1));
  EXPECT_FALSE(Sign("s1", kGood).session.must_change_password);
  EXPECT_TRUE(Get("c1").password_expired);
  const auto privileged = Sign("c1", kGood);
  ASSERT_EQ(privileged.status, SignInStatus::kOk);
  EXPECT_TRUE(privileged.session.must_change_password);
  Clock().Advance(days(90));
  EXPECT_TRUE(Get("s1").password_expired);
  const auto ordinary = Sign("s1", kGood);
  EXPECT_TRUE(ordinary.session.must_change_password);
  ASSERT_TRUE(ChangePassword(L(), ordinary.session.token, kGood, kOther, options_).Ok());
  EXPECT_FALSE(Find(ordinary.session.token)->must_change_password);
  EXPECT_FALSE(Get("s1").password_expired);
}

TEST_F(AuthTest, SessionsEndWhenIdleOrOld) {
  Activate("s1");
  const auto token = Sign("s1", kGood).session.token;
  Clock().Advance(minutes(29));
  EXPECT_TRUE(Find(token).has_value());  // and touched
  Clock().Advance(minutes(29));
  EXPECT_TRUE(Find(token).has_value());
  Clock().Advance(minutes(30));
  EXPECT_FALSE(Find(token).has_value());  // idle_minutes = 30

  // The absolute limit: session_hours = 10, however busy.
  const auto busy = Sign("s1", kGood).session;
  for (int i = 0; i < 29; ++i) {
    Clock().Advance(minutes(20));
    EXPECT_TRUE(Find(busy.token).has_value()) << i;
  }
  Clock().Advance(minutes(20));  // 600 minutes
  EXPECT_FALSE(Find(busy.token).has_value());
}

TEST_F(AuthTest, TouchingIsNotAudited) {
  Activate("s1");
  const auto token = Sign("s1", kGood).session.token;
  const auto seq = Seq();
  for (int i = 0; i < 10; ++i) {
    Clock().Advance(seconds(90));
    EXPECT_TRUE(Find(token).has_value());
  }
  EXPECT_EQ(Seq(), seq);
  auto last_seen = L().Db().QueryOne("SELECT last_seen_utc FROM sessions WHERE ended_utc IS NULL");
  EXPECT_EQ(last_seen->Text(0), FormatUtc(Clock().Now()));
}

TEST_F(AuthTest, PrivilegedSessionsAreLimited) {
  Activate("c1");
  const auto session = Sign("c1", kGood).session;
  EXPECT_TRUE(session.privileged);
  EXPECT_EQ(session.expires_utc, "2026-12-01T02:00:00Z");  // 60 minutes (6.2(3))
  Clock().Advance(minutes(25));
  EXPECT_TRUE(Find(session.token).has_value());
  Clock().Advance(minutes(25));
  EXPECT_TRUE(Find(session.token).has_value());
  Clock().Advance(minutes(10));
  EXPECT_FALSE(Find(session.token).has_value());
}

TEST_F(AuthTest, SignOutEndsTheSession) {
  Activate("s1");
  const auto token = Sign("s1", kGood).session.token;
  ASSERT_TRUE(Find(token).has_value());
  const auto seq = Seq();
  ASSERT_TRUE(SignOut(L(), token).Ok());
  EXPECT_EQ(Seq(), seq + 1);
  EXPECT_EQ(LastEvent().action, "auth.sign_out");
  EXPECT_EQ(LastEvent().actor, "s1");
  EXPECT_EQ(LastEvent().object_type, "session");
  EXPECT_FALSE(Find(token).has_value());
  // Again, or an unknown token: nothing to do, nothing recorded.
  ASSERT_TRUE(SignOut(L(), token).Ok());
  ASSERT_TRUE(SignOut(L(), "no-such-token").Ok());
  ASSERT_TRUE(SignOut(L(), std::string(10000, 'a')).Ok());
  EXPECT_EQ(Seq(), seq + 1);
  EXPECT_FALSE(ChangePassword(L(), token, kGood, kOther, options_).Ok());
  EXPECT_EQ(ChangePassword(L(), token, kGood, kOther, options_).Err().Headline().where.key,
            "session");
}

TEST_F(AuthTest, MfaRoleNeedsTotp) {
  Activate("c1");
  // No TOTP yet: signed in, but only to enrol (6.2(1)②③).
  const auto enrol = Sign("c1", kGood);
  ASSERT_EQ(enrol.status, SignInStatus::kOk);
  EXPECT_TRUE(enrol.session.must_enroll_totp);
  EXPECT_FALSE(enrol.session.mfa_done);
  EXPECT_TRUE(Get("c1").mfa_required);
  EXPECT_FALSE(Get("c1").totp_enabled);
  EXPECT_FALSE(EnableTotp(L(), enrol.session.token, "123456", options_).Ok());  // not begun

  auto setup = BeginTotp(L(), enrol.session.token, options_);
  ASSERT_TRUE(setup.Ok()) << setup.Err().ToString();
  EXPECT_EQ(setup->otpauth_uri.rfind("otpauth://totp/mamori-hannan:c1?secret=" + setup->secret, 0),
            0u)
      << setup->otpauth_uri;
  EXPECT_EQ(LastEvent().action, "auth.totp_begin");
  EXPECT_FALSE(Get("c1").totp_enabled);  // pending only
  const std::string code = *TotpCode(setup->secret, Now());
  const std::string wrong = code == "000000" ? "111111" : "000000";
  auto refused = EnableTotp(L(), enrol.session.token, wrong, options_);
  ASSERT_FALSE(refused.Ok());
  EXPECT_EQ(refused.Err().Headline().where.key, "code");
  ASSERT_TRUE(EnableTotp(L(), enrol.session.token, code, options_).Ok());
  EXPECT_EQ(LastEvent().action, "auth.totp_enable");
  EXPECT_TRUE(Get("c1").totp_enabled);
  const auto enrolled = Find(enrol.session.token);
  EXPECT_FALSE(enrolled->must_enroll_totp);
  EXPECT_TRUE(enrolled->mfa_done);
  ASSERT_TRUE(SignOut(L(), enrol.session.token).Ok());

  // Without a code, with a wrong one, with the one just used (same step).
  EXPECT_EQ(Sign("c1", kGood).status, SignInStatus::kTotpRequired);
  EXPECT_EQ(Json::parse(LastEvent().state)["reason"], "totp_required");
  EXPECT_EQ(Get("c1").failed_count, 0);  // not a failure
  EXPECT_EQ(Sign("c1", kGood, wrong).status, SignInStatus::kTotpInvalid);
  EXPECT_EQ(Json::parse(LastEvent().state)["reason"], "totp_invalid");
  EXPECT_EQ(Get("c1").failed_count, 1);  // a failure
  EXPECT_EQ(Sign("c1", kGood, code).status, SignInStatus::kTotpInvalid);
  EXPECT_EQ(Json::parse(LastEvent().state)["reason"], "totp_reused");
  // A wrong password with the right code is still a wrong password.
  Clock().Advance(seconds(30));
  const std::string next = *TotpCode(setup->secret, Now());
  EXPECT_EQ(Sign("c1", "Wrong-password-123", next).status, SignInStatus::kLocked);  // 3rd failure
  ASSERT_TRUE(Unlock(L(), "x1", "c1").Ok());

  const auto ok = Sign("c1", kGood, next);
  ASSERT_EQ(ok.status, SignInStatus::kOk);
  EXPECT_TRUE(ok.session.mfa_done);
  EXPECT_FALSE(ok.session.must_enroll_totp);
  EXPECT_EQ(Sign("c1", kGood, next).status, SignInStatus::kTotpInvalid);  // same step twice
  Clock().Advance(seconds(30));
  EXPECT_EQ(Sign("c1", kGood, *TotpCode(setup->secret, Now())).status, SignInStatus::kOk);
  // The previous step's code is within the window but older than the last
  // accepted one.
  EXPECT_EQ(Sign("c1", kGood, next).status, SignInStatus::kTotpInvalid);
  ExpectAuditSound({kGood, setup->secret, enrol.session.token, ok.session.token});
}

TEST_F(AuthTest, EnrolledStaffNeedTheCodeToo) {
  Activate("s1");
  const auto secret = EnrolTotp("s1");
  EXPECT_FALSE(Get("s1").mfa_required);
  EXPECT_TRUE(Get("s1").totp_enabled);
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kTotpRequired);
  Clock().Advance(seconds(30));
  EXPECT_EQ(Sign("s1", kGood, *TotpCode(secret, Now())).status, SignInStatus::kOk);

  // A lost device: the administrator removes it; the person's sessions end.
  const auto open = Sign("s1", kGood, *TotpCode(secret, Now() + 30)).session.token;
  ASSERT_TRUE(Find(open).has_value());
  ASSERT_TRUE(ResetTotp(L(), "c1", "s1").Ok());
  EXPECT_EQ(LastEvent().action, "account.totp_reset");
  EXPECT_FALSE(Find(open).has_value());
  EXPECT_FALSE(Get("s1").totp_enabled);
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kOk);
  ExpectAuditSound({secret});
}

TEST_F(AuthTest, SegmentMayRequireMfa) {
  Activate("s1");
  EXPECT_FALSE(Sign("s1", kGood).session.must_enroll_totp);
  options_.segment = "mynumber";  // 3(1)②ア
  const auto result = Sign("s1", kGood);
  ASSERT_EQ(result.status, SignInStatus::kOk);
  EXPECT_TRUE(result.session.must_enroll_totp);
  EXPECT_TRUE(Get("s1").mfa_required);
}

TEST_F(AuthTest, PeopleNotActiveCannotSignIn) {
  Activate("s1");
  Activate("s2");
  const auto open = Sign("s2", kGood).session.token;
  ASSERT_TRUE(Find(open).has_value());

  // 7.6④: a suspension ends the use of the system at once.
  ASSERT_TRUE(ledger::workflow::SuspendPerson(L(), "c1", "s2", "指導後も改善なし", 0).Ok());
  EXPECT_FALSE(Find(open).has_value());
  EXPECT_EQ(Sign("s2", kGood).status, SignInStatus::kNotActive);
  EXPECT_EQ(Json::parse(LastEvent().state)["reason"], "suspended");
  // Only after the right password: a wrong one is a wrong one.
  EXPECT_EQ(Sign("s2", "Wrong-password-123").status, SignInStatus::kBadCredentials);
  ASSERT_TRUE(ledger::workflow::RestorePerson(L(), "c1", "s2", "改善を確認").Ok());
  EXPECT_EQ(Sign("s2", kGood).status, SignInStatus::kOk);

  // Employment ended.
  ASSERT_TRUE(ledger::EndPerson(L(), "system", "s1", "2026-11-30").Ok());
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kNotActive);
  EXPECT_EQ(Json::parse(LastEvent().state)["reason"], "not_employed");
  EXPECT_FALSE(CreateAccount(L(), "system", "s1", options_).Ok());
}

TEST_F(AuthTest, BadInputIsAnErrorAndChangesNothing) {
  Activate("s1");
  const auto seq = Seq();
  struct Case {
    SignInInput input;
    const char* field;
  };
  const Case cases[] = {
      {{"", kGood, "", "", ""}, "login"},
      {{std::string(300, 's'), kGood, "", "", ""}, "login"},
      {{"s1\xff", kGood, "", "", ""}, "login"},
      {{"s1\n", kGood, "", "", ""}, "login"},
      {{"s1", "", "", "", ""}, "password"},
      {{"s1", std::string(kTenKib, 'x'), "", "", ""}, "password"},
      {{"s1", "Correct\xff\xfe", "", "", ""}, "password"},
      {{"s1", kGood, std::string(100, '1'), "", ""}, "totp"},
      {{"s1", kGood, "12\xff", "", ""}, "totp"},
  };
  for (const auto& [input, field] : cases) {
    auto result = SignIn(L(), input, options_);
    ASSERT_FALSE(result.Ok()) << field;
    EXPECT_EQ(result.Err().Code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.Err().Headline().where.key, field);
    EXPECT_FALSE(result.Err().Headline().message_ja.empty());
  }
  EXPECT_EQ(Seq(), seq);
  EXPECT_EQ(Get("s1").failed_count, 0);

  // Outside text that is only recorded is cut, not refused.
  auto odd =
      SignIn(L(), {"s1", kGood, "", "192.0.2.1\n", std::string(1000, 'u') + "\xff"}, options_);
  ASSERT_TRUE(odd.Ok());
  const auto state = Json::parse(LastEvent().state);
  EXPECT_EQ(state["remote_addr"], "192.0.2.1");
  EXPECT_EQ(state["user_agent"].get<std::string>().size(), 256u);

  // Administrative calls name the bad field.
  EXPECT_EQ(CreateAccount(L(), "", "s2", options_).Err().Headline().where.key, "actor");
  EXPECT_EQ(CreateAccount(L(), "c1", "s2'; --", options_).Err().Headline().where.key, "person");
  const auto token = odd->session.token;
  auto huge = ChangePassword(L(), token, kGood, std::string(kTenKib, 'x'), options_);
  ASSERT_FALSE(huge.Ok());
  EXPECT_EQ(huge.Err().Headline().where.key, "new_password");
  auto huge_current = ChangePassword(L(), token, std::string(kTenKib, 'x'), kOther, options_);
  ASSERT_FALSE(huge_current.Ok());
  EXPECT_EQ(huge_current.Err().Headline().where.key, "current_password");
  auto not_utf8 = ChangePassword(L(), token, kGood, "Abcdefghij12\xff", options_);
  ASSERT_FALSE(not_utf8.Ok());
  EXPECT_EQ(not_utf8.Err().Headline().where.key, "new_password");
  EXPECT_EQ(Get("s1").failed_count, 0);
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kOk);
}

TEST_F(AuthTest, EveryOutcomeIsInTheAuditLog) {
  Activate("s1");
  const auto before = Events().size();
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kOk);
  EXPECT_EQ(Sign("nobody", kGood).status, SignInStatus::kBadCredentials);
  for (int i = 0; i < 5; ++i) (void)Sign("s1", "Wrong-password-123");
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kLocked);
  const auto events = Events();
  std::vector<std::string> actions;
  for (auto i = before; i < events.size(); ++i) actions.push_back(events[i].action);
  EXPECT_EQ(actions, (std::vector<std::string>{
                         "auth.sign_in", "auth.sign_in_failed", "auth.sign_in_failed",
                         "auth.sign_in_failed", "auth.sign_in_failed", "auth.sign_in_failed",
                         "auth.sign_in_failed", "auth.lockout", "auth.sign_in_failed"}));
  ExpectAuditSound({kGood, temporaries_["s1"]});
}

TEST_F(AuthTest, AccountsSurviveAReopen) {
  Activate("s1");
  const auto token = Sign("s1", kGood).session.token;
  ledger_->Reopen();
  EXPECT_TRUE(Find(token).has_value());
  EXPECT_EQ(Sign("s1", kGood).status, SignInStatus::kOk);
}

}  // namespace
}  // namespace mamori::auth
