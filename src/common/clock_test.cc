#include "common/clock.h"

#include <gtest/gtest.h>

namespace mamori {
namespace {

TEST(ClockTest, FormatsUtcAndJst) {
  const TimePoint time = std::chrono::sys_days(std::chrono::year(2026) / 12 / 1) +
                         std::chrono::hours(20) + std::chrono::minutes(5) + std::chrono::seconds(9);
  EXPECT_EQ(FormatUtc(time), "2026-12-01T20:05:09Z");
  EXPECT_EQ(FormatJst(time), "2026-12-02 05:05:09 JST");  // the next day in Japan
}

TEST(ClockTest, ParsesWhatItFormatsAndOffsets) {
  auto time = ParseTime("2026-12-01T20:05:09Z", "t");
  ASSERT_TRUE(time.Ok());
  EXPECT_EQ(FormatUtc(*time), "2026-12-01T20:05:09Z");
  auto jst = ParseTime("2026-12-02T05:05:09+09:00", "t");
  ASSERT_TRUE(jst.Ok());
  EXPECT_EQ(*jst, *time);
  auto date = ParseTime("2026-12-01", "t");
  ASSERT_TRUE(date.Ok());
  EXPECT_EQ(FormatUtc(*date), "2026-12-01T00:00:00Z");
}

TEST(ClockTest, RejectsMalformedAndImpossibleDates) {
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "2026/12/01", "2026-12-01T25:00:00Z",
                          "2026-12-01T10:00:00", "2026-12-01T10:00:00+9", "２０２６-12-01"}) {
    auto result = ParseTime(bad, "date_field");
    ASSERT_FALSE(result.Ok()) << bad;
    EXPECT_EQ(result.Err().Headline().where.key, "date_field") << bad;
  }
}

TEST(ClockTest, FixedClockAdvances) {
  FixedClock clock(std::chrono::sys_days(std::chrono::year(2026) / 1 / 1));
  clock.Advance(std::chrono::hours(24));
  EXPECT_EQ(FormatUtc(clock.Now()), "2026-01-02T00:00:00Z");
}

}  // namespace
}  // namespace mamori
