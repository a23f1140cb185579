#include "assess/probes.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "ledger/incident/training.h"
#include "ledger/org.h"
#include "ledger/registers/registers.h"
#include "ledger/test_support.h"
#include "ledger/workflow/exceptions.h"
#include "ledger/workflow/requests.h"

namespace mamori::assess {
namespace {

using ledger::Ledger;
namespace registers = ledger::registers;
namespace workflow = ledger::workflow;

class ProbesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ledger_ = std::make_unique<ledger::testing::TempLedger>(std::string("probe_") + info->name());
    ledger::testing::SeedOrganization(**ledger_);
  }
  Ledger& L() { return **ledger_; }

  ProbeResult Run(std::string_view probe, const std::string& section = "") {
    auto result = RunProbe(L(), probe, {section, 2026});
    EXPECT_TRUE(result.Ok()) << result.Err().ToString();
    return result.Ok() ? *result : ProbeResult{};
  }

  void AddDevice(const std::string& code, const std::string& section, const std::string& segment,
                 const std::string& end_of_support) {
    auto device = registers::Add(L(), "m1", "device",
                                 {{"code", code},
                                  {"name", code},
                                  {"device_type", "パソコン"},
                                  {"issued", "true"},
                                  {"section", section},
                                  {"segment", segment},
                                  {"os", "Windows"},
                                  {"os_end_of_support", end_of_support}});
    ASSERT_TRUE(device.Ok()) << device.Err().ToString();
  }

  std::unique_ptr<ledger::testing::TempLedger> ledger_;
};

TEST_F(ProbesTest, UnknownProbeAndSectionAreNamed) {
  auto unknown = RunProbe(L(), "no_such_probe", {});
  ASSERT_FALSE(unknown.Ok());
  EXPECT_EQ(unknown.Err().Headline().where.key, "probe");
  EXPECT_NE(unknown.Err().Headline().message_ja.find("contract_clauses_checked"),
            std::string::npos);
  auto section = RunProbe(L(), "contract_clauses_checked", {"nowhere", 2026});
  ASSERT_FALSE(section.Ok());
  EXPECT_EQ(section.Err().Code(), ErrorCode::kNotFound);
}

TEST_F(ProbesTest, EolDevicesInMynumber) {
  AddDevice("pc-new", "zeimu", "mynumber", "2031-10-14");
  // Past its support but not in the マイナンバー利用事務系: not this probe's concern.
  AddDevice("pc-lgwan-old", "zeimu", "lgwan", "2020-01-14");
  EXPECT_EQ(Run("eol_devices_in_mynumber").answer, Answer::kYes);

  AddDevice("pc-old", "kaigo", "mynumber", "2020-01-14");
  const auto no = Run("eol_devices_in_mynumber");
  EXPECT_EQ(no.answer, Answer::kNo);
  ASSERT_EQ(no.rows.size(), 1u);
  EXPECT_EQ(no.rows[0].object_id, "pc-old");
  EXPECT_EQ(no.rows[0].section, "kaigo");
  EXPECT_EQ(no.clause, "6.4(1)⑦");
  // Scoped to a section, the other section's device does not count.
  EXPECT_EQ(Run("eol_devices_in_mynumber", "zeimu").answer, Answer::kYes);
  EXPECT_EQ(Run("eol_devices_in_mynumber", "kaigo").answer, Answer::kNo);
}

TEST_F(ProbesTest, DisposalRecordsForImportanceA) {
  constexpr const char* kDisposeA =
      R"({"action": "dispose", "asset": {"kind": "media", "classification": {"importance": "A"}}})";
  auto recorded = workflow::SubmitRequest(L(), {"s1", kDisposeA, "保存期間満了のため"});
  ASSERT_TRUE(recorded.Ok()) << recorded.Err().ToString();
  ASSERT_TRUE(workflow::ApproveRequest(L(), recorded->id, "m1", "").Ok());
  ASSERT_TRUE(
      workflow::FillObligation(L(), recorded->id, "s1", "record",
                               {{"date", "2026-11-30"}, {"person", "s1"}, {"method", "溶解処理"}})
          .Ok());
  EXPECT_EQ(Run("disposal_records_for_importance_a").answer, Answer::kYes);

  auto unrecorded = workflow::SubmitRequest(L(), {"s2", kDisposeA, "更新のため"});
  ASSERT_TRUE(unrecorded.Ok());
  // Pending: nothing disposed yet, nothing to record.
  EXPECT_EQ(Run("disposal_records_for_importance_a").answer, Answer::kYes);
  ASSERT_TRUE(workflow::ApproveRequest(L(), unrecorded->id, "m1", "").Ok());
  const auto no = Run("disposal_records_for_importance_a");
  EXPECT_EQ(no.answer, Answer::kNo);
  ASSERT_EQ(no.rows.size(), 1u);
  EXPECT_EQ(no.rows[0].object_id, std::to_string(unrecorded->id));
  EXPECT_EQ(Run("disposal_records_for_importance_a", "kaigo").answer, Answer::kYes);
}

TEST_F(ProbesTest, TrainingAttendedThisYear) {
  namespace incident = ledger::incident;
  auto session = incident::AddSession(
      L(), "x1", {"情報セキュリティ研修", "training", "2026-11-01", "all", 0, {}, ""});
  ASSERT_TRUE(session.Ok()) << session.Err().ToString();
  for (const char* person : {"s1", "s2", "m1"}) {
    ASSERT_TRUE(incident::RecordAttendance(L(), "x1", *session, person).Ok());
  }
  // 税務課 has all attended; the organization has not.
  EXPECT_EQ(Run("training_attended_this_year", "zeimu").answer, Answer::kYes);
  const auto no = Run("training_attended_this_year");
  EXPECT_EQ(no.answer, Answer::kNo);
  bool names_m2 = false;
  for (const auto& row : no.rows) names_m2 = names_m2 || row.object_id == "m2";
  EXPECT_TRUE(names_m2);
  // Last year's training does not count for this year.
  EXPECT_EQ(RunProbe(L(), "training_attended_this_year", {"zeimu", 2025})->answer, Answer::kNo);
}

TEST_F(ProbesTest, EmergencyExceptionsReported) {
  constexpr const char* kEmergency = R"({"action": "exception", "context": {"emergency": true}})";
  auto taken =
      workflow::SubmitRequest(L(), {"m1", kEmergency, "システム障害のため手作業で処理する"});
  ASSERT_TRUE(taken.Ok()) << taken.Err().ToString();
  // Within its deadline: not overdue yet.
  EXPECT_EQ(Run("emergency_exceptions_reported").answer, Answer::kYes);
  ledger_->clock().Advance(std::chrono::hours(24 * 10));
  const auto no = Run("emergency_exceptions_reported");
  EXPECT_EQ(no.answer, Answer::kNo);
  ASSERT_EQ(no.rows.size(), 1u);
  EXPECT_EQ(no.rows[0].section, "zeimu");
  ASSERT_TRUE(workflow::ReportException(L(), taken->id, "m1", "手作業で処理し、復旧した").Ok());
  EXPECT_EQ(Run("emergency_exceptions_reported").answer, Answer::kYes);
}

TEST_F(ProbesTest, ContractClausesChecked) {
  ASSERT_TRUE(registers::Add(L(), "o1", "vendor", {{"code", "v1"}, {"name", "委託先"}}).Ok());
  auto contract = registers::Add(L(), "m1", "contract",
                                 {{"code", "k1"},
                                  {"title", "保守"},
                                  {"vendor", "v1"},
                                  {"section", "zeimu"},
                                  {"manager", "m1"},
                                  {"scope", "保守"},
                                  {"start_date", "2026-04-01"}});
  ASSERT_TRUE(contract.Ok()) << contract.Err().ToString();
  const auto no = Run("contract_clauses_checked");
  EXPECT_EQ(no.answer, Answer::kNo);
  ASSERT_EQ(no.rows.size(), 1u);
  EXPECT_EQ(no.rows[0].object_id, "k1");
  for (const auto& item : contract->checklist) {
    ASSERT_TRUE(registers::CheckContractClause(L(), "m1", "k1", item.id, true, "第1条").Ok());
  }
  EXPECT_EQ(Run("contract_clauses_checked").answer, Answer::kYes);
  // Checked but not stated is still a いいえ.
  ASSERT_TRUE(
      registers::CheckContractClause(L(), "m1", "k1", "audit_inspection", false, "記載なし").Ok());
  const auto again = Run("contract_clauses_checked");
  EXPECT_EQ(again.answer, Answer::kNo);
  ASSERT_EQ(again.rows.size(), 1u);
  EXPECT_NE(again.rows[0].detail_en.find("audit_inspection"), std::string::npos);
}

TEST_F(ProbesTest, JsonCarriesTheAnswerAndRows) {
  AddDevice("pc-old", "kaigo", "mynumber", "2020-01-14");
  const auto json = ToJson(Run("eol_devices_in_mynumber"));
  EXPECT_EQ(json["answer"], "no");
  EXPECT_EQ(json["answer_ja"], "いいえ");
  EXPECT_EQ(json["rows"][0]["object_id"], "pc-old");
}

}  // namespace
}  // namespace mamori::assess
