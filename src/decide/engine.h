// The decision engine: (profile, request) -> decision. A pure function: no
// I/O, no clock, no global state, so the CLI, the server and the tests get the
// same answer for the same input.
//
// Combination (docs/decide.md):
//  - every rule for the request's action whose condition holds matches;
//  - deny overrides: if any matching rule denies, the decision is deny with
//    the denying rules' clauses and obligations;
//  - otherwise approvals (steps, in rule order, identical steps merged) and
//    obligations of all matching rules combine; any step makes the effect
//    approval_required;
//  - no matching rule: the profile's default effect;
//  - segment_transfer also consults the profile's network flows (三層の対策);
//  - an asset holding several levels counts at the highest (the request
//    parser keeps the highest); an asset whose level is not stated counts as
//    the highest; a request without an asset matches no level condition;
//  - a role's delegates may satisfy any step naming the role (e.g. 統括→副);
//  - the requester never approves their own request (兼務の禁止): when they
//    hold an approving role the decision says so and cites the clause.
//
// Thread safety: Decide is reentrant; the Profile must not change meanwhile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decide/request.h"
#include "policy/model.h"

namespace mamori::decide {

// A step the requester could otherwise satisfy themselves.
struct SeparationNote {
  int step = 0;
  policy::Role role = policy::Role::kStaff;
};

struct Decision {
  policy::Effect effect = policy::Effect::kAllow;
  std::vector<std::vector<policy::Role>> approvals;
  std::uint64_t obligations = 0;            // bit per policy::Obligation
  std::vector<std::uint16_t> clauses;       // indices into Profile::clauses
  std::vector<std::uint16_t> matched_rules;  // indices into Profile::rules
  std::vector<SeparationNote> separation_of_duties;
  const policy::Flow* flow = nullptr;  // segment_transfer: the flow consulted
  bool flow_missing = false;           // segment_transfer with no flow: never
  bool assumed_highest_level = false;  // a level condition met an unstated level
  bool default_applied = false;        // no rule matched
};

Decision Decide(const policy::Profile& profile, const Request& request);

// Does `rule` apply to `request`? Exposed for --explain and tests.
bool Matches(const policy::Rule& rule, const Request& request, bool* assumed_level = nullptr);

}  // namespace mamori::decide
