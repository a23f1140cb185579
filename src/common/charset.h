// Character sets: UTF-8 validation and conversion between the encodings
// Japanese files and mail use (glibc iconv: UTF-8, CP932 for Shift_JIS,
// EUC-JP, ISO-2022-JP, UTF-16).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mamori {

// The length of the longest prefix of `text` that is valid UTF-8 (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t ValidUtf8Prefix(std::string_view text);
inline bool IsValidUtf8(std::string_view text) { return ValidUtf8Prefix(text) == text.size(); }

// RAII over an iconv descriptor.
class Converter {
 public:
  // kInternal when iconv does not know the pair.
  static Result<Converter> Create(const char* to, const char* from);
  Converter(Converter&& other) noexcept;
  Converter& operator=(Converter&&) = delete;
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;
  ~Converter();

  // Converts all of `input`. On failure returns false and sets `*failed_at`
  // to the offset in `input` of the first byte that could not be converted.
  bool Convert(std::string_view input, std::string* output, std::size_t* failed_at);

 private:
  explicit Converter(void* handle) : handle_(handle) {}
  void* handle_;
};

// Converts `input` from `from` to UTF-8; false when any byte is invalid.
bool ConvertToUtf8(std::string_view input, const char* from, std::string* output);

}  // namespace mamori
