// Error: what went wrong, where, and why, in Japanese and English.
//
// An Error is a value (see result.h). It carries one or more diagnostics so a
// validator can report every problem it found in one pass; the first one is
// the headline. Each diagnostic may name a place: a file, line and key (for a
// profile) or a field path (for a request). Municipal users read the Japanese
// text; the English text is for operators and logs.
//
// Thread safety: a value type; distinct objects may be used concurrently.
#pragma once

#include <string>
#include <vector>

namespace mamori {

enum class ErrorCode {
  kInvalidArgument,  // the caller passed something malformed (e.g. a request)
  kNotFound,         // a named file or object does not exist
  kIo,               // the operating system refused a read or write
  kInvalidProfile,   // a policy profile failed to parse or validate
  kLimitExceeded,    // an input was larger or deeper than its Limits allow
  kConflict,         // the object is no longer in the state the caller acted on
                     // (someone else acted first, e.g. approved the same step)
  kInternal,         // a bug: an invariant did not hold
};

// Returns the stable English name of `code`, e.g. "invalid_profile".
const char* ErrorCodeName(ErrorCode code);

// Where a problem is. Every field is optional; empty fields are not printed.
struct Where {
  std::string file;
  int line = 0;
  std::string key;  // dotted key in a profile, or a JSON field path

  bool Empty() const { return file.empty() && line == 0 && key.empty(); }
  // "file:line: key" with the empty parts left out.
  std::string ToString() const;
};

struct Diagnostic {
  Where where;
  std::string message_ja;
  std::string message_en;

  // "file:line: key: 日本語 / English"
  std::string ToString() const;
};

class Error {
 public:
  Error(ErrorCode code, std::string message_ja, std::string message_en, Where where = {});
  Error(ErrorCode code, std::vector<Diagnostic> diagnostics);

  ErrorCode Code() const { return code_; }
  const std::vector<Diagnostic>& Diagnostics() const { return diagnostics_; }
  const Diagnostic& Headline() const { return diagnostics_.front(); }

  // Adds a diagnostic after the existing ones.
  Error& Add(Diagnostic diagnostic);
  // Prefixes every diagnostic's English and Japanese text with `context`
  // (e.g. "request line 3"), for callers that wrap a lower-level error.
  Error& Context(const std::string& context_ja, const std::string& context_en);

  // One diagnostic per line.
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::vector<Diagnostic> diagnostics_;  // never empty
};

}  // namespace mamori
