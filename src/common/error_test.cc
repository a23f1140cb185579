#include "common/error.h"

#include <gtest/gtest.h>

#include "common/result.h"

namespace mamori {
namespace {

TEST(ErrorTest, ToStringNamesFileLineKeyAndBothLanguages) {
  Error error(ErrorCode::kInvalidProfile, "不明なキーです", "unknown key",
              {"p.toml", 12, "rules[3].efect"});
  EXPECT_EQ(error.ToString(), "p.toml:12: rules[3].efect: 不明なキーです / unknown key");
  EXPECT_STREQ(ErrorCodeName(error.Code()), "invalid_profile");
}

TEST(ErrorTest, ContextPrefixesEveryDiagnostic) {
  Error error(ErrorCode::kInvalidArgument, "値が不正です", "bad value", {"", 0, "action"});
  error.Add({{"", 0, "actor"}, "必須です", "required"});
  error.Context("リクエスト 3 行目", "request line 3");
  EXPECT_EQ(error.ToString(),
            "action: リクエスト 3 行目: 値が不正です / request line 3: bad value\n"
            "actor: リクエスト 3 行目: 必須です / request line 3: required");
}

Result<int> Half(int value) {
  if (value % 2 != 0) return Error(ErrorCode::kInvalidArgument, "奇数", "odd");
  return value / 2;
}

Result<int> Quarter(int value) {
  MAMORI_TRY(int half, Half(value));
  MAMORI_TRY(int quarter, Half(half));
  return quarter;
}

TEST(ResultTest, TryPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> bad = Quarter(6);
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(bad.Err().Headline().message_en, "odd");
}

}  // namespace
}  // namespace mamori
