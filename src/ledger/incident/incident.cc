#include "ledger/incident/incident.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "ledger/incident/common.h"
#include "ledger/org.h"
#include "ledger/validate.h"

namespace mamori::ledger::incident {
namespace {

using Json = nlohmann::json;
using policy::Role;

constexpr std::size_t kMaxAssets = 100;

// The chain of 5.3: who receives the report at each level.
const std::vector<Role>& LevelRoles(int level) {
  static const std::vector<Role> kManager{Role::kManager};
  static const std::vector<Role> kOfficerCsirt{Role::kOfficer, Role::kCsirt};
  static const std::vector<Role> kCisoChief{Role::kCiso, Role::kChiefOfficer};
  if (level == kLevelManager) return kManager;
  if (level == kLevelOfficerCsirt) return kOfficerCsirt;
  return kCisoChief;
}

// 5.3(1) for reports from inside, 5.3(2) for reports from outside.
std::string LevelClause(const std::string& source, int level) {
  static const char* const kCircled[] = {"", "①", "②", "③"};
  return std::string(source == "external" ? "5.3(2)" : "5.3(1)") +
         kCircled[std::clamp(level, 1, 3)];
}

Error Closed(std::int64_t id) {
  return FieldError("id",
                    "インシデント " + std::to_string(id) + " はクローズ済みです（変更できません）",
                    "incident " + std::to_string(id) + " is closed (it cannot change)");
}

Status CheckId(std::int64_t id) {
  if (id > 0) return OkStatus();
  return FieldError("id", "インシデント番号は 1 以上の整数です",
                    "the incident id is a positive integer");
}

// A time given by the user: empty means now; otherwise not in the future.
Result<std::string> TimeOrNow(const Ledger& ledger, const std::string& text,
                              std::string_view field) {
  if (text.empty()) return FormatUtc(ledger.Now());
  MAMORI_TRY(const auto time, ParseTime(text, field));
  if (time > ledger.Now()) {
    return FieldError(field, "未来の日時は指定できません: " + text,
                      "a time in the future is not allowed: " + text);
  }
  return FormatUtc(time);
}

Status CheckTimeField(const std::string& text, std::string_view field) {
  if (text.empty()) return OkStatus();
  MAMORI_TRY(const auto time, ParseTime(text, field));
  (void)time;
  return OkStatus();
}

// Loads the incident with its assets, steps and timeline.
Result<Incident> Load(Ledger& ledger, std::int64_t id) {
  auto& db = ledger.Db();
  MAMORI_TRY(const auto rows,
             db.Query("SELECT i.id, i.source, p.code, i.external_kind, i.external_name, "
                      "i.external_contact, s.code, d.code, i.summary, i.description, i.aware_at, "
                      "i.reported_at, i.level, i.state, i.severity, i.people_affected, "
                      "i.personal_data, i.personal_data_persons, i.malicious, i.triaged_by, "
                      "i.triaged_at, i.cause, i.cause_by, i.cause_at, i.measure, i.measure_by, "
                      "i.measure_at, i.disclosure, i.disclosure_reason, i.disclosure_by, "
                      "i.disclosure_at, i.ppc_prompt_at, i.ppc_prompt_by, i.ppc_final_at, "
                      "i.ppc_final_by, i.closed_at, i.closed_by FROM incidents i "
                      "JOIN people p ON p.id = i.reporter_id JOIN sections s ON s.id = "
                      "i.section_id JOIN departments d ON d.id = s.department_id WHERE i.id = ?",
                      {id}));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound,
                 "インシデント " + std::to_string(id) + " は登録されていません",
                 "no incident " + std::to_string(id), {"", 0, "id"});
  }
  const auto& row = rows[0];
  Incident incident;
  incident.id = row.Int(0);
  incident.source = row.Text(1);
  incident.reporter = row.Text(2);
  incident.external_kind = row.Text(3);
  incident.external_name = row.Text(4);
  incident.external_contact = row.Text(5);
  incident.section = row.Text(6);
  incident.department = row.Text(7);
  incident.summary = row.Text(8);
  incident.description = row.Text(9);
  incident.aware_at = row.Text(10);
  incident.reported_at = row.Text(11);
  incident.level = static_cast<int>(row.Int(12));
  incident.state = row.Text(13);
  incident.severity = row.Text(14);
  if (!row.IsNull(15)) incident.people_affected = row.Int(15);
  incident.personal_data = row.Int(16) != 0;
  incident.personal_data_persons = row.Int(17);
  incident.malicious = row.Int(18) != 0;
  incident.triaged_by = row.Text(19);
  incident.triaged_at = row.Text(20);
  incident.cause = row.Text(21);
  incident.cause_by = row.Text(22);
  incident.cause_at = row.Text(23);
  incident.measure = row.Text(24);
  incident.measure_by = row.Text(25);
  incident.measure_at = row.Text(26);
  incident.disclosure = row.Text(27);
  incident.disclosure_reason = row.Text(28);
  incident.disclosure_by = row.Text(29);
  incident.disclosure_at = row.Text(30);
  incident.ppc_prompt_at = row.Text(31);
  incident.ppc_prompt_by = row.Text(32);
  incident.ppc_final_at = row.Text(33);
  incident.ppc_final_by = row.Text(34);
  incident.closed_at = row.Text(35);
  incident.closed_by = row.Text(36);

  MAMORI_TRY(const auto assets,
             db.Query("SELECT asset FROM incident_assets WHERE incident_id = ? ORDER BY id", {id}));
  for (const auto& asset : assets) incident.affected_assets.push_back(asset.Text(0));

  MAMORI_TRY(const auto steps,
             db.Query("SELECT st.id, st.level, p.code, st.at, st.clause, st.note FROM "
                      "incident_steps st JOIN people p ON p.id = st.actor_id WHERE "
                      "st.incident_id = ? ORDER BY st.id",
                      {id}));
  for (const auto& step_row : steps) {
    Step step{static_cast<int>(step_row.Int(1)),
              step_row.Text(2),
              step_row.Text(3),
              step_row.Text(4),
              step_row.Text(5),
              {}};
    MAMORI_TRY(const auto recipients,
               db.Query("SELECT r.role, p.code, p.name FROM incident_step_recipients r JOIN "
                        "people p ON p.id = r.person_id WHERE r.step_id = ? ORDER BY r.id",
                        {step_row.Int(0)}));
    for (const auto& recipient : recipients) {
      step.recipients.push_back({recipient.Text(0), recipient.Text(1), recipient.Text(2)});
    }
    incident.steps.push_back(std::move(step));
  }

  MAMORI_TRY(const auto timeline,
             db.Query("SELECT t.at, p.code, t.text, t.recorded_at FROM incident_timeline t JOIN "
                      "people p ON p.id = t.person_id WHERE t.incident_id = ? ORDER BY t.at, t.id",
                      {id}));
  for (const auto& entry : timeline) {
    incident.timeline.push_back({entry.Text(0), entry.Text(1), entry.Text(2), entry.Text(3)});
  }
  return incident;
}

// Loads an open incident for a change; refuses a closed one.
Result<Incident> LoadOpen(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(auto incident, Load(ledger, id));
  if (incident.state == "closed") return Closed(id);
  return incident;
}

Status RecordEvent(Ledger& ledger, const std::string& actor, const std::string& action,
                   std::int64_t id) {
  MAMORI_TRY(const auto incident, Load(ledger, id));
  return ledger.Record(
      {actor, action, "incident", std::to_string(id), IncidentJson(incident).dump()});
}

// Who may act on the incident: holders of `roles` for its section (manager),
// its department (officer) or organization-wide; `reporter_too` lets the
// person who reported or received the report act as well.
Status AuthorizeOnIncident(Ledger& ledger, const Person& actor, const Incident& incident,
                           const std::vector<Role>& roles, bool reporter_too,
                           const std::string& what_ja, const std::string& what_en) {
  if (reporter_too && actor.code == incident.reporter) return OkStatus();
  MAMORI_TRY(const auto section, FindSection(ledger, incident.section));
  return Authorize(ledger, actor, section, roles, what_ja, what_en, reporter_too ? "報告者" : "",
                   reporter_too ? "the reporter" : "");
}

// Adds one step of the chain addressed to the holders of the level's roles.
Status AddStep(Ledger& ledger, const Incident& incident, const Person& actor, int level,
               const std::string& at, const std::string& note) {
  MAMORI_TRY(const auto section, FindSection(ledger, incident.section));
  const std::string today = TodayJst(ledger);
  std::vector<std::pair<Role, Person>> recipients;
  for (const Role role : LevelRoles(level)) {
    MAMORI_TRY(const auto holders, HoldersOf(ledger, role, section, today));
    if (holders.empty()) {
      const std::string title = ledger.Profile().RoleTitle(role);
      return FieldError("section",
                        "報告先の" + title + "がいません（課室等「" + section.code +
                            "」）。組織台帳で役割を割り当ててください",
                        "nobody holds " + std::string(policy::Id(role)) + " for section \"" +
                            section.code + "\"; assign the role in the organization register");
    }
    for (const auto& holder : holders) recipients.emplace_back(role, holder);
  }
  MAMORI_TRY(const auto step_id,
             ledger.Db().QueryInt("INSERT INTO incident_steps (incident_id, level, actor_id, at, "
                                  "clause, note) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                  {incident.id, std::int64_t{level}, actor.id, at,
                                   LevelClause(incident.source, level), note}));
  for (const auto& [role, person] : recipients) {
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "INSERT INTO incident_step_recipients (step_id, role, person_id) VALUES (?, ?, ?)",
        {step_id, std::string(policy::Id(role)), person.id}));
  }
  return ledger.Db().Execute("UPDATE incidents SET level = ? WHERE id = ?",
                             {std::int64_t{level}, incident.id});
}

struct NewIncident {
  std::string source;
  std::string section;
  std::string external_kind, external_name, external_contact;
  std::string summary, description, aware_at;
};

// A report through the residents' public form: nobody on the staff acted.
struct PublicForm {
  std::string remote_addr;
};

// Inserts the incident and its first step (5.3(1)① / 5.3(2)①), recorded as
// `action` by `actor_code` — or, for `form`, by "anonymous" with the remote
// address and the 受付番号 (the id), the incident routed to `actor_code`.
Result<std::int64_t> Insert(Ledger& ledger, const std::string& actor_code, const NewIncident& input,
                            const std::string& action, const PublicForm* form = nullptr) {
  std::int64_t id = 0;
  // Not MAMORI_TRY_STATUS: the body uses it too (-Wshadow).
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(const auto section,
               FindSection(ledger, input.section.empty() ? actor.section_code : input.section));
    MAMORI_TRY(const auto aware_at, TimeOrNow(ledger, input.aware_at, "aware_at"));
    const std::string now = FormatUtc(ledger.Now());
    MAMORI_TRY(id, ledger.Db().QueryInt(
                       "INSERT INTO incidents (source, reporter_id, external_kind, external_name, "
                       "external_contact, section_id, summary, description, aware_at, "
                       "reported_at, level, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                       "'open') RETURNING id",
                       {input.source, actor.id, input.external_kind, input.external_name,
                        input.external_contact, section.id, input.summary, input.description,
                        aware_at, now, std::int64_t{kLevelManager}}));
    MAMORI_TRY(const auto incident, Load(ledger, id));
    // 5.3(1)① / 5.3(2)①: the report goes to the section's 情報セキュリティ管理者.
    if (form == nullptr) {
      MAMORI_TRY_STATUS(AddStep(ledger, incident, actor, kLevelManager, now, ""));
      return RecordEvent(ledger, actor_code, action, id);
    }
    MAMORI_TRY_STATUS(AddStep(ledger, incident, actor, kLevelManager, now,
                              "公開フォームから受付（受付番号 " + std::to_string(id) + "）"));
    MAMORI_TRY(const auto stored, Load(ledger, id));
    Json state = IncidentJson(stored);
    state["channel"] = "public_form";
    state["receipt"] = id;
    state["remote_addr"] = form->remote_addr;
    return ledger.Record({std::string(audit::kAnonymousActor), action, "incident",
                          std::to_string(id), state.dump()});
  });
  if (!changed.Ok()) return changed.Err();
  return id;
}

std::string DeadlineDate(const std::string& aware_at_utc, int days) {
  auto time = ParseTime(aware_at_utc, "aware_at");
  if (!time.Ok()) return "";
  const auto day = std::chrono::floor<std::chrono::days>(*time + std::chrono::hours(9));
  return FormatDate(std::chrono::year_month_day{day + std::chrono::days(days)});
}

std::string JstDate(const std::string& utc) {
  auto time = ParseTime(utc, "time");
  if (!time.Ok()) return "";
  return FormatJst(*time).substr(0, 10);
}

std::int64_t DaysBetween(const std::string& from_date, const std::string& to_date) {
  auto from = ParseDate(from_date, "from");
  auto to = ParseDate(to_date, "to");
  if (!from.Ok() || !to.Ok()) return 0;
  return (std::chrono::sys_days(*to) - std::chrono::sys_days(*from)).count();
}

const std::vector<Role>& IncidentHandlers() {
  static const std::vector<Role> kRoles{
      Role::kManager, Role::kOfficer, Role::kCsirt, Role::kChiefOfficer, Role::kDeputyChiefOfficer,
      Role::kCiso};
  return kRoles;
}

}  // namespace

std::string_view SeverityId(Severity severity) {
  switch (severity) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "low";
}

std::string_view SeverityTitle(Severity severity) {
  switch (severity) {
    case Severity::kLow:
      return "低";
    case Severity::kMedium:
      return "中";
    case Severity::kHigh:
      return "高";
    case Severity::kCritical:
      return "重大";
  }
  return "低";
}

std::optional<Severity> ParseSeverity(std::string_view id) {
  for (const Severity severity :
       {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (SeverityId(severity) == id) return severity;
  }
  return std::nullopt;
}

const std::vector<std::string>& SeverityIds() {
  static const std::vector<std::string> kIds{"low", "medium", "high", "critical"};
  return kIds;
}

std::string LevelTitle(int level) {
  switch (level) {
    case kLevelManager:
      return "情報セキュリティ管理者";
    case kLevelOfficerCsirt:
      return "情報セキュリティ責任者・統一的な窓口";
    case kLevelCisoChief:
      return "最高情報セキュリティ責任者・統括情報セキュリティ責任者";
    default:
      return "";
  }
}

std::optional<int> ParseLevel(std::string_view text) {
  if (text == "1" || text == "manager") return kLevelManager;
  if (text == "2" || text == "officer" || text == "csirt") return kLevelOfficerCsirt;
  if (text == "3" || text == "ciso" || text == "chief_officer") return kLevelCisoChief;
  return std::nullopt;
}

PpcDays EffectivePpcDays(const policy::Profile& profile) {
  const auto& deadlines = profile.deadlines;
  // Defaults when the profile is silent (0): 速報 3 days (the PPC guideline's
  // "概ね3～5日以内", its short end), 確報 30 days, 60 when malicious
  // (個人情報保護法施行規則 第8条第2項 / 第44条第2項).
  return {deadlines.personal_data_prompt_report_days > 0
              ? deadlines.personal_data_prompt_report_days
              : 3,
          deadlines.personal_data_final_report_days > 0 ? deadlines.personal_data_final_report_days
                                                        : 30,
          deadlines.personal_data_final_report_days_malicious > 0
              ? deadlines.personal_data_final_report_days_malicious
              : 60};
}

std::vector<PpcReport> PpcReports(const Ledger& ledger, const Incident& incident) {
  if (!incident.personal_data) return {};
  const PpcDays days = EffectivePpcDays(ledger.Profile());
  const std::string today = TodayJst(ledger);
  auto make = [&](std::string kind, int period, const std::string& made_at,
                  const std::string& made_by) {
    PpcReport report;
    report.kind = std::move(kind);
    report.days = period;
    report.deadline = DeadlineDate(incident.aware_at, period);
    report.made_at = made_at;
    report.made_by = made_by;
    report.overdue = made_at.empty() && today > report.deadline;
    report.late = !made_at.empty() && JstDate(made_at) > report.deadline;
    return report;
  };
  return {make("prompt", days.prompt, incident.ppc_prompt_at, incident.ppc_prompt_by),
          make("final", incident.malicious ? days.final_malicious : days.final_report,
               incident.ppc_final_at, incident.ppc_final_by)};
}

Json IncidentJson(const Incident& incident) {
  Json steps = Json::array();
  for (const auto& step : incident.steps) {
    Json to = Json::array();
    for (const auto& r : step.recipients) {
      to.push_back({{"role", r.role}, {"person", r.person}, {"name", r.name}});
    }
    steps.push_back({{"level", step.level},
                     {"actor", step.actor},
                     {"at", step.at},
                     {"clause", step.clause},
                     {"note", step.note},
                     {"to", to}});
  }
  Json timeline = Json::array();
  for (const auto& entry : incident.timeline) {
    timeline.push_back({{"at", entry.at},
                        {"person", entry.person},
                        {"text", entry.text},
                        {"recorded_at", entry.recorded_at}});
  }
  // 報告者 is a staff member only for a staff report; an outsider's report
  // names who received it (a staff member taking a call, or the 統一的な窓口
  // a public form is routed to), never as its reporter (5.3(2)①).
  const bool external = incident.source == "external";
  Json json{{"id", incident.id},
            {"source", incident.source},
            {"reporter", external ? std::string() : incident.reporter},
            {"received_by", external ? incident.reporter : std::string()},
            {"section", incident.section},
            {"department", incident.department},
            {"summary", incident.summary},
            {"description", incident.description},
            {"aware_at", incident.aware_at},
            {"reported_at", incident.reported_at},
            {"level", incident.level},
            {"state", incident.state},
            {"severity", incident.severity},
            {"affected_assets", incident.affected_assets},
            {"people_affected",
             incident.people_affected ? Json(*incident.people_affected) : Json(nullptr)},
            {"personal_data", incident.personal_data},
            {"personal_data_persons", incident.personal_data_persons},
            {"malicious", incident.malicious},
            {"triaged_by", incident.triaged_by},
            {"triaged_at", incident.triaged_at},
            {"cause", incident.cause},
            {"cause_by", incident.cause_by},
            {"cause_at", incident.cause_at},
            {"measure", incident.measure},
            {"measure_by", incident.measure_by},
            {"measure_at", incident.measure_at},
            {"disclosure", incident.disclosure},
            {"disclosure_reason", incident.disclosure_reason},
            {"disclosure_by", incident.disclosure_by},
            {"disclosure_at", incident.disclosure_at},
            {"ppc_prompt_at", incident.ppc_prompt_at},
            {"ppc_prompt_by", incident.ppc_prompt_by},
            {"ppc_final_at", incident.ppc_final_at},
            {"ppc_final_by", incident.ppc_final_by},
            {"closed_at", incident.closed_at},
            {"closed_by", incident.closed_by},
            {"steps", steps},
            {"timeline", timeline}};
  if (incident.source == "external") {
    json["external"] = {{"kind", incident.external_kind},
                        {"name", incident.external_name},
                        {"contact", incident.external_contact}};
  }
  return json;
}

Json PpcReportsJson(const std::vector<PpcReport>& reports) {
  Json json = Json::array();
  for (const auto& report : reports) {
    json.push_back({{"kind", report.kind},
                    {"days", report.days},
                    {"deadline", report.deadline},
                    {"made_at", report.made_at},
                    {"made_by", report.made_by},
                    {"overdue", report.overdue},
                    {"late", report.late}});
  }
  return json;
}

Result<std::int64_t> ReportByStaff(Ledger& ledger, const std::string& actor,
                                   const StaffReport& report) {
  Checks checks;
  checks.Add(CheckCode(actor, "actor"))
      .Add(CheckText(report.summary, "summary", kMaxName))
      .Add(CheckText(report.description, "description", kMaxText, true, true))
      .Add(CheckTimeField(report.aware_at, "aware_at"));
  if (!report.section.empty()) checks.Add(CheckCode(report.section, "section"));
  MAMORI_TRY_STATUS(checks.Done());
  return Insert(
      ledger, actor,
      {"staff", report.section, "", "", "", report.summary, report.description, report.aware_at},
      "incident.report");
}

// The checks every outsider's report gets, and its summary (a default by
// kind when the sender gave none).
static void CheckExternalReport(Checks& checks, const ExternalReport& report) {
  checks.Add(CheckOneOf(report.kind, "kind", {"resident", "other"}))
      .Add(CheckText(report.name, "name", kMaxName))
      .Add(CheckText(report.contact, "contact", kMaxName))
      .Add(CheckText(report.text, "text", kMaxText, false, true))
      .Add(CheckText(report.summary, "summary", kMaxName, true));
}

static std::string ExternalSummary(const ExternalReport& report) {
  if (!report.summary.empty()) return report.summary;
  return report.kind == "resident" ? "住民からの報告" : "外部からの報告";
}

Result<std::int64_t> ReportExternal(Ledger& ledger, const std::string& actor,
                                    const ExternalReport& report) {
  Checks checks;
  checks.Add(CheckCode(actor, "actor")).Add(CheckTimeField(report.aware_at, "aware_at"));
  CheckExternalReport(checks, report);
  if (!report.section.empty()) checks.Add(CheckCode(report.section, "section"));
  MAMORI_TRY_STATUS(checks.Done());
  const std::string summary = ExternalSummary(report);
  return Insert(ledger, actor,
                {"external", report.section, report.kind, report.name, report.contact, summary,
                 report.text, report.aware_at},
                "incident.report_external");
}

Result<std::int64_t> ReportFromPublicForm(Ledger& ledger, const std::string& intake,
                                          const ExternalReport& report,
                                          const std::string& remote_addr) {
  Checks checks;
  checks.Add(CheckCode(intake, "intake"))
      .Add(CheckText(remote_addr, "remote_addr", kMaxName, true));
  CheckExternalReport(checks, report);
  MAMORI_TRY_STATUS(checks.Done());
  const std::string summary = ExternalSummary(report);
  const PublicForm form{remote_addr};
  // The organization becomes aware when the form arrives: a sender's own
  // time is not taken (aware_at empty: now).
  return Insert(
      ledger, intake,
      {"external", "", report.kind, report.name, report.contact, summary, report.text, ""},
      "incident.report_external", &form);
}

Status Escalate(Ledger& ledger, const std::string& actor_code, std::int64_t id,
                std::optional<int> to_level, const std::string& note) {
  Checks checks;
  checks.Add(CheckCode(actor_code, "actor"))
      .Add(CheckId(id))
      .Add(CheckText(note, "note", kMaxText, true, true));
  if (to_level && (*to_level < kLevelManager || *to_level > kLevelCisoChief)) {
    checks.Add(FieldError("to", "報告先の段階は 1〜3 です", "the level is 1 to 3"));
  }
  MAMORI_TRY_STATUS(checks.Done());
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(const auto incident, LoadOpen(ledger, id));
    const int target = to_level ? *to_level : incident.level + 1;
    if (incident.level >= kLevelCisoChief) {
      return FieldError(
          "to", "既に最高情報セキュリティ責任者・統括情報セキュリティ責任者まで報告済みです",
          "already reported to the CISO and the chief officer (the top of 5.3)");
    }
    if (target <= incident.level) {
      return FieldError(
          "to",
          "報告先は現在の段階（" + LevelTitle(incident.level) + "）より上でなければなりません",
          "the level must be above the current one (" + std::to_string(incident.level) + ")");
    }
    const int next = incident.level + 1;
    // The order of 5.3(1)②③ / 5.3(2)②③: one level at a time. Only a
    // critical incident reaches the top at once, and then every level in
    // between is reported to in the same moment (steps recorded in order).
    if (target > next && incident.severity != "critical") {
      return FieldError(
          "to",
          "報告の段階を飛ばすことはできません（" + LevelClause(incident.source, next) +
              "の順: 次は" + LevelTitle(next) + "）。重大度「重大」の場合のみ一括して報告できます",
          "an escalation may not skip a level (" + LevelClause(incident.source, next) +
              ": next is level " + std::to_string(next) + "); only a critical incident may");
    }
    // Who reports up: the section's manager (5.3(1)②③); to the top also the
    // department's officer and the 統一的な窓口, which sees to it that the CISO
    // is informed (1(4)①).
    const std::vector<Role> allowed =
        next == kLevelOfficerCsirt
            ? std::vector<Role>{Role::kManager}
            : std::vector<Role>{Role::kManager, Role::kOfficer, Role::kCsirt};
    MAMORI_TRY_STATUS(
        AuthorizeOnIncident(ledger, actor, incident, allowed, false, "上位への報告", "escalate"));
    const std::string now = FormatUtc(ledger.Now());
    for (int level = next; level <= target; ++level) {
      std::string step_note = note;
      if (target > next) {
        step_note = "重大度「重大」のため一括報告 / critical: reported to every level at once" +
                    (note.empty() ? std::string() : " — " + note);
      }
      MAMORI_TRY_STATUS(AddStep(ledger, incident, actor, level, now, step_note));
    }
    return RecordEvent(ledger, actor_code, "incident.escalate", id);
  });
}

Status SetTriage(Ledger& ledger, const std::string& actor_code, std::int64_t id,
                 const Triage& triage) {
  Checks checks;
  checks.Add(CheckCode(actor_code, "actor")).Add(CheckId(id));
  if (!triage.severity && !triage.affected_assets && !triage.people_affected &&
      !triage.personal_data && !triage.personal_data_persons && !triage.malicious) {
    checks.Add(FieldError("triage", "変更する項目を指定してください", "give at least one field"));
  }
  if (triage.severity) checks.Add(CheckOneOf(*triage.severity, "severity", SeverityIds()));
  if (triage.affected_assets) {
    if (triage.affected_assets->size() > kMaxAssets) {
      checks.Add(FieldError("affected_assets",
                            "情報資産は " + std::to_string(kMaxAssets) + " 件までです",
                            "at most " + std::to_string(kMaxAssets) + " assets"));
    }
    for (std::size_t i = 0; i < triage.affected_assets->size(); ++i) {
      checks.Add(CheckText((*triage.affected_assets)[i],
                           "affected_assets[" + std::to_string(i) + "]", kMaxName));
    }
  }
  if (triage.people_affected && *triage.people_affected < 0) {
    checks.Add(FieldError("people_affected", "0 以上の数です", "must be 0 or more"));
  }
  if (triage.personal_data_persons && *triage.personal_data_persons < 0) {
    checks.Add(FieldError("personal_data_persons", "0 以上の数です", "must be 0 or more"));
  }
  if (triage.personal_data && !*triage.personal_data && triage.personal_data_persons &&
      *triage.personal_data_persons > 0) {
    checks.Add(FieldError("personal_data_persons", "個人情報が含まれない場合、人数は指定できません",
                          "no number of persons without personal data"));
  }
  MAMORI_TRY_STATUS(checks.Done());
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(auto incident, LoadOpen(ledger, id));
    MAMORI_TRY_STATUS(AuthorizeOnIncident(ledger, actor, incident, IncidentHandlers(), false,
                                          "トリアージ", "triage"));
    if (triage.severity) incident.severity = *triage.severity;
    if (triage.people_affected) incident.people_affected = *triage.people_affected;
    if (triage.personal_data) incident.personal_data = *triage.personal_data;
    if (triage.personal_data_persons)
      incident.personal_data_persons = *triage.personal_data_persons;
    if (triage.malicious) incident.malicious = *triage.malicious;
    if (!incident.personal_data) {
      if (incident.personal_data_persons > 0) {
        return FieldError("personal_data_persons", "個人情報が含まれない場合、人数は指定できません",
                          "no number of persons without personal data");
      }
      if (!incident.ppc_prompt_at.empty() || !incident.ppc_final_at.empty()) {
        return FieldError(
            "personal_data",
            "個人情報保護委員会への報告が記録済みのため「個人情報なし」にはできません",
            "a report to the PPC is recorded: personal data cannot be unset");
      }
    }
    const storage::Value people =
        incident.people_affected ? storage::Value(*incident.people_affected) : storage::Null();
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE incidents SET severity = ?, people_affected = ?, personal_data = ?, "
        "personal_data_persons = ?, malicious = ?, triaged_by = ?, triaged_at = ? WHERE id = ?",
        {incident.severity, people, std::int64_t{incident.personal_data ? 1 : 0},
         incident.personal_data_persons, std::int64_t{incident.malicious ? 1 : 0}, actor_code,
         FormatUtc(ledger.Now()), id}));
    if (triage.affected_assets) {
      MAMORI_TRY_STATUS(
          ledger.Db().Execute("DELETE FROM incident_assets WHERE incident_id = ?", {id}));
      for (const auto& asset : *triage.affected_assets) {
        MAMORI_TRY_STATUS(ledger.Db().Execute(
            "INSERT INTO incident_assets (incident_id, asset) VALUES (?, ?)", {id, asset}));
      }
    }
    return RecordEvent(ledger, actor_code, "incident.triage", id);
  });
}

Status AddTimeline(Ledger& ledger, const std::string& actor_code, std::int64_t id,
                   const std::string& at, const std::string& text) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(actor_code, "actor"))
                        .Add(CheckId(id))
                        .Add(CheckTimeField(at, "at"))
                        .Add(CheckText(text, "text", kMaxText, false, true))
                        .Done());
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(const auto incident, LoadOpen(ledger, id));
    MAMORI_TRY_STATUS(AuthorizeOnIncident(ledger, actor, incident, IncidentHandlers(), true,
                                          "経過の記録", "add to the timeline"));
    MAMORI_TRY(const auto when, TimeOrNow(ledger, at, "at"));
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "INSERT INTO incident_timeline (incident_id, at, person_id, text, recorded_at) VALUES "
        "(?, ?, ?, ?, ?)",
        {id, when, actor.id, text, FormatUtc(ledger.Now())}));
    return RecordEvent(ledger, actor_code, "incident.timeline", id);
  });
}

namespace {

// 5.3(3)①: the chief officer investigates the cause with the section's
// manager and the 統一的な窓口, and works out the measures.
const std::vector<Role>& CauseRoles() {
  static const std::vector<Role> kRoles{Role::kChiefOfficer, Role::kDeputyChiefOfficer,
                                        Role::kManager, Role::kCsirt};
  return kRoles;
}

Status SetText(Ledger& ledger, const std::string& actor_code, std::int64_t id,
               const std::string& text, const std::string& column, const std::string& action,
               const std::string& what_ja, const std::string& what_en) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(actor_code, "actor"))
                        .Add(CheckId(id))
                        .Add(CheckText(text, "text", kMaxText, false, true))
                        .Done());
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(const auto incident, LoadOpen(ledger, id));
    MAMORI_TRY_STATUS(
        AuthorizeOnIncident(ledger, actor, incident, CauseRoles(), false, what_ja, what_en));
    // `column` is one of two fixed names, never user input.
    MAMORI_TRY_STATUS(ledger.Db().Execute("UPDATE incidents SET " + column + " = ?, " + column +
                                              "_by = ?, " + column + "_at = ? WHERE id = ?",
                                          {text, actor_code, FormatUtc(ledger.Now()), id}));
    return RecordEvent(ledger, actor_code, action, id);
  });
}

}  // namespace

Status SetCause(Ledger& ledger, const std::string& actor, std::int64_t id,
                const std::string& text) {
  return SetText(ledger, actor, id, text, "cause", "incident.cause", "原因の記録",
                 "record the cause");
}

Status SetMeasure(Ledger& ledger, const std::string& actor, std::int64_t id,
                  const std::string& text) {
  return SetText(ledger, actor, id, text, "measure", "incident.measure", "再発防止策の記録",
                 "record the measure");
}

Status Disclose(Ledger& ledger, const std::string& actor_code, std::int64_t id,
                const std::string& decision, const std::string& reason) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(actor_code, "actor"))
                        .Add(CheckId(id))
                        .Add(CheckOneOf(decision, "decision", {"publish", "withhold"}))
                        .Add(CheckText(reason, "reason", kMaxText, false, true))
                        .Done());
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(const auto incident, LoadOpen(ledger, id));
    // 1(4)③: the 統一的な窓口 decides on notifying the press and publishing;
    // the CISO may decide in its stead.
    MAMORI_TRY_STATUS(AuthorizeOnIncident(ledger, actor, incident, {Role::kCsirt, Role::kCiso},
                                          false, "公表の判断", "decide on disclosure"));
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE incidents SET disclosure = ?, disclosure_reason = ?, disclosure_by = ?, "
        "disclosure_at = ? WHERE id = ?",
        {decision, reason, actor_code, FormatUtc(ledger.Now()), id}));
    return RecordEvent(ledger, actor_code, "incident.disclose", id);
  });
}

Status RecordPpcReport(Ledger& ledger, const std::string& actor_code, std::int64_t id,
                       const std::string& kind, const std::string& at) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(actor_code, "actor"))
                        .Add(CheckId(id))
                        .Add(CheckOneOf(kind, "kind", {"prompt", "final"}))
                        .Add(CheckTimeField(at, "at"))
                        .Done());
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(const auto incident, LoadOpen(ledger, id));
    MAMORI_TRY_STATUS(AuthorizeOnIncident(
        ledger, actor, incident,
        {Role::kCsirt, Role::kChiefOfficer, Role::kDeputyChiefOfficer, Role::kCiso}, false,
        "個人情報保護委員会への報告の記録", "record a report to the PPC"));
    if (!incident.personal_data) {
      return FieldError(
          "kind",
          "個人情報が含まれるインシデントではありません（先にトリアージで personal_data を設定）",
          "the incident involves no personal data (set it in triage first)");
    }
    const bool prompt = kind == "prompt";
    if (!(prompt ? incident.ppc_prompt_at : incident.ppc_final_at).empty()) {
      return FieldError("kind", std::string(prompt ? "速報" : "確報") + "は記録済みです",
                        kind + " report already recorded");
    }
    MAMORI_TRY(const auto when, TimeOrNow(ledger, at, "at"));
    if (when < incident.aware_at) {
      return FieldError("at", "認知した日時より前の報告日時です",
                        "before the incident became known");
    }
    if (prompt) {
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE incidents SET ppc_prompt_at = ?, ppc_prompt_by = ? WHERE id = ?",
          {when, actor_code, id}));
    } else {
      if (!incident.ppc_prompt_at.empty() && when < incident.ppc_prompt_at) {
        return FieldError("at", "確報の日時が速報より前です",
                          "the final report precedes the prompt one");
      }
      // One report may serve as both 速報 and 確報 when everything is known
      // at once (個人情報保護委員会 guidelines).
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE incidents SET ppc_final_at = ?, ppc_final_by = ? WHERE id = ?",
          {when, actor_code, id}));
      if (incident.ppc_prompt_at.empty()) {
        MAMORI_TRY_STATUS(ledger.Db().Execute(
            "UPDATE incidents SET ppc_prompt_at = ?, ppc_prompt_by = ? WHERE id = ?",
            {when, actor_code, id}));
      }
    }
    return RecordEvent(ledger, actor_code, "incident.ppc_report", id);
  });
}

Status Close(Ledger& ledger, const std::string& actor_code, std::int64_t id) {
  MAMORI_TRY_STATUS(Checks().Add(CheckCode(actor_code, "actor")).Add(CheckId(id)).Done());
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(const auto incident, LoadOpen(ledger, id));
    MAMORI_TRY_STATUS(AuthorizeOnIncident(
        ledger, actor, incident,
        {Role::kCiso, Role::kChiefOfficer, Role::kDeputyChiefOfficer, Role::kCsirt}, false,
        "クローズ", "close"));
    // 5.3(3)①: the cause is investigated and recorded and the recurrence
    // prevention measures worked out before the incident is done with.
    std::vector<Diagnostic> missing;
    if (incident.cause.empty()) {
      missing.push_back({{"", 0, "cause"},
                         "原因が記録されていないためクローズできません（5.3(3)①）",
                         "cannot close: no cause recorded (5.3(3)①)"});
    }
    if (incident.measure.empty()) {
      missing.push_back({{"", 0, "measure"},
                         "再発防止策が記録されていないためクローズできません（5.3(3)①）",
                         "cannot close: no recurrence prevention measure recorded (5.3(3)①)"});
    }
    if (incident.personal_data && incident.ppc_final_at.empty()) {
      missing.push_back({{"", 0, "ppc_final"},
                         "個人情報保護委員会への確報が記録されていないためクローズできません"
                         "（個人情報保護法 第68条第1項）",
                         "cannot close: the final report to the PPC is not recorded (APPI "
                         "art. 68(1))"});
    }
    if (!missing.empty()) return Error(ErrorCode::kInvalidArgument, missing);
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE incidents SET state = 'closed', closed_at = ?, closed_by = ? WHERE id = ?",
        {FormatUtc(ledger.Now()), actor_code, id}));
    return RecordEvent(ledger, actor_code, "incident.close", id);
  });
}

Result<Incident> GetIncident(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY_STATUS(CheckId(id));
  return Load(ledger, id);
}

Result<std::vector<Incident>> ListIncidents(Ledger& ledger, const ListFilter& filter) {
  if (!filter.severity.empty()) {
    MAMORI_TRY_STATUS(CheckOneOf(filter.severity, "severity", SeverityIds()));
  }
  std::string sql = "SELECT id FROM incidents WHERE 1 = 1";
  storage::Params params;
  if (filter.open_only) sql += " AND state = 'open'";
  if (!filter.severity.empty()) {
    sql += " AND severity = ?";
    params.emplace_back(filter.severity);
  }
  MAMORI_TRY(const auto rows, ledger.Db().Query(sql + " ORDER BY id", params));
  std::vector<Incident> result;
  result.reserve(rows.size());
  for (const auto& row : rows) {
    MAMORI_TRY(auto incident, Load(ledger, row.Int(0)));
    result.push_back(std::move(incident));
  }
  return result;
}

Result<std::vector<OverdueReport>> ListOverduePpcReports(Ledger& ledger) {
  // Closed incidents have their final report made (Close refuses otherwise),
  // so only open ones with personal data can be overdue.
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT id FROM incidents WHERE personal_data = 1 AND state = "
                               "'open' ORDER BY id"));
  const std::string today = TodayJst(ledger);
  std::vector<OverdueReport> result;
  for (const auto& row : rows) {
    MAMORI_TRY(const auto incident, Load(ledger, row.Int(0)));
    for (const auto& report : PpcReports(ledger, incident)) {
      if (!report.overdue) continue;
      result.push_back(
          {incident.id, incident.summary, report, DaysBetween(report.deadline, today)});
    }
  }
  return result;
}

}  // namespace mamori::ledger::incident
