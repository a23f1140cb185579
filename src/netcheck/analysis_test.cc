#include "netcheck/analysis.h"

#include <gtest/gtest.h>

#include <random>

#include "netcheck/iptables.h"
#include "netcheck/synthetic.h"

namespace mamori::netcheck {
namespace {

RuleSet Read(const std::string& text) {
  auto rules = ParseIptablesSave(text, "test.rules", IptablesFamily::kIpv4);
  EXPECT_TRUE(rules.Ok()) << (rules.Ok() ? "" : rules.Err().ToString());
  return rules.Ok() ? std::move(rules).Value() : RuleSet{};
}

Packet Tcp(const char* source, const char* destination, std::uint16_t port,
           ConnectionState state = ConnectionState::kNew) {
  Packet packet;
  packet.source = *ParseAddress(source);
  packet.destination = *ParseAddress(destination);
  packet.protocol = 6;
  packet.source_port = 40000;
  packet.destination_port = port;
  packet.input_interface = "eth0";
  packet.output_interface = "eth1";
  packet.state = state;
  return packet;
}

// The accepted piece of base chain `chain` that holds `packet`, or nullptr.
const AcceptedPiece* PieceOf(const Analysis& analysis, std::size_t chain, const Packet& packet) {
  const Point point = PointOf(packet, analysis.interfaces);
  const AcceptedPiece* found = nullptr;
  for (const auto& piece : analysis.chains[chain].accepted) {
    if (piece.packets.Contains(point)) {
      EXPECT_EQ(found, nullptr) << "pieces overlap at " << packet.ToString();
      found = &piece;
    }
  }
  return found;
}

constexpr const char* kChains = R"(*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:WEB - [0:0]
:ADMIN - [0:0]
-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A FORWARD -d 10.20.0.0/24 -p tcp -m tcp --dport 80 -j WEB
-A FORWARD -d 10.20.0.5/32 -g ADMIN
-A FORWARD -d 10.20.0.0/24 -p tcp -m multiport --dports 80,443 -j ACCEPT
-A WEB -s 192.0.2.0/24 -j RETURN
-A WEB -j ACCEPT
-A ADMIN -p tcp -m tcp --dport 22 -j ACCEPT
-A ADMIN -j RETURN
COMMIT
)";

TEST(AnalysisTest, FirstMatchThroughJumpGotoAndReturn) {
  const RuleSet rules = Read(kChains);
  auto analysis = Analyze(rules);
  ASSERT_TRUE(analysis.Ok()) << analysis.Err().ToString();
  ASSERT_EQ(analysis->chains.size(), 3u);  // INPUT, FORWARD, OUTPUT
  const std::size_t forward = 1;
  EXPECT_EQ(analysis->chains[forward].hook, Hook::kForward);
  // 198.51.100.1 → :80 is accepted inside WEB (line 12).
  const auto* web = PieceOf(*analysis, forward, Tcp("198.51.100.1", "10.20.0.7", 80));
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(rules.tables[0].chains[3].rules[static_cast<std::size_t>(web->rule.rule)].where.line,
            12);
  // 192.0.2.1 → :80 returns from WEB and is accepted by the multiport rule (line 10).
  const auto* back = PieceOf(*analysis, forward, Tcp("192.0.2.1", "10.20.0.7", 80));
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(Describe(rules, back->rule), "test.rules:10");
  // 10.20.0.5:22 via goto ADMIN; :443 there returns from ADMIN, and a goto
  // does not come back: the FORWARD policy (drop) decides.
  EXPECT_NE(PieceOf(*analysis, forward, Tcp("192.0.2.1", "10.20.0.5", 22)), nullptr);
  EXPECT_EQ(PieceOf(*analysis, forward, Tcp("192.0.2.1", "10.20.0.5", 443)), nullptr);
  EXPECT_NE(PieceOf(*analysis, forward, Tcp("192.0.2.1", "10.20.0.6", 443)), nullptr);
  // Established return traffic, any address.
  const auto* established = PieceOf(
      *analysis, forward, Tcp("8.8.8.8", "9.9.9.9", 5, ConnectionState::kEstablished));
  ASSERT_NE(established, nullptr);
  EXPECT_EQ(Describe(rules, established->rule), "test.rules:7");
  // The evaluator agrees on each of them.
  for (const Packet& packet :
       {Tcp("198.51.100.1", "10.20.0.7", 80), Tcp("192.0.2.1", "10.20.0.7", 80),
        Tcp("192.0.2.1", "10.20.0.5", 22), Tcp("192.0.2.1", "10.20.0.5", 443)}) {
    auto verdict = Evaluate(rules, 0, 1, packet);
    ASSERT_TRUE(verdict.Ok());
    const auto* piece = PieceOf(*analysis, forward, packet);
    EXPECT_EQ(verdict->accepted, piece != nullptr) << packet.ToString();
    if (piece != nullptr) {
      EXPECT_EQ(verdict->rule, piece->rule);
    }
  }
}

TEST(AnalysisTest, ReportsShadowedEmptyAndUnreachableRules) {
  const RuleSet rules = Read(R"(*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:UNUSED - [0:0]
-A FORWARD -s 10.0.0.0/8 -j ACCEPT
-A FORWARD -s 10.1.0.0/16 -p tcp -m tcp --dport 22 -j DROP
-A FORWARD -s 10.0.0.0/8 -s 192.168.0.0/16 -j ACCEPT
-A FORWARD -s 172.16.0.0/12 -j ACCEPT
-A UNUSED -j ACCEPT
COMMIT
)");
  auto analysis = Analyze(rules);
  ASSERT_TRUE(analysis.Ok());
  std::vector<std::string> found;
  for (const auto& finding : analysis->findings) {
    found.push_back(std::string(Id(finding.kind)) + " " + Describe(rules, finding.rule));
  }
  EXPECT_EQ(found.size(), 3u);
  EXPECT_NE(std::find(found.begin(), found.end(), "shadowed test.rules:7"), found.end());
  EXPECT_NE(std::find(found.begin(), found.end(), "empty test.rules:8"), found.end());
  const bool unused = std::any_of(found.begin(), found.end(), [](const std::string& f) {
    return f.starts_with("unreachable") && f.find("UNUSED") != std::string::npos;
  });
  EXPECT_TRUE(unused);
}

TEST(AnalysisTest, RuleNotModelledNeverRemovesPacketsAndAcceptsAllItMightMatch) {
  const RuleSet rules = Read(R"(*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 192.0.2.0/24 -m recent --name blocked --rcheck -j DROP
-A FORWARD -d 10.20.0.10/32 -p tcp -m tcp --dport 443 -j ACCEPT
-A FORWARD -s 198.51.100.0/24 -m time --timestart 09:00 -j ACCEPT
COMMIT
)");
  ASSERT_EQ(rules.warnings.size(), 2u);
  EXPECT_EQ(rules.warnings[0].where.line, 5);
  auto analysis = Analyze(rules);
  ASSERT_TRUE(analysis.Ok());
  const std::size_t forward = 1;
  // The unknown drop does not stop 192.0.2.1 → 10.20.0.10:443; the accept
  // after it is only "possible", because the drop might have matched.
  const auto* through_drop = PieceOf(*analysis, forward, Tcp("192.0.2.1", "10.20.0.10", 443));
  ASSERT_NE(through_drop, nullptr);
  EXPECT_TRUE(through_drop->Possible());
  EXPECT_EQ(Describe(rules, through_drop->because.at(0)), "test.rules:5");
  // Another source is accepted for certain.
  const auto* certain = PieceOf(*analysis, forward, Tcp("203.0.113.1", "10.20.0.10", 443));
  ASSERT_NE(certain, nullptr);
  EXPECT_FALSE(certain->Possible());
  // The unknown accept takes everything it might match (any port, any time).
  const auto* maybe = PieceOf(*analysis, forward, Tcp("198.51.100.9", "10.99.0.1", 3389));
  ASSERT_NE(maybe, nullptr);
  EXPECT_TRUE(maybe->Possible());
  EXPECT_EQ(Describe(rules, maybe->rule), "test.rules:7");
  // Both are listed as "possible" findings with their reasons.
  int possible = 0;
  for (const auto& finding : analysis->findings) {
    if (finding.kind == FindingKind::kPossible) {
      ++possible;
      ASSERT_FALSE(finding.reasons.empty());
    }
  }
  EXPECT_EQ(possible, 2);
}

TEST(AnalysisTest, JumpLoopIsAnErrorNamingTheRule) {
  RuleSet rules = Read(R"(*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A FORWARD -j A
-A A -j B
-A B -j A
COMMIT
)");
  auto analysis = Analyze(rules);
  ASSERT_FALSE(analysis.Ok());
  EXPECT_EQ(analysis.Err().Headline().where.file, "test.rules");
  EXPECT_GT(analysis.Err().Headline().where.line, 7);
  auto verdict = Evaluate(rules, 0, 1, Tcp("10.0.0.1", "10.0.0.2", 80));
  EXPECT_FALSE(verdict.Ok());
}

// The heart of "exact, not sampled": on random rule sets the set analysis
// and the packet evaluator agree on every probed packet, and every accepted
// piece's own example packet is accepted by the rule the piece names.
TEST(AnalysisTest, AgreesWithTheEvaluatorOnRandomRuleSets) {
  std::mt19937 random(12);
  int accepted = 0;
  int dropped = 0;
  for (std::uint32_t seed = 1; seed <= 150; ++seed) {
    SyntheticOptions options;
    options.seed = seed;
    options.rules = 5 + static_cast<int>(seed % 40);
    options.family = seed % 5 == 0 ? Family::kIp6 : Family::kIp;
    const RuleSet rules = SyntheticRuleSet(options);
    auto analysis = Analyze(rules);
    ASSERT_TRUE(analysis.Ok()) << analysis.Err().ToString();
    ASSERT_EQ(analysis->chains.size(), 1u);
    for (int probe = 0; probe < 200; ++probe) {
      const Packet packet = SyntheticPacket(random, options.family);
      auto verdict = Evaluate(rules, 0, 0, packet);
      ASSERT_TRUE(verdict.Ok());
      const AcceptedPiece* piece = PieceOf(*analysis, 0, packet);
      ASSERT_EQ(verdict->accepted, piece != nullptr)
          << "seed " << seed << ": " << packet.ToString();
      if (piece != nullptr) {
        ASSERT_EQ(verdict->rule, piece->rule) << "seed " << seed << ": " << packet.ToString();
        ++accepted;
      } else {
        ++dropped;
      }
    }
    for (const auto& piece : analysis->chains[0].accepted) {
      const Packet example = PacketAt(*piece.packets.Example(), analysis->interfaces);
      auto verdict = Evaluate(rules, 0, 0, example);
      ASSERT_TRUE(verdict.Ok());
      ASSERT_TRUE(verdict->accepted) << "seed " << seed << ": " << example.ToString();
      ASSERT_EQ(verdict->rule, piece.rule) << "seed " << seed << ": " << example.ToString();
    }
  }
  // Both outcomes were exercised.
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(dropped, 1000);
}

// With rules not modelled, whatever the evaluator accepts under either
// assumption (the rule matches / does not) is in the accepted set.
TEST(AnalysisTest, OverApproximatesRulesNotModelled) {
  std::mt19937 random(99);
  for (std::uint32_t seed = 1; seed <= 100; ++seed) {
    SyntheticOptions options;
    options.seed = seed;
    options.rules = 10 + static_cast<int>(seed % 30);
    options.inexact_percent = 30;
    const RuleSet rules = SyntheticRuleSet(options);
    auto analysis = Analyze(rules);
    ASSERT_TRUE(analysis.Ok());
    for (int probe = 0; probe < 150; ++probe) {
      const Packet packet = SyntheticPacket(random);
      const Point point = PointOf(packet, analysis->interfaces);
      bool in_set = false;
      bool certain = false;
      for (const auto& piece : analysis->chains[0].accepted) {
        if (piece.packets.Contains(point)) {
          in_set = true;
          certain = certain || !piece.Possible();
        }
      }
      for (Unmodelled assume : {Unmodelled::kAssumeMatch, Unmodelled::kAssumeNoMatch}) {
        auto verdict = Evaluate(rules, 0, 0, packet, assume);
        ASSERT_TRUE(verdict.Ok());
        if (verdict->accepted) {
          ASSERT_TRUE(in_set) << "seed " << seed << ": " << packet.ToString();
        }
        // A packet accepted for certain is accepted whatever the unknown rules do.
        if (certain) {
          ASSERT_TRUE(verdict->accepted) << "seed " << seed << ": " << packet.ToString();
        }
      }
    }
  }
}

TEST(AnalysisTest, HookUniverseGivesInterfacesWhereTheHookHasThem) {
  const InterfaceUniverse interfaces({{"eth0", false}});
  const PacketSet input = HookUniverse(Family::kIp, Hook::kInput, interfaces);
  Packet packet = Tcp("10.0.0.1", "10.0.0.2", 22);
  packet.output_interface = "";
  EXPECT_TRUE(input.Contains(PointOf(packet, interfaces)));
  packet.output_interface = "eth0";
  EXPECT_FALSE(input.Contains(PointOf(packet, interfaces)));
  // IPv4 chains do not see IPv6 packets, nor mixed ones.
  Packet v6 = Tcp("10.0.0.1", "10.0.0.2", 22);
  v6.destination = *ParseAddress("2001:db8::1");
  EXPECT_FALSE(HookUniverse(Family::kInet, Hook::kForward, interfaces)
                   .Contains(PointOf(v6, interfaces)));
}

}  // namespace
}  // namespace mamori::netcheck
