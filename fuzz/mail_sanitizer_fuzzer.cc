// Fuzzes the mail sanitizer (GMime + libxml2) with small limits, both ways
// (method ア: text only; method ウ: attachments sanitized): any input must
// give either a refusal with a reason or a message that the sanitizer itself
// takes again without refusing, whose report says what it did. The input
// goes straight to SanitizeMail so that the fuzzer does not spend its time
// on inputs libmagic would not call mail; the dispatcher is reached through
// the attachments (method ウ).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sanitize/context.h"
#include "sanitize/formats.h"
#include "sanitize/sanitize.h"

namespace {

using mamori::sanitize::Context;
using mamori::sanitize::FileType;
using mamori::sanitize::FormatResult;
using mamori::sanitize::Reason;
using mamori::sanitize::Settings;
using mamori::sanitize::Verdict;
using mamori::sanitize::MailMethod;

Settings SmallLimits(MailMethod method) {
  Settings settings;
  settings.limits.max_input_bytes = std::size_t{1} << 20;
  settings.limits.max_expanded_bytes = std::size_t{8} << 20;
  settings.limits.max_memory_bytes = std::size_t{8} << 20;
  settings.limits.max_entries = 200;
  settings.limits.max_depth = 3;
  settings.limits.max_pixels = 1'000'000;
  settings.limits.max_time = std::chrono::seconds(5);
  settings.mail_method = method;
  return settings;
}

FormatResult Run(std::string_view input, const Settings& settings) {
  std::size_t expanded = 0;
  Context context(settings, input.size(), 0,
                  std::chrono::steady_clock::now() + settings.limits.max_time, &expanded);
  return mamori::sanitize::SanitizeMail(input, FileType::kMail, context);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Settings kTextOnly = SmallLimits(MailMethod::kTextOnly);
  static const Settings kWithAttachments = SmallLimits(MailMethod::kSanitizeAttachments);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.size() > kTextOnly.limits.max_input_bytes) return 0;
  for (const Settings* settings : {&kTextOnly, &kWithAttachments}) {
    const FormatResult result = Run(input, *settings);
    if (result.verdict == Verdict::kRefused) {
      if (result.reason == Reason::kNone || !result.output.empty()) std::abort();
      continue;
    }
    if (result.output.empty() || result.output_type != FileType::kMail) std::abort();
    // What we wrote is a well-formed mail: taken again, it is not refused
    // (unless the clock ran out on a slow machine).
    const FormatResult again = Run(result.output, kTextOnly);
    if (again.verdict == Verdict::kRefused && again.reason != Reason::kTimeout) std::abort();
  }
  return 0;
}
