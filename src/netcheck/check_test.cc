#include "netcheck/check.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "netcheck/iptables.h"
#include "netcheck/nft_json.h"
#include "netcheck/test_support.h"

namespace mamori::netcheck {
namespace {

using fixture::Hannan;
using fixture::kData;
using fixture::kSource;
using fixture::Pair;
using fixture::ReadFile;
using fixture::Rules;

AddressPlan Plan(const std::string& name = "alpha_zones.toml") { return fixture::Plan(name); }

CheckReport RunCheck(const std::vector<std::string>& files, const std::string& zones = "alpha_zones.toml") {
  auto report = Check(Rules(files), Plan(zones), Hannan());
  EXPECT_TRUE(report.Ok()) << report.Err().ToString();
  return std::move(report).Value();
}

TEST(CheckTest, HannanIsTheAlphaModel) {
  EXPECT_EQ(Hannan().network.model, "alpha");
}

TEST(CheckTest, AlphaRuleSetWithoutHoleConforms) {
  for (const auto& files : std::vector<std::vector<std::string>>{
           {"alpha_ok.rules", "alpha_ok.rules6"}, {"alpha_ok.nft.json"}}) {
    const CheckReport report = RunCheck(files);
    EXPECT_FALSE(report.HasViolation()) << ReportToText(report);
    ASSERT_EQ(report.pairs.size(), 6u);
    EXPECT_EQ(Pair(report, "internet", "lgwan").status, PairStatus::kConforms);
    EXPECT_EQ(Pair(report, "internet", "lgwan").mode, policy::FlowMode::kSanitized);
    EXPECT_EQ(Pair(report, "lgwan", "internet").status, PairStatus::kConforms);
    EXPECT_EQ(Pair(report, "mynumber", "lgwan").status, PairStatus::kConforms);
    EXPECT_EQ(Pair(report, "mynumber", "internet").status, PairStatus::kNoTraffic);
    EXPECT_EQ(Pair(report, "internet", "mynumber").status, PairStatus::kNoTraffic);
    EXPECT_EQ(Pair(report, "lgwan", "mynumber").status, PairStatus::kNoTraffic);
    // lgwan-asp is in no pair's allowed list; every host sits in one zone.
    EXPECT_TRUE(report.host_findings.empty());
  }
}

TEST(CheckTest, AlphaRuleSetWithHoleIsAViolationNamingRuleClauseAndPacket) {
  const CheckReport report = RunCheck({"alpha_hole.rules", "alpha_ok.rules6"});
  ASSERT_TRUE(report.HasViolation());
  EXPECT_EQ(report.DefiniteViolations(), report.violations.size());
  // マイナンバー利用事務系 → インターネット: never, through line 14.
  const PairResult& mynumber = Pair(report, "mynumber", "internet");
  EXPECT_EQ(mynumber.status, PairStatus::kViolation);
  EXPECT_EQ(mynumber.mode, policy::FlowMode::kNever);
  const Violation* never = nullptr;
  const Violation* sanitized = nullptr;
  for (const auto& v : report.violations) {
    if (v.from == "mynumber" && v.to == "internet") never = &v;
    if (v.from == "internet" && v.to == "lgwan") sanitized = &v;
  }
  ASSERT_NE(never, nullptr);
  ASSERT_EQ(never->rules.size(), 1u);
  EXPECT_EQ(never->rules[0].where, "alpha_hole.rules:14");
  EXPECT_EQ(never->rules[0].comment, "temporary: vendor support");
  EXPECT_FALSE(never->clause.empty());
  // The example is a real packet of the pair.
  EXPECT_TRUE(never->example.source.starts_with("10.30."));
  EXPECT_TRUE(never->example.destination.starts_with("172.16."));
  EXPECT_EQ(never->example.input_interface, "eth2");
  EXPECT_EQ(never->example.output_interface, "eth0");
  EXPECT_EQ(never->example.state, "new");
  // インターネット → LGWAN: only the 無害化 gateway's 443; line 17 opens :22.
  ASSERT_NE(sanitized, nullptr);
  EXPECT_EQ(sanitized->mode, policy::FlowMode::kSanitized);
  EXPECT_EQ(sanitized->rules[0].where, "alpha_hole.rules:17");
  EXPECT_TRUE(sanitized->example.destination.starts_with("10.20.0."));
  EXPECT_TRUE(sanitized->example.has_ports);
  EXPECT_TRUE(sanitized->example.destination_port == 22 ||
              (sanitized->example.destination_port == 443 &&
               sanitized->example.destination != "10.20.0.10"));
  EXPECT_EQ(Pair(report, "internet", "lgwan").allowed, std::vector<std::string>{"mugaika (tcp/443)"});
  // The text and JSON forms say so.
  const std::string text = ReportToText(report);
  EXPECT_NE(text.find("alpha_hole.rules:14"), std::string::npos);
  EXPECT_NE(text.find("違反"), std::string::npos);
  const nlohmann::json json = ReportToJson(report);
  EXPECT_EQ(json["summary"]["definite"], report.violations.size());
  EXPECT_EQ(json["violations"][0]["example"]["state"], "new");
}

TEST(CheckTest, NftHoleIncludingAPossibleOne) {
  const CheckReport report = RunCheck({"alpha_hole.nft.json"});
  ASSERT_TRUE(report.HasViolation());
  bool possible_never = false;
  bool definite_sanitized = false;
  bool definite_restricted = false;
  for (const auto& v : report.violations) {
    if (v.from == "mynumber" && v.to == "internet" && v.possible) {
      possible_never = true;
      ASSERT_EQ(v.because.size(), 1u);
      EXPECT_EQ(v.because[0].where, "alpha_hole.nft.json: inet filter forward handle 13");
    }
    if (v.from == "internet" && v.to == "lgwan" && !v.possible) {
      definite_sanitized = true;
      EXPECT_EQ(v.rules[0].where, "alpha_hole.nft.json: inet filter forward handle 14");
    }
    if (v.from == "mynumber" && v.to == "lgwan" && !v.possible) definite_restricted = true;
  }
  EXPECT_TRUE(possible_never) << ReportToText(report);
  EXPECT_TRUE(definite_sanitized) << ReportToText(report);
  EXPECT_TRUE(definite_restricted) << ReportToText(report);
  EXPECT_EQ(Pair(report, "mynumber", "internet").status, PairStatus::kPossibleViolation);
  bool listed = false;
  for (const auto& finding : report.rule_findings) {
    listed = listed || (finding.kind == FindingKind::kPossible &&
                        finding.rule.where.ends_with("handle 13"));
  }
  EXPECT_TRUE(listed);
}

TEST(CheckTest, MissingIpv6RulesAreNotAssumedSafe) {
  // Only the IPv4 rules: IPv6 is forwarded unfiltered between zones that have
  // IPv6 networks, which is reported, with a warning.
  const CheckReport report = RunCheck({"alpha_ok.rules"});
  ASSERT_TRUE(report.HasViolation());
  const auto& v = report.violations.front();
  EXPECT_NE(v.example.source.find(':'), std::string::npos);
  ASSERT_EQ(v.rules.size(), 1u);
  EXPECT_TRUE(v.rules[0].where.empty());
  bool warned = false;
  for (const auto& w : report.warnings) warned = warned || w.message_en.starts_with("no forward chain for IPv6");
  EXPECT_TRUE(warned);
}

TEST(CheckTest, CsvZonesGiveTheSameResult) {
  const CheckReport toml = RunCheck({"alpha_hole.rules", "alpha_ok.rules6"});
  const CheckReport csv = RunCheck({"alpha_hole.rules", "alpha_ok.rules6"}, "alpha_zones.csv");
  ASSERT_EQ(toml.violations.size(), csv.violations.size());
  for (std::size_t i = 0; i < toml.violations.size(); ++i) {
    EXPECT_EQ(toml.violations[i].example.ToString(), csv.violations[i].example.ToString());
  }
}

}  // namespace
}  // namespace mamori::netcheck

namespace mamori::netcheck {
namespace {

TEST(CheckTest, HostsInNoZoneOrTwoAreReportedNotGuessed) {
  auto plan = ParseZones(R"(
[zones.internet]
networks = ["172.16.0.0/16"]
[zones.lgwan]
networks = ["10.20.0.0/16", "172.16.9.0/24"]
[[hosts]]
name = "lost"
role = "sanitize_gateway"
addresses = ["192.0.2.10"]
[[hosts]]
name = "straddling"
role = "screen_transfer"
addresses = ["172.16.9.20"]
)",
                         "hosts.toml");
  ASSERT_TRUE(plan.Ok()) << plan.Err().ToString();
  ASSERT_TRUE(ValidateZones(*plan, Hannan().network).Ok());
  auto report = Check(Rules({"alpha_ok.rules"}), *plan, Hannan());
  ASSERT_TRUE(report.Ok()) << report.Err().ToString();
  ASSERT_EQ(report->host_findings.size(), 2u);
  EXPECT_EQ(report->host_findings[0].host, "lost");
  EXPECT_EQ(report->host_findings[0].kind, "no_zone");
  EXPECT_EQ(report->host_findings[0].where, "hosts.toml:6: hosts.lost");
  EXPECT_EQ(report->host_findings[1].kind, "two_zones");
  EXPECT_EQ(report->host_findings[1].zones, (std::vector<std::string>{"internet", "lgwan"}));
  const std::string text = ReportToText(*report);
  EXPECT_NE(text.find("どの区域にも属さないホスト: lost"), std::string::npos) << text;
  EXPECT_NE(text.find("複数の区域に属するホスト: straddling"), std::string::npos) << text;
}

}  // namespace
}  // namespace mamori::netcheck
