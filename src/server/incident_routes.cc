// Incidents (5.3): staff reports, the residents' public form (5.3(2)), and
// the handling steps. src/ledger/incident decides who may triage, escalate
// and close; these routes add who may see what.
#include "ledger/incident/incident.h"
#include "ledger/org.h"
#include "server/api.h"
#include "server/routes.h"

namespace mamori::server {

namespace incident = ledger::incident;

bool CanSeeIncident(const Viewer& viewer, const incident::Incident& item) {
  if (item.reporter == viewer.person.code && item.source == "staff") return true;
  if (viewer.IsCsirt() || viewer.CanWrite(item.section, item.department)) return true;
  return viewer.IsAuditor() && item.department != viewer.person.department_code;
}

namespace {

Result<incident::Incident> VisibleIncident(Call& call) {
  MAMORI_TRY(const std::int64_t id, IdParam(call.params[0], "インシデント"));
  auto item = incident::GetIncident(*call.ledger, id);
  if (!item.Ok() || !CanSeeIncident(call.Who(), *item)) {
    if (item.Ok() || item.Err().Code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNotFound, "インシデント " + std::to_string(id) + " はありません",
                   "no incident " + std::to_string(id));
    }
    return item.Err();
  }
  return item;
}

Result<Reply> IncidentReply(ledger::Ledger& ledger, std::int64_t id, int status = 200) {
  MAMORI_TRY(auto item, incident::GetIncident(ledger, id));
  Json out = incident::IncidentJson(item);
  out["ppc_reports"] = incident::PpcReportsJson(incident::PpcReports(ledger, item));
  return JsonReply(std::move(out), status);
}

// Who receives the residents' reports: the 統一的な窓口 (CSIRT), else the
// chief officer (5.3(2)①).
Result<std::string> PublicIntake(ledger::Ledger& ledger) {
  MAMORI_TRY(auto roles, ledger::ListRoles(ledger));
  const std::string today = ledger::TodayJst(ledger);
  for (const auto role : {policy::Role::kCsirt, policy::Role::kChiefOfficer}) {
    for (const auto& assignment : roles) {
      if (assignment.role != role || assignment.start_date > today) continue;
      if (!assignment.end_date.empty() && assignment.end_date < today) continue;
      auto person = ledger::FindActivePerson(ledger, assignment.person_code, "intake");
      if (person.Ok()) return person->code;
    }
  }
  return Error(ErrorCode::kInternal, "報告の受付担当（CSIRT）が組織台帳にいません",
               "no CSIRT or chief officer to receive public reports");
}

}  // namespace

void Api::AddIncidentRoutes() {
  Add({.method = "GET",
       .path = "/incidents",
       .summary_ja = "インシデントの一覧",
       .who = "reporters (own), managers (their units), CSIRT, auditors of other units",
       .handler = [](Call& call) -> Result<Reply> {
         incident::ListFilter filter;
         filter.open_only = call.Query("status") == "open";
         filter.severity = call.Query("severity");
         if (!filter.severity.empty() && !incident::ParseSeverity(filter.severity)) {
           return Error(ErrorCode::kInvalidArgument, "重大度の指定が正しくありません",
                        "unknown severity", Where{"", 0, "severity"});
         }
         MAMORI_TRY(auto items, incident::ListIncidents(*call.ledger, filter));
         Json out = Json::array();
         for (auto it = items.rbegin(); it != items.rend(); ++it) {
           if (CanSeeIncident(call.Who(), *it)) out.push_back(incident::IncidentJson(*it));
         }
         return JsonReply(std::move(out));
       }});

  Add({.method = "POST",
       .path = "/incidents",
       .summary_ja = "インシデントの報告（職員、5.3(1)）",
       .who = "signed in",
       .handler = [](Call& call) -> Result<Reply> {
         Fields fields(call.json);
         incident::StaffReport report;
         report.summary = fields.Text("summary", "件名", 200, true);
         report.description = fields.Text("description", "内容", 4000, true, true);
         report.section = fields.Text("section", "課室等", 64, false);
         report.aware_at = fields.Text("aware_at", "認知日時", 40, false);
         MAMORI_TRY_STATUS(fields.Finish());
         MAMORI_TRY(const auto id,
                    incident::ReportByStaff(*call.ledger, call.Who().person.code, report));
         return IncidentReply(*call.ledger, id, 201);
       }});

  Add({.method = "GET",
       .path = "/incidents/{id}",
       .summary_ja = "インシデントの詳細",
       .who = "as the list",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto item, VisibleIncident(call));
         return IncidentReply(*call.ledger, item.id);
       }});

  Add({.method = "POST",
       .path = "/incidents/{id}/triage",
       .summary_ja = "トリアージ（重大度・影響・個人情報）",
       .who = "CSIRT, the section's manager, the officer, the chief officer",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto item, VisibleIncident(call));
         Fields fields(call.json);
         incident::Triage triage;
         if (call.json.contains("severity")) {
           triage.severity =
               fields.Choice("severity", "重大度", {"low", "medium", "high", "critical"}, true);
         }
         if (call.json.contains("affected_assets")) {
           triage.affected_assets =
               fields.TextList("affected_assets", "影響を受けた情報資産", 100, 64);
         }
         if (auto n = fields.Integer("people_affected", "影響人数", 0, 100000000, false)) {
           triage.people_affected = *n;
         }
         triage.personal_data = fields.Bool("personal_data", "個人情報の有無");
         if (auto n = fields.Integer("personal_data_persons", "本人の数", 0, 100000000, false)) {
           triage.personal_data_persons = *n;
         }
         triage.malicious = fields.Bool("malicious", "不正の目的の有無");
         MAMORI_TRY_STATUS(fields.Finish());
         MAMORI_TRY_STATUS(
             incident::SetTriage(*call.ledger, call.Who().person.code, item.id, triage));
         return IncidentReply(*call.ledger, item.id);
       }});

  Add({.method = "POST",
       .path = "/incidents/{id}/timeline",
       .summary_ja = "経過の記録",
       .who = "as triage",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto item, VisibleIncident(call));
         Fields fields(call.json);
         const std::string text = fields.Text("text", "経過", 4000, true, true);
         const std::string at = fields.Text("at", "日時", 40, false);
         MAMORI_TRY_STATUS(fields.Finish());
         MAMORI_TRY_STATUS(
             incident::AddTimeline(*call.ledger, call.Who().person.code, item.id, at, text));
         return IncidentReply(*call.ledger, item.id);
       }});

  for (const std::string part : {"cause", "measure"}) {
    Add({.method = "POST",
         .path = "/incidents/{id}/" + part,
         .summary_ja = part == "cause" ? "原因の記録（5.3(3)①）" : "再発防止策の記録（5.3(3)①）",
         .who = "as triage",
         .handler = [part](Call& call) -> Result<Reply> {
           MAMORI_TRY(auto item, VisibleIncident(call));
           Fields fields(call.json);
           const std::string text =
               fields.Text("text", part == "cause" ? "原因" : "再発防止策", 4000, true, true);
           MAMORI_TRY_STATUS(fields.Finish());
           const std::string& me = call.Who().person.code;
           MAMORI_TRY_STATUS(part == "cause"
                                 ? incident::SetCause(*call.ledger, me, item.id, text)
                                 : incident::SetMeasure(*call.ledger, me, item.id, text));
           return IncidentReply(*call.ledger, item.id);
         }});
  }

  Add({.method = "POST",
       .path = "/incidents/{id}/escalate",
       .summary_ja = "上位へ報告（5.3(1)）",
       .who = "the current step's holders",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto item, VisibleIncident(call));
         Fields fields(call.json);
         const std::string note = fields.Text("note", "備考", 1000, false, true);
         const auto level = fields.Integer("level", "報告先の段階", 1, 6, false);
         MAMORI_TRY_STATUS(fields.Finish());
         std::optional<int> to_level;
         if (level) to_level = static_cast<int>(*level);
         MAMORI_TRY_STATUS(
             incident::Escalate(*call.ledger, call.Who().person.code, item.id, to_level, note));
         return IncidentReply(*call.ledger, item.id);
       }});

  Add({.method = "POST",
       .path = "/incidents/{id}/disclose",
       .summary_ja = "公表の判断（1(4)③）",
       .who = "CSIRT, CISO",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto item, VisibleIncident(call));
         Fields fields(call.json);
         const std::string decision =
             fields.Choice("decision", "公表の判断", {"publish", "withhold"}, true);
         const std::string reason = fields.Text("reason", "理由", 2000, true, true);
         MAMORI_TRY_STATUS(fields.Finish());
         MAMORI_TRY_STATUS(
             incident::Disclose(*call.ledger, call.Who().person.code, item.id, decision, reason));
         return IncidentReply(*call.ledger, item.id);
       }});

  Add({.method = "POST",
       .path = "/incidents/{id}/close",
       .summary_ja = "完了（原因と再発防止策が必要）",
       .who = "as triage",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto item, VisibleIncident(call));
         MAMORI_TRY_STATUS(incident::Close(*call.ledger, call.Who().person.code, item.id));
         return IncidentReply(*call.ledger, item.id);
       }});

  Add({.method = "POST",
       .path = "/public/incidents",
       .summary_ja = "住民等からの報告（サインイン不要、5.3(2)）",
       .who = "anyone (rate-limited per address)",
       .access = Access::kPublic,
       .handler = [this](Call& call) -> Result<Reply> {
         Fields fields(call.json);
         incident::ExternalReport report;
         report.kind = fields.Choice("kind", "報告者の区分", {"resident", "other"}, true);
         report.name = fields.Text("name", "氏名", 100, true);
         report.contact = fields.Text("contact", "連絡先", 200, true);
         report.text = fields.Text("text", "内容", 4000, true, true);
         MAMORI_TRY_STATUS(fields.Finish());
         if (!AllowPublicReport(call.remote_addr)) {
           return ErrorReply(429, "too_many_requests",
                             "短時間に多くの報告を受け付けたため、しばらくしてから送信してください",
                             "too many reports from this address; try again later");
         }
         report.summary = report.kind == "resident" ? "住民からの報告（公開フォーム）"
                                                    : "外部からの報告（公開フォーム）";
         MAMORI_TRY(const std::string intake, PublicIntake(*call.ledger));
         // Recorded as the anonymous sender's (with the address and the
         // receipt number), not as the intake's: they did nothing yet.
         MAMORI_TRY(const auto id, incident::ReportFromPublicForm(*call.ledger, intake, report,
                                                                  call.remote_addr));
         return JsonReply({{"receipt", id},
                           {"message", "報告を受け付けました。受付番号: " + std::to_string(id)}},
                          201);
       }});
}

}  // namespace mamori::server
