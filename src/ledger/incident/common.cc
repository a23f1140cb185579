#include "ledger/incident/common.h"

#include "ledger/validate.h"

namespace mamori::ledger::incident {

Result<Person> ActivePerson(Ledger& ledger, const std::string& code) {
  auto person = FindPerson(ledger, code);
  if (!person.Ok()) {
    return Error(ErrorCode::kNotFound, "操作者「" + code + "」は職員として登録されていません",
                 "no person \"" + code + "\" (the actor)", {"", 0, "actor"});
  }
  if (!ActiveOn(*person, TodayJst(ledger))) {
    return FieldError("actor", "操作者「" + code + "」は本日在職していません",
                      "\"" + code + "\" is not employed today");
  }
  return std::move(person).Value();
}

Result<bool> Holds(Ledger& ledger, const Person& actor, const Section& section, policy::Role role) {
  MAMORI_TRY(const auto roles, RolesOf(ledger, actor, TodayJst(ledger)));
  for (const auto& assignment : roles) {
    if (assignment.role != role) continue;
    switch (ScopeOf(role)) {
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

Status Authorize(Ledger& ledger, const Person& actor, const Section& section,
                 const std::vector<policy::Role>& roles, const std::string& what_ja,
                 const std::string& what_en, const std::string& also_ja,
                 const std::string& also_en) {
  std::string list_ja = also_ja;
  std::string list_en = also_en;
  for (const policy::Role role : roles) {
    MAMORI_TRY(const bool holds, Holds(ledger, actor, section, role));
    if (holds) return OkStatus();
    std::string title = ledger.Profile().RoleTitle(role);
    if (ScopeOf(role) == RoleScope::kSection) title += "（" + section.code + "）";
    if (ScopeOf(role) == RoleScope::kDepartment) title += "（" + section.department_code + "）";
    list_ja += (list_ja.empty() ? "" : "、") + title;
    list_en += (list_en.empty() ? "" : ", ") + std::string(policy::Id(role));
  }
  return FieldError("actor",
                    "「" + actor.code + "」には" + what_ja + "の権限がありません（行えるのは " +
                        list_ja + "）",
                    "\"" + actor.code + "\" may not " + what_en + " (only " + list_en + ")");
}

}  // namespace mamori::ledger::incident
