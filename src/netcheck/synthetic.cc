#include "netcheck/synthetic.h"

#include <array>
#include <string>
#include <vector>

namespace mamori::netcheck {
namespace {

class Dice {
 public:
  explicit Dice(std::mt19937& random) : random_(random) {}
  // 0 .. n-1
  std::size_t Below(std::size_t n) { return static_cast<std::size_t>(random_() % n); }
  bool Percent(int p) { return static_cast<int>(random_() % 100) < p; }

 private:
  std::mt19937& random_;
};

// Addresses: a few /16s, /24s and hosts inside 10.0.0.0/8 (or fd00::/8).
U128 PoolAddress(Dice& dice, Family family, int a, int b, int c) {
  if (family == Family::kIp6) {
    return {0xfd00000000000000ULL | (static_cast<std::uint64_t>(a) << 32) |
                (static_cast<std::uint64_t>(b) << 16),
            static_cast<std::uint64_t>(c)};
  }
  (void)dice;
  return Ipv4(static_cast<std::uint32_t>((10u << 24) | (static_cast<std::uint32_t>(a) << 16) |
                                         (static_cast<std::uint32_t>(b) << 8) |
                                         static_cast<std::uint32_t>(c)));
}

IntervalSet AddressCondition(Dice& dice, Family family) {
  const int a = static_cast<int>(dice.Below(3));
  const int b = static_cast<int>(dice.Below(3));
  const int c = 1 + static_cast<int>(dice.Below(4));
  const bool v6 = family == Family::kIp6;
  switch (dice.Below(4)) {
    case 0: {  // a /16 (or /96 … /112 in v6): everything under 10.a
      U128 low = PoolAddress(dice, family, a, 0, 0);
      U128 high = v6 ? U128{low.high | 0xffffULL, ~std::uint64_t{0}}
                     : Ipv4(static_cast<std::uint32_t>((10u << 24) |
                                                        (static_cast<std::uint32_t>(a) << 16) |
                                                        0xffffu));
      return IntervalSet::Of({low, high});
    }
    case 1: {  // a /24: 10.a.b.0/24
      U128 low = PoolAddress(dice, family, a, b, 0);
      U128 high = v6 ? U128{low.high, ~std::uint64_t{0}} : PoolAddress(dice, family, a, b, 255);
      return IntervalSet::Of({low, high});
    }
    case 2:  // one host
      return IntervalSet::Point(PoolAddress(dice, family, a, b, c));
    default: {  // a range of hosts
      const U128 low = PoolAddress(dice, family, a, b, c);
      const U128 high = PoolAddress(dice, family, a, b, c + 2);
      return IntervalSet::Of({low, high});
    }
  }
}

IntervalSet PortCondition(Dice& dice) {
  static constexpr std::array<std::array<std::uint64_t, 2>, 6> kPorts = {
      {{22, 22}, {80, 80}, {443, 443}, {1000, 2000}, {1500, 1500}, {0, 1023}}};
  std::vector<Interval> intervals;
  const std::size_t count = 1 + dice.Below(2);
  for (std::size_t i = 0; i < count; ++i) {
    const auto& port = kPorts[dice.Below(kPorts.size())];
    intervals.push_back({U128::Of(port[0]), U128::Of(port[1])});
  }
  return IntervalSet::FromIntervals(std::move(intervals));
}

InterfaceMatch InterfaceCondition(Dice& dice) {
  static constexpr std::array<std::string_view, 5> kNames = {"eth0", "eth1", "eth2", "eth", "wlan"};
  InterfaceMatch match;
  match.any = false;
  match.negated = dice.Percent(15);
  const std::size_t pick = dice.Below(kNames.size());
  match.patterns.push_back({std::string(kNames[pick]), pick >= 3});
  return match;
}

Rule RandomRule(Dice& dice, const SyntheticOptions& options, int chain, int chain_count,
                int line) {
  Rule rule;
  Box& box = rule.match.box;
  auto maybe_negate = [&](IntervalSet set) { return dice.Percent(10) ? set.Complement() : set; };
  if (dice.Percent(35)) box[Dimension::kSourceAddress] = maybe_negate(AddressCondition(dice, options.family));
  if (dice.Percent(35)) {
    box[Dimension::kDestinationAddress] = maybe_negate(AddressCondition(dice, options.family));
  }
  const bool ports = dice.Percent(35);
  if (ports || dice.Percent(20)) {
    static constexpr std::array<std::uint64_t, 3> kProtocols = {6, 17, 1};
    const std::uint64_t protocol = ports ? kProtocols[dice.Below(2)] : kProtocols[dice.Below(3)];
    box[Dimension::kProtocol] = IntervalSet::Point(U128::Of(protocol));
  }
  if (ports) {
    const Dimension d = dice.Percent(70) ? Dimension::kDestinationPort : Dimension::kSourcePort;
    box[d] = maybe_negate(PortCondition(dice));
  }
  if (dice.Percent(20)) rule.match.input = InterfaceCondition(dice);
  if (dice.Percent(20)) rule.match.output = InterfaceCondition(dice);
  if (dice.Percent(25)) {
    std::vector<Interval> states;
    const std::size_t count = 1 + dice.Below(2);
    for (std::size_t i = 0; i < count; ++i) {
      const U128 state = U128::Of(dice.Below(kConnectionStateCount));
      states.push_back({state, state});
    }
    box[Dimension::kConnectionState] = IntervalSet::FromIntervals(std::move(states));
  }
  // Rules with one condition or none decide almost everything at once;
  // real rule sets are narrower, so add conditions until there are two.
  auto conditions = [&] {
    int count = 0;
    for (std::size_t d = 0; d < kDimensionCount; ++d) count += box.dims[d].IsAll() ? 0 : 1;
    return count + (rule.match.input.any ? 0 : 1) + (rule.match.output.any ? 0 : 1);
  };
  if (conditions() < 2 && box[Dimension::kDestinationAddress].IsAll()) {
    box[Dimension::kDestinationAddress] = AddressCondition(dice, options.family);
  }
  if (conditions() < 2 && box[Dimension::kDestinationPort].IsAll()) {
    box[Dimension::kProtocol] = IntervalSet::Point(U128::Of(dice.Percent(70) ? 6 : 17));
    box[Dimension::kDestinationPort] = PortCondition(dice);
  }
  if (dice.Percent(options.inexact_percent)) rule.match.unmodelled.push_back("-m recent --rcheck");
  const std::size_t roll = dice.Below(100);
  const bool can_jump = chain + 1 < chain_count;
  if (roll < 30) {
    rule.action = ActionKind::kAccept;
  } else if (roll < 52) {
    rule.action = ActionKind::kDrop;
  } else if (roll < 57) {
    rule.action = ActionKind::kReject;
  } else if (roll < 62) {
    rule.action = ActionKind::kContinue;
  } else if (roll < 80 && can_jump) {
    rule.action = ActionKind::kJump;
  } else if (roll < 86 && can_jump) {
    rule.action = ActionKind::kGoto;
  } else if (roll < 95) {
    rule.action = ActionKind::kReturn;
  } else {
    rule.action = ActionKind::kAccept;
  }
  if (rule.action == ActionKind::kJump || rule.action == ActionKind::kGoto) {
    rule.target_chain = chain + 1 + static_cast<int>(dice.Below(
                                        static_cast<std::size_t>(chain_count - chain - 1)));
    rule.target = "user" + std::to_string(rule.target_chain);
  }
  rule.where = {"synthetic", line, {}, -1};
  rule.text = "synthetic rule " + std::to_string(line);
  return rule;
}

}  // namespace

RuleSet SyntheticRuleSet(const SyntheticOptions& options) {
  std::mt19937 random(options.seed);
  Dice dice(random);
  RuleSet rules;
  rules.sources.push_back("synthetic");
  Table table;
  table.family = options.family;
  table.name = "filter";
  const int chain_count = 1 + options.user_chains;
  for (int c = 0; c < chain_count; ++c) {
    Chain chain;
    chain.name = c == 0 ? "FORWARD" : "user" + std::to_string(c);
    chain.hook = c == 0 ? Hook::kForward : Hook::kNone;
    chain.policy = c == 0 && dice.Percent(50) ? ActionKind::kDrop : ActionKind::kAccept;
    chain.where = {"synthetic", 0, {}, -1};
    table.chains.push_back(std::move(chain));
  }
  for (int line = 1; line <= options.rules; ++line) {
    // Half the rules in the base chain, the rest spread over user chains.
    const int chain = options.user_chains == 0 || dice.Percent(50)
                          ? 0
                          : 1 + static_cast<int>(dice.Below(
                                    static_cast<std::size_t>(options.user_chains)));
    table.chains[static_cast<std::size_t>(chain)].rules.push_back(
        RandomRule(dice, options, chain, chain_count, line));
  }
  rules.tables.push_back(std::move(table));
  return rules;
}

Packet SyntheticPacket(std::mt19937& random, Family family) {
  Dice dice(random);
  auto address = [&]() {
    // Mostly pool hosts, at the edges of the pool's ranges too; sometimes outside.
    if (dice.Percent(10)) {
      return family == Family::kIp6 ? U128{0x20010db800000000ULL, 1} : Ipv4(0xc0000201);
    }
    static constexpr std::array<int, 8> kLast = {0, 1, 2, 3, 4, 5, 6, 255};
    return PoolAddress(dice, family, static_cast<int>(dice.Below(4)),
                       static_cast<int>(dice.Below(4)), kLast[dice.Below(kLast.size())]);
  };
  static constexpr std::array<std::uint16_t, 12> kPorts = {0,    22,   23,   80,   443,  999,
                                                           1000, 1500, 2000, 2001, 1023, 1024};
  static constexpr std::array<std::uint8_t, 4> kProtocols = {6, 17, 1, 47};
  static constexpr std::array<std::string_view, 8> kInterfaces = {
      "eth0", "eth1", "eth2", "eth9", "eth", "wlan0", "ppp0", "lo"};
  Packet packet;
  packet.source = address();
  packet.destination = address();
  packet.protocol = kProtocols[dice.Below(kProtocols.size())];
  packet.source_port = kPorts[dice.Below(kPorts.size())];
  packet.destination_port = kPorts[dice.Below(kPorts.size())];
  packet.input_interface = std::string(kInterfaces[dice.Below(kInterfaces.size())]);
  packet.output_interface = std::string(kInterfaces[dice.Below(kInterfaces.size())]);
  packet.state = static_cast<ConnectionState>(dice.Below(kConnectionStateCount));
  return packet;
}

}  // namespace mamori::netcheck
