// The check of a rule set against the profile (三層の対策, 3(1)①, 3(2)①):
// for each ordered pair of zones, what the forward path lets through for NEW
// connections, judged against the profile's flow between their segments.
//
//   never            any packet is a violation;
//   sanitized        only packets to a sanitize_gateway host (its addresses
//                    and services) are allowed;
//   screen_transfer  only packets to a screen_transfer host;
//   restricted       only packets to an external_connection host listed for
//                    the pair (its `from` names the source segment, or is
//                    empty);
//   direct           anything.
//
// The forward path of a family (IPv4, IPv6) is the intersection of what
// every forward base chain that sees the family accepts (netfilter: a packet
// must be accepted by each base chain at its hook; a drop anywhere is
// final). A family with no forward chain is forwarded unfiltered, which the
// report notes. Base chains at prerouting / postrouting are not combined yet:
// leaving out a chain only makes the result larger, never hides a hole.
//
// Each violation carries one example packet, the rule or policy that accepts
// it (file:line, or chain + handle), the flow's clause, and whether it is only
// "possible" (it passed rules not modelled exactly, named in `because`).
//
// Thread safety: pure functions over const inputs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"
#include "netcheck/analysis.h"
#include "netcheck/model.h"
#include "netcheck/zones.h"
#include "policy/model.h"

namespace mamori::netcheck {

struct CheckLimits {
  AnalysisLimits analysis;
  std::size_t max_violations_per_pair = 100;
};

struct RuleCitation {
  std::string where;    // "rules.v4:12" or "ruleset.json: inet filter forward handle 7"
  std::string text;     // the rule as written ("" for a policy)
  std::string comment;  // its comment, if any
  bool policy = false;  // the chain's default policy accepted it
};

// One packet for the report: addresses as text, interfaces by class label
// ("eth1", "eth*" = another name starting with eth, "*" = any other).
struct ExamplePacket {
  std::string source;
  std::string destination;
  int protocol = 0;
  std::string protocol_name;
  int source_port = 0;
  int destination_port = 0;
  bool has_ports = false;
  std::string input_interface;
  std::string output_interface;
  std::string state;
  std::string ToString() const;
};

struct Violation {
  std::string from;  // segment ids
  std::string to;
  policy::FlowMode mode = policy::FlowMode::kNever;
  std::string clause;
  ExamplePacket example;
  std::vector<RuleCitation> rules;  // one per forward chain the packet passes
  bool possible = false;
  std::vector<RuleCitation> because;  // the rules not modelled exactly
  // The same rules also let through what the flow allows (its hosts,
  // `needed`): the rule is broader than the connection needs — narrow it to
  // those hosts rather than remove it.
  bool broader_than_needed = false;
  std::vector<std::string> needed;  // "name (tcp/443)", of PairResult::allowed
};

enum class PairStatus : std::uint8_t {
  kNoTraffic,          // nothing passes
  kConforms,           // what passes is what the flow allows
  kViolation,          // something passes that the flow does not allow
  kPossibleViolation,  // only through rules not modelled exactly
};
std::string_view Id(PairStatus status);  // "no_traffic", "conforms", …

struct PairResult {
  std::string from;
  std::string to;
  policy::FlowMode mode = policy::FlowMode::kNever;
  std::string clause;
  PairStatus status = PairStatus::kNoTraffic;
  std::size_t violations = 0;
  std::vector<std::string> allowed;  // the hosts the flow allows, "name (tcp/443)"
};

struct RuleFindingReport {
  FindingKind kind = FindingKind::kShadowed;
  RuleCitation rule;
  std::vector<std::string> reasons;
};

struct HostFinding {
  std::string host;
  std::string kind;  // "no_zone", "two_zones", "partly_outside"
  std::vector<std::string> zones;
  std::vector<std::string> outside;  // addresses in no zone
  std::string where;
};

struct CheckReport {
  std::string profile;  // profile id
  std::string model;    // network model (alpha, …)
  std::vector<std::string> sources;
  std::vector<PairResult> pairs;
  std::vector<Violation> violations;
  std::vector<RuleFindingReport> rule_findings;
  std::vector<HostFinding> host_findings;
  std::vector<Diagnostic> warnings;  // the readers' and the check's own notes
  AnalysisStats stats;

  std::size_t DefiniteViolations() const;
  bool HasViolation() const { return !violations.empty(); }
};

// The policy's word on the packets from zone `from` to zone `to`: the flow's
// mode and clause, and the hosts it lets them reach. The rule-set check and
// the flow-log check (flows.h) both ask this, so they judge alike.
struct PairPolicy {
  policy::FlowMode mode = policy::FlowMode::kNever;
  std::string clause;
  std::vector<std::string> allowed_names;  // "name (tcp/443)"
  std::vector<Box> allowed;                // the packets to those hosts

  // Whether the policy lets `point` (a packet of this pair) through.
  bool Allows(const Point& point) const;
};
PairPolicy PolicyFor(const AddressPlan& plan, const policy::Network& network, const Zone& from,
                     const Zone& to);

// Runs the analysis and the check. `plan` must have passed ValidateZones
// against `profile.network`. Errors: those of Analyze (analysis.h).
Result<CheckReport> Check(const RuleSet& rules, const AddressPlan& plan,
                          const policy::Profile& profile, const CheckLimits& limits = {});

// The report as JSON (docs/netcheck.md) and as Japanese text.
nlohmann::json ReportToJson(const CheckReport& report);
std::string ReportToText(const CheckReport& report);

}  // namespace mamori::netcheck
