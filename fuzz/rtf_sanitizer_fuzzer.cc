// Fuzzes the rtf sanitizer through the public entry point with small
// limits: any input must give a refusal with a reason or an output, never a
// crash, a leak or a hang.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sanitize/sanitize.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mamori::sanitize::Settings settings = [] {
    mamori::sanitize::Settings small;
    small.limits.max_input_bytes = std::size_t{4} << 20;
    small.limits.max_expanded_bytes = std::size_t{16} << 20;
    small.limits.max_memory_bytes = std::size_t{16} << 20;
    small.limits.max_entries = 200;
    small.limits.max_depth = 2;
    small.limits.max_time = std::chrono::milliseconds(2000);
    return small;
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto outcome = mamori::sanitize::Sanitize(input, "fuzz.rtf", settings);
  (void)mamori::sanitize::ReportToJson(outcome.report);
  return 0;
}
