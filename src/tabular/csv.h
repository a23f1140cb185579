// Reading and writing registers as CSV files the way Excel makes and opens
// them (RFC 4180 with CRLF; UTF-8 with a BOM or Shift_JIS/CP932).
//
// Tokenizing is libcsv's (strict mode); charset conversion is glibc iconv.
// Thread safety: no shared state; safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "tabular/table.h"

namespace mamori::tabular {

// Reads a CSV file: the first record is the header.
//
// Encoding: a UTF-8 BOM means UTF-8; otherwise valid UTF-8 is UTF-8; otherwise
// the bytes are decoded as CP932. Bytes valid in none of these are an error
// naming the line. `detected`, when given, receives the encoding used.
//
// Strict: a record whose number of fields differs from the header's, a quote
// inside an unquoted field, text after a closing quote, an unterminated quoted
// field, an empty or repeated header name, or a NUL byte is an error naming
// the line. Blank lines are skipped wherever they are (libcsv does so), so a
// one-column table must write an empty value as "". Spaces are kept.
// Cells are returned as written: a leading apostrophe added by WriteCsv's
// formula guard is not removed (it may be the user's own).
//
// Errors: kInvalidArgument (malformed input), kLimitExceeded (`limits`).
// Every diagnostic's Where is {source_name, line, column name or ""}.
Result<Table> ReadCsv(std::string_view bytes, std::string_view source_name,
                      SourceEncoding* detected = nullptr);
Result<Table> ReadCsv(std::string_view bytes, std::string_view source_name, const Limits& limits,
                      SourceEncoding* detected = nullptr);

// What WriteCsv does with cells a spreadsheet would run as formulas.
enum class FormulaGuard {
  // A cell starting with = + - @ TAB or CR gets a leading apostrophe ' so
  // that Excel / LibreOffice show it as text instead of evaluating it (CSV
  // injection, OWASP). Note that this also applies to negative numbers such
  // as "-5", which then read back as "'-5".
  kPrefixApostrophe,
  // Cells are written unchanged: only for files read by programs.
  kNone,
};

// Writes `table` as CSV: every field quoted (libcsv csv_write, RFC 4180),
// records ended by CRLF, the header first. kUtf8Bom (the default) lets Excel
// open Japanese text correctly; kShiftJis writes CP932 for older tools.
//
// Errors: kInvalidArgument if the table breaks its invariants (a row of the
// wrong width) or, for kShiftJis, a character has no CP932 form (Where names
// the record number, 1 = header, and the column).
Result<std::string> WriteCsv(const Table& table, SourceEncoding encoding = SourceEncoding::kUtf8Bom,
                             FormulaGuard guard = FormulaGuard::kPrefixApostrophe);

}  // namespace mamori::tabular
