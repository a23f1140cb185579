// One file through 無害化, as `mamori sanitize` and the `mamori-sanitize`
// program both run it: read IN (up to the profile's input limit), sanitize,
// write the report and, unless refused, OUT through a temporary file and a
// rename (a reader never sees half a file). Exit codes as in commands.h, and
// 6 (kExitRefused) when the file is refused.
#pragma once

#include <string>

#include "cli/output.h"
#include "sanitize/sanitize.h"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}

namespace mamori::cli {

struct SanitizeFileOptions {
  std::string input, output, report, profile;
  bool mail_only = false;  // refuse anything that is not an e-mail message
};

// Adds IN, -o/--output, --report and -p/--profile to `command`.
void AddSanitizeFileOptions(CLI::App& command, SanitizeFileOptions& options);

// The profile's [sanitize] settings, or the built-in defaults (the same as
// policies/base.toml's) when `profile_path` is empty. On error prints it and
// returns false.
bool LoadSanitizeSettings(const std::string& profile_path, Output& output,
                          sanitize::Settings* settings);

// Runs one file; returns the exit code (also printed errors go to `output`).
int SanitizeFile(const SanitizeFileOptions& options, Output& output);

}  // namespace mamori::cli
