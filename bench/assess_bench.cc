// How fast the 評価 subsystem (src/assess/) runs at the size of a large
// municipality (issue 13, "What it must show"):
//
//  (a) a 自己点検 campaign for 2 000 respondents: an organization of 2 000
//      people in 200 sections (20 departments), the campaign created (a form
//      per section and the organization's, pre-filled by the probes), every
//      section form's manager items answered — by assess::AnswerItems, one
//      Ledger::Change and audit event per form (a form saved whole, a
//      returned sheet), or with --per_item by assess::AnswerItem, one change
//      and event per answer (the CLI's `assess form answer`) — and the
//      roll-up computed;
//  (b) the risk register of 10 000 assets × 20 threats (200 000 assessments)
//      computed by assess::ComputeRisks, the vulnerabilities pre-set from
//      (a)'s answers (its forms marked evaluated); then the floor under it:
//      the same rows inserted again through storage::Database alone.
//
// Each step prints its wall time and the peak resident memory of the process
// during the step (VmHWM, reset before the step through
// /proc/self/clear_refs), and for (a) and (b) PASS or MISS against the aim:
// under a second each. Setting up the organization and the asset register is
// not timed. Google Benchmark runs the pure scoring (BM_ScoreRisk) first.
//
//   build/release/bench/assess_bench [--benchmark_filter=...] [--dir=PATH] [--per_item]
// The program exits 0 either way (it is a report); non-zero only when
// something cannot run.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "assess/answers.h"
#include "assess/campaigns.h"
#include "assess/risk.h"
#include "ledger/ledger.h"
#include "ledger/org.h"
#include "storage/database.h"

namespace {

namespace fs = std::filesystem;
using mamori::FixedClock;

template <typename T>
T Must(mamori::Result<T> result, const char* what) {
  if (!result.Ok()) {
    std::fprintf(stderr, "assess_bench: %s: %s\n", what, result.Err().ToString().c_str());
    std::exit(2);
  }
  return std::move(result).Value();
}
void Must(const mamori::Status& status, const char* what) {
  if (!status.Ok()) {
    std::fprintf(stderr, "assess_bench: %s: %s\n", what, status.Err().ToString().c_str());
    std::exit(2);
  }
}

// Peak resident set since the last reset, in MiB.
double PeakRssMib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}
void ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

struct Step {
  std::string name;
  double seconds = 0;
  double peak_mib = 0;
};

template <typename F>
Step Timed(const std::string& name, F&& body) {
  ResetPeakRss();
  const auto start = std::chrono::steady_clock::now();
  body();
  const auto end = std::chrono::steady_clock::now();
  Step step{name, std::chrono::duration<double>(end - start).count(), PeakRssMib()};
  std::printf("  %-44s %8.3f s  peak RSS %7.1f MiB\n", step.name.c_str(), step.seconds,
              step.peak_mib);
  std::fflush(stdout);
  return step;
}

void BM_ScoreRisk(benchmark::State& state) {
  const mamori::policy::RiskSettings settings;
  int sum = 0;
  for (auto _ : state) {
    for (int t = 1; t <= 3; ++t) {
      for (int v = 1; v <= 3; ++v) {
        for (int i = 1; i <= 3; ++i) sum += mamori::assess::ScoreRisk(settings, t, v, i).score;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * 27);
}
BENCHMARK(BM_ScoreRisk);

constexpr int kDepartments = 20;
constexpr int kSectionsPerDepartment = 10;
constexpr int kPeoplePerSection = 10;
constexpr int kAssets = 10000;

std::string Code(const char* prefix, int i) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%03d", prefix, i);
  return buffer;
}

void SeedOrganization(mamori::ledger::Ledger& ledger) {
  namespace l = mamori::ledger;
  for (int d = 0; d < kDepartments; ++d) {
    Must(l::AddDepartment(ledger, "system", Code("d", d), "部 " + Code("", d)), "a department");
    for (int s = 0; s < kSectionsPerDepartment; ++s) {
      const int section = d * kSectionsPerDepartment + s;
      Must(l::AddSection(ledger, "system", Code("s", section), "課 " + Code("", section),
                         Code("d", d)),
           "a section");
    }
  }
  Must(ledger.Change([&]() -> mamori::Status {
         for (int section = 0; section < kDepartments * kSectionsPerDepartment; ++section) {
           for (int p = 0; p < kPeoplePerSection; ++p) {
             const std::string code = Code("s", section) + "p" + std::to_string(p);
             MAMORI_TRY_STATUS(l::InsertPerson(
                 ledger, "system",
                 l::PersonInput{code, "職員 " + code, Code("s", section), "staff", "",
                                "2020-04-01", ""}));
           }
         }
         return mamori::OkStatus();
       }),
       "the people");
  for (int section = 0; section < kDepartments * kSectionsPerDepartment; ++section) {
    Must(l::AssignRole(ledger, "system", Code("s", section) + "p0", "manager", Code("s", section),
                       "2020-04-01"),
         "a manager");
  }
  for (int d = 0; d < kDepartments; ++d) {
    Must(l::AssignRole(ledger, "system", Code("s", d * kSectionsPerDepartment) + "p1", "officer",
                       Code("d", d), "2020-04-01"),
         "an officer");
  }
  Must(l::AssignRole(ledger, "system", "s000p2", "chief_officer", "", "2020-04-01"), "統括");
  Must(l::AssignRole(ledger, "system", "s000p3", "ciso", "", "2020-04-01"), "CISO");
  Must(l::AssignRole(ledger, "system", "s000p4", "csirt", "", "2020-04-01"), "CSIRT");
  Must(l::AssignRole(ledger, "system", "s000p5", "auditor", "", "2020-04-01"), "auditor");
}

// The asset register, written directly (setting it up is not what is timed):
// data assets of importance A/B/C in turn, spread over the sections.
void SeedAssets(mamori::ledger::Ledger& ledger) {
  const char* levels[] = {"A", "B", "C"};
  Must(ledger.Change([&]() -> mamori::Status {
         for (int i = 0; i < kAssets; ++i) {
           const int section = i % (kDepartments * kSectionsPerDepartment);
           const std::string classification =
               std::string(R"({"importance":")") + levels[i % 3] + "\"}";
           MAMORI_TRY_STATUS(ledger.Db().Execute(
               "INSERT INTO assets (code, name, kind, classification, owner_section, manager, "
               "effective_classification, created_utc, updated_utc) VALUES (?, ?, 'data', ?, ?, "
               "?, ?, '2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z')",
               {Code("a", i), "資産 " + Code("", i), classification, Code("s", section),
                Code("s", section) + "p0", classification}));
         }
         return mamori::OkStatus();
       }),
       "the asset register");
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path();
  bool per_item = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--dir=", 0) == 0) {
      dir = arg.substr(6);
    } else if (arg == "--per_item") {
      per_item = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  dir /= "mamori_assess_bench_" + std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  FixedClock clock(std::chrono::sys_days(std::chrono::year(2026) / 10 / 1) + std::chrono::hours(1));
  auto ledger = Must(mamori::ledger::Ledger::Create(
                         mamori::ledger::DefaultPaths((dir / "l.db").string()),
                         MAMORI_SOURCE_DIR "/bench/data/assess_bench.toml", clock,
                         {.durable = false}),
                     "create the ledger");
  namespace a = mamori::assess;
  std::printf("\nsetting up: %d people in %d sections ...\n",
              kDepartments * kSectionsPerDepartment * kPeoplePerSection,
              kDepartments * kSectionsPerDepartment);
  std::fflush(stdout);
  SeedOrganization(*ledger);

  std::printf("(a) 自己点検 campaign, 2 000 respondents\n");
  a::Campaign campaign;
  const Step create = Timed("create (forms generated, probes pre-filled)", [&] {
    campaign = Must(a::CreateCampaign(*ledger, "s000p2",
                                      {.fiscal_year = 2026,
                                       .title = "令和8年度 自己点検",
                                       .sections = {},
                                       .opens_on = "2026-10-01",
                                       .due_on = "2026-10-31"}),
                    "create the campaign");
  });
  std::vector<a::Form> forms;
  for (const std::int64_t id : campaign.forms) forms.push_back(Must(a::GetForm(*ledger, id), "form"));
  int answers = 0;
  const Step answer = Timed(per_item ? "answers set (AnswerItem, one change each)"
                                     : "answers set (AnswerItems, one change per form)",
                            [&] {
    for (const a::Form& form : forms) {
      if (form.section.empty()) continue;
      std::vector<a::AnswerInput> inputs;
      std::string respondent;
      for (const a::FormItem& item : form.items) {
        if (item.answered_by_role != "manager" || item.respondents.empty()) continue;
        respondent = item.respondents.front();
        a::AnswerInput input;
        input.check_id = item.check_id;
        const bool no = (answers % 7) == 0;
        input.answer = no ? "no" : "yes";
        if (no) input.basis = "未実施";
        if (item.prefill && std::string(a::Id(*item.prefill)) != input.answer) {
          input.correction_reason = "実態に合わせて訂正";
        }
        if (per_item) {
          Must(a::AnswerItem(*ledger, respondent, form.id, input), "answer");
        } else {
          inputs.push_back(std::move(input));
        }
        ++answers;
      }
      if (!per_item && !inputs.empty()) {
        Must(a::AnswerItems(*ledger, respondent, form.id, inputs), "answers");
      }
    }
  });
  std::printf("  (%d answers on %zu forms)\n", answers, forms.size());
  a::Rollup rollup;
  const Step roll = Timed("roll-up", [&] { rollup = Must(a::RollUp(*ledger, campaign.id), "roll-up"); });
  const double campaign_seconds = create.seconds + answer.seconds + roll.seconds;
  const double campaign_peak = std::max({create.peak_mib, answer.peak_mib, roll.peak_mib});
  std::printf("  total %.3f s, peak RSS %.1f MiB: %s (aim: under 1 s)\n", campaign_seconds,
              campaign_peak, campaign_seconds < 1.0 ? "PASS" : "MISS");

  // (b): the campaign's forms count as evaluated, so its いいえ answers set
  // vulnerabilities.
  Must(ledger->Change([&]() -> mamori::Status {
         return ledger->Db().Execute("UPDATE assess_forms SET status = 'evaluated' WHERE "
                                     "campaign_id = ?",
                                     {campaign.id});
       }),
       "mark the forms evaluated");
  SeedAssets(*ledger);
  std::printf("(b) risk register, %d assets × %zu threats\n", kAssets,
              ledger->Profile().threats.size());
  a::ComputeReport report;
  const Step compute = Timed("compute (first: every row inserted)", [&] {
    report = Must(a::ComputeRisks(*ledger, "s000p2", {}), "compute");
  });
  std::printf("  (%d added, vulnerabilities from %d)\n", report.added, report.fiscal_year);
  const Step again = Timed("compute again (nothing changed)", [&] {
    report = Must(a::ComputeRisks(*ledger, "s000p2", {}), "compute");
  });
  std::printf("  (%d unchanged)\n", report.unchanged);
  std::printf("  first compute %.3f s, peak RSS %.1f MiB: %s (aim: under 1 s)\n", compute.seconds,
              compute.peak_mib, compute.seconds < 1.0 ? "PASS" : "MISS");

  // The floor under (b): the same rows, read back beforehand, deleted and
  // inserted again through storage::Database alone, 100 to a statement as
  // ComputeRisks does, in one transaction — no computing, no audit event.
  auto& db = ledger->Db();
  const auto rows = Must(db.Query("SELECT asset_id, threat_id, threat, vulnerability, "
                                  "vulnerability_basis, importance, likelihood, score, level, "
                                  "next_review_on, computed_at, updated_at FROM risk_assessments "
                                  "ORDER BY id"),
                         "read the register");
  std::vector<mamori::storage::Params> batches;
  for (std::size_t at = 0; at < rows.size(); at += 100) {
    mamori::storage::Params params;
    for (std::size_t row = at; row < std::min(rows.size(), at + 100); ++row) {
      for (std::size_t column = 0; column < 12; ++column) {
        if (column == 1 || column == 4 || column >= 8) {
          params.emplace_back(rows[row].Text(column));
        } else {
          params.emplace_back(rows[row].Int(column));
        }
      }
    }
    batches.push_back(std::move(params));
  }
  Must(ledger->Change([&]() -> mamori::Status {
         return db.Execute("DELETE FROM risk_assessments");
       }),
       "empty the register");
  const Step floor = Timed("storage alone: the same 200 000 inserts", [&] {
    Must(ledger->Change([&]() -> mamori::Status {
           for (const auto& params : batches) {
             std::string sql =
                 "INSERT INTO risk_assessments (asset_id, threat_id, threat, vulnerability, "
                 "vulnerability_basis, importance, likelihood, score, level, next_review_on, "
                 "computed_at, updated_at, threat_basis) VALUES ";
             for (std::size_t row = 0; row < params.size() / 12; ++row) {
               sql += row == 0 ? "" : ", ";
               sql += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'default')";
             }
             MAMORI_TRY_STATUS(db.Execute(sql, params));
           }
           return mamori::OkStatus();
         }),
         "insert");
  });
  std::printf("  compute / storage alone: %.2fx\n", compute.seconds / floor.seconds);
  ledger.reset();
  fs::remove_all(dir);
  return 0;
}
