#include "netcheck/fortigate.h"

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

constexpr const char* kInterfaces =
    "config system interface\n"
    "    edit \"port1\"\n        set vdom \"root\"\n    next\n"
    "    edit \"port2\"\n        set vdom \"root\"\n    next\n"
    "end\n";

// Interfaces, `objects`, then `policies` inside config firewall policy.
std::string Config(const std::string& objects, const std::string& policies) {
  return std::string(kInterfaces) + objects + "config firewall policy\n" + policies + "end\n";
}

std::string Policy(const std::string& id, const std::string& settings) {
  return "    edit " + id + "\n        set srcintf \"port1\"\n        set dstintf \"port2\"\n" +
         settings + "    next\n";
}

const std::vector<Rule>& Rules(const RuleSet& rules) {
  return rules.tables.at(0).chains.at(0).rules;
}

TEST(FortiGateTest, ReadsTheAlphaFixture) {
  const std::string text = ReadFile(kData + "alpha_ok.fortigate.conf");
  auto rules = ParseFortiGate(text, "alpha_ok.fortigate.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(rules->tables.size(), 1u);
  const Table& table = rules->tables[0];
  EXPECT_EQ(table.family, Family::kInet);
  ASSERT_EQ(table.chains.size(), 1u);
  const Chain& chain = table.chains[0];
  EXPECT_EQ(chain.hook, Hook::kForward);
  EXPECT_EQ(chain.policy, ActionKind::kDrop);  // the implicit deny
  EXPECT_EQ(chain.where.line, LineOf(text, "config firewall policy"));
  // The zone's intrazone allow, policies 1, 2, 3 and 5 (4 is disabled).
  ASSERT_EQ(chain.rules.size(), 5u);
  EXPECT_EQ(chain.rules[0].text, "zone \"lgwan\" intrazone allow");
  const Rule& vip = chain.rules[1];
  EXPECT_EQ(vip.where.line, LineOf(text, "    edit 1"));
  EXPECT_EQ(vip.action, ActionKind::kAccept);
  EXPECT_TRUE(vip.Exact());
  EXPECT_EQ(vip.comment, "inet-to-mugaika");
  // dstaddr names the VIP: the mapped address, tcp/443 (HTTPS), port1 → the zone's port2.
  EXPECT_TRUE(vip.match.Matches(Make("198.51.100.7", "10.20.0.10", 6, 443, "port1", "port2")));
  EXPECT_FALSE(vip.match.Matches(Make("198.51.100.7", "203.0.113.10", 6, 443, "port1", "port2")));
  EXPECT_FALSE(vip.match.Matches(Make("198.51.100.7", "10.20.0.10", 6, 80, "port1", "port2")));
  EXPECT_FALSE(vip.match.Matches(Make("198.51.100.7", "10.20.0.10", 6, 443, "port3", "port2")));
  // Nested groups: screen-servers = vdi + (vdi-standby-grp = vdi-standby).
  const Rule& screen = chain.rules[2];
  EXPECT_TRUE(screen.match.Matches(Make("10.20.3.4", "172.16.0.21", 6, 8443, "port2", "port1")));
  EXPECT_FALSE(screen.match.Matches(Make("10.20.3.4", "172.16.0.22", 6, 8443, "port2", "port1")));
  // "8443:1024-65535": destination 8443 from source ports 1024-65535.
  const Rule& jumin = chain.rules[3];
  EXPECT_EQ(jumin.comment, "住民情報連携 (3(1)①)");
  Packet low_port = Make("10.30.0.5", "10.20.0.50", 6, 8443, "port3", "port2");
  EXPECT_TRUE(jumin.match.Matches(low_port));
  low_port.source_port = 1023;
  EXPECT_FALSE(jumin.match.Matches(low_port));
  // No `set action`: deny, FortiOS's default.
  EXPECT_EQ(chain.rules[4].action, ActionKind::kDrop);
  EXPECT_EQ(chain.rules[4].where.line, LineOf(text, "    edit 5"));
  EXPECT_TRUE(Warned(*rules, "names a VIP", LineOf(text, "    edit 1")));
  EXPECT_TRUE(Warned(*rules, "disabled", LineOf(text, "    edit 4")));
  EXPECT_TRUE(Warned(*rules, "(type fqdn)", LineOf(text, "edit \"os-update\"")));
  EXPECT_EQ(rules->warnings.size(), 3u);
}

TEST(FortiGateTest, QuotesEscapesCommentsAndLinesInsideQuotes) {
  const std::string text =
      "#config-version=FGT60F-7.2.8\n"
      "config firewall address\n"
      "    edit \"a \\\"quoted\\\" name\"\n"
      "        set comment 'single # not a comment'\n"
      "        set subnet 192.0.2.0 255.255.255.0\n"
      "    next\n"
      "end\n"
      "config vpn certificate local\n"
      "    edit \"cert\"\n"
      "        set certificate \"-----BEGIN CERTIFICATE-----\n"
      "MIIB\n"
      "-----END CERTIFICATE-----\"\n"
      "    next\n"
      "end\n"
      "config firewall policy\n"
      "    edit 7\n"
      "        set srcintf \"port1\"\n"
      "        set dstintf \"port2\"\n"
      "        set srcaddr \"a \\\"quoted\\\" name\"\n"
      "        set dstaddr \"all\"\n"
      "        set action accept\n"
      "        set service \"ALL\"\n"
      "    next\n"
      "end\n";
  auto rules = ParseFortiGate(text, "q.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(Rules(*rules).size(), 1u);
  const Rule& rule = Rules(*rules)[0];
  EXPECT_EQ(rule.where.line, 16);  // after the three lines of the certificate
  EXPECT_TRUE(rule.match.Matches(Make("192.0.2.9", "8.8.8.8", 17, 53, "port1", "port2")));
  EXPECT_FALSE(rule.match.Matches(Make("192.0.3.9", "8.8.8.8", 17, 53, "port1", "port2")));
  // No config system interface: names are taken as written.
  EXPECT_FALSE(rule.match.Matches(Make("192.0.2.9", "8.8.8.8", 17, 53, "port9", "port2")));
  EXPECT_TRUE(rules->warnings.empty());
}

TEST(FortiGateTest, ServicesPortRangesProtocolsAndPredefined) {
  auto rules = ParseFortiGate(
      Config("config firewall service custom\n"
             "    edit \"WEB-ALT\"\n        set tcp-portrange 8000-8080 443:1024-65535\n"
             "        set udp-portrange 53\n    next\n"
             "    edit \"GRE-ONLY\"\n        set protocol IP\n        set protocol-number 47\n    "
             "next\n"
             "    edit \"ECHO\"\n        set protocol ICMP\n        set icmptype 8\n    next\n"
             "end\n",
             Policy("1",
                    "        set srcaddr \"all\"\n        set dstaddr \"all\"\n"
                    "        set action accept\n        set service \"WEB-ALT\" \"GRE-ONLY\"\n") +
                 Policy("2",
                        "        set srcaddr \"all\"\n        set dstaddr \"all\"\n"
                        "        set action accept\n        set service \"DNS\" \"ALL_ICMP\"\n") +
                 Policy("3",
                        "        set srcaddr \"all\"\n        set dstaddr \"all\"\n"
                        "        set action deny\n        set service \"ECHO\"\n")),
      "s.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& r = Rules(*rules);
  // Policy 1: tcp 8000-8080 (any source port), tcp 443 from 1024+, udp 53, GRE: four
  // rules; policy 2: tcp 53, udp 53, icmp: three.
  ASSERT_EQ(r.size(), 4u + 3u + 1u);
  auto matches = [&](std::size_t from, std::size_t to, Packet packet) {
    for (std::size_t i = from; i < to; ++i) {
      if (r[i].match.Matches(packet)) return true;
    }
    return false;
  };
  EXPECT_TRUE(matches(0, 4, Make("1.1.1.1", "2.2.2.2", 6, 8080, "port1", "port2")));
  EXPECT_TRUE(matches(0, 4, Make("1.1.1.1", "2.2.2.2", 6, 443, "port1", "port2")));
  Packet privileged = Make("1.1.1.1", "2.2.2.2", 6, 443, "port1", "port2");
  privileged.source_port = 80;
  EXPECT_FALSE(matches(0, 4, privileged));
  EXPECT_TRUE(matches(0, 4, Make("1.1.1.1", "2.2.2.2", 17, 53, "port1", "port2")));
  EXPECT_FALSE(matches(0, 4, Make("1.1.1.1", "2.2.2.2", 6, 53, "port1", "port2")));
  EXPECT_TRUE(matches(0, 4, Make("1.1.1.1", "2.2.2.2", 47, 0, "port1", "port2")));
  // Policy 2, predefined: DNS (tcp and udp 53) and ALL_ICMP.
  EXPECT_TRUE(matches(4, 7, Make("1.1.1.1", "2.2.2.2", 6, 53, "port1", "port2")));
  EXPECT_TRUE(matches(4, 7, Make("1.1.1.1", "2.2.2.2", 1, 0, "port1", "port2")));
  EXPECT_FALSE(matches(4, 7, Make("1.1.1.1", "2.2.2.2", 6, 80, "port1", "port2")));
  for (std::size_t i = 0; i < 7; ++i) EXPECT_TRUE(r[i].Exact()) << i;
  // Policy 3: an ICMP type is not modelled; the deny is kept but inexact.
  EXPECT_FALSE(r[7].Exact());
  EXPECT_EQ(r[7].match.unmodelled, std::vector<std::string>{"ECHO icmptype 8"});
  EXPECT_TRUE(Warned(*rules, "conditions not modelled (ECHO icmptype 8)"));
}

TEST(FortiGateTest, AddressKindsNegationAndNestedGroupsWithExclusion) {
  auto rules = ParseFortiGate(
      Config(
          "config firewall address\n"
          "    edit \"range\"\n        set type iprange\n        set start-ip 10.0.0.5\n"
          "        set end-ip 10.0.0.9\n    next\n"
          "    edit \"net\"\n        set subnet 10.0.0.0/24\n    next\n"
          "    edit \"web\"\n        set type fqdn\n        set fqdn \"www.example.jp\"\n    next\n"
          "    edit \"jp\"\n        set type geography\n        set country \"JP\"\n    next\n"
          "end\n"
          "config firewall address6\n"
          "    edit \"v6net\"\n        set ip6 2001:db8:1::/48\n    next\n"
          "end\n"
          "config firewall addrgrp\n"
          "    edit \"inner\"\n        set member \"range\"\n    next\n"
          "    edit \"outer\"\n        set member \"net\" \"inner\"\n        set exclude enable\n"
          "        set exclude-member \"range\"\n    next\n"
          "end\n",
          Policy("1",
                 "        set srcaddr \"outer\"\n        set dstaddr \"all\"\n"
                 "        set srcaddr6 \"v6net\"\n        set dstaddr6 \"all\"\n"
                 "        set action accept\n        set service \"ALL\"\n") +
              Policy("2",
                     "        set srcaddr \"net\"\n        set srcaddr-negate enable\n"
                     "        set dstaddr \"web\" \"jp\"\n        set action accept\n"
                     "        set service \"ALL\"\n")),
      "a.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& r = Rules(*rules);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].Exact());
  EXPECT_TRUE(r[0].match.Matches(Make("10.0.0.4", "8.8.8.8", 6, 1, "port1", "port2")));
  EXPECT_FALSE(
      r[0].match.Matches(Make("10.0.0.7", "8.8.8.8", 6, 1, "port1", "port2")));  // excluded
  EXPECT_TRUE(r[0].match.Matches(Make("2001:db8:1::5", "2001:db8:9::1", 6, 1, "port1", "port2")));
  EXPECT_FALSE(r[0].match.Matches(Make("2001:db8:2::5", "2001:db8:9::1", 6, 1, "port1", "port2")));
  // Negated source; the FQDN and the country are every IPv4 address, inexact.
  EXPECT_FALSE(r[1].Exact());
  EXPECT_TRUE(r[1].match.Matches(Make("10.0.1.1", "8.8.8.8", 6, 1, "port1", "port2")));
  EXPECT_FALSE(r[1].match.Matches(Make("10.0.0.1", "8.8.8.8", 6, 1, "port1", "port2")));
  EXPECT_TRUE(Warned(*rules, "address \"web\" (type fqdn) is not modelled"));
  EXPECT_TRUE(Warned(*rules, "address \"jp\" (type geography) is not modelled"));
}

TEST(FortiGateTest, NegatingAnInexactSetGivesEveryAddress) {
  auto rules =
      ParseFortiGate(Config("config firewall address\n    edit \"web\"\n        set type fqdn\n"
                            "        set fqdn \"www.example.jp\"\n    next\nend\n",
                            Policy("1",
                                   "        set srcaddr \"all\"\n        set dstaddr \"web\"\n"
                                   "        set dstaddr-negate enable\n        set action deny\n"
                                   "        set service \"ALL\"\n")),
                     "n.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const Rule& rule = Rules(*rules)[0];
  EXPECT_FALSE(rule.Exact());
  // The complement of "some address" could be any address but the one.
  EXPECT_TRUE(rule.match.Matches(Make("1.1.1.1", "93.184.216.34", 6, 1, "port1", "port2")));
}

TEST(FortiGateTest, ConditionsNotModelledMakeThePolicyInexact) {
  auto rules = ParseFortiGate(
      Config("", Policy("1",
                        "        set srcaddr \"all\"\n        set dstaddr \"all\"\n"
                        "        set action deny\n        set service \"ALL\"\n"
                        "        set schedule \"weekdays\"\n        set groups \"staff\"\n"
                        "        set logtraffic all\n        set av-profile \"default\"\n"
                        "        set frobnicate enable\n") +
                     Policy("2",
                            "        set srcaddr \"all\"\n        set dstaddr \"all\"\n"
                            "        set internet-service enable\n"
                            "        set internet-service-name \"Microsoft-Web\"\n"
                            "        set action accept\n        set service \"ALL\"\n")),
      "u.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& r = Rules(*rules);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].match.unmodelled,
            (std::vector<std::string>{"set groups \"staff\"", "set frobnicate",
                                      "schedule \"weekdays\""}));
  // An unknown setting is named with its line.
  EXPECT_TRUE(Warned(*rules, "setting frobnicate of policy 1 is not modelled", 21));
  // internet-service: the destination is FortiGuard's database, every address here.
  EXPECT_FALSE(r[1].Exact());
  EXPECT_TRUE(r[1].match.Matches(Make("1.1.1.1", "20.1.2.3", 6, 443, "port1", "port2")));
}

TEST(FortiGateTest, VipWithPortForwardingAndUnknownObjectSettings) {
  auto rules = ParseFortiGate(
      Config("config firewall vip\n    edit \"web\"\n        set extip 203.0.113.5\n"
             "        set mappedip \"10.0.0.5-10.0.0.6\"\n        set portforward enable\n"
             "        set extport 8080\n        set mappedport 80\n    next\nend\n"
             "config firewall address\n    edit \"odd\"\n        set subnet 10.9.0.0/16\n"
             "        set shiny yes\n    next\nend\n"
             "config system ha\n    set mode a-p\nend\n",
             Policy("1",
                    "        set srcaddr \"odd\"\n        set dstaddr \"web\"\n"
                    "        set action accept\n        set service \"HTTP\"\n")),
      "v.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const Rule& rule = Rules(*rules)[0];
  EXPECT_TRUE(rule.match.Matches(Make("10.9.1.1", "10.0.0.6", 6, 80, "port1", "port2")));
  EXPECT_FALSE(rule.Exact());  // port forwarding, and the unknown "shiny"
  EXPECT_TRUE(Warned(*rules, "setting shiny of アドレス / address \"odd\" is not modelled", 21));
  EXPECT_TRUE(Warned(*rules, "names a VIP"));
}

TEST(FortiGateTest, ZonesAnyAndUnknownInterfaces) {
  auto rules = ParseFortiGate(
      Config("config system zone\n    edit \"inside\"\n        set interface \"port1\" \"port2\"\n"
             "    next\nend\n",
             "    edit 1\n        set srcintf \"inside\"\n        set dstintf \"any\"\n"
             "        set srcaddr \"all\"\n        set dstaddr \"all\"\n        set action accept\n"
             "        set service \"ALL\"\n    next\n"
             "    edit 2\n        set srcintf \"ghost\"\n        set dstintf \"port1\"\n"
             "        set srcaddr \"all\"\n        set dstaddr \"all\"\n        set action deny\n"
             "        set service \"ALL\"\n    next\n"),
      "z.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& r = Rules(*rules);
  EXPECT_TRUE(r[0].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "port2", "wan9")));
  EXPECT_FALSE(r[0].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "port3", "wan9")));
  // An interface that is not defined: any interface, inexact.
  EXPECT_FALSE(r[1].Exact());
  EXPECT_TRUE(r[1].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "port7", "port1")));
}

TEST(FortiGateTest, SeveralVdomsEachWithItsOwnImplicitDeny) {
  const std::string text =
      "config vdom\nedit root\nnext\nedit lab\nnext\nend\n"
      "config global\n"
      "config system interface\n"
      "    edit \"port1\"\n        set vdom \"root\"\n    next\n"
      "    edit \"port2\"\n        set vdom \"root\"\n    next\n"
      "    edit \"lab1\"\n        set vdom \"lab\"\n    next\n"
      "end\n"
      "end\n"
      "config vdom\n"
      "edit root\n"
      "config firewall policy\n"
      "    edit 1\n        set srcintf \"any\"\n        set dstintf \"any\"\n"
      "        set srcaddr \"all\"\n        set dstaddr \"all\"\n        set action deny\n"
      "        set service \"ALL\"\n    next\n"
      "end\n"
      "next\n"
      "edit lab\n"
      "config firewall policy\n"
      "    edit 1\n        set srcintf \"lab1\"\n        set dstintf \"lab1\"\n"
      "        set srcaddr \"all\"\n        set dstaddr \"all\"\n        set action accept\n"
      "        set service \"ALL\"\n    next\n"
      "end\n"
      "next\n"
      "end\n";
  auto rules = ParseFortiGate(text, "vdom.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(rules->tables.size(), 2u);
  EXPECT_EQ(rules->tables[0].name, "fortigate vdom root");
  const Chain& root = rules->tables[0].chains[0];
  EXPECT_EQ(root.policy, ActionKind::kAccept);
  // "any" in VDOM root is root's interfaces only: lab's traffic is not denied here.
  EXPECT_FALSE(root.rules[0].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "lab1", "lab1")));
  EXPECT_TRUE(root.rules[0].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "port1", "port2")));
  EXPECT_EQ(root.rules.back().text, "implicit deny (VDOM root)");
  auto verdict = EvaluateForward(*rules, Make("1.1.1.1", "2.2.2.2", 6, 1, "lab1", "lab1"));
  ASSERT_TRUE(verdict.Ok());
  EXPECT_TRUE(verdict->accepted);
  verdict = EvaluateForward(*rules, Make("1.1.1.1", "2.2.2.2", 6, 1, "port1", "port2"));
  ASSERT_TRUE(verdict.Ok());
  EXPECT_FALSE(verdict->accepted);
  EXPECT_TRUE(Warned(*rules, "several VDOMs"));
}

class FortiGateErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(FortiGateErrorTest, NamesFileLineAndWhy) {
  auto rules = ParseFortiGate(GetParam().text, "bad.conf");
  ASSERT_FALSE(rules.Ok());
  fixture::ExpectHeadline(rules.Err(), "bad.conf", GetParam());
}

std::string Accept(const std::string& extra) {
  return Policy("1",
                "        set srcaddr \"all\"\n        set dstaddr \"all\"\n"
                "        set action accept\n        set service \"ALL\"\n" +
                    extra);
}

INSTANTIATE_TEST_SUITE_P(
    Bad, FortiGateErrorTest,
    ::testing::Values(
        BadCase{"UnclosedQuote", "config firewall address\n    edit \"open\n", 2,
                "unterminated quote \""},
        BadCase{"UnclosedBlock", "config firewall address\n    edit \"a\"\n    next\n", 1,
                "config firewall address is not closed by end"},
        BadCase{"OutsideBlock", "set hostname x\n", 1, "outside a config block"},
        BadCase{"NextOutsideEdit", "config firewall address\n    next\nend\n", 2,
                "\"next\" cannot stand in a config block"},
        BadCase{"BadSubnet",
                "config firewall address\n    edit \"a\"\n        set subnet 10.0.0.300 255.0.0.0\n"
                "    next\nend\n",
                3, "cannot read set subnet"},
        BadCase{"Ipv6InAddress",
                "config firewall address\n    edit \"a\"\n        set subnet 2001:db8::/32\n"
                "    next\nend\n",
                3, "takes an IPv4 address"},
        BadCase{"BadPortRange",
                "config firewall service custom\n    edit \"s\"\n"
                "        set tcp-portrange 90-80\n    next\nend\n",
                3, "cannot read \"90-80\" of tcp-portrange"},
        BadCase{"UndefinedAddress", Config("", Policy("1", "        set srcaddr \"nobody\"\n")), 13,
                "address \"nobody\" is not defined"},
        BadCase{"UndefinedService", Config("", Accept("        set service \"NOPE\"\n")), 17,
                "service \"NOPE\" is not defined"},
        BadCase{
            "GroupCycle",
            Config("config firewall addrgrp\n    edit \"a\"\n        set member \"b\"\n    next\n"
                   "    edit \"b\"\n        set member \"a\"\n    next\nend\n",
                   Policy("1", "        set srcaddr \"a\"\n")),
            10, "the group contains itself (a → b → a)"},
        BadCase{
            "MissingMember",
            "config firewall addrgrp\n    edit \"g\"\n        set member \"x\"\n    next\nend\n" +
                Config("", Policy("1", "        set srcaddr \"g\"\n")),
            2, "member \"x\" of the group \"g\" is not defined"},
        BadCase{
            "DuplicateObject",
            "config firewall address\n    edit \"a\"\n    next\n    edit \"a\"\n    next\nend\n", 4,
            "is defined twice"},
        BadCase{"BadProtocolNumber",
                "config firewall service custom\n    edit \"s\"\n        set protocol IP\n"
                "        set protocol-number 300\n    next\nend\n",
                2, "protocol-number \"300\" must be a number 0-255"}),
    fixture::CaseName);

TEST(FortiGateTest, ReportsEveryErrorOfTheFile) {
  auto rules = ParseFortiGate(
      "config firewall address\n    edit \"a\"\n        set subnet x\n    next\n"
      "    edit \"b\"\n        set subnet y\n    next\nend\n",
      "two.conf");
  ASSERT_FALSE(rules.Ok());
  ASSERT_EQ(rules.Err().Diagnostics().size(), 2u);
  EXPECT_EQ(rules.Err().Diagnostics()[1].where.line, 6);
}

TEST(FortiGateTest, LimitsAreEnforced) {
  FortiGateLimits limits;
  limits.max_policies = 1;
  auto rules = ParseFortiGate(Config("", Accept("") + Policy("2", "")), "l.conf", limits);
  ASSERT_FALSE(rules.Ok());
  EXPECT_EQ(rules.Err().Code(), ErrorCode::kLimitExceeded);
  FortiGateLimits depth;
  depth.max_depth = 2;
  auto deep = ParseFortiGate("config a\nconfig b\nconfig c\nend\nend\nend\n", "d.conf", depth);
  ASSERT_FALSE(deep.Ok());
  EXPECT_EQ(deep.Err().Code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(deep.Err().Headline().where.line, 3);
}

TEST(FortiGateTest, TellsItsFormat) {
  EXPECT_TRUE(LooksLikeFortiGate("#config-version=FGT60F-7.2.8\nconfig system global\n"));
  EXPECT_TRUE(LooksLikeFortiGate("\nconfig firewall policy\n"));
  EXPECT_FALSE(LooksLikeFortiGate("*filter\n:INPUT ACCEPT [0:0]\n"));
  EXPECT_FALSE(LooksLikeFortiGate("ip filter 1 pass * * * * *\n"));
  EXPECT_FALSE(LooksLikeFortiGate("<config version=\"10.2.0\"/>"));
}

// --- The α fixtures through the check ----------------------------------------

TEST(FortiGateCheckTest, AlphaWithoutHoleConforms) {
  auto rules =
      ParseFortiGate(ReadFile(kData + "alpha_ok.fortigate.conf"), "alpha_ok.fortigate.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const CheckReport report = fixture::RunCheck(*rules, "alpha_zones_fortigate.toml");
  fixture::ExpectAlphaConforms(report);
}

TEST(FortiGateCheckTest, AlphaHoleIsTheNestedGroupThatHoldsTheInternet) {
  const std::string text = ReadFile(kData + "alpha_hole.fortigate.conf");
  auto rules = ParseFortiGate(text, "alpha_hole.fortigate.conf");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const CheckReport report = fixture::RunCheck(*rules, "alpha_zones_fortigate.toml");
  ASSERT_EQ(report.violations.size(), 1u) << ReportToText(report);
  const Violation& hole = report.violations[0];
  EXPECT_EQ(hole.from, "lgwan");
  EXPECT_EQ(hole.to, "internet");
  EXPECT_EQ(hole.mode, policy::FlowMode::kScreenTransfer);
  EXPECT_FALSE(hole.possible);
  ASSERT_EQ(hole.rules.size(), 1u);
  EXPECT_EQ(hole.rules[0].where,
            "alpha_hole.fortigate.conf:" + std::to_string(LineOf(text, "    edit 2")));
  EXPECT_EQ(hole.example.source, "10.20.0.1");
  EXPECT_EQ(hole.example.destination, "172.16.0.1");
  EXPECT_EQ(hole.example.protocol_name, "tcp");
  EXPECT_EQ(hole.example.destination_port, 443);
  EXPECT_EQ(hole.example.input_interface, "port2");
  EXPECT_EQ(hole.example.output_interface, "port1");
  EXPECT_EQ(fixture::Pair(report, "internet", "lgwan").status, PairStatus::kConforms);
  EXPECT_EQ(fixture::Pair(report, "mynumber", "lgwan").status, PairStatus::kConforms);
}

}  // namespace
}  // namespace mamori::netcheck
