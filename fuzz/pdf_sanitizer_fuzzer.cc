// Fuzzes the PDF sanitizer (qpdf underneath) through the public entry point
// with small limits: any input must give either a refusal with a reason or
// an output qpdf reads again, never a crash, a hang or an exception.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sanitize/sanitize.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mamori::sanitize::Settings settings = [] {
    mamori::sanitize::Settings small;
    small.limits.max_input_bytes = std::size_t{1} << 20;
    small.limits.max_expanded_bytes = std::size_t{16} << 20;
    small.limits.max_memory_bytes = std::size_t{16} << 20;
    small.limits.max_time = std::chrono::milliseconds(2000);
    small.remove_uri_links = true;
    return small;
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The name says PDF whatever the content is: detection decides.
  const auto outcome = mamori::sanitize::Sanitize(input, "fuzz.pdf", settings);
  using mamori::sanitize::Verdict;
  if (outcome.report.verdict == Verdict::kRefused) {
    if (outcome.report.reason == mamori::sanitize::Reason::kNone || !outcome.output.empty()) {
      std::abort();
    }
  } else if (outcome.output.empty()) {
    std::abort();
  }
  (void)mamori::sanitize::ReportToJson(outcome.report);
  return 0;
}
