#include "ledger/workflow/violations.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ledger/org.h"
#include "ledger/test_support.h"
#include "ledger/workflow/requests.h"

namespace mamori::ledger::workflow {
namespace {

using Json = nlohmann::json;

constexpr const char* kTakeOutA =
    R"({"action": "take_out", "asset": {"kind": "data", "classification": {"importance": "A"}}})";

class ViolationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ledger_ = std::make_unique<testing::TempLedger>(std::string("wfv_") + info->name());
    testing::SeedOrganization(**ledger_);
  }
  Ledger& L() { return **ledger_; }
  std::int64_t Seq() { return *L().Audit().LastSeq(); }
  audit::Event LastEvent() { return L().Audit().Events("", "")->back(); }

  std::unique_ptr<testing::TempLedger> ledger_;
};

TEST_F(ViolationsTest, NotificationsGoWhereSevenSixSays) {
  // 7.6③ア: staff report to the section's manager.
  auto by_staff = NotifyViolation(L(), "s2", "s1", "USBメモリを無断で使用");
  ASSERT_TRUE(by_staff.Ok()) << by_staff.Err().ToString();
  EXPECT_EQ(by_staff->notified_to, std::vector<std::string>{"m1"});
  EXPECT_EQ(by_staff->clause, "7.6③ア");
  EXPECT_EQ(by_staff->section, "zeimu");
  EXPECT_EQ(LastEvent().action, "violation.notify");
  EXPECT_EQ(Json::parse(LastEvent().state), ToJson(*by_staff));

  // 7.6①: the chief officer notifies the manager.
  auto by_chief = NotifyViolation(L(), "c1", "s1", "パスワードの貼り紙");
  ASSERT_TRUE(by_chief.Ok()) << by_chief.Err().ToString();
  EXPECT_EQ(by_chief->notified_to, std::vector<std::string>{"m1"});
  EXPECT_EQ(by_chief->clause, "7.6①");

  // 7.6②: the manager reports to the department's officer and the CSIRT.
  auto by_manager = NotifyViolation(L(), "m1", "s1", "指導後も改善なし");
  ASSERT_TRUE(by_manager.Ok()) << by_manager.Err().ToString();
  EXPECT_EQ(by_manager->notified_to, (std::vector<std::string>{"k1", "o1"}));
  EXPECT_EQ(by_manager->clause, "7.6②");

  // The only manager is the violator: it goes up, not to himself.
  auto about_manager = NotifyViolation(L(), "s1", "m1", "施錠せず退庁");
  ASSERT_TRUE(about_manager.Ok()) << about_manager.Err().ToString();
  EXPECT_EQ(about_manager->notified_to, (std::vector<std::string>{"k1", "o1"}));

  // Another section's manager hears of that section's staff only.
  ASSERT_TRUE(AddPerson(L(), "system", {"s3", "介護 三郎", "kaigo", "staff", "", "2020-04-01", ""}).Ok());
  auto kaigo = NotifyViolation(L(), "s1", "s3", "私用メール");
  ASSERT_TRUE(kaigo.Ok()) << kaigo.Err().ToString();
  EXPECT_EQ(kaigo->notified_to, std::vector<std::string>{"m2"});

  EXPECT_EQ(ListViolations(L(), "")->size(), 5u);
  EXPECT_EQ(ListViolations(L(), "s1")->size(), 3u);
}

TEST_F(ViolationsTest, SuspensionBlocksRequestsUntilRestored) {
  auto violation = *NotifyViolation(L(), "m1", "s1", "指導後も改善なし");
  const auto seq = Seq();
  // 7.6④ is the chief officer's decision.
  auto by_manager = SuspendPerson(L(), "m1", "s1", "改善なし", violation.id);
  ASSERT_FALSE(by_manager.Ok());
  EXPECT_EQ(by_manager.Err().Headline().where.key, "actor");
  EXPECT_NE(by_manager.Err().Headline().message_ja.find("7.6④"), std::string::npos);
  EXPECT_FALSE(SuspendPerson(L(), "c1", "s1", "", 0).Ok());
  EXPECT_FALSE(SuspendPerson(L(), "c1", "s1", "改善なし", 999).Ok());
  EXPECT_FALSE(SuspendPerson(L(), "c1", "s2", "改善なし", violation.id).Ok());  // not s2's
  EXPECT_FALSE(SuspendPerson(L(), "c1", "c1", "自分", 0).Ok());
  EXPECT_EQ(Seq(), seq);

  auto suspended = SuspendPerson(L(), "c1", "s1", "情報セキュリティ管理者の指導によっても改善されない",
                                 violation.id);
  ASSERT_TRUE(suspended.Ok()) << suspended.Err().ToString();
  EXPECT_TRUE(suspended->Active());
  EXPECT_EQ(suspended->decided_by, "c1");
  EXPECT_EQ(suspended->violation_id, violation.id);
  EXPECT_EQ(suspended->notified_to, std::vector<std::string>{"m1"});
  EXPECT_EQ(LastEvent().action, "violation.suspend");
  EXPECT_EQ(Json::parse(LastEvent().state), ToJson(*suspended));
  EXPECT_FALSE(SuspendPerson(L(), "c1", "s1", "二重", 0).Ok());

  // A suspended person cannot submit requests; nothing is stored.
  const auto before = Seq();
  auto blocked = SubmitRequest(L(), {"s1", kTakeOutA, ""});
  ASSERT_FALSE(blocked.Ok());
  EXPECT_NE(blocked.Err().Headline().message_ja.find("7.6④"), std::string::npos);
  EXPECT_EQ(Seq(), before);
  EXPECT_TRUE(ListRequests(L(), {})->empty());

  // Restored by the deputy, to whom the chief officer delegates; with reasons.
  EXPECT_FALSE(RestorePerson(L(), "d1", "s1", "").Ok());
  EXPECT_FALSE(RestorePerson(L(), "m1", "s1", "改善した").Ok());
  auto restored = RestorePerson(L(), "d1", "s1", "研修受講により改善を確認");
  ASSERT_TRUE(restored.Ok()) << restored.Err().ToString();
  EXPECT_FALSE(restored->Active());
  EXPECT_EQ(restored->restored_by, "d1");
  EXPECT_EQ(restored->restore_reason, "研修受講により改善を確認");
  EXPECT_EQ(LastEvent().action, "violation.restore");
  EXPECT_FALSE(RestorePerson(L(), "d1", "s1", "二重").Ok());
  EXPECT_TRUE(SubmitRequest(L(), {"s1", kTakeOutA, ""}).Ok());
  EXPECT_EQ(ListSuspensions(L(), "s1")->size(), 1u);
}

TEST_F(ViolationsTest, ASuspendedApproverIsNotRoutedAndCannotApprove) {
  ASSERT_TRUE(AddPerson(L(), "system", {"m3", "税務 補佐", "zeimu", "staff", "", "2020-04-01", ""}).Ok());
  ASSERT_TRUE(AssignRole(L(), "system", "m3", "manager", "zeimu", "2020-04-01").Ok());
  auto request = *SubmitRequest(L(), {"s1", kTakeOutA, ""});
  ASSERT_TRUE(SuspendPerson(L(), "c1", "m1", "不正アクセスの疑い", 0).Ok());
  std::vector<std::string> approvers;
  const auto current = CurrentApprovers(L(), request);
  ASSERT_TRUE(current.Ok());
  for (const auto& person : *current) approvers.push_back(person.code);
  EXPECT_EQ(approvers, std::vector<std::string>{"m3"});
  auto by_m1 = ApproveRequest(L(), request.id, "m1", "");
  ASSERT_FALSE(by_m1.Ok());
  EXPECT_NE(by_m1.Err().Headline().message_ja.find("7.6④"), std::string::npos);
  EXPECT_TRUE(ApproveRequest(L(), request.id, "m3", "").Ok());
}

TEST_F(ViolationsTest, InvalidInputNamesEveryFieldAndStoresNothing) {
  const auto seq = Seq();
  auto bad = NotifyViolation(L(), "bad code", "", "");
  ASSERT_FALSE(bad.Ok());
  std::vector<std::string> fields;
  for (const auto& d : bad.Err().Diagnostics()) fields.push_back(d.where.key);
  EXPECT_EQ(fields, (std::vector<std::string>{"reporter", "person", "description"}));
  EXPECT_EQ(NotifyViolation(L(), "s1", "nobody", "x").Err().Code(), ErrorCode::kNotFound);
  EXPECT_EQ(Seq(), seq);
  EXPECT_TRUE(ListViolations(L(), "")->empty());
}

}  // namespace
}  // namespace mamori::ledger::workflow
