// What a rule set lets through: the exact set analysis and a concrete
// evaluator over the same model (model.h).
//
// Analyze() walks every base chain with netfilter's first-match semantics:
// the packets still undecided enter rule 1; a rule takes the part it matches
// (accept / drop / reject decide it, jump runs the target chain on it and
// takes back what returns, goto hands it over for good, return gives it back
// to the caller, continue — log, counter — leaves it undecided); what falls
// off the end of a base chain meets its policy. The result, per base chain,
// is the set of packets accepted, split into pieces each attributed to the
// rule (or policy) that accepted it. Pieces are disjoint when every rule is
// modelled exactly.
//
// Over-approximation (model.h): a rule whose match is not exact never removes
// packets from the undecided set; the part it might match also goes on to the
// next rule, tagged with the rule (AcceptedPiece::because), so anything later
// accepted from it is "possible"; an accepting rule accepts everything it
// might match. Every packet a kernel could accept is in the accepted set;
// pieces with a non-empty `because` may in fact be dropped.
//
// Evaluate() decides one concrete packet through the same chains: the
// reference for the kernel differential test (issue 12), and the check the
// unit tests run against Analyze() on random packets.
//
// Thread safety: pure functions over const inputs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"
#include "netcheck/model.h"
#include "netcheck/space.h"

namespace mamori::netcheck {

struct AnalysisLimits {
  int max_jump_depth = 64;           // nested jumps (a loop is an error)
  std::size_t max_boxes = 1'000'000;  // boxes alive in one chain walk
};

// Counters for the rule-count bench (issue 12: 100 / 1,000 / 10,000 rules).
struct AnalysisStats {
  std::size_t rules_visited = 0;  // rule × chain walk
  std::size_t box_subtractions = 0;
  std::size_t peak_boxes = 0;  // most boxes undecided at one time
};

struct AcceptedPiece {
  RuleRef rule;  // the accepting rule, or the chain's policy (rule == -1)
  PacketSet packets;
  // Rules not modelled exactly that these packets passed (or that accepted
  // them): non-empty means "possibly accepted".
  std::vector<RuleRef> because;
  bool Possible() const { return !because.empty(); }
};

struct ChainAnalysis {
  int table = -1;
  int chain = -1;
  Hook hook = Hook::kNone;
  PacketSet universe;  // what the chain sees (family, interfaces of its hook)
  std::vector<AcceptedPiece> accepted;
};

enum class FindingKind : std::uint8_t {
  kShadowed,     // reached by no packet: earlier rules decide all it matches
  kEmpty,        // matches no packet of its table's family at all
  kUnreachable,  // a user chain no base chain jumps to (rule == -1)
  kPossible,     // not modelled exactly: results through it are "possible"
};
std::string_view Id(FindingKind kind);  // "shadowed", …

struct RuleFinding {
  RuleRef rule;
  FindingKind kind = FindingKind::kShadowed;
  std::vector<std::string> reasons;  // the constructs not modelled (kPossible)
};

struct Analysis {
  InterfaceUniverse interfaces;
  std::vector<ChainAnalysis> chains;  // one per base chain, in rule-set order
  std::vector<RuleFinding> findings;
  AnalysisStats stats;
};

// The packets a chain at `hook` of a `family` table sees: the family's
// addresses, and an input / output interface where the hook has one (none
// on the side it has not).
PacketSet HookUniverse(Family family, Hook hook, const InterfaceUniverse& interfaces);

// Analyzes every base chain of `rules`. `extra_interfaces` are patterns the
// caller will query with (zones) so that they get classes of their own.
// Errors: kInvalidArgument for a jump to a missing chain or a jump loop
// deeper than limits.max_jump_depth (naming the rule); kLimitExceeded when
// the sets grow past limits.max_boxes.
Result<Analysis> Analyze(const RuleSet& rules,
                         const std::vector<InterfacePattern>& extra_interfaces = {},
                         const AnalysisLimits& limits = {});

// How Evaluate treats a rule whose match is not modelled exactly (its modelled
// conditions must hold in either case).
enum class Unmodelled : std::uint8_t { kAssumeMatch, kAssumeNoMatch };

struct Verdict {
  bool accepted = false;
  RuleRef rule;  // deciding rule, or the policy (rule == -1); table -1 if the
                 // chain does not see the packet's family (then accepted)
};

// The verdict of base chain (table, chain) on `packet`.
// Errors: kInvalidArgument for a bad reference, a missing jump target or a
// jump loop deeper than limits.max_jump_depth.
Result<Verdict> Evaluate(const RuleSet& rules, int table, int chain, const Packet& packet,
                         Unmodelled unmodelled = Unmodelled::kAssumeNoMatch,
                         const AnalysisLimits& limits = {});

// The verdict of the forward path on `packet`, as netfilter decides a
// packet crossing the firewall: every forward base chain of a table that sees
// the packet's family, in priority order (then rule-set order); the first
// that does not accept decides. Accepted, with table -1, when no chain sees
// it. `mamori netcheck eval` and the kernel differential test ask this.
Result<Verdict> EvaluateForward(const RuleSet& rules, const Packet& packet,
                                Unmodelled unmodelled = Unmodelled::kAssumeNoMatch,
                                const AnalysisLimits& limits = {});

}  // namespace mamori::netcheck
