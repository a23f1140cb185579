#include "netcheck/iptables.h"

#include <gtest/gtest.h>

#include "netcheck/test_support.h"

namespace mamori::netcheck {
namespace {

using fixture::kData;
using fixture::Make;
using fixture::ReadFile;

std::string Wrap(const std::string& rules) {
  return "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
         ":USER - [0:0]\n" +
         rules + "COMMIT\n";
}

const Rule& OnlyRule(const RuleSet& rules) {
  return rules.tables.at(0).chains.at(1).rules.at(0);
}

TEST(IptablesTest, ReadsTheAlphaFixture) {
  auto rules = ParseIptablesSave(ReadFile(kData + "alpha_ok.rules"), "alpha_ok.rules");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(rules->tables.size(), 1u);  // nat is skipped, with a warning
  const Table& filter = rules->tables[0];
  EXPECT_EQ(filter.family, Family::kIp);
  ASSERT_EQ(filter.chains.size(), 4u);
  EXPECT_EQ(filter.chains[1].name, "FORWARD");
  EXPECT_EQ(filter.chains[1].hook, Hook::kForward);
  EXPECT_EQ(filter.chains[1].policy, ActionKind::kDrop);
  EXPECT_EQ(filter.chains[2].policy, ActionKind::kAccept);
  EXPECT_FALSE(filter.chains[3].Base());
  const Rule& screen = filter.chains[1].rules[3];
  EXPECT_EQ(screen.where.line, 12);
  EXPECT_EQ(screen.comment, "画面転送");
  EXPECT_TRUE(screen.Exact());
  EXPECT_TRUE(screen.match.Matches(Make("10.20.1.1", "172.16.0.20", 6, 8443, "eth1", "eth0")));
  EXPECT_FALSE(screen.match.Matches(Make("10.20.1.1", "172.16.0.20", 6, 8080, "eth1", "eth0")));
  EXPECT_FALSE(screen.match.Matches(Make("10.20.1.1", "172.16.0.20", 17, 443, "eth1", "eth0")));
  const Rule& jump = filter.chains[1].rules[2];
  EXPECT_EQ(jump.action, ActionKind::kJump);
  EXPECT_EQ(jump.target_chain, 3);
  EXPECT_EQ(filter.chains[1].rules[5].action, ActionKind::kContinue);  // LOG
  ASSERT_EQ(rules->warnings.size(), 1u);
  EXPECT_NE(rules->warnings[0].message_en.find("nat"), std::string::npos);
  EXPECT_EQ(rules->warnings[0].where.line, 19);
}

TEST(IptablesTest, ReadsIp6tablesFromItsHeader) {
  auto rules = ParseIptablesSave(ReadFile(kData + "alpha_ok.rules6"), "alpha_ok.rules6");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  EXPECT_EQ(rules->tables[0].family, Family::kIp6);
  EXPECT_TRUE(rules->tables[0].chains[1].rules[1].match.Matches(
      Make("2001:db8:16::5", "2001:db8:20::10", 6, 443)));
}

TEST(IptablesTest, NegationRangesAndWildcards) {
  auto rules = ParseIptablesSave(
      Wrap("-A FORWARD ! -s 10.0.0.0/8 -d 192.0.2.0/255.255.255.0 -i eth+ ! -o ppp0 -p tcp "
           "-m tcp ! --dport 1024:65535 -j ACCEPT\n"),
      "t.rules");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const Match& match = OnlyRule(*rules).match;
  EXPECT_TRUE(match.Matches(Make("172.16.0.1", "192.0.2.9", 6, 22, "eth3", "eth1")));
  EXPECT_FALSE(match.Matches(Make("10.1.1.1", "192.0.2.9", 6, 22, "eth3", "eth1")));
  EXPECT_FALSE(match.Matches(Make("172.16.0.1", "192.0.3.9", 6, 22, "eth3", "eth1")));
  EXPECT_FALSE(match.Matches(Make("172.16.0.1", "192.0.2.9", 6, 2000, "eth3", "eth1")));
  EXPECT_FALSE(match.Matches(Make("172.16.0.1", "192.0.2.9", 6, 22, "wlan0", "eth1")));
  EXPECT_FALSE(match.Matches(Make("172.16.0.1", "192.0.2.9", 6, 22, "eth3", "ppp0")));
  EXPECT_TRUE(OnlyRule(*rules).Exact());
}

TEST(IptablesTest, MultiportIprangeStateAndComment) {
  auto rules = ParseIptablesSave(
      Wrap("-A FORWARD -p udp -m iprange --src-range 10.0.0.5-10.0.0.9 ! --dst-range "
           "10.1.0.0-10.1.0.255 -m multiport --dports 53,123,5000:5010 -m state --state NEW "
           "-m comment --comment \"DNS \\\"and\\\" NTP\" -j ACCEPT\n"),
      "t.rules");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const Rule& rule = OnlyRule(*rules);
  EXPECT_EQ(rule.comment, "DNS \"and\" NTP");
  EXPECT_TRUE(rule.match.Matches(Make("10.0.0.7", "10.2.0.1", 17, 5005)));
  EXPECT_FALSE(rule.match.Matches(Make("10.0.0.4", "10.2.0.1", 17, 53)));
  EXPECT_FALSE(rule.match.Matches(Make("10.0.0.7", "10.1.0.9", 17, 53)));
  EXPECT_FALSE(rule.match.Matches(Make("10.0.0.7", "10.2.0.1", 17, 124)));
  Packet established = Make("10.0.0.7", "10.2.0.1", 17, 53);
  established.state = ConnectionState::kEstablished;
  EXPECT_FALSE(rule.match.Matches(established));
}

TEST(IptablesTest, GotoReturnRejectAndCounters) {
  auto rules = ParseIptablesSave(
      Wrap("[5:300] -A FORWARD -p icmp -j REJECT --reject-with icmp-port-unreachable\n"
           "-A FORWARD -g USER\n-A USER -j RETURN\n-A USER -c 1 2 -j DROP\n"),
      "t.rules");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& forward = rules->tables[0].chains[1].rules;
  EXPECT_EQ(forward[0].action, ActionKind::kReject);
  EXPECT_EQ(forward[1].action, ActionKind::kGoto);
  EXPECT_EQ(forward[1].target_chain, 3);
  EXPECT_EQ(rules->tables[0].chains[3].rules[0].action, ActionKind::kReturn);
  EXPECT_EQ(rules->tables[0].chains[3].rules[1].action, ActionKind::kDrop);
}

TEST(IptablesTest, ConstructsNotModelledAreWarnedAndKept) {
  auto rules = ParseIptablesSave(
      Wrap("-A FORWARD -s 10.0.0.0/8 -p tcp -m tcp --tcp-flags SYN,RST SYN -m recent --name x "
           "--rcheck --seconds 60 -j ACCEPT\n-A FORWARD -j NFQUEUE --queue-num 1\n"),
      "t.rules");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& forward = rules->tables[0].chains[1].rules;
  ASSERT_EQ(forward[0].match.unmodelled.size(), 2u);
  EXPECT_EQ(forward[0].match.unmodelled[0], "--tcp-flags SYN,RST SYN");
  EXPECT_EQ(forward[0].match.unmodelled[1], "-m recent --name x --rcheck --seconds 60");
  // The modelled part is kept: the over-approximation still needs 10/8 and tcp.
  EXPECT_FALSE(forward[0].match.Matches(Make("11.0.0.1", "10.0.0.1", 6, 80)));
  EXPECT_TRUE(forward[0].match.Matches(Make("10.0.0.1", "10.0.0.1", 6, 80)));
  EXPECT_EQ(forward[1].action, ActionKind::kAccept);
  EXPECT_EQ(forward[1].unmodelled_action, "-j NFQUEUE");
  ASSERT_EQ(rules->warnings.size(), 2u);
  EXPECT_EQ(rules->warnings[0].where.line, 6);
  EXPECT_EQ(rules->warnings[1].where.line, 7);
}

struct BadCase {
  const char* text;
  int line;
  const char* english;  // part of the message
};

class IptablesErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(IptablesErrorTest, NamesFileLineAndWhy) {
  const BadCase& bad = GetParam();
  auto rules = ParseIptablesSave(bad.text, "bad.rules");
  ASSERT_FALSE(rules.Ok());
  const Diagnostic& headline = rules.Err().Headline();
  EXPECT_EQ(headline.where.file, "bad.rules");
  EXPECT_EQ(headline.where.line, bad.line) << headline.ToString();
  EXPECT_NE(headline.message_en.find(bad.english), std::string::npos) << headline.ToString();
  EXPECT_FALSE(headline.message_ja.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Bad, IptablesErrorTest,
    ::testing::Values(
        BadCase{"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -s 10.0.0.300 -j ACCEPT\nCOMMIT\n", 3,
                "not an IPv4 or IPv6 address"},
        BadCase{"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -p tcp --dport 70000 -j ACCEPT\nCOMMIT\n",
                3, "cannot read port \"70000\""},
        BadCase{"*filter\n:FORWARD DROP [0:0]\n-A NOPE -j ACCEPT\nCOMMIT\n", 3,
                "the chain \"NOPE\" is not declared"},
        BadCase{"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -j nowhere\nCOMMIT\n", 3,
                "the chain \"nowhere\" is not declared"},
        BadCase{"*filter\n:FORWARD MAYBE [0:0]\nCOMMIT\n", 2, "ACCEPT or DROP"},
        BadCase{"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -s\nCOMMIT\n", 3, "missing value after -s"},
        BadCase{"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m comment --comment \"open\nCOMMIT\n", 3,
                "unterminated quote"},
        BadCase{"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m conntrack --ctstate NEWISH -j ACCEPT\n"
                "COMMIT\n",
                3, "unknown connection state \"NEWISH\""},
        BadCase{"-A FORWARD -j ACCEPT\n", 1, "outside a table"},
        BadCase{"*filter\n:FORWARD DROP [0:0]\n", 2, "without COMMIT"},
        BadCase{"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -s 10.0.0.1 -d 2001:db8::1 -j ACCEPT\n"
                "COMMIT\n",
                3, "IPv6 address in IPv4 rules"},
        BadCase{"*filter\n:FORWARD DROP [0:0]\n-A FORWARD accept\nCOMMIT\n", 3,
                "unexpected word \"accept\""},
        BadCase{"*filter\n:FORWARD DROP [0:0]\nFORWARD -j ACCEPT\nCOMMIT\n", 3,
                "cannot read the line"}));

TEST(IptablesTest, ReportsEveryErrorOfTheFile) {
  auto rules = ParseIptablesSave(
      "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -s x -j ACCEPT\n-A FORWARD -d y -j ACCEPT\nCOMMIT\n",
      "two.rules");
  ASSERT_FALSE(rules.Ok());
  ASSERT_EQ(rules.Err().Diagnostics().size(), 2u);
  EXPECT_EQ(rules.Err().Diagnostics()[1].where.line, 4);
}

TEST(IptablesTest, LimitsAreEnforced) {
  IptablesLimits limits;
  limits.max_rules = 1;
  auto rules = ParseIptablesSave(Wrap("-A FORWARD -j ACCEPT\n-A FORWARD -j DROP\n"), "t.rules",
                                 IptablesFamily::kIpv4, limits);
  ASSERT_FALSE(rules.Ok());
  EXPECT_EQ(rules.Err().Code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(rules.Err().Headline().where.line, 7);
}

TEST(IptablesTest, TellsItsFormat) {
  EXPECT_TRUE(LooksLikeIptablesSave("# Generated by iptables-save\n*filter\n"));
  EXPECT_TRUE(LooksLikeIptablesSave("-A FORWARD -j ACCEPT\n"));
  EXPECT_FALSE(LooksLikeIptablesSave("{\"nftables\": []}"));
  EXPECT_FALSE(LooksLikeIptablesSave("[zones.lgwan]\n"));
}

}  // namespace
}  // namespace mamori::netcheck
