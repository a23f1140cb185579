// Secrets at rest over a real ledger: the database file alone yields no TOTP
// secret; rotation, interrupted rotation, a missing or wrong key file, an
// upgrade from plaintext (docs/auth.md "Secrets at rest").
#include "auth/secrets.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "auth/accounts.h"
#include "auth/totp.h"
#include "storage/open.h"
#include "ledger/test_support.h"

namespace mamori::auth {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kGood = "Correct-horse-battery-1";

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("MAMORI_SECRET_KEY_FILE");
    ledger_ = std::make_unique<ledger::testing::TempLedger>(
        std::string("secrets_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ledger::testing::SeedOrganization(**ledger_);
    options_.cost = HashCost::Fast();
    ASSERT_TRUE(CreateSecretKeyFile(KeyFile()).Ok());
  }

  ledger::Ledger& L() { return **ledger_; }
  std::string KeyFile() { return SecretKeyFile(L()); }
  std::int64_t Now() { return ledger_->clock().Now().time_since_epoch().count(); }

  SignInResult Sign(const std::string& login, const std::string& password,
                    const std::string& totp = "") {
    auto result = SignIn(L(), {login, password, totp, "192.0.2.7", "Test"}, options_);
    EXPECT_TRUE(result.Ok()) << result.Err().ToString();
    return result.Ok() ? *result : SignInResult{};
  }

  void Activate(const std::string& code) {
    auto temporary = CreateAccount(L(), "system", code, options_);
    ASSERT_TRUE(temporary.Ok()) << temporary.Err().ToString();
    const auto first = Sign(code, *temporary);
    ASSERT_EQ(first.status, SignInStatus::kOk);
    auto changed = ChangePassword(L(), first.session.token, *temporary, kGood, options_);
    ASSERT_TRUE(changed.Ok()) << changed.Err().ToString();
    ASSERT_TRUE(SignOut(L(), first.session.token).Ok());
  }

  // Enrols TOTP for `code`; returns the secret (base32).
  std::string Enrol(const std::string& code) {
    Activate(code);
    const auto signed_in = Sign(code, kGood);
    EXPECT_EQ(signed_in.status, SignInStatus::kOk);
    auto setup = BeginTotp(L(), signed_in.session.token, options_);
    EXPECT_TRUE(setup.Ok()) << setup.Err().ToString();
    EXPECT_TRUE(
        EnableTotp(L(), signed_in.session.token, *TotpCode(setup->secret, Now()), options_).Ok());
    EXPECT_TRUE(SignOut(L(), signed_in.session.token).Ok());
    return setup->secret;
  }

  // Signs in with the password and the current code, a step later than the
  // last one used.
  SignInStatus SignInWithTotp(const std::string& code, const std::string& secret) {
    ledger_->clock().Advance(std::chrono::seconds(kTotpStepSeconds));
    return Sign(code, kGood, *TotpCode(secret, Now())).status;
  }

  // Every value of every column of every table, as text.
  std::vector<std::string> EveryValue(const std::string& database) {
    auto db = storage::Open(database, {.read_only = true});
    EXPECT_TRUE(db.Ok()) << db.Err().ToString();
    std::vector<std::string> values;
    auto tables = (*db)->Query(
        (*db)->Engine() == "sqlite"
            ? "SELECT name FROM sqlite_master WHERE type = 'table'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()");
    EXPECT_TRUE(tables.Ok());
    for (const auto& table : *tables) {
      auto rows = (*db)->Query("SELECT * FROM \"" + table.Text(0) + "\"");
      EXPECT_TRUE(rows.Ok()) << table.Text(0);
      for (const auto& row : *rows) {
        for (std::size_t i = 0; i < row.Size(); ++i) values.push_back(row.Text(i));
      }
    }
    return values;
  }

  // No form of any of `secrets` is in the database: not in any value of any
  // table, not in the bytes of the file, its WAL or its shared memory.
  void ExpectNoSecretIn(const std::string& database, const std::vector<std::string>& secrets) {
    std::vector<std::string> forms;
    for (const auto& secret : secrets) {
      forms.push_back(secret);
      std::string lower = secret;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      forms.push_back(lower);
      const auto raw = Base32Decode(secret);
      ASSERT_TRUE(raw.has_value());
      forms.push_back(*raw);
    }
    const auto values = EveryValue(database);
    EXPECT_GT(values.size(), 100u);  // the organization, accounts, events, ...
    for (const auto& value : values) {
      for (const auto& form : forms) {
        EXPECT_EQ(value.find(form), std::string::npos) << "a secret in the value: " << value;
      }
    }
    for (const std::string suffix : {"", "-wal", "-shm"}) {
      const fs::path file = database + suffix;
      if (!fs::exists(file)) continue;
      const std::string bytes = ReadBytes(file);
      for (const auto& form : forms) {
        EXPECT_EQ(bytes.find(form), std::string::npos) << "a secret in the bytes of " << file;
      }
    }
  }

  std::vector<audit::Event> Events(const std::string& action) {
    std::vector<audit::Event> found;
    auto all = L().Audit().Events("", "");
    for (auto& event : *all) {
      if (event.action == action) found.push_back(std::move(event));
    }
    return found;
  }

  std::unique_ptr<ledger::testing::TempLedger> ledger_;
  Options options_;
};

TEST_F(SecretsTest, TheDatabaseAloneYieldsNoTotpSecret) {
  std::vector<std::string> secrets{Enrol("s1"), Enrol("c1"), Enrol("x1")};
  // One enrolment begun and not finished: its pending secret is sealed too.
  Activate("s2");
  const auto signed_in = Sign("s2", kGood);
  auto pending = BeginTotp(L(), signed_in.session.token, options_);
  ASSERT_TRUE(pending.Ok());
  secrets.push_back(pending->secret);
  auto stored = L().Db().Query(
      "SELECT totp_secret, totp_pending_secret FROM accounts WHERE totp_secret IS NOT NULL OR "
      "totp_pending_secret IS NOT NULL");
  ASSERT_EQ(stored->size(), 4u);
  for (const auto& row : *stored) {
    for (std::size_t i = 0; i < 2; ++i) {
      if (!row.IsNull(i)) {
        EXPECT_TRUE(IsSealed(row.Text(i))) << row.Text(i);
      }
    }
  }
  // While the ledger is open (WAL in use) and after it is closed.
  ExpectNoSecretIn(ledger_->paths().database, secrets);
  ledger_->Close();
  ExpectNoSecretIn(ledger_->paths().database, secrets);
}

TEST_F(SecretsTest, CsrfTokensAreDerivedNotStored) {
  Activate("s1");
  const auto signed_in = Sign("s1", kGood);
  ASSERT_FALSE(signed_in.session.csrf_token.empty());
  auto found = FindSession(L(), signed_in.session.token, options_);
  ASSERT_TRUE(found.Ok() && found->has_value());
  EXPECT_EQ((*found)->csrf_token, signed_in.session.csrf_token);
  EXPECT_FALSE(L().Db().Query("SELECT csrf_token FROM sessions").Ok());  // no such column
  for (const auto& value : EveryValue(ledger_->paths().database)) {
    EXPECT_EQ(value.find(signed_in.session.csrf_token), std::string::npos);
    EXPECT_EQ(value.find(signed_in.session.token), std::string::npos);
  }
  // Another session, another token.
  const auto other = Sign("s1", kGood);
  EXPECT_NE(other.session.csrf_token, signed_in.session.csrf_token);
}

TEST_F(SecretsTest, RotationKeepsEverySignInWorking) {
  const std::map<std::string, std::string> secrets{
      {"s1", Enrol("s1")}, {"c1", Enrol("c1")}, {"x1", Enrol("x1")}};
  const auto old_ring = KeyRing::Read(KeyFile());
  ASSERT_TRUE(old_ring.Ok());
  const std::string old_file = ReadBytes(KeyFile());

  auto rotated = RotateKeys(L(), "system");
  ASSERT_TRUE(rotated.Ok()) << rotated.Err().ToString();
  EXPECT_EQ(rotated->resealed, 3);
  EXPECT_EQ(rotated->retired_key_ids, std::vector<std::string>{old_ring->PrimaryId()});
  const auto new_ring = KeyRing::Read(KeyFile());
  ASSERT_TRUE(new_ring.Ok());
  EXPECT_EQ(new_ring->Ids(), std::vector<std::string>{rotated->new_key_id});
  struct stat info {};
  ASSERT_EQ(::stat(KeyFile().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto status = GetSecretsStatus(L());
  ASSERT_TRUE(status.Ok());
  EXPECT_EQ(status->sealed_by.at(rotated->new_key_id), 3);
  EXPECT_EQ(status->plaintext, 0);
  for (const auto& [code, secret] : secrets) {
    EXPECT_EQ(SignInWithTotp(code, secret), SignInStatus::kOk) << code;
  }

  // One audit event, naming the key ids and holding no key material.
  const auto events = Events("keys.rotate");
  ASSERT_EQ(events.size(), 1u);
  const Json state = Json::parse(events[0].state);
  EXPECT_EQ(state["new_key_id"], rotated->new_key_id);
  EXPECT_EQ(state["resealed"], 3);
  const std::string new_file = ReadBytes(KeyFile());
  for (const std::string* file : {&old_file, &new_file}) {
    std::istringstream lines(*file);
    std::string word;
    while (lines >> word) {
      if (word.size() >= 40) {  // a key's base64
        const auto all = L().Audit().Events("", "");
        for (const auto& event : *all) {
          EXPECT_EQ(event.state.find(word), std::string::npos) << event.action;
        }
      }
    }
  }
  // And again: keys can be rotated any number of times.
  ASSERT_TRUE(RotateKeys(L(), "system").Ok());
  for (const auto& [code, secret] : secrets) {
    EXPECT_EQ(SignInWithTotp(code, secret), SignInStatus::kOk) << code;
  }
}

TEST_F(SecretsTest, AnInterruptedRotationLeavesEverySecretReadable) {
  const std::map<std::string, std::string> secrets{
      {"s1", Enrol("s1")}, {"c1", Enrol("c1")}, {"x1", Enrol("x1")}};
  const std::string first_id = KeyRing::Read(KeyFile())->PrimaryId();
  const auto all_sign_in = [&] {
    for (const auto& [code, secret] : secrets) {
      EXPECT_EQ(SignInWithTotp(code, secret), SignInStatus::kOk) << code;
    }
  };
  const auto crash_at = [](std::string point_wanted, int after) {
    return RotateOptions{[point_wanted, after](std::string_view point, int count) -> Status {
      if (point == point_wanted && count >= after) {
        return Error(ErrorCode::kIo, "模擬障害", "simulated crash");
      }
      return OkStatus();
    }};
  };

  // Crash after the new key was added to the file.
  ASSERT_FALSE(RotateKeys(L(), "system", crash_at("key_added", 0)).Ok());
  EXPECT_EQ(KeyRing::Read(KeyFile())->Ids().size(), 2u);
  all_sign_in();

  // Crash in the middle of resealing: the transaction rolls back.
  ASSERT_FALSE(RotateKeys(L(), "system", crash_at("resealed", 2)).Ok());
  auto status = GetSecretsStatus(L());
  ASSERT_TRUE(status.Ok());
  EXPECT_EQ(status->key_ids.size(), 3u);
  EXPECT_EQ(status->sealed_by.at(first_id), 3);
  EXPECT_EQ(status->unreadable, 0);
  all_sign_in();
  EXPECT_TRUE(Events("keys.rotate").empty());

  // Crash after the commit, before the old keys are dropped.
  ASSERT_FALSE(RotateKeys(L(), "system", crash_at("committed", 0)).Ok());
  status = GetSecretsStatus(L());
  EXPECT_EQ(status->key_ids.size(), 4u);
  EXPECT_EQ(status->sealed_by.at(status->primary), 3);
  all_sign_in();
  EXPECT_EQ(Events("keys.rotate").size(), 1u);

  // Running it again completes: one key left, everything under it.
  auto done = RotateKeys(L(), "system");
  ASSERT_TRUE(done.Ok()) << done.Err().ToString();
  EXPECT_EQ(done->retired_key_ids.size(), 4u);
  status = GetSecretsStatus(L());
  EXPECT_EQ(status->key_ids, std::vector<std::string>{done->new_key_id});
  EXPECT_EQ(status->sealed_by.at(done->new_key_id), 3);
  all_sign_in();
}

TEST_F(SecretsTest, AMissingOrWrongKeyFileIsNamedAndDestroysNothing) {
  const std::string secret = Enrol("s1");
  const auto before = L().Db().QueryOne("SELECT totp_secret FROM accounts a JOIN people p ON "
                                        "p.id = a.person_id WHERE p.code = 's1'");
  ASSERT_TRUE(before.Ok());
  const std::string key_file = KeyFile();
  const std::string saved = key_file + ".saved";
  fs::rename(key_file, saved);

  // Missing.
  ledger_->clock().Advance(std::chrono::seconds(kTotpStepSeconds));
  auto sign_in = SignIn(L(), {"s1", kGood, *TotpCode(secret, Now()), "", ""}, options_);
  ASSERT_FALSE(sign_in.Ok());
  EXPECT_NE(sign_in.Err().Headline().message_ja.find(key_file), std::string::npos);
  EXPECT_NE(sign_in.Err().Headline().message_en.find(key_file), std::string::npos);
  auto prepared = PrepareSecrets(L(), "system");
  ASSERT_FALSE(prepared.Ok());
  EXPECT_EQ(prepared.Err().Code(), ErrorCode::kNotFound);
  EXPECT_NE(prepared.Err().Headline().message_ja.find(key_file), std::string::npos);
  EXPECT_FALSE(RotateKeys(L(), "system").Ok());
  EXPECT_FALSE(fs::exists(key_file));  // nothing made up in its place

  // Wrong: another ledger's key file.
  ASSERT_TRUE(CreateSecretKeyFile(key_file).Ok());
  auto wrong = PrepareSecrets(L(), "system");
  ASSERT_FALSE(wrong.Ok());
  EXPECT_NE(wrong.Err().Headline().message_ja.find(key_file), std::string::npos);
  EXPECT_NE(wrong.Err().Headline().message_en.find(SealedKeyId(before->Text(0))),
            std::string::npos);
  auto rotate = RotateKeys(L(), "system");
  ASSERT_FALSE(rotate.Ok());
  EXPECT_EQ(KeyRing::Read(key_file)->Ids().size(), 1u);  // refused before adding a key

  // Readable by others: refused like ssh.
  fs::remove(key_file);
  fs::rename(saved, key_file);
  ASSERT_EQ(::chmod(key_file.c_str(), 0644), 0);
  auto open_to_all = PrepareSecrets(L(), "system");
  ASSERT_FALSE(open_to_all.Ok());
  EXPECT_NE(open_to_all.Err().Headline().message_ja.find("chmod 600"), std::string::npos);
  ASSERT_EQ(::chmod(key_file.c_str(), 0600), 0);

  // Nothing was destroyed: the right file back, everything works.
  const auto after = L().Db().QueryOne("SELECT totp_secret FROM accounts a JOIN people p ON "
                                       "p.id = a.person_id WHERE p.code = 's1'");
  EXPECT_EQ(after->Text(0), before->Text(0));
  EXPECT_TRUE(PrepareSecrets(L(), "system").Ok());
  EXPECT_EQ(SignInWithTotp("s1", secret), SignInStatus::kOk);
}

TEST_F(SecretsTest, ACiphertextMovedToAnotherRowDoesNotOpen) {
  Enrol("s1");
  const std::string c1_secret = Enrol("c1");
  // Someone with write access to the database copies s1's sealed secret
  // over c1's, hoping c1 then accepts s1's codes.
  ASSERT_TRUE(L().Db()
                  .Execute("UPDATE accounts SET totp_secret = (SELECT totp_secret FROM accounts a "
                           "JOIN people p ON p.id = a.person_id WHERE p.code = 's1') WHERE "
                           "person_id = (SELECT id FROM people WHERE code = 'c1')")
                  .Ok());
  ledger_->clock().Advance(std::chrono::seconds(kTotpStepSeconds));
  auto sign_in = SignIn(L(), {"c1", kGood, *TotpCode(c1_secret, Now()), "", ""}, options_);
  EXPECT_FALSE(sign_in.Ok());
  EXPECT_FALSE(PrepareSecrets(L(), "system").Ok());
}

TEST_F(SecretsTest, AnOldDatabaseWithPlaintextIsSealedAndScrubbed) {
  // The file's pages and write-ahead log are SQLite's; a PostgreSQL
  // database (which never held the plaintext of 0007) has neither.
  if (L().Db().Engine() != "sqlite") GTEST_SKIP() << "SQLite's file only";
  const std::string s1 = Enrol("s1");
  const std::string c1 = Enrol("c1");
  // Make the file look as 0007 left it: plaintext base32 secrets, a stored
  // CSRF token, and 0008 not yet applied. The plaintext goes through the
  // WAL into the file's pages, as the old code wrote it.
  ASSERT_TRUE(L().Db()
                  .ExecuteScript("ALTER TABLE sessions ADD COLUMN csrf_token TEXT NOT NULL "
                                 "DEFAULT ''; DROP TABLE rate_limits; DROP TABLE risk_assessments; "
                                 "DROP TABLE findings; DROP TABLE assess_items; "
                                 "DROP TABLE assess_forms; DROP TABLE assess_campaigns;"
                                 "DELETE FROM schema_migrations WHERE version >= 8;")
                  .Ok());
  for (const auto& [code, secret] : {std::pair{"s1", s1}, std::pair{"c1", c1}}) {
    ASSERT_TRUE(L().Db()
                    .Execute("UPDATE accounts SET totp_secret = ? WHERE person_id = "
                             "(SELECT id FROM people WHERE code = ?)",
                             {secret, std::string(code)})
                    .Ok());
  }
  ASSERT_TRUE(L().Db().Query("PRAGMA wal_checkpoint(FULL)").Ok());
  ledger_->Close();
  ASSERT_NE(ReadBytes(ledger_->paths().database).find(s1), std::string::npos);  // the old state

  ledger_->Reopen();  // migrates: 0008 drops the CSRF column
  EXPECT_EQ(*L().Db().QueryInt("SELECT max(version) FROM schema_migrations"), 11);
  EXPECT_FALSE(L().Db().Query("SELECT csrf_token FROM sessions").Ok());  // no such column
  EXPECT_EQ(GetSecretsStatus(L())->plaintext, 2);
  auto sealed = PrepareSecrets(L(), "system");  // the first start of the server
  ASSERT_TRUE(sealed.Ok()) << sealed.Err().ToString();
  EXPECT_EQ(*sealed, 2);
  EXPECT_EQ(GetSecretsStatus(L())->plaintext, 0);
  const auto events = Events("keys.seal_plaintext");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Json::parse(events[0].state)["sealed"], 2);
  EXPECT_EQ(*PrepareSecrets(L(), "system"), 0);  // once
  EXPECT_EQ(SignInWithTotp("s1", s1), SignInStatus::kOk);
  EXPECT_EQ(SignInWithTotp("c1", c1), SignInStatus::kOk);
  ExpectNoSecretIn(ledger_->paths().database, {s1, c1});
  ledger_->Close();
  ExpectNoSecretIn(ledger_->paths().database, {s1, c1});
}

}  // namespace
}  // namespace mamori::auth
