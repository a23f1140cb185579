#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/app.h"
#include "cli/commands.h"

namespace mamori::cli {
namespace {

const std::string kSource = MAMORI_SOURCE_DIR;
const std::string kData = kSource + "/tests/data/netcheck/";

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome Netcheck(std::vector<std::string> configs, const std::string& zones, bool json = false,
                 const std::string& vendor = "auto") {
  NetcheckOptions options;
  for (auto& config : configs) options.configs.push_back(kData + config);
  options.zones = kData + zones;
  options.profile = kSource + "/policies/hannan.toml";
  options.json = json;
  options.vendor = vendor;
  std::ostringstream out;
  std::ostringstream err;
  const int code = NetcheckConfig(options, out, err);
  return {code, out.str(), err.str()};
}

TEST(NetcheckCommandTest, NoViolationExitsZero) {
  const Outcome outcome = Netcheck({"alpha_ok.rules", "alpha_ok.rules6"}, "alpha_zones.toml");
  EXPECT_EQ(outcome.code, kExitOk) << outcome.err << outcome.out;
  EXPECT_NE(outcome.out.find("違反なし"), std::string::npos) << outcome.out;
}

TEST(NetcheckCommandTest, ViolationExitsSevenWithRuleAndClause) {
  const Outcome outcome = Netcheck({"alpha_hole.rules", "alpha_ok.rules6"}, "alpha_zones.csv");
  EXPECT_EQ(outcome.code, kExitViolation) << outcome.err;
  EXPECT_NE(outcome.out.find("alpha_hole.rules:14"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("mynumber → internet"), std::string::npos) << outcome.out;
}

TEST(NetcheckCommandTest, JsonReport) {
  const Outcome outcome = Netcheck({"alpha_hole.nft.json"}, "alpha_zones.toml", true, "nft");
  EXPECT_EQ(outcome.code, kExitViolation) << outcome.err;
  const auto json = nlohmann::json::parse(outcome.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << outcome.out;
  EXPECT_EQ(json["profile"], "hannan");
  EXPECT_GT(json["summary"]["possible"].get<int>(), 0);
  EXPECT_GT(json["violations"].size(), 0u);
}

TEST(NetcheckCommandTest, BadInputExitsThreeNamingFileAndLine) {
  const Outcome bad_rules = Netcheck({"alpha_ok.rules", "alpha_zones.toml"}, "alpha_zones.toml");
  EXPECT_EQ(bad_rules.code, kExitInvalidInput);
  EXPECT_NE(bad_rules.err.find("alpha_zones.toml"), std::string::npos) << bad_rules.err;
  EXPECT_NE(bad_rules.err.find("cannot tell the rule set's format"), std::string::npos);
  // A zones file given as the rule set with --vendor iptables: line 1 named.
  const Outcome forced = Netcheck({"alpha_zones.csv"}, "alpha_zones.toml", false, "iptables");
  EXPECT_EQ(forced.code, kExitInvalidInput);
  EXPECT_NE(forced.err.find("alpha_zones.csv:1"), std::string::npos) << forced.err;
  // Zones as JSON: the profile's segments are checked, with the line.
  const Outcome wrong_zones = Netcheck({"alpha_ok.rules"}, "bad_zones.toml");
  EXPECT_EQ(wrong_zones.code, kExitInvalidInput);
  EXPECT_NE(wrong_zones.err.find("bad_zones.toml:4"), std::string::npos) << wrong_zones.err;
  EXPECT_NE(wrong_zones.err.find("segment \"dmz\" is not in the profile"), std::string::npos)
      << wrong_zones.err;
}

TEST(NetcheckCommandTest, WholeCommandLine) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  SystemClock clock;
  const int code = RunMamori({"netcheck", "config", kData + "alpha_hole.rules", kData + "alpha_ok.rules6",
                              "--zones", kData + "alpha_zones.toml", "--profile",
                              kSource + "/policies/hannan.toml", "--json"},
                             in, out, err, clock);
  EXPECT_EQ(code, kExitViolation) << err.str();
  EXPECT_FALSE(nlohmann::json::parse(out.str(), nullptr, false).is_discarded());
  std::ostringstream out2;
  std::ostringstream err2;
  const int usage = RunMamori({"netcheck", "config", kData + "alpha_ok.rules", "--zones",
                               kData + "alpha_zones.toml", "--vendor", "fortigate"},
                              in, out2, err2, clock);
  EXPECT_EQ(usage, kExitUsage);
}

}  // namespace
}  // namespace mamori::cli
