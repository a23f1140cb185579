// netcheck_bench: how the exact rule-set analysis (src/netcheck/analysis.h)
// grows with the number of rules — issue 12, bench (1): 100, 1 000 and
// 10 000 rules.
//
// The rule sets are SyntheticRuleSet (src/netcheck/synthetic.h): random
// rules over small pools of addresses, ports and interfaces, spread over a
// FORWARD chain and user chains reached by jumps, so that rules overlap and
// shadow each other as real ones do — the hard case for a box-subtraction
// analysis (a firewall of disjoint host rules fragments far less). Each size
// is timed on three seeds; Google Benchmark fits the growth (BigO, "the
// growth" the issue asks to print) and the counters show why: boxes
// subtracted and the largest undecided set.
//
//   netcheck_bench [--benchmark_*]
#include <benchmark/benchmark.h>

#include "netcheck/analysis.h"
#include "netcheck/synthetic.h"

namespace mamori::netcheck {
namespace {

void BM_Analyze(benchmark::State& state) {
  const int rules = static_cast<int>(state.range(0));
  const auto seed = static_cast<std::uint32_t>(state.range(1));
  const RuleSet rule_set = SyntheticRuleSet({.rules = rules, .user_chains = 3, .seed = seed});
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

// One seed per size for the fit (BigO needs one series), then two more seeds
// to show the spread.
BENCHMARK(BM_Analyze)
    ->ArgsProduct({{100, 1000, 10000}, {1}})
    ->Unit(benchmark::kMillisecond)
    ->Complexity();
BENCHMARK(BM_Analyze)->ArgsProduct({{100, 1000, 10000}, {2, 3}})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mamori::netcheck

BENCHMARK_MAIN();
