// Fuzzes the archive sanitizer through the public entry point with small
// limits: any input must give either a refusal with a reason or a rebuilt
// archive that the sanitizer can read again without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sanitize_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori::sanitize;  // NOLINT(google-build-using-namespace): a fuzz target
  static const Settings settings = fuzz::SmallLimits();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Outcome outcome = fuzz::SanitizeChecked(bytes, "fuzz.zip", settings);
  if (outcome.report.verdict == Verdict::kRefused || outcome.report.detected < FileType::kZip ||
      outcome.report.detected > FileType::kRar) {
    return 0;
  }
  // The rebuilt archive is read again (its entries may legitimately be
  // refused the second time, e.g. an empty archive has nothing to keep).
  (void)fuzz::SanitizeChecked(outcome.output, "again.zip", settings);
  return 0;
}
