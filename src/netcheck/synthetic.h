// Random rule sets and packets over small pools of values, so that rules
// overlap, shadow and jump into each other: the unit tests compare Analyze()
// with Evaluate() on them, and the rule-count bench of issue 12 (100 / 1,000 /
// 10,000 rules) will time Analyze() on SyntheticRuleSet({.rules = n}).
//
// Deterministic for a given seed on one standard library (std::mt19937 with
// our own reductions, no std::*_distribution).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <random>

#include "netcheck/model.h"

namespace mamori::netcheck {

struct SyntheticOptions {
  int rules = 50;           // in all chains together
  int user_chains = 3;      // jumped to from earlier chains only (no loops)
  int inexact_percent = 0;  // rules given a construct not modelled
  std::uint32_t seed = 1;
  Family family = Family::kIp;
};

// One table "filter" with a FORWARD base chain (random policy) and
// `user_chains` user chains.
RuleSet SyntheticRuleSet(const SyntheticOptions& options);

// A packet whose values come from the same pools (plus values no rule names).
Packet SyntheticPacket(std::mt19937& random, Family family = Family::kIp);

}  // namespace mamori::netcheck
