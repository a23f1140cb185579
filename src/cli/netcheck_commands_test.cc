#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

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

Outcome Eval(const std::string& config, const std::string& packets, bool json = true) {
  const std::string path = ::testing::TempDir() + "mamori_netcheck_packets.jsonl";
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << packets;
  }
  NetcheckEvalOptions options;
  options.configs = {kData + config};
  options.packets = path;
  options.json = json;
  std::ostringstream out;
  std::ostringstream err;
  const int code = NetcheckEval(options, out, err);
  return {code, out.str(), err.str()};
}

// One answer a packet, in order, with the rule that decided: the hole of
// alpha_hole.rules (line 14), the sanitizing gateway's rule (line 16, through
// the user chain), and the policy for what no rule accepts.
TEST(NetcheckCommandTest, EvalAnswersEachPacketWithItsRule) {
  const Outcome outcome = Eval("alpha_hole.rules",
                               R"({"protocol": "tcp", "src": "10.30.0.5", "dst": "203.0.113.9", "sport": 50000, "dport": 443, "iif": "eth2", "oif": "eth0"}
{"protocol": "tcp", "src": "198.51.100.7", "dst": "10.20.0.10", "dport": 443, "iif": "eth0", "oif": "eth1"}

{"protocol": "udp", "src": "198.51.100.7", "dst": "10.20.0.10", "dport": 53, "iif": "eth0", "oif": "eth1", "state": "new"}
)");
  ASSERT_EQ(outcome.code, kExitOk) << outcome.err;
  std::vector<nlohmann::json> lines;
  std::istringstream out(outcome.out);
  for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 3u) << outcome.out;
  EXPECT_EQ(lines[0]["verdict"], "accept");
  EXPECT_NE(lines[0]["rule"].get<std::string>().find("alpha_hole.rules:14"), std::string::npos);
  EXPECT_EQ(lines[1]["verdict"], "accept");
  EXPECT_NE(lines[1]["rule"].get<std::string>().find("alpha_hole.rules:16"), std::string::npos);
  EXPECT_EQ(lines[2]["verdict"], "drop");
  EXPECT_FALSE(lines[2]["possible"].get<bool>());
}

TEST(NetcheckCommandTest, EvalNamesEveryBadLineAndAnswersNone) {
  const Outcome outcome = Eval("alpha_hole.rules",
                               R"({"protocol": "tcp", "src": "10.30.0.5", "dst": "203.0.113.9"}
{"protocol": "tcp", "src": "10.30.0.999", "dst": "203.0.113.9"}
not json
{"protocol": "tcp", "src": "10.30.0.5", "dst": "2001:db8::1"}
{"protocol": "tcp", "src": "10.30.0.5", "dst": "203.0.113.9", "dport": 70000, "colour": "red"}
)",
                               /*json=*/false);
  EXPECT_EQ(outcome.code, kExitInvalidInput);
  EXPECT_TRUE(outcome.out.empty()) << outcome.out;
  for (const char* expected : {"mamori_netcheck_packets.jsonl:2: src", "jsonl:3", "jsonl:4: dst",
                               "jsonl:5: colour", "アドレスが不正です / bad address"}) {
    EXPECT_NE(outcome.err.find(expected), std::string::npos) << expected << "\n" << outcome.err;
  }
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

// The vendor readers through --vendor auto: the RTX hole is named by both
// filters it passes (lan2's in list, lan1's out list); the FortiGate and
// PAN-OS files without their hole exit 0.
TEST(NetcheckCommandTest, VendorConfigurationsAreRecognised) {
  const Outcome hole = Netcheck({"alpha_hole.rtx.conf"}, "alpha_zones_rtx.toml");
  EXPECT_EQ(hole.code, kExitViolation) << hole.err << hole.out;
  EXPECT_NE(hole.out.find("internet → lgwan"), std::string::npos) << hole.out;
  EXPECT_NE(hole.out.find("alpha_hole.rtx.conf:46  ip filter 2100"), std::string::npos) << hole.out;
  EXPECT_NE(hole.out.find("alpha_hole.rtx.conf:40  ip filter 1230"), std::string::npos) << hole.out;
  const Outcome fortigate = Netcheck({"alpha_ok.fortigate.conf"}, "alpha_zones_fortigate.toml");
  EXPECT_EQ(fortigate.code, kExitOk) << fortigate.err << fortigate.out;
  const Outcome panos = Netcheck({"alpha_ok.panos.xml"}, "alpha_zones_panos.toml", true);
  EXPECT_EQ(panos.code, kExitOk) << panos.err << panos.out;
  EXPECT_EQ(nlohmann::json::parse(panos.out)["summary"]["violations"], 0);
  // Forced to the wrong reader, the file is an error with its line.
  const Outcome forced =
      Netcheck({"alpha_ok.rtx.conf"}, "alpha_zones_rtx.toml", false, "fortigate");
  EXPECT_EQ(forced.code, kExitInvalidInput);
  EXPECT_NE(forced.err.find("alpha_ok.rtx.conf:22"), std::string::npos) << forced.err;
}

TEST(NetcheckCommandTest, EvalReadsVendorConfigurations) {
  const Outcome outcome = Eval(
      "alpha_hole.panos.xml",
      R"({"protocol": "udp", "src": "172.16.0.1", "dst": "10.20.0.10", "dport": 53, "iif": "ethernet1/1", "oif": "ethernet1/2"}
{"protocol": "tcp", "src": "172.16.0.1", "dst": "10.20.0.11", "dport": 443, "iif": "ethernet1/1", "oif": "ethernet1/2"}
)");
  ASSERT_EQ(outcome.code, kExitOk) << outcome.err;
  std::istringstream out(outcome.out);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u) << outcome.out;
  EXPECT_EQ(lines[0]["verdict"], "accept");
  EXPECT_EQ(lines[1]["verdict"], "drop");
  EXPECT_NE(lines[1]["rule"].get<std::string>().find("security rules"), std::string::npos)
      << lines[1];
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
                               kData + "alpha_zones.toml", "--vendor", "checkpoint"},
                              in, out2, err2, clock);
  EXPECT_EQ(usage, kExitUsage);
}

Outcome RunLine(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  SystemClock clock;
  const int code = RunMamori(args, in, out, err, clock);
  return {code, out.str(), err.str()};
}

TEST(NetcheckCommandTest, DiffExitsSevenWhenTheChangeOpensAForbiddenFlow) {
  const std::vector<std::string> common = {"--zones", kData + "alpha_zones.toml", "--profile",
                                           kSource + "/policies/hannan.toml"};
  auto args = [&](const std::string& before, const std::string& after, bool json) {
    std::vector<std::string> line = {"netcheck", "diff", kData + before, kData + after};
    line.insert(line.end(), common.begin(), common.end());
    if (json) line.push_back("--json");
    return line;
  };
  const Outcome opens = RunLine(args("alpha_ok.rules", "alpha_hole.rules", false));
  EXPECT_EQ(opens.code, kExitViolation) << opens.err;
  EXPECT_NE(opens.out.find("alpha_hole.rules:14"), std::string::npos) << opens.out;
  const Outcome closes = RunLine(args("alpha_hole.rules", "alpha_ok.rules", true));
  EXPECT_EQ(closes.code, kExitOk) << closes.err;
  const auto json = nlohmann::json::parse(closes.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << closes.out;
  EXPECT_FALSE(json["opens_forbidden"].get<bool>());
  EXPECT_FALSE(json["changes"].empty());
  // A malformed new version: exit 3, file:line named, no report.
  const std::string broken = ::testing::TempDir() + "mamori_diff_broken.rules";
  {
    std::ofstream file(broken);
    file << "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -s 10.30.0.0/99 -j ACCEPT\nCOMMIT\n";
  }
  std::vector<std::string> bad = {"netcheck", "diff", kData + "alpha_ok.rules", broken};
  bad.insert(bad.end(), common.begin(), common.end());
  const Outcome refused = RunLine(bad);
  EXPECT_EQ(refused.code, kExitInvalidInput);
  EXPECT_NE(refused.err.find("mamori_diff_broken.rules:3"), std::string::npos) << refused.err;
  EXPECT_TRUE(refused.out.empty());
  // Exactly two rule sets.
  EXPECT_EQ(RunLine({"netcheck", "diff", kData + "alpha_ok.rules", "--zones",
                     kData + "alpha_zones.toml"}).code,
            kExitUsage);
}

Outcome Flows(const std::string& log, std::vector<std::string> configs = {}, bool json = false) {
  NetcheckFlowsOptions options;
  options.logs = {kData + log};
  options.zones = kData + "alpha_zones.toml";
  for (auto& config : configs) options.configs.push_back(kData + config);
  options.profile = kSource + "/policies/hannan.toml";
  options.json = json;
  std::ostringstream out;
  std::ostringstream err;
  const int code = NetcheckFlows(options, out, err);
  return {code, out.str(), err.str()};
}

// alpha_flows.conn.log: three legal crossings, internet → mynumber tcp/445
// (never), internet → the gateway's tcp/22 (sanitized, not its service), and
// one malformed line (line 14), which is named and skipped.
TEST(NetcheckCommandTest, FlowsFindTheTwoViolationsAndNameTheBadLine) {
  const Outcome outcome = Flows("alpha_flows.conn.log", {"alpha_ok.rules"});
  EXPECT_EQ(outcome.code, kExitViolation) << outcome.err << outcome.out;
  EXPECT_NE(outcome.out.find("internet → mynumber tcp/445"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("internet → lgwan tcp/22"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("alpha_flows.conn.log:14"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("拒否 / denied"), std::string::npos) << outcome.out;
  const Outcome json = Flows("alpha_flows.conn.log", {}, true);
  EXPECT_EQ(json.code, kExitViolation);
  const auto report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["totals"]["flows"], 5);
  EXPECT_EQ(report["totals"]["skipped_lines"], 1);
  EXPECT_EQ(report["violations"].size(), 2u);
}

TEST(NetcheckCommandTest, FlowsCleanLogExitsZeroAndBadLogThree) {
  const Outcome clean = Flows("alpha_flows_ok.conn.log");
  EXPECT_EQ(clean.code, kExitOk) << clean.err << clean.out;
  EXPECT_NE(clean.out.find("違反なし"), std::string::npos) << clean.out;
  const Outcome bad = Flows("alpha_ok.rules");  // not a flow log
  EXPECT_EQ(bad.code, kExitInvalidInput);
  EXPECT_NE(bad.err.find("alpha_ok.rules:1"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace mamori::cli
