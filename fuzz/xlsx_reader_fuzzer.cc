// Fuzzes the XLSX reader (libzip + pugixml underneath): any input must give
// either a clear error or a Table that keeps its invariants; small tables
// must also survive a write / read round trip through libxlsxwriter.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tabular/xlsx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  mamori::tabular::Limits limits;
  limits.max_part_bytes = std::size_t{4} << 20;  // keep each run fast and small
  limits.max_total_part_bytes = std::size_t{16} << 20;
  limits.max_cells = 100'000;
  auto table = mamori::tabular::ReadXlsx(bytes, "fuzz.xlsx", limits);
  if (!table.Ok()) {
    (void)table.Err().ToString();
    return 0;
  }
  if (table->rows.size() != table->row_lines.size()) std::abort();
  for (const auto& row : table->rows) {
    if (row.size() != table->header.size()) std::abort();
  }
  if (table->header.size() * (table->rows.size() + 1) > 200) return 0;
  auto written = mamori::tabular::WriteXlsx(*table, "fuzz");
  if (!written.Ok()) return 0;  // e.g. a decoded _x0000_ (NUL) cannot be written
  auto again = mamori::tabular::ReadXlsx(*written, "again.xlsx");
  if (!again.Ok() || again->header != table->header || again->rows != table->rows) std::abort();
  return 0;
}
