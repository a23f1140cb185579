// The rule model every firewall reader produces (通信の許可規則, rule_set).
//
// A RuleSet is tables of chains of ordered rules, as netfilter has them:
// iptables-save and `nft -j list ruleset` map onto it directly, and the
// vendor formats of later rounds (FortiGate, PAN-OS, YAMAHA RTX) become one
// base chain each. A rule is a Match (one box over the packet header space,
// space.h, plus interface patterns) and an Action, with where it was written
// and its text, so that every finding can name the line.
//
// Not modelled constructs. A reader that meets a match it cannot express
// (e.g. `-m recent`, `tcp flags`, a rate limit) keeps the conditions it
// understood — a superset of what the rule matches, since conditions only
// narrow — and names the rest in Match::unmodelled; a target it cannot
// express (e.g. NFQUEUE) is modelled as accept with Rule::unmodelled_action.
// The analysis (analysis.h) then over-approximates what passes: such a rule
// never removes packets from the set still undecided (they might not have
// matched), and an accepting one accepts everything it might match; every
// such rule is reported as making the result "possible". The reader also adds
// a warning (RuleSet::warnings) with the line.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "netcheck/space.h"

namespace mamori::netcheck {

// What a table sees: ip (IPv4), ip6 (IPv6) or inet (both). iptables-save is
// kIpv4, ip6tables-save kIpv6.
enum class Family : std::uint8_t { kIp, kIp6, kInet };
std::string_view Id(Family family);  // "ip", "ip6", "inet"

// Where a base chain is attached (netfilter hooks); kNone for user chains.
enum class Hook : std::uint8_t { kNone, kPrerouting, kInput, kForward, kOutput, kPostrouting };
std::string_view Id(Hook hook);  // "", "prerouting", "input", …

enum class ActionKind : std::uint8_t {
  kAccept,
  kDrop,
  kReject,
  kJump,      // to Rule::target; comes back on return or at the chain's end
  kGoto,      // to Rule::target; does not come back here
  kReturn,    // back to the calling chain (the policy in a base chain)
  kContinue,  // no verdict: log, counter, mark … — the next rule decides
};
std::string_view Id(ActionKind action);  // "accept", "drop", …

// Where a rule or chain was written: file:line for text formats, chain and
// handle for nftables JSON (which has no lines).
struct SourceLocation {
  std::string file;
  int line = 0;
  std::string chain;         // "inet filter forward" (JSON only)
  std::int64_t handle = -1;  // nft rule handle, -1 when none
  // "rules.v4:12" or "ruleset.json: inet filter forward handle 7".
  std::string ToString() const;
  Where ToWhere() const;
};

struct Match {
  // Numeric dimensions; the interface dimensions of `box` stay "any" and are
  // filled from `input` / `output` by Compile() against an InterfaceUniverse.
  Box box;
  InterfaceMatch input;
  InterfaceMatch output;
  // Constructs not modelled (as written, e.g. "-m recent --seconds 60"); when
  // non-empty, the match is an over-approximation of what the rule matches.
  std::vector<std::string> unmodelled;

  bool Exact() const { return unmodelled.empty(); }
  Box Compile(const InterfaceUniverse& interfaces) const;
  // Whether `packet` is inside the modelled conditions.
  bool Matches(const Packet& packet) const;
};

struct Rule {
  Match match;
  ActionKind action = ActionKind::kContinue;
  std::string target;     // chain name for kJump / kGoto
  int target_chain = -1;  // its index in the table (set by the reader)
  // A target not modelled (e.g. "NFQUEUE"): the rule is modelled as accept.
  std::string unmodelled_action;
  SourceLocation where;
  std::string text;     // the rule as written (JSON for nft -j)
  std::string comment;  // -m comment / nft comment

  bool Exact() const { return match.Exact() && unmodelled_action.empty(); }
};

struct Chain {
  std::string name;
  Hook hook = Hook::kNone;  // kNone: a user chain, entered by jump or goto only
  int priority = 0;
  ActionKind policy = ActionKind::kAccept;  // kAccept or kDrop, for base chains
  std::vector<Rule> rules;
  SourceLocation where;

  bool Base() const { return hook != Hook::kNone; }
};

struct Table {
  Family family = Family::kInet;
  std::string name;
  std::vector<Chain> chains;
  SourceLocation where;

  std::optional<int> FindChain(std::string_view chain_name) const;
};

struct RuleSet {
  std::vector<Table> tables;
  // Constructs not modelled and parts skipped (other tables, NAT), each with
  // its place: the report lists them.
  std::vector<Diagnostic> warnings;
  std::vector<std::string> sources;  // the files read

  // Appends `other`'s tables, warnings and sources.
  void Append(RuleSet other);
  // Every interface pattern the rules use (for an InterfaceUniverse).
  std::vector<InterfacePattern> InterfacePatterns() const;
  std::size_t RuleCount() const;
};

// A reference to a rule; rule == -1 names the chain's policy.
struct RuleRef {
  int table = -1;
  int chain = -1;
  int rule = -1;
  bool operator==(const RuleRef& other) const = default;
};

// "rules.v4:12" for a rule, "rules.v4:3 (FORWARD の既定ポリシー / policy)" for a policy.
std::string Describe(const RuleSet& rules, const RuleRef& ref);

// The addresses a family's packets carry: both source and destination IPv4,
// or both IPv6 (a packet never mixes them). kInet is the union.
PacketSet FamilyUniverse(Family family);

}  // namespace mamori::netcheck
