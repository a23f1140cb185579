// What a change to a rule set does (issue 12; Batfish's
// differentialReachability): for each ordered pair of zones, the NEW
// connections the new rules let through that the old did not (opened) and
// the reverse (closed), as exact sets from the same analysis as the check.
// Each change carries an example packet, the rule of each version that
// decides it (by the concrete evaluator) and, for opened packets, the
// profile's word: an opened packet the pair's flow does not allow is a hole
// the change would make ("forbidden"). A `change_system` request (6.1(2))
// can carry this as "what this change opens".
//
// Interfaces: each version's analysis has its own interface classes, so the
// sets are compared per zone pair with the interface coordinates projected
// out (the zones already say where a packet enters and leaves); the example
// packets use the zones' first interface names.
//
// Thread safety: pure functions over const inputs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"
#include "netcheck/check.h"
#include "netcheck/model.h"
#include "netcheck/zones.h"
#include "policy/model.h"

namespace mamori::netcheck {

struct DiffChange {
  std::string from;  // segment ids
  std::string to;
  bool opened = true;  // false: closed (the old let it through, the new does not)
  policy::FlowMode mode = policy::FlowMode::kNever;
  std::string clause;
  bool forbidden = false;  // opened, and the pair's flow does not allow it
  ExamplePacket example;
  RuleCitation old_rule;  // what decided the example in each version
  RuleCitation new_rule;
  // The example's fate depends on a rule not modelled exactly (its verdict
  // differs when such rules are assumed to match or not).
  bool possible = false;
};

struct DiffPair {
  std::string from;
  std::string to;
  std::size_t opened = 0;  // changes listed (one per deciding rule)
  std::size_t closed = 0;
  std::size_t forbidden = 0;
};

struct DiffReport {
  std::string profile;
  std::vector<std::string> old_sources;
  std::vector<std::string> new_sources;
  std::vector<DiffPair> pairs;      // only pairs with a change
  std::vector<DiffChange> changes;  // forbidden first, then opened, then closed
  std::vector<Diagnostic> warnings;
  bool OpensForbidden() const;
};

struct DiffLimits {
  CheckLimits check;
  std::size_t max_changes_per_pair = 20;
};

// `plan` must have passed ValidateZones against `profile.network`. Errors:
// those of Analyze for either version, named with its files.
Result<DiffReport> Diff(const RuleSet& old_rules, const RuleSet& new_rules,
                        const AddressPlan& plan, const policy::Profile& profile,
                        const DiffLimits& limits = {});

nlohmann::json DiffReportToJson(const DiffReport& report);
std::string DiffReportToText(const DiffReport& report);

}  // namespace mamori::netcheck
