// Shared by the netcheck unit tests: the fixture files, the hannan profile
// and its address plans, packets to probe rules with, and the check run on
// a rule set. Test-only (header-only, linked into netcheck_test).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netcheck/check.h"
#include "netcheck/iptables.h"
#include "netcheck/nft_json.h"
#include "netcheck/zones.h"
#include "policy/loader.h"

namespace mamori::netcheck::fixture {

inline const std::string kSource = MAMORI_SOURCE_DIR;
inline const std::string kData = kSource + "/tests/data/netcheck/";

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The line (from 1) of the first line of `text` containing `needle` after
// line `after`; 0 when there is none.
inline int LineOf(std::string_view text, std::string_view needle, int after = 0) {
  int line = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    const std::string_view current =
        text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    if (line > after && current.find(needle) != std::string_view::npos) return line;
    if (end == std::string_view::npos) break;
    start = end + 1;
    ++line;
  }
  return 0;
}

inline const policy::Profile& Hannan() {
  static const policy::Profile profile = [] {
    auto loaded = policy::LoadProfile(kSource + "/policies/hannan.toml");
    EXPECT_TRUE(loaded.Ok());
    return std::move(loaded).Value();
  }();
  return profile;
}

// tests/data/netcheck files as one rule set (nft JSON or iptables-save).
inline RuleSet Rules(const std::vector<std::string>& files) {
  RuleSet rules;
  for (const auto& file : files) {
    const std::string text = ReadFile(kData + file);
    auto parsed = LooksLikeNftJson(text) ? ParseNftJson(text, file) : ParseIptablesSave(text, file);
    EXPECT_TRUE(parsed.Ok()) << parsed.Err().ToString();
    if (parsed.Ok()) rules.Append(std::move(parsed).Value());
  }
  return rules;
}

inline AddressPlan Plan(const std::string& name) {
  auto plan = ParseZones(ReadFile(kData + name), name);
  EXPECT_TRUE(plan.Ok()) << plan.Err().ToString();
  EXPECT_TRUE(ValidateZones(*plan, Hannan().network).Ok());
  return std::move(plan).Value();
}

inline CheckReport RunCheck(const RuleSet& rules, const std::string& zones) {
  auto report = Check(rules, Plan(zones), Hannan());
  EXPECT_TRUE(report.Ok()) << report.Err().ToString();
  return std::move(report).Value();
}

inline const PairResult& Pair(const CheckReport& report, const std::string& from,
                              const std::string& to) {
  for (const auto& pair : report.pairs) {
    if (pair.from == from && pair.to == to) return pair;
  }
  ADD_FAILURE() << "no pair " << from << " → " << to;
  return report.pairs.front();
}

// What every α rule set without a hole gives: the three allowed crossings
// conform, nothing else crosses.
inline void ExpectAlphaConforms(const CheckReport& report) {
  EXPECT_FALSE(report.HasViolation()) << ReportToText(report);
  EXPECT_EQ(Pair(report, "internet", "lgwan").status, PairStatus::kConforms);
  EXPECT_EQ(Pair(report, "lgwan", "internet").status, PairStatus::kConforms);
  EXPECT_EQ(Pair(report, "mynumber", "lgwan").status, PairStatus::kConforms);
  EXPECT_EQ(Pair(report, "mynumber", "internet").status, PairStatus::kNoTraffic);
  EXPECT_EQ(Pair(report, "internet", "mynumber").status, PairStatus::kNoTraffic);
  EXPECT_EQ(Pair(report, "lgwan", "mynumber").status, PairStatus::kNoTraffic);
}

// A new packet from port 1024 to `port`, in by `in` and out by `out`.
inline Packet Make(const char* source, const char* destination, std::uint8_t protocol,
                   std::uint16_t port, const char* in = "eth0", const char* out = "eth1") {
  Packet packet;
  packet.source = *ParseAddress(source);
  packet.destination = *ParseAddress(destination);
  packet.protocol = protocol;
  packet.source_port = 1024;
  packet.destination_port = port;
  packet.input_interface = in;
  packet.output_interface = out;
  return packet;
}

// Whether any warning's English text contains `part` (and, if given, names `line`).
inline bool Warned(const RuleSet& rules, std::string_view part, int line = -1) {
  for (const auto& warning : rules.warnings) {
    if (warning.message_en.find(part) == std::string::npos) continue;
    if (line < 0 || warning.where.line == line) return true;
  }
  return false;
}

// One malformed input of a reader's table of errors.
struct BadCase {
  const char* name;     // the test's name
  std::string text;     // the input
  int line;             // where the first diagnostic must be
  const char* english;  // part of its English text
};

inline std::string CaseName(const ::testing::TestParamInfo<BadCase>& param) {
  return param.param.name;
}

// The error's first diagnostic names `file` and the case's line, says what
// the case expects in English, and has Japanese text.
inline void ExpectHeadline(const Error& error, const std::string& file, const BadCase& bad) {
  const Diagnostic& headline = error.Headline();
  EXPECT_EQ(headline.where.file, file);
  EXPECT_EQ(headline.where.line, bad.line) << headline.ToString();
  EXPECT_NE(headline.message_en.find(bad.english), std::string::npos) << headline.ToString();
  EXPECT_FALSE(headline.message_ja.empty());
}

}  // namespace mamori::netcheck::fixture
