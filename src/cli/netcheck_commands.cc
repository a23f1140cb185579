// `mamori netcheck config` (三層の対策, issue 12): rule sets checked against
// the profile's segments and flows. The analysis is src/netcheck/; this file
// reads the files, picks the reader and prints the report.
#include <CLI/CLI.hpp>
#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "cli/ledger_cli.h"
#include "cli/output.h"
#include "netcheck/check.h"
#include "netcheck/iptables.h"
#include "netcheck/nft_json.h"
#include "netcheck/zones.h"
#include "policy/loader.h"

namespace mamori::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxInputBytes = std::size_t{64} << 20;

Result<std::string> ReadInput(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kNotFound, "読めません: " + path, "cannot read " + path, {path, 0, ""});
  }
  std::string data;
  std::array<char, 65536> buffer{};
  while (in && data.size() <= kMaxInputBytes) {
    in.read(buffer.data(), buffer.size());
    data.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (data.size() > kMaxInputBytes) {
    return Error(ErrorCode::kLimitExceeded, "ファイルが大きすぎます: " + path,
                 "file too large: " + path, {path, 0, ""});
  }
  return data;
}

Result<netcheck::RuleSet> ReadRuleSet(const std::string& path, const std::string& vendor) {
  MAMORI_TRY(std::string text, ReadInput(path));
  std::string kind = vendor;
  if (kind == "auto") {
    if (netcheck::LooksLikeNftJson(text)) {
      kind = "nft";
    } else if (netcheck::LooksLikeIptablesSave(text)) {
      kind = "iptables";
    } else {
      return Error(ErrorCode::kInvalidArgument,
                   "規則の形式を判別できません（nft -j list ruleset の JSON か iptables-save の出力。"
                   "--vendor で指定できます）",
                   "cannot tell the rule set's format (nft -j list ruleset JSON or iptables-save "
                   "output; use --vendor)",
                   {path, 0, ""});
    }
  }
  if (kind == "nft") return netcheck::ParseNftJson(text, path);
  return netcheck::ParseIptablesSave(text, path);
}

// Runs the check with `profile`; prints the report or the error.
void Run(const NetcheckOptions& options, const policy::Profile& profile, Output& output) {
  netcheck::RuleSet rules;
  std::vector<Diagnostic> problems;
  for (const auto& path : options.configs) {
    auto parsed = ReadRuleSet(path, options.vendor);
    if (!parsed.Ok()) {
      for (const auto& d : parsed.Err().Diagnostics()) problems.push_back(d);
      continue;
    }
    rules.Append(std::move(parsed).Value());
  }
  auto zones_text = ReadInput(options.zones);
  if (!zones_text.Ok()) return output.Fail(zones_text.Err());
  auto plan = netcheck::ParseZones(*zones_text, options.zones);
  if (!plan.Ok()) {
    for (const auto& d : plan.Err().Diagnostics()) problems.push_back(d);
  } else if (auto valid = netcheck::ValidateZones(*plan, profile.network); !valid.Ok()) {
    for (const auto& d : valid.Err().Diagnostics()) problems.push_back(d);
  }
  if (!problems.empty()) return output.Fail(Error(ErrorCode::kInvalidArgument, std::move(problems)));
  auto report = netcheck::Check(rules, *plan, profile);
  if (!report.Ok()) return output.Fail(report.Err());
  if (output.json) {
    output.PrintJson(netcheck::ReportToJson(*report));
  } else {
    output.out << netcheck::ReportToText(*report);
  }
  output.exit_code = report->HasViolation() ? kExitViolation : kExitOk;
}

}  // namespace

int NetcheckConfig(const NetcheckOptions& options, std::ostream& out, std::ostream& err) {
  Output output(out, err);
  output.json = options.json;
  if (options.profile.empty()) {
    output.Fail(Error(ErrorCode::kInvalidArgument,
                      "プロファイルを指定してください（--profile）",
                      "give the profile (--profile)"));
    return output.exit_code;
  }
  auto profile = policy::LoadProfile(options.profile);
  if (!profile.Ok()) {
    output.Fail(profile.Err());
    return output.exit_code;
  }
  Run(options, *profile, output);
  return output.exit_code;
}

void AddNetcheckCommands(CLI::App& app, LedgerCli& cli) {
  auto* netcheck = app.add_subcommand(
      "netcheck", "三層の対策の検査（ファイアウォール規則と区域） / check the three-layer separation");
  netcheck->require_subcommand(1);
  auto options = std::make_shared<NetcheckOptions>();
  auto* config = netcheck->add_subcommand(
      "config", "ファイアウォールの規則をプロファイルの通信経路と照合する / check rule sets");
  config->add_option("FILE", options->configs,
                     "規則（nft -j list ruleset の JSON, iptables-save / ip6tables-save）")
      ->required()
      ->check(CLI::ExistingFile);
  config->add_option("--zones", options->zones, "区域ファイル（TOML 又は CSV）")
      ->required()
      ->check(CLI::ExistingFile);
  config->add_option("--vendor", options->vendor, "auto（既定）, nft, iptables")
      ->check(CLI::IsMember({"auto", "nft", "iptables"}));
  config->add_option("-p,--profile", options->profile,
                     "プロファイル（TOML。省略時は台帳のプロファイル）")
      ->check(CLI::ExistingFile);
  config->add_flag("--json", options->json, "JSON で出力 / JSON output");
  config->callback([&cli, options] {
    NetcheckOptions resolved = *options;
    resolved.json = resolved.json || cli.json;
    if (resolved.profile.empty() && fs::exists(cli.db)) {
      // Without --profile: the profile the ledger was created with.
      auto ledger = cli.Open(/*read_only=*/true);
      if (!ledger) return;
      Output output(cli.out, cli.err);
      output.json = resolved.json;
      Run(resolved, ledger->Profile(), output);
      cli.exit_code = output.exit_code;
      return;
    }
    cli.exit_code = NetcheckConfig(resolved, cli.out, cli.err);
  });
}

}  // namespace mamori::cli
