// `mamori sanitize`, `mamori sanitize-mail` and `mamori gateway` (3(2)①).
//
// Exit codes (docs/cli.md): 0 the output was written (sanitized or clean),
// 6 refused (no output; the report says why), 2 usage, 3 unreadable input or
// an invalid profile, 1 internal error.
#pragma once

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}

namespace mamori::cli {

struct LedgerCli;

void AddSanitizeCommands(CLI::App& app, LedgerCli& cli);

}  // namespace mamori::cli
