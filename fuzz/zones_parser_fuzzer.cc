// Fuzzes the address plan reader (TOML, and CSV when the text starts with
// "kind,"), its check against the 阪南市 profile and host placement.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "netcheck/zones.h"
#include "policy/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mamori::policy::Profile* profile = [] {
    auto loaded =
        mamori::policy::LoadProfile(std::string(MAMORI_SOURCE_DIR) + "/policies/hannan.toml");
    if (!loaded.Ok()) std::abort();
    return new mamori::policy::Profile(std::move(loaded).Value());  // lives for the process
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto plan = mamori::netcheck::ParseZones(text, "fuzz.zones");
  if (!plan.Ok()) {
    (void)plan.Err().ToString();
    return 0;
  }
  if (auto valid = mamori::netcheck::ValidateZones(*plan, profile->network); !valid.Ok()) {
    (void)valid.Err().ToString();
  }
  for (const auto& location : mamori::netcheck::LocateHosts(*plan)) {
    if (location.host >= plan->hosts.size()) std::abort();
  }
  return 0;
}
