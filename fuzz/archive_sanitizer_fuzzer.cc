// Fuzzes the archive sanitizer through the public entry point with small
// limits: any input must give either a refusal with a reason or a rebuilt
// archive that the sanitizer can read again without crashing.
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
  settings.limits.max_entries = 200;
  settings.limits.max_depth = 3;
  settings.limits.max_time = std::chrono::seconds(5);
  return settings;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mamori::sanitize::Reason;
  using mamori::sanitize::Verdict;
  static const mamori::sanitize::Settings settings = SmallLimits();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto outcome = mamori::sanitize::Sanitize(bytes, "fuzz.zip", settings);
  (void)mamori::sanitize::ReportToJson(outcome.report);
  if (outcome.report.verdict == Verdict::kRefused) {
    if (outcome.report.reason == Reason::kNone || !outcome.output.empty()) std::abort();
    return 0;
  }
  if (outcome.report.detected < mamori::sanitize::FileType::kZip ||
      outcome.report.detected > mamori::sanitize::FileType::kRar) {
    return 0;
  }
  // The rebuilt archive is read again (its entries may legitimately be
  // refused the second time, e.g. an empty archive has nothing to keep).
  (void)mamori::sanitize::Sanitize(outcome.output, "again.zip", settings);
  return 0;
}
