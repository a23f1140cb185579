// Flow logs (issue 12, "what actually flowed"): the traffic a device
// recorded, read as a stream and judged against the profile's flows with
// the same rule as the rule-set check (check.h PolicyFor).
//
// Readers, one line at a time in constant memory (a callback per flow):
//   nfdump   `nfdump -r FILE -o csv` (header "ts,te,td,sa,da,sp,dp,pr,…";
//            the trailing "Summary" block is skipped);
//   zeek     conn.log as TSV (#separator / #fields header lines) or JSON
//            (one object per line, read with nlohmann::json);
//   fortigate traffic logs, key=value with quoted values;
//   panos    TRAFFIC logs as CSV (PAN-OS 10/11 field positions).
// A malformed line is reported (file:line, Japanese + English), counted and
// skipped; past FlowLimits::max_bad_lines, or a wrong header, the read fails.
//
// Thread safety: plain values; FlowJudge is not shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "common/result.h"
#include "netcheck/check.h"
#include "netcheck/model.h"
#include "netcheck/zones.h"
#include "policy/model.h"

namespace mamori::netcheck {

struct Flow {
  std::string time;  // first seen, UTC, "2024-05-01 09:00:00"
  U128 source;
  U128 destination;
  std::uint8_t protocol = 0;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::string input_interface;  // or zone, as the device logs it; "" if none
  std::string output_interface;
  std::uint64_t bytes = 0;
  std::uint64_t packets = 0;
  std::string action;  // the device's own ("accept", "deny", …); "" if none
  Where where;

  // "tcp 192.0.2.1:1024 → 198.51.100.2:443"
  std::string ToString() const;
};

enum class FlowFormat : std::uint8_t { kAuto, kNfdump, kZeek, kFortiGate, kPanOs };
std::string_view Id(FlowFormat format);
std::optional<FlowFormat> ParseFlowFormat(std::string_view text);

// The format of a log from its first lines; nullopt when none fits.
std::optional<FlowFormat> DetectFlowFormat(std::string_view head);

struct FlowLimits {
  std::size_t max_line_bytes = std::size_t{64} << 10;
  std::size_t max_bad_lines = 100;  // reported and skipped; one more fails the read
};

struct FlowReadStats {
  std::size_t lines = 0;
  std::size_t flows = 0;
  std::size_t skipped = 0;            // malformed lines
  std::vector<Diagnostic> bad_lines;  // the first max_bad_lines of them
};

using FlowSink = std::function<void(const Flow&)>;

// Reads `in` (named `file`) as `format` (kAuto: from the first lines), calls
// `sink` per flow. Errors (kInvalidArgument, file:line): an unknown format, a
// wrong header, more malformed lines than limits.max_bad_lines.
Status ReadFlows(std::istream& in, const std::string& file, FlowFormat format, const FlowSink& sink,
                 FlowReadStats& stats, const FlowLimits& limits = {});

// One group of forbidden flows: (source zone, destination zone, protocol,
// destination port).
struct FlowViolation {
  std::string from;
  std::string to;
  std::uint8_t protocol = 0;
  std::uint16_t destination_port = 0;
  policy::FlowMode mode = policy::FlowMode::kNever;
  std::string clause;
  std::size_t count = 0;
  std::string first_seen;
  std::string last_seen;
  std::uint64_t bytes = 0;
  Flow example;
  // With rule sets: whether the firewall's forward path accepts the example
  // ("allowed by the firewall but forbidden by the policy", the worst case)
  // and the rule that decided.
  bool firewall_checked = false;
  bool firewall_allows = false;
  std::string firewall_rule;
};

struct FlowPairCount {
  std::string from;
  std::string to;
  std::size_t count = 0;
  std::uint64_t bytes = 0;
};

struct FlowReport {
  std::string profile;
  std::vector<std::string> sources;
  std::size_t flows = 0;
  std::size_t skipped_lines = 0;
  std::size_t outside = 0;    // a host in no zone
  std::size_t ambiguous = 0;  // a host in two zones
  std::size_t same_zone = 0;  // not crossing zones: not judged
  std::size_t conforming = 0;
  std::vector<FlowViolation> violations;  // most flows first
  std::vector<FlowPairCount> pairs;       // most flows first
  std::vector<Diagnostic> warnings;       // bad lines, limits
  bool truncated = false;                 // max_groups reached
  bool HasViolation() const { return !violations.empty(); }
  std::size_t FirewallAllowed() const;
};

// Aggregates flows in memory bounded by the number of zone pairs and
// violation groups (max_groups), never by the number of flows.
class FlowJudge {
 public:
  // `plan` must have passed ValidateZones; `rules` may be null.
  FlowJudge(const AddressPlan& plan, const policy::Profile& profile, const RuleSet* rules,
            std::size_t max_groups = 10'000);
  // Judges one flow. Returns the violation group it counted in when the
  // profile forbids it (valid until Finish), nullptr otherwise (also when
  // max_groups is reached: the report says truncated).
  const FlowViolation* Add(const Flow& flow);
  FlowReport Finish(std::vector<std::string> sources, const FlowReadStats& stats) &&;

 private:
  int ZoneOf(U128 address);  // -1 none, -2 two
  const AddressPlan& plan_;
  const policy::Profile& profile_;
  const RuleSet* rules_;
  std::size_t max_groups_;
  std::vector<PairPolicy> policies_;  // zones × zones
  FlowReport report_;
  std::map<std::tuple<int, int, int, int>, FlowViolation> groups_;
  std::map<std::pair<int, int>, FlowPairCount> pairs_;
};

nlohmann::json FlowReportToJson(const FlowReport& report);
std::string FlowReportToText(const FlowReport& report);

}  // namespace mamori::netcheck
