// Fuzzes the image sanitizer through the public entry point with small
// limits: any input must give either a refusal with a reason or an output
// that the sanitizer accepts again (it decodes and re-encodes cleanly).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sanitize/sanitize.h"

namespace {

mamori::sanitize::Settings SmallLimits() {
  mamori::sanitize::Settings settings;
  settings.limits.max_input_bytes = std::size_t{1} << 20;
  settings.limits.max_expanded_bytes = std::size_t{16} << 20;
  settings.limits.max_memory_bytes = std::size_t{16} << 20;
  settings.limits.max_pixels = 1'000'000;
  settings.limits.max_time = std::chrono::seconds(5);
  return settings;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mamori::sanitize::Reason;
  using mamori::sanitize::Verdict;
  static const mamori::sanitize::Settings settings = SmallLimits();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto outcome = mamori::sanitize::Sanitize(bytes, "fuzz.img", settings);
  (void)mamori::sanitize::ReportToJson(outcome.report);
  if (outcome.report.verdict == Verdict::kRefused) {
    if (outcome.report.reason == Reason::kNone || !outcome.output.empty()) std::abort();
    return 0;
  }
  if (outcome.report.detected < mamori::sanitize::FileType::kJpeg ||
      outcome.report.detected > mamori::sanitize::FileType::kWebp) {
    return 0;  // not an image: other fuzzers check the other formats
  }
  // What the sanitizer wrote must be an image it accepts again.
  const auto again = mamori::sanitize::Sanitize(outcome.output, "again.img", settings);
  if (again.report.verdict == Verdict::kRefused && again.report.reason != Reason::kTimeout) {
    std::abort();
  }
  return 0;
}
