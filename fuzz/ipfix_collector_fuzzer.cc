// Fuzzes the live collector's reading (src/netcheck/collector.h) through
// libfixbuf: the input as a stream of IPFIX messages, then as NetFlow v9
// export packets. Either a clear error or records whose bookkeeping adds up;
// every flow goes through the judgement as the collector's do.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "flows_fuzz.h"
#include "netcheck/collector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori::netcheck;  // NOLINT(google-build-using-namespace)
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (auto protocol : {CollectorProtocol::kIpfix, CollectorProtocol::kNetflowV9}) {
    CollectorStats stats;
    FlowJudge judge(fuzz::Plan(), fuzz::Profile(), nullptr, 100);
    std::uint64_t seen = 0;
    auto status = ReadIpfixMessages(
        bytes, protocol,
        [&](const Flow& flow) {
          ++seen;
          if (flow.time.size() != 19) std::abort();  // "YYYY-MM-DD HH:MM:SS"
          judge.Add(flow);
        },
        stats);
    if (!status.Ok() && status.Err().Headline().message_ja.empty()) std::abort();
    if (seen != stats.flows || stats.flows + stats.without_addresses != stats.records) std::abort();
    FlowReadStats read;
    read.flows = stats.flows;
    if (std::move(judge).Finish({"fuzz.ipfix"}, read).flows != seen) std::abort();
  }
  return 0;
}
