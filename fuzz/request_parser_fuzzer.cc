// Fuzzes the request parser and the decision engine with the 阪南市 profile:
// any input must give either a clear error or a decision that renders.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "decide/decision_json.h"
#include "decide/engine.h"
#include "decide/request.h"
#include "policy/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mamori::policy::Profile* profile = [] {
    auto loaded = mamori::policy::LoadProfile(std::string(MAMORI_SOURCE_DIR) + "/policies/hannan.toml");
    if (!loaded.Ok()) std::abort();
    return new mamori::policy::Profile(std::move(loaded).Value());  // lives for the process
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto request = mamori::decide::ParseRequest(*profile, text);
  if (!request.Ok()) {
    (void)mamori::decide::ErrorToJson(request.Err(), 1);
    return 0;
  }
  const auto decision = mamori::decide::Decide(*profile, *request);
  (void)mamori::decide::DecisionToJson(*profile, *request, decision, mamori::decide::Detail::kExplain);
  return 0;
}
