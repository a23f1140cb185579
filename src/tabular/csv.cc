#include "tabular/csv.h"

#include <csv.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/charset.h"

namespace mamori::tabular {
namespace {

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

Error InputError(std::string_view source, int line, std::string key, std::string ja, std::string en,
                 ErrorCode code = ErrorCode::kInvalidArgument) {
  return Error(code, std::move(ja), std::move(en),
               Where{std::string(source), line, std::move(key)});
}

// 1-based line of byte `offset` in `text`.
int LineAt(std::string_view text, std::size_t offset) {
  const std::string_view prefix = text.substr(0, offset);
  std::size_t count = 1;
  for (const char c : prefix) count += c == '\n' ? 1 : 0;
  return static_cast<int>(count);
}

// Decodes `bytes` to UTF-8, choosing the encoding as ReadCsv documents.
Result<std::string> Decode(std::string_view bytes, std::string_view source,
                           SourceEncoding* encoding) {
  if (bytes.substr(0, kUtf8ByteOrderMark.size()) == kUtf8ByteOrderMark) {
    const std::string_view body = bytes.substr(kUtf8ByteOrderMark.size());
    const std::size_t valid = ValidUtf8Prefix(body);
    if (valid != body.size()) {
      return InputError(
          source, LineAt(body, valid), "",
          "UTF-8 の BOM で始まっていますが、この行に UTF-8 として正しくないバイトがあります",
          "the file starts with a UTF-8 byte order mark but this line has bytes "
          "that are not valid UTF-8");
    }
    *encoding = SourceEncoding::kUtf8Bom;
    return std::string(body);
  }
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    return InputError(source, 1, "",
                      "UTF-16（Excel の「Unicode テキスト」）には対応していません。"
                      "「CSV UTF-8」として保存し直してください",
                      "UTF-16 (Excel's \"Unicode Text\") is not supported; save the file "
                      "again as \"CSV UTF-8\"");
  }
  const std::size_t valid = ValidUtf8Prefix(bytes);
  if (valid == bytes.size()) {
    *encoding = SourceEncoding::kUtf8;
    return std::string(bytes);
  }
  MAMORI_TRY(Converter converter, Converter::Create("UTF-8", "CP932"));
  std::string text;
  std::size_t failed_at = 0;
  if (!converter.Convert(bytes, &text, &failed_at)) {
    return InputError(
        source, LineAt(bytes, std::max(valid, failed_at)), "",
        "文字コードを判別できません。UTF-8 としても Shift_JIS (CP932) としても正しくない"
        "バイトがこの行にあります。Excel で「CSV UTF-8」として保存し直してください",
        "unknown character encoding: this line has bytes that are valid neither as "
        "UTF-8 nor as Shift_JIS (CP932); save the file again as \"CSV UTF-8\"");
  }
  *encoding = SourceEncoding::kShiftJis;
  return text;
}

std::string ColumnNumber(std::size_t index) { return "列 " + std::to_string(index + 1); }

// State shared with libcsv's callbacks. libcsv cannot be stopped from a
// callback, so the first error is kept and later callbacks do nothing.
struct ParseState {
  std::string_view source;
  const Limits* limits = nullptr;
  int line = 0;                        // the line being fed to csv_parse
  std::size_t line_end = 0;            // offset just after that line
  std::size_t next_record_offset = 0;  // where the text after the last record starts
  int next_record_line = 1;
  Table table;
  bool have_header = false;
  std::vector<std::string> row;
  std::size_t newlines_in_row = 0;
  std::size_t cells = 0;
  std::unique_ptr<Error> error;

  std::string ColumnName(std::size_t index) const {
    return have_header && index < table.header.size() ? table.header[index] : ColumnNumber(index);
  }
  void Fail(Error e) {
    if (!error) error = std::make_unique<Error>(std::move(e));
  }
  int RowStartLine() const { return line - static_cast<int>(newlines_in_row); }
};

void OnField(void* data, std::size_t length, void* context) {
  auto* state = static_cast<ParseState*>(context);
  if (state->error) return;
  const std::string_view field(length == 0 ? "" : static_cast<const char*>(data), length);
  const std::size_t index = state->row.size();
  if (index >= state->limits->max_columns) {
    state->Fail(
        InputError(state->source, state->RowStartLine(), "",
                   "列が多すぎます（上限 " + std::to_string(state->limits->max_columns) + " 列）",
                   "too many columns (limit " + std::to_string(state->limits->max_columns) + ")",
                   ErrorCode::kLimitExceeded));
    return;
  }
  if (field.size() > state->limits->max_cell_bytes) {
    state->Fail(InputError(
        state->source, state->RowStartLine(), state->ColumnName(index),
        "セルが大きすぎます（上限 " + std::to_string(state->limits->max_cell_bytes) + " バイト）",
        "cell too large (limit " + std::to_string(state->limits->max_cell_bytes) + " bytes)",
        ErrorCode::kLimitExceeded));
    return;
  }
  if (field.find('\0') != std::string_view::npos) {
    state->Fail(InputError(state->source, state->RowStartLine(), state->ColumnName(index),
                           "NUL 文字が含まれています", "the cell contains a NUL character"));
    return;
  }
  for (const char c : field) state->newlines_in_row += c == '\n' ? 1 : 0;
  state->row.emplace_back(field);
}

void OnRecordEnd(int /*terminator*/, void* context) {
  auto* state = static_cast<ParseState*>(context);
  if (state->error) return;
  const int line = state->RowStartLine();
  state->next_record_offset = state->line_end;
  state->next_record_line = state->line + 1;
  std::vector<std::string> row = std::move(state->row);
  state->row.clear();
  state->newlines_in_row = 0;
  if (!state->have_header) {
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (row[i].empty()) {
        state->Fail(InputError(state->source, line, ColumnNumber(i),
                               "見出し行の " + std::to_string(i + 1) + " 列目の列名が空です",
                               "header column " + std::to_string(i + 1) + " has no name"));
        return;
      }
      if (!seen.insert(row[i]).second) {
        state->Fail(InputError(state->source, line, row[i],
                               "見出し行に列名「" + row[i] + "」が重複しています",
                               "header column name \"" + row[i] + "\" appears twice"));
        return;
      }
    }
    state->table.header = std::move(row);
    state->table.header_line = line;
    state->have_header = true;
    return;
  }
  const std::size_t width = state->table.header.size();
  if (row.size() != width) {
    state->Fail(InputError(state->source, line, "",
                           "列の数が見出し行と違います（見出し " + std::to_string(width) +
                               " 列、この行 " + std::to_string(row.size()) + " 列）",
                           "this record has " + std::to_string(row.size()) +
                               " fields but the header has " + std::to_string(width)));
    return;
  }
  state->cells += width;
  if (state->table.rows.size() >= state->limits->max_rows ||
      state->cells > state->limits->max_cells) {
    state->Fail(InputError(state->source, line, "",
                           "行が多すぎます（上限 " + std::to_string(state->limits->max_rows) +
                               " 行、" + std::to_string(state->limits->max_cells) + " セル）",
                           "too many rows (limit " + std::to_string(state->limits->max_rows) +
                               " rows, " + std::to_string(state->limits->max_cells) + " cells)",
                           ErrorCode::kLimitExceeded));
    return;
  }
  state->table.rows.push_back(std::move(row));
  state->table.row_lines.push_back(line);
}

int NeverSpace(unsigned char /*c*/) { return 0; }  // keep spaces, as Excel does

// RAII over a libcsv parser.
class CsvParser {
 public:
  CsvParser() = default;
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;
  ~CsvParser() {
    if (initialized_) csv_free(&parser_);
  }
  bool Init() {
    initialized_ = csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI) == 0;
    if (initialized_) csv_set_space_func(&parser_, NeverSpace);
    return initialized_;
  }
  csv_parser* Get() { return &parser_; }

 private:
  csv_parser parser_{};
  bool initialized_ = false;
};

Error SyntaxError(std::string_view source, int line, int code) {
  if (code == CSV_EPARSE) {
    return InputError(source, line, "",
                      "引用符 \" の使い方が正しくありません（引用符で囲まれていない値の中の \"、"
                      "閉じ引用符の後の文字、または閉じられていない引用符）",
                      "misplaced quote: a \" inside an unquoted field, text after a closing "
                      "quote, or a quoted field that never ends");
  }
  return InputError(source, line, "", "CSV を読めませんでした（メモリ不足）",
                    std::string("could not parse the CSV: ") + csv_strerror(code),
                    ErrorCode::kLimitExceeded);
}

}  // namespace

Result<Table> ReadCsv(std::string_view bytes, std::string_view source_name,
                      SourceEncoding* detected) {
  return ReadCsv(bytes, source_name, Limits{}, detected);
}

Result<Table> ReadCsv(std::string_view bytes, std::string_view source_name, const Limits& limits,
                      SourceEncoding* detected) {
  if (bytes.size() > limits.max_input_bytes) {
    return InputError(
        source_name, 0, "",
        "ファイルが大きすぎます（上限 " + std::to_string(limits.max_input_bytes) + " バイト）",
        "file too large (limit " + std::to_string(limits.max_input_bytes) + " bytes)",
        ErrorCode::kLimitExceeded);
  }
  SourceEncoding encoding = SourceEncoding::kUtf8;
  MAMORI_TRY(const std::string text, Decode(bytes, source_name, &encoding));
  if (detected != nullptr) *detected = encoding;

  CsvParser parser;
  if (!parser.Init()) {
    return Error(ErrorCode::kInternal, "CSV パーサを初期化できません",
                 "could not initialize libcsv");
  }
  ParseState state;
  state.source = source_name;
  state.limits = &limits;
  // Fed one line at a time so that every callback knows its line number.
  std::size_t start = 0;
  while (start < text.size() && !state.error) {
    std::size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    ++state.line;
    state.line_end = end;
    const std::size_t length = end - start;
    if (csv_parse(parser.Get(), text.data() + start, length, OnField, OnRecordEnd, &state) !=
        length) {
      return SyntaxError(source_name, state.line, csv_error(parser.Get()));
    }
    start = end;
  }
  if (!state.error && csv_fini(parser.Get(), OnField, OnRecordEnd, &state) != 0) {
    // An unterminated quoted field: name the line where its record starts,
    // the first non-blank line after the last complete record.
    int line = state.next_record_line;
    for (std::size_t i = state.next_record_offset;
         i < text.size() && (text[i] == '\r' || text[i] == '\n'); ++i) {
      line += text[i] == '\n' ? 1 : 0;
    }
    return SyntaxError(source_name, line, csv_error(parser.Get()));
  }
  if (state.error) return std::move(*state.error);
  if (!state.have_header) {
    return InputError(source_name, 0, "", "見出し行がありません（空のファイルです）",
                      "the file is empty: there is no header row");
  }
  return std::move(state.table);
}

namespace {

bool NeedsFormulaGuard(std::string_view cell) {
  if (cell.empty()) return false;
  switch (cell.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return true;
    default:
      return false;
  }
}

// Appends `cell` quoted by libcsv (RFC 4180: "…" with "" for a quote).
void AppendQuoted(std::string_view cell, std::string* out) {
  const std::size_t size = csv_write(nullptr, 0, cell.data(), cell.size());
  const std::size_t old_size = out->size();
  out->resize(old_size + size);
  csv_write(out->data() + old_size, size, cell.data(), cell.size());
}

}  // namespace

Result<std::string> WriteCsv(const Table& table, SourceEncoding encoding, FormulaGuard guard) {
  std::optional<Converter> converter;
  if (encoding == SourceEncoding::kShiftJis) {
    MAMORI_TRY(Converter created, Converter::Create("CP932", "UTF-8"));
    converter.emplace(std::move(created));
  }
  std::string out;
  if (encoding == SourceEncoding::kUtf8Bom) out += kUtf8ByteOrderMark;
  std::string guarded;
  std::string converted;
  const auto append_record = [&](const std::vector<std::string>& record,
                                 int record_number) -> Status {
    if (record.size() != table.header.size()) {
      return Error(ErrorCode::kInvalidArgument,
                   "表の " + std::to_string(record_number) + " 行目の列数が見出しと違います",
                   "table record " + std::to_string(record_number) + " has " +
                       std::to_string(record.size()) + " cells but the header has " +
                       std::to_string(table.header.size()),
                   Where{"", record_number, ""});
    }
    for (std::size_t i = 0; i < record.size(); ++i) {
      std::string_view cell = record[i];
      if (guard == FormulaGuard::kPrefixApostrophe && NeedsFormulaGuard(cell)) {
        guarded = "'";
        guarded += cell;
        cell = guarded;
      }
      if (converter) {
        std::size_t failed_at = 0;
        if (!converter->Convert(cell, &converted, &failed_at)) {
          return Error(ErrorCode::kInvalidArgument,
                       "Shift_JIS (CP932) で表せない文字があります。UTF-8 で書き出してください",
                       "a character has no Shift_JIS (CP932) form; export as UTF-8 instead",
                       Where{"", record_number, table.header[i]});
        }
        cell = converted;
      }
      if (i > 0) out += ',';
      AppendQuoted(cell, &out);
    }
    out += "\r\n";
    return OkStatus();
  };
  MAMORI_TRY_STATUS(append_record(table.header, 1));
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    MAMORI_TRY_STATUS(append_record(table.rows[r], static_cast<int>(r) + 2));
  }
  return out;
}

}  // namespace mamori::tabular
