// How fast the ledger records and verifies: audit events per second with one
// durable transaction per change (what a CLI command or an API request costs)
// and with many changes per transaction (an import), and how long
// `audit verify` takes over a large log (5 years of a municipality's events
// is in the hundreds of thousands).
//
//   build/bench/bench/ledger_bench [--benchmark_filter=...]
// The database lives in $TMPDIR; fsync cost depends on that disk.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "audit/audit_log.h"
#include "ledger/ledger.h"

namespace {

namespace fs = std::filesystem;
using mamori::FixedClock;
using mamori::Status;

struct BenchLedger {
  explicit BenchLedger(const std::string& name)
      : dir(fs::temp_directory_path() / ("mamori_bench_" + name)),
        clock(std::chrono::sys_days(std::chrono::year(2026) / 12 / 1)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto created = mamori::ledger::Ledger::Create(
        mamori::ledger::DefaultPaths((dir / "l.db").string()),
        MAMORI_SOURCE_DIR "/policies/hannan.toml", clock);
    if (!created.Ok()) std::abort();
    ledger = std::move(created).Value();
  }
  ~BenchLedger() {
    ledger.reset();
    fs::remove_all(dir);
  }
  Status Record(int i) {
    return ledger->Record({"s1", "asset.update", "asset", std::to_string(i),
                           R"({"classification":{"importance":"A"},"name":"住民基本台帳システム","owner":"zeimu"})"});
  }
  fs::path dir;
  FixedClock clock;
  std::unique_ptr<mamori::ledger::Ledger> ledger;
};

void BM_ChangePerTransaction(benchmark::State& state) {
  BenchLedger bench("per_tx");
  int i = 0;
  for (auto _ : state) {
    if (!bench.ledger->Change([&] { return bench.Record(i++); }).Ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChangePerTransaction)->Unit(benchmark::kMicrosecond);

void BM_ChangesInOneTransaction(benchmark::State& state) {
  BenchLedger bench("batch_tx");
  const int per = static_cast<int>(state.range(0));
  int i = 0;
  for (auto _ : state) {
    if (!bench.ledger->Change([&]() -> Status {
          for (int k = 0; k < per; ++k) MAMORI_TRY_STATUS(bench.Record(i++));
          return mamori::OkStatus();
        }).Ok()) {
      std::abort();
    }
  }
  state.SetItemsProcessed(state.iterations() * per);
}
BENCHMARK(BM_ChangesInOneTransaction)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_Verify(benchmark::State& state) {
  BenchLedger bench("verify");
  const int events = static_cast<int>(state.range(0));
  if (!bench.ledger->Change([&]() -> Status {
        for (int k = 0; k < events; ++k) MAMORI_TRY_STATUS(bench.Record(k));
        return mamori::OkStatus();
      }).Ok()) {
    std::abort();
  }
  if (!bench.ledger->Checkpoint().Ok()) std::abort();
  auto key = mamori::audit::ReadVerifyingKey(bench.ledger->Paths().key);
  for (auto _ : state) {
    auto report = mamori::audit::Verify(bench.ledger->Db(), *key, bench.ledger->Paths().checkpoints);
    if (!report.Ok() || !report->ok) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * events);
}
BENCHMARK(BM_Verify)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
