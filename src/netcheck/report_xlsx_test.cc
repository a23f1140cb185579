// The XLSX reports read back: the first sheet of each, cell by cell.
#include "netcheck/report_xlsx.h"

#include <gtest/gtest.h>

#include <sstream>

#include "netcheck/test_support.h"
#include "tabular/xlsx.h"

namespace mamori::netcheck {
namespace {

using fixture::Hannan;
using fixture::kData;
using fixture::Rules;

tabular::Table FirstSheet(const Result<std::string>& workbook) {
  EXPECT_TRUE(workbook.Ok()) << workbook.Err().ToString();
  auto table = tabular::ReadXlsx(*workbook, "report.xlsx");
  EXPECT_TRUE(table.Ok()) << table.Err().ToString();
  return std::move(table).Value();
}

TEST(ReportXlsxTest, CheckReportPairsFirstThenTheViolations) {
  auto report = Check(Rules({"alpha_hole.rules", "alpha_ok.rules6"}), fixture::Plan("alpha_zones.toml"),
                      Hannan());
  ASSERT_TRUE(report.Ok()) << report.Err().ToString();
  const auto workbook = ReportToXlsx(*report);
  const tabular::Table pairs = FirstSheet(workbook);
  ASSERT_EQ(pairs.rows.size(), report->pairs.size());
  EXPECT_EQ(pairs.header.front(), "送信元の区域");
  bool mynumber_violation = false;
  for (const auto& row : pairs.rows) {
    if (row[0] == "mynumber" && row[1] == "internet") mynumber_violation = row[4] == "違反";
  }
  EXPECT_TRUE(mynumber_violation);
  // The violations sheet is there too (the reader reads the first only).
  EXPECT_NE(workbook->find("xl/worksheets/sheet5.xml"), std::string::npos);
}

TEST(ReportXlsxTest, DiffAndFlowReports) {
  auto diff = Diff(Rules({"alpha_ok.rules"}), Rules({"alpha_hole.rules"}),
                   fixture::Plan("alpha_zones.toml"), Hannan());
  ASSERT_TRUE(diff.Ok()) << diff.Err().ToString();
  const tabular::Table changes = FirstSheet(DiffReportToXlsx(*diff));
  ASSERT_EQ(changes.rows.size(), diff->changes.size());
  EXPECT_EQ(changes.rows[0][0], "開く");
  EXPECT_EQ(changes.rows[0][1], "禁止された通信");

  std::istringstream log(fixture::ReadFile(kData + "alpha_flows.conn.log"));
  const AddressPlan plan = fixture::Plan("alpha_zones.toml");
  FlowJudge judge(plan, Hannan(), nullptr);
  FlowReadStats stats;
  ASSERT_TRUE(ReadFlows(log, "alpha_flows.conn.log", FlowFormat::kAuto,
                        [&](const Flow& flow) { judge.Add(flow); }, stats)
                  .Ok());
  const FlowReport flows = std::move(judge).Finish({"alpha_flows.conn.log"}, stats);
  const tabular::Table groups = FirstSheet(FlowReportToXlsx(flows));
  ASSERT_EQ(groups.rows.size(), flows.violations.size());
  ASSERT_FALSE(groups.rows.empty());
  EXPECT_EQ(groups.rows[0][6], std::to_string(flows.violations[0].count));
}

}  // namespace
}  // namespace mamori::netcheck
