#include "assess/findings.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "ledger/org.h"
#include "ledger/test_support.h"
#include "ledger/workflow/requests.h"

namespace mamori::assess {
namespace {

using ledger::Ledger;
using ledger::testing::Fields;
using Json = nlohmann::json;

class FindingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ledger_ = std::make_unique<ledger::testing::TempLedger>(std::string("finding_") + info->name());
    ledger::testing::SeedOrganization(**ledger_);
  }
  Ledger& L() { return **ledger_; }
  std::int64_t LastSeq() { return *L().Audit().LastSeq(); }

  static FindingInput Input() {
    FindingInput input;
    input.source = "audit";
    input.source_ref = "監査 2026-1";
    input.title = "廃棄記録の欠落";
    input.description = "重要度Ａの記録媒体の廃棄記録が 2 件ない";
    input.check_id = "assets.dispose_record";
    input.section = "zeimu";
    input.owner = "m1";
    input.priority = "high";
    return input;
  }

  Finding Add() {
    auto finding = AddFinding(L(), "a1", Input());
    EXPECT_TRUE(finding.Ok()) << finding.Err().ToString();
    return finding.Ok() ? *finding : Finding{};
  }

  std::unique_ptr<ledger::testing::TempLedger> ledger_;
};

TEST_F(FindingsTest, AddTakesTheClauseOfTheCheckAndRecordsAnEvent) {
  const auto finding = Add();
  EXPECT_EQ(finding.status, FindingStatus::kIdentified);
  EXPECT_EQ(finding.clause, "2.2(9)②");  // the check item's
  EXPECT_EQ(finding.owner, "m1");
  EXPECT_EQ(finding.created_by, "a1");
  const auto event = L().Audit().Events("", "")->back();
  EXPECT_EQ(event.action, "finding.add");
  Json audited = ToJson(finding);
  audited.erase("overdue");  // as of the day read, not audited
  EXPECT_EQ(Json::parse(event.state), audited);
}

TEST_F(FindingsTest, BadInputIsNamedAndNothingIsStored) {
  const auto seq = LastSeq();
  FindingInput bad = Input();
  bad.source = "gossip";
  bad.title = "";
  bad.owner = "";
  bad.priority = "urgent";
  bad.due_on = "2026-02-30";
  auto refused = AddFinding(L(), "a1", bad);
  ASSERT_FALSE(refused.Ok());
  EXPECT_EQ(Fields(refused.Err()),
            (std::vector<std::string>{"source", "title", "owner", "priority", "due_on"}));
  FindingInput refs = Input();
  refs.check_id = "no.such_check";
  refs.clause = "99(9)";
  auto unknown = AddFinding(L(), "a1", refs);
  ASSERT_FALSE(unknown.Ok());
  EXPECT_EQ(Fields(unknown.Err()), (std::vector<std::string>{"check_id", "clause"}));
  FindingInput owner = Input();
  owner.owner = "ghost";
  EXPECT_FALSE(AddFinding(L(), "a1", owner).Ok());
  // Staff do not open findings; another section's manager neither.
  for (const char* who : {"s1", "m2"}) {
    auto staff = AddFinding(L(), who, Input());
    ASSERT_FALSE(staff.Ok()) << who;
    EXPECT_EQ(staff.Err().Headline().where.key, "actor");
  }
  EXPECT_EQ(LastSeq(), seq);
  EXPECT_TRUE(ListFindings(L(), {})->empty());
  // The section's own manager may.
  EXPECT_TRUE(AddFinding(L(), "m1", Input()).Ok());
}

TEST_F(FindingsTest, LifecycleInOrderAndTheVerifierIsNeverTheOwner) {
  const auto finding = Add();
  auto skip = UpdateFinding(L(), "m1", finding.id, {.status = "done", .evidence = "記録簿"});
  ASSERT_FALSE(skip.Ok());
  EXPECT_EQ(skip.Err().Code(), ErrorCode::kConflict);
  auto no_plan = UpdateFinding(L(), "m1", finding.id, {.status = "planned"});
  ASSERT_FALSE(no_plan.Ok());
  EXPECT_EQ(Fields(no_plan.Err()), (std::vector<std::string>{"plan"}));
  auto no_due = UpdateFinding(L(), "m1", finding.id, {.status = "planned", .plan = "記録簿を整備"});
  ASSERT_FALSE(no_due.Ok());
  EXPECT_EQ(no_due.Err().Headline().where.key, "due_on");
  auto stranger = UpdateFinding(L(), "m2", finding.id,
                                {.status = "planned", .plan = "x", .due_on = "2027-01-31"});
  ASSERT_FALSE(stranger.Ok());
  EXPECT_EQ(stranger.Err().Headline().where.key, "actor");

  auto planned = UpdateFinding(
      L(), "m1", finding.id, {.status = "planned", .plan = "記録簿を整備", .due_on = "2027-01-31"});
  ASSERT_TRUE(planned.Ok()) << planned.Err().ToString();
  EXPECT_EQ(planned->plan, "記録簿を整備");
  EXPECT_EQ(planned->due_on, "2027-01-31");
  ASSERT_TRUE(UpdateFinding(L(), "m1", finding.id, {.status = "in_progress"}).Ok());
  auto no_evidence = UpdateFinding(L(), "m1", finding.id, {.status = "done"});
  ASSERT_FALSE(no_evidence.Ok());
  EXPECT_EQ(Fields(no_evidence.Err()), (std::vector<std::string>{"evidence"}));
  auto done =
      UpdateFinding(L(), "m1", finding.id, {.status = "done", .evidence = "廃棄記録簿 p.3"});
  ASSERT_TRUE(done.Ok()) << done.Err().ToString();
  EXPECT_EQ(L().Audit().Events("", "")->back().action, "finding.update");

  // 兼務の禁止: the owner — even one who is also the 統括 — never verifies.
  auto by_owner = VerifyFinding(L(), "m1", finding.id, Verdict::kVerified, "確認した");
  ASSERT_FALSE(by_owner.Ok());
  EXPECT_EQ(by_owner.Err().Headline().where.key, "actor");
  EXPECT_NE(by_owner.Err().Headline().message_ja.find("兼務の禁止"), std::string::npos);
  auto by_staff = VerifyFinding(L(), "s1", finding.id, Verdict::kVerified, "確認した");
  ASSERT_FALSE(by_staff.Ok());
  auto no_comment = VerifyFinding(L(), "c1", finding.id, Verdict::kVerified, "");
  ASSERT_FALSE(no_comment.Ok());
  EXPECT_EQ(Fields(no_comment.Err()), (std::vector<std::string>{"comment"}));

  auto reopened = VerifyFinding(L(), "a1", finding.id, Verdict::kReopened, "記録簿に日付がない");
  ASSERT_TRUE(reopened.Ok()) << reopened.Err().ToString();
  EXPECT_EQ(reopened->status, FindingStatus::kInProgress);
  ASSERT_TRUE(
      UpdateFinding(L(), "m1", finding.id, {.status = "done", .evidence = "日付を追記"}).Ok());
  auto verified = VerifyFinding(L(), "c1", finding.id, Verdict::kVerified, "確認した");
  ASSERT_TRUE(verified.Ok()) << verified.Err().ToString();
  EXPECT_EQ(verified->status, FindingStatus::kVerified);
  EXPECT_EQ(verified->verified_by, "c1");
  EXPECT_EQ(L().Audit().Events("", "")->back().action, "finding.verify");
  auto twice = VerifyFinding(L(), "x1", finding.id, Verdict::kVerified, "再確認");
  ASSERT_FALSE(twice.Ok());
  EXPECT_EQ(twice.Err().Code(), ErrorCode::kConflict);
}

TEST_F(FindingsTest, ChiefOfficerOwningAFindingCannotVerifyIt) {
  FindingInput input = Input();
  input.owner = "c1";
  input.section = "";
  auto finding = AddFinding(L(), "x1", input);
  ASSERT_TRUE(finding.Ok()) << finding.Err().ToString();
  ASSERT_TRUE(UpdateFinding(L(), "c1", finding->id,
                            {.status = "planned", .plan = "手順を定める", .due_on = "2027-01-31"})
                  .Ok());
  ASSERT_TRUE(UpdateFinding(L(), "c1", finding->id, {.status = "in_progress"}).Ok());
  ASSERT_TRUE(UpdateFinding(L(), "c1", finding->id, {.status = "done", .evidence = "手順書"}).Ok());
  auto own = VerifyFinding(L(), "c1", finding->id, Verdict::kVerified, "確認した");
  ASSERT_FALSE(own.Ok());
  EXPECT_EQ(own.Err().Headline().where.key, "actor");
  EXPECT_TRUE(VerifyFinding(L(), "x1", finding->id, Verdict::kVerified, "確認した").Ok());
}

TEST_F(FindingsTest, RiskIsAcceptedOnlyThroughAnApprovedException) {
  const auto finding = Add();
  const auto seq = LastSeq();
  auto missing = UpdateFinding(L(), "m1", finding.id, {.status = "risk_accepted"});
  ASSERT_FALSE(missing.Ok());
  EXPECT_EQ(Fields(missing.Err()), (std::vector<std::string>{"exception_id"}));
  auto nothing =
      UpdateFinding(L(), "m1", finding.id, {.status = "risk_accepted", .exception_id = 999});
  ASSERT_FALSE(nothing.Ok());
  EXPECT_EQ(nothing.Err().Headline().where.key, "exception_id");
  auto pending = ledger::workflow::SubmitRequest(
      L(),
      {"m1", R"({"action": "exception", "context": {"emergency": false}})", "代替策で運用する"});
  ASSERT_TRUE(pending.Ok()) << pending.Err().ToString();
  auto unapproved = UpdateFinding(L(), "m1", finding.id,
                                  {.status = "risk_accepted", .exception_id = pending->id});
  ASSERT_FALSE(unapproved.Ok());
  EXPECT_EQ(unapproved.Err().Headline().where.key, "exception_id");
  EXPECT_EQ(ledger::workflow::GetRequest(L(), pending->id)->status,
            ledger::workflow::RequestStatus::kPending);
  EXPECT_EQ(GetFinding(L(), finding.id)->status, FindingStatus::kIdentified);
  EXPECT_GT(LastSeq(), seq);  // only the exception's own event
  ASSERT_TRUE(ledger::workflow::ApproveRequest(L(), pending->id, "x1", "期限付きで認める").Ok());
  auto accepted = UpdateFinding(L(), "m1", finding.id,
                                {.status = "risk_accepted", .exception_id = pending->id});
  ASSERT_TRUE(accepted.Ok()) << accepted.Err().ToString();
  EXPECT_EQ(accepted->status, FindingStatus::kRiskAccepted);
  EXPECT_EQ(accepted->exception_id, pending->id);
}

TEST_F(FindingsTest, OverdueListHasOpenFindingsPastTheirDueDate) {
  const auto late = Add();
  const auto early_done = Add();
  ASSERT_TRUE(UpdateFinding(L(), "m1", late.id,
                            {.status = "planned", .plan = "整備", .due_on = "2026-12-10"})
                  .Ok());
  ASSERT_TRUE(UpdateFinding(L(), "m1", early_done.id,
                            {.status = "planned", .plan = "整備", .due_on = "2026-12-10"})
                  .Ok());
  ASSERT_TRUE(UpdateFinding(L(), "m1", early_done.id, {.status = "in_progress"}).Ok());
  ASSERT_TRUE(UpdateFinding(L(), "m1", early_done.id, {.status = "done", .evidence = "済"}).Ok());
  EXPECT_TRUE(ListFindings(L(), {.overdue_only = true})->empty());
  ledger_->clock().Advance(std::chrono::hours(24 * 10));  // 2026-12-11
  const auto overdue = *ListFindings(L(), {.overdue_only = true});
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].id, late.id);
  EXPECT_EQ(ListFindings(L(), {.status = "done"})->size(), 1u);
  EXPECT_EQ(ListFindings(L(), {.section = "kaigo"})->size(), 0u);
}

}  // namespace
}  // namespace mamori::assess
