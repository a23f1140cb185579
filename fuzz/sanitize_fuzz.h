// Shared by the sanitizer fuzz targets: small limits, so that a run spends
// its time on structure rather than on size, and the invariants every
// outcome keeps (a refusal has a reason and no output).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <string_view>

#include "sanitize/sanitize.h"

namespace mamori::sanitize::fuzz {

inline Settings SmallLimits() {
  Settings settings;
  settings.limits.max_input_bytes = std::size_t{4} << 20;
  settings.limits.max_expanded_bytes = std::size_t{16} << 20;
  settings.limits.max_memory_bytes = std::size_t{16} << 20;
  settings.limits.max_pixels = 1'000'000;
  settings.limits.max_entries = 200;
  settings.limits.max_depth = 3;
  settings.limits.max_time = std::chrono::seconds(5);
  return settings;
}

// Sanitizes `bytes`, renders the report, and aborts when the outcome breaks
// an invariant.
inline Outcome SanitizeChecked(std::string_view bytes, std::string_view name,
                               const Settings& settings) {
  Outcome outcome = Sanitize(bytes, name, settings);
  (void)ReportToJson(outcome.report);
  if (outcome.report.verdict == Verdict::kRefused &&
      (outcome.report.reason == Reason::kNone || !outcome.output.empty())) {
    std::abort();
  }
  return outcome;
}

}  // namespace mamori::sanitize::fuzz
