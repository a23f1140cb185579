#include "ledger/incident/common.h"

#include "ledger/validate.h"

namespace mamori::ledger::incident {

Result<Person> ActivePerson(Ledger& ledger, const std::string& code) {
  return FindActivePerson(ledger, code, "actor");
}

Result<bool> Holds(Ledger& ledger, const Person& actor, const Section& section, policy::Role role) {
  return HoldsFor(ledger, actor, role, section, TodayJst(ledger));
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
