// How fast the ledger records and verifies, against two references in the
// same run:
//
//  1. Google Benchmark cases (capacity planning):
//       BM_ChangePerTransaction     an audit event in its own durable transaction
//       BM_ChangesInOneTransaction  1 000 events in one transaction (an import)
//       BM_RegisterAdd              registers::Add of an asset (row + audit event)
//       BM_Verify                   audit::Verify over 100 000 events
//  2. The comparison (after them; alone with --compare_only):
//     (a) audit-logged register changes per second — registers::Add of an
//         asset, one Ledger::Change each (the asset row and its audit event
//         in one transaction; a signed checkpoint every 100 events, as the
//         product does) — against plain SQLite in this process inserting
//         rows of the same size (the bytes mamori stores per change: the
//         asset row and its audit event) into a plain table, one transaction
//         per row, on the same file system with mamori's settings (WAL,
//         synchronous=FULL, the same page cache). Aim: >= 0.8x.
//     (b) `audit verify` bytes per second — audit::Verify on the ledger
//         opened read-only, as `mamori audit verify` does, over a log of
//         register changes with a checkpoint every 100 events — against
//         coreutils' `sha256sum` run by this program over a file holding
//         the same bytes (each event's ten columns as stored, one after
//         another). Both read from the page cache. Aim: >= 0.5x.
//     (c) with --postgres=URL (bench/ledger_engines.sh starts a throw-away
//         cluster): the same register changes on PostgreSQL — mamori's
//         ledger in a schema of that database, one Ledger::Change each —
//         against plain libpq in this process inserting rows of the same
//         size into a plain table, one transaction per row (BEGIN, a
//         prepared INSERT, COMMIT), both with the server's durability
//         (synchronous_commit=on, fsync). No aim (issue 15 sets none): printed
//         beside the SQLite line of (a), durable changes per second on both
//         engines.
//     Each side runs --repeat times, mamori and the reference alternating so
//     that a noisy machine slows both; the medians are compared, and each
//     line ends in PASS or MISS. The program exits 0 either way (it is a
//     report); non-zero only when something cannot run.
//
//   build/release/bench/ledger_bench [--benchmark_filter=...] [flags]
// Flags (besides Google Benchmark's own --benchmark_*):
//   --compare_only       skip the Google Benchmark cases
//   --no_compare         skip the comparison
//   --no_changes, --no_verify   skip part (a) or (b) of it
//   --changes=N          register changes per repetition in (a) (default 1000)
//   --verify_events=N    events in the log verified in (b) (default 100000)
//   --repeat=N           repetitions of each side (default 5)
//   --dir=PATH           where the databases go (default $TMPDIR); fsync cost
//                        depends on that disk
//   --postgres=URL       run (c) on this PostgreSQL database (schemas of its own)
//
// This file and the plain-SQLite reference are the only code outside
// src/storage/sqlite/ that includes sqlite3.h.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "ledger/ledger.h"
#include "ledger/org.h"
#include "ledger/registers/import_export.h"
#include "ledger/registers/registers.h"
#include "storage/postgres/postgres_database.h"
#include "tabular/table.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using mamori::FixedClock;
using mamori::Status;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "ledger_bench: %s\n", message.c_str());
  std::exit(2);
}

template <typename T>
T Must(mamori::Result<T> result, const char* what) {
  if (!result.Ok()) Die(std::string(what) + ": " + result.Err().ToString());
  return std::move(result).Value();
}
void Must(const Status& status, const char* what) {
  if (!status.Ok()) Die(std::string(what) + ": " + status.Err().ToString());
}

struct Options {
  bool compare_only = false;
  bool no_compare = false;
  bool no_changes = false;
  bool no_verify = false;
  int changes = 1000;
  int verify_events = 100000;
  int repeat = 5;
  fs::path dir = fs::temp_directory_path();
  std::string postgres;  // (c) when set
};
Options& Opts() {
  static Options options;
  return options;
}

// A ledger on the 阪南市 profile in a fresh directory, with the few sections
// and people a register record refers to.
// The schema `name` in the PostgreSQL database `url`, emptied.
std::string FreshSchema(const std::string& url, const std::string& name) {
  auto admin = Must(mamori::storage::OpenPostgres(url, {}), "connect to PostgreSQL");
  Must(admin->ExecuteScript("DROP SCHEMA IF EXISTS " + name + " CASCADE"), "drop the schema");
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "schema=" + name;
}

struct BenchLedger {
  // On PostgreSQL when `postgres_url` is given (its keys stay in `dir`).
  explicit BenchLedger(const std::string& name, bool durable = true,
                       const std::string& postgres_url = "")
      // The process id keeps two runs at the same time apart.
      : dir(Opts().dir / ("mamori_bench_" + name + "_" + std::to_string(::getpid()))),
        clock(std::chrono::sys_days(std::chrono::year(2026) / 12 / 1) + std::chrono::hours(1)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto paths = mamori::ledger::DefaultPaths((dir / "l.db").string());
    if (!postgres_url.empty()) {
      paths.database =
          FreshSchema(postgres_url, "bench_" + name + "_" + std::to_string(::getpid()));
    }
    ledger = Must(mamori::ledger::Ledger::Create(paths, MAMORI_SOURCE_DIR "/policies/hannan.toml",
                                                 clock, {.durable = durable}),
                  "create the ledger");
  }
  ~BenchLedger() {
    ledger.reset();
    fs::remove_all(dir);
  }
  BenchLedger(const BenchLedger&) = delete;
  BenchLedger& operator=(const BenchLedger&) = delete;

  void SeedOrganization() {
    namespace l = mamori::ledger;
    Must(l::AddDepartment(*ledger, "system", "somu", "総務部"), "department");
    Must(l::AddSection(*ledger, "system", "zeimu", "税務課", "somu"), "section");
    Must(l::AddPerson(*ledger, "system",
                      l::PersonInput{"m1", "税務 課長", "zeimu", "staff", "", "2020-04-01", ""}),
         "person");
    Must(l::AssignRole(*ledger, "system", "m1", "manager", "zeimu", "2020-04-01"), "role");
  }

  Status Record(int i) {
    return ledger->Record({"s1", "asset.update", "asset", std::to_string(i),
                           R"({"classification":{"importance":"A"},"name":"住民基本台帳システム","owner":"zeimu"})"});
  }

  fs::path dir;
  FixedClock clock;
  std::unique_ptr<mamori::ledger::Ledger> ledger;
};

// One register change: a data asset as a section registers it (情報資産台帳,
// 2.2(1)①), every commonly filled column set.
mamori::ledger::registers::Values AssetValues(int i) {
  const std::string code = "zeimu-data-" + std::to_string(i);
  return {{"code", code},
          {"name", "固定資産税課税台帳 " + std::to_string(i)},
          {"kind", "data"},
          {"description", "固定資産税の課税客体と納税義務者の情報（年度更新）"},
          {"importance", "A"},
          {"owner_section", "zeimu"},
          {"manager", "m1"},
          {"location", "本庁舎 サーバ室"},
          {"note", "令和8年度分"}};
}

void AddAsset(BenchLedger& bench, int i) {
  Must(mamori::ledger::registers::Add(*bench.ledger, "m1", "asset", AssetValues(i)),
       "registers::Add");
}

// ---------------------------------------------------------------------------
// Google Benchmark cases.

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

void BM_RegisterAdd(benchmark::State& state) {
  BenchLedger bench("register_add");
  bench.SeedOrganization();
  int i = 0;
  for (auto _ : state) AddAsset(bench, i++);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RegisterAdd)->Unit(benchmark::kMicrosecond);

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

// ---------------------------------------------------------------------------
// The comparison.

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string Grouped(double value) {
  const std::string digits = std::to_string(static_cast<long long>(value + 0.5));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string Rates(const std::vector<double>& values, double scale, int decimals) {
  std::string out;
  for (const double v : values) {
    if (!out.empty()) out += ' ';
    out += Fixed(v / scale, decimals);
  }
  return out;
}

struct Timing {
  double wall = 0;  // seconds
  double cpu = 0;   // user + system seconds
  double user = 0;  // user seconds
};

double Secs(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}
double CpuSeconds(const rusage& usage) { return Secs(usage.ru_utime) + Secs(usage.ru_stime); }

// Times `body` in this process.
template <typename F>
Timing TimeHere(F&& body) {
  rusage before{};
  rusage after{};
  getrusage(RUSAGE_SELF, &before);
  const auto start = Clock::now();
  body();
  const double wall = Seconds(Clock::now() - start);
  getrusage(RUSAGE_SELF, &after);
  return {wall, CpuSeconds(after) - CpuSeconds(before),
          Secs(after.ru_utime) - Secs(before.ru_utime)};
}

// A database file opened as mamori opens its ledger (storage/sqlite/): WAL,
// synchronous=FULL, a 64 MiB page cache; foreign keys are not enforced.
class SqliteFile {
 public:
  explicit SqliteFile(const fs::path& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      Die("sqlite3_open_v2 " + path.string());
    }
    Exec("PRAGMA cache_size = -65536");
    Exec("PRAGMA journal_mode = WAL");
    Exec("PRAGMA synchronous = FULL");
  }
  ~SqliteFile() {
    for (sqlite3_stmt* statement : statements_) sqlite3_finalize(statement);
    sqlite3_close_v2(db_);
  }
  SqliteFile(const SqliteFile&) = delete;
  SqliteFile& operator=(const SqliteFile&) = delete;

  void Exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      const std::string text = message != nullptr ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      Die(sql + ": " + text);
    }
  }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statement,
                           nullptr) != SQLITE_OK) {
      Die("prepare " + sql + ": " + sqlite3_errmsg(db_));
    }
    statements_.push_back(statement);
    return statement;
  }
  // Binds `values` in order, steps once, resets.
  void Run(sqlite3_stmt* statement, const std::vector<mamori::storage::Value>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      if (const auto* text = std::get_if<std::string>(&values[i])) {
        sqlite3_bind_text64(statement, at, text->data(), text->size(), SQLITE_STATIC,
                            SQLITE_UTF8);
      } else if (const auto* number = std::get_if<std::int64_t>(&values[i])) {
        sqlite3_bind_int64(statement, at, *number);
      } else {
        sqlite3_bind_null(statement, at);
      }
    }
    if (sqlite3_step(statement) != SQLITE_DONE) Die(std::string("step: ") + sqlite3_errmsg(db_));
    sqlite3_reset(statement);
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

// The plain-SQLite reference: one table, rows of `row_bytes`, one
// transaction per row.
class PlainSqlite {
 public:
  PlainSqlite(const fs::path& path, std::size_t row_bytes) : file_(path) {
    file_.Exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
    insert_ = file_.Prepare("INSERT INTO rows (payload) VALUES (?)");
    begin_ = file_.Prepare("BEGIN IMMEDIATE");
    commit_ = file_.Prepare("COMMIT");
    // Printable and varied, as the real rows are; SQLite does not compress.
    std::string payload(row_bytes, ' ');
    for (std::size_t i = 0; i < row_bytes; ++i) payload[i] = static_cast<char>('!' + (i * 7) % 90);
    row_ = {payload};
  }

  void InsertOne(int i) {
    std::get<std::string>(row_[0])[0] = static_cast<char>('A' + i % 26);
    file_.Run(begin_, {});
    file_.Run(insert_, row_);
    file_.Run(commit_, {});
  }

 private:
  SqliteFile file_;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  std::vector<mamori::storage::Value> row_;
};

// The plain-PostgreSQL reference: libpq, one table in a schema of its own,
// rows of `row_bytes`, one transaction per row (BEGIN, prepared INSERT,
// COMMIT: three round trips, as a careful application makes them).
class PlainPostgres {
 public:
  PlainPostgres(const std::string& url, std::size_t row_bytes) {
    const std::string schema = "bench_plain_" + std::to_string(::getpid());
    (void)FreshSchema(url, schema);
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) Die(std::string("libpq: ") + PQerrorMessage(conn_));
    Exec("CREATE SCHEMA " + schema + "; SET search_path TO " + schema +
         "; CREATE TABLE rows (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
         "payload text NOT NULL)");
    PGresult* prepared = PQprepare(conn_, "insert", "INSERT INTO rows (payload) VALUES ($1)", 1,
                                   nullptr);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) Die(PQerrorMessage(conn_));
    PQclear(prepared);
    payload_.assign(row_bytes, ' ');
    for (std::size_t i = 0; i < row_bytes; ++i) payload_[i] = static_cast<char>('!' + (i * 7) % 90);
  }
  ~PlainPostgres() { PQfinish(conn_); }
  PlainPostgres(const PlainPostgres&) = delete;
  PlainPostgres& operator=(const PlainPostgres&) = delete;

  void InsertOne(int i) {
    payload_[0] = static_cast<char>('A' + i % 26);
    Exec("BEGIN");
    const char* values[] = {payload_.c_str()};
    PGresult* result = PQexecPrepared(conn_, "insert", 1, values, nullptr, nullptr, 0);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) Die(PQerrorMessage(conn_));
    PQclear(result);
    Exec("COMMIT");
  }

 private:
  void Exec(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) Die(sql + ": " + PQerrorMessage(conn_));
    PQclear(result);
  }

  PGconn* conn_ = nullptr;
  std::string payload_;
};

// Not a reference, a diagnosis: mamori's own two tables (assets and
// audit_events, with their indexes, from the ledger's schema) written with
// plain SQL, one asset row and one event row per transaction, copies of
// what mamori stored. Whatever mamori takes beyond this is its code; what
// this takes beyond PlainSqlite is the b-trees a change has to update.
class SameTablesSqlite {
 public:
  SameTablesSqlite(const fs::path& path, mamori::ledger::Ledger& ledger,
                   const std::string& asset_code)
      : file_(path) {
    auto& db = ledger.Db();
    for (const auto& row : Must(db.Query("SELECT sql FROM sqlite_master WHERE tbl_name IN "
                                         "('assets', 'audit_events') AND sql IS NOT NULL "
                                         "ORDER BY type <> 'table'"),
                                "read the schema")) {
      file_.Exec(row.Text(0));
    }
    asset_ = Values(Must(db.QueryOne("SELECT * FROM assets WHERE code = ?", {asset_code}),
                         "read an asset"));
    event_ = Values(Must(db.QueryOne("SELECT * FROM audit_events WHERE object_id = ? "
                                     "ORDER BY seq DESC LIMIT 1",
                                     {asset_code}),
                         "read an event"));
    insert_asset_ = file_.Prepare("INSERT INTO assets VALUES (" + Marks(asset_.size()) + ")");
    insert_event_ =
        file_.Prepare("INSERT INTO audit_events VALUES (" + Marks(event_.size()) + ")");
    begin_ = file_.Prepare("BEGIN IMMEDIATE");
    commit_ = file_.Prepare("COMMIT");
    asset_[0] = mamori::storage::Null();  // id: the next rowid
  }

  void InsertOne(int i) {
    const std::string code = "copy-" + std::to_string(i);
    asset_[1] = code;                         // assets.code (UNIQUE)
    event_[0] = std::int64_t{i} + 1;          // audit_events.seq
    event_[5] = code;                         // audit_events.object_id
    file_.Run(begin_, {});
    file_.Run(insert_asset_, asset_);
    file_.Run(insert_event_, event_);
    file_.Run(commit_, {});
  }

 private:
  static std::vector<mamori::storage::Value> Values(const mamori::storage::Row& row) {
    std::vector<mamori::storage::Value> values;
    for (std::size_t c = 0; c < row.Size(); ++c) values.push_back(row.At(c));
    return values;
  }
  static std::string Marks(std::size_t n) {
    std::string marks;
    for (std::size_t i = 0; i < n; ++i) marks += i == 0 ? "?" : ", ?";
    return marks;
  }

  SqliteFile file_;
  std::vector<mamori::storage::Value> asset_;
  std::vector<mamori::storage::Value> event_;
  sqlite3_stmt* insert_asset_ = nullptr;
  sqlite3_stmt* insert_event_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
};

// Bytes this process has passed to write(2) and pwrite(2) so far
// (/proc/self/io wchar): what a change sends to the WAL.
double BytesWritten() {
  std::ifstream in("/proc/self/io");
  std::string key;
  double value = 0;
  while (in >> key >> value) {
    if (key == "wchar:") return value;
  }
  return 0;
}

// The bytes of the rows stored for assets [from, to) and their audit events
// (every column as SQLite returns it; integers as 8 bytes).
std::size_t StoredBytes(mamori::ledger::Ledger& ledger, std::int64_t after_seq, int from, int to) {
  auto& db = ledger.Db();
  const auto bytes_of = [](const std::vector<mamori::storage::Row>& rows) {
    std::size_t total = 0;
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < row.Size(); ++c) {
        const auto& value = row.At(c);
        total += std::holds_alternative<std::int64_t>(value) ? 8 : row.Text(c).size();
      }
    }
    return total;
  };
  std::size_t total = bytes_of(Must(db.Query("SELECT * FROM audit_events WHERE seq > ?",
                                             {after_seq}),
                                    "read events"));
  for (int i = from; i < to; ++i) {
    total += bytes_of(Must(db.Query("SELECT * FROM assets WHERE code = ?",
                                    {AssetValues(i).at("code")}),
                           "read assets"));
  }
  return total;
}

void CompareChanges() {
  const Options& o = Opts();
  BenchLedger bench("compare_changes");
  bench.SeedOrganization();
  // Warm-up, and the size of a change as stored.
  constexpr int kWarmUp = 100;
  const auto seq_before = Must(bench.ledger->Audit().LastSeq(), "last seq");
  for (int i = 0; i < kWarmUp; ++i) AddAsset(bench, i);
  const std::size_t row_bytes = StoredBytes(*bench.ledger, seq_before, 0, kWarmUp) / kWarmUp;
  const auto events_per_change =
      static_cast<double>(Must(bench.ledger->Audit().LastSeq(), "last seq") - seq_before) /
      kWarmUp;

  PlainSqlite plain(bench.dir / "plain.db", row_bytes);
  SameTablesSqlite same(bench.dir / "same_tables.db", *bench.ledger,
                        AssetValues(kWarmUp - 1).at("code"));
  for (int i = 0; i < kWarmUp; ++i) {
    plain.InsertOne(i);
    same.InsertOne(i);
  }

  // Each side in turn, so that a noisy spell slows all three.
  struct Side {
    const char* name;
    std::function<void(int)> change;
    int next = kWarmUp;
    std::vector<double> rates, cpu_us, user_us, written;
  };
  Side sides[] = {
      {"mamori", [&](int i) { AddAsset(bench, i); }, kWarmUp, {}, {}, {}, {}},
      {"plain SQLite", [&](int i) { plain.InsertOne(i); }, kWarmUp, {}, {}, {}, {}},
      {"  (diagnosis) SQLite, mamori's 2 tables", [&](int i) { same.InsertOne(i); }, kWarmUp,
       {}, {}, {}, {}},
  };
  for (int r = 0; r < o.repeat; ++r) {
    for (Side& side : sides) {
      const double before = BytesWritten();
      const Timing t = TimeHere([&] {
        for (int i = 0; i < o.changes; ++i) side.change(side.next++);
      });
      side.rates.push_back(o.changes / t.wall);
      side.cpu_us.push_back(t.cpu / o.changes * 1e6);
      side.user_us.push_back(t.user / o.changes * 1e6);
      side.written.push_back((BytesWritten() - before) / o.changes / 1024);
    }
  }
  const double mamori = Median(sides[0].rates);
  const double sqlite = Median(sides[1].rates);
  const double ratio = mamori / sqlite;
  std::printf(
      "(a) register changes/s, one durable transaction each (WAL, synchronous=FULL), "
      "%d per run, median of %d, in %s\n"
      "    a change: registers::Add of an asset, %.2f audit event(s) each, %zu bytes stored "
      "(asset row + event); plain SQLite: one %zu-byte row per transaction\n",
      o.changes, o.repeat, bench.dir.parent_path().c_str(), events_per_change, row_bytes,
      row_bytes);
  for (const Side& side : sides) {
    std::printf(
        "    %-40s %7s /s  CPU %4.0f us (user %4.0f), %5.1f KiB written a change   runs: %s\n",
        side.name, Grouped(Median(side.rates)).c_str(), Median(side.cpu_us),
        Median(side.user_us), Median(side.written), Rates(side.rates, 1, 0).c_str());
  }
  std::printf("    ratio mamori/plain SQLite %.2fx   aim >= 0.80x   %s\n", ratio,
              ratio >= 0.8 ? "PASS" : "MISS");
  std::printf("RESULT changes mamori_per_s=%.0f sqlite_per_s=%.0f ratio=%.3f %s\n", mamori,
              sqlite, ratio, ratio >= 0.8 ? "PASS" : "MISS");
  std::fflush(stdout);
}

// (c) The same changes on PostgreSQL, mamori against plain libpq.
void ComparePostgres() {
  const Options& o = Opts();
  BenchLedger bench("compare_pg", true, o.postgres);
  bench.SeedOrganization();
  constexpr int kWarmUp = 100;
  const auto seq_before = Must(bench.ledger->Audit().LastSeq(), "last seq");
  for (int i = 0; i < kWarmUp; ++i) AddAsset(bench, i);
  const std::size_t row_bytes = StoredBytes(*bench.ledger, seq_before, 0, kWarmUp) / kWarmUp;
  PlainPostgres plain(o.postgres, row_bytes);
  for (int i = 0; i < kWarmUp; ++i) plain.InsertOne(i);
  std::vector<double> mamori_rates, plain_rates, mamori_cpu;
  int next_mamori = kWarmUp;
  int next_plain = kWarmUp;
  for (int r = 0; r < o.repeat; ++r) {
    const Timing m = TimeHere([&] {
      for (int i = 0; i < o.changes; ++i) AddAsset(bench, next_mamori++);
    });
    const Timing p = TimeHere([&] {
      for (int i = 0; i < o.changes; ++i) plain.InsertOne(next_plain++);
    });
    mamori_rates.push_back(o.changes / m.wall);
    mamori_cpu.push_back(m.cpu / o.changes * 1e6);
    plain_rates.push_back(o.changes / p.wall);
  }
  const double mamori = Median(mamori_rates);
  const double plain_rate = Median(plain_rates);
  const double ratio = mamori / plain_rate;
  std::printf(
      "(c) register changes/s on PostgreSQL, one durable transaction each "
      "(synchronous_commit=on), %d per run, median of %d\n"
      "    a change: registers::Add of an asset, %zu bytes stored; plain libpq: one %zu-byte "
      "row per transaction\n",
      o.changes, o.repeat, row_bytes, row_bytes);
  std::printf("    %-40s %7s /s  CPU %4.0f us in mamori's process   runs: %s\n", "mamori",
              Grouped(mamori).c_str(), Median(mamori_cpu), Rates(mamori_rates, 1, 0).c_str());
  std::printf("    %-40s %7s /s                                  runs: %s\n", "plain libpq",
              Grouped(plain_rate).c_str(), Rates(plain_rates, 1, 0).c_str());
  // Issue 15 asks for the engines side by side and sets no aim against a
  // plain client; the ratio says what a change costs beyond its commit.
  std::printf("    ratio mamori/plain PostgreSQL %.2fx   (no aim: a change is about ten round\n"
              "    trips — lock, row, links, chain head, event, commit, unsigned count — where\n"
              "    the reference makes three)\n",
              ratio);
  std::printf("RESULT postgres mamori_per_s=%.0f libpq_per_s=%.0f ratio=%.3f\n", mamori,
              plain_rate, ratio);
  std::fflush(stdout);
}

// Runs `args` with stdout to /dev/null and times it (the child's CPU time
// from wait4); dies unless it exits 0.
Timing TimeProgram(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const auto start = Clock::now();
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    Die("cannot run " + args[0]);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) Die("wait4 " + args[0]);
  const double wall = Seconds(Clock::now() - start);
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die(args[0] + " failed");
  return {wall, CpuSeconds(usage), Secs(usage.ru_utime)};
}

void CompareVerify() {
  const Options& o = Opts();
  // The log: register changes as the product makes them, one transaction
  // each, so a signed checkpoint every 100 events. Made without fsync (only
  // the reading is timed).
  mamori::ledger::LedgerPaths paths;
  BenchLedger bench("compare_verify", /*durable=*/false);
  {
    bench.SeedOrganization();
    const auto start = Clock::now();
    constexpr int kPerImport = 100;
    int i = 0;
    while (Must(bench.ledger->Audit().LastSeq(), "last seq") < o.verify_events) {
      mamori::tabular::Table table;
      for (const auto& [column, value] : AssetValues(0)) table.header.push_back(column);
      for (int k = 0; k < kPerImport; ++k, ++i) {
        std::vector<std::string> row;
        for (const auto& [column, value] : AssetValues(i)) row.push_back(value);
        table.rows.push_back(std::move(row));
      }
      Must(mamori::ledger::registers::ImportTable(*bench.ledger, "m1", "asset", table,
                                                  "assets.csv",
                                                  mamori::ledger::registers::ImportMode::kAddOnly),
           "import");
    }
    Must(bench.ledger->Checkpoint(), "checkpoint");
    std::fprintf(stderr, "ledger_bench: made a log of %d asset registrations in %.1f s\n", i,
                 Seconds(Clock::now() - start));
    paths = bench.ledger->Paths();
    bench.ledger.reset();  // closed, as before a `mamori audit verify`
  }
  auto ledger = Must(mamori::ledger::Ledger::Open(paths, bench.clock, {.read_only = true}),
                     "open read-only");
  const auto key = Must(mamori::audit::ReadVerifyingKey(paths.key), "read the key");

  // The same bytes in a file: each event's columns as stored, in order.
  const fs::path file = bench.dir / "events.bin";
  std::size_t bytes = 0;
  std::int64_t events = 0;
  {
    std::ofstream out(file, std::ios::binary);
    for (const auto& e : Must(ledger->Audit().Events("", ""), "read events")) {
      const std::string seq = std::to_string(e.seq);
      for (const std::string* field : {&seq, &e.time_utc, &e.actor, &e.action, &e.object_type,
                                       &e.object_id, &e.state, &e.state_digest, &e.prev_hash,
                                       &e.hash}) {
        out.write(field->data(), static_cast<std::streamsize>(field->size()));
        bytes += field->size();
      }
      ++events;
    }
    if (!out.flush()) Die("cannot write " + file.string());
  }

  std::int64_t checkpoints = 0;
  const auto verify = [&] {
    const auto report =
        Must(mamori::audit::Verify(ledger->Db(), key, paths.checkpoints), "verify");
    if (!report.ok || report.events != events) Die("verify: " + report.problem_en);
    checkpoints = report.checkpoints;
  };
  const std::vector<std::string> sha{"sha256sum", file.string()};
  TimeHere(verify);  // warm-up: from here on the page cache holds both
  TimeProgram(sha);

  // Judged on CPU time (user + system): what each costs, whatever else the
  // machine is doing; the wall-clock rates are printed beside.
  std::vector<double> mamori_cpu, mamori_wall, sha_cpu, sha_wall;
  const auto b = static_cast<double>(bytes);
  for (int r = 0; r < o.repeat; ++r) {
    const Timing m = TimeHere(verify);
    const Timing t = TimeProgram(sha);
    mamori_cpu.push_back(b / m.cpu);
    mamori_wall.push_back(b / m.wall);
    sha_cpu.push_back(b / t.cpu);
    sha_wall.push_back(b / t.wall);
  }
  const double mamori = Median(mamori_cpu);
  const double sha256sum = Median(sha_cpu);
  const double ratio = mamori / sha256sum;
  constexpr double kMB = 1e6;
  std::printf(
      "(b) audit verify bytes/s, %lld events (%s bytes, %lld checkpoints), median of %d, "
      "per CPU second (wall clock beside)\n",
      static_cast<long long>(events), Grouped(b).c_str(), static_cast<long long>(checkpoints),
      o.repeat);
  std::printf("    mamori verify %7.1f MB/s (wall %7.1f)  %s events/s   runs: %s\n",
              mamori / kMB, Median(mamori_wall) / kMB,
              Grouped(mamori * static_cast<double>(events) / b).c_str(),
              Rates(mamori_cpu, kMB, 1).c_str());
  std::printf("    sha256sum     %7.1f MB/s (wall %7.1f)  whole process         runs: %s\n",
              sha256sum / kMB, Median(sha_wall) / kMB, Rates(sha_cpu, kMB, 1).c_str());
  std::printf("    ratio mamori/sha256sum %.2fx (wall %.2fx)   aim >= 0.50x   %s\n", ratio,
              Median(mamori_wall) / Median(sha_wall), ratio >= 0.5 ? "PASS" : "MISS");
  std::printf("RESULT verify mamori_bytes_per_s=%.0f sha256sum_bytes_per_s=%.0f ratio=%.3f %s\n",
              mamori, sha256sum, ratio, ratio >= 0.5 ? "PASS" : "MISS");
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

int PositiveFlag(std::string_view name, const std::string& value) {
  char* end = nullptr;
  const long number = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || number <= 0 || number > 100000000) {
    Die(std::string(name) + " must be a positive number, not '" + value + "'");
  }
  return static_cast<int>(number);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest{argv[0]};
  for (int a = 1; a < argc; ++a) {
    const std::string_view arg = argv[a];
    std::string value;
    Options& o = Opts();
    if (arg == "--compare_only") {
      o.compare_only = true;
    } else if (arg == "--no_compare") {
      o.no_compare = true;
    } else if (arg == "--no_changes") {
      o.no_changes = true;
    } else if (arg == "--no_verify") {
      o.no_verify = true;
    } else if (TakeFlag(arg, "--changes", &value)) {
      o.changes = PositiveFlag("--changes", value);
    } else if (TakeFlag(arg, "--verify_events", &value)) {
      o.verify_events = PositiveFlag("--verify_events", value);
    } else if (TakeFlag(arg, "--repeat", &value)) {
      o.repeat = PositiveFlag("--repeat", value);
    } else if (TakeFlag(arg, "--postgres", &value)) {
      o.postgres = value;
    } else if (TakeFlag(arg, "--dir", &value)) {
      o.dir = value;
      if (!fs::is_directory(o.dir)) Die("--dir: no such directory: " + value);
    } else {
      rest.push_back(argv[a]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  rest.push_back(nullptr);
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;

  if (!Opts().compare_only) benchmark::RunSpecifiedBenchmarks();
  if (!Opts().no_compare) {
    std::printf("\n== ledger_bench: mamori against plain SQLite and sha256sum\n");
    if (!Opts().no_changes) CompareChanges();
    if (!Opts().no_changes && !Opts().postgres.empty()) ComparePostgres();
    if (!Opts().no_verify) CompareVerify();
  }
  benchmark::Shutdown();
  return 0;
}
