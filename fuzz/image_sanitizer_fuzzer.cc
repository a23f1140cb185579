// Fuzzes the image sanitizer through the public entry point with small
// limits: any input must give either a refusal with a reason or an output
// that the sanitizer accepts again (it decodes and re-encodes cleanly).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sanitize_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori::sanitize;  // NOLINT(google-build-using-namespace): a fuzz target
  static const Settings settings = fuzz::SmallLimits();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Outcome outcome = fuzz::SanitizeChecked(bytes, "fuzz.img", settings);
  if (outcome.report.verdict == Verdict::kRefused || outcome.report.detected < FileType::kJpeg ||
      outcome.report.detected > FileType::kWebp) {
    return 0;  // refused, or not an image: other fuzzers check the other formats
  }
  // What the sanitizer wrote must be an image it accepts again.
  const Outcome again = fuzz::SanitizeChecked(outcome.output, "again.img", settings);
  if (again.report.verdict == Verdict::kRefused && again.report.reason != Reason::kTimeout) {
    std::abort();
  }
  return 0;
}
