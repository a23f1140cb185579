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

const RoleInfo* Profile::FindRole(Role role) const {
  const auto& slot = roles[static_cast<std::size_t>(role)];
  return slot ? &*slot : nullptr;
}

std::string Profile::RoleTitle(Role role) const {
  const RoleInfo* info = FindRole(role);
  if (info != nullptr && !info->title.empty()) return info->title;
  return std::string(TitleJa(role));
}

}  // namespace mamori::policy
