#include "cli/sanitize_file.h"

#include <CLI/CLI.hpp>
#include <array>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "cli/commands.h"
#include "policy/loader.h"

namespace mamori::cli {
namespace {

namespace fs = std::filesystem;

bool ReadInput(const std::string& path, std::size_t limit, Output& cli, std::string* data) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    cli.Fail(
        Error(ErrorCode::kNotFound, "読めません: " + path, "cannot read " + path, {path, 0, ""}));
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
bool WriteOutput(const std::string& path, std::string_view data, Output& cli) {
  const std::string tmp = path + ".mamori-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out.flush()) {
      cli.Fail(
          Error(ErrorCode::kIo, "書き込めません: " + path, "cannot write " + path, {path, 0, ""}));
      return false;
    }
  }
  std::error_code error;
  fs::rename(tmp, path, error);
  if (error) {
    cli.Fail(
        Error(ErrorCode::kIo, "書き込めません: " + path, "cannot write " + path, {path, 0, ""}));
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
    out << pad << "  除去: " << removal.what << " ×" << removal.count << "（" << removal.part
        << "）\n";
  }
  for (const auto& note : report.notes_ja) out << pad << "  注記: " << note << "\n";
  for (const auto& child : report.children) PrintSummary(child, out, indent + 1);
}

}  // namespace

bool LoadSanitizeSettings(const std::string& profile_path, Output& cli,
                          sanitize::Settings* settings) {
  if (profile_path.empty()) return true;
  auto profile = policy::LoadProfile(profile_path);
  if (!profile.Ok()) {
    cli.Fail(profile.Err());
    return false;
  }
  *settings = sanitize::SettingsFromProfile(profile->sanitize);
  return true;
}

int SanitizeFile(const SanitizeFileOptions& options, Output& cli) {
  sanitize::Settings settings;
  if (!LoadSanitizeSettings(options.profile, cli, &settings)) return cli.exit_code;
  std::string input;
  if (!ReadInput(options.input, settings.limits.max_input_bytes + 1, cli, &input)) {
    return cli.exit_code;
  }
  const std::string name = fs::path(options.input).filename().string();
  const sanitize::Outcome outcome = sanitize::Sanitize(input, name, settings);
  if (options.mail_only && outcome.report.detected != sanitize::FileType::kMail) {
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

void AddSanitizeFileOptions(CLI::App& command, SanitizeFileOptions& options) {
  command.add_option("IN", options.input, "入力ファイル")->required()->check(CLI::ExistingFile);
  command.add_option("-o,--output", options.output, "出力ファイル（拒否したときは作らない）")
      ->required();
  command.add_option("--report", options.report, "報告（JSON）の出力先");
  command
      .add_option("-p,--profile", options.profile,
                  "無害化の設定を読むプロファイル（省略時は標準値）")
      ->check(CLI::ExistingFile);
}

}  // namespace mamori::cli
