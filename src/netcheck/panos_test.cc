#include "netcheck/panos.h"

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

// A configuration with shared objects `shared` and one vsys with zones a
// (interface e1) and b (e2) and `body` (objects, rulebase).
std::string Xml(const std::string& shared, const std::string& body) {
  return "<?xml version=\"1.0\"?>\n<config version=\"10.2.0\">\n<shared>" + shared +
         "</shared>\n<devices><entry name=\"d\"><vsys><entry name=\"vsys1\">\n"
         "<zone><entry name=\"a\"><network><layer3><member>e1</member></layer3></network></entry>"
         "<entry "
         "name=\"b\"><network><layer3><member>e2</member></layer3></network></entry></zone>\n" +
         body + "</entry></vsys></entry></devices></config>\n";
}

std::string Members(const std::string& tag, const std::vector<std::string>& members) {
  std::string out = "<" + tag + ">";
  for (const auto& member : members) out += "<member>" + member + "</member>";
  return out + "</" + tag + ">";
}

// One security rule, a → b unless `extra` says otherwise.
std::string Rule(const std::string& name, const std::vector<std::string>& source,
                 const std::vector<std::string>& destination,
                 const std::vector<std::string>& service, const std::string& action,
                 const std::string& extra = "", const std::vector<std::string>& from = {"a"},
                 const std::vector<std::string>& to = {"b"}) {
  return "<entry name=\"" + name + "\">\n" + Members("from", from) + Members("to", to) +
         Members("source", source) + Members("destination", destination) +
         Members("service", service) + "<action>" + action + "</action>" + extra + "\n</entry>\n";
}

std::string Rules(const std::string& rules) {
  return "<rulebase><security><rules>\n" + rules + "</rules></security></rulebase>\n";
}

const std::vector<netcheck::Rule>& Chain0(const RuleSet& rules) {
  return rules.tables.at(0).chains.at(0).rules;
}

TEST(PanOsTest, ReadsTheAlphaFixture) {
  const std::string text = ReadFile(kData + "alpha_ok.panos.xml");
  auto rules = ParsePanOs(text, "alpha_ok.panos.xml");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(rules->tables.size(), 1u);
  const Chain& chain = rules->tables[0].chains.at(0);
  EXPECT_EQ(rules->tables[0].family, Family::kInet);
  EXPECT_EQ(chain.name, "security rules");
  EXPECT_EQ(chain.hook, Hook::kForward);
  EXPECT_EQ(chain.policy, ActionKind::kDrop);  // interzone-default
  EXPECT_EQ(chain.where.line, LineOf(text, "<rules>"));
  // Five rules ("old-vendor" is disabled), then intrazone-default per zone.
  ASSERT_EQ(chain.rules.size(), 5u + 3u);
  const auto& quarantine = chain.rules[0];
  EXPECT_EQ(quarantine.action, ActionKind::kDrop);
  EXPECT_FALSE(quarantine.Exact());  // a dynamic group: it might match less
  const auto& mugaika = chain.rules[1];
  EXPECT_EQ(mugaika.where.line, LineOf(text, "entry name=\"inet-to-mugaika\""));
  EXPECT_EQ(mugaika.comment, "無害化装置 (3(2)①)");
  EXPECT_TRUE(mugaika.Exact());
  EXPECT_TRUE(mugaika.match.Matches(
      Make("198.51.100.1", "10.20.0.10", 6, 443, "ethernet1/1", "ethernet1/2")));
  EXPECT_TRUE(mugaika.match.Matches(
      Make("2001:db8:16::9", "2001:db8:20::10", 6, 443, "ethernet1/1", "ethernet1/2")));
  EXPECT_FALSE(mugaika.match.Matches(
      Make("198.51.100.1", "10.20.0.11", 6, 443, "ethernet1/1", "ethernet1/2")));
  EXPECT_FALSE(mugaika.match.Matches(
      Make("198.51.100.1", "10.20.0.10", 6, 443, "ethernet1/3", "ethernet1/2")));
  // A shared service group of a predefined and a shared service.
  const auto& vdi = chain.rules[2];
  EXPECT_TRUE(
      vdi.match.Matches(Make("10.20.1.1", "172.16.0.20", 6, 8443, "ethernet1/2", "ethernet1/1")));
  EXPECT_FALSE(vdi.Exact());  // application ssl
  EXPECT_EQ(vdi.match.unmodelled, std::vector<std::string>{"application [ssl]"});
  // Source ports 1024-65535, an ip-range source.
  const auto& jumin = chain.rules[3];
  Packet packet = Make("10.30.0.1", "10.20.0.50", 6, 8443, "ethernet1/3", "ethernet1/2");
  EXPECT_TRUE(jumin.match.Matches(packet));
  packet.source_port = 1000;
  EXPECT_FALSE(jumin.match.Matches(packet));
  EXPECT_EQ(chain.rules[4].action, ActionKind::kDrop);  // drop
  EXPECT_EQ(chain.rules[5].text, "intrazone-default accept (zone \"untrust\")");
  EXPECT_TRUE(chain.rules[5].match.Matches(
      Make("1.1.1.1", "2.2.2.2", 17, 53, "ethernet1/1", "ethernet1/1")));
  EXPECT_TRUE(Warned(*rules, "dynamic address group \"quarantine\""));
  EXPECT_TRUE(Warned(*rules, "conditions not modelled (application [ssl])",
                     LineOf(text, "entry name=\"lgwan-to-vdi\"")));
  EXPECT_TRUE(
      Warned(*rules, "rule \"old-vendor\" is disabled", LineOf(text, "entry name=\"old-vendor\"")));
  EXPECT_EQ(rules->warnings.size(), 4u);
}

TEST(PanOsTest, ObjectsLiteralsNegationAndServices) {
  auto rules = ParsePanOs(
      Xml("<address><entry name=\"net\"><ip-netmask>10.0.0.0/8</ip-netmask></entry></address>",
          "<address><entry name=\"net\"><ip-netmask>10.1.0.0/16</ip-netmask></entry>"
          "<entry name=\"web\"><fqdn>www.example.jp</fqdn></entry></address>"
          "<address-group><entry name=\"g\"><static><member>net</member>"
          "<member>192.0.2.0/24</member></static></entry></address-group>"
          "<service><entry name=\"dns\"><protocol><udp><port>53,5353,6000-6010</port></udp>"
          "</protocol></entry></service>" +
              Rules(Rule("groups", {"g"}, {"any"}, {"dns", "service-http"}, "allow") +
                    Rule("negated", {"net"}, {"web"}, {"any"}, "reset-both",
                         "<negate-source>yes</negate-source>") +
                    Rule("literal", {"198.51.100.0-198.51.100.9"}, {"JP"}, {"any"}, "deny"))),
      "o.xml");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& r = Chain0(*rules);
  // "groups": udp 53/5353/6000-6010 and tcp 80/8080 — two rules.
  ASSERT_EQ(r.size(), 2u + 1u + 1u + 2u);
  // The vsys's "net" (10.1/16) hides the shared one (10/8).
  EXPECT_TRUE(r[0].match.Matches(Make("10.1.2.3", "8.8.8.8", 17, 6005, "e1", "e2")));
  EXPECT_FALSE(r[0].match.Matches(Make("10.2.2.3", "8.8.8.8", 17, 53, "e1", "e2")));
  EXPECT_TRUE(r[0].match.Matches(Make("192.0.2.7", "8.8.8.8", 17, 5353, "e1", "e2")));
  EXPECT_TRUE(r[1].match.Matches(Make("192.0.2.7", "8.8.8.8", 6, 8080, "e1", "e2")));
  EXPECT_FALSE(r[1].match.Matches(Make("192.0.2.7", "8.8.8.8", 6, 443, "e1", "e2")));
  // Negated source; an FQDN is every address, inexact.
  EXPECT_EQ(r[2].action, ActionKind::kReject);
  EXPECT_FALSE(r[2].Exact());
  EXPECT_TRUE(r[2].match.Matches(Make("10.2.0.1", "93.184.216.34", 6, 1, "e1", "e2")));
  EXPECT_FALSE(r[2].match.Matches(Make("10.1.0.1", "93.184.216.34", 6, 1, "e1", "e2")));
  // A literal range and a region (JP: every address, inexact).
  EXPECT_TRUE(r[3].match.Matches(Make("198.51.100.9", "1.2.3.4", 6, 1, "e1", "e2")));
  EXPECT_FALSE(r[3].match.Matches(Make("198.51.100.10", "1.2.3.4", 6, 1, "e1", "e2")));
  EXPECT_FALSE(r[3].Exact());
  EXPECT_TRUE(Warned(*rules, "address \"web\" (fqdn) is not modelled"));
}

TEST(PanOsTest, ApplicationDefaultAndConditionsNotModelled) {
  const std::string text =
      Xml("", Rules(Rule("web", {"any"}, {"any"}, {"application-default"}, "allow",
                         "<application><member>web-browsing</member></application>"
                         "<source-user><member>corp\\staff</member></source-user>"
                         "<schedule>office-hours</schedule><sparkle>yes</sparkle>")));
  auto rules = ParsePanOs(text, "app.xml");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const auto& rule = Chain0(*rules)[0];
  EXPECT_FALSE(rule.Exact());
  // application-default: every protocol, not only TCP and UDP.
  EXPECT_TRUE(rule.match.Matches(Make("1.1.1.1", "2.2.2.2", 1, 0, "e1", "e2")));
  EXPECT_EQ(rule.match.unmodelled,
            (std::vector<std::string>{"application [web-browsing]", "source-user [corp\\staff]",
                                      "sparkle", "schedule office-hours",
                                      "service application-default"}));
  const int line = LineOf(text, "<service><member>application-default");
  EXPECT_TRUE(Warned(*rules, "rule \"web\": service application-default is not modelled", line));
  EXPECT_TRUE(Warned(*rules, "sparkle of rule \"web\" is not modelled"));
}

TEST(PanOsTest, RuleTypesAndDefaultOverrides) {
  auto rules =
      ParsePanOs(Xml("", "<rulebase><security><rules>\n" +
                             Rule("intra", {"any"}, {"any"}, {"any"}, "deny",
                                  "<rule-type>intrazone</rule-type>", {"any"}, {"any"}) +
                             Rule("inter", {"any"}, {"any"}, {"any"}, "allow",
                                  "<rule-type>interzone</rule-type>", {"any"}, {"any"}) +
                             "</rules></security>\n<default-security-rules><rules>"
                             "<entry name=\"intrazone-default\"><action>deny</action></entry>"
                             "<entry name=\"interzone-default\"><action>allow</action></entry>"
                             "</rules></default-security-rules></rulebase>\n"),
                 "t.xml");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const Chain& chain = rules->tables[0].chains[0];
  // intrazone: a→a, b→b; interzone: a→b, b→a; then the defaults a→a, b→b.
  ASSERT_EQ(chain.rules.size(), 6u);
  EXPECT_TRUE(chain.rules[0].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "e1", "e1")));
  EXPECT_FALSE(chain.rules[0].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "e1", "e2")));
  EXPECT_TRUE(chain.rules[2].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "e1", "e2")));
  EXPECT_FALSE(chain.rules[2].match.Matches(Make("1.1.1.1", "2.2.2.2", 6, 1, "e2", "e2")));
  EXPECT_EQ(chain.rules[4].action, ActionKind::kDrop);
  EXPECT_EQ(chain.policy, ActionKind::kAccept);
}

TEST(PanOsTest, SeveralVsysEachWithItsOwnInterzoneDefault) {
  const std::string text =
      "<config><devices><entry name=\"d\"><vsys>"
      "<entry name=\"vsys1\"><zone><entry name=\"a\"><network><layer3><member>e1</member>"
      "<member>e2</member></layer3></network></entry></zone></entry>"
      "<entry name=\"vsys2\"><zone><entry name=\"x\"><network><layer3><member>e9</member>"
      "</layer3></network></entry><entry name=\"y\"><network><layer3><member>e8</member>"
      "</layer3></network></entry></zone>" +
      Rules(Rule("x-to-y", {"any"}, {"any"}, {"any"}, "allow", "", {"x"}, {"y"})) +
      "</entry></vsys></entry></devices></config>";
  auto rules = ParsePanOs(text, "v.xml");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(rules->tables.size(), 2u);
  EXPECT_EQ(rules->tables[1].name, "panos vsys2");
  auto verdict = EvaluateForward(*rules, Make("1.1.1.1", "2.2.2.2", 6, 1, "e9", "e8"));
  ASSERT_TRUE(verdict.Ok());
  EXPECT_TRUE(verdict->accepted);
  verdict = EvaluateForward(*rules, Make("1.1.1.1", "2.2.2.2", 6, 1, "e8", "e9"));
  ASSERT_TRUE(verdict.Ok());
  EXPECT_FALSE(verdict->accepted);
  verdict = EvaluateForward(*rules, Make("1.1.1.1", "2.2.2.2", 6, 1, "e1", "e2"));  // intrazone
  ASSERT_TRUE(verdict.Ok());
  EXPECT_TRUE(verdict->accepted);
}

class PanOsErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(PanOsErrorTest, NamesFileLineAndWhy) {
  auto rules = ParsePanOs(GetParam().text, "bad.xml");
  ASSERT_FALSE(rules.Ok());
  fixture::ExpectHeadline(rules.Err(), "bad.xml", GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Bad, PanOsErrorTest,
    ::testing::Values(
        BadCase{"NotXml", "<config>\n<shared>\n</config>\n", 3, "not valid XML"},
        BadCase{"NoConfig", "<?xml version=\"1.0\"?>\n<response/>\n", 2, "no <config> element"},
        BadCase{"UndefinedZone",
                Xml("", Rules(Rule("r", {"any"}, {"any"}, {"any"}, "allow", "", {"c"}))), 8,
                "zone \"c\" is not defined"},
        BadCase{"UndefinedAddress",
                Xml("", Rules(Rule("r", {"nobody"}, {"any"}, {"any"}, "allow"))), 8,
                "address \"nobody\" is not defined"},
        BadCase{"UndefinedService", Xml("", Rules(Rule("r", {"any"}, {"any"}, {"ssh"}, "allow"))),
                8, "service \"ssh\" is not defined"},
        BadCase{"BadAction", Xml("", Rules(Rule("r", {"any"}, {"any"}, {"any"}, "permit"))), 8,
                "unknown action \"permit\""},
        BadCase{"BadPort",
                Xml("",
                    "<service>\n<entry name=\"s\"><protocol><tcp><port>80,70000</port></tcp>"
                    "</protocol></entry></service>\n"),
                7, "cannot read port \"70000\" of service \"s\""},
        BadCase{"BadAddress",
                Xml("",
                    "<address>\n<entry name=\"h\"><ip-netmask>10.0.0.300</ip-netmask></entry>"
                    "</address>\n"),
                7, "address \"h\": cannot read address"},
        BadCase{
            "GroupCycle",
            Xml("",
                "<address-group>\n<entry name=\"p\"><static><member>q</member></static></entry>\n"
                "<entry name=\"q\"><static><member>p</member></static></entry></address-group>\n" +
                    Rules(Rule("r", {"p"}, {"any"}, {"any"}, "allow"))),
            7, "the group contains itself (p → q → p)"}),
    fixture::CaseName);

TEST(PanOsTest, LimitsAreEnforced) {
  PanOsLimits limits;
  limits.max_rules = 1;
  auto rules = ParsePanOs(Xml("", Rules(Rule("r", {"any"}, {"any"}, {"dns-x"}, "allow") +
                                        Rule("s", {"any"}, {"any"}, {"any"}, "allow"))),
                          "l.xml", limits);
  ASSERT_FALSE(rules.Ok());
  // dns-x is not defined: an error of its own, collected; the limit stops the walk.
  EXPECT_EQ(rules.Err().Code(), ErrorCode::kLimitExceeded);
}

TEST(PanOsTest, TellsItsFormat) {
  EXPECT_TRUE(LooksLikePanOs("<?xml version=\"1.0\"?>\n<config version=\"10.2.0\">"));
  EXPECT_TRUE(LooksLikePanOs("\xEF\xBB\xBF<response status=\"success\"><result><config>"));
  EXPECT_FALSE(LooksLikePanOs("config firewall policy\n"));
  EXPECT_FALSE(LooksLikePanOs("{\"nftables\": []}"));
  EXPECT_FALSE(LooksLikePanOs("<html><body/></html>"));
}

// --- The α fixtures through the check ----------------------------------------

TEST(PanOsCheckTest, AlphaWithoutHoleConforms) {
  auto rules = ParsePanOs(ReadFile(kData + "alpha_ok.panos.xml"), "alpha_ok.panos.xml");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const CheckReport report = fixture::RunCheck(*rules, "alpha_zones_panos.toml");
  fixture::ExpectAlphaConforms(report);
}

TEST(PanOsCheckTest, AlphaHoleIsTheAnyServiceFromTheInternet) {
  const std::string text = ReadFile(kData + "alpha_hole.panos.xml");
  auto rules = ParsePanOs(text, "alpha_hole.panos.xml");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const CheckReport report = fixture::RunCheck(*rules, "alpha_zones_panos.toml");
  ASSERT_FALSE(report.violations.empty()) << ReportToText(report);
  const std::string where =
      "alpha_hole.panos.xml:" + std::to_string(LineOf(text, "entry name=\"inet-to-mugaika\""));
  for (const auto& violation : report.violations) {
    EXPECT_EQ(violation.from, "internet");
    EXPECT_EQ(violation.to, "lgwan");
    EXPECT_EQ(violation.mode, policy::FlowMode::kSanitized);
    EXPECT_FALSE(violation.possible);
    ASSERT_EQ(violation.rules.size(), 1u);
    EXPECT_EQ(violation.rules[0].where, where);
  }
  const Violation& hole = report.violations[0];
  EXPECT_EQ(hole.example.source, "172.16.0.1");
  EXPECT_EQ(hole.example.destination, "10.20.0.10");
  EXPECT_EQ(hole.example.protocol_name, "udp");  // tcp/443 is what the gateway may take
  EXPECT_EQ(hole.example.destination_port, 443);
  EXPECT_EQ(hole.example.input_interface, "ethernet1/1");
  EXPECT_EQ(hole.example.output_interface, "ethernet1/2");
  EXPECT_EQ(fixture::Pair(report, "internet", "lgwan").status, PairStatus::kViolation);
  EXPECT_EQ(fixture::Pair(report, "lgwan", "internet").status, PairStatus::kConforms);
  EXPECT_EQ(fixture::Pair(report, "mynumber", "lgwan").status, PairStatus::kConforms);
}

}  // namespace
}  // namespace mamori::netcheck
