// Permission requests (申請・承認), the approval inbox and exceptions (7.4).
// The workflow (src/ledger/workflow) decides, routes and enforces the
// separation of duties; these routes add who may see what.
#include <algorithm>

#include "ledger/workflow/exceptions.h"
#include "ledger/workflow/requests.h"
#include "server/api.h"
#include "server/routes.h"

namespace mamori::server {

namespace workflow = ledger::workflow;

bool CanSeeRequest(const Viewer& viewer, const workflow::RequestRecord& request) {
  if (request.requester == viewer.person.code) return true;
  for (const auto& step : request.steps) {
    if (std::find(step.routed_to.begin(), step.routed_to.end(), viewer.person.code) !=
        step.routed_to.end()) {
      return true;
    }
  }
  if (viewer.CanWrite(request.section, request.department)) return true;
  return viewer.IsAuditor() && request.department != viewer.person.department_code;
}

namespace {

// The roles the current step waits for, with the profile's titles (a role
// the profile defines, such as 情報システム管理者, has no title in the UI's
// built-in table), e.g. [{"id": "system_admin", "title": "情報システム管理者"}].
Json CurrentStepRoles(const ledger::Ledger& ledger, const workflow::RequestRecord& request) {
  Json out = Json::array();
  if (request.status != workflow::RequestStatus::kPending) return out;
  const auto step = static_cast<std::size_t>(request.current_step);
  if (step >= request.steps.size()) return out;
  const policy::Profile& profile = ledger.Profile();
  for (const std::string& id : request.steps[step].roles) {
    const auto role = profile.ParseRole(id);
    out.push_back({{"id", id}, {"title", role ? profile.RoleTitle(*role) : id}});
  }
  return out;
}

Result<Json> RequestWithApprovers(ledger::Ledger& ledger, const workflow::RequestRecord& request) {
  Json out = workflow::ToJson(request);
  out["current_step_roles"] = CurrentStepRoles(ledger, request);
  MAMORI_TRY(auto approvers, workflow::CurrentApprovers(ledger, request));
  out["current_approvers"] = Json::array();
  for (const auto& person : approvers) {
    out["current_approvers"].push_back({{"code", person.code}, {"name", person.name}});
  }
  return out;
}

// The request `id` when the viewer may see it; otherwise not_found, so that
// ids of other sections' requests are not confirmed.
Result<workflow::RequestRecord> VisibleRequest(Call& call) {
  MAMORI_TRY(const std::int64_t id, IdParam(call.params[0], "申請"));
  auto request = workflow::GetRequest(*call.ledger, id);
  if (!request.Ok() || !CanSeeRequest(call.Who(), *request)) {
    if (request.Ok() || request.Err().Code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNotFound, "申請 " + std::to_string(id) + " はありません",
                   "no request " + std::to_string(id));
    }
    return request.Err();
  }
  return request;
}

Result<Reply> RequestReply(ledger::Ledger& ledger, const Result<workflow::RequestRecord>& done) {
  if (!done.Ok()) return done.Err();
  MAMORI_TRY(Json out, RequestWithApprovers(ledger, *done));
  return JsonReply(std::move(out));
}

}  // namespace

void Api::AddRequestRoutes() {
  Add({.method = "GET",
       .path = "/requests",
       .summary_ja = "申請の一覧",
       .who = "signed in; scope=mine (default), section (managers), all (as visible)",
       .handler = [](Call& call) -> Result<Reply> {
         const std::string scope = call.Query("scope", "mine");
         const std::string status_text = call.Query("status");
         workflow::RequestFilter filter;
         if (!status_text.empty()) {
           filter.status = workflow::ParseRequestStatus(status_text);
           if (!filter.status) {
             return Error(ErrorCode::kInvalidArgument, "状態の指定が正しくありません",
                          "unknown status", Where{"", 0, "status"});
           }
         }
         if (scope == "mine") {
           filter.requester = call.Who().person.code;
         } else if (scope != "section" && scope != "all") {
           return Error(ErrorCode::kInvalidArgument, "範囲は mine, section, all のいずれかです",
                        "scope: mine|section|all", Where{"", 0, "scope"});
         }
         MAMORI_TRY(auto requests, workflow::ListRequests(*call.ledger, filter));
         Json out = Json::array();
         for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
           if (!CanSeeRequest(call.Who(), *it)) continue;
           if (scope == "section" && it->section != call.Who().person.section_code &&
               !call.Who().CanWrite(it->section, it->department)) {
             continue;
           }
           out.push_back(workflow::ToJson(*it));
         }
         return JsonReply(std::move(out));
       }});

  Add({.method = "POST",
       .path = "/requests",
       .summary_ja = "申請する（判定して承認者へ回付）",
       .who = "signed in (not auditors)",
       .handler = [](Call& call) -> Result<Reply> {
         if (call.Who().IsAuditor() && !call.Who().SeesAll()) {
           return Forbidden("監査人は申請できません（読み取り専用）", "auditors are read-only");
         }
         Fields fields(call.json);
         const std::string purpose = fields.Text("purpose", "目的", 2000, false, true);
         if (!call.json.contains("request") || !call.json["request"].is_object()) {
           fields.Fail("request", "申請内容を指定してください", "request must be an object");
         }
         MAMORI_TRY_STATUS(fields.Finish());
         MAMORI_TRY(Json request, ResolveAssetCode(*call.ledger, call.Who(), call.json["request"]));
         MAMORI_TRY(auto submitted,
                    workflow::SubmitRequest(*call.ledger, {.requester = call.Who().person.code,
                                                           .request_json = request.dump(),
                                                           .purpose = purpose}));
         MAMORI_TRY(Json out, RequestWithApprovers(*call.ledger, submitted));
         return JsonReply(std::move(out), 201);
       }});

  Add({.method = "GET",
       .path = "/requests/{id}",
       .summary_ja = "申請の詳細",
       .who = "the requester, its approvers, managers of its section, auditors of other units",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto request, VisibleRequest(call));
         return RequestReply(*call.ledger, request);
       }});

  for (const std::string verb : {"approve", "reject"}) {
    Add({.method = "POST",
         .path = "/requests/{id}/" + verb,
         .summary_ja = verb == "approve" ? "承認する" : "却下する",
         .who = "a current approver (never the requester: 兼務の禁止)",
         .handler = [verb](Call& call) -> Result<Reply> {
           MAMORI_TRY(auto request, VisibleRequest(call));
           // Only the people the current step waits for (never the
           // requester: 1(3)① 兼務の禁止); the workflow checks again.
           if (request.status == workflow::RequestStatus::kPending) {
             MAMORI_TRY(auto approvers, workflow::CurrentApprovers(*call.ledger, request));
             const bool mine = std::any_of(
                 approvers.begin(), approvers.end(),
                 [&call](const auto& person) { return person.code == call.Who().person.code; });
             if (!mine) {
               return Forbidden(request.requester == call.Who().person.code
                                    ? "申請者は自らの申請を承認・却下できません（1(3)① 兼務の禁止）"
                                    : "この申請の承認者ではありません",
                                "you are not an approver of this request");
             }
           }
           Fields fields(call.json);
           const std::string comment =
               fields.Text("comment", "コメント", 1000, verb == "reject", true);
           MAMORI_TRY_STATUS(fields.Finish());
           const std::string& me = call.Who().person.code;
           return RequestReply(
               *call.ledger, verb == "approve"
                                 ? workflow::ApproveRequest(*call.ledger, request.id, me, comment)
                                 : workflow::RejectRequest(*call.ledger, request.id, me, comment));
         }});
  }

  Add({.method = "POST",
       .path = "/requests/{id}/withdraw",
       .summary_ja = "申請を取り下げる",
       .who = "the requester",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto request, VisibleRequest(call));
         if (request.requester != call.Who().person.code) {
           return Forbidden("申請を取り下げられるのは申請者だけです",
                            "only the requester withdraws a request");
         }
         Fields fields(call.json);
         const std::string comment = fields.Text("comment", "理由", 1000, false, true);
         MAMORI_TRY_STATUS(fields.Finish());
         return RequestReply(
             *call.ledger,
             workflow::WithdrawRequest(*call.ledger, request.id, call.Who().person.code, comment));
       }});

  Add({.method = "POST",
       .path = "/requests/{id}/obligations/{obligation}",
       .summary_ja = "義務の記録（例: 廃棄の記録 2.2(9)②）",
       .who = "the requester, an approver or a manager of the section",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto request, VisibleRequest(call));
         Fields fields(call.json);
         const auto values = fields.TextMap("values", "記録内容", 1000);
         MAMORI_TRY_STATUS(fields.Finish());
         return RequestReply(*call.ledger, workflow::FillObligation(*call.ledger, request.id,
                                                                    call.Who().person.code,
                                                                    call.params[1], values));
       }});

  Add({.method = "GET",
       .path = "/inbox",
       .summary_ja = "承認待ち（自分が承認者。プロファイルが定める役割を含む）",
       .who = "signed in",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto waiting,
                    workflow::ListRequests(*call.ledger, {.waiting_for = call.Who().person.code}));
         Json out = Json::array();
         for (const auto& request : waiting) {
           Json item = workflow::ToJson(request);
           item["current_step_roles"] = CurrentStepRoles(*call.ledger, request);
           out.push_back(std::move(item));
         }
         return JsonReply(std::move(out));
       }});

  Add({.method = "GET",
       .path = "/exceptions",
       .summary_ja = "例外措置の記録（7.4(3)）",
       .who = "managers and above (their units), auditors of other units",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto exceptions, workflow::ListExceptions(*call.ledger));
         Json out = Json::array();
         for (const auto& request : exceptions) {
           if (CanSeeRequest(call.Who(), request)) out.push_back(workflow::ToJson(request));
         }
         return JsonReply(std::move(out));
       }});

  Add({.method = "POST",
       .path = "/exceptions/{id}/report",
       .summary_ja = "緊急時例外措置の事後報告（7.4(2)）",
       .who = "the manager who took the exception",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto request, VisibleRequest(call));
         if (request.requester != call.Who().person.code) {
           return Forbidden("事後報告は例外措置を取った者が行います（7.4(2)）",
                            "the one who took the exception reports it");
         }
         Fields fields(call.json);
         const std::string text = fields.Text("text", "報告内容", 4000, true, true);
         MAMORI_TRY_STATUS(fields.Finish());
         return RequestReply(*call.ledger, workflow::ReportException(*call.ledger, request.id,
                                                                     call.Who().person.code, text));
       }});

  Add({.method = "POST",
       .path = "/exceptions/{id}/review",
       .summary_ja = "例外措置の記録の点検（7.4(3)）",
       .who = "ciso, chief_officer",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto request, VisibleRequest(call));
         if (!call.Who().SeesAll()) {
           return Forbidden(
               "例外措置の記録の点検は最高情報セキュリティ責任者等が行います（7.4(3)）",
               "the CISO or the chief officer reviews exceptions");
         }
         Fields fields(call.json);
         const std::string comment = fields.Text("comment", "コメント", 1000, false, true);
         MAMORI_TRY_STATUS(fields.Finish());
         return RequestReply(
             *call.ledger,
             workflow::ReviewException(*call.ledger, request.id, call.Who().person.code, comment));
       }});
}

}  // namespace mamori::server
