// Fuzzes the CSV reader: any input must give either a clear error or a Table
// that keeps its invariants and survives a write / read round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tabular/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mamori::tabular::FormulaGuard;
  using mamori::tabular::SourceEncoding;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto table = mamori::tabular::ReadCsv(bytes, "fuzz.csv");
  if (!table.Ok()) {
    (void)table.Err().ToString();
    return 0;
  }
  if (table->rows.size() != table->row_lines.size()) std::abort();
  for (const auto& row : table->rows) {
    if (row.size() != table->header.size()) std::abort();
  }
  // UTF-8 with a BOM and no formula guard must read back exactly.
  auto written = mamori::tabular::WriteCsv(*table, SourceEncoding::kUtf8Bom, FormulaGuard::kNone);
  if (!written.Ok()) std::abort();
  auto again = mamori::tabular::ReadCsv(*written, "again.csv");
  if (!again.Ok() || again->header != table->header || again->rows != table->rows) std::abort();
  // Shift_JIS may refuse characters; either outcome is fine.
  (void)mamori::tabular::WriteCsv(*table, SourceEncoding::kShiftJis);
  return 0;
}
