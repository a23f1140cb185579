// The organization register: 部局 (departments), 課室等 (sections), people
// with their employment type and dates, and who holds which role of the
// profile for which section or department (1 組織体制). Workflows route
// approvals through HoldersOf().
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "policy/model.h"
#include "policy/vocabulary.h"

namespace mamori::ledger {

struct Department {
  std::int64_t id = 0;
  std::string code;
  std::string name;
};

struct Section {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::int64_t department_id = 0;
  std::string department_code;
};

struct PersonInput {
  std::string code;          // 職員番号 etc.; unique
  std::string name;
  std::string section_code;
  std::string employment;    // staff | fiscal_year | fixed_term | contractor
  std::string email;
  std::string start_date;    // YYYY-MM-DD
  std::string end_date;      // empty: open-ended
};

struct Person {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::int64_t section_id = 0;
  std::string section_code;
  std::int64_t department_id = 0;
  std::string department_code;
  std::string employment;
  std::string email;
  std::string start_date;
  std::string end_date;
};

struct RoleAssignment {
  std::int64_t id = 0;
  std::string person_code;
  policy::Role role = policy::Role::kStaff;  // built-in or the profile's own
  std::string section_code;     // manager, liaison, a profile role of scope "section"
  std::string department_code;  // officer
  std::string start_date;
  std::string end_date;
};

// Where a role applies: a section's manager and liaison, a department's
// officer, everyone else organization-wide; a role the profile defines
// applies where its `scope` says (section or organization).
using RoleScope = policy::RoleScope;
// Built-in roles only (a profile-defined role answers kOrganization here).
RoleScope ScopeOf(policy::Role role);
RoleScope ScopeOf(const policy::Profile& profile, policy::Role role);

// employment values with their Japanese names.
const std::vector<std::pair<std::string, std::string>>& EmploymentTypes();

Result<std::int64_t> AddDepartment(Ledger& ledger, const std::string& actor,
                                   const std::string& code, const std::string& name);
Result<std::int64_t> AddSection(Ledger& ledger, const std::string& actor, const std::string& code,
                                const std::string& name, const std::string& department_code);
Result<std::int64_t> AddPerson(Ledger& ledger, const std::string& actor, const PersonInput& input);
// The checks AddPerson makes before writing: every bad field named.
Status CheckPersonInput(const PersonInput& input);
// AddPerson's work inside a running Ledger::Change, for imports that add many
// people in one transaction.
Result<std::int64_t> InsertPerson(Ledger& ledger, const std::string& actor,
                                  const PersonInput& input);
// Ends a person's employment (and their roles) on `end_date`.
Status EndPerson(Ledger& ledger, const std::string& actor, const std::string& code,
                 const std::string& end_date);
// `scope_code` is the section code (manager, liaison), the department code
// (officer) or empty (organization-wide roles). `role_id` is a built-in id or
// one of the profile's own roles; either way the profile must define it.
Result<std::int64_t> AssignRole(Ledger& ledger, const std::string& actor,
                                const std::string& person_code, const std::string& role_id,
                                const std::string& scope_code, const std::string& start_date);

Result<std::vector<Department>> ListDepartments(Ledger& ledger);
Result<std::vector<Section>> ListSections(Ledger& ledger);
Result<std::vector<Person>> ListPeople(Ledger& ledger);
Result<std::vector<RoleAssignment>> ListRoles(Ledger& ledger);

// kNotFound with a message naming the code when there is no such person.
Result<Person> FindPerson(Ledger& ledger, const std::string& code);
Result<Section> FindSection(Ledger& ledger, const std::string& code);
// True when the person is employed on `date` (YYYY-MM-DD).
bool ActiveOn(const Person& person, const std::string& date);
// The person `code` if employed today (JST); errors name `field`.
Result<Person> FindActivePerson(Ledger& ledger, const std::string& code, std::string_view field);
// True when `person` holds `role` on `date` where it counts for `section`:
// the section's manager/liaison, its department's officer, or an
// organization-wide role.
Result<bool> HoldsFor(Ledger& ledger, const Person& person, policy::Role role,
                      const Section& section, const std::string& date);
// The roles `person` holds on `date` (staff always, from employment;
// contractor for 委託事業者).
Result<std::vector<RoleAssignment>> RolesOf(Ledger& ledger, const Person& person,
                                            const std::string& date);
// Who holds `role` for `section` on `date`: the section's manager/liaison,
// its department's officer, or the organization-wide holders; people no
// longer employed are left out.
Result<std::vector<Person>> HoldersOf(Ledger& ledger, policy::Role role, const Section& section,
                                      const std::string& date);

// Today in JST as YYYY-MM-DD (the date a municipal user means).
std::string TodayJst(const Ledger& ledger);

// One page of the people register for a list screen (GET /org/people):
// filtered, counted and paged in the database, so that an organization of
// tens of thousands of people pages quickly. Sorted by code.
struct PeopleQuery {
  // The sections whose people may be listed (a viewer's); nullopt: every
  // section; empty: no one.
  std::optional<std::vector<std::string>> sections;
  std::string section;  // only this section ("" any)
  std::string q;        // a substring of the code or of the name (LIKE, escaped)
  // People whose employment ended before `today` (YYYY-MM-DD) are left out
  // unless include_ended; `today` empty: no one is left out.
  bool include_ended = false;
  std::string today;
  std::size_t offset = 0;
  std::size_t limit = 50;
};
struct PeoplePage {
  std::int64_t total = 0;  // people matching, over all pages
  std::vector<Person> people;
};
Result<PeoplePage> ListPeoplePage(Ledger& ledger, const PeopleQuery& query);

}  // namespace mamori::ledger
