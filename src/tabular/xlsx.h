// Reading and writing registers as Excel workbooks (.xlsx, Office Open XML).
//
// Writing uses libxlsxwriter; reading uses libzip and pugixml. The reader
// treats the file as hostile: it refuses any XML part with a DOCTYPE (pugixml
// never resolves entities or DTDs anyway), caps every part's uncompressed size
// and their total while reading (the sizes in the zip directory are checked
// but never trusted), and bounds the size of the Table it builds.
//
// Thread safety: no shared state; safe to call concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "tabular/table.h"

namespace mamori::tabular {

// Writes `table` as a workbook with one sheet named `sheet_name`: the header
// row bold and frozen, every cell a string (never a formula, so "=1+1" stays
// text). Empty cells are left blank. Returns the .xlsx bytes.
//
// libxlsxwriter 1.1.4 writes only to files, so this uses a private temporary
// directory under std::filesystem::temp_directory_path(), removed afterwards.
//
// Errors: kInvalidArgument (a row of the wrong width, a cell with a NUL or more
// than 32,767 characters, too many rows or columns for Excel, an invalid sheet
// name), kIo (the temporary directory), kInternal (libxlsxwriter failed).
Result<std::string> WriteXlsx(const Table& table, std::string_view sheet_name);

// A workbook of several sheets, in order, each as above (a report: its
// summary, its findings, its warnings). Errors as above, naming the sheet;
// also kInvalidArgument for no sheet or two sheets of one name.
struct Sheet {
  std::string name;
  Table table;
};
Result<std::string> WriteXlsx(const std::vector<Sheet>& sheets);

// Reads the first sheet of a workbook (the first <sheet> of xl/workbook.xml,
// found through xl/_rels/workbook.xml.rels). The first row with any non-empty
// cell is the header; rows with only empty cells are skipped; cells are placed
// by their reference ("B3"), missing cells are empty. row_lines holds Excel
// row numbers.
//
// Cell values: shared and inline strings (rich text runs joined; phonetic
// guides <rPh> left out; _xHHHH_ escapes decoded), the cached value of a
// formula (never the formula), booleans as TRUE/FALSE, numbers as Excel
// stores them ("3", "0.1", "1E-3"; a writer's "3.0" becomes "3"). Dates are
// out of scope: a date cell reads as its serial number.
//
// Errors: kInvalidArgument (not a zip, not a workbook, malformed XML, a DOCTYPE,
// a bad cell reference, a non-empty cell right of the header, an empty or
// repeated header name), kLimitExceeded (`limits`). Where is {source_name,
// Excel row, cell reference} for cells and {source_name, 0, part name} for parts.
Result<Table> ReadXlsx(std::string_view bytes, std::string_view source_name);
Result<Table> ReadXlsx(std::string_view bytes, std::string_view source_name, const Limits& limits);

}  // namespace mamori::tabular
