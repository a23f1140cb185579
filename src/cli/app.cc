#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cli/ledger_cli.h"
#include "cli/sanitize_commands.h"

namespace mamori::cli {

int RunMamori(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
              std::ostream& err, const Clock& clock) {
  CLI::App app{"mamori — 情報セキュリティポリシーを動くソフトウェアに / "
               "a municipal information security policy as running software"};
  app.name("mamori");
  app.require_subcommand(1);

  LedgerCli ledger_cli(out, err, clock);
  if (const char* db = std::getenv("MAMORI_DB"); db != nullptr && *db != '\0') ledger_cli.db = db;
  app.add_option("--db", ledger_cli.db, "台帳データベース: ファイル又は postgresql://… の URL（既定 mamori.db 又は $MAMORI_DB）")
      ->capture_default_str();
  app.add_option("--key", ledger_cli.key, "監査ログの署名鍵（既定 <db>.audit-key）");
  app.add_option("--profile-override", ledger_cli.profile,
                 "初期化時と別のプロファイルで開く / open with another profile");
  app.add_flag("--json", ledger_cli.json, "JSON で出力 / JSON output");

  auto* policy =
      app.add_subcommand("policy", "ポリシープロファイルの検査と表示 / check and show profiles");
  policy->require_subcommand(1);
  std::vector<std::string> check_files;
  auto* check = policy->add_subcommand("check", "プロファイルを検証する / validate profiles");
  check->add_option("FILE", check_files, "プロファイル（TOML）")
      ->required()
      ->check(CLI::ExistingFile);
  bool check_json = false;
  check->add_flag("--json", check_json, "JSON で出力 / JSON output");
  std::string show_file;
  auto* show =
      policy->add_subcommand("show", "解決済みプロファイルの要約 / summary of a resolved profile");
  show->add_option("FILE", show_file, "プロファイル（TOML）")->required()->check(CLI::ExistingFile);

  DecideOptions decide_options;
  std::string format = "json";
  auto* decide = app.add_subcommand(
      "decide", "標準入力の申請（JSON / JSON Lines）を判定する / decide requests read from stdin");
  decide->add_option("--profile,-p", decide_options.profile_path, "プロファイル（TOML）")
      ->required()
      ->check(CLI::ExistingFile);
  decide->add_flag("--explain", decide_options.explain,
                   "該当した規則と理由を出力 / show matched rules");
  decide->add_option("--format", format, "json（既定）又は text（日本語の表示）")
      ->check(CLI::IsMember({"json", "text"}));

  AddLedgerCoreCommands(app, ledger_cli);
  AddRegisterCommands(app, ledger_cli);
  AddWorkflowCommands(app, ledger_cli);
  AddIncidentCommands(app, ledger_cli);
  AddAssessCommands(app, ledger_cli);
  AddServeCommands(app, ledger_cli);
  AddKeysCommands(app, ledger_cli);
  AddSanitizeCommands(app, ledger_cli);
  AddNetcheckCommands(app, ledger_cli);
  AddStorageCommands(app, ledger_cli);
  AddTenantCommands(app, ledger_cli);
  AddBatchCommand(app, ledger_cli, in);

  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help, out, err);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help, out, err);
  } catch (const CLI::ParseError& error) {
    app.exit(error, out, err);
    return kExitUsage;
  }

  if (check->parsed()) {
    return PolicyCheck(check_files, out, err,
                       check_json || ledger_cli.json ? OutputFormat::kJson : OutputFormat::kText);
  }
  if (show->parsed()) return PolicyShow(show_file, out, err);
  if (decide->parsed()) {
    decide_options.format = format == "text" ? OutputFormat::kText : OutputFormat::kJson;
    return Decide(decide_options, in, out, err);
  }
  // The ledger's subcommands ran in their callbacks.
  return ledger_cli.exit_code;
}

}  // namespace mamori::cli
