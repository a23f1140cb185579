#include "auth/password.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mamori::auth {
namespace {

constexpr std::size_t kTenKib = 10240;  // a pasted file, not a password

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
    EXPECT_TRUE(CheckNewPassword(BasePolicy(), true, "s1", password).Ok()) << password;
    seen.insert(password);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(PasswordTest, NewPasswordMeetsFiveFourTwo) {
  const auto policy = BasePolicy();
  EXPECT_TRUE(CheckNewPassword(policy, false, "s1", "Abcdefghij12").Ok());
  EXPECT_TRUE(CheckNewPassword(policy, false, "s1", "correct horse battery").Ok());  // space
  EXPECT_TRUE(CheckNewPassword(policy, true, "c1", "Abcdefghij12-xyz").Ok());
  // Characters, not bytes: 10 kana (30 bytes) and 2 digits are 12 characters.
  EXPECT_TRUE(CheckNewPassword(policy, false, "s1", "パスワードパスワード12").Ok());
  EXPECT_FALSE(CheckNewPassword(policy, false, "s1", "パスワードパスワード1").Ok());

  auto short_one = CheckNewPassword(policy, false, "s1", "Abcdefghi12");
  ASSERT_FALSE(short_one.Ok());
  EXPECT_EQ(short_one.Err().Code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Keys(short_one.Err()), std::vector<std::string>{"new_password"});
  EXPECT_NE(AllJa(short_one.Err()).find("12文字以上"), std::string::npos) << AllJa(short_one.Err());
  EXPECT_NE(AllJa(short_one.Err()).find("11文字です"), std::string::npos);
  EXPECT_NE(AllJa(short_one.Err()).find("5.4(2)"), std::string::npos);

  // 6.2(1)③: privileged IDs need privileged_min_length.
  auto privileged = CheckNewPassword(policy, true, "c1", "Abcdefghij12");
  ASSERT_FALSE(privileged.Ok());
  EXPECT_NE(AllJa(privileged.Err()).find("特権IDのパスワードは16文字以上"), std::string::npos)
      << AllJa(privileged.Err());

  for (const char* one_kind : {"abcdefghijklmnop", "1234567890123", "!#$%&'()*+,-./"}) {
    auto result = CheckNewPassword(policy, false, "s1", one_kind);
    ASSERT_FALSE(result.Ok()) << one_kind;
    EXPECT_NE(AllJa(result.Err()).find("2種類以上"), std::string::npos) << one_kind;
  }

  auto with_login = CheckNewPassword(policy, false, "tanaka", "my-TANAKA-password");
  ASSERT_FALSE(with_login.Ok());
  EXPECT_NE(AllJa(with_login.Err()).find("ログインID"), std::string::npos);

  // Every problem at once.
  auto many = CheckNewPassword(policy, false, "abc", "abc");
  ASSERT_FALSE(many.Ok());
  EXPECT_EQ(Keys(many.Err()),
            (std::vector<std::string>{"new_password", "new_password", "new_password"}));
}

TEST(PasswordTest, NewPasswordBadInput) {
  const auto policy = BasePolicy();
  for (const std::string& bad :
       {std::string(), std::string(129, 'a') + "1", std::string(kTenKib, 'x'),
        std::string("Abcdefghij12\xff"), std::string("Abcdefghij12\n"),
        std::string("Abcdefghij12\xc2\x85")}) {
    auto result = CheckNewPassword(policy, false, "s1", bad);
    ASSERT_FALSE(result.Ok()) << bad.size();
    EXPECT_EQ(result.Err().Headline().where.key, "new_password");
    EXPECT_FALSE(result.Err().Headline().message_en.empty());
  }
  EXPECT_NE(CheckNewPassword(policy, false, "s1", std::string(kTenKib, 'x'))
                .Err()
                .Headline()
                .message_ja.find("128バイト以内"),
            std::string::npos);
  // Exactly 128 bytes is accepted.
  EXPECT_TRUE(CheckNewPassword(policy, false, "s1", std::string(127, 'a') + "1").Ok());
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
