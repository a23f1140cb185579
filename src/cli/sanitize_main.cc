// mamori-sanitize: 無害化 of one file (3(2)① ウ), the same as `mamori
// sanitize`, in a program that links only the 無害化 library — no ledger, no
// server, no database. It is what a mail filter, a gateway host or a script
// runs once per untrusted file: it starts in a fraction of mamori's time
// and holds nothing an attacker could reach through a crafted file.
//
//   mamori-sanitize IN -o OUT [--report FILE] [-p PROFILE] [--mail] [--json]
//
// Exit codes as `mamori sanitize` (docs/cli.md): 0 written, 6 refused, 2
// usage, 3 unreadable input or invalid profile, 1 internal error.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/sanitize_file.h"

int main(int argc, char** argv) {
  using namespace mamori::cli;
  try {
    Output output(std::cout, std::cerr);
    SanitizeFileOptions options;
    CLI::App app("ファイルを無害化する（3(2)① ウ） / sanitize one file", "mamori-sanitize");
    AddSanitizeFileOptions(app, options);
    app.add_flag("--mail", options.mail_only, "電子メール（RFC 5322）のみ受け付ける");
    app.add_flag("--json", output.json, "報告を JSON で出力");
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      const int code = app.exit(error, std::cout, std::cerr);
      return code == 0 ? kExitOk : kExitUsage;
    }
    return SanitizeFile(options, output);
  } catch (const std::exception& error) {
    std::cerr << "内部エラー / internal error: " << error.what() << "\n";
  } catch (...) {
    std::cerr << "内部エラー / internal error\n";
  }
  return kExitInternal;
}
