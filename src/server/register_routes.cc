// The registers (情報資産台帳 and the rest, docs/registers.md): list with
// search and filters, read, add, edit, retire, import and export. Each
// record belongs to a section (owner_section for assets); the viewer reads
// and writes the sections their roles cover (api.h Viewer).
#include <algorithm>

#include "ledger/registers/import_export.h"
#include "ledger/registers/registers.h"
#include "ledger/registers/spec.h"
#include "server/api.h"
#include "server/routes.h"
#include "tabular/csv.h"
#include "tabular/xlsx.h"

namespace mamori::server {

namespace registers = ledger::registers;

namespace {

std::string_view TypeName(registers::FieldType type) {
  using registers::FieldType;
  switch (type) {
    case FieldType::kCode:
      return "code";
    case FieldType::kText:
      return "text";
    case FieldType::kLongText:
      return "long_text";
    case FieldType::kDate:
      return "date";
    case FieldType::kBool:
      return "bool";
    case FieldType::kCount:
      return "count";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kSegment:
      return "segment";
    case FieldType::kSection:
      return "section";
    case FieldType::kPerson:
      return "person";
    case FieldType::kRecord:
      return "record";
    case FieldType::kRecordList:
      return "record_list";
    case FieldType::kClassification:
      return "classification";
    case FieldType::kHandlingList:
      return "handling_list";
  }
  return "text";
}

// The field holding the record's section, or "" (vendors).
std::string SectionField(const registers::RegisterSpec& spec) {
  for (const auto& field : spec.fields) {
    if (field.type == registers::FieldType::kSection) return std::string(field.id);
  }
  return {};
}

Result<const registers::RegisterSpec*> SpecParam(const std::string& id) {
  const registers::RegisterSpec* spec = registers::FindRegister(id);
  if (spec == nullptr) {
    return Error(ErrorCode::kNotFound, "台帳「" + id + "」はありません", "no register " + id);
  }
  return spec;
}

// Resolves sections to departments once per request.
class RecordScope {
 public:
  RecordScope(const Viewer& viewer, const registers::RegisterSpec& spec,
              std::map<std::string, std::string> department_of, std::string today)
      : viewer_(viewer),
        spec_(spec),
        section_field_(SectionField(spec)),
        department_of_(std::move(department_of)),
        today_(std::move(today)) {}

  std::string SectionOf(const registers::Values& values) const {
    if (section_field_.empty()) return {};
    const auto it = values.find(section_field_);
    return it == values.end() ? std::string() : it->second;
  }

  bool CanRead(const registers::Record& record) const {
    const std::string section = SectionOf(record.values);
    if (section_field_.empty()) return viewer_.IsManagerOrAbove() || viewer_.IsAuditor();
    if (viewer_.IsContractor()) {
      // 委託事業者: the contracts of their own section that are in force.
      if (spec_.id != "contract" || section != viewer_.person.section_code) return false;
      const auto start = record.values.find("start_date");
      const auto end = record.values.find("end_date");
      return (start == record.values.end() || start->second <= today_) &&
             (end == record.values.end() || end->second.empty() || end->second >= today_);
    }
    return viewer_.CanRead(section, Department(section));
  }

  // Whether reading is decided by section alone (not for contractors, nor
  // for registers without a section).
  bool BySection() const { return !section_field_.empty() && !viewer_.IsContractor(); }
  // The sections the viewer may read; nullopt: all of them.
  std::optional<std::vector<std::string>> ReadableSections() const {
    if (viewer_.SeesAll()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& [section, department] : department_of_) {
      if (viewer_.CanRead(section, department)) out.push_back(section);
    }
    return out;
  }

  bool CanWriteSection(const std::string& section) const {
    if (section_field_.empty()) return viewer_.SeesAll();
    return viewer_.CanWrite(section, Department(section));
  }

  // Whether the viewer may write any record of this register at all: asked
  // before an upload is read, so that someone who may write nothing (an
  // auditor, a member of staff) costs the server nothing.
  bool MayWriteSome() const {
    if (section_field_.empty()) return viewer_.SeesAll();
    return viewer_.IsManagerOrAbove() && !viewer_.IsContractor();
  }

  // The section check as the ledger asks it (registers.h WriteGuard): on
  // the values as they will be written, after labels are resolved and every
  // value is canonical, never on the text as sent. A refusal names the
  // "actor" (403) and never the section of a record the viewer may not
  // change (it may be one they cannot read).
  registers::WriteGuard Guard() const {
    registers::WriteGuard guard;
    guard.may_change = [this](const registers::Record& existing) -> Status {
      if (CanWriteSection(SectionOf(existing.values))) return OkStatus();
      return Error(ErrorCode::kInvalidArgument,
                   "「" + existing.code + "」を変更する権限がありません",
                   "you may not change \"" + existing.code + "\"", Where{"", 0, "actor"});
    };
    guard.may_write = [this](const registers::Values& after) -> Status {
      const std::string section = SectionOf(after);
      if (CanWriteSection(section)) return OkStatus();
      if (section.empty()) {
        return Error(ErrorCode::kInvalidArgument, "この台帳を変更する権限がありません",
                     "you may not change this register", Where{"", 0, "actor"});
      }
      // The section the viewer wrote themselves: naming it reveals nothing.
      return Error(ErrorCode::kInvalidArgument,
                   "課室等「" + section + "」の台帳を変更する権限がありません",
                   "you may not change records of section " + section, Where{"", 0, "actor"});
    };
    return guard;
  }

 private:
  std::string Department(const std::string& section) const {
    const auto it = department_of_.find(section);
    return it == department_of_.end() ? std::string() : it->second;
  }

  const Viewer& viewer_;
  const registers::RegisterSpec& spec_;
  std::string section_field_;
  std::map<std::string, std::string> department_of_;
  std::string today_;
};

Result<RecordScope> ScopeFor(Call& call, const registers::RegisterSpec& spec) {
  MAMORI_TRY(auto sections, ledger::ListSections(*call.ledger));
  std::map<std::string, std::string> department_of;
  for (const auto& section : sections) department_of[section.code] = section.department_code;
  return RecordScope(call.Who(), spec, std::move(department_of), ledger::TodayJst(*call.ledger));
}

bool Matches(const registers::Record& record, const std::string& q) {
  if (q.empty() || record.code.find(q) != std::string::npos) return true;
  return std::any_of(record.values.begin(), record.values.end(),
                     [&q](const auto& entry) { return entry.second.find(q) != std::string::npos; });
}

Result<registers::Record> VisibleRecord(Call& call, const registers::RegisterSpec& spec,
                                        const RecordScope& scope) {
  auto record = registers::Get(*call.ledger, spec.id, call.params[1]);
  if (!record.Ok() || !scope.CanRead(*record)) {
    if (record.Ok() || record.Err().Code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNotFound, "「" + call.params[1] + "」は台帳にありません",
                   "no record " + call.params[1]);
    }
    return record.Err();
  }
  return record;
}

// What one upload may cost the server: far above a municipal register (the
// bench's 10,000 assets), far below the reader's own defaults, so that a
// small file that unpacks to a large one is refused early (a zip bomb).
tabular::Limits ImportLimits() {
  tabular::Limits limits;
  limits.max_input_bytes = std::size_t{16} << 20;
  limits.max_part_bytes = std::size_t{24} << 20;
  limits.max_total_part_bytes = std::size_t{32} << 20;
  limits.max_columns = 256;
  limits.max_rows = 20'000;
  limits.max_cells = 1'000'000;
  limits.max_cell_bytes = 16'384;  // a 4,000-character long text in UTF-8
  return limits;
}

Reply NoWrite() {
  return Forbidden("この課室等の台帳を変更する権限がありません",
                   "you may not change this section's records");
}

}  // namespace

void Api::AddRegisterRoutes() {
  Add({.method = "GET",
       .path = "/registers",
       .summary_ja = "台帳の種類と列",
       .who = "signed in",
       .handler = [](Call& call) -> Result<Reply> {
         Json out = Json::array();
         for (const auto& spec : registers::Registers()) {
           Json columns = Json::array();
           for (const auto& column : registers::Columns(call.ledger->Profile(), spec)) {
             Json item{
                 {"id", column.id}, {"label_ja", column.label_ja}, {"computed", column.computed}};
             if (column.field != nullptr) {
               item["type"] = TypeName(column.field->type);
               item["required"] = column.field->required;
               item["clause"] = column.field->clause;
               Json choices = Json::array();
               for (const auto& choice : column.field->choices) {
                 choices.push_back({{"id", choice.id}, {"label_ja", choice.label_ja}});
               }
               if (column.axis >= 0) {
                 const auto& axis = call.ledger->Profile()
                                        .classification.axes[static_cast<std::size_t>(column.axis)];
                 item["type"] = "level";
                 for (const auto& level : axis.levels) {
                   choices.push_back({{"id", level.id}, {"label_ja", level.title}});
                 }
               }
               if (column.field->type == registers::FieldType::kSegment) {
                 for (const auto& segment : call.ledger->Profile().network.segments) {
                   choices.push_back({{"id", segment.id}, {"label_ja", segment.title}});
                 }
               }
               if (!choices.empty()) item["choices"] = std::move(choices);
             }
             columns.push_back(std::move(item));
           }
           out.push_back({{"id", spec.id},
                          {"label_ja", spec.label_ja},
                          {"label_en", spec.label_en},
                          {"clauses", spec.clauses},
                          {"section_field", SectionField(spec)},
                          {"columns", std::move(columns)}});
         }
         return JsonReply(std::move(out));
       }});

  Add({.method = "GET",
       .path = "/registers/{register}",
       .summary_ja = "台帳の一覧（検索・絞り込み・ページ送り）",
       .who = "signed in; records of the sections the viewer may read",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(const auto* spec, SpecParam(call.params[0]));
         MAMORI_TRY(const RecordScope scope, ScopeFor(call, *spec));
         Fields query(Json{{"q", call.Query("q")}, {"section", call.Query("section")}});
         const std::string q = query.Text("q", "検索語", 100, false);
         const std::string section = query.Text("section", "課室等", 64, false);
         MAMORI_TRY(const auto offset, QueryNumber(call, "offset", 0, 1000000));
         MAMORI_TRY(const auto limit, QueryNumber(call, "limit", 100, 1000));
         MAMORI_TRY_STATUS(query.Finish());
         registers::ReadOptions options;
         options.include_retired = call.Query("include_retired") == "true";
         Json page = Json::array();
         if (scope.BySection()) {
           // Filtered and paged in the database (a register of 10,000 assets).
           registers::PageQuery page_query;
           page_query.sections = scope.ReadableSections();
           page_query.section = section;
           page_query.q = q;
           page_query.offset = static_cast<std::size_t>(offset);
           page_query.limit = static_cast<std::size_t>(limit);
           MAMORI_TRY(auto found, registers::ListPage(*call.ledger, spec->id, page_query, options));
           Reply reply;
           reply.deferred = [found = std::move(found), offset]() {
             Json records = Json::array();
             for (const auto& record : found.records)
               records.push_back(registers::RecordJson(record));
             return Json{
                 {"total", found.total}, {"offset", offset}, {"records", std::move(records)}};
           };
           return reply;
         }
         // Contractors and registers without a section: record by record.
         MAMORI_TRY(auto records, registers::List(*call.ledger, spec->id, options));
         std::int64_t total = 0;
         for (const auto& record : records) {
           if (!scope.CanRead(record) || !Matches(record, q)) continue;
           if (!section.empty() && scope.SectionOf(record.values) != section) continue;
           if (total >= offset && static_cast<std::int64_t>(page.size()) < limit) {
             page.push_back(registers::RecordJson(record));
           }
           ++total;
         }
         return JsonReply({{"total", total}, {"offset", offset}, {"records", std::move(page)}});
       }});

  Add({.method = "GET",
       .path = "/registers/{register}/export",
       .summary_ja = "台帳の書き出し（format=xlsx|csv）",
       .who = "signed in; the records the viewer may read",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(const auto* spec, SpecParam(call.params[0]));
         MAMORI_TRY(const RecordScope scope, ScopeFor(call, *spec));
         const std::string format = call.Query("format", "xlsx");
         if (format != "xlsx" && format != "csv") {
           return Error(ErrorCode::kInvalidArgument, "形式は xlsx 又は csv です",
                        "format: xlsx|csv", Where{"", 0, "format"});
         }
         MAMORI_TRY(
             std::string bytes,
             registers::ExportFile(
                 *call.ledger, spec->id,
                 format == "xlsx" ? registers::FileFormat::kXlsx : registers::FileFormat::kCsv,
                 tabular::SourceEncoding::kUtf8Bom,
                 [&scope](const registers::Record& record) { return scope.CanRead(record); }));
         Reply reply;
         reply.body = std::move(bytes);
         reply.content_type =
             format == "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                              : "text/csv; charset=utf-8";
         reply.headers.emplace_back(
             "Content-Disposition",
             "attachment; filename=\"" + std::string(spec->id) + "." + format + "\"");
         return reply;
       }});

  Add({.method = "POST",
       .path = "/registers/{register}/import",
       .summary_ja = "台帳の取込み（CSV・XLSX、1行でも誤りがあれば何も取り込まない）",
       .who = "those who may write every section in the file",
       .raw_body = true,
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(const auto* spec, SpecParam(call.params[0]));
         MAMORI_TRY(const RecordScope scope, ScopeFor(call, *spec));
         // Permission first: nothing of the file is read for someone who
         // may write no record of this register.
         if (!scope.MayWriteSome()) return NoWrite();
         if (call.body.empty()) {
           return Error(ErrorCode::kInvalidArgument, "ファイルが空です", "empty file",
                        Where{"", 0, "file"});
         }
         const bool xlsx = registers::FormatOf("", call.body) == registers::FileFormat::kXlsx;
         // All or nothing; every row's section — the one it has and the one
         // it would get — checked by the ledger on the canonical values
         // (registers.h WriteGuard), the same values it then writes.
         MAMORI_TRY(const auto report,
                    registers::ImportFile(*call.ledger, call.Who().person.code, spec->id,
                                          call.body, xlsx ? "upload.xlsx" : "upload.csv",
                                          registers::ImportMode::kAddOrUpdate, scope.Guard(),
                                          ImportLimits()));
         return JsonReply({{"added", report.added}, {"updated", report.updated}});
       }});

  Add({.method = "GET",
       .path = "/registers/{register}/{code}",
       .summary_ja = "台帳の1件",
       .who = "those who may read its section",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(const auto* spec, SpecParam(call.params[0]));
         MAMORI_TRY(const RecordScope scope, ScopeFor(call, *spec));
         MAMORI_TRY(auto record, VisibleRecord(call, *spec, scope));
         return JsonReply(registers::RecordJson(record));
       }});

  Add({.method = "POST",
       .path = "/registers/{register}",
       .summary_ja = "台帳に追加",
       .who = "managers of the record's section, officers, the chief officer",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(const auto* spec, SpecParam(call.params[0]));
         MAMORI_TRY(const RecordScope scope, ScopeFor(call, *spec));
         Fields fields(call.json);
         const auto values = fields.TextMap("values", "値", 4000);
         MAMORI_TRY_STATUS(fields.Finish());
         if (!scope.MayWriteSome()) return NoWrite();
         MAMORI_TRY(auto record, registers::Add(*call.ledger, call.Who().person.code, spec->id,
                                                values, scope.Guard()));
         return JsonReply(registers::RecordJson(record), 201);
       }});

  Add({.method = "PATCH",
       .path = "/registers/{register}/{code}",
       .summary_ja = "台帳の変更",
       .who = "as adding, for the old and the new section",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(const auto* spec, SpecParam(call.params[0]));
         MAMORI_TRY(const RecordScope scope, ScopeFor(call, *spec));
         MAMORI_TRY(auto record, VisibleRecord(call, *spec, scope));
         Fields fields(call.json);
         const auto values = fields.TextMap("values", "値", 4000);
         MAMORI_TRY_STATUS(fields.Finish());
         // The old and the new section, on the values as the ledger resolves
         // them ("所管課室等" is owner_section): registers.h WriteGuard.
         MAMORI_TRY(auto updated, registers::Update(*call.ledger, call.Who().person.code, spec->id,
                                                    record.code, values, scope.Guard()));
         return JsonReply(registers::RecordJson(updated));
       }});

  Add({.method = "POST",
       .path = "/registers/{register}/{code}/retire",
       .summary_ja = "使用終了（記録は残る）",
       .who = "as adding",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(const auto* spec, SpecParam(call.params[0]));
         MAMORI_TRY(const RecordScope scope, ScopeFor(call, *spec));
         MAMORI_TRY(auto record, VisibleRecord(call, *spec, scope));
         Fields fields(call.json);
         const std::string date = fields.Text("date", "終了日", 10, false);
         const std::string reason = fields.Text("reason", "理由", 1000, true, true);
         MAMORI_TRY_STATUS(fields.Finish());
         MAMORI_TRY(auto retired, registers::Retire(*call.ledger, call.Who().person.code, spec->id,
                                                    record.code, date, reason, scope.Guard()));
         return JsonReply(registers::RecordJson(retired));
       }});
}

}  // namespace mamori::server
