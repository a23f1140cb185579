#include "ledger/workflow/requests.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "decide/decision_json.h"
#include "decide/engine.h"
#include "decide/request.h"
#include "ledger/validate.h"
#include "ledger/workflow/exceptions.h"
#include "ledger/workflow/internal.h"
#include "ledger/workflow/violations.h"

namespace mamori::ledger::workflow {

using internal::Json;

namespace {

struct StatusName {
  RequestStatus status;
  std::string_view id;
  std::string_view title_ja;
};
constexpr StatusName kStatusNames[] = {
    {RequestStatus::kPending, "pending", "承認待ち"},
    {RequestStatus::kApproved, "approved", "承認済み"},
    {RequestStatus::kCompleted, "completed", "完了"},
    {RequestStatus::kDenied, "denied", "不許可"},
    {RequestStatus::kRejected, "rejected", "却下"},
    {RequestStatus::kWithdrawn, "withdrawn", "取下げ"},
    {RequestStatus::kExpired, "expired", "期限切れ"},
};

std::string IdText(std::int64_t id) { return std::to_string(id); }

Error RequestError(std::string_view field, const std::string& ja, const std::string& en) {
  return Error(ErrorCode::kInvalidArgument, ja, en, {"", 0, std::string(field)});
}

// The submitted body: a JSON object, checked for size and nesting before it
// is parsed (the same limits as decide::ParseRequest), without an actor.
Result<Json> ParseBody(const std::string& text) {
  const decide::RequestLimits limits;
  if (text.size() > limits.max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "申請が大きすぎます（上限 " + std::to_string(limits.max_bytes) + " バイト）",
                 "request too large (limit " + std::to_string(limits.max_bytes) + " bytes)",
                 {"", 0, "request"});
  }
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > limits.max_depth) {
        return Error(ErrorCode::kLimitExceeded, "申請の入れ子が深すぎます",
                     "request nested too deeply", {"", 0, "request"});
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  Json body = Json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return RequestError("request", "申請は JSON のオブジェクトである必要があります",
                        "the request must be a JSON object");
  }
  if (body.contains("actor")) {
    return RequestError("request.actor",
                        "申請者（id・役割・課室等）は組織台帳から設定するため指定できません",
                        "the actor (id, roles, section) comes from the organization register and "
                        "may not be given");
  }
  return body;
}

Json ActorJson(const policy::Profile& profile, const Person& person,
               const std::vector<RoleAssignment>& roles) {
  std::vector<std::string> ids;
  for (const auto& assignment : roles) {
    std::string id = profile.RoleId(assignment.role);
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
  }
  return Json{{"id", person.code}, {"roles", ids}, {"section", person.section_code}};
}

// The clause that imposes `obligation` in this decision: the first clause of
// the first matched rule carrying it, else the network flow's.
std::string ObligationClause(const policy::Profile& profile, const decide::Decision& decision,
                             int obligation) {
  for (const std::uint16_t index : decision.matched_rules) {
    const policy::Rule& rule = profile.rules[index];
    if ((rule.obligations & (std::uint64_t{1} << obligation)) != 0 && !rule.clauses.empty()) {
      return rule.clauses.front();
    }
  }
  if (decision.flow != nullptr && !decision.flow->clause.empty()) return decision.flow->clause;
  return profile.network.clause;
}

// A system of distinct representatives: can every step have its own
// approver? Steps are few (a handful), so plain backtracking is enough.
bool Assignable(const std::vector<std::vector<std::string>>& candidates, std::size_t step,
                std::vector<std::string>& taken) {
  if (step == candidates.size()) return true;
  for (const auto& code : candidates[step]) {
    if (std::find(taken.begin(), taken.end(), code) != taken.end()) continue;
    taken.push_back(code);
    if (Assignable(candidates, step + 1, taken)) return true;
    taken.pop_back();
  }
  return false;
}

// A step's stored role ids (built-in or the profile's own); an id the
// current profile no longer defines routes to nobody.
std::vector<policy::Role> ParseRoles(const policy::Profile& profile,
                                     const std::vector<std::string>& ids) {
  std::vector<policy::Role> roles;
  for (const auto& id : ids) {
    if (const auto role = profile.ParseRole(id)) roles.push_back(*role);
  }
  return roles;
}

std::string StepRolesJa(const policy::Profile& profile, const std::vector<policy::Role>& roles,
                        const Section& section) {
  std::string out;
  for (const policy::Role role : roles) {
    if (!out.empty()) out += "又は";
    out += profile.RoleTitle(role) + "（" + internal::ScopeJa(profile, role, section) + "）";
  }
  return out;
}

std::string StepRolesEn(const policy::Profile& profile, const std::vector<policy::Role>& roles,
                        const Section& section) {
  std::string out;
  for (const policy::Role role : roles) {
    if (!out.empty()) out += " or ";
    out += profile.RoleId(role) + " (" + internal::ScopeEn(profile, role, section) + ")";
  }
  return out;
}

// A conflict (409 through the API): the request was decided, or moved on,
// since the caller saw it — e.g. another approver, on another server,
// acted first.
Error NotPending(const RequestRecord& request, const std::string& doing_ja,
                 const std::string& doing_en) {
  return Error(ErrorCode::kConflict,
               "申請 " + IdText(request.id) + " は「" + std::string(TitleJa(request.status)) +
                   "」のため" + doing_ja + "できません",
               "request " + IdText(request.id) + " is " + std::string(Id(request.status)) +
                   " and cannot be " + doing_en,
               {"", 0, "request"});
}

bool HasActed(const RequestRecord& request, const std::string& code) {
  return std::any_of(request.actions.begin(), request.actions.end(),
                     [&](const StepAction& action) { return action.person == code; });
}

Result<RequestRecord> Act(Ledger& ledger, std::int64_t id, const std::string& approver,
                          const std::string& comment, bool approve) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(approver, "approver"))
                        .Add(CheckText(comment, "comment", kMaxText, /*optional=*/approve,
                                       /*multiline=*/true))
                        .Done());
  RequestRecord result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto request, internal::LoadRequest(ledger, id));
    if (request.status != RequestStatus::kPending) {
      return approve ? NotPending(request, "承認", "approved") : NotPending(request, "却下", "rejected");
    }
    const std::string now = internal::NowUtc(ledger);
    if (!request.expires_at.empty() && now >= request.expires_at) {
      MAMORI_TRY(const auto due, ParseTime(request.expires_at, "expires_at"));
      return RequestError("request",
                          "申請 " + IdText(id) + " は期限（" + FormatJst(due) +
                              "）を過ぎているため承認・却下できません",
                          "request " + IdText(id) + " expired at " + request.expires_at +
                              " and can no longer be approved or rejected");
    }
    MAMORI_TRY(const auto person, internal::ActivePerson(ledger, approver, "approver"));
    MAMORI_TRY_STATUS(internal::NotSuspended(ledger, person, "承認・却下", "approve or reject"));
    // 1(3)① 兼務の禁止: the requester and the approver are never the same person.
    if (person.code == request.requester) {
      return RequestError("approver",
                          "申請者は自らの申請を承認・却下できません（1(3)① 兼務の禁止）",
                          "the requester may not approve or reject their own request "
                          "(1(3)① separation of duties)");
    }
    // Each step is a separate check by a separate post; one person taking
    // two steps would turn two checks into one (docs/workflows.md).
    if (HasActed(request, person.code)) {
      return RequestError("approver",
                          "職員「" + person.code +
                              "」はこの申請の前の段階を承認しています。同じ者が複数の段階を承認することはできません（1(3)① 兼務の禁止）",
                          "person \"" + person.code +
                              "\" approved an earlier step of this request; one person may not "
                              "take two steps (1(3)① separation of duties)");
    }
    const auto step_index = static_cast<std::size_t>(request.current_step);
    if (step_index >= request.steps.size()) {
      return Error(ErrorCode::kInternal, "申請の段階が不正です", "request step out of range");
    }
    const auto roles = ParseRoles(ledger.Profile(), request.steps[step_index].roles);
    MAMORI_TRY(const auto section, FindSection(ledger, request.section));
    MAMORI_TRY(const auto role, internal::HeldRole(ledger, person, roles, section));
    if (!role) {
      return RequestError(
          "approver",
          "職員「" + person.code + "」は段階 " + std::to_string(step_index + 1) +
              " の承認者ではありません（必要な役割: " +
              StepRolesJa(ledger.Profile(), roles, section) + "）",
          "person \"" + person.code + "\" may not take step " + std::to_string(step_index + 1) +
              " (needs " + StepRolesEn(ledger.Profile(), roles, section) + ")");
    }
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "INSERT INTO request_actions (request_id, step, person_id, role, decision, comment, "
        "time_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {id, static_cast<std::int64_t>(step_index), person.id, ledger.Profile().RoleId(*role),
         std::string(approve ? "approve" : "reject"), comment, now}));
    if (!approve) {
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE requests SET status = 'rejected', decided_at = ? WHERE id = ?", {now, id}));
    } else if (step_index + 1 == request.steps.size()) {
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE requests SET status = 'approved', decided_at = ? WHERE id = ?", {now, id}));
    } else {
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE requests SET current_step = ? WHERE id = ?",
          {static_cast<std::int64_t>(step_index + 1), id}));
    }
    MAMORI_TRY(result, internal::RecordRequest(ledger, person.code,
                                               approve ? "request.approve" : "request.reject", id));
    return OkStatus();
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

}  // namespace

std::string_view Id(RequestStatus status) {
  for (const auto& name : kStatusNames) {
    if (name.status == status) return name.id;
  }
  return "";
}

std::string_view TitleJa(RequestStatus status) {
  for (const auto& name : kStatusNames) {
    if (name.status == status) return name.title_ja;
  }
  return "";
}

std::optional<RequestStatus> ParseRequestStatus(std::string_view id) {
  for (const auto& name : kStatusNames) {
    if (name.id == id) return name.status;
  }
  return std::nullopt;
}

int RequestExpiryDays(const policy::Profile& profile) {
  return profile.deadlines.request_expiry_days > 0 ? profile.deadlines.request_expiry_days
                                                   : kDefaultRequestExpiryDays;
}

std::vector<FieldSpec> ObligationFields(policy::Action action, policy::Obligation obligation) {
  using policy::Obligation;
  constexpr FieldSpec kDate{"date", FieldKind::kDate, "日付"};
  constexpr FieldSpec kPerson{"person", FieldKind::kPerson, "担当者"};
  switch (obligation) {
    case Obligation::kRecord:
      if (action == policy::Action::kException) {
        // 7.4(3) 例外措置の記録: what was done instead of the rule.
        return {kDate, kPerson, {"measure", FieldKind::kText, "講じた例外措置の内容"}};
      }
      // 2.2(9)② 日時、担当者及び処理内容; 5.1(1)⑤ 持ち出しの記録.
      return {kDate, kPerson, {"method", FieldKind::kText, "処理内容"}};
    case Obligation::kEraseIrrecoverably:
      return {kDate, kPerson, {"method", FieldKind::kText, "復元できない処理の方法"}};
    case Obligation::kReportAfterwards:
      return {kDate, kPerson, {"report", FieldKind::kText, "報告の内容"}};
    case Obligation::kTimeLimited:
      return {kPerson, {"until", FieldKind::kDate, "期限"}};
    case Obligation::kTwoPerson:
      return {kDate, kPerson, {"second_person", FieldKind::kPerson, "もう一人の担当者"}};
    case Obligation::kWitness:
      return {kDate, kPerson, {"witness", FieldKind::kPerson, "立会者"}};
    default:
      return {kDate, kPerson, {"method", FieldKind::kText, "実施内容"}};
  }
}

Json ToJson(const RequestRecord& request) {
  Json steps = Json::array();
  for (const auto& step : request.steps) {
    steps.push_back({{"step", step.index + 1}, {"roles", step.roles}, {"routed_to", step.routed_to}});
  }
  Json actions = Json::array();
  for (const auto& action : request.actions) {
    actions.push_back({{"step", action.step + 1},
                       {"person", action.person},
                       {"role", action.role},
                       {"decision", action.decision},
                       {"comment", action.comment},
                       {"time", action.time_utc}});
  }
  Json obligations = Json::array();
  for (const auto& record : request.obligations) {
    Json item{{"obligation", record.obligation},
              {"fields", record.fields},
              {"clause", record.clause},
              {"filled", record.Filled()}};
    if (record.Filled()) {
      item["values"] = record.values;
      item["filled_by"] = record.filled_by;
      item["filled_at"] = record.filled_at;
    }
    obligations.push_back(std::move(item));
  }
  Json out{{"id", request.id},
           {"requester", request.requester},
           {"requester_name", request.requester_name},
           {"section", request.section},
           {"department", request.department},
           {"action", request.action},
           {"purpose", request.purpose},
           {"status", std::string(Id(request.status))},
           {"effect", request.effect},
           {"request", Json::parse(request.request_json, nullptr, false)},
           {"decision", Json::parse(request.decision_json, nullptr, false)},
           {"profile", {{"id", request.profile_id}, {"digest", request.profile_digest}}},
           {"current_step", request.status == RequestStatus::kPending ? request.current_step + 1 : 0},
           {"steps", std::move(steps)},
           {"actions", std::move(actions)},
           {"obligations", std::move(obligations)},
           {"submitted_at", request.submitted_at},
           {"expires_at", request.expires_at},
           {"decided_at", request.decided_at},
           {"completed_at", request.completed_at}};
  if (!request.withdraw_reason.empty()) out["withdraw_reason"] = request.withdraw_reason;
  if (request.exception) {
    const ExceptionInfo& info = *request.exception;
    Json reviews = Json::array();
    for (const auto& review : info.reviews) {
      reviews.push_back({{"reviewer", review.reviewer},
                         {"role", review.role},
                         {"comment", review.comment},
                         {"time", review.time_utc}});
    }
    out["exception"] = {{"emergency", info.emergency},
                        {"report_due", info.report_due},
                        {"reported_by", info.reported_by},
                        {"reported_at", info.reported_at},
                        {"reported_to", info.reported_to},
                        {"report", info.report_text},
                        {"reviews", std::move(reviews)}};
  }
  return out;
}

namespace internal {

Result<RequestRecord> LoadRequest(Ledger& ledger, std::int64_t id) {
  auto& db = ledger.Db();
  MAMORI_TRY(const auto rows,
             db.Query("SELECT r.id, p.code, p.name, s.code, d.code, r.action, r.purpose, r.status, "
                      "r.effect, r.request_json, r.decision_json, r.profile_id, r.profile_digest, "
                      "r.current_step, r.submitted_at, coalesce(r.expires_at, ''), "
                      "coalesce(r.decided_at, ''), coalesce(r.completed_at, ''), "
                      "coalesce(r.withdraw_reason, '') FROM requests r "
                      "JOIN people p ON p.id = r.requester_id JOIN sections s ON s.id = "
                      "r.section_id JOIN departments d ON d.id = s.department_id WHERE r.id = ?",
                      {id}));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound, "申請 " + IdText(id) + " はありません",
                 "no request " + IdText(id), {"", 0, "id"});
  }
  const auto& row = rows[0];
  RequestRecord out;
  out.id = row.Int(0);
  out.requester = row.Text(1);
  out.requester_name = row.Text(2);
  out.section = row.Text(3);
  out.department = row.Text(4);
  out.action = row.Text(5);
  out.purpose = row.Text(6);
  out.status = ParseRequestStatus(row.Text(7)).value_or(RequestStatus::kPending);
  out.effect = row.Text(8);
  out.request_json = row.Text(9);
  out.decision_json = row.Text(10);
  out.profile_id = row.Text(11);
  out.profile_digest = row.Text(12);
  out.current_step = static_cast<int>(row.Int(13));
  out.submitted_at = row.Text(14);
  out.expires_at = row.Text(15);
  out.decided_at = row.Text(16);
  out.completed_at = row.Text(17);
  out.withdraw_reason = row.Text(18);

  MAMORI_TRY(const auto steps, db.Query("SELECT step, roles, routed_to FROM request_steps WHERE "
                                        "request_id = ? ORDER BY step",
                                        {id}));
  for (const auto& step : steps) {
    out.steps.push_back(
        {static_cast<int>(step.Int(0)), FromJsonArray(step.Text(1)), FromJsonArray(step.Text(2))});
  }
  MAMORI_TRY(const auto actions,
             db.Query("SELECT a.step, p.code, a.role, a.decision, a.comment, a.time_utc FROM "
                      "request_actions a JOIN people p ON p.id = a.person_id WHERE a.request_id = ? "
                      "ORDER BY a.step",
                      {id}));
  for (const auto& action : actions) {
    out.actions.push_back({static_cast<int>(action.Int(0)), action.Text(1), action.Text(2),
                           action.Text(3), action.Text(4), action.Text(5)});
  }
  MAMORI_TRY(const auto obligations,
             db.Query("SELECT o.obligation, o.fields, o.clause, coalesce(o.values_json, ''), "
                      "coalesce(p.code, ''), coalesce(o.filled_at, '') FROM obligation_records o "
                      "LEFT JOIN people p ON p.id = o.filled_by WHERE o.request_id = ? ORDER BY o.id",
                      {id}));
  for (const auto& obligation : obligations) {
    ObligationRecord record;
    record.obligation = obligation.Text(0);
    record.fields = FromJsonArray(obligation.Text(1));
    record.clause = obligation.Text(2);
    const Json values = Json::parse(obligation.Text(3), nullptr, false);
    if (values.is_object()) {
      for (const auto& [key, value] : values.items()) {
        if (value.is_string()) record.values[key] = value.get<std::string>();
      }
    }
    record.filled_by = obligation.Text(4);
    record.filled_at = obligation.Text(5);
    out.obligations.push_back(std::move(record));
  }
  MAMORI_TRY(const auto exception,
             db.Query("SELECT e.emergency, coalesce(e.report_due, ''), coalesce(p.code, ''), "
                      "coalesce(e.reported_at, ''), coalesce(e.reported_to, '[]'), "
                      "coalesce(e.report_text, '') FROM exceptions e LEFT JOIN people p ON p.id = "
                      "e.reported_by WHERE e.request_id = ?",
                      {id}));
  if (!exception.empty()) {
    ExceptionInfo info;
    info.emergency = exception[0].Int(0) != 0;
    info.report_due = exception[0].Text(1);
    info.reported_by = exception[0].Text(2);
    info.reported_at = exception[0].Text(3);
    info.reported_to = FromJsonArray(exception[0].Text(4));
    info.report_text = exception[0].Text(5);
    // 7.4(2): an emergency exception not reported by its deadline is overdue.
    info.overdue = info.emergency && info.reported_at.empty() && !info.report_due.empty() &&
                   NowUtc(ledger) > info.report_due;
    MAMORI_TRY(const auto reviews,
               db.Query("SELECT p.code, v.role, v.comment, v.time_utc FROM exception_reviews v "
                        "JOIN people p ON p.id = v.reviewer_id WHERE v.request_id = ? ORDER BY v.id",
                        {id}));
    for (const auto& review : reviews) {
      info.reviews.push_back({review.Text(0), review.Text(1), review.Text(2), review.Text(3)});
    }
    out.exception = std::move(info);
  }
  return out;
}

Result<RequestRecord> RecordRequest(Ledger& ledger, const std::string& actor,
                                    const std::string& action, std::int64_t id) {
  MAMORI_TRY(auto request, LoadRequest(ledger, id));
  MAMORI_TRY_STATUS(ledger.Record({actor, action, "request", IdText(id), ToJson(request).dump()}));
  return request;
}

}  // namespace internal

Result<RequestRecord> SubmitRequest(Ledger& ledger, const SubmitInput& input) {
  const policy::Profile& profile = ledger.Profile();
  // Everything that needs no database first, every bad field named.
  Checks checks;
  checks.Add(CheckCode(input.requester, "requester"));
  checks.Add(CheckText(input.purpose, "purpose", kMaxText, /*optional=*/true, /*multiline=*/true));
  auto body = ParseBody(input.request_json);
  if (!body.Ok()) {
    checks.Add(body.Err());
  } else {
    // The request's own fields, checked with a stand-in actor.
    Json probe = *body;
    probe["actor"] = Json{{"id", "-"}, {"roles", Json::array({"staff"})}};
    if (auto parsed = decide::ParseRequest(profile, probe.dump()); !parsed.Ok()) {
      checks.Add(parsed.Err());
    } else if (parsed->action == policy::Action::kException && input.purpose.empty()) {
      checks.Add(FieldError("purpose", "例外措置には合理的な理由（目的）が必要です（7.4(1)）",
                            "an exception needs its reasonable grounds as the purpose (7.4(1))"));
    }
  }
  MAMORI_TRY_STATUS(checks.Done());

  RequestRecord result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto requester, internal::ActivePerson(ledger, input.requester, "requester"));
    MAMORI_TRY_STATUS(internal::NotSuspended(ledger, requester, "申請", "submit a request"));
    const std::string today = TodayJst(ledger);
    const std::string now = internal::NowUtc(ledger);
    MAMORI_TRY(const auto roles, RolesOf(ledger, requester, today));
    MAMORI_TRY(const auto section, FindSection(ledger, requester.section_code));

    // The actor comes from the org register, never from the submitter.
    Json full = *body;
    full["actor"] = ActorJson(profile, requester, roles);
    const std::string request_text = full.dump();
    MAMORI_TRY(const auto request, decide::ParseRequest(profile, request_text));
    const decide::Decision decision = decide::Decide(profile, request);
    const std::string decision_text =
        decide::DecisionToJson(profile, request, decision, decide::Detail::kContract);

    const bool is_exception = request.action == policy::Action::kException;
    if (is_exception) {
      // 7.4(1)(2): 情報セキュリティ管理者 take exceptions.
      const bool manager = std::any_of(roles.begin(), roles.end(), [](const RoleAssignment& r) {
        return r.role == policy::Role::kManager;
      });
      if (!manager) {
        return RequestError("requester",
                            "例外措置は情報セキュリティ管理者が取るものです（7.4(1)(2)）。職員「" +
                                requester.code + "」は情報セキュリティ管理者ではありません",
                            "exceptions are taken by a manager (7.4(1)(2)); \"" + requester.code +
                                "\" holds no manager role");
      }
    }

    // Routing: each step to the holders of its roles for the requester's
    // section, never to the requester (1(3)①).
    std::vector<std::vector<std::string>> routed;
    for (std::size_t step = 0; step < decision.approvals.size(); ++step) {
      const auto& step_roles = decision.approvals[step];
      MAMORI_TRY(const auto holders, internal::HoldersOfAny(ledger, step_roles, section));
      std::vector<std::string> codes;
      bool requester_holds = false;
      for (const auto& holder : holders) {
        if (holder.id == requester.id) requester_holds = true;
        else codes.push_back(holder.code);
      }
      if (codes.empty()) {
        return RequestError(
            "approvals",
            "段階 " + std::to_string(step + 1) + " を回付できません: " +
                StepRolesJa(profile, step_roles, section) + " に" +
                (requester_holds ? "申請者以外の" : "") + "在職者がいません" +
                (requester_holds ? "（申請者は自らの申請を承認できません 1(3)①）" : "") +
                "。組織台帳で役割を割り当ててください",
            "cannot route step " + std::to_string(step + 1) + ": nobody " +
                (requester_holds ? "but the requester " : "") + "holds " +
                StepRolesEn(profile, step_roles, section) + "; assign the role in the organization register");
      }
      routed.push_back(std::move(codes));
    }
    std::vector<std::string> taken;
    if (!Assignable(routed, 0, taken)) {
      return RequestError("approvals",
                          "各段階を別々の承認者に回付できません（同じ者が複数の段階を承認することは"
                          "できません 1(3)①）。組織台帳で役割を見直してください",
                          "the steps cannot each have a different approver (one person may not take "
                          "two steps, 1(3)①); review the roles in the organization register");
    }

    MAMORI_TRY(const auto digest, ledger.Meta("profile_digest"));
    const policy::Effect effect = decision.effect;
    const bool pending = effect == policy::Effect::kApprovalRequired;
    const std::string status = effect == policy::Effect::kAllow  ? "approved"
                               : effect == policy::Effect::kDeny ? "denied"
                                                                 : "pending";
    const storage::Value expires =
        pending ? storage::Value(internal::AddDaysUtc(ledger, RequestExpiryDays(profile)))
                : storage::Null();
    const storage::Value decided = pending ? storage::Null() : storage::Value(now);
    MAMORI_TRY(const std::int64_t id,
               ledger.Db().QueryInt(
                   "INSERT INTO requests (requester_id, section_id, action, purpose, request_json, "
                   "decision_json, effect, profile_id, profile_digest, status, current_step, "
                   "submitted_at, expires_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "0, ?, ?, ?) RETURNING id",
                   {requester.id, section.id, std::string(policy::Id(request.action)),
                    input.purpose, request_text, decision_text, std::string(policy::Id(effect)),
                    profile.id, digest, status, now, expires, decided}));
    for (std::size_t step = 0; step < decision.approvals.size(); ++step) {
      std::vector<std::string> role_ids;
      for (const policy::Role role : decision.approvals[step]) {
        role_ids.push_back(profile.RoleId(role));
      }
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "INSERT INTO request_steps (request_id, step, roles, routed_to) VALUES (?, ?, ?, ?)",
          {id, static_cast<std::int64_t>(step), internal::ToJsonArray(role_ids),
           internal::ToJsonArray(routed[step])}));
    }
    // Obligations become records to fill once the request is approved.
    if (effect != policy::Effect::kDeny) {
      for (int o = 0; o < policy::kObligationCount; ++o) {
        if ((decision.obligations & (std::uint64_t{1} << o)) == 0) continue;
        const auto obligation = static_cast<policy::Obligation>(o);
        std::vector<std::string> fields;
        for (const auto& field : ObligationFields(request.action, obligation)) {
          fields.emplace_back(field.name);
        }
        MAMORI_TRY_STATUS(ledger.Db().Execute(
            "INSERT INTO obligation_records (request_id, obligation, fields, clause) VALUES (?, "
            "?, ?, ?)",
            {id, std::string(policy::Id(obligation)), internal::ToJsonArray(fields),
             ObligationClause(profile, decision, o)}));
      }
    }
    if (is_exception) {
      const bool emergency =
          request.context[static_cast<std::size_t>(policy::ContextKey::kEmergency)] == 1;
      // 7.4(2): an emergency exception is reported afterwards, by this deadline.
      const storage::Value due =
          emergency && effect != policy::Effect::kDeny
              ? storage::Value(internal::AddDaysUtc(ledger, EmergencyReportDays(profile)))
              : storage::Null();
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "INSERT INTO exceptions (request_id, emergency, report_due) VALUES (?, ?, ?)",
          {id, std::int64_t{emergency ? 1 : 0}, due}));
    }
    MAMORI_TRY(result, internal::RecordRequest(ledger, requester.code, "request.submit", id));
    return OkStatus();
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<RequestRecord> GetRequest(Ledger& ledger, std::int64_t id) {
  return internal::LoadRequest(ledger, id);
}

Result<RequestRecord> ApproveRequest(Ledger& ledger, std::int64_t id, const std::string& approver,
                                     const std::string& comment) {
  return Act(ledger, id, approver, comment, /*approve=*/true);
}

Result<RequestRecord> RejectRequest(Ledger& ledger, std::int64_t id, const std::string& approver,
                                    const std::string& comment) {
  return Act(ledger, id, approver, comment, /*approve=*/false);
}

Result<RequestRecord> WithdrawRequest(Ledger& ledger, std::int64_t id, const std::string& requester,
                                      const std::string& reason) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(requester, "requester"))
                        .Add(CheckText(reason, "reason", kMaxText, /*optional=*/true,
                                       /*multiline=*/true))
                        .Done());
  RequestRecord result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto request, internal::LoadRequest(ledger, id));
    if (request.requester != requester) {
      return RequestError("requester", "申請を取り下げられるのは申請者だけです",
                          "only the requester may withdraw a request");
    }
    if (request.status != RequestStatus::kPending) {
      return NotPending(request, "取り下げ", "withdrawn");
    }
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE requests SET status = 'withdrawn', decided_at = ?, withdraw_reason = ? WHERE id = ?",
        {internal::NowUtc(ledger), reason, id}));
    MAMORI_TRY(result, internal::RecordRequest(ledger, requester, "request.withdraw", id));
    return OkStatus();
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<RequestRecord> FillObligation(Ledger& ledger, std::int64_t id, const std::string& person,
                                     const std::string& obligation,
                                     const std::map<std::string, std::string>& values) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(person, "person"))
                        .Add(CheckCode(obligation, "obligation"))
                        .Done());
  RequestRecord result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto request, internal::LoadRequest(ledger, id));
    if (request.status != RequestStatus::kApproved) {
      return request.status == RequestStatus::kPending
                 ? RequestError("request",
                                "申請 " + IdText(id) + " はまだ承認されていないため記録できません",
                                "request " + IdText(id) + " is not approved yet")
                 : NotPending(request, "記録", "recorded");
    }
    const auto record = std::find_if(
        request.obligations.begin(), request.obligations.end(),
        [&](const ObligationRecord& r) { return r.obligation == obligation; });
    if (record == request.obligations.end()) {
      std::string names;
      for (const auto& r : request.obligations) names += (names.empty() ? "" : ", ") + r.obligation;
      return RequestError("obligation",
                          "申請 " + IdText(id) + " に義務「" + obligation + "」はありません（" +
                              (names.empty() ? "なし" : names) + "）",
                          "request " + IdText(id) + " has no obligation \"" + obligation +
                              "\" (" + (names.empty() ? "none" : names) + ")");
    }
    if (record->Filled()) {
      return RequestError("obligation", "義務「" + obligation + "」は既に記録されています",
                          "obligation \"" + obligation + "\" is recorded already");
    }
    MAMORI_TRY(const auto filler, internal::ActivePerson(ledger, person, "person"));
    MAMORI_TRY(const auto section, FindSection(ledger, request.section));
    MAMORI_TRY(const auto manager,
               internal::HeldRole(ledger, filler, {policy::Role::kManager}, section));
    if (filler.code != request.requester && !HasActed(request, filler.code) && !manager) {
      return RequestError("person",
                          "記録できるのは申請者、承認者又は当該課室等の情報セキュリティ管理者です",
                          "only the requester, an approver or a manager of the section may record");
    }
    // Every field named by the obligation, no more: each problem named.
    const auto parsed_obligation = policy::ParseObligation(obligation);
    const auto parsed_action = policy::ParseAction(request.action);
    if (!parsed_obligation || !parsed_action) {
      return Error(ErrorCode::kInternal, "保存された義務又は行為が不正です",
                   "stored obligation or action is not in the vocabulary");
    }
    const auto specs = ObligationFields(*parsed_action, *parsed_obligation);
    Checks field_checks;
    for (const auto& spec : specs) {
      const std::string name(spec.name);
      const auto value = values.find(name);
      if (value == values.end()) {
        field_checks.Add(FieldError(name, std::string(spec.title_ja) + "（" + name + "）が必要です",
                                    "required"));
        continue;
      }
      switch (spec.kind) {
        case FieldKind::kDate:
          field_checks.Add(CheckDate(value->second, name));
          break;
        case FieldKind::kPerson:
          if (auto code = CheckCode(value->second, name); !code.Ok()) {
            field_checks.Add(code);
          } else if (!FindPerson(ledger, value->second).Ok()) {
            field_checks.Add(FieldError(name, "職員「" + value->second + "」は登録されていません",
                                        "no person \"" + value->second + "\""));
          }
          break;
        case FieldKind::kText:
          field_checks.Add(CheckText(value->second, name, kMaxText, false, true));
          break;
      }
    }
    for (const auto& entry : values) {
      const std::string& key = entry.first;  // (clang 14 cannot capture a structured binding)
      const bool known = std::any_of(specs.begin(), specs.end(),
                                     [&](const FieldSpec& spec) { return spec.name == key; });
      if (!known) {
        std::string allowed;
        for (const auto& spec : specs) allowed += (allowed.empty() ? "" : ", ") + std::string(spec.name);
        field_checks.Add(FieldError(key, "この義務の記録にない項目です（" + allowed + "）",
                                    "not a field of this record (" + allowed + ")"));
      }
    }
    MAMORI_TRY_STATUS(field_checks.Done());
    const std::string now = internal::NowUtc(ledger);
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE obligation_records SET values_json = ?, filled_by = ?, filled_at = ? WHERE "
        "request_id = ? AND obligation = ?",
        {Json(values).dump(), filler.id, now, id, obligation}));
    MAMORI_TRY(const auto open, ledger.Db().QueryInt(
                                    "SELECT count(*) FROM obligation_records WHERE request_id = ? "
                                    "AND filled_at IS NULL",
                                    {id}));
    if (open == 0) {
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE requests SET status = 'completed', completed_at = ? WHERE id = ?", {now, id}));
    }
    MAMORI_TRY(result, internal::RecordRequest(ledger, filler.code, "request.record", id));
    return OkStatus();
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<std::vector<std::int64_t>> ExpireRequests(Ledger& ledger, const std::string& actor) {
  MAMORI_TRY_STATUS(CheckCode(actor, "actor"));
  std::vector<std::int64_t> expired;
  const Status changed = ledger.Change([&]() -> Status {
    expired.clear();
    const std::string now = internal::NowUtc(ledger);
    MAMORI_TRY(const auto rows,
               ledger.Db().Query("SELECT id FROM requests WHERE status = 'pending' AND expires_at "
                                 "IS NOT NULL AND expires_at <= ? ORDER BY id",
                                 {now}));
    for (const auto& row : rows) {
      const std::int64_t id = row.Int(0);
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE requests SET status = 'expired', decided_at = ? WHERE id = ?", {now, id}));
      MAMORI_TRY(const auto state, internal::RecordRequest(ledger, actor, "request.expire", id));
      (void)state;
      expired.push_back(id);
    }
    return OkStatus();
  });
  if (!changed.Ok()) return changed.Err();
  return expired;
}

Result<std::vector<RequestRecord>> ListRequests(Ledger& ledger, const RequestFilter& filter) {
  Checks checks;
  if (!filter.requester.empty()) checks.Add(CheckCode(filter.requester, "requester"));
  if (!filter.waiting_for.empty()) checks.Add(CheckCode(filter.waiting_for, "waiting_for"));
  if (!filter.action.empty() && !policy::ParseAction(filter.action)) {
    checks.Add(FieldError("action", "行為「" + filter.action + "」はありません",
                          "no action \"" + filter.action + "\""));
  }
  MAMORI_TRY_STATUS(checks.Done());
  std::string sql =
      "SELECT r.id FROM requests r JOIN people p ON p.id = r.requester_id WHERE 1 = 1";
  storage::Params params;
  std::optional<RequestStatus> status = filter.status;
  if (!filter.waiting_for.empty()) status = RequestStatus::kPending;
  if (status) {
    sql += " AND r.status = ?";
    params.emplace_back(std::string(Id(*status)));
  }
  if (!filter.requester.empty()) {
    sql += " AND p.code = ?";
    params.emplace_back(filter.requester);
  }
  if (!filter.action.empty()) {
    sql += " AND r.action = ?";
    params.emplace_back(filter.action);
  }
  sql += " ORDER BY r.id";
  std::optional<Person> waiting;
  if (!filter.waiting_for.empty()) {
    MAMORI_TRY(auto person, FindPerson(ledger, filter.waiting_for));
    waiting = std::move(person);
  }
  MAMORI_TRY(const auto rows, ledger.Db().Query(sql, params));
  const std::string now = internal::NowUtc(ledger);
  std::vector<RequestRecord> out;
  for (const auto& row : rows) {
    MAMORI_TRY(auto request, internal::LoadRequest(ledger, row.Int(0)));
    if (waiting) {
      // An expired request waits for nobody, even before the expire pass.
      if (!request.expires_at.empty() && now >= request.expires_at) continue;
      MAMORI_TRY(const auto approvers, CurrentApprovers(ledger, request));
      const bool mine = std::any_of(approvers.begin(), approvers.end(),
                                    [&](const Person& p) { return p.id == waiting->id; });
      if (!mine) continue;
    }
    out.push_back(std::move(request));
  }
  return out;
}

Result<std::vector<Person>> CurrentApprovers(Ledger& ledger, const RequestRecord& request) {
  std::vector<Person> out;
  if (request.status != RequestStatus::kPending) return out;
  const auto step_index = static_cast<std::size_t>(request.current_step);
  if (step_index >= request.steps.size()) return out;
  MAMORI_TRY(const auto section, FindSection(ledger, request.section));
  MAMORI_TRY(auto holders, internal::HoldersOfAny(
                               ledger, ParseRoles(ledger.Profile(), request.steps[step_index].roles),
                               section));
  for (auto& holder : holders) {
    if (holder.code == request.requester || HasActed(request, holder.code)) continue;
    out.push_back(std::move(holder));
  }
  return out;
}

}  // namespace mamori::ledger::workflow
