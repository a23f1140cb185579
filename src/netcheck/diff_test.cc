// The diff of two rule sets: the α rule set without and with its two hidden
// holes (tests/data/netcheck/alpha_ok.rules → alpha_hole.rules: a "temporary"
// rule from マイナンバー利用事務系 to the internet, and tcp/22 beside 443 into
// the LGWAN network of the 無害化 gateway).
#include "netcheck/diff.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "netcheck/test_support.h"

namespace mamori::netcheck {
namespace {

using fixture::Hannan;
using fixture::Rules;

DiffReport RunDiff(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  auto report = Diff(Rules(before), Rules(after), fixture::Plan("alpha_zones.toml"), Hannan());
  EXPECT_TRUE(report.Ok()) << report.Err().ToString();
  return std::move(report).Value();
}

const DiffChange* Find(const DiffReport& report, const std::string& from, const std::string& to,
                       bool opened) {
  for (const auto& change : report.changes) {
    if (change.from == from && change.to == to && change.opened == opened) return &change;
  }
  return nullptr;
}

TEST(DiffTest, TheSameRulesChangeNothing) {
  const DiffReport report = RunDiff({"alpha_ok.rules"}, {"alpha_ok.rules"});
  EXPECT_TRUE(report.changes.empty()) << DiffReportToText(report);
  EXPECT_TRUE(report.pairs.empty());
  EXPECT_FALSE(report.OpensForbidden());
  // The same rules as nft JSON: the same packets, whatever the syntax.
  const DiffReport across = RunDiff({"alpha_ok.rules", "alpha_ok.rules6"}, {"alpha_ok.nft.json"});
  EXPECT_TRUE(across.changes.empty()) << DiffReportToText(across);
}

TEST(DiffTest, AddingTheHolesOpensTwoForbiddenFlowsNamingTheNewRules) {
  const DiffReport report = RunDiff({"alpha_ok.rules"}, {"alpha_hole.rules"});
  EXPECT_TRUE(report.OpensForbidden());
  const DiffChange* mynumber = Find(report, "mynumber", "internet", true);
  ASSERT_NE(mynumber, nullptr) << DiffReportToText(report);
  EXPECT_TRUE(mynumber->forbidden);
  EXPECT_EQ(mynumber->mode, policy::FlowMode::kNever);
  EXPECT_EQ(mynumber->new_rule.where, "alpha_hole.rules:14");
  EXPECT_NE(mynumber->new_rule.text.find("temporary: vendor support"), std::string::npos);
  EXPECT_EQ(mynumber->example.input_interface, "eth2");
  const DiffChange* ssh = Find(report, "internet", "lgwan", true);
  ASSERT_NE(ssh, nullptr) << DiffReportToText(report);
  EXPECT_TRUE(ssh->forbidden);
  EXPECT_EQ(ssh->mode, policy::FlowMode::kSanitized);
  EXPECT_EQ(ssh->new_rule.where, "alpha_hole.rules:17");
  // Nothing closes; the forbidden changes come first.
  EXPECT_EQ(Find(report, "mynumber", "internet", false), nullptr);
  EXPECT_TRUE(report.changes.front().forbidden);
  for (const auto& change : report.changes) EXPECT_TRUE(change.opened);
  // The old rule set decided the same examples by its drop policy or rule.
  EXPECT_FALSE(mynumber->old_rule.where.empty());
}

TEST(DiffTest, RemovingTheHolesClosesThemAndOpensNothing) {
  const DiffReport report = RunDiff({"alpha_hole.rules"}, {"alpha_ok.rules"});
  EXPECT_FALSE(report.OpensForbidden()) << DiffReportToText(report);
  const DiffChange* closed = Find(report, "mynumber", "internet", false);
  ASSERT_NE(closed, nullptr) << DiffReportToText(report);
  EXPECT_EQ(closed->old_rule.where, "alpha_hole.rules:14");
  EXPECT_FALSE(closed->forbidden);
  for (const auto& change : report.changes) EXPECT_FALSE(change.opened);
}

TEST(DiffTest, JsonAndTextSayWhatOpens) {
  const DiffReport report = RunDiff({"alpha_ok.rules"}, {"alpha_hole.rules"});
  const nlohmann::json json = DiffReportToJson(report);
  EXPECT_TRUE(json["opens_forbidden"].get<bool>());
  EXPECT_EQ(json["changes"][0]["change"], "opened");
  EXPECT_TRUE(json["changes"][0]["forbidden"].get<bool>());
  EXPECT_EQ(json["old"][0], "alpha_ok.rules");
  const std::string text = DiffReportToText(report);
  EXPECT_NE(text.find("禁止された通信を開く"), std::string::npos);
  EXPECT_NE(text.find("alpha_hole.rules:14"), std::string::npos);
}

}  // namespace
}  // namespace mamori::netcheck
