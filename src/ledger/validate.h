// Input checks shared by the registers and workflows (6.3(5) 入力データの
// 正確性の確保): every error names the field and says why, in Japanese and
// English, before anything is written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mamori::ledger {

inline constexpr std::size_t kMaxName = 200;    // bytes of a name or title
inline constexpr std::size_t kMaxCode = 64;     // bytes of a code or id
inline constexpr std::size_t kMaxText = 20000;  // bytes of free text (comments, descriptions)

Error FieldError(std::string_view field, std::string ja, std::string en);

// Non-empty (unless `optional`), at most `max_bytes`, valid UTF-8, no control
// characters (free text may hold newlines and tabs when `multiline`).
Status CheckText(std::string_view value, std::string_view field, std::size_t max_bytes,
                 bool optional = false, bool multiline = false);
// Letters, digits, '-', '_', '.', at most kMaxCode bytes.
Status CheckCode(std::string_view value, std::string_view field);
// YYYY-MM-DD (empty allowed when `optional`).
Status CheckDate(std::string_view value, std::string_view field, bool optional = false);
// One of `allowed`; the error lists them.
Status CheckOneOf(std::string_view value, std::string_view field,
                  const std::vector<std::string>& allowed);

// Several checks at once: collects every failure into one Error.
class Checks {
 public:
  Checks& Add(const Status& status);
  Status Done() const;

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace mamori::ledger
