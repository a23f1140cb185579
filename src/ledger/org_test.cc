#include "ledger/org.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "ledger/test_support.h"

namespace mamori::ledger {
namespace {

using ::mamori::ledger::testing::Codes;

TEST(OrgTest, HoldersFollowTheRoleScope) {
  testing::TempLedger ledger("org_holders");
  testing::SeedOrganization(*ledger);
  const auto zeimu = *FindSection(*ledger, "zeimu");
  const auto kaigo = *FindSection(*ledger, "kaigo");
  const std::string today = TodayJst(*ledger);
  using policy::Role;
  EXPECT_EQ(Codes(*HoldersOf(*ledger, Role::kManager, zeimu, today)), std::vector<std::string>{"m1"});
  EXPECT_EQ(Codes(*HoldersOf(*ledger, Role::kManager, kaigo, today)), std::vector<std::string>{"m2"});
  // 税務課 is in 総務部, whose officer is o1; 介護保険課's 福祉部 has none.
  EXPECT_EQ(Codes(*HoldersOf(*ledger, Role::kOfficer, zeimu, today)), std::vector<std::string>{"o1"});
  EXPECT_TRUE(HoldersOf(*ledger, Role::kOfficer, kaigo, today)->empty());
  EXPECT_EQ(Codes(*HoldersOf(*ledger, Role::kChiefOfficer, kaigo, today)), std::vector<std::string>{"c1"});
}

TEST(OrgTest, RolesOfIncludeEmploymentAndEndWithIt) {
  testing::TempLedger ledger("org_roles");
  testing::SeedOrganization(*ledger);
  auto m1 = *FindPerson(*ledger, "m1");
  auto roles = *RolesOf(*ledger, m1, "2026-12-01");
  ASSERT_EQ(roles.size(), 2u);
  auto v1 = *FindPerson(*ledger, "v1");
  EXPECT_EQ((*RolesOf(*ledger, v1, "2026-12-01"))[0].role, policy::Role::kContractor);
  ASSERT_TRUE(EndPerson(*ledger, "system", "m1", "2026-11-30").Ok());
  m1 = *FindPerson(*ledger, "m1");
  EXPECT_TRUE(RolesOf(*ledger, m1, "2026-12-01")->empty());
  EXPECT_TRUE(HoldersOf(*ledger, policy::Role::kManager, *FindSection(*ledger, "zeimu"), "2026-12-01")->empty());
  EXPECT_EQ(HoldersOf(*ledger, policy::Role::kManager, *FindSection(*ledger, "zeimu"), "2026-11-30")->size(), 1u);
}

TEST(OrgTest, BadInputNamesEveryFieldAndStoresNothing) {
  testing::TempLedger ledger("org_bad");
  testing::SeedOrganization(*ledger);
  const auto before = *ledger->Audit().LastSeq();
  auto result = AddPerson(*ledger, "system",
                          PersonInput{"bad code!", "", "zeimu", "intern", "", "2026-02-30", ""});
  ASSERT_FALSE(result.Ok());
  std::vector<std::string> fields;
  for (const auto& d : result.Err().Diagnostics()) fields.push_back(d.where.key);
  EXPECT_EQ(fields, (std::vector<std::string>{"code", "name", "employment", "start_date"}));
  EXPECT_EQ(*ledger->Audit().LastSeq(), before);
  EXPECT_EQ(ListPeople(*ledger)->size(), 11u);
}

TEST(OrgTest, UnknownReferencesAndDuplicatesAreNamed) {
  testing::TempLedger ledger("org_refs");
  testing::SeedOrganization(*ledger);
  auto no_section = AddPerson(*ledger, "system", PersonInput{"n1", "名前", "nosuch", "staff", "", "2026-04-01", ""});
  ASSERT_FALSE(no_section.Ok());
  EXPECT_EQ(no_section.Err().Headline().where.key, "section");
  EXPECT_NE(no_section.Err().Headline().message_ja.find("nosuch"), std::string::npos);
  auto duplicate = AddDepartment(*ledger, "system", "somu", "総務部");
  ASSERT_FALSE(duplicate.Ok());
  EXPECT_NE(duplicate.Err().Headline().message_ja.find("既に登録"), std::string::npos);
  auto bad_role = AssignRole(*ledger, "system", "s1", "mayor", "", "2026-04-01");
  ASSERT_FALSE(bad_role.Ok());
  EXPECT_EQ(bad_role.Err().Headline().where.key, "role");
  auto no_scope = AssignRole(*ledger, "system", "s1", "manager", "", "2026-04-01");
  ASSERT_FALSE(no_scope.Ok());
  EXPECT_EQ(no_scope.Err().Headline().where.key, "scope");
  auto again = AssignRole(*ledger, "system", "m1", "manager", "zeimu", "2026-04-01");
  EXPECT_FALSE(again.Ok());
}

TEST(OrgTest, EveryChangeIsAnAuditEvent) {
  testing::TempLedger ledger("org_audit");
  testing::SeedOrganization(*ledger);
  auto events = *ledger->Audit().Events("", "");
  // init + 2 departments + 3 sections + 11 people + 8 roles
  EXPECT_EQ(events.size(), 1u + 2 + 3 + 11 + 8);
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const auto& e) { return e.action == "role.assign"; }),
            8);
  EXPECT_EQ(events.back().action, "person.add");  // v1, who holds no role
}

}  // namespace
}  // namespace mamori::ledger
