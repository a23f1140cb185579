#include "ledger/incident/training.h"

#include <gtest/gtest.h>

#include <chrono>

#include "ledger/org.h"
#include "ledger/test_support.h"

namespace mamori::ledger::incident {
namespace {

using ::mamori::ledger::testing::Codes;
using ::mamori::ledger::testing::Fields;

class TrainingTest : public ::testing::Test {
 protected:
  TrainingTest()
      : ledger_(std::string("training_") +
                ::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    testing::SeedOrganization(*ledger_);  // today: 2026-12-01 (JST)
  }
  std::int64_t Add(const SessionInput& input) {
    auto id = AddSession(*ledger_, "c1", input);
    EXPECT_TRUE(id.Ok()) << id.Err().ToString();
    return id.Ok() ? *id : 0;
  }
  testing::TempLedger ledger_;
};

// Everyone employed except 委託事業者 (v1), who is bound by the contract.
const std::vector<std::string> kAllStaff{"a1", "c1", "d1", "k1", "m1", "m2", "o1", "s1", "s2", "x1"};

TEST_F(TrainingTest, WhoMustAttendFollowsTheTarget) {
  ASSERT_TRUE(AddPerson(*ledger_, "system",
                        {"n1", "新規 採用", "kaigo", "staff", "", "2026-10-01", ""})
                  .Ok());
  auto everyone = kAllStaff;
  everyone.push_back("n1");
  std::sort(everyone.begin(), everyone.end());
  const auto all = Add({"情報セキュリティ研修", "training", "2026-11-10", "all", 0, {}, ""});
  const auto hires = Add({"新規採用職員研修", "training", "2026-11-10", "new_hires", 60, {}, ""});
  const auto roles = Add({"管理者研修", "training", "2026-11-20", "roles", 0, {"manager", "officer"}, ""});
  const auto drill = Add({"緊急時対応訓練", "drill", "2026-11-25", "roles", 0, {"csirt", "chief_officer"}, ""});

  EXPECT_EQ(Codes(*RequiredAttendees(*ledger_, *GetSession(*ledger_, all))), everyone);
  EXPECT_EQ(Codes(*RequiredAttendees(*ledger_, *GetSession(*ledger_, hires))),
            std::vector<std::string>{"n1"});
  EXPECT_EQ(Codes(*RequiredAttendees(*ledger_, *GetSession(*ledger_, roles))),
            (std::vector<std::string>{"m1", "m2", "o1"}));
  EXPECT_EQ(Codes(*RequiredAttendees(*ledger_, *GetSession(*ledger_, drill))),
            (std::vector<std::string>{"c1", "k1"}));
  // The clause by target and kind (5.2(1)①②③, 5.2(2)).
  EXPECT_EQ(GetSession(*ledger_, all)->clause, "5.2(1)①");
  EXPECT_EQ(GetSession(*ledger_, hires)->clause, "5.2(1)②");
  EXPECT_EQ(GetSession(*ledger_, roles)->clause, "5.2(1)③");
  EXPECT_EQ(GetSession(*ledger_, drill)->clause, "5.2(2)");
  EXPECT_EQ(ListSessions(*ledger_)->size(), 4u);
}

TEST_F(TrainingTest, AttendanceAndOverdue) {
  const auto past = Add({"情報セキュリティ研修", "training", "2026-11-10", "all", 0, {}, ""});
  const auto future = Add({"管理者研修", "training", "2026-12-20", "roles", 0, {"manager"}, ""});
  const auto today = Add({"緊急時対応訓練", "drill", "2026-12-01", "roles", 0, {"csirt"}, ""});

  ASSERT_TRUE(RecordAttendance(*ledger_, "c1", past, "s1").Ok());
  ASSERT_TRUE(RecordAttendance(*ledger_, "m1", past, "s2").Ok());  // manager of zeimu
  EXPECT_FALSE(RecordAttendance(*ledger_, "m1", past, "m2").Ok());  // not m1's section
  EXPECT_FALSE(RecordAttendance(*ledger_, "s1", past, "s1").Ok());  // not by oneself
  auto twice = RecordAttendance(*ledger_, "c1", past, "s1");
  ASSERT_FALSE(twice.Ok());
  EXPECT_EQ(Fields(twice.Err()), std::vector<std::string>{"person"});
  auto early = RecordAttendance(*ledger_, "c1", future, "m1");
  ASSERT_FALSE(early.Ok());
  EXPECT_EQ(Fields(early.Err()), std::vector<std::string>{"session"});
  EXPECT_FALSE(RecordAttendance(*ledger_, "c1", 99, "s1").Ok());
  EXPECT_FALSE(RecordAttendance(*ledger_, "c1", past, "nobody").Ok());

  const auto attended = *AttendanceOf(*ledger_, past);
  ASSERT_EQ(attended.size(), 2u);
  EXPECT_EQ(attended[1].recorded_by, "m1");

  // Only the session whose date has passed is overdue (today's and the future one are not).
  auto overdue = *ListOverdueAttendance(*ledger_);
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].session.id, past);
  EXPECT_EQ(Codes(overdue[0].missing),
            (std::vector<std::string>{"a1", "c1", "d1", "k1", "m1", "m2", "o1", "x1"}));

  ledger_.clock().Advance(std::chrono::days(1));
  overdue = *ListOverdueAttendance(*ledger_);
  ASSERT_EQ(overdue.size(), 2u);
  EXPECT_EQ(overdue[1].session.id, today);
  EXPECT_EQ(Codes(overdue[1].missing), std::vector<std::string>{"k1"});
  ASSERT_TRUE(RecordAttendance(*ledger_, "x1", today, "k1").Ok());
  EXPECT_EQ(ListOverdueAttendance(*ledger_)->size(), 1u);
}

TEST_F(TrainingTest, PeopleWhoLeftOrJoinedLaterAreNotRequired) {
  const auto past = Add({"情報セキュリティ研修", "training", "2026-11-10", "all", 0, {}, ""});
  ASSERT_TRUE(EndPerson(*ledger_, "system", "s2", "2026-10-31").Ok());
  ASSERT_TRUE(AddPerson(*ledger_, "system",
                        {"n2", "後日 採用", "zeimu", "staff", "", "2026-11-15", ""})
                  .Ok());
  const auto required = Codes(*RequiredAttendees(*ledger_, *GetSession(*ledger_, past)));
  EXPECT_EQ(std::count(required.begin(), required.end(), "s2"), 0);
  EXPECT_EQ(std::count(required.begin(), required.end(), "n2"), 0);
  EXPECT_FALSE(RecordAttendance(*ledger_, "c1", past, "n2").Ok());  // not employed on the date
}

TEST_F(TrainingTest, YearlyRequirementPerFiscalYear) {
  const auto fy2026 = Add({"情報セキュリティ研修", "training", "2026-04-15", "all", 0, {}, ""});
  const auto fy2025 = Add({"前年度研修", "training", "2026-03-31", "all", 0, {}, ""});
  const auto drill = Add({"緊急時対応訓練", "drill", "2026-06-01", "all", 0, {}, ""});
  ASSERT_TRUE(RecordAttendance(*ledger_, "c1", fy2026, "s1").Ok());
  ASSERT_TRUE(RecordAttendance(*ledger_, "c1", fy2025, "s2").Ok());
  ASSERT_TRUE(RecordAttendance(*ledger_, "c1", drill, "m1").Ok());  // a drill is no training

  EXPECT_EQ(FiscalYearOf("2026-03-31"), 2025);
  EXPECT_EQ(FiscalYearOf("2026-04-01"), 2026);
  const auto current = *CheckYearlyTraining(*ledger_, std::nullopt);
  EXPECT_EQ(current.fiscal_year, 2026);
  EXPECT_EQ(current.from, "2026-04-01");
  EXPECT_EQ(current.to, "2027-03-31");
  EXPECT_FALSE(current.ended);
  auto expected = kAllStaff;
  expected.erase(std::find(expected.begin(), expected.end(), "s1"));
  EXPECT_EQ(Codes(current.missing), expected);

  const auto previous = *CheckYearlyTraining(*ledger_, 2025);
  EXPECT_TRUE(previous.ended);
  expected = kAllStaff;
  expected.erase(std::find(expected.begin(), expected.end(), "s2"));
  EXPECT_EQ(Codes(previous.missing), expected);
  EXPECT_FALSE(CheckYearlyTraining(*ledger_, 12).Ok());
}

TEST_F(TrainingTest, InvalidSessionNamesEveryFieldAndStoresNothing) {
  const auto seq = *ledger_->Audit().LastSeq();
  auto bad = AddSession(*ledger_, "c1", {"", "lecture", "2026-02-30", "new_hires", 0, {"wizard"}, ""});
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()),
            (std::vector<std::string>{"title", "kind", "date", "new_hire_days", "roles"}));
  auto no_roles = AddSession(*ledger_, "c1", {"研修", "training", "2026-12-10", "roles", 0, {}, ""});
  ASSERT_FALSE(no_roles.Ok());
  EXPECT_EQ(Fields(no_roles.Err()), std::vector<std::string>{"roles"});
  auto unknown_role =
      AddSession(*ledger_, "c1", {"研修", "training", "2026-12-10", "roles", 0, {"wizard"}, ""});
  ASSERT_FALSE(unknown_role.Ok());
  auto not_organizer = AddSession(*ledger_, "m1", {"研修", "training", "2026-12-10", "all", 0, {}, ""});
  ASSERT_FALSE(not_organizer.Ok());
  EXPECT_EQ(Fields(not_organizer.Err()), std::vector<std::string>{"actor"});
  EXPECT_TRUE(ListSessions(*ledger_)->empty());
  EXPECT_EQ(*ledger_->Audit().LastSeq(), seq);
  EXPECT_EQ(*ledger_->Db().QueryInt("SELECT count(*) FROM training_attendance"), 0);
}

TEST_F(TrainingTest, EveryChangeIsAnAuditEvent) {
  const auto seq = *ledger_->Audit().LastSeq();
  const auto id = Add({"情報セキュリティ研修", "training", "2026-11-10", "all", 0, {}, ""});
  ASSERT_TRUE(RecordAttendance(*ledger_, "c1", id, "s1").Ok());
  const auto events = *ledger_->Audit().Events("", "");
  ASSERT_EQ(events.back().seq, seq + 2);
  EXPECT_EQ(events[events.size() - 2].action, "training.add");
  EXPECT_EQ(events.back().action, "training.attend");
  EXPECT_EQ(nlohmann::json::parse(events.back().state)["person"], "s1");
}

}  // namespace
}  // namespace mamori::ledger::incident
