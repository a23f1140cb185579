#include "netcheck/rtx.h"

#include <gtest/gtest.h>

#include "netcheck/test_support.h"

namespace mamori::netcheck {
namespace {

using fixture::BadCase;
using fixture::kData;
using fixture::LineOf;
using fixture::Make;
using fixture::ReadFile;
using fixture::Warned;

// The rules of `chain` (0: in, 1: out) for one filter line.
std::vector<const Rule*> RulesAt(const RuleSet& rules, int chain, int line) {
  std::vector<const Rule*> out;
  for (const auto& rule : rules.tables.at(0).chains.at(static_cast<std::size_t>(chain)).rules) {
    if (rule.where.line == line) out.push_back(&rule);
  }
  return out;
}

bool AnyMatches(const std::vector<const Rule*>& rules, const Packet& packet) {
  return std::any_of(rules.begin(), rules.end(),
                     [&](const Rule* rule) { return rule->match.Matches(packet); });
}

// One filter 1 applied to lan1 in; its rules.
std::vector<const Rule*> One(const RuleSet& rules) { return RulesAt(rules, 0, 2); }

Result<RuleSet> Filter(const std::string& filter) {
  return ParseRtx("ip lan1 secure filter in 1\nip filter 1 " + filter + "\n", "f.conf");
}

// The line of `needle` in a fixture's configuration (after its header comment).
int Line(const std::string& text, const char* needle) {
  return LineOf(text, needle, LineOf(text, "login password"));
}

Packet From(const char* source, const char* destination, std::uint8_t protocol,
            std::uint16_t port) {
  return Make(source, destination, protocol, port, "lan1", "lan2");
}

TEST(RtxTest, ReadsTheAlphaFixture) {
  const std::string text = ReadFile(kData + "alpha_ok.rtx.conf");
  auto rules = ParseRtx(text, "alpha_ok.rtx.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(rules->tables.size(), 1u);
  EXPECT_EQ(rules->tables[0].family, Family::kIp);
  const auto& chains = rules->tables[0].chains;
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0].name, "secure filter in");
  EXPECT_EQ(chains[1].name, "secure filter out");
  EXPECT_LT(chains[0].priority, chains[1].priority);
  for (const auto& chain : chains) {
    EXPECT_EQ(chain.hook, Hook::kForward);
    EXPECT_EQ(chain.policy, ActionKind::kAccept);  // interfaces without a list
  }
  // In: return traffic; lan1 1100 1199 + deny; lan2 2100 2199 + deny; lan3 3100 3199 + deny.
  ASSERT_EQ(chains[0].rules.size(), 10u);
  // Out: return traffic; lan1 1200 1210 1220 1230, dynamic 1310 + deny; lan2 2010 2011
  // 2020 2030 2099, dynamic 2300 2301 + deny.
  ASSERT_EQ(chains[1].rules.size(), 15u);
  Packet back = Make("172.16.0.20", "10.20.3.3", 6, 50000, "lan2", "lan1");
  back.state = ConnectionState::kEstablished;
  EXPECT_TRUE(chains[0].rules[0].match.Matches(back));
  EXPECT_EQ(chains[0].rules[0].action, ActionKind::kAccept);
  // 1100 on lan1 in: https (443) and 8443.
  const auto vdi = RulesAt(*rules, 0, Line(text, "ip filter 1100"));
  ASSERT_EQ(vdi.size(), 1u);
  EXPECT_TRUE(vdi[0]->match.Matches(Make("10.20.1.1", "172.16.0.20", 6, 8443, "lan1", "lan2")));
  EXPECT_FALSE(vdi[0]->match.Matches(Make("10.20.1.1", "172.16.0.20", 6, 8443, "lan2", "lan2")));
  EXPECT_NE(vdi[0]->text.find("(ip lan1 secure filter in 1100 1199)"), std::string::npos);
  // The implicit deny of lan1 in names the secure filter line.
  const auto deny = RulesAt(*rules, 0, Line(text, "ip lan1 secure filter in"));
  ASSERT_EQ(deny.size(), 1u);
  EXPECT_EQ(deny[0]->action, ActionKind::kDrop);
  EXPECT_TRUE(deny[0]->match.Matches(Make("1.1.1.1", "2.2.2.2", 17, 53, "lan1", "lan3")));
  // 1210 on lan1 out: the source port range.
  const auto jumin = RulesAt(*rules, 1, Line(text, "ip filter 1210"));
  ASSERT_EQ(jumin.size(), 1u);
  Packet packet = Make("10.30.0.9", "10.20.0.50", 6, 8443, "lan3", "lan1");
  EXPECT_TRUE(jumin[0]->match.Matches(packet));
  packet.source_port = 1000;
  EXPECT_FALSE(jumin[0]->match.Matches(packet));
  // 2020: netbios_ns-netbios_ssn is 137-139.
  const auto netbios = RulesAt(*rules, 1, Line(text, "ip filter 2020"));
  packet = Make("10.20.0.9", "172.16.5.5", 17, 53, "lan1", "lan2");
  packet.source_port = 138;
  EXPECT_TRUE(AnyMatches(netbios, packet));
  // 2030 restrict tcpfin: inexact, warned once.
  const int restrict_line = Line(text, "ip filter 2030");
  const auto restrict = RulesAt(*rules, 1, restrict_line);
  ASSERT_EQ(restrict.size(), 1u);
  EXPECT_EQ(restrict[0] -> unmodelled_action, "restrict");
  EXPECT_EQ(restrict[0] -> match.unmodelled, std::vector<std::string>{"tcpfin"});
  EXPECT_TRUE(Warned(*rules, "conditions not modelled (tcpfin, restrict)", restrict_line));
  // Dynamic www: tcp 80 and 443; domain: 53.
  const auto www = RulesAt(*rules, 1, Line(text, "ip filter dynamic 2300"));
  ASSERT_EQ(www.size(), 1u);
  EXPECT_TRUE(www[0]->match.Matches(Make("10.20.0.9", "93.184.216.34", 6, 443, "lan1", "lan2")));
  // A trigger comes first and is inexact: RTX may match it before or after the static filters.
  EXPECT_FALSE(www[0]->Exact());
  EXPECT_EQ(chains[1].rules[1].where.line, Line(text, "ip filter dynamic 1310"));
  EXPECT_TRUE(Warned(*rules, "dynamic filter (before or after the static filters)",
                     Line(text, "ip filter dynamic 2300")));
  EXPECT_EQ(rules->warnings.size(), 4u);  // 2030 and the three dynamic filters
}

TEST(RtxTest, AddressForms) {
  auto rules = Filter("pass 192.168.1.*,10.0.0.5-10.0.0.9 172.16.0.0/255.255.0.0");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto r = One(*rules);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0]->Exact());
  EXPECT_TRUE(AnyMatches(r, From("192.168.1.77", "172.16.9.9", 6, 1)));
  EXPECT_TRUE(AnyMatches(r, From("10.0.0.9", "172.16.9.9", 6, 1)));
  EXPECT_FALSE(AnyMatches(r, From("10.0.0.10", "172.16.9.9", 6, 1)));
  EXPECT_FALSE(AnyMatches(r, From("192.168.2.1", "172.16.9.9", 6, 1)));
  EXPECT_FALSE(AnyMatches(r, From("192.168.1.1", "172.17.0.1", 6, 1)));
  // a- to the top, an FQDN (inexact: any address), a wildcard in the middle.
  auto open = Filter("reject 10.0.0.200- www.example.jp");
  ASSERT_TRUE(open.Ok()) << open.Err().ToString();
  const auto o = One(*open);
  EXPECT_TRUE(AnyMatches(o, From("10.255.0.1", "8.8.8.8", 6, 1)));
  EXPECT_FALSE(AnyMatches(o, From("10.0.0.199", "8.8.8.8", 6, 1)));
  EXPECT_FALSE(o[0]->Exact());
  auto middle = Filter("pass 192.*.1.1 *");
  ASSERT_TRUE(middle.Ok());
  EXPECT_EQ(One(*middle)[0]->match.unmodelled, std::vector<std::string>{"address 192.*.1.1"});
}

TEST(RtxTest, PortsAreComparedForTcpAndUdpOnly) {
  auto rules = Filter("reject * * * * 135,netbios_ssn");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto r = One(*rules);
  ASSERT_EQ(r.size(), 2u);  // tcp/udp with the ports; every other protocol
  EXPECT_TRUE(AnyMatches(r, From("1.1.1.1", "2.2.2.2", 6, 139)));
  EXPECT_TRUE(AnyMatches(r, From("1.1.1.1", "2.2.2.2", 17, 135)));
  EXPECT_FALSE(AnyMatches(r, From("1.1.1.1", "2.2.2.2", 6, 80)));
  EXPECT_TRUE(AnyMatches(r, From("1.1.1.1", "2.2.2.2", 1, 0)));   // ICMP: ports ignored
  EXPECT_TRUE(AnyMatches(r, From("1.1.1.1", "2.2.2.2", 47, 0)));  // GRE
  // icmp alone: the "ports" are type and code, not modelled.
  auto icmp = Filter("pass * * icmp 8 *");
  ASSERT_TRUE(icmp.Ok());
  EXPECT_FALSE(One(*icmp)[0]->Exact());
  EXPECT_TRUE(AnyMatches(One(*icmp), From("1.1.1.1", "2.2.2.2", 1, 0)));
  // Mnemonics, ranges a-b, a-, -b; ftp is 20 and 21 on RTX.
  auto named = Filter("pass * * tcp ftp,1024- -22,smtp-pop3");
  ASSERT_TRUE(named.Ok()) << named.Err().ToString();
  Packet packet = From("1.1.1.1", "2.2.2.2", 6, 110);
  packet.source_port = 20;
  EXPECT_TRUE(AnyMatches(One(*named), packet));
  packet.destination_port = 23;
  EXPECT_FALSE(AnyMatches(One(*named), packet));
  packet.destination_port = 21;
  packet.source_port = 1000;
  EXPECT_FALSE(AnyMatches(One(*named), packet));
  // A mnemonic not in the table: every port, inexact, warned.
  auto unknown = Filter("reject * * tcp * frobnitz");
  ASSERT_TRUE(unknown.Ok());
  EXPECT_FALSE(One(*unknown)[0]->Exact());
  EXPECT_TRUE(Warned(*unknown, "port mnemonic \"frobnitz\" is not modelled", 2));
}

TEST(RtxTest, ProtocolKeywords) {
  auto rules = Filter("pass * 10.0.0.0/8 established * *");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto r = One(*rules);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0]->Exact());
  // A TCP segment with ACK set cannot open a connection.
  Packet packet = From("1.1.1.1", "10.1.1.1", 6, 80);
  EXPECT_FALSE(AnyMatches(r, packet));
  packet.state = ConnectionState::kEstablished;
  EXPECT_TRUE(AnyMatches(r, packet));
  auto flags = Filter("reject * * tcpsyn,icmp-error,gre,50 * *");
  ASSERT_TRUE(flags.Ok()) << flags.Err().ToString();
  const auto f = One(*flags);
  EXPECT_EQ(f[0]->match.unmodelled, (std::vector<std::string>{"tcpsyn", "icmp-error"}));
  EXPECT_TRUE(AnyMatches(f, From("1.1.1.1", "2.2.2.2", 50, 0)));
  EXPECT_TRUE(AnyMatches(f, From("1.1.1.1", "2.2.2.2", 47, 0)));
  EXPECT_FALSE(AnyMatches(f, From("1.1.1.1", "2.2.2.2", 17, 53)));
}

TEST(RtxTest, InterfacesOfPpAndTunnelContexts) {
  const std::string text =
      "pp select 1\n"
      " ip pp secure filter in 10\n"
      " pp enable 1\n"
      "tunnel select 2\n"
      " ip tunnel secure filter out 10\n"
      "tunnel select none\n"
      "pp select anonymous\n"
      " ip pp secure filter in 10\n"
      "ip LAN1/1 secure filter out 10\n"
      "ip filter 10 pass * * * * *\n";
  auto rules = ParseRtx(text, "pp.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& in = rules->tables[0].chains[0].rules;
  const auto& out = rules->tables[0].chains[1].rules;
  ASSERT_EQ(in.size(), 4u);  // pp1: 10, deny; pp-anonymous: 10, deny
  EXPECT_TRUE(in[0].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "pp1", "lan1")));
  EXPECT_TRUE(in[2].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "pp-anonymous", "lan1")));
  ASSERT_EQ(out.size(), 4u);  // tunnel2, lan1/1
  EXPECT_TRUE(out[0].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "lan1", "tunnel2")));
  EXPECT_TRUE(out[2].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "lan2", "lan1/1")));
}

TEST(RtxTest, ListsUndefinedFiltersAndReplacedLines) {
  const std::string text =
      "ip lan1 secure filter in 1 2\n"
      "ip lan1 secure filter in 2 3 dynamic 9\n"
      "ip filter 2 reject * 10.0.0.0/8\n"
      "ip filter 5 pass * * udp * 53\n"
      "ip filter dynamic 9 10.1.0.0/16 * filter 5 in 6\n";
  auto rules = ParseRtx(text, "l.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& in = rules->tables[0].chains[0].rules;
  // Return traffic, the dynamic filter's trigger (filter 5's udp/53 from its own
  // addresses; first and inexact), 2, (3 undefined), deny.
  ASSERT_EQ(in.size(), 4u);
  EXPECT_EQ(in[1].where.line, 5);
  EXPECT_FALSE(in[1].Exact());
  EXPECT_TRUE(in[1].match.Matches(Make("10.1.2.3", "8.8.8.8", 17, 53, "lan1", "lan2")));
  EXPECT_FALSE(in[1].match.Matches(Make("10.2.2.3", "8.8.8.8", 17, 53, "lan1", "lan2")));
  EXPECT_EQ(in[2].where.line, 3);
  EXPECT_TRUE(Warned(*rules, "filter 3 is not defined: skipped", 2));
  auto verdict = EvaluateForward(*rules, Make("10.1.2.3", "8.8.8.8", 6, 80, "lan1", "lan2"));
  ASSERT_TRUE(verdict.Ok());
  EXPECT_FALSE(verdict->accepted);
  EXPECT_EQ(verdict->rule.rule, 3);  // the implicit deny
}

TEST(RtxTest, FilterSetsAndIpv6AreWarned) {
  auto rules = ParseRtx(
      "ip filter set web in 1\nip lan2 secure filter name web\n"
      "ipv6 lan2 secure filter in 101\nip lan2 nat descriptor 1\n",
      "s.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  EXPECT_TRUE(Warned(*rules, "filter sets (ip filter set)", 1));
  EXPECT_TRUE(Warned(*rules, "lan2 is taken to discard nothing", 2));
  EXPECT_TRUE(Warned(*rules, "IPv6 filters", 3));
  EXPECT_TRUE(Warned(*rules, "NAT (nat descriptor) is not applied", 4));
  const auto& in = rules->tables[0].chains[0].rules;
  ASSERT_EQ(in.size(), 1u);  // accepts all: no implicit deny after it
  EXPECT_EQ(in[0].unmodelled_action, "secure filter name");
}

class RtxErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(RtxErrorTest, NamesFileLineAndWhy) {
  auto rules = ParseRtx(GetParam().text, "bad.conf");
  ASSERT_FALSE(rules.Ok());
  fixture::ExpectHeadline(rules.Err(), "bad.conf", GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Bad, RtxErrorTest,
    ::testing::Values(
        BadCase{"Number", "# c\nip filter 0 pass * *\n", 2, "the filter number \"0\" must be"},
        BadCase{"Action", "ip filter 1 allow * *\n", 1, "unknown action \"allow\""},
        BadCase{"Address", "ip filter 1 pass 10.0.0.300 *\n", 1,
                "cannot read address \"10.0.0.300\""},
        BadCase{"Ipv6", "ip filter 1 pass 2001:db8::1 *\n", 1, "an IPv6 address"},
        BadCase{"Port", "ip filter 1 pass * * tcp * 70000\n", 1, "cannot read port \"70000\""},
        BadCase{"PortRange", "ip filter 1 pass * * tcp * 90-80\n", 1, "starts after it ends"},
        BadCase{"Protocol", "ip filter 1 pass * * 300\n", 1, "cannot read protocol \"300\""},
        BadCase{"TooShort", "ip filter 1 pass\n", 1, "ip filter takes NUMBER ACTION SRC"},
        BadCase{"Direction", "ip lan1 secure filter sideways 1\n", 1, "takes in or out"},
        BadCase{"ListNumber", "ip lan1 secure filter in 1 x\n", 1,
                "cannot read the filter number \"x\""},
        BadCase{"PpOutsideSelect", "ip pp secure filter in 1\n", 1, "outside pp select"},
        BadCase{"Dynamic", "ip filter dynamic 5 * *\n", 1, "ip filter dynamic takes"}),
    fixture::CaseName);

TEST(RtxTest, ReportsEveryErrorOfTheFile) {
  auto rules = ParseRtx("ip filter 1 pass 10.0.0.256 *\nip filter 2 pass * 1.2.3\n", "two.conf");
  ASSERT_FALSE(rules.Ok());
  ASSERT_EQ(rules.Err().Diagnostics().size(), 2u);
  EXPECT_EQ(rules.Err().Diagnostics()[1].where.line, 2);
}

TEST(RtxTest, LimitsAreEnforced) {
  RtxLimits limits;
  limits.max_filters = 1;
  auto rules = ParseRtx("ip filter 1 pass * *\nip filter 2 pass * *\n", "l.conf", limits);
  ASSERT_FALSE(rules.Ok());
  EXPECT_EQ(rules.Err().Code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(rules.Err().Headline().where.line, 2);
}

TEST(RtxTest, TellsItsFormat) {
  EXPECT_TRUE(LooksLikeRtx("# RTX1210 Rev.14.01.42\nlogin password *\n"));
  EXPECT_TRUE(LooksLikeRtx("ip lan1 address 10.0.0.1/24\nip lan1 secure filter in 1\n"));
  EXPECT_FALSE(LooksLikeRtx("config firewall policy\nend\n"));
  EXPECT_FALSE(LooksLikeRtx("*filter\n-A FORWARD -j ACCEPT\n"));
}

// --- The α fixtures through the check ----------------------------------------

TEST(RtxCheckTest, AlphaWithoutHoleConforms) {
  auto rules = ParseRtx(ReadFile(kData + "alpha_ok.rtx.conf"), "alpha_ok.rtx.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const CheckReport report = fixture::RunCheck(*rules, "alpha_zones_rtx.toml");
  fixture::ExpectAlphaConforms(report);
}

TEST(RtxCheckTest, AlphaHoleIsThePassBeforeTheReject) {
  const std::string text = ReadFile(kData + "alpha_hole.rtx.conf");
  auto rules = ParseRtx(text, "alpha_hole.rtx.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const CheckReport report = fixture::RunCheck(*rules, "alpha_zones_rtx.toml");
  ASSERT_EQ(report.violations.size(), 1u) << ReportToText(report);
  const Violation& hole = report.violations[0];
  EXPECT_EQ(hole.from, "internet");
  EXPECT_EQ(hole.to, "lgwan");
  EXPECT_EQ(hole.mode, policy::FlowMode::kSanitized);
  EXPECT_FALSE(hole.possible);
  ASSERT_EQ(hole.rules.size(), 2u);  // lan2's in list, lan1's out list
  EXPECT_EQ(hole.rules[0].where,
            "alpha_hole.rtx.conf:" + std::to_string(Line(text, "ip filter 2100")));
  EXPECT_EQ(hole.rules[1].where,
            "alpha_hole.rtx.conf:" + std::to_string(Line(text, "ip filter 1230")));
  EXPECT_EQ(hole.example.source, "172.16.0.1");
  EXPECT_EQ(hole.example.destination, "10.20.0.1");
  EXPECT_EQ(hole.example.protocol_name, "tcp");
  EXPECT_EQ(hole.example.destination_port, 443);
  EXPECT_EQ(hole.example.input_interface, "lan2");
  EXPECT_EQ(hole.example.output_interface, "lan1");
  EXPECT_EQ(fixture::Pair(report, "lgwan", "internet").status, PairStatus::kConforms);
  EXPECT_EQ(fixture::Pair(report, "mynumber", "lgwan").status, PairStatus::kConforms);
}

}  // namespace
}  // namespace mamori::netcheck
