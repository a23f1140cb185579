#include "ledger/workflow/internal.h"

#include <algorithm>
#include <chrono>

#include "ledger/validate.h"
#include "ledger/workflow/violations.h"

namespace mamori::ledger::workflow::internal {

std::string NowUtc(const Ledger& ledger) { return FormatUtc(ledger.Now()); }

std::string AddDaysUtc(const Ledger& ledger, int days) {
  return FormatUtc(ledger.Now() + std::chrono::days(days));
}

std::string ToJsonArray(const std::vector<std::string>& items) { return Json(items).dump(); }

std::vector<std::string> FromJsonArray(const std::string& text) {
  std::vector<std::string> items;
  const Json parsed = Json::parse(text, nullptr, false);
  if (!parsed.is_array()) return items;
  for (const auto& item : parsed) {
    if (item.is_string()) items.push_back(item.get<std::string>());
  }
  return items;
}

std::vector<std::string> Codes(const std::vector<Person>& people) {
  std::vector<std::string> codes;
  codes.reserve(people.size());
  for (const auto& person : people) codes.push_back(person.code);
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

Result<Person> ActivePerson(Ledger& ledger, const std::string& code, std::string_view field) {
  return FindActivePerson(ledger, code, field);
}

Status NotSuspended(Ledger& ledger, const Person& person, const std::string& doing_ja,
                    const std::string& doing_en) {
  MAMORI_TRY(const auto suspension, ActiveSuspension(ledger, person.id));
  if (!suspension) return OkStatus();
  return Error(ErrorCode::kInvalidArgument,
               "職員「" + person.code + "」は情報システムを使用する権利を停止されているため" +
                   doing_ja + "できません（7.6④、停止 " + std::to_string(suspension->id) + "）",
               "person \"" + person.code + "\" has their system rights suspended and may not " +
                   doing_en + " (7.6④, suspension " + std::to_string(suspension->id) + ")",
               {"", 0, "person"});
}

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

Result<std::optional<policy::Role>> HeldRole(Ledger& ledger, const Person& person,
                                             const std::vector<policy::Role>& roles,
                                             const Section& section) {
  const std::string today = TodayJst(ledger);
  for (const policy::Role role : roles) {
    MAMORI_TRY(const bool holds, HoldsFor(ledger, person, role, section, today));
    if (holds) return std::optional<policy::Role>(role);
  }
  return std::optional<policy::Role>();
}

Result<std::vector<Person>> HoldersOfAny(Ledger& ledger, const std::vector<policy::Role>& roles,
                                         const Section& section) {
  const std::string today = TodayJst(ledger);
  std::vector<Person> out;
  for (const policy::Role role : roles) {
    MAMORI_TRY(auto holders, HoldersOf(ledger, role, section, today));
    for (auto& holder : holders) {
      const bool seen = std::any_of(out.begin(), out.end(),
                                    [&](const Person& p) { return p.id == holder.id; });
      if (seen) continue;
      MAMORI_TRY(const auto suspension, ActiveSuspension(ledger, holder.id));
      if (suspension) continue;  // 7.6④: no system rights, so no approvals
      out.push_back(std::move(holder));
    }
  }
  std::sort(out.begin(), out.end(), [](const Person& a, const Person& b) { return a.code < b.code; });
  return out;
}

std::string RoleTitles(const policy::Profile& profile, const std::vector<policy::Role>& roles) {
  std::string out;
  for (const policy::Role role : roles) {
    if (!out.empty()) out += "又は";
    out += profile.RoleTitle(role);
  }
  return out;
}

std::string ScopeJa(const policy::Profile& profile, policy::Role role, const Section& section) {
  switch (ScopeOf(profile, role)) {
    case RoleScope::kSection:
      return "課室等「" + section.code + " " + section.name + "」";
    case RoleScope::kDepartment:
      return "部局「" + section.department_code + "」";
    case RoleScope::kOrganization:
      return "組織全体";
  }
  return "";
}

std::string ScopeEn(const policy::Profile& profile, policy::Role role, const Section& section) {
  switch (ScopeOf(profile, role)) {
    case RoleScope::kSection:
      return "section " + section.code;
    case RoleScope::kDepartment:
      return "department " + section.department_code;
    case RoleScope::kOrganization:
      return "the whole organization";
  }
  return "";
}

}  // namespace mamori::ledger::workflow::internal
