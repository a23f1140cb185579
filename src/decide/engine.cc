#include "decide/engine.h"

#include <algorithm>

namespace mamori::decide {
namespace {

using policy::Effect;
using policy::FlowMode;
using policy::Obligation;
using policy::Role;

constexpr std::uint64_t Bit(Obligation obligation) {
  return std::uint64_t{1} << static_cast<int>(obligation);
}

void AddClause(std::vector<std::uint16_t>& clauses, std::uint16_t clause) {
  if (std::find(clauses.begin(), clauses.end(), clause) == clauses.end()) {
    clauses.push_back(clause);
  }
}

void AddClause(std::vector<std::uint16_t>& clauses, int clause) {
  if (clause >= 0) AddClause(clauses, static_cast<std::uint16_t>(clause));
}

// A step with each role's delegates added, e.g. chief_officer ->
// chief_officer or deputy_chief_officer.
std::vector<Role> ExpandStep(const policy::Profile& profile, const std::vector<Role>& step) {
  std::vector<Role> out = step;
  for (Role role : step) {
    if (const policy::RoleInfo* info = profile.FindRole(role)) {
      for (Role delegate : info->delegates) {
        if (std::find(out.begin(), out.end(), delegate) == out.end()) out.push_back(delegate);
      }
    }
  }
  return out;
}

void AddSteps(const policy::Profile& profile, const std::vector<std::vector<Role>>& steps,
              std::vector<std::vector<Role>>& approvals) {
  for (const auto& step : steps) {
    std::vector<Role> expanded = ExpandStep(profile, step);
    const bool duplicate = std::any_of(approvals.begin(), approvals.end(), [&](const auto& existing) {
      return existing.size() == expanded.size() &&
             std::is_permutation(existing.begin(), existing.end(), expanded.begin());
    });
    if (!duplicate) approvals.push_back(std::move(expanded));
  }
}

// The decision a network flow alone implies for segment_transfer.
void ApplyFlow(const policy::Profile& profile, const Request& request, Decision& decision,
               Effect& effect, std::vector<std::uint16_t>& deny_clauses) {
  const int from = request.context[static_cast<std::size_t>(policy::ContextKey::kSegment)];
  const int to = request.context[static_cast<std::size_t>(policy::ContextKey::kToSegment)];
  const policy::Flow* flow = profile.network.FindFlow(from, to);
  decision.flow = flow;
  if (flow == nullptr || flow->mode == FlowMode::kNever) {
    decision.flow_missing = flow == nullptr;
    effect = Effect::kDeny;
    AddClause(deny_clauses, flow != nullptr && flow->clause_index >= 0 ? flow->clause_index
                                                                     : profile.network.clause_index);
    return;
  }
  AddClause(decision.clauses, flow->clause_index);
  switch (flow->mode) {
    case FlowMode::kDirect:
      break;
    case FlowMode::kRestricted:
      decision.obligations |= Bit(Obligation::kRestrictedPath);
      if (!flow->approvals.empty()) {
        AddSteps(profile, flow->approvals, decision.approvals);
        effect = std::max(effect, Effect::kApprovalRequired);
      }
      break;
    case FlowMode::kSanitized:
      decision.obligations |= Bit(Obligation::kSanitize);
      break;
    case FlowMode::kScreenTransfer:
      decision.obligations |= Bit(Obligation::kScreenTransfer);
      break;
    case FlowMode::kNever:
      break;
  }
}

}  // namespace

bool Matches(const policy::Rule& rule, const Request& request, bool* assumed_level) {
  const policy::CompiledCondition& when = rule.when;
  if (when.actor_roles != 0 && (when.actor_roles & request.actor_roles) == 0) return false;
  if ((when.unless_roles & request.actor_roles) != 0) return false;
  if (when.asset_kinds != 0) {
    if (!request.has_asset) return false;
    if ((when.asset_kinds & (1u << static_cast<int>(request.asset_kind))) == 0) return false;
  }
  for (std::uint32_t keys = when.context_keys; keys != 0; keys &= keys - 1) {
    const int k = __builtin_ctz(keys);
    const std::uint8_t value = request.context[static_cast<std::size_t>(k)];
    if (value == kAbsent) return false;
    if ((when.context_values[static_cast<std::size_t>(k)] & (std::uint64_t{1} << value)) == 0) {
      return false;
    }
  }
  // A level condition speaks of the asset: without an asset it does not hold.
  if (when.level_axes != 0 && !request.has_asset) return false;
  bool assumed = false;
  for (std::uint32_t axes = when.level_axes; axes != 0; axes &= axes - 1) {
    const int a = __builtin_ctz(axes);
    std::uint8_t level = request.levels[static_cast<std::size_t>(a)];
    if (level == kAbsent) {
      level = 0;  // an asset not classified on this axis counts as the highest (fail safe)
      assumed = true;
    }
    if ((when.level_masks[static_cast<std::size_t>(a)] & (1u << level)) == 0) return false;
  }
  if (assumed && assumed_level != nullptr) *assumed_level = true;
  return true;
}

Decision Decide(const policy::Profile& profile, const Request& request) {
  Decision decision;
  Effect effect = Effect::kAllow;
  bool matched_any = false;
  std::uint64_t deny_obligations = 0;
  std::vector<std::uint16_t> deny_clauses;
  std::vector<std::uint16_t> deny_rules;

  if (request.action == policy::Action::kSegmentTransfer) {
    ApplyFlow(profile, request, decision, effect, deny_clauses);
    matched_any = true;
  }

  const auto& candidates = profile.rules_by_action[static_cast<std::size_t>(request.action)];
  for (std::uint16_t index : candidates) {
    const policy::Rule& rule = profile.rules[index];
    bool assumed = false;
    if (!Matches(rule, request, &assumed)) continue;
    matched_any = true;
    decision.assumed_highest_level |= assumed;
    if (rule.effect == Effect::kDeny) {
      effect = Effect::kDeny;
      deny_obligations |= rule.obligations;
      deny_rules.push_back(index);
      for (std::uint16_t clause : rule.clause_indices) AddClause(deny_clauses, clause);
      continue;
    }
    decision.matched_rules.push_back(index);
    decision.obligations |= rule.obligations;
    for (std::uint16_t clause : rule.clause_indices) AddClause(decision.clauses, clause);
    if (rule.effect == Effect::kApprovalRequired) {
      AddSteps(profile, rule.approvals, decision.approvals);
      effect = std::max(effect, Effect::kApprovalRequired);
    }
  }

  if (effect == Effect::kDeny) {
    // Deny overrides: only what the denying rules say remains.
    decision.effect = Effect::kDeny;
    decision.approvals.clear();
    decision.obligations = deny_obligations;
    decision.clauses = std::move(deny_clauses);
    decision.matched_rules = std::move(deny_rules);
    return decision;
  }
  if (!matched_any) {
    decision.effect = profile.default_effect;
    decision.default_applied = true;
    return decision;
  }
  decision.effect = effect;

  // 兼務の禁止: the requester cannot be the approver of their own request.
  for (std::size_t step = 0; step < decision.approvals.size(); ++step) {
    for (Role role : decision.approvals[step]) {
      if ((request.actor_roles & policy::RoleBit(role)) != 0) {
        decision.separation_of_duties.push_back({static_cast<int>(step), role});
      }
    }
  }
  if (!decision.separation_of_duties.empty()) {
    for (std::uint16_t clause : profile.separation_of_duties_clause_indices) {
      AddClause(decision.clauses, clause);
    }
  }
  return decision;
}

}  // namespace mamori::decide
