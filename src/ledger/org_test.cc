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

// ListPeoplePage: the page of the people register, as ListPeople filtered,
// paged and counted in SQL.
std::vector<std::string> PageCodes(Ledger& ledger, const PeopleQuery& query,
                                   std::int64_t* total = nullptr) {
  auto page = ListPeoplePage(ledger, query);
  EXPECT_TRUE(page.Ok()) << page.Err().ToString();
  if (!page.Ok()) return {};
  if (total != nullptr) *total = page->total;
  return Codes(page->people);
}

TEST(OrgTest, PeoplePagesWalkTheWholeRegisterInCodeOrder) {
  testing::TempLedger ledger("org_people_pages");
  testing::SeedOrganization(*ledger);
  const auto all = Codes(*ListPeople(*ledger));
  ASSERT_EQ(all.size(), 11u);
  std::vector<std::string> walked;
  PeopleQuery query;
  query.limit = 4;
  for (query.offset = 0; query.offset < 20; query.offset += query.limit) {
    std::int64_t total = 0;
    const auto page = PageCodes(*ledger, query, &total);
    EXPECT_EQ(total, 11);
    EXPECT_LE(page.size(), 4u);
    walked.insert(walked.end(), page.begin(), page.end());
  }
  EXPECT_EQ(walked, all);  // every person once, sorted by code
  query.offset = 11;
  std::int64_t total = 0;
  EXPECT_TRUE(PageCodes(*ledger, query, &total).empty());
  EXPECT_EQ(total, 11);
}

TEST(OrgTest, PeoplePagesFilterBySectionsInTheDatabase) {
  testing::TempLedger ledger("org_people_sections");
  testing::SeedOrganization(*ledger);
  PeopleQuery query;
  query.sections = std::vector<std::string>{"zeimu"};
  EXPECT_EQ(PageCodes(*ledger, query), (std::vector<std::string>{"m1", "s1", "s2"}));
  query.sections = std::vector<std::string>{"zeimu", "kaigo"};
  EXPECT_EQ(PageCodes(*ledger, query), (std::vector<std::string>{"m1", "m2", "s1", "s2"}));
  query.section = "kaigo";  // within the readable sections only
  EXPECT_EQ(PageCodes(*ledger, query), (std::vector<std::string>{"m2"}));
  query.section = "joho";  // a section outside them gives no one
  std::int64_t total = -1;
  EXPECT_TRUE(PageCodes(*ledger, query, &total).empty());
  EXPECT_EQ(total, 0);
  query.section.clear();
  query.sections = std::vector<std::string>{};  // may read no section
  EXPECT_TRUE(PageCodes(*ledger, query, &total).empty());
  EXPECT_EQ(total, 0);
}

TEST(OrgTest, PeopleSearchEscapesLikeWildcards) {
  testing::TempLedger ledger("org_people_search");
  testing::SeedOrganization(*ledger);
  auto add = [&](const char* code, const char* name) {
    auto added = AddPerson(*ledger, "system",
                           PersonInput{code, name, "kaigo", "staff", "", "2020-04-01", ""});
    ASSERT_TRUE(added.Ok()) << added.Err().ToString();
  };
  add("t_1", "達成 100%");
  add("tx1", "達成 1000");
  add("ty1", "バック\\スラッシュ");
  PeopleQuery query;
  query.q = "t_";  // "_" is the character, not "any one character"
  EXPECT_EQ(PageCodes(*ledger, query), (std::vector<std::string>{"t_1"}));
  query.q = "100%";  // "%" is the character, not "anything"
  EXPECT_EQ(PageCodes(*ledger, query), (std::vector<std::string>{"t_1"}));
  query.q = "%";
  EXPECT_EQ(PageCodes(*ledger, query), (std::vector<std::string>{"t_1"}));
  query.q = "\\";
  EXPECT_EQ(PageCodes(*ledger, query), (std::vector<std::string>{"ty1"}));
  query.q = "達成";  // the name
  EXPECT_EQ(PageCodes(*ledger, query), (std::vector<std::string>{"t_1", "tx1"}));
  query.q = "M";  // the code, case-insensitive as a search box is
  std::int64_t total = 0;
  EXPECT_EQ(PageCodes(*ledger, query, &total), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(total, 2);
}

TEST(OrgTest, PeoplePagesLeaveOutEndedEmploymentUnlessAsked) {
  testing::TempLedger ledger("org_people_ended");
  testing::SeedOrganization(*ledger);
  ASSERT_TRUE(EndPerson(*ledger, "system", "s2", "2026-11-30").Ok());
  PeopleQuery query;
  query.sections = std::vector<std::string>{"zeimu"};
  query.today = "2026-11-30";  // employed to the end of their last day
  EXPECT_EQ(PageCodes(*ledger, query), (std::vector<std::string>{"m1", "s1", "s2"}));
  query.today = "2026-12-01";
  std::int64_t total = 0;
  EXPECT_EQ(PageCodes(*ledger, query, &total), (std::vector<std::string>{"m1", "s1"}));
  EXPECT_EQ(total, 2);
  query.include_ended = true;
  EXPECT_EQ(PageCodes(*ledger, query, &total), (std::vector<std::string>{"m1", "s1", "s2"}));
  EXPECT_EQ(total, 3);
}

TEST(OrgTest, PeopleCountFollowsChanges) {
  testing::TempLedger ledger("org_people_count");
  testing::SeedOrganization(*ledger);
  PeopleQuery query;
  query.limit = 1;
  std::int64_t total = 0;
  PageCodes(*ledger, query, &total);
  EXPECT_EQ(total, 11);
  ASSERT_TRUE(AddPerson(*ledger, "system",
                        PersonInput{"n1", "新規 職員", "zeimu", "staff", "", "2020-04-01", ""})
                  .Ok());
  PageCodes(*ledger, query, &total);
  EXPECT_EQ(total, 12);  // the cached count is not kept past a change
}

}  // namespace
}  // namespace mamori::ledger
