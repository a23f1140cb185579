// The audit log (6.1(6)): read and verify; and training (5.2).
#include "audit/audit_key.h"
#include "audit/audit_log.h"
#include "ledger/incident/training.h"
#include "server/api.h"
#include "server/routes.h"

namespace mamori::server {

namespace {

// The log is read by those who administer everything and by auditors
// (監査人); it holds every unit's events, so an auditor's own unit is not
// hidden from them here — the log is evidence, not a register.
bool CanReadAuditLog(const Viewer& viewer) { return viewer.SeesAll() || viewer.IsAuditor(); }

}  // namespace

Result<Json> TrainingOverdueJson(ledger::Ledger& ledger, const Viewer& viewer) {
  MAMORI_TRY(auto overdue, ledger::incident::ListOverdueAttendance(ledger));
  Json out = Json::array();
  for (const auto& item : overdue) {
    for (const auto& person : item.missing) {
      if (person.code != viewer.person.code &&
          !viewer.CanWrite(person.section_code, person.department_code) &&
          !(viewer.IsAuditor() && person.department_code != viewer.person.department_code)) {
        continue;
      }
      out.push_back({{"person", person.code},
                     {"name", person.name},
                     {"section", person.section_code},
                     {"session", item.session.id},
                     {"title", item.session.title},
                     {"date", item.session.date}});
    }
  }
  return out;
}

void Api::AddAuditRoutes() {
  Add({.method = "GET",
       .path = "/audit/events",
       .summary_ja = "監査ログ（新しい順、before で遡る）",
       .who = "ciso, chief_officer, deputy_chief_officer, auditor",
       .handler = [](Call& call) -> Result<Reply> {
         if (!CanReadAuditLog(call.Who())) return Forbidden();
         MAMORI_TRY(const std::int64_t before,
                    QueryNumber(call, "before", std::numeric_limits<std::int64_t>::max() / 2,
                                std::numeric_limits<std::int64_t>::max() / 2));
         MAMORI_TRY(const std::int64_t limit, QueryNumber(call, "limit", 50, 500));
         Fields query(Json{{"type", call.Query("type")}, {"actor", call.Query("actor")}});
         const std::string type = query.Text("type", "種別", 64, false);
         const std::string actor = query.Text("actor", "実施者", 64, false);
         MAMORI_TRY_STATUS(query.Finish());
         MAMORI_TRY(const auto rows,
                    call.ledger->Db().Query(
                        "SELECT seq, time_utc, actor, action, object_type, object_id, state "
                        "FROM audit_events WHERE seq < ? AND (? = '' OR action = ?) AND "
                        "(? = '' OR actor = ?) ORDER BY seq DESC LIMIT ?",
                        {before, type, type, actor, actor, limit}));
         Json events = Json::array();
         for (const auto& row : rows) {
           Json state = Json::parse(row.Text(6), nullptr, false);
           events.push_back({{"seq", row.Int(0)},
                             {"time", row.Text(1)},
                             {"actor", row.Text(2)},
                             {"type", row.Text(3)},
                             {"object_type", row.Text(4)},
                             {"object_id", row.Text(5)},
                             {"state", state.is_discarded() ? Json(row.Text(6)) : state}});
         }
         MAMORI_TRY(const auto last, call.ledger->Audit().LastSeq());
         return JsonReply({{"events", std::move(events)}, {"last_seq", last}});
       }});

  Add({.method = "POST",
       .path = "/audit/verify",
       .summary_ja = "監査ログの検証（ハッシュチェーンと署名）",
       .who = "ciso, chief_officer, deputy_chief_officer, auditor",
       .handler = [](Call& call) -> Result<Reply> {
         if (!CanReadAuditLog(call.Who())) return Forbidden();
         MAMORI_TRY(const auto key, audit::ReadVerifyingKey(call.ledger->Paths().key));
         MAMORI_TRY(const auto report,
                    audit::Verify(call.ledger->Db(), key, call.ledger->Paths().checkpoints));
         Json out{{"ok", report.ok},
                  {"events", report.events},
                  {"checkpoints", report.checkpoints},
                  {"last_checkpoint_seq", report.last_checkpoint_seq},
                  {"unanchored_events", report.unanchored_events}};
         if (report.first_bad_seq) out["first_bad_seq"] = *report.first_bad_seq;
         out["message"] = report.ok ? "監査ログは改ざんされていません（" +
                                          std::to_string(report.events) + " 件）"
                                    : report.problem_ja;
         out["message_en"] = report.ok ? "the audit log verifies" : report.problem_en;
         return JsonReply(std::move(out));
       }});

  Add({.method = "GET",
       .path = "/training/sessions",
       .summary_ja = "研修・訓練（5.2）",
       .who = "signed in",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto sessions, ledger::incident::ListSessions(*call.ledger));
         Json out = Json::array();
         for (const auto& session : sessions) out.push_back(ledger::incident::SessionJson(session));
         return JsonReply(std::move(out));
       }});

  Add({.method = "GET",
       .path = "/training/overdue",
       .summary_ja = "研修の未受講者（見える範囲）",
       .who = "signed in; managers see their sections, staff themselves",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(Json out, TrainingOverdueJson(*call.ledger, call.Who()));
         return JsonReply(std::move(out));
       }});
}

}  // namespace mamori::server
