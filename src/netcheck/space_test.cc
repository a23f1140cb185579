#include "netcheck/space.h"

#include <gtest/gtest.h>

#include <random>

#include "netcheck/address.h"

namespace mamori::netcheck {
namespace {

U128 V4(const char* text) { return *ParseAddress(text); }

TEST(AddressTest, ParsesBothFamiliesIntoOneSpace) {
  EXPECT_EQ(V4("192.0.2.1"), Ipv4(0xc0000201));
  EXPECT_TRUE(IsIpv4(V4("0.0.0.0")));
  EXPECT_EQ(*ParseAddress("::ffff:192.0.2.1"), V4("192.0.2.1"));
  const auto v6 = ParseAddress("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(IsIpv4(*v6));
  EXPECT_EQ(v6->high, 0x20010db800000000ULL);
  EXPECT_EQ(v6->low, 1u);
  EXPECT_FALSE(ParseAddress("192.0.2.256"));
  EXPECT_FALSE(ParseAddress("eth0"));
  EXPECT_EQ(FormatAddress(V4("10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(FormatAddress(*v6), "2001:db8::1");
}

TEST(AddressTest, ParsesCidrsMasksAndRanges) {
  auto net = ParseNetwork("10.20.0.0/16");
  ASSERT_TRUE(net.Ok());
  EXPECT_EQ(net->low, V4("10.20.0.0"));
  EXPECT_EQ(net->high, V4("10.20.255.255"));
  EXPECT_EQ(FormatNetwork(*net), "10.20.0.0/16");
  auto dotted = ParseNetwork("10.0.0.0/255.0.0.0");
  ASSERT_TRUE(dotted.Ok());
  EXPECT_EQ(dotted->high, V4("10.255.255.255"));
  auto all = ParseNetwork("0.0.0.0/0");
  ASSERT_TRUE(all.Ok());
  EXPECT_EQ(all->low, kIpv4Range.low);
  EXPECT_EQ(all->high, kIpv4Range.high);
  auto v6 = ParseNetwork("2001:db8::/32");
  ASSERT_TRUE(v6.Ok());
  EXPECT_EQ(v6->high, (U128{0x20010db8ffffffffULL, ~std::uint64_t{0}}));
  EXPECT_EQ(FormatNetwork(*v6), "2001:db8::/32");
  auto range = ParseNetwork("192.0.2.10-192.0.2.20");
  ASSERT_TRUE(range.Ok());
  EXPECT_EQ(FormatNetwork(*range), "192.0.2.10-192.0.2.20");
  EXPECT_EQ(FormatNetwork(*ParseNetwork("192.0.2.7")), "192.0.2.7");
}

TEST(AddressTest, ExplainsBadNetworks) {
  const auto host_bits = ParseNetwork("10.20.0.5/16");
  ASSERT_FALSE(host_bits.Ok());
  EXPECT_NE(host_bits.Err().Headline().message_en.find("did you mean 10.20.0.0/16"),
            std::string::npos);
  EXPECT_TRUE(ParseNetwork("10.20.0.5/16", HostBits::kMask).Ok());
  EXPECT_FALSE(ParseNetwork("10.0.0.0/33").Ok());
  EXPECT_FALSE(ParseNetwork("10.0.0.0/255.0.255.0").Ok());  // not contiguous
  EXPECT_FALSE(ParseNetwork("10.0.0.9-10.0.0.1").Ok());
  EXPECT_FALSE(ParseNetwork("10.0.0.1-2001:db8::1").Ok());
  EXPECT_FALSE(ParseNetwork("").Ok());
  const auto garbage = ParseNetwork("lgwan");
  ASSERT_FALSE(garbage.Ok());
  EXPECT_NE(garbage.Err().Headline().message_ja.find("lgwan"), std::string::npos);
}

TEST(IntervalSetTest, NormalizesAndOperates) {
  const IntervalSet a = IntervalSet::FromIntervals(
      {{U128::Of(10), U128::Of(20)}, {U128::Of(21), U128::Of(30)}, {U128::Of(5), U128::Of(12)}});
  ASSERT_EQ(a.Intervals().size(), 1u);
  EXPECT_EQ(a.Intervals()[0], (Interval{U128::Of(5), U128::Of(30)}));
  const IntervalSet b = IntervalSet::Range(25, 40);
  EXPECT_EQ(a.Intersect(b), IntervalSet::Range(25, 30));
  EXPECT_EQ(a.Subtract(b), IntervalSet::Range(5, 24));
  EXPECT_EQ(a.Union(b), IntervalSet::Range(5, 40));
  EXPECT_TRUE(IntervalSet::All().Complement().Empty());
  EXPECT_TRUE(IntervalSet().Complement().IsAll());
  EXPECT_EQ(a.Complement().Complement(), a);
  EXPECT_TRUE(a.Contains(U128::Of(5)));
  EXPECT_TRUE(a.Contains(U128::Of(30)));
  EXPECT_FALSE(a.Contains(U128::Of(31)));
  EXPECT_FALSE(a.Contains(U128::Of(4)));
  // Across the 64-bit boundary.
  const IntervalSet high = IntervalSet::Of({U128{0, ~std::uint64_t{0}}, U128{1, 0}});
  EXPECT_TRUE(high.Contains(U128{1, 0}));
  EXPECT_EQ(high.Complement().Intervals().size(), 2u);
}

TEST(BoxTest, SubtractionIsExactAndDisjoint) {
  std::mt19937 random(7);
  auto random_set = [&] {
    const std::uint64_t low = random() % 8;
    const std::uint64_t high = low + random() % 4;
    return IntervalSet::Range(low, high);
  };
  for (int round = 0; round < 200; ++round) {
    Box a;
    Box b;
    for (std::size_t d = 0; d < kDimensionCount; ++d) {
      a.dims[d] = random_set();
      b.dims[d] = random() % 3 == 0 ? IntervalSet::All() : random_set();
    }
    const PacketSet difference = PacketSet(a).Subtract(b);
    // Every point of a small grid: in a \ b iff in exactly one piece.
    for (int probe = 0; probe < 300; ++probe) {
      Point point;
      for (auto& coordinate : point) coordinate = U128::Of(random() % 12);
      const bool expected = a.Contains(point) && !b.Contains(point);
      int pieces = 0;
      for (const Box& box : difference.Boxes()) pieces += box.Contains(point) ? 1 : 0;
      ASSERT_EQ(pieces, expected ? 1 : 0) << "round " << round;
    }
    PacketSet compacted = difference;
    compacted.Compact();
    EXPECT_LE(compacted.Boxes().size(), difference.Boxes().size());
    EXPECT_TRUE(compacted.Subtract(difference).Empty());
    EXPECT_TRUE(difference.Subtract(compacted).Empty());
  }
}

TEST(PacketSetTest, ExampleIsInTheSet) {
  Box box;
  box[Dimension::kDestinationPort] = IntervalSet::Range(443, 443);
  const PacketSet set = PacketSet(Box{}).Subtract(box);
  const auto example = set.Example();
  ASSERT_TRUE(example);
  EXPECT_TRUE(set.Contains(*example));
  EXPECT_FALSE(PacketSet().Example());
}

TEST(InterfaceUniverseTest, ClassesSeparateWhatPatternsCanTellApart) {
  const InterfaceUniverse universe({{"eth0", false}, {"eth", true}, {"eth1", true}, {"wlan0", false}});
  // Classes: none, eth0, wlan0, "*", "eth*", "eth1*".
  EXPECT_EQ(universe.Size(), 6u);
  EXPECT_EQ(universe.ClassOf(""), U128{});
  EXPECT_EQ(universe.Label(universe.ClassOf("eth0")), "eth0");
  EXPECT_EQ(universe.Label(universe.ClassOf("eth7")), "eth*");
  EXPECT_EQ(universe.Label(universe.ClassOf("eth10")), "eth1*");
  EXPECT_EQ(universe.Label(universe.ClassOf("ppp0")), "*");
  for (std::uint64_t c = 0; c < universe.Size(); ++c) {
    EXPECT_EQ(universe.ClassOf(universe.Representative(U128::Of(c))), U128::Of(c));
  }
  // eth+ matches eth0, eth* and eth1*, not wlan0 or other names.
  const InterfaceMatch eth{false, false, {{"eth", true}}};
  const IntervalSet matching = universe.Matching(eth);
  for (const char* name : {"eth0", "eth7", "eth10", "eth"}) {
    EXPECT_TRUE(matching.Contains(universe.ClassOf(name))) << name;
    EXPECT_TRUE(eth.Matches(name));
  }
  for (const char* name : {"wlan0", "ppp0", ""}) {
    EXPECT_FALSE(matching.Contains(universe.ClassOf(name))) << name;
    EXPECT_FALSE(eth.Matches(name));
  }
  // ! -i eth0 matches everything else, including no interface.
  const InterfaceMatch not_eth0{false, true, {{"eth0", false}}};
  const IntervalSet others = universe.Matching(not_eth0);
  EXPECT_FALSE(others.Contains(universe.ClassOf("eth0")));
  EXPECT_TRUE(others.Contains(universe.ClassOf("eth7")));
  EXPECT_TRUE(others.Contains(U128{}));
}

TEST(ProtocolTest, NamesAndNumbers) {
  EXPECT_EQ(ParseProtocol("tcp"), 6);
  EXPECT_EQ(ParseProtocol("UDP"), 17);
  EXPECT_EQ(ParseProtocol("ipv6-icmp"), 58);
  EXPECT_EQ(ParseProtocol("icmpv6"), 58);
  EXPECT_EQ(ParseProtocol("47"), 47);
  EXPECT_FALSE(ParseProtocol("256"));
  EXPECT_FALSE(ParseProtocol("tcpp"));
  EXPECT_EQ(ProtocolName(6), "tcp");
  EXPECT_EQ(ProtocolName(253), "253");
  EXPECT_EQ(ParseConnectionState("ESTABLISHED"), ConnectionState::kEstablished);
  EXPECT_FALSE(ParseConnectionState("SNAT"));
}

}  // namespace
}  // namespace mamori::netcheck
