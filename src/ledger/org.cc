#include "ledger/org.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "ledger/validate.h"

namespace mamori::ledger {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kPersonColumns =
    "p.id, p.code, p.name, p.section_id, s.code, s.department_id, d.code, p.employment, p.email, "
    "p.start_date, coalesce(p.end_date, '')";
constexpr std::string_view kPersonJoin =
    " FROM people p JOIN sections s ON s.id = p.section_id JOIN departments d ON d.id = "
    "s.department_id";

Person PersonFromRow(const storage::Row& row) {
  return Person{row.Int(0),  row.Text(1), row.Text(2), row.Int(3),  row.Text(4), row.Int(5),
                row.Text(6), row.Text(7), row.Text(8), row.Text(9), row.Text(10)};
}

Error NotFound(std::string_view field, const std::string& what_ja, const std::string& what_en,
               const std::string& code) {
  return Error(ErrorCode::kNotFound, what_ja + "「" + code + "」は登録されていません",
               "no " + what_en + " \"" + code + "\"", {"", 0, std::string(field)});
}

Error Duplicate(std::string_view field, const std::string& code) {
  return FieldError(field, "「" + code + "」は既に登録されています",
                    "\"" + code + "\" already exists");
}

Result<bool> Exists(storage::Database& db, std::string_view table, const std::string& code) {
  MAMORI_TRY(const auto count,
             db.QueryInt("SELECT count(*) FROM " + std::string(table) + " WHERE code = ?", {code}));
  return count > 0;
}

Result<Department> FindDepartment(Ledger& ledger, const std::string& code, std::string_view field) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT id, code, name FROM departments WHERE code = ?", {code}));
  if (rows.empty()) return NotFound(field, "部局", "department", code);
  return Department{rows[0].Int(0), rows[0].Text(1), rows[0].Text(2)};
}

Json PersonJson(const Person& person) {
  return Json{{"code", person.code},
              {"name", person.name},
              {"section", person.section_code},
              {"employment", person.employment},
              {"email", person.email},
              {"start_date", person.start_date},
              {"end_date", person.end_date}};
}

}  // namespace

RoleScope ScopeOf(policy::Role role) { return policy::BuiltInScope(role); }

RoleScope ScopeOf(const policy::Profile& profile, policy::Role role) {
  return profile.ScopeOf(role);
}

const std::vector<std::pair<std::string, std::string>>& EmploymentTypes() {
  static const std::vector<std::pair<std::string, std::string>> kTypes{
      {"staff", "職員"},
      {"fiscal_year", "会計年度任用職員"},
      {"fixed_term", "任期付職員"},
      {"contractor", "委託事業者"}};
  return kTypes;
}

std::string TodayJst(const Ledger& ledger) { return FormatJst(ledger.Now()).substr(0, 10); }

Result<std::int64_t> AddDepartment(Ledger& ledger, const std::string& actor,
                                   const std::string& code, const std::string& name) {
  MAMORI_TRY_STATUS(
      Checks().Add(CheckCode(code, "code")).Add(CheckText(name, "name", kMaxName)).Done());
  std::int64_t id = 0;
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    MAMORI_TRY(const bool exists, Exists(ledger.Db(), "departments", code));
    if (exists) return Duplicate("code", code);
    MAMORI_TRY(
        id, ledger.Db().QueryInt("INSERT INTO departments (code, name) VALUES (?, ?) RETURNING id",
                                 {code, name}));
    return ledger.Record(
        {actor, "department.add", "department", code, Json{{"code", code}, {"name", name}}.dump()});
  }));
  return id;
}

Result<std::int64_t> AddSection(Ledger& ledger, const std::string& actor, const std::string& code,
                                const std::string& name, const std::string& department_code) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(code, "code"))
                        .Add(CheckText(name, "name", kMaxName))
                        .Add(CheckCode(department_code, "department"))
                        .Done());
  std::int64_t id = 0;
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto department, FindDepartment(ledger, department_code, "department"));
    MAMORI_TRY(const bool exists, Exists(ledger.Db(), "sections", code));
    if (exists) return Duplicate("code", code);
    MAMORI_TRY(id, ledger.Db().QueryInt(
                       "INSERT INTO sections (code, name, department_id) VALUES (?, ?, ?) "
                       "RETURNING id",
                       {code, name, department.id}));
    return ledger.Record(
        {actor, "section.add", "section", code,
         Json{{"code", code}, {"name", name}, {"department", department_code}}.dump()});
  }));
  return id;
}

Status CheckPersonInput(const PersonInput& input) {
  std::vector<std::string> employment;
  for (const auto& [id, title] : EmploymentTypes()) employment.push_back(id);
  Checks checks;
  checks.Add(CheckCode(input.code, "code"))
      .Add(CheckText(input.name, "name", kMaxName))
      .Add(CheckCode(input.section_code, "section"))
      .Add(CheckOneOf(input.employment, "employment", employment))
      .Add(CheckText(input.email, "email", kMaxName, true))
      .Add(CheckDate(input.start_date, "start_date"))
      .Add(CheckDate(input.end_date, "end_date", true));
  if (!input.end_date.empty() && CheckDate(input.end_date, "end_date").Ok() &&
      input.end_date < input.start_date) {
    checks.Add(FieldError("end_date", "終了日が開始日より前です", "end_date is before start_date"));
  }
  return checks.Done();
}

Result<std::int64_t> InsertPerson(Ledger& ledger, const std::string& actor,
                                  const PersonInput& input) {
  MAMORI_TRY_STATUS(CheckPersonInput(input));
  MAMORI_TRY(const auto section, FindSection(ledger, input.section_code));
  MAMORI_TRY(const bool exists, Exists(ledger.Db(), "people", input.code));
  if (exists) return Duplicate("code", input.code);
  const storage::Value end = input.end_date.empty() ? storage::Null() : storage::Value(input.end_date);
  MAMORI_TRY(const auto id,
             ledger.Db().QueryInt("INSERT INTO people (code, name, section_id, employment, email, "
                                  "start_date, end_date) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                  {input.code, input.name, section.id, input.employment,
                                   input.email, input.start_date, end}));
  MAMORI_TRY(const auto person, FindPerson(ledger, input.code));
  MAMORI_TRY_STATUS(
      ledger.Record({actor, "person.add", "person", input.code, PersonJson(person).dump()}));
  return id;
}

Result<std::int64_t> AddPerson(Ledger& ledger, const std::string& actor, const PersonInput& input) {
  MAMORI_TRY_STATUS(CheckPersonInput(input));
  std::int64_t id = 0;
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    MAMORI_TRY(id, InsertPerson(ledger, actor, input));
    return OkStatus();
  }));
  return id;
}

Status EndPerson(Ledger& ledger, const std::string& actor, const std::string& code,
                 const std::string& end_date) {
  MAMORI_TRY_STATUS(
      Checks().Add(CheckCode(code, "code")).Add(CheckDate(end_date, "end_date")).Done());
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(auto person, FindPerson(ledger, code));
    if (end_date < person.start_date) {
      return FieldError("end_date", "終了日が開始日より前です", "end_date is before start_date");
    }
    MAMORI_TRY_STATUS(
        ledger.Db().Execute("UPDATE people SET end_date = ? WHERE id = ?", {end_date, person.id}));
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE person_roles SET end_date = ? WHERE person_id = ? AND (end_date IS NULL OR "
        "end_date > ?)",
        {end_date, person.id, end_date}));
    person.end_date = end_date;
    return ledger.Record({actor, "person.end", "person", code, PersonJson(person).dump()});
  });
}

Result<std::int64_t> AssignRole(Ledger& ledger, const std::string& actor,
                                const std::string& person_code, const std::string& role_id,
                                const std::string& scope_code, const std::string& start_date) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(person_code, "person"))
                        .Add(CheckDate(start_date, "start_date"))
                        .Done());
  const policy::Profile& profile = ledger.Profile();
  const auto role = profile.ParseRole(role_id);
  if (!role) {
    const std::string known = profile.AllRoleIds();
    return FieldError("role", "役割「" + role_id + "」はありません（" + known + "）",
                      "no role \"" + role_id + "\" (one of " + known + ")");
  }
  if (profile.FindRole(*role) == nullptr) {
    return FieldError("role", "役割「" + role_id + "」はこの組織のポリシーにありません",
                      "role \"" + role_id + "\" is not defined by this organization's profile");
  }
  const RoleScope scope = ScopeOf(profile, *role);
  if (scope == RoleScope::kOrganization && !scope_code.empty()) {
    return FieldError("scope", "この役割は組織全体の役割です（課室・部局は指定しません）",
                      "this role is organization-wide (give no section or department)");
  }
  if (scope != RoleScope::kOrganization && scope_code.empty()) {
    return FieldError(
        "scope",
        scope == RoleScope::kSection ? "課室等のコードが必要です" : "部局のコードが必要です",
        scope == RoleScope::kSection ? "needs a section code" : "needs a department code");
  }
  std::int64_t id = 0;
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto person, FindPerson(ledger, person_code));
    storage::Value section = storage::Null();
    storage::Value department = storage::Null();
    std::int64_t section_key = 0;  // 0: none (ids start at 1)
    std::int64_t department_key = 0;
    if (scope == RoleScope::kSection) {
      MAMORI_TRY(const auto found, FindSection(ledger, scope_code));
      section = section_key = found.id;
    } else if (scope == RoleScope::kDepartment) {
      MAMORI_TRY(const auto found, FindDepartment(ledger, scope_code, "scope"));
      department = department_key = found.id;
    }
    MAMORI_TRY(
        const auto same,
        ledger.Db().QueryInt(
            "SELECT count(*) FROM person_roles WHERE person_id = ? AND "
            "role = ? AND coalesce(section_id, 0) = ? AND coalesce(department_id, 0) = ? AND "
            "(end_date IS NULL OR end_date >= ?)",
            {person.id, role_id, section_key, department_key, start_date}));
    if (same > 0) {
      return FieldError("role", "同じ役割が既に割り当てられています", "role already assigned");
    }
    MAMORI_TRY(id, ledger.Db().QueryInt(
                       "INSERT INTO person_roles (person_id, role, section_id, department_id, "
                       "start_date) VALUES (?, ?, ?, ?, ?) RETURNING id",
                       {person.id, role_id, section, department, start_date}));
    return ledger.Record({actor, "role.assign", "person_role", std::to_string(id),
                          Json{{"person", person_code},
                               {"role", role_id},
                               {"scope", scope_code},
                               {"start_date", start_date}}
                              .dump()});
  }));
  return id;
}

Result<std::vector<Department>> ListDepartments(Ledger& ledger) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT id, code, name FROM departments ORDER BY code"));
  std::vector<Department> result;
  result.reserve(rows.size());
  for (const auto& row : rows) result.push_back({row.Int(0), row.Text(1), row.Text(2)});
  return result;
}

Result<std::vector<Section>> ListSections(Ledger& ledger) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT s.id, s.code, s.name, s.department_id, d.code FROM "
                               "sections s JOIN departments d ON d.id = s.department_id "
                               "ORDER BY s.code"));
  std::vector<Section> result;
  result.reserve(rows.size());
  for (const auto& row : rows) {
    result.push_back({row.Int(0), row.Text(1), row.Text(2), row.Int(3), row.Text(4)});
  }
  return result;
}

Result<std::vector<Person>> ListPeople(Ledger& ledger) {
  MAMORI_TRY(const auto rows, ledger.Db().Query("SELECT " + std::string(kPersonColumns) +
                                                std::string(kPersonJoin) + " ORDER BY p.code"));
  std::vector<Person> result;
  result.reserve(rows.size());
  for (const auto& row : rows) result.push_back(PersonFromRow(row));
  return result;
}

namespace {
constexpr std::string_view kRoleSelect =
    "SELECT r.id, p.code, r.role, coalesce(s.code, ''), coalesce(d.code, ''), r.start_date, "
    "coalesce(r.end_date, '') FROM person_roles r JOIN people p ON p.id = r.person_id "
    "LEFT JOIN sections s ON s.id = r.section_id LEFT JOIN departments d ON d.id = "
    "r.department_id";

Result<std::vector<RoleAssignment>> QueryRoles(Ledger& ledger, const std::string& where,
                                               const storage::Params& params) {
  MAMORI_TRY(
      const auto rows,
      ledger.Db().Query(std::string(kRoleSelect) + where + " ORDER BY p.code, r.role", params));
  std::vector<RoleAssignment> result;
  for (const auto& row : rows) {
    const auto role = ledger.Profile().ParseRole(row.Text(2));
    // A role no longer in the vocabulary or the profile (a profile-defined
    // role the current profile dropped) grants nothing.
    if (!role) continue;
    result.push_back(
        {row.Int(0), row.Text(1), *role, row.Text(3), row.Text(4), row.Text(5), row.Text(6)});
  }
  return result;
}
}  // namespace

Result<std::vector<RoleAssignment>> ListRoles(Ledger& ledger) { return QueryRoles(ledger, "", {}); }

Result<Person> FindPerson(Ledger& ledger, const std::string& code) {
  MAMORI_TRY(const auto rows, ledger.Db().Query("SELECT " + std::string(kPersonColumns) +
                                                    std::string(kPersonJoin) + " WHERE p.code = ?",
                                                {code}));
  if (rows.empty()) return NotFound("person", "職員", "person", code);
  return PersonFromRow(rows[0]);
}

Result<Section> FindSection(Ledger& ledger, const std::string& code) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT s.id, s.code, s.name, s.department_id, d.code FROM "
                               "sections s JOIN departments d ON d.id = s.department_id "
                               "WHERE s.code = ?",
                               {code}));
  if (rows.empty()) return NotFound("section", "課室等", "section", code);
  return Section{rows[0].Int(0), rows[0].Text(1), rows[0].Text(2), rows[0].Int(3), rows[0].Text(4)};
}

bool ActiveOn(const Person& person, const std::string& date) {
  return person.start_date <= date && (person.end_date.empty() || date <= person.end_date);
}

Result<Person> FindActivePerson(Ledger& ledger, const std::string& code, std::string_view field) {
  MAMORI_TRY_STATUS(CheckCode(code, field));
  auto person = FindPerson(ledger, code);
  if (!person.Ok()) {
    return Error(ErrorCode::kNotFound, "職員「" + code + "」は登録されていません",
                 "no person \"" + code + "\"", {"", 0, std::string(field)});
  }
  if (!ActiveOn(*person, TodayJst(ledger))) {
    return FieldError(field, "職員「" + code + "」は本日在職していません",
                      "person \"" + code + "\" is not employed today");
  }
  return std::move(person).Value();
}

Result<bool> HoldsFor(Ledger& ledger, const Person& person, policy::Role role,
                      const Section& section, const std::string& date) {
  MAMORI_TRY(const auto roles, RolesOf(ledger, person, date));
  for (const auto& assignment : roles) {
    if (assignment.role != role) continue;
    switch (ScopeOf(ledger.Profile(), role)) {
      case RoleScope::kSection:
        if (assignment.section_code == section.code) return true;
        break;
      case RoleScope::kDepartment:
        if (assignment.department_code == section.department_code) return true;
        break;
      case RoleScope::kOrganization:
        return true;
    }
  }
  return false;
}

Result<std::vector<RoleAssignment>> RolesOf(Ledger& ledger, const Person& person,
                                            const std::string& date) {
  MAMORI_TRY(auto roles, QueryRoles(ledger,
                                    " WHERE r.person_id = ? AND r.start_date <= ? AND (r.end_date "
                                    "IS NULL OR r.end_date >= ?)",
                                    {person.id, date, date}));
  if (!ActiveOn(person, date)) return std::vector<RoleAssignment>{};
  const policy::Role base =
      person.employment == "contractor" ? policy::Role::kContractor : policy::Role::kStaff;
  roles.push_back(
      {0, person.code, base, person.section_code, "", person.start_date, person.end_date});
  return roles;
}

Result<std::vector<Person>> HoldersOf(Ledger& ledger, policy::Role role, const Section& section,
                                      const std::string& date) {
  std::string where =
      " WHERE r.role = ? AND r.start_date <= ? AND (r.end_date IS NULL OR r.end_date >= ?)";
  storage::Params params{ledger.Profile().RoleId(role), date, date};
  switch (ScopeOf(ledger.Profile(), role)) {
    case RoleScope::kSection:
      where += " AND r.section_id = ?";
      params.emplace_back(section.id);
      break;
    case RoleScope::kDepartment:
      where += " AND r.department_id = ?";
      params.emplace_back(section.department_id);
      break;
    case RoleScope::kOrganization:
      break;
  }
  MAMORI_TRY(const auto assignments, QueryRoles(ledger, where, params));
  std::vector<Person> holders;
  for (const auto& assignment : assignments) {
    MAMORI_TRY(auto person, FindPerson(ledger, assignment.person_code));
    if (ActiveOn(person, date)) holders.push_back(std::move(person));
  }
  return holders;
}

namespace {

// The WHERE clause (and its parameters) of a people query, without paging.
void PeopleWhere(const PeopleQuery& query, std::string& where, storage::Params& params) {
  where = " WHERE 1 = 1";
  if (!query.include_ended && !query.today.empty()) {
    // Employed on or after today (ActiveOn counts the end date itself).
    where += " AND (p.end_date IS NULL OR p.end_date = '' OR p.end_date >= ?)";
    params.emplace_back(query.today);
  }
  if (query.sections && query.sections->empty()) {
    where += " AND 1 = 0";
  } else if (query.sections && query.sections->size() == 1) {
    where += " AND s.code = ?";
    params.emplace_back(query.sections->front());
  } else if (query.sections) {
    where += " AND s.code IN (";
    for (std::size_t i = 0; i < query.sections->size(); ++i) {
      where += i == 0 ? "?" : ", ?";
      params.emplace_back((*query.sections)[i]);
    }
    where += ")";
  }
  if (!query.section.empty()) {
    where += " AND s.code = ?";
    params.emplace_back(query.section);
  }
  if (!query.q.empty()) {
    const std::string pattern = storage::LikeContaining(query.q);
    where += " AND (lower(p.code) LIKE lower(?) ESCAPE '\\' OR "
             "lower(p.name) LIKE lower(?) ESCAPE '\\')";
    params.emplace_back(pattern);
    params.emplace_back(pattern);
  }
}

}  // namespace

Result<PeoplePage> ListPeoplePage(Ledger& ledger, const PeopleQuery& query) {
  std::string where;
  storage::Params params;
  PeopleWhere(query, where, params);
  PeoplePage page;
  MAMORI_TRY(page.total,
             ledger.CachedCount("SELECT COUNT(*)" + std::string(kPersonJoin) + where, params));
  storage::Params page_params = params;
  page_params.emplace_back(static_cast<std::int64_t>(query.limit));
  page_params.emplace_back(static_cast<std::int64_t>(query.offset));
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT " + std::string(kPersonColumns) + std::string(kPersonJoin) +
                                   where + " ORDER BY p.code LIMIT ? OFFSET ?",
                               page_params));
  page.people.reserve(rows.size());
  for (const auto& row : rows) page.people.push_back(PersonFromRow(row));
  return page;
}

}  // namespace mamori::ledger
