// Shared by the rule-set fuzzers: a parsed rule set must analyze (or fail
// with a clear error), and where every rule is modelled exactly the set
// analysis and the evaluator must agree on a few probe packets.
#pragma once

#include <cstdlib>
#include <random>

#include "netcheck/analysis.h"
#include "netcheck/synthetic.h"

namespace mamori::netcheck::fuzz {

inline void CheckRuleSet(const RuleSet& rules) {
  AnalysisLimits limits;
  limits.max_boxes = 20'000;
  limits.max_jump_depth = 16;
  auto analysis = Analyze(rules, {}, limits);
  if (!analysis.Ok()) {
    (void)analysis.Err().ToString();
    return;
  }
  bool exact = true;
  for (const auto& table : rules.tables) {
    for (const auto& chain : table.chains) {
      for (const auto& rule : chain.rules) exact = exact && rule.Exact();
    }
  }
  std::mt19937 random(1);
  for (const auto& chain : analysis->chains) {
    const Family family = rules.tables[static_cast<std::size_t>(chain.table)].family;
    for (int probe = 0; probe < 8; ++probe) {
      Packet packet = SyntheticPacket(random, family == Family::kIp6 ? Family::kIp6 : Family::kIp);
      if (chain.hook == Hook::kInput || chain.hook == Hook::kPrerouting) packet.output_interface = "";
      if (chain.hook == Hook::kOutput) packet.input_interface = "";
      auto verdict = Evaluate(rules, chain.table, chain.chain, packet, Unmodelled::kAssumeNoMatch, limits);
      if (!verdict.Ok()) return;
      const Point point = PointOf(packet, analysis->interfaces);
      bool in_set = false;
      for (const auto& piece : chain.accepted) in_set = in_set || piece.packets.Contains(point);
      if (verdict->accepted && !in_set) std::abort();  // never under-approximate
      if (exact && in_set != verdict->accepted) std::abort();
    }
  }
}

}  // namespace mamori::netcheck::fuzz
