// The network models of the shipped profiles beyond α (issue 12): 西北五's
// two segments (policies/seihoku5.toml, model "custom") and a β′
// municipality (tests/data/netcheck/beta_prime_profile.toml). Each with a
// rule set that keeps the separation and one with a hole, whose expected
// result is written at the top of the fixture (checked by hand).
#include <gtest/gtest.h>

#include "netcheck/check.h"
#include "netcheck/iptables.h"
#include "netcheck/test_support.h"

namespace mamori::netcheck {
namespace {

using fixture::kData;
using fixture::kSource;
using fixture::Pair;
using fixture::ReadFile;

policy::Profile Load(const std::string& path) {
  auto profile = policy::LoadProfile(path);
  EXPECT_TRUE(profile.Ok()) << profile.Err().ToString();
  return std::move(profile).Value();
}

CheckReport CheckModel(const policy::Profile& profile, const std::string& zones,
                       const std::string& rules_file) {
  auto plan = ParseZones(ReadFile(kData + zones), zones);
  EXPECT_TRUE(plan.Ok()) << plan.Err().ToString();
  EXPECT_TRUE(ValidateZones(*plan, profile.network).Ok());
  auto rules = ParseIptablesSave(ReadFile(kData + rules_file), rules_file);
  EXPECT_TRUE(rules.Ok()) << rules.Err().ToString();
  auto report = Check(*rules, *plan, profile);
  EXPECT_TRUE(report.Ok()) << report.Err().ToString();
  return std::move(report).Value();
}

const Violation* Find(const CheckReport& report, const std::string& from, const std::string& to) {
  for (const auto& v : report.violations) {
    if (v.from == from && v.to == to) return &v;
  }
  return nullptr;
}

TEST(ModelsTest, SeihokuTwoSegmentsKeptApart) {
  const policy::Profile profile = Load(kSource + "/policies/seihoku5.toml");
  EXPECT_EQ(profile.network.model, "custom");
  const CheckReport report = CheckModel(profile, "seihoku5_zones.toml", "seihoku5_ok.rules");
  EXPECT_FALSE(report.HasViolation()) << ReportToText(report);
  ASSERT_EQ(report.pairs.size(), 2u);  // the two segments its 6(3) names, both ways
  EXPECT_EQ(Pair(report, "mynumber", "internet").status, PairStatus::kNoTraffic);
  EXPECT_EQ(Pair(report, "internet", "mynumber").status, PairStatus::kNoTraffic);
}

TEST(ModelsTest, SeihokuHoleBreaksItsOwnClause) {
  const policy::Profile profile = Load(kSource + "/policies/seihoku5.toml");
  const CheckReport report = CheckModel(profile, "seihoku5_zones.toml", "seihoku5_hole.rules");
  EXPECT_EQ(Pair(report, "mynumber", "internet").status, PairStatus::kViolation);
  EXPECT_EQ(Pair(report, "internet", "mynumber").status, PairStatus::kNoTraffic);
  const Violation* v = Find(report, "mynumber", "internet");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->mode, policy::FlowMode::kNever);
  EXPECT_EQ(v->clause, "基本方針6(3)①");  // the 組合's own 基本方針, not the guideline
  ASSERT_EQ(v->rules.size(), 1u);
  EXPECT_EQ(v->rules[0].where, "seihoku5_hole.rules:8");
  EXPECT_TRUE(v->example.source.starts_with("10.30."));
  EXPECT_TRUE(v->example.destination.starts_with("172.16."));
  EXPECT_EQ(v->example.destination_port, 443);
}

TEST(ModelsTest, BetaPrimeWithoutHoleConforms) {
  const policy::Profile profile = Load(kData + "beta_prime_profile.toml");
  EXPECT_EQ(profile.network.model, "beta_prime");
  const CheckReport report = CheckModel(profile, "beta_prime_zones.toml", "beta_prime_ok.rules");
  EXPECT_FALSE(report.HasViolation()) << ReportToText(report);
  EXPECT_EQ(Pair(report, "internet", "lgwan").mode, policy::FlowMode::kSanitized);
  EXPECT_EQ(Pair(report, "internet", "lgwan").status, PairStatus::kConforms);
  EXPECT_EQ(Pair(report, "lgwan", "internet").mode, policy::FlowMode::kRestricted);
  EXPECT_EQ(Pair(report, "lgwan", "internet").status, PairStatus::kConforms);
  EXPECT_EQ(Pair(report, "lgwan", "internet").allowed,
            std::vector<std::string>{"file-relay (tcp/443)"});
  EXPECT_EQ(Pair(report, "mynumber", "lgwan").status, PairStatus::kConforms);
  EXPECT_EQ(Pair(report, "mynumber", "internet").status, PairStatus::kNoTraffic);
}

TEST(ModelsTest, BetaPrimeBroadLgwanRuleIsARestrictedViolation) {
  const policy::Profile profile = Load(kData + "beta_prime_profile.toml");
  const CheckReport report = CheckModel(profile, "beta_prime_zones.toml", "beta_prime_hole.rules");
  ASSERT_EQ(report.violations.size(), 1u) << ReportToText(report);
  const Violation* v = Find(report, "lgwan", "internet");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->mode, policy::FlowMode::kRestricted);
  EXPECT_FALSE(v->possible);
  ASSERT_EQ(v->rules.size(), 1u);
  EXPECT_EQ(v->rules[0].where, "beta_prime_hole.rules:9");
  EXPECT_EQ(v->example.protocol_name, "tcp");
  // Not the one route the plan allows.
  EXPECT_FALSE(v->example.destination == "172.16.0.30" && v->example.destination_port == 443);
  EXPECT_EQ(Pair(report, "internet", "lgwan").status, PairStatus::kConforms);
}

}  // namespace
}  // namespace mamori::netcheck
