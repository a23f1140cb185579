// Fuzzes the ooxml sanitizer through the public entry point with small
// limits: any input must give a refusal with a reason or an output, never a
// crash, a leak or a hang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sanitize_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori::sanitize;  // NOLINT(google-build-using-namespace): a fuzz target
  static const Settings settings = fuzz::SmallLimits();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Outcome outcome = fuzz::SanitizeChecked(bytes, "fuzz.ooxml", settings);
  (void)outcome;
  return 0;
}
