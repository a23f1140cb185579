// The interface between the dispatcher (sanitize.cc) and the format
// sanitizers (one folder each). A format sanitizer gets the input bytes, the
// detected type and a Context that enforces the limits and sanitizes nested
// files one level deeper; it returns a FormatResult.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "sanitize/sanitize.h"

namespace mamori::sanitize {

struct FormatResult {
  std::string output;
  Verdict verdict = Verdict::kClean;  // kSanitized when anything was removed
  Reason reason = Reason::kNone;      // set with verdict kRefused
  std::string detail;                 // English, for operators
  std::vector<Removal> removed;
  std::vector<std::string> notes_ja;
  std::vector<Report> children;
  FileType output_type = FileType::kUnknown;  // kUnknown: same as the input's

  // Records a removal and makes the verdict kSanitized.
  void Remove(std::string part, std::string what, int count = 1);
};

FormatResult Refuse(Reason reason, std::string detail);

class Context {
 public:
  Context(const Settings& settings, std::size_t input_size, int depth,
          std::chrono::steady_clock::time_point deadline, std::size_t* expanded_total);

  const Settings& GetSettings() const { return settings_; }
  const Limits& GetLimits() const { return settings_.limits; }
  int Depth() const { return depth_; }

  // kTimeout once the deadline has passed; format sanitizers call it in
  // their loops.
  Reason CheckTime() const;
  // Counts `bytes` of unpacked data against max_expanded_bytes and
  // max_expansion_ratio (of the top-level input); call BEFORE allocating.
  Reason ChargeExpanded(std::size_t bytes);
  // kMemoryLimit when a single buffer of `bytes` is over the limit.
  Reason CheckAllocation(std::size_t bytes) const;

  // Sanitizes a nested file (an archive entry, an attachment, an embedded
  // document) one level deeper, with the same limits and deadline.
  Outcome SanitizeChild(std::string_view bytes, std::string_view name);

 private:
  const Settings& settings_;
  std::size_t top_input_size_;
  int depth_;
  std::chrono::steady_clock::time_point deadline_;
  std::size_t* expanded_total_;
};

// Used by the dispatcher: the full pipeline at a given depth.
Outcome SanitizeAt(std::string_view input, std::string_view name, const Settings& settings,
                   int depth, std::chrono::steady_clock::time_point deadline,
                   std::size_t top_input_size, std::size_t* expanded_total);

std::string Sha256Hex(std::string_view bytes);

}  // namespace mamori::sanitize
