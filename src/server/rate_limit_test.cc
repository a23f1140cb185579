// The per-address limiter behind sign-in throttling and the residents' form.
#include "server/rate_limit.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

namespace mamori::server {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using Verdict = RateLimiter::Verdict;

const TimePoint kStart = std::chrono::sys_days(std::chrono::year{2026} / 12 / 1);

RateLimits SignInLike() {
  RateLimits limits;
  limits.delay_after = 3;
  limits.block_after = 5;
  limits.window = minutes(15);
  limits.block = minutes(10);
  return limits;
}

TEST(RateLimiterTest, AllowsThenDelaysThenBlocksOncePerBlock) {
  RateLimiter limiter(SignInLike());
  int blocks = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Check("10.0.0.1", kStart).verdict, Verdict::kAllow) << i;
    blocks += limiter.Count("10.0.0.1", kStart) ? 1 : 0;
  }
  auto delayed = limiter.Check("10.0.0.1", kStart);
  EXPECT_EQ(delayed.verdict, Verdict::kDelay);
  // One delayed attempt at a time per address.
  EXPECT_EQ(limiter.Check("10.0.0.1", kStart).verdict, Verdict::kRefuse);
  limiter.EndDelay("10.0.0.1");
  blocks += limiter.Count("10.0.0.1", kStart) ? 1 : 0;
  ASSERT_EQ(limiter.Check("10.0.0.1", kStart).verdict, Verdict::kDelay);
  limiter.EndDelay("10.0.0.1");
  blocks += limiter.Count("10.0.0.1", kStart) ? 1 : 0;  // the fifth: blocked
  EXPECT_EQ(blocks, 1);
  auto refused = limiter.Check("10.0.0.1", kStart + minutes(1));
  EXPECT_EQ(refused.verdict, Verdict::kRefuse);
  EXPECT_EQ(refused.retry_after, minutes(9));
  // Counting during the block starts no second one.
  EXPECT_FALSE(limiter.Count("10.0.0.1", kStart + minutes(2)));
  // Another address is unaffected.
  EXPECT_EQ(limiter.Check("10.0.0.2", kStart).verdict, Verdict::kAllow);
  // After the block the address starts afresh.
  EXPECT_EQ(limiter.Check("10.0.0.1", kStart + minutes(10)).verdict, Verdict::kAllow);
}

// Two server processes on one database: each has its own limiter, the
// counts are the store's. Failures alternating between them block at the
// same count as on one server; the block holds on both.
TEST(RateLimiterTest, LimitersOnOneStoreCountTogether) {
  std::map<std::string, RateState> table;
  int stale_sweeps = 0;
  const RateStore store = [&](std::string_view limiter, const std::string& key, TimePoint,
                              TimePoint stale_before,
                              const std::function<void(RateState&)>& update) -> Status {
    if (stale_before < kStart) ++stale_sweeps;
    update(table[std::string(limiter) + "/" + key]);
    return OkStatus();
  };
  RateLimiter a(SignInLike(), 100, "sign_in_failure", store);
  RateLimiter b(SignInLike(), 100, "sign_in_failure", store);
  int blocks = 0;
  for (int i = 0; i < 5; ++i) {
    RateLimiter& server = i % 2 == 0 ? a : b;
    if (server.Check("10.0.0.1", kStart).verdict == Verdict::kDelay) server.EndDelay("10.0.0.1");
    blocks += server.Count("10.0.0.1", kStart) ? 1 : 0;
  }
  EXPECT_EQ(blocks, 1);  // the fifth failure, on a, began the block
  EXPECT_EQ(a.Check("10.0.0.1", kStart + minutes(1)).verdict, Verdict::kRefuse);
  EXPECT_EQ(b.Check("10.0.0.1", kStart + minutes(1)).verdict, Verdict::kRefuse);
  EXPECT_EQ(b.Check("10.0.0.2", kStart).verdict, Verdict::kAllow);
  EXPECT_GT(stale_sweeps, 0);  // the store is told what has gone stale
}

// A store that fails (the database is away) leaves the process counting on
// its own rather than letting everyone through.
TEST(RateLimiterTest, AFailingStoreFallsBackToCountingHere) {
  const RateStore broken = [](std::string_view, const std::string&, TimePoint, TimePoint,
                              const std::function<void(RateState&)>&) -> Status {
    return Error(ErrorCode::kIo, "データベースに接続できません", "database away");
  };
  RateLimiter limiter(SignInLike(), 100, "sign_in_failure", broken);
  int blocks = 0;
  for (int i = 0; i < 5; ++i) {
    if (limiter.Check("a", kStart).verdict == Verdict::kDelay) limiter.EndDelay("a");
    blocks += limiter.Count("a", kStart) ? 1 : 0;
  }
  EXPECT_EQ(blocks, 1);
  EXPECT_EQ(limiter.Check("a", kStart).verdict, Verdict::kRefuse);
}

TEST(RateLimiterTest, FailuresOutsideTheWindowAreForgotten) {
  RateLimiter limiter(SignInLike());
  for (int i = 0; i < 4; ++i) (void)limiter.Count("a", kStart + minutes(i));
  EXPECT_EQ(limiter.Check("a", kStart + minutes(4)).verdict, Verdict::kDelay);
  limiter.EndDelay("a");
  // At 16 min the first two (0 and 1 min) are out of the 15-minute window.
  EXPECT_EQ(limiter.Check("a", kStart + minutes(16)).verdict, Verdict::kAllow);
}

TEST(RateLimiterTest, SlidingWindowWithoutBlockForThePublicForm) {
  RateLimits limits;
  limits.block_after = 3;
  limits.window = std::chrono::hours(1);
  RateLimiter limiter(limits);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Take("b", kStart + minutes(i)).verdict, Verdict::kAllow);
  }
  auto refused = limiter.Take("b", kStart + minutes(30));
  EXPECT_EQ(refused.verdict, Verdict::kRefuse);
  EXPECT_EQ(refused.retry_after, minutes(30));  // the first leaves the window at 60 min
  EXPECT_EQ(limiter.Take("b", kStart + minutes(60)).verdict, Verdict::kAllow);
  EXPECT_EQ(limiter.Take("b", kStart + minutes(60)).verdict, Verdict::kRefuse);
}

TEST(RateLimiterTest, TracksAtMostMaxKeysForgettingTheLeastRecentlyUsed) {
  RateLimits limits;
  limits.block_after = 1;
  limits.window = std::chrono::hours(1);
  RateLimiter limiter(limits, 100);
  (void)limiter.Take("first", kStart);
  for (int i = 0; i < 1000; ++i) {
    (void)limiter.Take("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256), kStart);
    if (i == 50) (void)limiter.Check("first", kStart);  // used again: kept a while longer
  }
  EXPECT_EQ(limiter.TrackedKeys(), 100U);
  EXPECT_EQ(limiter.Check("first", kStart).verdict, Verdict::kAllow);  // forgotten
  EXPECT_EQ(limiter.Check("10.1.3.231", kStart).verdict, Verdict::kRefuse);  // the newest
}

TEST(RateLimiterTest, AddressKeyGroupsIpv6ByItsSlash64) {
  EXPECT_EQ(AddressKey("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(AddressKey("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(AddressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressKey("2001:db8:1:2::1"), AddressKey("2001:db8:1:2:ffff::9"));
  EXPECT_NE(AddressKey("2001:db8:1:2::1"), AddressKey("2001:db8:1:3::1"));
  EXPECT_EQ(AddressKey("not an address"), "not an address");
}

}  // namespace
}  // namespace mamori::server
