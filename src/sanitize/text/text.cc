// Text and CSV (3(2)① ウ): any charset Japanese files use is converted to
// UTF-8; control characters other than tab and line breaks are removed; CSV
// is parsed, cells a spreadsheet would run as a formula are neutralized, and
// it is written again (UTF-8 with BOM, so that Excel on the LGWAN side opens
// it correctly).
#include <string>

#include "common/charset.h"
#include "sanitize/formats.h"
#include "tabular/csv.h"

namespace mamori::sanitize {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The charset, in the order that is least likely to be wrong: a BOM, valid
// UTF-8, ISO-2022-JP (7-bit with escapes), then CP932 (Windows) and EUC-JP.
bool ToUtf8(std::string_view input, std::string* output, std::string* charset) {
  if (input.starts_with(kBom)) input.remove_prefix(kBom.size());
  if (input.starts_with("\xFF\xFE") || input.starts_with("\xFE\xFF")) {
    *charset = "UTF-16";
    return ConvertToUtf8(input, "UTF-16", output);
  }
  if (IsValidUtf8(input)) {
    *charset = input.find('\x1B') != std::string_view::npos ? "ISO-2022-JP" : "UTF-8";
    if (*charset == "UTF-8") {
      *output = std::string(input);
      return true;
    }
  }
  for (const char* candidate : {"ISO-2022-JP", "CP932", "EUC-JP"}) {
    if (std::string_view(candidate) == "ISO-2022-JP" &&
        input.find("\x1B$") == std::string_view::npos) {
      continue;
    }
    if (ConvertToUtf8(input, candidate, output)) {
      *charset = candidate;
      return true;
    }
  }
  return false;
}

// A cell Excel would evaluate: starts with = + - @ (or TAB/CR, which Excel
// skips before them), unless it is a plain number such as "-5" or "+3.5".
bool LooksLikeFormula(std::string_view cell) {
  if (cell.empty()) return false;
  if (std::string_view("=+-@\t\r").find(cell.front()) == std::string_view::npos) return false;
  if (cell.front() == '-' || cell.front() == '+') {
    std::string_view rest = cell.substr(1);
    bool digits = !rest.empty();
    bool dot = false;
    for (const char c : rest) {
      if (c == '.' && !dot) {
        dot = true;
      } else if (c < '0' || c > '9') {
        digits = false;
      }
    }
    if (digits) return false;
  }
  return true;
}

}  // namespace

FormatResult SanitizeText(std::string_view input, FileType type, Context& context) {
  if (auto reason = context.ChargeExpanded(input.size()); reason != Reason::kNone) {
    return Refuse(reason, "text larger than the expansion budget");
  }
  std::string text;
  std::string charset;
  if (!ToUtf8(input, &text, &charset)) {
    return Refuse(Reason::kMalformed,
                  "text in no known charset (UTF-8, ISO-2022-JP, CP932, EUC-JP, UTF-16)");
  }
  FormatResult result;
  if (charset != "UTF-8") {
    result.notes_ja.push_back("文字コードを " + charset + " から UTF-8 に変換しました");
  }
  std::string clean;
  clean.reserve(text.size());
  int removed = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n' && c != '\r' && c != '\t') || byte == 0x7F) {
      ++removed;
      continue;
    }
    clean += c;
  }
  if (removed > 0) result.Remove("text", "control_characters", removed);
  // Nothing left (a byte-order mark alone, only control characters): refused
  // like an empty file, never passed on as an empty "clean" one.
  if (clean.empty()) {
    return Refuse(Reason::kMalformed,
                  "text with no content (only a byte-order mark or control characters)");
  }

  if (type == FileType::kCsv) {
    auto table = tabular::ReadCsv(clean, "csv");
    if (!table.Ok()) {
      return Refuse(Reason::kMalformed, "CSV: " + table.Err().Headline().message_en);
    }
    int neutralized = 0;
    for (auto& row : table->rows) {
      for (auto& cell : row) {
        if (LooksLikeFormula(cell)) {
          cell.insert(cell.begin(), '\'');
          ++neutralized;
        }
      }
    }
    for (auto& cell : table->header) {
      if (LooksLikeFormula(cell)) {
        cell.insert(cell.begin(), '\'');
        ++neutralized;
      }
    }
    if (neutralized > 0) {
      result.Remove("cells", "formula", neutralized);
      result.notes_ja.push_back("数式として実行されうるセル " + std::to_string(neutralized) +
                                " 件の先頭に ' を付けました");
    }
    auto csv = tabular::WriteCsv(*table, tabular::SourceEncoding::kUtf8Bom,
                                 tabular::FormulaGuard::kNone);
    if (!csv.Ok()) return Refuse(Reason::kMalformed, "CSV: " + csv.Err().Headline().message_en);
    result.output = std::move(csv).Value();
    return result;
  }
  result.output = std::move(clean);
  return result;
}

}  // namespace mamori::sanitize
