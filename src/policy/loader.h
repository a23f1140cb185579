// Loads a policy profile (TOML, docs/policy-profile.md) with its `extends`
// chain, validates it and compiles its rules.
//
// The loader never half-loads: it returns a complete Profile or an Error whose
// diagnostics name the file, line and key of every problem found, in Japanese
// and English (unknown key, wrong type, unknown role/level/segment/clause
// reference, duplicate id, `extends` cycle, missing required field, ...).
//
// Thread safety: the functions keep no state; concurrent calls are safe if
// the FileSystem is.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/result.h"
#include "policy/model.h"

namespace mamori::policy {

struct LoaderLimits {
  std::size_t max_file_bytes = std::size_t{2} * 1024 * 1024;
  int max_extends_depth = 8;
  int max_rules = 4096;
  int max_checks = 4096;
  int max_clauses = 8192;
  int max_diagnostics = 50;  // stop collecting after this many problems
};

// Loads the profile at `path`; `extends` paths are relative to the file that
// names them.
Result<Profile> LoadProfile(const std::string& path, const FileSystem& fs,
                            const LoaderLimits& limits = {});

// Convenience: the real file system.
Result<Profile> LoadProfile(const std::string& path);

// Loads a profile whose top file is `text` (named `name` in messages); used by
// the fuzzer and tests. `extends` is read through `fs`.
Result<Profile> LoadProfileFromText(std::string_view text, const std::string& name,
                                    const FileSystem& fs, const LoaderLimits& limits = {});

}  // namespace mamori::policy
