// Table: a register as Excel users make it — one header row of column names,
// then data rows — read from or written to CSV (csv.h) and XLSX (xlsx.h).
//
// Invariants (every reader guarantees them; the writers check the row widths):
//   - all cells are UTF-8;
//   - header names are non-empty and distinct;
//   - every row has exactly header.size() cells;
//   - row_lines.size() == rows.size(); row_lines[i] is the 1-based line (CSV)
//     or Excel row number (XLSX) where rows[i] starts in the source, so that
//     callers can point users at the place in their own file.
//
// Dates are out of scope: the readers return what the file holds (an XLSX
// date cell comes back as its serial number). Registers should keep date
// columns as text in yyyy-mm-dd form.
//
// Thread safety: plain values; the functions in this folder keep no state
// and may be called concurrently.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mamori::tabular {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_lines;
  int header_line = 0;  // where the header row is in the source (0 = unknown)
};

// The character encoding of a CSV file. Excel on Japanese Windows saves
// "CSV (コンマ区切り)" as Shift_JIS (really CP932) and "CSV UTF-8" with a BOM.
enum class SourceEncoding {
  kUtf8,     // UTF-8 without a byte order mark
  kUtf8Bom,  // UTF-8 starting with EF BB BF
  kShiftJis  // CP932 (Shift_JIS with the Microsoft extensions: ①, ㈱, 髙 …)
};

// Limits on untrusted input (qpdf / cpp-httplib style named limits). The
// defaults are far above any municipal register and keep memory bounded.
struct Limits {
  std::size_t max_input_bytes = std::size_t{64} << 20;        // a CSV or XLSX file
  std::size_t max_part_bytes = std::size_t{64} << 20;         // one uncompressed XLSX part
  std::size_t max_total_part_bytes = std::size_t{256} << 20;  // all parts read
  std::size_t max_columns = 1024;
  std::size_t max_rows = 1'048'576;      // Excel's own limit
  std::size_t max_cells = 4'000'000;     // rows × columns, bounds the memory of a Table
  std::size_t max_cell_bytes = 131'072;  // Excel holds 32,767 characters per cell
};

}  // namespace mamori::tabular
