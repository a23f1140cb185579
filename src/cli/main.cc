// mamori: the command-line front door. Parses arguments and calls the
// subcommands in commands.h; this is one of the two places that catch
// exceptions (the server's dispatcher is the other).
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/commands.h"

namespace {

using namespace mamori::cli;

int Run(int argc, char** argv) {
  CLI::App app{"mamori — 情報セキュリティポリシーを動くソフトウェアに / "
               "a municipal information security policy as running software"};
  app.require_subcommand(1);

  auto* policy =
      app.add_subcommand("policy", "ポリシープロファイルの検査と表示 / check and show profiles");
  policy->require_subcommand(1);
  std::vector<std::string> check_files;
  auto* check = policy->add_subcommand("check", "プロファイルを検証する / validate profiles");
  check->add_option("FILE", check_files, "プロファイル（TOML）")
      ->required()
      ->check(CLI::ExistingFile);
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  }

  if (check->parsed()) return PolicyCheck(check_files, std::cout, std::cerr);
  if (show->parsed()) return PolicyShow(show_file, std::cout, std::cerr);
  if (decide->parsed()) {
    decide_options.format = format == "text" ? OutputFormat::kText : OutputFormat::kJson;
    return Decide(decide_options, std::cin, std::cout, std::cerr);
  }
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "内部エラー / internal error: " << error.what() << "\n";
  } catch (...) {
    std::cerr << "内部エラー / internal error\n";
  }
  return kExitInternal;
}
