// decide_bench: how fast the decision engine answers for the 阪南市 profile on
// a realistic request mix (bench/data/hannan_mix.jsonl), and how much memory
// the engine needs for it.
//
// Two parts, both single-threaded and deterministic (the mix is cycled in
// file order):
//  1. Google Benchmark cases (items/s):
//       BM_Decide              Decide on pre-parsed requests
//       BM_ParseRequest        ParseRequest alone (for the breakdown)
//       BM_ParseDecide         ParseRequest + Decide from the JSON line
//       BM_ParseDecideJson     ParseRequest + Decide + DecisionToJson(kContract)
//       BM_LoadProfile         loading hannan.toml (+ base.toml)
//  2. A latency run after them: every decision timed on its own with
//     std::chrono::steady_clock into a histogram, reporting p50/p99/p99.9/
//     max, plus untimed loops for decisions/s (per CPU second, median of 5),
//     and the peak RSS (getrusage ru_maxrss) after loading the profile and
//     after running.
//     It prints a table and `RESULT ...` / `MEMORY ...` lines in the format
//     bench/cedar/bench.mjs also prints, which bench/decide_vs_cedar.sh reads.
//
// Flags (besides Google Benchmark's own --benchmark_*):
//   --profile=PATH        profile (default MAMORI_SOURCE_DIR/policies/hannan.toml)
//   --mix=PATH            requests (default MAMORI_SOURCE_DIR/bench/data/hannan_mix.jsonl)
//   --latency_n=N         decisions timed per mode in the latency run (default 1000000)
//   --latency_only        skip the Google Benchmark cases
//   --no_latency          skip the latency run
//   --per_request         also print each mix request's own cost (decide and
//                         parse_decide, best of 5 batches) and effect
//   --decisions_out=PATH  write the contract JSON of each mix request (one line
//                         each, in mix order): the expected decisions that
//                         bench/cedar/bench.mjs compares Cedar's against
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "decide/decision_json.h"
#include "decide/engine.h"
#include "decide/request.h"
#include "policy/loader.h"

namespace {

using mamori::decide::Decide;
using mamori::decide::Decision;
using mamori::decide::DecisionToJson;
using mamori::decide::Detail;
using mamori::decide::ParseRequest;
using mamori::decide::Request;
using mamori::policy::Profile;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string profile = std::string(MAMORI_SOURCE_DIR) + "/policies/hannan.toml";
  std::string mix = std::string(MAMORI_SOURCE_DIR) + "/bench/data/hannan_mix.jsonl";
  std::string decisions_out;
  long latency_n = 1000000;
  bool latency_only = false;
  bool no_latency = false;
  bool per_request = false;
};

Options& Opts() {
  static Options options;
  return options;
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "decide_bench: %s\n", message.c_str());
  std::exit(2);
}

long MaxRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // kilobytes on Linux
}

long CurrentRssKb() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return -1;
  long size = 0;
  long resident = 0;
  const int read = std::fscanf(statm, "%ld %ld", &size, &resident);
  std::fclose(statm);
  if (read != 2) return -1;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Bytes the allocator has handed out and not got back (glibc).
long HeapInUseBytes() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<long>(info.uordblks + info.hblkhd);
}

struct Memory {
  long rss_start_kb = 0;       // ru_maxrss before the profile is loaded
  long heap_before_load = 0;
  long heap_after_load = 0;    // the loaded Profile (and toml++ leftovers, if any)
  long rss_after_load_kb = 0;  // ru_maxrss right after LoadProfile (includes its transient peak)
  long rss_after_run_kb = -1;  // ru_maxrss after the latency run's decisions (before its histograms)
};

Memory& Mem() {
  static Memory memory;
  return memory;
}

struct Fixture {
  Profile profile;
  std::vector<std::string> lines;   // the mix, as JSON text
  std::vector<Request> requests;    // the mix, parsed
};

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    lines.push_back(line);
  }
  if (lines.empty()) Die(path + " has no requests");
  return lines;
}

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    Mem().heap_before_load = HeapInUseBytes();
    auto loaded = mamori::policy::LoadProfile(Opts().profile);
    if (!loaded.Ok()) Die("cannot load " + Opts().profile + ": " + loaded.Err().ToString());
    auto* f = new Fixture{std::move(*loaded), {}, {}};
    Mem().heap_after_load = HeapInUseBytes();
    Mem().rss_after_load_kb = MaxRssKb();
    f->lines = ReadLines(Opts().mix);
    for (std::size_t i = 0; i < f->lines.size(); ++i) {
      auto request = ParseRequest(f->profile, f->lines[i]);
      if (!request.Ok()) {
        Die(Opts().mix + ":" + std::to_string(i + 1) + ": " + request.Err().ToString());
      }
      f->requests.push_back(std::move(*request));
    }
    return f;
  }();
  return *fixture;
}

// ---------------------------------------------------------------------------
// Google Benchmark cases

void BM_Decide(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::size_t n = f.requests.size();
  std::size_t i = 0;
  for (auto _ : state) {
    Decision decision = Decide(f.profile, f.requests[i]);
    benchmark::DoNotOptimize(decision);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decide);

void BM_ParseRequest(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::size_t n = f.lines.size();
  std::size_t i = 0;
  for (auto _ : state) {
    auto request = ParseRequest(f.profile, f.lines[i]);
    benchmark::DoNotOptimize(request);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseRequest);

void BM_ParseDecide(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::size_t n = f.lines.size();
  std::size_t i = 0;
  for (auto _ : state) {
    auto request = ParseRequest(f.profile, f.lines[i]);
    Decision decision = Decide(f.profile, *request);
    benchmark::DoNotOptimize(decision);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseDecide);

void BM_ParseDecideJson(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::size_t n = f.lines.size();
  std::size_t i = 0;
  for (auto _ : state) {
    auto request = ParseRequest(f.profile, f.lines[i]);
    Decision decision = Decide(f.profile, *request);
    std::string json = DecisionToJson(f.profile, *request, decision, Detail::kContract);
    benchmark::DoNotOptimize(json);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseDecideJson);

void BM_LoadProfile(benchmark::State& state) {
  for (auto _ : state) {
    auto profile = mamori::policy::LoadProfile(Opts().profile);
    if (!profile.Ok()) state.SkipWithError("LoadProfile failed");
    benchmark::DoNotOptimize(profile);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoadProfile)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------
// Latency run

// Per-call latencies in a histogram: 1 ns buckets below 65.536 us, 1 us
// buckets below 65.536 ms, then only `max`. 512 KiB, allocated once per mode
// after the throughput loops, so recording a million samples costs no memory
// worth mentioning and the quantiles are exact to the nanosecond where they
// matter.
constexpr std::size_t kBuckets = 65536;

struct Histogram {
  std::vector<std::uint32_t> fine = std::vector<std::uint32_t>(kBuckets, 0);    // 1 ns
  std::vector<std::uint32_t> coarse = std::vector<std::uint32_t>(kBuckets, 0);  // 1 us
  std::uint64_t beyond = 0;
  std::uint64_t total = 0;
  std::uint64_t max = 0;

  void Add(std::uint64_t ns) {
    if (ns < kBuckets) {
      fine[ns]++;
    } else if (ns / 1000 < kBuckets) {
      coarse[ns / 1000]++;
    } else {
      ++beyond;
    }
    ++total;
    max = std::max(max, ns);
  }
  // The smallest recorded value v such that more than q of the samples are
  // <= v (for a coarse bucket: its upper bound).
  std::uint64_t Quantile(double q) const {
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      seen += fine[b];
      if (seen > rank) return b;
    }
    for (std::size_t b = 0; b < kBuckets; ++b) {
      seen += coarse[b];
      if (seen > rank) return std::min<std::uint64_t>(max, (b + 1) * 1000 - 1);
    }
    return max;
  }
};

std::uint64_t Nanos(Clock::time_point a, Clock::time_point b) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

struct ModeResult {
  const char* mode;
  long n = 0;
  double per_s = 0;       // per CPU second: median of kReps untimed loops
  double per_wall_s = 0;  // the same loops by the wall clock
  std::uint64_t p50 = 0, p99 = 0, p999 = 0, max = 0;
};

// CPU time of the process: unlike the wall clock it does not count the time
// the scheduler gives to other processes on the same core, so decisions per
// CPU second stay meaningful on a shared machine.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

constexpr std::size_t kReps = 5;

// One mode: `call(i)` makes one decision for mix item i. First kReps untimed
// loops of n / kReps calls each, whose median rate per CPU second is the
// throughput (CPU time and the median because the machine may be shared: a
// slow repetition should not decide the figure), then n calls timed one by
// one by the wall clock.
template <typename Call>
ModeResult RunMode(const char* mode, long n, std::size_t mix_size, Call&& call,
                   bool record_rss_before_histogram) {
  ModeResult result;
  result.mode = mode;
  result.n = n;
  // Warm-up: a tenth of n, at least one pass over the mix.
  const long warmup = std::max<long>(n / 10, static_cast<long>(mix_size));
  std::size_t i = 0;
  for (long k = 0; k < warmup; ++k) {
    call(i);
    if (++i == mix_size) i = 0;
  }
  const long per_rep = std::max<long>(n / static_cast<long>(kReps), 1);
  std::array<double, kReps> rates{};
  std::array<double, kReps> wall_rates{};
  for (std::size_t rep = 0; rep < kReps; ++rep) {
    i = 0;
    const auto start = Clock::now();
    const double cpu_start = CpuSeconds();
    for (long k = 0; k < per_rep; ++k) {
      call(i);
      if (++i == mix_size) i = 0;
    }
    rates[rep] = static_cast<double>(per_rep) / (CpuSeconds() - cpu_start);
    wall_rates[rep] =
        static_cast<double>(per_rep) / std::chrono::duration<double>(Clock::now() - start).count();
  }
  std::sort(rates.begin(), rates.end());
  std::sort(wall_rates.begin(), wall_rates.end());
  result.per_s = rates[kReps / 2];
  result.per_wall_s = wall_rates[kReps / 2];
  if (record_rss_before_histogram) Mem().rss_after_run_kb = MaxRssKb();

  Histogram histogram;
  i = 0;
  for (long k = 0; k < n; ++k) {
    const auto t0 = Clock::now();
    call(i);
    const auto t1 = Clock::now();
    histogram.Add(Nanos(t0, t1));
    if (++i == mix_size) i = 0;
  }
  result.p50 = histogram.Quantile(0.50);
  result.p99 = histogram.Quantile(0.99);
  result.p999 = histogram.Quantile(0.999);
  result.max = histogram.max;
  return result;
}

// The cost of the two clock reads around each call: the median of an empty
// timed region. Reported so that readers can subtract it; not subtracted.
std::uint64_t ClockOverheadNs() {
  Histogram histogram;
  for (int k = 0; k < 200000; ++k) {
    const auto t0 = Clock::now();
    const auto t1 = Clock::now();
    histogram.Add(Nanos(t0, t1));
  }
  return histogram.Quantile(0.50);
}

void WriteDecisions(const Fixture& f, const std::string& path) {
  std::ofstream out(path);
  if (!out) Die("cannot write " + path);
  for (const Request& request : f.requests) {
    out << DecisionToJson(f.profile, request, Decide(f.profile, request), Detail::kContract) << '\n';
  }
  if (!out) Die("cannot write " + path);
}

void RunLatency() {
  const Fixture& f = GetFixture();
  const long n = Opts().latency_n;
  const std::size_t m = f.requests.size();

  const ModeResult decide = RunMode(
      "decide", n, m,
      [&](std::size_t i) {
        Decision decision = Decide(f.profile, f.requests[i]);
        benchmark::DoNotOptimize(decision);
      },
      /*record_rss_before_histogram=*/true);
  const ModeResult parse_decide = RunMode(
      "parse_decide", n, m,
      [&](std::size_t i) {
        auto request = ParseRequest(f.profile, f.lines[i]);
        Decision decision = Decide(f.profile, *request);
        benchmark::DoNotOptimize(decision);
      },
      false);
  const ModeResult parse_decide_json = RunMode(
      "parse_decide_json", n, m,
      [&](std::size_t i) {
        auto request = ParseRequest(f.profile, f.lines[i]);
        Decision decision = Decide(f.profile, *request);
        std::string json = DecisionToJson(f.profile, *request, decision, Detail::kContract);
        benchmark::DoNotOptimize(json);
      },
      false);
  const std::uint64_t overhead = ClockOverheadNs();
  const long peak_kb = MaxRssKb();

  std::printf("\nmamori latency run: profile %s, %zu distinct requests cycled, %ld decisions per mode\n",
              f.profile.id.c_str(), m, n);
  std::printf("%-8s %-18s %12s %12s %10s %8s %8s %8s %9s\n", "engine", "mode", "decisions/s",
              "(wall)", "mean_ns", "p50_ns", "p99_ns", "p999_ns", "max_ns");
  for (const ModeResult* r : {&decide, &parse_decide, &parse_decide_json}) {
    const double per_s = r->per_s;
    std::printf("%-8s %-18s %12.0f %12.0f %10.1f %8llu %8llu %8llu %9llu\n", "mamori", r->mode, per_s,
                r->per_wall_s, 1e9 / per_s, static_cast<unsigned long long>(r->p50),
                static_cast<unsigned long long>(r->p99), static_cast<unsigned long long>(r->p999),
                static_cast<unsigned long long>(r->max));
  }
  std::printf(
      "(decisions/s per CPU second, median of %zu loops; (wall): the same by the wall clock;\n"
      " per-call latencies by the wall clock, including two steady_clock reads, median %llu ns together)\n",
      kReps, static_cast<unsigned long long>(overhead));
  const Memory& mem = Mem();
  std::printf(
      "memory: profile heap %.1f KiB; peak RSS %ld KiB before loading, %ld KiB after loading, "
      "%ld KiB after deciding, %ld KiB at exit (incl. latency histograms)\n",
      static_cast<double>(mem.heap_after_load - mem.heap_before_load) / 1024.0, mem.rss_start_kb,
      mem.rss_after_load_kb, mem.rss_after_run_kb, peak_kb);
  std::printf("current RSS %ld KiB\n", CurrentRssKb());

  for (const ModeResult* r : {&decide, &parse_decide, &parse_decide_json}) {
    std::printf(
        "RESULT engine=mamori mode=%s n=%ld per_s=%.0f per_wall_s=%.0f p50_ns=%llu p99_ns=%llu "
        "p999_ns=%llu max_ns=%llu\n",
        r->mode, r->n, r->per_s, r->per_wall_s,
                static_cast<unsigned long long>(r->p50), static_cast<unsigned long long>(r->p99),
                static_cast<unsigned long long>(r->p999), static_cast<unsigned long long>(r->max));
  }
  std::printf("RESULT engine=mamori mode=clock_overhead p50_ns=%llu\n",
              static_cast<unsigned long long>(overhead));
  std::printf(
      "MEMORY engine=mamori profile_heap_bytes=%ld rss_start_kb=%ld rss_after_load_kb=%ld "
      "rss_after_decide_kb=%ld peak_rss_kb=%ld\n",
      mem.heap_after_load - mem.heap_before_load, mem.rss_start_kb, mem.rss_after_load_kb,
      mem.rss_after_run_kb, peak_kb);
  std::fflush(stdout);
}

// Each mix request on its own: the cheapest of 5 batches, per call, so that a
// slow tail in the mix can be traced to the requests that make it.
void RunPerRequest() {
  const Fixture& f = GetFixture();
  auto best_ns = [](int batch, auto&& call) {
    double best = 1e300;
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = Clock::now();
      for (int k = 0; k < batch; ++k) call();
      const double ns = static_cast<double>(Nanos(t0, Clock::now())) / batch;
      best = std::min(best, ns);
    }
    return best;
  };
  std::printf("\n%-8s %-22s %-18s %6s %10s %16s\n", "id", "action", "effect", "bytes", "decide_ns",
              "parse_decide_ns");
  for (std::size_t i = 0; i < f.requests.size(); ++i) {
    const Request& request = f.requests[i];
    const double decide_ns = best_ns(10000, [&] {
      Decision decision = Decide(f.profile, request);
      benchmark::DoNotOptimize(decision);
    });
    const double parse_ns = best_ns(1000, [&] {
      auto parsed = ParseRequest(f.profile, f.lines[i]);
      Decision decision = Decide(f.profile, *parsed);
      benchmark::DoNotOptimize(decision);
    });
    const Decision decision = Decide(f.profile, request);
    std::printf("%-8s %-22s %-18s %6zu %10.0f %16.0f\n",
                request.id.empty() ? std::to_string(i + 1).c_str() : request.id.c_str(),
                std::string(mamori::policy::Id(request.action)).c_str(),
                std::string(mamori::policy::Id(decision.effect)).c_str(), f.lines[i].size(), decide_ns,
                parse_ns);
  }
  std::fflush(stdout);
}

bool TakeFlag(std::string_view arg, std::string_view name, std::string* value) {
  if (arg.substr(0, name.size()) != name) return false;
  if (arg.size() == name.size()) {
    if (value != nullptr) Die(std::string(name) + " needs =VALUE");
    return true;
  }
  if (arg[name.size()] != '=' || value == nullptr) return false;
  *value = std::string(arg.substr(name.size() + 1));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Mem().rss_start_kb = MaxRssKb();
  // Our flags first; what is left goes to Google Benchmark.
  std::vector<char*> rest{argv[0]};
  for (int a = 1; a < argc; ++a) {
    const std::string_view arg = argv[a];
    std::string value;
    Options& o = Opts();
    if (TakeFlag(arg, "--profile", &value)) {
      o.profile = value;
    } else if (TakeFlag(arg, "--mix", &value)) {
      o.mix = value;
    } else if (TakeFlag(arg, "--decisions_out", &value)) {
      o.decisions_out = value;
    } else if (TakeFlag(arg, "--latency_n", &value)) {
      o.latency_n = std::strtol(value.c_str(), nullptr, 10);
      if (o.latency_n <= 0) Die("--latency_n must be positive");
    } else if (arg == "--latency_only") {
      o.latency_only = true;
    } else if (arg == "--no_latency") {
      o.no_latency = true;
    } else if (arg == "--per_request") {
      o.per_request = true;
    } else {
      rest.push_back(argv[a]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  rest.push_back(nullptr);
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;

  const Fixture& f = GetFixture();  // load before anything is timed
  if (!Opts().decisions_out.empty()) WriteDecisions(f, Opts().decisions_out);
  if (!Opts().latency_only) benchmark::RunSpecifiedBenchmarks();
  if (!Opts().no_latency) RunLatency();
  if (Opts().per_request) RunPerRequest();
  benchmark::Shutdown();
  return 0;
}
