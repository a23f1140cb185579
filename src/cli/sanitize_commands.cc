#include "cli/sanitize_commands.h"

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/ledger_cli.h"
#include "cli/sanitize_file.h"
#include "gateway/gateway.h"
#include "sanitize/sanitize.h"

namespace mamori::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::atomic<bool> stop_requested{false};

extern "C" void RequestStop(int /*signal*/) { stop_requested = true; }

void AddSanitize(CLI::App& app, LedgerCli& cli, const char* name, const char* help, bool mail_only) {
  auto options = std::make_shared<SanitizeFileOptions>();
  options->mail_only = mail_only;
  auto* command = app.add_subcommand(name, help);
  AddSanitizeFileOptions(*command, *options);
  command->callback([&cli, options] { cli.exit_code = SanitizeFile(*options, cli); });
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
    if (!LoadSanitizeSettings(options->profile, cli, &settings)) return;
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
