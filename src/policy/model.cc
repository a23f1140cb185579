#include "policy/model.h"

namespace mamori::policy {

std::optional<int> Axis::IndexOf(const std::string& level_id) const {
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].id == level_id) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::optional<int> Network::SegmentIndex(const std::string& id) const {
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].id == id) return static_cast<int>(i);
  }
  return std::nullopt;
}

const Flow* Network::FindFlow(int from, int to) const {
  for (const Flow& flow : flows) {
    if (flow.from == from && flow.to == to) return &flow;
  }
  return nullptr;
}

const Clause* Profile::FindClause(const std::string& clause_id) const {
  for (const Clause& clause : clauses) {
    if (clause.id == clause_id) return &clause;
  }
  return nullptr;
}

const Document* Profile::FindDocument(const std::string& document_id) const {
  for (const Document& document : documents) {
    if (document.id == document_id) return &document;
  }
  return nullptr;
}

RoleScope BuiltInScope(Role role) {
  switch (role) {
    case Role::kManager:
    case Role::kLiaison:
      return RoleScope::kSection;
    case Role::kOfficer:
      return RoleScope::kDepartment;
    default:
      return RoleScope::kOrganization;
  }
}

const RoleInfo* Profile::FindRole(Role role) const {
  const auto index = static_cast<std::size_t>(role);
  if (index >= roles.size()) return nullptr;
  const auto& slot = roles[index];
  return slot ? &*slot : nullptr;
}

std::string Profile::RoleId(Role role) const {
  if (IsBuiltIn(role)) return std::string(Id(role));
  const RoleInfo* info = FindRole(role);
  return info != nullptr ? info->id : std::string(Id(role));
}

std::optional<Role> Profile::ParseRole(std::string_view role_id) const {
  if (auto built_in = policy::ParseRole(role_id)) return built_in;
  for (std::size_t r = kRoleCount; r < roles.size(); ++r) {
    if (roles[r] && roles[r]->id == role_id) return roles[r]->role;
  }
  return std::nullopt;
}

RoleScope Profile::ScopeOf(Role role) const {
  if (IsBuiltIn(role)) return BuiltInScope(role);
  const RoleInfo* info = FindRole(role);
  return info != nullptr ? info->scope : RoleScope::kOrganization;
}

std::string Profile::AllRoleIds() const {
  std::string out = policy::AllRoleIds();
  for (std::size_t r = kRoleCount; r < roles.size(); ++r) {
    if (roles[r]) out += ", " + roles[r]->id;
  }
  return out;
}

std::string Profile::RoleTitle(Role role) const {
  const RoleInfo* info = FindRole(role);
  if (info != nullptr && !info->title.empty()) return info->title;
  return std::string(TitleJa(role));
}

CheckCoverage Profile::Coverage() const {
  std::vector<bool> cited_by_rule(clauses.size(), false);
  std::vector<bool> cited_by_check(clauses.size(), false);
  for (const Rule& rule : rules) {
    for (std::uint16_t c : rule.clause_indices) cited_by_rule[c] = true;
  }
  for (const CheckItem& check : checks) {
    if (check.clause_index >= 0) {
      cited_by_check[static_cast<std::size_t>(check.clause_index)] = true;
    }
  }
  CheckCoverage coverage;
  coverage.checks = static_cast<int>(checks.size());
  for (std::size_t c = 0; c < clauses.size(); ++c) {
    if (!cited_by_rule[c]) continue;
    ++coverage.rule_clauses;
    if (cited_by_check[c]) {
      ++coverage.covered;
    } else {
      coverage.uncovered.push_back(clauses[c].id);
    }
  }
  return coverage;
}

}  // namespace mamori::policy
