// Fuzzes the policy profile loader: TOML parsing, schema checks, extends,
// classification mapping and rule compilation. The input is the top profile;
// it may `extends = "base.toml"`, which resolves to the shipped base profile
// held in memory, so the merge and mapping code is reached too.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "policy/loader.h"

namespace {

const mamori::MemoryFileSystem& Files() {
  static const mamori::MemoryFileSystem* files = [] {
    auto* fs = new mamori::MemoryFileSystem();  // lives for the process
    std::ifstream in(std::string(MAMORI_SOURCE_DIR) + "/policies/base.toml");
    std::stringstream text;
    text << in.rdbuf();
    fs->Put("fuzz/base.toml", text.str());
    return fs;
  }();
  return *files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto profile = mamori::policy::LoadProfileFromText(text, "fuzz/input.toml", Files());
  if (profile.Ok()) {
    // A loaded profile must be internally consistent.
    for (const auto& rule : profile->rules) {
      for (std::uint16_t clause : rule.clause_indices) {
        if (clause >= profile->clauses.size()) __builtin_trap();
      }
    }
  }
  return 0;
}
