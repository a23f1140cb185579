#include "assess/internal.h"

#include <algorithm>

#include "ledger/validate.h"
#include "ledger/workflow/violations.h"

namespace mamori::assess::internal {

std::vector<policy::Role> WithDelegates(const policy::Profile& profile,
                                        const std::vector<policy::Role>& roles) {
  std::vector<policy::Role> out = roles;
  for (const policy::Role role : roles) {
    if (const policy::RoleInfo* info = profile.FindRole(role)) {
      for (const policy::Role delegate : info->delegates) {
        if (std::find(out.begin(), out.end(), delegate) == out.end()) out.push_back(delegate);
      }
    }
  }
  return out;
}

Result<std::optional<policy::Role>> HeldRole(ledger::Ledger& ledger, const ledger::Person& person,
                                             const std::vector<policy::Role>& roles,
                                             const ledger::Section* section) {
  const std::string today = ledger::TodayJst(ledger);
  MAMORI_TRY(const auto held, ledger::RolesOf(ledger, person, today));
  for (const policy::Role role : roles) {
    for (const auto& assignment : held) {
      if (assignment.role != role) continue;
      if (role == policy::Role::kStaff) {
        // Staff answer for their own section only.
        if (section != nullptr && person.section_code == section->code) return std::optional(role);
        continue;
      }
      switch (ledger.Profile().ScopeOf(role)) {
        case policy::RoleScope::kSection:
          if (section != nullptr && assignment.section_code == section->code) {
            return std::optional(role);
          }
          break;
        case policy::RoleScope::kDepartment:
          if (section != nullptr && assignment.department_code == section->department_code) {
            return std::optional(role);
          }
          break;
        case policy::RoleScope::kOrganization:
          return std::optional(role);
      }
    }
  }
  return std::optional<policy::Role>();
}

std::string RoleTitles(const policy::Profile& profile, const std::vector<policy::Role>& roles) {
  std::string out;
  for (const policy::Role role : roles)
    out += (out.empty() ? "" : "又は") + profile.RoleTitle(role);
  return out;
}

std::string RoleIds(const policy::Profile& profile, const std::vector<policy::Role>& roles) {
  std::string out;
  for (const policy::Role role : roles) out += (out.empty() ? "" : ", ") + profile.RoleId(role);
  return out;
}

Error NotAllowed(const policy::Profile& profile, std::string_view field,
                 const std::vector<policy::Role>& roles, const std::string& doing_ja,
                 const std::string& doing_en, const std::string& clause) {
  const std::string cite_ja = clause.empty() ? "" : "（" + clause + "）";
  const std::string cite_en = clause.empty() ? "" : " (" + clause + ")";
  return ledger::FieldError(field,
                            doing_ja + "は" + RoleTitles(profile, roles) + "が行います" + cite_ja,
                            doing_en + " is for " + RoleIds(profile, roles) + cite_en);
}

std::string NowUtc(const ledger::Ledger& ledger) { return FormatUtc(ledger.Now()); }

Result<ledger::Person> Actor(ledger::Ledger& ledger, const std::string& code,
                             std::string_view field) {
  MAMORI_TRY(auto person, ledger::FindActivePerson(ledger, code, field));
  MAMORI_TRY(const auto suspension, ledger::workflow::ActiveSuspension(ledger, person.id));
  if (suspension) {
    return ledger::FieldError(
        field,
        "職員「" + person.code + "」は情報システムを使用する権利を停止されています（7.6④、停止 " +
            std::to_string(suspension->id) + "）",
        "person \"" + person.code + "\" has their system rights suspended (7.6④, suspension " +
            std::to_string(suspension->id) + ")");
  }
  return person;
}

}  // namespace mamori::assess::internal
