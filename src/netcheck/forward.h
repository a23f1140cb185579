// Internal to src/netcheck: the forward path and the report's citations,
// shared by the check (check.cc) and the diff of two rule sets (diff.cc).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "netcheck/analysis.h"
#include "netcheck/check.h"
#include "netcheck/zones.h"

namespace mamori::netcheck {

// What crosses the firewall between zones: the intersection of the forward
// chains' accepted sets, in pieces each attributed to one accepting rule per
// chain, with the rules not modelled exactly they passed.
struct PathPiece {
  PacketSet set;
  std::vector<RuleRef> accepting;  // one per forward chain
  std::vector<RuleRef> because;
};

// Both families; a family with no forward chain passes unfiltered (a warning
// when the plan has addresses of that family).
std::vector<PathPiece> ForwardPath(const RuleSet& rules, const Analysis& analysis,
                                   const AddressPlan& plan, std::vector<Diagnostic>& warnings);

ExamplePacket ExampleAt(const Point& point, const InterfaceUniverse& interfaces);
// A packet of `set` that reads naturally (a host address, tcp/udp, a
// well-known destination port). Precondition: !set.Empty().
Point PreferredExample(const PacketSet& set);
RuleCitation Cite(const RuleSet& rules, const RuleRef& ref);

// The report's JSON for a citation and an example packet (docs/netcheck.md).
nlohmann::json CitationJson(const RuleCitation& citation);
nlohmann::json ExampleJson(const ExamplePacket& example);

}  // namespace mamori::netcheck
