#include "common/toml_text.h"

namespace mamori {

int LineOfNonAsciiOutsideStrings(std::string_view text) {
  enum class State { kNormal, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  constexpr std::string_view kMultiBasicQuote = "\"\"\"";
  constexpr std::string_view kMultiLiteralQuote = "'''";
  State state = State::kNormal;
  int line = 1;
  auto starts = [&](std::size_t i, std::string_view token) {
    return text.compare(i, token.size(), token) == 0;
  };
  auto skip_escape = [&](std::size_t& i) {
    if (i + 1 < text.size() && text[i + 1] != '\n') ++i;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      if (state == State::kComment || state == State::kBasic || state == State::kLiteral) {
        state = State::kNormal;  // single-line constructs end here (toml++ reports errors)
      }
      continue;
    }
    switch (state) {
      case State::kNormal:
        if (static_cast<unsigned char>(c) >= 0x80) return line;
        if (c == '#') {
          state = State::kComment;
        } else if (starts(i, kMultiBasicQuote)) {
          state = State::kMultiBasic;
          i += 2;
        } else if (starts(i, kMultiLiteralQuote)) {
          state = State::kMultiLiteral;
          i += 2;
        } else if (c == '"') {
          state = State::kBasic;
        } else if (c == '\'') {
          state = State::kLiteral;
        }
        break;
      case State::kComment:
        break;
      case State::kBasic:
        if (c == '\\') {
          skip_escape(i);
        } else if (c == '"') {
          state = State::kNormal;
        }
        break;
      case State::kLiteral:
        if (c == '\'') state = State::kNormal;
        break;
      case State::kMultiBasic:
        if (c == '\\') {
          skip_escape(i);
        } else if (starts(i, kMultiBasicQuote)) {
          state = State::kNormal;
          i += 2;
        }
        break;
      case State::kMultiLiteral:
        if (starts(i, kMultiLiteralQuote)) {
          state = State::kNormal;
          i += 2;
        }
        break;
    }
  }
  return 0;
}

}  // namespace mamori
