// netcheck_bench: how the exact rule-set analysis (src/netcheck/analysis.h)
// grows with the number of rules — issue 12, bench (1): 100, 1 000 and
// 10 000 rules.
//
// Two shapes of rule set, each at the three sizes:
//  - BM_AnalyzeRandom: SyntheticRuleSet (src/netcheck/synthetic.h), random
//    rules over small pools of addresses, ports and interfaces, spread over
//    a FORWARD chain and user chains reached by jumps: rules overlap and
//    shadow each other. The pools are small, so past a few thousand rules
//    nearly every packet is decided early and later rules cost little;
//    timed on three seeds.
//  - BM_AnalyzeHostRules: the shape of a municipality's firewall grown over
//    the years — "established, related accept", then one rule per
//    connection: a source subnet or host, a destination host, TCP/UDP to
//    one service port, mostly accept, some drops; policy drop. Every rule
//    carves a small box out of the undecided set, so the set fragments as
//    rules are added: the hard case for a box-subtraction analysis.
// Google Benchmark fits the growth of each (BigO: "the growth" the issue
// asks to print) and the counters show why: boxes subtracted and the
// largest undecided set.
//
//   netcheck_bench [--benchmark_*]
#include <benchmark/benchmark.h>

#include <array>
#include <random>

#include "netcheck/analysis.h"
#include "netcheck/synthetic.h"

namespace mamori::netcheck {
namespace {

// The firewall of a municipality: see the top of the file.
RuleSet HostRules(int count) {
  std::mt19937 random(7);
  const auto below = [&random](std::uint32_t n) { return random() % n; };
  static constexpr std::array<std::uint16_t, 16> kPorts = {
      22, 25, 53, 80, 110, 123, 143, 389, 443, 445, 587, 636, 1433, 3389, 5432, 8080};
  RuleSet rules;
  rules.sources.push_back("host_rules");
  Table table;
  table.family = Family::kIp;
  table.name = "filter";
  Chain forward;
  forward.name = "FORWARD";
  forward.hook = Hook::kForward;
  forward.policy = ActionKind::kDrop;
  Rule established;
  established.match.box[Dimension::kConnectionState] = IntervalSet::FromIntervals(
      {{U128::Of(static_cast<std::uint64_t>(ConnectionState::kEstablished)),
        U128::Of(static_cast<std::uint64_t>(ConnectionState::kRelated))}});
  established.action = ActionKind::kAccept;
  forward.rules.push_back(established);
  for (int i = 1; i < count; ++i) {
    Rule rule;
    Box& box = rule.match.box;
    // A section's /24 (10.1-20.x.0/24) or one of its hosts.
    const std::uint32_t subnet = (10u << 24) | ((1 + below(20)) << 16) | (below(256) << 8);
    box[Dimension::kSourceAddress] =
        below(3) == 0 ? IntervalSet::Of({Ipv4(subnet), Ipv4(subnet | 255)})
                      : IntervalSet::Point(Ipv4(subnet | (1 + below(254))));
    // A server in the data centre (10.100.0.0/16).
    box[Dimension::kDestinationAddress] =
        IntervalSet::Point(Ipv4((10u << 24) | (100u << 16) | (below(65536) & 0xfffe)));
    box[Dimension::kProtocol] = IntervalSet::Point(U128::Of(below(5) == 0 ? 17 : 6));
    box[Dimension::kDestinationPort] = IntervalSet::Point(U128::Of(kPorts[below(kPorts.size())]));
    rule.action = below(10) == 0 ? ActionKind::kDrop : ActionKind::kAccept;
    rule.where = {"host_rules", i, {}, -1};
    forward.rules.push_back(std::move(rule));
  }
  table.chains.push_back(std::move(forward));
  rules.tables.push_back(std::move(table));
  return rules;
}

void Run(benchmark::State& state, const RuleSet& rule_set, int rules) {
  AnalysisStats stats;
  for (auto _ : state) {
    auto analysis = Analyze(rule_set);
    if (!analysis.Ok()) {
      state.SkipWithError(analysis.Err().ToString().c_str());
      return;
    }
    stats = analysis->stats;
    benchmark::DoNotOptimize(analysis);
  }
  state.SetComplexityN(rules);
  state.counters["rules"] = rules;
  state.counters["rules/s"] =
      benchmark::Counter(static_cast<double>(rules), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["subtractions"] = static_cast<double>(stats.box_subtractions);
  state.counters["peak_boxes"] = static_cast<double>(stats.peak_boxes);
}

void BM_AnalyzeRandom(benchmark::State& state) {
  const int rules = static_cast<int>(state.range(0));
  const auto seed = static_cast<std::uint32_t>(state.range(1));
  Run(state, SyntheticRuleSet({.rules = rules, .user_chains = 3, .seed = seed}), rules);
}

void BM_AnalyzeHostRules(benchmark::State& state) {
  const int rules = static_cast<int>(state.range(0));
  Run(state, HostRules(rules), rules);
}

BENCHMARK(BM_AnalyzeHostRules)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();
// One seed per size for the fit (BigO needs one series), then two more seeds
// to show the spread.
BENCHMARK(BM_AnalyzeRandom)
    ->ArgsProduct({{100, 1000, 10000}, {1}})
    ->Unit(benchmark::kMillisecond)
    ->Complexity();
BENCHMARK(BM_AnalyzeRandom)
    ->ArgsProduct({{100, 1000, 10000}, {2, 3}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mamori::netcheck

BENCHMARK_MAIN();
