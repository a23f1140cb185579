// Fuzzes the flow-log reader for fortigate_log and the judgement behind it
// (src/netcheck/flows.h).
#include <cstddef>
#include <cstdint>

#include "flows_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mamori::netcheck::fuzz::FuzzFlows(data, size, mamori::netcheck::FlowFormat::kFortiGate);
}
