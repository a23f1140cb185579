#include "auth/password.h"

#include <gtest/gtest.h>

#include "auth/password_dictionary.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace mamori::auth {
namespace {

constexpr std::size_t kTenKib = 10240;  // a pasted file, not a password
// 128 bytes that pass every check.
const std::string kExactly128 = [] {
  std::string text;
  while (text.size() < 126) text += "Kaikei-2026-Zeimu!";
  text.resize(126);
  return text + "xy";
}();

policy::PasswordPolicy BasePolicy() {
  // policies/base.toml [passwords].
  policy::PasswordPolicy policy;
  policy.min_length = 12;
  policy.history = 5;
  policy.privileged_min_length = 16;
  return policy;
}

std::vector<std::string> Keys(const Error& error) {
  std::vector<std::string> keys;
  for (const auto& diagnostic : error.Diagnostics()) keys.push_back(diagnostic.where.key);
  return keys;
}

std::string AllJa(const Error& error) {
  std::string text;
  for (const auto& diagnostic : error.Diagnostics()) text += diagnostic.message_ja + "\n";
  return text;
}

TEST(PasswordTest, Argon2idHashVerifies) {
  const std::string hash = HashPassword("Correct-horse-1", HashCost::Fast());
  ASSERT_FALSE(hash.empty());
  EXPECT_EQ(hash.rfind("$argon2id$v=19$", 0), 0u) << hash;
  EXPECT_TRUE(VerifyPassword(hash, "Correct-horse-1"));
  EXPECT_FALSE(VerifyPassword(hash, "Correct-horse-2"));
  EXPECT_FALSE(VerifyPassword(hash, ""));
  // A random salt each time.
  EXPECT_NE(HashPassword("Correct-horse-1", HashCost::Fast()), hash);
  EXPECT_FALSE(VerifyPassword("", "Correct-horse-1"));
  EXPECT_FALSE(VerifyPassword("not a hash", "Correct-horse-1"));
  EXPECT_FALSE(VerifyPassword(std::string(1000, '$'), "Correct-horse-1"));
}

// Many callers at once all get their own answer: hashing is queued on the
// few hashing threads, not run by each caller.
TEST(PasswordTest, ManyCallersAtOnceEachGetTheirOwnAnswer) {
  constexpr std::size_t kCallers = 24;
  std::vector<std::string> hashes(kCallers);
  std::vector<int> verified(kCallers, -1), rejected(kCallers, -1);
  std::vector<std::thread> callers;
  for (std::size_t i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      const std::string password = "Kyoto-" + std::to_string(i) + "-Gion!";
      hashes[i] = HashPassword(password, HashCost::Fast());
      verified[i] = VerifyPassword(hashes[i], password) ? 1 : 0;
      rejected[i] = VerifyPassword(hashes[i], password + "x") ? 1 : 0;
    });
  }
  for (auto& caller : callers) caller.join();
  std::set<std::string> distinct(hashes.begin(), hashes.end());
  EXPECT_EQ(distinct.size(), kCallers);
  for (std::size_t i = 0; i < kCallers; ++i) {
    EXPECT_EQ(verified[i], 1) << i;
    EXPECT_EQ(rejected[i], 0) << i;
  }
}

TEST(PasswordTest, DefaultCostIsInteractive) {
  const std::string hash = HashPassword("Correct-horse-1", HashCost{});
  EXPECT_NE(hash.find("$m=65536,t=2,"), std::string::npos) << hash;
  EXPECT_TRUE(VerifyPassword(hash, "Correct-horse-1"));
}

TEST(PasswordTest, TemporaryPasswordsAreUnambiguousAndMixed) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string password = GenerateTemporaryPassword();
    ASSERT_EQ(password.size(), 16u);
    EXPECT_EQ(password.find_first_of("0O1lI"), std::string::npos) << password;
    EXPECT_NE(password.find_first_of("ABCDEFGHJKLMNPQRSTUVWXYZ"), std::string::npos);
    EXPECT_NE(password.find_first_of("abcdefghijkmnopqrstuvwxyz"), std::string::npos);
    EXPECT_NE(password.find_first_of("23456789"), std::string::npos);
    EXPECT_TRUE(CheckNewPassword(BasePolicy(), true, {"s1", "佐藤 花子", ""}, password).Ok()) << password;
    seen.insert(password);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(PasswordTest, NewPasswordMeetsFiveFourTwo) {
  const auto policy = BasePolicy();
  EXPECT_TRUE(CheckNewPassword(policy, false, {"s1", "", ""}, "Zeimu-Kaikei26").Ok());
  EXPECT_TRUE(CheckNewPassword(policy, false, {"s1", "", ""}, "correct horse battery").Ok());  // space
  EXPECT_TRUE(CheckNewPassword(policy, true, {"c1", "", ""}, "Kaikei-Zeimu-2026!").Ok());
  // Characters, not bytes: 10 kana (30 bytes) and 2 digits are 12 characters.
  EXPECT_TRUE(CheckNewPassword(policy, false, {"s1", "", ""}, "ぜいむかかりのかぎや12").Ok());
  EXPECT_FALSE(CheckNewPassword(policy, false, {"s1", "", ""}, "ぜいむかかりのかぎや1").Ok());

  auto short_one = CheckNewPassword(policy, false, {"s1", "", ""}, "Zeimu-Kaik2");
  ASSERT_FALSE(short_one.Ok());
  EXPECT_EQ(short_one.Err().Code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Keys(short_one.Err()), std::vector<std::string>{"new_password"});
  EXPECT_NE(AllJa(short_one.Err()).find("12文字以上"), std::string::npos) << AllJa(short_one.Err());
  EXPECT_NE(AllJa(short_one.Err()).find("11文字です"), std::string::npos);
  EXPECT_NE(AllJa(short_one.Err()).find("5.4(2)"), std::string::npos);

  // 6.2(1)③: privileged IDs need privileged_min_length.
  auto privileged = CheckNewPassword(policy, true, {"c1", "", ""}, "Zeimu-Kaikei26");
  ASSERT_FALSE(privileged.Ok());
  EXPECT_NE(AllJa(privileged.Err()).find("特権IDのパスワードは16文字以上"), std::string::npos)
      << AllJa(privileged.Err());

  for (const char* one_kind : {"abcdefghijklmnop", "1234567890123", "!#$%&'()*+,-./"}) {
    auto result = CheckNewPassword(policy, false, {"s1", "", ""}, one_kind);
    ASSERT_FALSE(result.Ok()) << one_kind;
    EXPECT_NE(AllJa(result.Err()).find("2種類以上"), std::string::npos) << one_kind;
  }

  auto with_login = CheckNewPassword(policy, false, {"tanaka", "", ""}, "my-TANAKA-password");
  ASSERT_FALSE(with_login.Ok());
  EXPECT_NE(AllJa(with_login.Err()).find("ログインID"), std::string::npos);

  // Every problem at once.
  auto many = CheckNewPassword(policy, false, {"abc", "", ""}, "abc");
  ASSERT_FALSE(many.Ok());
  EXPECT_EQ(Keys(many.Err()),
            (std::vector<std::string>{"new_password", "new_password", "new_password"}));
}

TEST(PasswordTest, NewPasswordBadInput) {
  const auto policy = BasePolicy();
  for (const std::string& bad :
       {std::string(), std::string(129, 'a') + "1", std::string(kTenKib, 'x'),
        std::string("Zeimu-Kaikei26\xff"), std::string("Zeimu-Kaikei26\n"),
        std::string("Zeimu-Kaikei26\xc2\x85")}) {
    auto result = CheckNewPassword(policy, false, {"s1", "", ""}, bad);
    ASSERT_FALSE(result.Ok()) << bad.size();
    EXPECT_EQ(result.Err().Headline().where.key, "new_password");
    EXPECT_FALSE(result.Err().Headline().message_en.empty());
  }
  EXPECT_NE(CheckNewPassword(policy, false, {"s1", "", ""}, std::string(kTenKib, 'x'))
                .Err()
                .Headline()
                .message_ja.find("128バイト以内"),
            std::string::npos);
  // Exactly 128 bytes is accepted.
  EXPECT_TRUE(CheckNewPassword(policy, false, {"s1", "", ""}, kExactly128).Ok());
}

std::string AllEn(const Error& error) {
  std::string text;
  for (const auto& diagnostic : error.Diagnostics()) text += diagnostic.message_en + "\n";
  return text;
}

// The examples, with the defaults of policies/base.toml.
TEST(PasswordStrengthTest, WeakPasswordsAreRefusedAndNamed) {
  const auto policy = BasePolicy();
  ASSERT_TRUE(policy.reject_login_or_name);
  ASSERT_TRUE(policy.dictionary_check);
  ASSERT_EQ(policy.max_repeat_run, 3);
  const PasswordOwner owner{"s1", "佐藤 花子", "sato.hanako@city.hannan.lg.jp"};
  struct Case {
    const char* password;
    const char* rule;  // the key named in the English message
  };
  for (const Case& weak : {
           Case{"abcdefghijkl1", "max_repeat_run"},
           Case{"password1234", "dictionary_check"},
           Case{"P@ssw0rd-2026", "dictionary_check"},
           Case{"Welcome2026!!", "dictionary_check"},
           Case{"qwerty-123456", "dictionary_check"},
           Case{"zzzz-Kaikei-2026", "max_repeat_run"},
           Case{"Kaikei-9876-Zeimu", "max_repeat_run"},
           Case{"Zeimu-s1-Kaikei!", "reject_login_or_name"},
           Case{"Sato-Kaikei-2026", "reject_login_or_name"},    // e-mail's "sato"
           Case{"hanako-Zeimu-2026", "reject_login_or_name"},   // e-mail's "hanako"
           Case{"佐藤のかぎ-Zeimu26", "reject_login_or_name"},   // the name itself
       }) {
    auto result = CheckNewPassword(policy, false, owner, weak.password);
    ASSERT_FALSE(result.Ok()) << weak.password;
    EXPECT_EQ(result.Err().Code(), ErrorCode::kInvalidArgument);
    const std::string en = AllEn(result.Err());
    const std::string ja = AllJa(result.Err());
    EXPECT_NE(en.find(weak.rule), std::string::npos) << weak.password << "\n" << en;
    EXPECT_NE(ja.find(weak.rule), std::string::npos) << weak.password << "\n" << ja;
    EXPECT_NE(ja.find("5.4(2)"), std::string::npos) << ja;
    // The password itself is never quoted back.
    EXPECT_EQ(en.find(weak.password), std::string::npos) << en;
    EXPECT_EQ(ja.find(weak.password), std::string::npos) << ja;
    for (const auto& key : Keys(result.Err())) EXPECT_EQ(key, "new_password");
  }
  for (const char* strong : {"Kaikei-2026-Zeimu!", "Tokken-Kanri-2026-Pass!", "Correct-horse-battery-1",
                             "Mizu-no-Tsuki-47-hikari", "xK9#mQ2$vL7p-Tw"}) {
    auto result = CheckNewPassword(policy, false, owner, strong);
    EXPECT_TRUE(result.Ok()) << strong << "\n" << (result.Ok() ? "" : AllJa(result.Err()));
  }
}

TEST(PasswordStrengthTest, EachRuleCanBeTurnedOffByTheProfile) {
  auto policy = BasePolicy();
  const PasswordOwner owner{"s1", "佐藤 花子", ""};
  policy.max_repeat_run = 0;
  EXPECT_TRUE(CheckNewPassword(policy, false, owner, "Zeimu-aaaaa-2026").Ok());
  policy.max_repeat_run = 5;
  EXPECT_TRUE(CheckNewPassword(policy, false, owner, "Zeimu-aaaaa-2026").Ok());
  EXPECT_FALSE(CheckNewPassword(policy, false, owner, "Zeimu-aaaaaa-2026").Ok());
  policy.dictionary_check = false;
  EXPECT_TRUE(CheckNewPassword(policy, false, owner, "password-2026!").Ok());
  policy.dictionary_check = true;
  EXPECT_FALSE(CheckNewPassword(policy, false, owner, "password-2026!").Ok());
  policy.reject_login_or_name = false;
  EXPECT_TRUE(CheckNewPassword(policy, false, owner, "Zeimu-s1-Kaikei!").Ok());
}

TEST(PasswordStrengthTest, RunsCountOnlyConsecutiveCharacters) {
  auto policy = BasePolicy();
  policy.dictionary_check = false;  // the patterns alone
  const PasswordOwner owner{"s1", "", ""};
  EXPECT_TRUE(CheckNewPassword(policy, false, owner, "abc-Zeimu-789-xyz").Ok());   // runs of 3
  EXPECT_FALSE(CheckNewPassword(policy, false, owner, "abcd-Zeimu-2026").Ok());
  EXPECT_FALSE(CheckNewPassword(policy, false, owner, "Zeimu-DCBA-2026").Ok());    // descending
  EXPECT_FALSE(CheckNewPassword(policy, false, owner, "Zeimu-aBcD-2026").Ok());    // any case
  EXPECT_FALSE(CheckNewPassword(policy, false, owner, "Zeimu-1111-Kai").Ok());
  EXPECT_FALSE(CheckNewPassword(policy, false, owner, "Zeimu-ああああ-26").Ok());  // not ASCII too
  EXPECT_TRUE(CheckNewPassword(policy, false, owner, "Zeimu-aab-bcc-26").Ok());
}

TEST(PasswordStrengthTest, AMissingDictionaryIsAnErrorNotAPass) {
  auto missing = PasswordDictionary::Open("/nonexistent/mamori/cracklib_dict");
  ASSERT_FALSE(missing.Ok());
  EXPECT_EQ(missing.Err().Code(), ErrorCode::kNotFound);
  const auto& headline = missing.Err().Headline();
  EXPECT_NE(headline.message_ja.find("/nonexistent/mamori/cracklib_dict.pwd"), std::string::npos);
  EXPECT_NE(headline.message_ja.find("cracklib-runtime"), std::string::npos);
  EXPECT_NE(headline.message_en.find("cracklib-runtime"), std::string::npos);
  // The installed one opens (scripts/install-deps.sh installs it).
  auto installed = SharedDictionary();
  ASSERT_TRUE(installed.Ok()) << installed.Err().ToString();
  EXPECT_TRUE((*installed)->Check("password", "s1", "").has_value());
  EXPECT_FALSE((*installed)->Check("Kaikei-2026-Zeimu!", "s1", "").has_value());
  EXPECT_TRUE(CheckPasswordDictionary(BasePolicy()).Ok());
}

TEST(PasswordTest, RequiredLength) {
  auto policy = BasePolicy();
  EXPECT_EQ(RequiredLength(policy, false), 12);
  EXPECT_EQ(RequiredLength(policy, true), 16);
  policy.privileged_min_length = 0;
  EXPECT_EQ(RequiredLength(policy, true), 12);
  policy.min_length = 0;
  EXPECT_EQ(RequiredLength(policy, false), 1);
}

}  // namespace
}  // namespace mamori::auth
