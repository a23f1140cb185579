// Fuzzes the reader of a PAN-OS running-config (XML) and the analysis behind it: any input must
// give either a clear error or a rule set that analyzes consistently.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "netcheck/panos.h"
#include "netcheck_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  mamori::netcheck::PanOsLimits limits;
  limits.max_rules = 2'000;
  auto rules = mamori::netcheck::ParsePanOs(text, "fuzz.xml", limits);
  if (!rules.Ok()) {
    (void)rules.Err().ToString();
    return 0;
  }
  mamori::netcheck::fuzz::CheckRuleSet(*rules);
  return 0;
}
