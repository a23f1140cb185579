#include "ledger/workflow/exceptions.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "ledger/org.h"
#include "ledger/test_support.h"

namespace mamori::ledger::workflow {
namespace {

using Json = nlohmann::json;
using std::chrono::days;
using std::chrono::hours;

constexpr const char* kNormal = R"({"action": "exception", "context": {"emergency": false}})";
constexpr const char* kEmergency = R"({"action": "exception", "context": {"emergency": true}})";

std::vector<std::int64_t> Ids(const std::vector<RequestRecord>& requests) {
  std::vector<std::int64_t> ids;
  for (const auto& request : requests) ids.push_back(request.id);
  return ids;
}

class ExceptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ledger_ = std::make_unique<testing::TempLedger>(std::string("wfx_") + info->name());
    testing::SeedOrganization(**ledger_);
  }
  Ledger& L() { return **ledger_; }
  FixedClock& TestClock() { return ledger_->clock(); }
  Result<RequestRecord> Take(const std::string& who, const char* json,
                             const std::string& why = "システム障害のため手作業で処理する") {
    return SubmitRequest(L(), SubmitInput{who, json, why});
  }

  std::unique_ptr<testing::TempLedger> ledger_;
};

TEST_F(ExceptionsTest, NormalExceptionNeedsTheApprovalTheProfileNames) {
  auto exception = Take("m1", kNormal);
  ASSERT_TRUE(exception.Ok()) << exception.Err().ToString();
  EXPECT_EQ(exception->status, RequestStatus::kPending);
  ASSERT_TRUE(exception->exception.has_value());
  EXPECT_FALSE(exception->exception->emergency);
  EXPECT_TRUE(exception->exception->report_due.empty());
  // 7.4(1): the CISO or the chief officer (and the chief officer's deputy by delegation).
  ASSERT_EQ(exception->steps.size(), 1u);
  EXPECT_EQ(exception->steps[0].roles,
            (std::vector<std::string>{"ciso", "chief_officer", "deputy_chief_officer"}));
  EXPECT_EQ(exception->steps[0].routed_to, (std::vector<std::string>{"c1", "d1", "x1"}));
  EXPECT_FALSE(ApproveRequest(L(), exception->id, "o1", "").Ok());
  auto approved = ApproveRequest(L(), exception->id, "x1", "期間を限って認める");
  ASSERT_TRUE(approved.Ok()) << approved.Err().ToString();
  EXPECT_EQ(approved->status, RequestStatus::kApproved);
  // 7.4(3): the record of the exception is an obligation record.
  ASSERT_EQ(approved->obligations.size(), 1u);
  EXPECT_EQ(approved->obligations[0].obligation, "record");
  EXPECT_EQ(approved->obligations[0].fields,
            (std::vector<std::string>{"date", "person", "measure"}));
  // Not an emergency: nothing to report afterwards.
  EXPECT_FALSE(ReportException(L(), exception->id, "m1", "報告").Ok());
}

TEST_F(ExceptionsTest, OnlyManagersTakeExceptionsAndTheyGiveAReason) {
  const auto seq = *L().Audit().LastSeq();
  auto staff = Take("s1", kEmergency);
  ASSERT_FALSE(staff.Ok());
  EXPECT_EQ(staff.Err().Headline().where.key, "requester");
  EXPECT_NE(staff.Err().Headline().message_ja.find("7.4(1)(2)"), std::string::npos);
  auto no_reason = Take("m1", kNormal, "");
  ASSERT_FALSE(no_reason.Ok());
  EXPECT_EQ(no_reason.Err().Headline().where.key, "purpose");
  EXPECT_EQ(*L().Audit().LastSeq(), seq);
  EXPECT_TRUE(ListExceptions(L())->empty());
}

TEST_F(ExceptionsTest, EmergencyExceptionNotReportedInTimeGoesOverdue) {
  auto exception = Take("m1", kEmergency);
  ASSERT_TRUE(exception.Ok()) << exception.Err().ToString();
  // 7.4(2): taken at once, reported afterwards within the profile's 3 days.
  EXPECT_EQ(exception->status, RequestStatus::kApproved);
  EXPECT_TRUE(exception->steps.empty());
  ASSERT_TRUE(exception->exception.has_value());
  EXPECT_TRUE(exception->exception->emergency);
  EXPECT_EQ(exception->exception->report_due, "2026-12-04T01:00:00Z");
  EXPECT_EQ(EmergencyReportDays(L().Profile()), 3);
  EXPECT_FALSE(exception->exception->overdue);
  EXPECT_TRUE(OverdueExceptions(L())->empty());

  TestClock().Advance(days(3));  // exactly at the deadline: still in time
  EXPECT_TRUE(OverdueExceptions(L())->empty());
  TestClock().Advance(hours(1));
  auto overdue = OverdueExceptions(L());
  ASSERT_TRUE(overdue.Ok()) << overdue.Err().ToString();
  EXPECT_EQ(Ids(*overdue), std::vector<std::int64_t>{exception->id});
  EXPECT_TRUE(GetRequest(L(), exception->id)->exception->overdue);
  EXPECT_TRUE(ToJson(*GetRequest(L(), exception->id))["exception"]["report_due"] ==
              "2026-12-04T01:00:00Z");

  // A late report is still recorded; then it is no longer overdue.
  auto reported = ReportException(L(), exception->id, "m1", "障害復旧まで手作業で処理した");
  ASSERT_TRUE(reported.Ok()) << reported.Err().ToString();
  EXPECT_FALSE(reported->exception->overdue);
  EXPECT_EQ(reported->exception->reported_by, "m1");
  EXPECT_EQ(reported->exception->reported_at, "2026-12-04T02:00:00Z");
  // 7.4(2): to the CISO or the chief officer.
  EXPECT_EQ(reported->exception->reported_to, (std::vector<std::string>{"c1", "x1"}));
  EXPECT_TRUE(OverdueExceptions(L())->empty());
  EXPECT_EQ(L().Audit().Events("", "")->back().action, "exception.report");
  EXPECT_EQ(Json::parse(L().Audit().Events("", "")->back().state), ToJson(*reported));
  EXPECT_FALSE(ReportException(L(), exception->id, "m1", "二度目").Ok());
}

TEST_F(ExceptionsTest, EmergencyExceptionReportedInTimeNeverGoesOverdue) {
  auto exception = *Take("m1", kEmergency);
  TestClock().Advance(days(1));
  auto by_staff = ReportException(L(), exception.id, "s1", "報告");
  ASSERT_FALSE(by_staff.Ok());
  EXPECT_EQ(by_staff.Err().Headline().where.key, "reporter");
  auto empty = ReportException(L(), exception.id, "m1", "");
  ASSERT_FALSE(empty.Ok());
  EXPECT_EQ(empty.Err().Headline().where.key, "text");

  auto reported = ReportException(L(), exception.id, "m1", "翌日に報告");
  ASSERT_TRUE(reported.Ok()) << reported.Err().ToString();
  // The report fills the report_afterwards record the decision imposed.
  bool filled = false;
  for (const auto& record : reported->obligations) {
    if (record.obligation == "report_afterwards") {
      filled = record.Filled();
      EXPECT_EQ(record.values.at("report"), "翌日に報告");
      EXPECT_EQ(record.clause, "7.4(2)");
    }
  }
  EXPECT_TRUE(filled);
  EXPECT_EQ(reported->status, RequestStatus::kApproved);  // record and time_limited remain
  TestClock().Advance(days(10));
  EXPECT_TRUE(OverdueExceptions(L())->empty());
  EXPECT_FALSE(GetRequest(L(), exception.id)->exception->overdue);

  ASSERT_TRUE(FillObligation(L(), exception.id, "m1", "record",
                             {{"date", "2026-12-01"}, {"person", "m1"}, {"measure", "紙台帳で受付"}})
                  .Ok());
  auto done = FillObligation(L(), exception.id, "m1", "time_limited",
                             {{"person", "m1"}, {"until", "2026-12-03"}});
  ASSERT_TRUE(done.Ok()) << done.Err().ToString();
  EXPECT_EQ(done->status, RequestStatus::kCompleted);
}

TEST_F(ExceptionsTest, TheRegisterIsListedAndReviewedByCisoOrChiefOfficer) {
  auto normal = *Take("m1", kNormal);
  auto emergency = *Take("m2", kEmergency);
  auto other = *SubmitRequest(L(), {"s1", R"({"action": "take_out", "asset": {"kind": "data"}})", ""});
  auto all = ListExceptions(L());
  ASSERT_TRUE(all.Ok()) << all.Err().ToString();
  EXPECT_EQ(Ids(*all), (std::vector<std::int64_t>{normal.id, emergency.id}));
  (void)other;

  const auto seq = *L().Audit().LastSeq();
  auto by_manager = ReviewException(L(), normal.id, "m2", "確認した");
  ASSERT_FALSE(by_manager.Ok());
  EXPECT_EQ(by_manager.Err().Headline().where.key, "reviewer");
  EXPECT_NE(by_manager.Err().Headline().message_ja.find("7.4(3)"), std::string::npos);
  EXPECT_FALSE(ReviewException(L(), normal.id, "c1", "").Ok());
  EXPECT_FALSE(ReviewException(L(), other.id, "c1", "確認した").Ok());
  EXPECT_EQ(*L().Audit().LastSeq(), seq);

  ASSERT_TRUE(ReviewException(L(), normal.id, "c1", "継続の必要性を確認").Ok());
  ASSERT_TRUE(ReviewException(L(), normal.id, "d1", "委任により確認").Ok());
  auto reviewed = ReviewException(L(), emergency.id, "x1", "報告を督促");
  ASSERT_TRUE(reviewed.Ok()) << reviewed.Err().ToString();
  ASSERT_EQ(reviewed->exception->reviews.size(), 1u);
  EXPECT_EQ(reviewed->exception->reviews[0].role, "ciso");
  EXPECT_EQ(reviewed->exception->reviews[0].comment, "報告を督促");
  const auto reviews = GetRequest(L(), normal.id)->exception->reviews;
  ASSERT_EQ(reviews.size(), 2u);
  EXPECT_EQ(reviews[0].role, "chief_officer");
  EXPECT_EQ(reviews[1].role, "deputy_chief_officer");
  EXPECT_EQ(L().Audit().Events("", "")->back().action, "exception.review");
}

}  // namespace
}  // namespace mamori::ledger::workflow
