// Shared by the flow-log fuzzers: any input must give a clear error or flows
// whose bookkeeping adds up, and the judgement must take every flow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "netcheck/flows.h"
#include "netcheck/zones.h"
#include "policy/loader.h"

namespace mamori::netcheck::fuzz {

// Hannan's profile and an α address plan, loaded once.
inline const policy::Profile& Profile() {
  static const policy::Profile profile = [] {
    auto loaded = policy::LoadProfile(std::string(MAMORI_SOURCE_DIR) + "/policies/hannan.toml");
    if (!loaded.Ok()) std::abort();
    return std::move(loaded).Value();
  }();
  return profile;
}

inline const AddressPlan& Plan() {
  static const AddressPlan plan = [] {
    std::ostringstream text;
    text << "[zones.internet]\nnetworks = [\"172.16.0.0/16\"]\n"
            "[zones.lgwan]\nnetworks = [\"10.20.0.0/16\"]\n"
            "[zones.mynumber]\nnetworks = [\"10.30.0.0/16\"]\n"
            "[[hosts]]\nname = \"mugaika\"\nrole = \"sanitize_gateway\"\n"
            "addresses = [\"10.20.0.10\"]\nservices = [\"tcp/443\"]\n";
    auto parsed = ParseZones(text.str(), "fuzz.toml");
    if (!parsed.Ok() || !ValidateZones(*parsed, Profile().network).Ok()) std::abort();
    return std::move(parsed).Value();
  }();
  return plan;
}

inline int FuzzFlows(const std::uint8_t* data, std::size_t size, FlowFormat format) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  FlowLimits limits;
  limits.max_bad_lines = 20;
  FlowReadStats stats;
  FlowJudge judge(Plan(), Profile(), nullptr, 100);
  std::size_t seen = 0;
  auto status = ReadFlows(
      in, "fuzz.log", format,
      [&](const Flow& flow) {
        ++seen;
        if (flow.where.line <= 0 || static_cast<std::size_t>(flow.where.line) > stats.lines) {
          std::abort();
        }
        judge.Add(flow);
      },
      stats, limits);
  if (!status.Ok()) {
    if (status.Err().Headline().message_ja.empty()) std::abort();
    return 0;
  }
  if (seen != stats.flows || stats.flows + stats.skipped > stats.lines) std::abort();
  const FlowReport report = std::move(judge).Finish({"fuzz.log"}, stats);
  if (report.flows != seen) std::abort();
  (void)FlowReportToText(report);
  return 0;
}

}  // namespace mamori::netcheck::fuzz
