#include "common/error.h"

#include <utility>

namespace mamori {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kInvalidProfile:
      return "invalid_profile";
    case ErrorCode::kLimitExceeded:
      return "limit_exceeded";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string Where::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += (out.empty() ? "line " : ":") + std::to_string(line);
  }
  if (!key.empty()) {
    if (!out.empty()) out += ": ";
    out += key;
  }
  return out;
}

std::string Diagnostic::ToString() const {
  std::string out = where.ToString();
  if (!out.empty()) out += ": ";
  out += message_ja;
  if (!message_en.empty()) out += " / " + message_en;
  return out;
}

Error::Error(ErrorCode code, std::string message_ja, std::string message_en, Where where)
    : code_(code) {
  diagnostics_.push_back({std::move(where), std::move(message_ja), std::move(message_en)});
}

Error::Error(ErrorCode code, std::vector<Diagnostic> diagnostics)
    : code_(code), diagnostics_(std::move(diagnostics)) {
  if (diagnostics_.empty()) {
    diagnostics_.push_back({{}, "内部エラー（診断情報なし）", "internal error (no diagnostic)"});
  }
}

Error& Error::Add(Diagnostic diagnostic) {
  diagnostics_.push_back(std::move(diagnostic));
  return *this;
}

Error& Error::Context(const std::string& context_ja, const std::string& context_en) {
  for (Diagnostic& d : diagnostics_) {
    d.message_ja = context_ja + ": " + d.message_ja;
    d.message_en = context_en + ": " + d.message_en;
  }
  return *this;
}

std::string Error::ToString() const {
  std::string out;
  for (const Diagnostic& d : diagnostics_) {
    if (!out.empty()) out += '\n';
    out += d.ToString();
  }
  return out;
}

}  // namespace mamori
