#include "cli/sanitize_commands.h"

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/ledger_cli.h"
#include "gateway/gateway.h"
#include "policy/loader.h"
#include "sanitize/sanitize.h"

namespace mamori::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::atomic<bool> stop_requested{false};

extern "C" void RequestStop(int /*signal*/) { stop_requested = true; }

// The profile's [sanitize] settings, or the built-in defaults (the same as
// policies/base.toml's) when no profile is given.
bool LoadSettings(const std::string& profile_path, LedgerCli& cli, sanitize::Settings* settings) {
  if (profile_path.empty()) return true;
  auto profile = policy::LoadProfile(profile_path);
  if (!profile.Ok()) {
    cli.Fail(profile.Err());
    return false;
  }
  *settings = sanitize::SettingsFromProfile(profile->sanitize);
  return true;
}

bool ReadInput(const std::string& path, std::size_t limit, LedgerCli& cli, std::string* data) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    cli.Fail(Error(ErrorCode::kNotFound, "読めません: " + path, "cannot read " + path, {path, 0, ""}));
    return false;
  }
  std::array<char, 65536> buffer{};
  while (in && data->size() <= limit) {
    in.read(buffer.data(), buffer.size());
    data->append(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return true;
}

// Writes `data` to `path` through a temporary file and a rename, so that a
// reader never sees half a file.
bool WriteOutput(const std::string& path, std::string_view data, LedgerCli& cli) {
  const std::string tmp = path + ".mamori-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out.flush()) {
      cli.Fail(Error(ErrorCode::kIo, "書き込めません: " + path, "cannot write " + path, {path, 0, ""}));
      return false;
    }
  }
  std::error_code error;
  fs::rename(tmp, path, error);
  if (error) {
    cli.Fail(Error(ErrorCode::kIo, "書き込めません: " + path, "cannot write " + path, {path, 0, ""}));
    return false;
  }
  return true;
}

void PrintSummary(const sanitize::Report& report, std::ostream& out, int indent = 0) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  out << pad << report.name << ": " << sanitize::TypeTitle(report.detected) << " — ";
  switch (report.verdict) {
    case sanitize::Verdict::kSanitized:
      out << "無害化しました";
      break;
    case sanitize::Verdict::kClean:
      out << "再構築しました（除去するものはありませんでした）";
      break;
    case sanitize::Verdict::kRefused:
      out << "受け付けません: " << sanitize::ReasonMessageJa(report.reason);
      break;
  }
  out << "\n";
  for (const auto& removal : report.removed) {
    out << pad << "  除去: " << removal.what << " ×" << removal.count << "（" << removal.part << "）\n";
  }
  for (const auto& note : report.notes_ja) out << pad << "  注記: " << note << "\n";
  for (const auto& child : report.children) PrintSummary(child, out, indent + 1);
}

struct SanitizeOptions {
  std::string input, output, report, profile;
};

int RunSanitize(const SanitizeOptions& options, bool mail_only, LedgerCli& cli) {
  sanitize::Settings settings;
  if (!LoadSettings(options.profile, cli, &settings)) return cli.exit_code;
  std::string input;
  if (!ReadInput(options.input, settings.limits.max_input_bytes + 1, cli, &input)) {
    return cli.exit_code;
  }
  const std::string name = fs::path(options.input).filename().string();
  const sanitize::Outcome outcome = sanitize::Sanitize(input, name, settings);
  if (mail_only && outcome.report.detected != sanitize::FileType::kMail) {
    cli.Fail(Error(ErrorCode::kInvalidArgument,
                   "電子メール（RFC 5322）ではありません（内容は " +
                       std::string(sanitize::TypeTitle(outcome.report.detected)) + "）",
                   "not an e-mail message (RFC 5322); content is " +
                       std::string(sanitize::TypeId(outcome.report.detected)),
                   {options.input, 0, ""}));
    return cli.exit_code;
  }
  const std::string report_json = sanitize::ReportToJson(outcome.report, 2);
  if (!options.report.empty() && !WriteOutput(options.report, report_json + "\n", cli)) {
    return cli.exit_code;
  }
  if (cli.json) {
    cli.out << report_json << "\n";
  } else {
    PrintSummary(outcome.report, cli.out);
  }
  if (outcome.report.verdict == sanitize::Verdict::kRefused) return kExitRefused;
  if (!WriteOutput(options.output, outcome.output, cli)) return cli.exit_code;
  return kExitOk;
}

void AddSanitize(CLI::App& app, LedgerCli& cli, const char* name, const char* help, bool mail_only) {
  auto options = std::make_shared<SanitizeOptions>();
  auto* command = app.add_subcommand(name, help);
  command->add_option("IN", options->input, "入力ファイル")->required()->check(CLI::ExistingFile);
  command->add_option("-o,--output", options->output, "出力ファイル（拒否したときは作らない）")
      ->required();
  command->add_option("--report", options->report, "報告（JSON）の出力先");
  command->add_option("-p,--profile", options->profile,
                      "無害化の設定を読むプロファイル（省略時は標準値）")
      ->check(CLI::ExistingFile);
  command->callback([&cli, options, mail_only] {
    cli.exit_code = RunSanitize(*options, mail_only, cli);
  });
}

struct GatewayOptions {
  std::string inbox, outbox, quarantine, profile;
  bool once = false;
  int interval_ms = 1000;
};

// One event per file: into the ledger's audit log when the ledger exists,
// else a JSON line on stdout. The ledger sink skips an id it already has
// (the gateway may report a file again after a crash).
gateway::EventSink MakeSink(LedgerCli& cli, std::unique_ptr<ledger::Ledger>* ledger) {
  return [&cli, ledger](const gateway::FileEvent& event) -> Status {
    Json state{{"name", event.name},
               {"verdict", event.verdict},
               {"destination", event.destination},
               {"report", Json::parse(event.report_json, nullptr, false)}};
    if (!*ledger) {
      cli.out << Json{{"id", event.id}, {"event", state}}.dump(-1, ' ', false,
                                                              Json::error_handler_t::replace)
              << std::endl;
      return OkStatus();
    }
    auto& l = **ledger;
    return l.Change([&]() -> Status {
      MAMORI_TRY(const auto seen, l.Db().QueryInt(
                                      "SELECT count(*) FROM audit_events WHERE object_type = "
                                      "'gateway_file' AND object_id = ?",
                                      {event.id}));
      if (seen > 0) return OkStatus();
      return l.Record({"gateway", "sanitize." + event.verdict, "gateway_file", event.id,
                       state.dump(-1, ' ', false, Json::error_handler_t::replace)});
    });
  };
}

void AddGateway(CLI::App& app, LedgerCli& cli) {
  auto options = std::make_shared<GatewayOptions>();
  auto* command = app.add_subcommand(
      "gateway", "受信ディレクトリを監視し無害化して LGWAN 側へ / the sanitizing gateway");
  command->add_option("--in", options->inbox, "受信ディレクトリ（インターネット側）")->required();
  command->add_option("--out", options->outbox, "出力ディレクトリ（LGWAN 側）")->required();
  command->add_option("--quarantine", options->quarantine, "隔離ディレクトリ")->required();
  command->add_option("-p,--profile", options->profile, "無害化の設定を読むプロファイル")
      ->check(CLI::ExistingFile);
  command->add_flag("--once", options->once, "今ある受信ファイルを処理して終了");
  command->add_option("--interval-ms", options->interval_ms, "監視の間隔（ミリ秒）")
      ->check(CLI::Range(10, 600000));
  command->callback([&cli, options] {
    sanitize::Settings settings;
    if (!LoadSettings(options->profile, cli, &settings)) return;
    std::unique_ptr<ledger::Ledger> ledger;
    if (fs::exists(cli.db)) {
      ledger = cli.Open();
      if (!ledger) return;
    }
    gateway::Gateway gateway({options->inbox, options->outbox, options->quarantine, settings, true},
                             MakeSink(cli, &ledger));
    if (auto started = gateway.Start(); !started.Ok()) return cli.Fail(started.Err());
    std::signal(SIGTERM, RequestStop);
    std::signal(SIGINT, RequestStop);
    while (!stop_requested) {
      auto done = gateway.ProcessInbox();
      if (!done.Ok()) return cli.Fail(done.Err());
      if (*done > 0 && ledger) {
        if (auto signed_now = ledger->Checkpoint(); !signed_now.Ok()) return cli.Fail(signed_now.Err());
      }
      if (options->once) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(options->interval_ms));
    }
    cli.exit_code = kExitOk;
  });
}

}  // namespace

void AddSanitizeCommands(CLI::App& app, LedgerCli& cli) {
  AddSanitize(app, cli, "sanitize", "ファイルを無害化する（3(2)① ウ） / sanitize a file", false);
  AddSanitize(app, cli, "sanitize-mail",
              "メールを無害化する（3(2)① ア／ウ） / sanitize an e-mail message", true);
  AddGateway(app, cli);
}

}  // namespace mamori::cli
