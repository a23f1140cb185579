#include "ledger/workflow/audits.h"

#include <gtest/gtest.h>

#include "ledger/org.h"
#include "ledger/test_support.h"

namespace mamori::ledger::workflow {
namespace {

using ::mamori::ledger::testing::Fields;

AuditAssignmentInput Input(const std::string& auditor, const std::string& section) {
  return {auditor, section, "2026-12-01", "2026-12-25", "税務システムのアクセス管理"};
}

TEST(AuditPlanTest, AnAuditorIsAssignedToAnotherUnit) {
  testing::TempLedger ledger("audit_plan_ok");
  testing::SeedOrganization(*ledger);
  auto id = AssignAudit(*ledger, "c1", Input("a1", "zeimu"));
  ASSERT_TRUE(id.Ok()) << id.Err().ToString();
  auto list = ListAuditAssignments(*ledger);
  ASSERT_TRUE(list.Ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].auditor, "a1");
  EXPECT_EQ((*list)[0].section, "zeimu");
  EXPECT_EQ((*list)[0].assigned_by, "c1");
  const auto events = *ledger->Audit().Events("", "");
  EXPECT_EQ(events.back().action, "audit_plan.assign");
}

TEST(AuditPlanTest, AnAuditorNeverAuditsTheirOwnUnit) {
  testing::TempLedger ledger("audit_plan_own");
  testing::SeedOrganization(*ledger);
  const auto before = *ledger->Audit().LastSeq();
  // a1 belongs to 情報政策課 (joho).
  auto own = AssignAudit(*ledger, "x1", Input("a1", "joho"));
  ASSERT_FALSE(own.Ok());
  EXPECT_EQ(own.Err().Headline().where.key, "auditor");
  EXPECT_NE(own.Err().Headline().message_ja.find("1(3)②"), std::string::npos);
  // A section a1 manages is a1's own unit too.
  ASSERT_TRUE(AssignRole(*ledger, "system", "a1", "manager", "kaigo", "2026-04-01").Ok());
  auto managed = AssignAudit(*ledger, "x1", Input("a1", "kaigo"));
  ASSERT_FALSE(managed.Ok());
  EXPECT_EQ(managed.Err().Headline().where.key, "auditor");
  EXPECT_EQ(*ledger->Audit().LastSeq(), before + 1);  // only the role assignment
  EXPECT_TRUE(ListAuditAssignments(*ledger)->empty());
}

TEST(AuditPlanTest, OnlyAuditorsAuditAndOnlyTheCisoOrChiefAssigns) {
  testing::TempLedger ledger("audit_plan_roles");
  testing::SeedOrganization(*ledger);
  auto not_auditor = AssignAudit(*ledger, "c1", Input("s1", "kaigo"));
  ASSERT_FALSE(not_auditor.Ok());
  EXPECT_EQ(not_auditor.Err().Headline().where.key, "auditor");
  auto by_staff = AssignAudit(*ledger, "s1", Input("a1", "kaigo"));
  ASSERT_FALSE(by_staff.Ok());
  EXPECT_EQ(by_staff.Err().Headline().where.key, "actor");
  // The deputy acts for the chief officer (the profile's delegate).
  EXPECT_TRUE(AssignAudit(*ledger, "d1", Input("a1", "kaigo")).Ok());
}

TEST(AuditPlanTest, BadInputNamesEveryFieldAndStoresNothing) {
  testing::TempLedger ledger("audit_plan_bad");
  testing::SeedOrganization(*ledger);
  auto bad = AssignAudit(*ledger, "c1", {"a 1", "", "2026-13-01", "2026-12-01", ""});
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()),
            (std::vector<std::string>{"auditor", "section", "period_from", "scope"}));
  auto reversed = AssignAudit(*ledger, "c1", {"a1", "zeimu", "2026-12-31", "2026-12-01", "x"});
  ASSERT_FALSE(reversed.Ok());
  EXPECT_EQ(reversed.Err().Headline().where.key, "period_to");
  EXPECT_TRUE(ListAuditAssignments(*ledger)->empty());
}

}  // namespace
}  // namespace mamori::ledger::workflow
