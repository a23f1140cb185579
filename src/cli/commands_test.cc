#include "cli/commands.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace mamori::cli {
namespace {

const std::string kSource = MAMORI_SOURCE_DIR;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome RunDecide(const std::string& input, OutputFormat format = OutputFormat::kJson,
              const std::string& profile = "/policies/hannan.toml") {
  DecideOptions options;
  options.profile_path = kSource + profile;
  options.format = format;
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int code = Decide(options, in, out, err);
  return {code, out.str(), err.str()};
}

TEST(CommandsTest, PolicyCheckAcceptsTheShippedProfiles) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = PolicyCheck({kSource + "/policies/base.toml", kSource + "/policies/hannan.toml"},
                               out, err);
  EXPECT_EQ(code, kExitOk) << err.str();
  EXPECT_NE(out.str().find("阪南市"), std::string::npos);
}

TEST(CommandsTest, PolicyCheckReportsTheChecklistCoverage) {
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(PolicyCheck({kSource + "/policies/hannan.toml"}, out, err), kExitOk) << err.str();
  EXPECT_NE(out.str().find("点検項目 85 件、対策基準の条項 65 件中 65 件を網羅"), std::string::npos)
      << out.str();
  EXPECT_EQ(out.str().find("警告"), std::string::npos) << out.str();
}

TEST(CommandsTest, PolicyCheckWarnsOfClausesWithRulesButNoCheck) {
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(PolicyCheck({kSource + "/tests/data/policies/minimal.toml"}, out, err), kExitOk)
      << err.str();
  EXPECT_NE(out.str().find("点検項目 0 件、対策基準の条項 1 件中 0 件を網羅"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("警告: 条項「1」には規則があるが点検項目がない"), std::string::npos)
      << out.str();
}

TEST(CommandsTest, PolicyCheckJsonGivesTheSameNumbers) {
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(PolicyCheck({kSource + "/policies/seihoku5.toml",
                         kSource + "/tests/data/policies/minimal.toml"},
                        out, err, OutputFormat::kJson),
            kExitOk)
      << err.str();
  const auto json = nlohmann::json::parse(out.str());
  ASSERT_EQ(json["profiles"].size(), 2u);
  const auto& seihoku5 = json["profiles"][0];
  EXPECT_EQ(seihoku5["ok"], true);
  EXPECT_EQ(seihoku5["checks"], 85);
  EXPECT_EQ(seihoku5["rule_clauses"], 67);
  EXPECT_EQ(seihoku5["covered_clauses"], 67);
  EXPECT_TRUE(seihoku5["uncovered_clauses"].empty());
  EXPECT_EQ(json["profiles"][1]["uncovered_clauses"], nlohmann::json::array({"1"}));
}

TEST(CommandsTest, PolicyCheckFailsWithInvalidInputAndNamesThePlace) {
  std::ostringstream out;
  std::ostringstream err;
  const int code =
      PolicyCheck({kSource + "/tests/data/policies/broken/unknown_role.toml"}, out, err);
  EXPECT_EQ(code, kExitInvalidInput);
  EXPECT_NE(err.str().find("unknown_role.toml:9: rules[send.permission].approvals[0][0]"),
            std::string::npos)
      << err.str();
}

TEST(CommandsTest, PolicyShowPrintsAJapaneseSummary) {
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(PolicyShow(kSource + "/policies/hannan.toml", out, err), kExitOk) << err.str();
  const std::string text = out.str();
  EXPECT_NE(text.find("# 阪南市"), std::string::npos);
  EXPECT_NE(text.find("最高情報セキュリティ責任者 [ciso]: 副市長"), std::string::npos);
  EXPECT_NE(text.find("重要度Ａ"), std::string::npos);
  EXPECT_NE(text.find("インターネット接続系 → LGWAN接続系: 無害化通信のみ"), std::string::npos);
  EXPECT_NE(text.find("## 点検項目（85件、うち重点項目"), std::string::npos) << text;
  EXPECT_NE(text.find("- ［9(3)］【重点】情報セキュリティに関する対策の実施状況を点検し"),
            std::string::npos)
      << text;
}

TEST(CommandsTest, DecideReadsJsonLinesAndWritesOneLineEach) {
  const Outcome run = RunDecide(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"install_software"})"
      "\n\n"
      R"({"actor":{"id":"u","roles":["staff"]},"action":"offsite_work"})"
      "\n");
  EXPECT_EQ(run.code, kExitOk) << run.err;
  std::istringstream lines(run.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_EQ(line.rfind("{\"effect\":\"approval_required\"", 0), 0u) << line;
  }
  EXPECT_EQ(count, 2);
}

TEST(CommandsTest, DecideAcceptsOnePrettyPrintedRequest) {
  const Outcome run = RunDecide(R"({
  "actor": {"id": "u", "roles": ["staff"]},
  "action": "change_wiring"
})");
  EXPECT_EQ(run.code, kExitDenied);
  EXPECT_EQ(run.out.rfind("{\"effect\":\"deny\"", 0), 0u) << run.out;
}

TEST(CommandsTest, BadLineIsReportedWithItsLineAndTheRestAreStillDecided) {
  const Outcome run = RunDecide(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"install_software"})"
      "\n"
      R"({"actor":{"id":"u","roles":["staf"]},"action":"install_software"})"
      "\n"
      R"({"actor":{"id":"u","roles":["staff"]},"action":"change_wiring"})"
      "\n");
  EXPECT_EQ(run.code, kExitInvalidInput);
  EXPECT_NE(run.out.find(R"("line":2)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("actor.roles[0]"), std::string::npos);
  EXPECT_NE(run.out.find(R"({"effect":"deny")"), std::string::npos) << "line 3 still decided";
}

TEST(CommandsTest, TextFormatIsJapanese) {
  const Outcome run = RunDecide(
      R"({"actor":{"id":"u1","roles":["staff"],"section":"税務課"},"action":"take_out","asset":{"kind":"data","classification":{"importance":"A"}}})",
      OutputFormat::kText);
  EXPECT_EQ(run.code, kExitOk);
  EXPECT_NE(run.out.find("情報資産の持ち出し → 承認が必要"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("承認者: 情報セキュリティ管理者"), std::string::npos);
  EXPECT_NE(run.out.find("根拠: 5.1(1)③ア"), std::string::npos);
}

TEST(CommandsTest, EmptyInputIsInvalid) {
  const Outcome run = RunDecide("\n\n");
  EXPECT_EQ(run.code, kExitInvalidInput);
  EXPECT_NE(run.err.find("no request"), std::string::npos);
}

TEST(CommandsTest, BrokenProfileStopsDecideBeforeReadingRequests) {
  const Outcome run = RunDecide(R"({"actor":{"id":"u","roles":["staff"]},"action":"use_free_service"})",
                            OutputFormat::kJson, "/tests/data/policies/broken/cycle_a.toml");
  EXPECT_EQ(run.code, kExitInvalidInput);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("extends cycle"), std::string::npos);
}

}  // namespace
}  // namespace mamori::cli
