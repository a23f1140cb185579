#include "common/charset.h"

#include <gtest/gtest.h>

namespace mamori {
namespace {

TEST(CharsetTest, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("情報資産 abc"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(ValidUtf8Prefix("ab\xE6\x83"), 2u);   // truncated sequence
}

TEST(CharsetTest, ConvertsJapaneseEncodings) {
  std::string out;
  ASSERT_TRUE(ConvertToUtf8("\x95\x5C\x83\x5C", "CP932", &out));  // 表ソ: second bytes 0x5C
  EXPECT_EQ(out, "表ソ");
  ASSERT_TRUE(ConvertToUtf8("\xC6\xFC\xCB\xDC", "EUC-JP", &out));
  EXPECT_EQ(out, "日本");
  ASSERT_TRUE(ConvertToUtf8("\x1B$BF|K\\\x1B(B", "ISO-2022-JP", &out));
  EXPECT_EQ(out, "日本");
  EXPECT_FALSE(ConvertToUtf8("\x81", "CP932", &out));  // a lead byte alone
}

}  // namespace
}  // namespace mamori
