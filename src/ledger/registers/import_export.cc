#include "ledger/registers/import_export.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ledger/org.h"
#include "ledger/registers/text.h"
#include "ledger/validate.h"
#include "tabular/csv.h"
#include "tabular/xlsx.h"

namespace mamori::ledger::registers {
namespace {

using Json = nlohmann::json;

// The diagnostics of `error` placed at {file, line, header of their column}.
// A register's messages start with the column's label ("重要度: ..."), which
// the header already shows: `labels` (column id → label) drops it.
void Place(const Error& error, std::string_view file, int line,
           const std::map<std::string, std::string>& header_of, std::vector<Diagnostic>& out,
           const std::map<std::string, std::string>& labels = {}) {
  for (auto diagnostic : error.Diagnostics()) {
    auto it = header_of.find(diagnostic.where.key);
    const std::string key = it != header_of.end() ? it->second : diagnostic.where.key;
    if (auto label = labels.find(diagnostic.where.key); label != labels.end()) {
      const std::string prefix = label->second + ": ";
      if (diagnostic.message_ja.rfind(prefix, 0) == 0) {
        diagnostic.message_ja.erase(0, prefix.size());
      }
    }
    diagnostic.where = Where{std::string(file), line, key};
    out.push_back(std::move(diagnostic));
  }
}

// A row the write guard refused, named by its line and code column.
void Deny(const Error& error, std::string_view file, int line, const std::string& code_header,
          std::vector<Diagnostic>& out) {
  for (auto diagnostic : error.Diagnostics()) {
    diagnostic.where = Where{std::string(file), line, code_header};
    out.push_back(std::move(diagnostic));
  }
}

Diagnostic At(std::string_view file, int line, const std::string& key, std::string ja,
              std::string en) {
  return Diagnostic{Where{std::string(file), line, key}, std::move(ja), std::move(en)};
}

Error ImportFailed(std::vector<Diagnostic> diagnostics) {
  // The headline says that nothing was imported; the rest name each cell.
  diagnostics.insert(diagnostics.begin(),
                     Diagnostic{{},
                                "取り込みを中止しました（" + std::to_string(diagnostics.size()) +
                                    " 件の誤り。何も登録していません）",
                                "import refused (" + std::to_string(diagnostics.size()) +
                                    " problems; nothing was imported)"});
  return Error(ErrorCode::kInvalidArgument, std::move(diagnostics));
}

// --- people --------------------------------------------------------------------

struct PeopleColumn {
  std::string_view id;
  std::string_view label_ja;
  bool required;
};
const std::vector<PeopleColumn>& PeopleColumns() {
  static const std::vector<PeopleColumn> kColumns{
      {"code", "職員番号", true},         {"name", "氏名", true},
      {"section", "課室等", true},        {"employment", "任用形態", true},
      {"email", "メールアドレス", false}, {"start_date", "開始日", true},
      {"end_date", "終了日", false}};
  return kColumns;
}

Result<tabular::Table> ExportPeople(Ledger& ledger) {
  tabular::Table table;
  for (const auto& column : PeopleColumns()) table.header.emplace_back(column.label_ja);
  MAMORI_TRY(const auto people, ListPeople(ledger));
  for (const auto& person : people) {
    std::string employment = person.employment;
    for (const auto& [id, title] : EmploymentTypes()) {
      if (id == person.employment) employment = title;
    }
    table.rows.push_back({person.code, person.name, person.section_code, employment, person.email,
                          person.start_date, person.end_date});
    table.row_lines.push_back(static_cast<int>(table.rows.size()) + 1);
  }
  return table;
}

Result<ImportReport> ImportPeople(Ledger& ledger, const std::string& actor,
                                  const tabular::Table& table, std::string_view source) {
  std::vector<Diagnostic> problems;
  std::map<std::string, std::size_t> index;  // column id → cell index
  std::map<std::string, std::string> header_of;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const std::string name(TrimView(table.header[c]));
    const PeopleColumn* found = nullptr;
    for (const auto& column : PeopleColumns()) {
      if (column.id == name || column.label_ja == name) found = &column;
    }
    if (found == nullptr) {
      problems.push_back(At(source, table.header_line, table.header[c],
                            "列「" + name + "」は職員等の台帳にありません",
                            "no column \"" + name + "\" in the people register"));
      continue;
    }
    if (!index.emplace(std::string(found->id), c).second) {
      problems.push_back(At(source, table.header_line, table.header[c], "列が重複しています",
                            "the column appears twice"));
    }
    header_of[std::string(found->id)] = table.header[c];
  }
  for (const auto& column : PeopleColumns()) {
    if (column.required && index.count(std::string(column.id)) == 0) {
      problems.push_back(At(source, table.header_line, std::string(column.label_ja),
                            "必須の列「" + std::string(column.label_ja) + "」がありません",
                            "required column " + std::string(column.id) + " is missing"));
    }
  }
  if (!problems.empty()) return ImportFailed(std::move(problems));

  std::vector<PersonInput> inputs;
  std::map<std::string, int> seen;  // code → line
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const int line = r < table.row_lines.size() ? table.row_lines[r] : 0;
    auto cell = [&](std::string_view id) {
      auto it = index.find(std::string(id));
      return it == index.end() ? std::string() : std::string(TrimView(row.at(it->second)));
    };
    PersonInput input{cell("code"),
                      cell("name"),
                      cell("section"),
                      cell("employment"),
                      cell("email"),
                      NormalizeDate(cell("start_date")),
                      NormalizeDate(cell("end_date"))};
    for (const auto& [id, title] : EmploymentTypes()) {
      if (input.employment == title) input.employment = id;
    }
    std::vector<Diagnostic> row_problems;
    if (auto checked = CheckPersonInput(input); !checked.Ok()) {
      Place(checked.Err(), source, line, header_of, row_problems);
    }
    if (CheckCode(input.section_code, "section").Ok()) {
      if (!FindSection(ledger, input.section_code).Ok()) {
        row_problems.push_back(At(source, line, header_of["section"],
                                  "課室等「" + input.section_code + "」は登録されていません",
                                  "no section \"" + input.section_code + "\""));
      }
    }
    if (CheckCode(input.code, "code").Ok()) {
      if (FindPerson(ledger, input.code).Ok()) {
        row_problems.push_back(At(source, line, header_of["code"],
                                  "「" + input.code + "」は既に登録されています",
                                  "\"" + input.code + "\" already exists"));
      } else if (auto [it, fresh] = seen.emplace(input.code, line); !fresh) {
        row_problems.push_back(
            At(source, line, header_of["code"],
               "「" + input.code + "」はこのファイルの " + std::to_string(it->second) +
                   " 行目と重複しています",
               "\"" + input.code + "\" repeats line " + std::to_string(it->second)));
      }
    }
    problems.insert(problems.end(), row_problems.begin(), row_problems.end());
    inputs.push_back(std::move(input));
  }
  if (!problems.empty()) return ImportFailed(std::move(problems));

  // A named body: MAMORI_TRY_STATUS around a lambda that uses it again would
  // shadow its own variable (-Wshadow).
  const auto write = [&]() -> Status {
    for (const auto& input : inputs) {
      MAMORI_TRY(const auto id, InsertPerson(ledger, actor, input));
      (void)id;
    }
    return ledger.Record({actor, "person.import", "person", std::string(source),
                          Json{{"file", source}, {"added", inputs.size()}}.dump()});
  };
  MAMORI_TRY_STATUS(ledger.Change(write));
  return ImportReport{static_cast<int>(inputs.size()), 0};
}

constexpr int kAnalyzeAfterRows = 1000;

// WriteCsv puts an apostrophe before a cell that starts with = + - @ TAB or
// CR so that Excel shows it as text (CSV injection); Excel itself drops the
// apostrophe when it saves. Reading our own export back, drop it too.
std::string Unguard(const std::string& cell) {
  if (cell.size() >= 2 && cell[0] == '\'' &&
      std::string_view("=+-@\t\r").find(cell[1]) != std::string_view::npos) {
    return cell.substr(1);
  }
  return cell;
}

}  // namespace

FileFormat FormatOf(std::string_view file_name, std::string_view bytes) {
  auto ends_with = [&](std::string_view suffix) {
    if (file_name.size() < suffix.size()) return false;
    std::string tail(file_name.substr(file_name.size() - suffix.size()));
    for (auto& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return tail == suffix;
  };
  if (ends_with(".xlsx") || bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4)) {
    return FileFormat::kXlsx;
  }
  return FileFormat::kCsv;
}

Result<tabular::Table> ExportTable(Ledger& ledger, std::string_view register_id,
                                   const RecordFilter& keep) {
  if (register_id == kPeopleRegister) return ExportPeople(ledger);
  const RegisterSpec* spec = FindRegister(register_id);
  if (spec == nullptr) {
    return Error(ErrorCode::kNotFound, "台帳「" + std::string(register_id) + "」はありません",
                 "no register \"" + std::string(register_id) + "\"", {"", 0, "register"});
  }
  const auto columns = Columns(ledger.Profile(), *spec);
  tabular::Table table;
  for (const auto& column : columns) table.header.push_back(column.label_ja);
  MAMORI_TRY(const auto records, List(ledger, register_id));
  for (const auto& record : records) {
    if (keep && !keep(record)) continue;
    std::vector<std::string> row;
    for (const auto& column : columns) {
      const Values& source = column.computed ? record.computed : record.values;
      auto it = source.find(column.id);
      row.push_back(it == source.end() ? std::string()
                                       : DisplayValue(ledger.Profile(), column, it->second));
    }
    table.rows.push_back(std::move(row));
    table.row_lines.push_back(static_cast<int>(table.rows.size()) + 1);
  }
  table.header_line = 1;
  return table;
}

Result<std::string> ExportFile(Ledger& ledger, std::string_view register_id, FileFormat format,
                               tabular::SourceEncoding encoding, const RecordFilter& keep) {
  MAMORI_TRY(const auto table, ExportTable(ledger, register_id, keep));
  if (format == FileFormat::kXlsx) {
    std::string sheet(register_id);
    if (const RegisterSpec* spec = FindRegister(register_id)) sheet = std::string(spec->label_ja);
    if (register_id == kPeopleRegister) sheet = "職員等";
    return tabular::WriteXlsx(table, sheet);
  }
  return tabular::WriteCsv(table, encoding);
}

Result<ImportReport> ImportTable(Ledger& ledger, const std::string& actor,
                                 std::string_view register_id, const tabular::Table& table,
                                 std::string_view source, ImportMode mode,
                                 const WriteGuard& guard) {
  MAMORI_TRY_STATUS(CheckCode(actor, "actor"));
  if (register_id == kPeopleRegister) return ImportPeople(ledger, actor, table, source);
  const RegisterSpec* spec = FindRegister(register_id);
  if (spec == nullptr) {
    return Error(ErrorCode::kNotFound, "台帳「" + std::string(register_id) + "」はありません",
                 "no register \"" + std::string(register_id) + "\"", {"", 0, "register"});
  }
  const auto& profile = ledger.Profile();
  const auto columns = Columns(profile, *spec);
  const bool csv = FormatOf(source, "") == FileFormat::kCsv;

  // The header: every name a column of this register, none twice.
  std::vector<Diagnostic> problems;
  std::vector<const Column*> mapped(table.header.size(), nullptr);
  std::map<std::string, std::string> header_of;  // column id → header as written
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const Column* column = FindColumn(columns, table.header[c]);
    if (column == nullptr) {
      problems.push_back(
          At(source, table.header_line, table.header[c],
             "列「" + table.header[c] + "」は" + std::string(spec->label_ja) + "にありません",
             "no column \"" + table.header[c] + "\" in register " + std::string(spec->id)));
      continue;
    }
    if (column->computed) continue;  // exported for reading; never imported
    if (header_of.count(column->id) > 0) {
      problems.push_back(At(source, table.header_line, table.header[c],
                            "列「" + column->label_ja + "」が重複しています",
                            "column " + column->id + " appears twice"));
      continue;
    }
    mapped[c] = column;
    header_of[column->id] = table.header[c];
  }
  for (const auto& column : columns) {
    const bool needed = column.id == "code" || (mode == ImportMode::kAddOnly && !column.computed &&
                                                column.field->required);
    if (needed && header_of.count(column.id) == 0) {
      problems.push_back(At(source, table.header_line, column.label_ja,
                            "必須の列「" + column.label_ja + "」がありません",
                            "required column " + column.id + " is missing"));
    }
  }
  if (!problems.empty()) return ImportFailed(std::move(problems));

  // The rows: values by column id; codes (and asset kinds) of the whole file
  // first, so that rows may refer to each other.
  std::vector<Values> inputs;
  Pending pending;
  auto& mine = pending.codes[std::string(spec->id)];
  for (const auto& row : table.rows) {
    Values values;
    for (std::size_t c = 0; c < mapped.size() && c < row.size(); ++c) {
      if (mapped[c] != nullptr) values[mapped[c]->id] = csv ? Unguard(row[c]) : row[c];
    }
    const std::string code(TrimView(values["code"]));  // the code column is always there
    std::string kind;
    const Column* kind_column = FindColumn(columns, "kind");
    if (auto it = values.find("kind"); kind_column != nullptr && it != values.end()) {
      auto canonical = Canonical(profile, *kind_column, it->second);
      if (canonical.Ok()) kind = *canonical;
    }
    if (!code.empty() && mine.count(code) == 0) mine[code] = kind;
    inputs.push_back(std::move(values));
  }

  std::map<std::string, std::string> labels;
  for (const auto& column : columns) labels[column.id] = column.label_ja;
  std::vector<Values> rows;
  std::vector<std::int64_t> ids;
  std::map<std::string, int> seen;  // code → line
  std::vector<Diagnostic> denied;  // rows the guard refused
  int added = 0;
  int updated = 0;
  for (std::size_t r = 0; r < inputs.size(); ++r) {
    const int line = r < table.row_lines.size() ? table.row_lines[r] : 0;
    const std::string code(TrimView(inputs[r]["code"]));
    std::vector<Diagnostic> row_problems;
    if (!code.empty()) {
      if (auto [it, fresh] = seen.emplace(code, line); !fresh) {
        row_problems.push_back(At(source, line, header_of["code"],
                                  "「" + code + "」はこのファイルの " + std::to_string(it->second) +
                                      " 行目と重複しています",
                                  "\"" + code + "\" repeats line " + std::to_string(it->second)));
      }
    }
    std::optional<Record> existing;
    if (mode == ImportMode::kAddOrUpdate && !code.empty()) {
      auto found = Get(ledger, spec->id, code);
      if (found.Ok() && guard.may_change) {
        if (auto allowed = guard.may_change(*found); !allowed.Ok()) {
          Deny(allowed.Err(), source, line, header_of["code"], denied);
          continue;  // nothing more about a record the caller may not touch
        }
      }
      if (found.Ok()) {
        if (!found->retired_date.empty()) {
          row_problems.push_back(At(source, line, header_of["code"],
                                    "「" + code + "」は廃止済みです（変更できません）",
                                    "\"" + code + "\" is retired and cannot be changed"));
        }
        existing = std::move(found).Value();
      }
    }
    auto checked = CheckRow(ledger, *spec, inputs[r], existing ? &*existing : nullptr, pending);
    if (!checked.Ok()) Place(checked.Err(), source, line, header_of, row_problems, labels);
    if (checked.Ok() && guard.may_write) {
      if (auto allowed = guard.may_write(*checked); !allowed.Ok()) {
        Deny(allowed.Err(), source, line, header_of["code"], denied);
        continue;
      }
    }
    if (row_problems.empty()) {
      rows.push_back(std::move(checked).Value());
      ids.push_back(existing ? existing->id : 0);
      (existing ? updated : added) += 1;
    }
    problems.insert(problems.end(), row_problems.begin(), row_problems.end());
  }
  if (!denied.empty()) {
    // Only the refused rows: the others' problems are for someone who may
    // import this file.
    const std::string count = std::to_string(denied.size());
    denied.insert(denied.begin(),
                  Diagnostic{Where{"", 0, "actor"},
                             "取り込みを中止しました（" + count +
                                 " 行は変更する権限がありません。何も登録していません）",
                             "import refused (" + count +
                                 " rows you may not change; nothing was imported)"});
    return Error(ErrorCode::kInvalidArgument, std::move(denied));
  }
  if (!problems.empty()) return ImportFailed(std::move(problems));

  // A named body: MAMORI_TRY_STATUS around a lambda that uses it again would
  // shadow its own variable (-Wshadow).
  const auto write = [&]() -> Status {
    MAMORI_TRY_STATUS(WriteRows(ledger, actor, *spec, rows, ids));
    return ledger.Record({actor, std::string(spec->id) + ".import", std::string(spec->id),
                          std::string(source),
                          Json{{"file", source}, {"added", added}, {"updated", updated}}.dump()});
  };
  MAMORI_TRY_STATUS(ledger.Change(write));
  // After a bulk load, the planner's statistics for the table: without them
  // PostgreSQL scans and sorts the whole register for every page until
  // autovacuum runs (bench/README.md, serve_engines.sh). The import is
  // committed: a failure here loses nothing, so it is not an error.
  if (added + updated >= kAnalyzeAfterRows) {
    (void)ledger.Db().Execute("ANALYZE " + std::string(spec->table));
  }
  return ImportReport{added, updated};
}

Result<ImportReport> ImportFile(Ledger& ledger, const std::string& actor,
                                std::string_view register_id, std::string_view bytes,
                                std::string_view file_name, ImportMode mode,
                                const WriteGuard& guard, const tabular::Limits& limits) {
  tabular::Table table;
  if (FormatOf(file_name, bytes) == FileFormat::kXlsx) {
    MAMORI_TRY(table, tabular::ReadXlsx(bytes, file_name, limits));
  } else {
    MAMORI_TRY(table, tabular::ReadCsv(bytes, file_name, limits));
  }
  return ImportTable(ledger, actor, register_id, table, file_name, mode, guard);
}

}  // namespace mamori::ledger::registers
