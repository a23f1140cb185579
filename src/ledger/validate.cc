#include "ledger/validate.h"

#include "common/clock.h"

namespace mamori::ledger {
namespace {

// Length of the UTF-8 sequence starting at text[i], or 0 when invalid.
std::size_t Utf8Length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto byte = static_cast<unsigned char>(text[i + k]);
    if ((byte & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte & 0x3Fu);
  }
  const bool overlong = (length == 2 && code < 0x80) || (length == 3 && code < 0x800) ||
                        (length == 4 && code < 0x10000);
  if (overlong || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

}  // namespace

Error FieldError(std::string_view field, std::string ja, std::string en) {
  return Error(ErrorCode::kInvalidArgument, std::move(ja), std::move(en),
               {"", 0, std::string(field)});
}

Status CheckText(std::string_view value, std::string_view field, std::size_t max_bytes,
                 bool optional, bool multiline) {
  if (value.empty()) {
    if (optional) return OkStatus();
    return FieldError(field, "必須項目です（空にはできません）", "required (must not be empty)");
  }
  if (value.size() > max_bytes) {
    return FieldError(field, "長すぎます（上限 " + std::to_string(max_bytes) + " バイト）",
                      "too long (limit " + std::to_string(max_bytes) + " bytes)");
  }
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t length = Utf8Length(value, i);
    if (length == 0) {
      return FieldError(field, "UTF-8 として正しくない文字を含みます",
                        "contains bytes that are not valid UTF-8");
    }
    const auto byte = static_cast<unsigned char>(value[i]);
    const bool allowed_space = multiline && (byte == '\n' || byte == '\t' || byte == '\r');
    if (length == 1 && (byte < 0x20 || byte == 0x7F) && !allowed_space) {
      return FieldError(field, "制御文字は使用できません", "control characters are not allowed");
    }
    i += length;
  }
  return OkStatus();
}

Status CheckCode(std::string_view value, std::string_view field) {
  MAMORI_TRY_STATUS(CheckText(value, field, kMaxCode));
  for (const char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return FieldError(field, "英数字と - _ . のみ使用できます: \"" + std::string(value) + "\"",
                        "only letters, digits, '-', '_' and '.' are allowed: \"" +
                            std::string(value) + "\"");
    }
  }
  return OkStatus();
}

Status CheckDate(std::string_view value, std::string_view field, bool optional) {
  if (value.empty() && optional) return OkStatus();
  MAMORI_TRY(const auto date, ParseDate(value, field));
  (void)date;
  return OkStatus();
}

Status CheckOneOf(std::string_view value, std::string_view field,
                  const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& item : allowed) {
    if (item == value) return OkStatus();
    list += (list.empty() ? "" : ", ") + item;
  }
  return FieldError(field, "\"" + std::string(value) + "\" は使用できません（" + list + " のいずれか）",
                    "\"" + std::string(value) + "\" is not one of: " + list);
}

Checks& Checks::Add(const Status& status) {
  if (!status.Ok()) {
    for (const auto& diagnostic : status.Err().Diagnostics()) diagnostics_.push_back(diagnostic);
  }
  return *this;
}

Status Checks::Done() const {
  if (diagnostics_.empty()) return OkStatus();
  return Error(ErrorCode::kInvalidArgument, diagnostics_);
}

}  // namespace mamori::ledger
