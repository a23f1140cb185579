// Import and export of the registers as the tables municipal staff keep in
// Excel: CSV (UTF-8, UTF-8 with BOM, Shift_JIS/CP932 — as Excel writes them)
// and XLSX, through src/tabular/.
//
// Headers are the Japanese labels of the columns (spec.h Columns(); the
// English ids are accepted too). Computed columns (実効 levels, the 8.1(2)
// checklist) are written on export and ignored on import. Besides every
// register of spec.h, "person" (職員等) imports and exports people.
//
// An import is all or nothing: every row is checked first and any bad row
// makes the import write NOTHING; the error lists every bad cell with
// Where{file, line or Excel row, column header as written}. A good file is
// written in one Ledger::Change: one audit event per record plus one
// "<register>.import" event naming the file.
//
// Thread safety: as Ledger.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "ledger/ledger.h"
#include "ledger/registers/registers.h"
#include "tabular/table.h"

namespace mamori::ledger::registers {

inline constexpr std::string_view kPeopleRegister = "person";

enum class FileFormat { kCsv, kXlsx };

enum class ImportMode {
  kAddOnly,      // a code that exists is an error
  kAddOrUpdate,  // a code that exists updates that record (columns in the file only)
};

struct ImportReport {
  int added = 0;
  int updated = 0;
};

// .xlsx by name or by its zip signature; otherwise CSV.
FileFormat FormatOf(std::string_view file_name, std::string_view bytes);

// Which records an export holds (e.g. the sections a manager may read);
// empty: all. The people register ignores it.
using RecordFilter = std::function<bool(const Record&)>;

// The register (in use records) as a table: the Japanese labels as header,
// values as people read them (はい/いいえ, titles of enums and segments).
Result<tabular::Table> ExportTable(Ledger& ledger, std::string_view register_id,
                                   const RecordFilter& keep = {});
// The table as file bytes: XLSX, or CSV in `encoding` (UTF-8 with BOM by
// default, which Excel opens correctly).
Result<std::string> ExportFile(
    Ledger& ledger, std::string_view register_id, FileFormat format,
    tabular::SourceEncoding encoding = tabular::SourceEncoding::kUtf8Bom,
    const RecordFilter& keep = {});

// Imports `table` (read from `source_name`) into the register. `guard`
// (registers.h) is asked for every row with the row as it would be written:
// may_change for a code that exists (before the row is checked, so that a
// refused row reveals nothing of that record), may_write for the checked,
// canonical row. When it refuses any row the import writes nothing and the
// error lists only the refused rows (line and code column, no contents of
// the existing record); its headline's Where.key is "actor" (the caller may
// not do this, as for every refusal of the ledger).
Result<ImportReport> ImportTable(Ledger& ledger, const std::string& actor,
                                 std::string_view register_id, const tabular::Table& table,
                                 std::string_view source_name, ImportMode mode,
                                 const WriteGuard& guard = {});
// Reads `bytes` (CSV or XLSX, see FormatOf, within `limits`) and imports them.
Result<ImportReport> ImportFile(Ledger& ledger, const std::string& actor,
                                std::string_view register_id, std::string_view bytes,
                                std::string_view file_name, ImportMode mode,
                                const WriteGuard& guard = {},
                                const tabular::Limits& limits = {});

}  // namespace mamori::ledger::registers
