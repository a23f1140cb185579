#include "ledger/validate.h"

#include "common/charset.h"
#include "common/clock.h"

namespace mamori::ledger {

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
  if (!IsValidUtf8(value)) {
    return FieldError(field, "UTF-8 として正しくない文字を含みます",
                      "contains bytes that are not valid UTF-8");
  }
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    const bool allowed_space = multiline && (byte == '\n' || byte == '\t' || byte == '\r');
    if ((byte < 0x20 || byte == 0x7F) && !allowed_space) {
      return FieldError(field, "制御文字は使用できません", "control characters are not allowed");
    }
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
