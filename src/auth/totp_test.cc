#include "auth/totp.h"

#include <gtest/gtest.h>

#include <set>

namespace mamori::auth {
namespace {

// RFC 6238 Appendix B: the SHA-1 key is the ASCII "12345678901234567890".
constexpr std::string_view kRfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

TEST(TotpTest, Base32RoundTrip) {
  EXPECT_EQ(Base32Encode("12345678901234567890"), kRfcSecret);
  // RFC 4648 section 10 (without padding).
  EXPECT_EQ(Base32Encode(""), "");
  EXPECT_EQ(Base32Encode("f"), "MY");
  EXPECT_EQ(Base32Encode("fo"), "MZXQ");
  EXPECT_EQ(Base32Encode("foo"), "MZXW6");
  EXPECT_EQ(Base32Encode("foob"), "MZXW6YQ");
  EXPECT_EQ(Base32Encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Decode("MZXW6YTBOI======"), "foobar");
  EXPECT_EQ(Base32Decode("mzxw 6ytb oi"), "foobar");
  EXPECT_FALSE(Base32Decode("MZXW1").has_value());  // 1 is not base32
}

TEST(TotpTest, RfcSixTwoThreeEightVectors) {
  // The 8-digit values of Appendix B, last 6 digits.
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
      {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
  };
  for (const auto& [time, code] : vectors) {
    auto result = TotpCode(kRfcSecret, time);
    ASSERT_TRUE(result.Ok()) << result.Err().ToString();
    EXPECT_EQ(*result, code) << time;
  }
}

TEST(TotpTest, WindowIsOneStepEitherWay) {
  const std::int64_t now = 1111111111;  // step 37037037
  const std::int64_t step = now / 30;
  const std::string previous = *TotpCode(kRfcSecret, now - 30);
  const std::string current = *TotpCode(kRfcSecret, now);
  const std::string next = *TotpCode(kRfcSecret, now + 30);
  EXPECT_EQ(MatchTotp(kRfcSecret, previous, now), step - 1);
  EXPECT_EQ(MatchTotp(kRfcSecret, current, now), step);
  EXPECT_EQ(MatchTotp(kRfcSecret, next, now), step + 1);
  EXPECT_EQ(MatchTotp(kRfcSecret, current.substr(0, 3) + " " + current.substr(3), now), step);
  EXPECT_FALSE(MatchTotp(kRfcSecret, *TotpCode(kRfcSecret, now - 60), now).has_value());
  EXPECT_FALSE(MatchTotp(kRfcSecret, *TotpCode(kRfcSecret, now + 60), now).has_value());
  EXPECT_FALSE(MatchTotp(kRfcSecret, "", now).has_value());
  EXPECT_FALSE(MatchTotp(kRfcSecret, current + "0", now).has_value());
  EXPECT_FALSE(MatchTotp(kRfcSecret, current.substr(0, 5), now).has_value());
  EXPECT_FALSE(MatchTotp(kRfcSecret, "12a456", now).has_value());
  EXPECT_FALSE(MatchTotp("not base32!", current, now).has_value());
  EXPECT_FALSE(MatchTotp(kRfcSecret, current, -1).has_value());
}

TEST(TotpTest, BadSecretsAreErrors) {
  auto bad = TotpCode("not base32!", 59);
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(bad.Err().Headline().where.key, "secret");
  EXPECT_FALSE(TotpCode("MZXW6YTBOI", 59).Ok());  // 6 bytes: too short a key
  EXPECT_FALSE(TotpCode(std::string(1000, 'A'), 59).Ok());
  EXPECT_EQ(TotpCode(kRfcSecret, -1).Err().Headline().where.key, "time");
}

TEST(TotpTest, NewSecretsAreTwentyRandomBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string secret = NewTotpSecret();
    EXPECT_EQ(secret.size(), 32u);
    ASSERT_TRUE(Base32Decode(secret).has_value());
    EXPECT_EQ(Base32Decode(secret)->size(), 20u);
    EXPECT_TRUE(TotpCode(secret, 1700000000).Ok());
    seen.insert(secret);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(TotpTest, OtpauthUriIsPercentEncoded) {
  EXPECT_EQ(OtpauthUri("mamori-hannan", "s1", kRfcSecret),
            "otpauth://totp/mamori-hannan:s1?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=mamori-hannan&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(OtpauthUri("阪南市 mamori", "a&b?c", "AB"),
            "otpauth://totp/%E9%98%AA%E5%8D%97%E5%B8%82%20mamori:a%26b%3Fc?secret=AB"
            "&issuer=%E9%98%AA%E5%8D%97%E5%B8%82%20mamori&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace mamori::auth
