#include "assess/findings.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "assess/internal.h"
#include "ledger/org.h"
#include "ledger/validate.h"
#include "ledger/workflow/requests.h"

namespace mamori::assess {
namespace {

using Json = nlohmann::json;
using ledger::Ledger;
using policy::Role;

// 1(3) 兼務の禁止: the one who verifies is never the one who fixed.
constexpr std::string_view kSeparationClause = "1(3)";

std::string IdText(std::int64_t id) { return std::to_string(id); }

bool Closed(FindingStatus status) {
  return status == FindingStatus::kDone || status == FindingStatus::kVerified ||
         status == FindingStatus::kRiskAccepted;
}

Result<Finding> Load(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(
                 "SELECT f.id, f.source, f.source_ref, f.form_id, f.title, f.description, "
                 "f.check_id, f.clause, s.code, o.code, f.priority, f.due_on, f.status, f.plan, "
                 "f.evidence, f.exception_id, v.code, f.verified_at, f.verification_comment, "
                 "c.code, f.created_at, f.updated_at FROM findings f "
                 "LEFT JOIN sections s ON s.id = f.section_id "
                 "JOIN people o ON o.id = f.owner_id JOIN people c ON c.id = f.created_by "
                 "LEFT JOIN people v ON v.id = f.verified_by WHERE f.id = ?",
                 {id}));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound, "検出事項 " + IdText(id) + " はありません",
                 "no finding " + IdText(id), {"", 0, "finding"});
  }
  const auto& row = rows.front();
  Finding finding;
  finding.id = row.Int(0);
  finding.source = row.Text(1);
  finding.source_ref = row.Text(2);
  finding.form_id = row.Int(3);
  finding.title = row.Text(4);
  finding.description = row.Text(5);
  finding.check_id = row.Text(6);
  finding.clause = row.Text(7);
  finding.section = row.Text(8);
  finding.owner = row.Text(9);
  finding.priority = row.Text(10);
  finding.due_on = row.Text(11);
  finding.status = ParseFindingStatus(row.Text(12)).value_or(FindingStatus::kIdentified);
  finding.plan = row.Text(13);
  finding.evidence = row.Text(14);
  finding.exception_id = row.Int(15);
  finding.verified_by = row.Text(16);
  finding.verified_at = row.Text(17);
  finding.verification_comment = row.Text(18);
  finding.created_by = row.Text(19);
  finding.created_at = row.Text(20);
  finding.updated_at = row.Text(21);
  finding.overdue = !finding.due_on.empty() && !Closed(finding.status) &&
                    finding.due_on < ledger::TodayJst(ledger);
  return finding;
}

Status RecordFinding(Ledger& ledger, const std::string& actor, const std::string& action,
                     std::int64_t id, Finding& out) {
  MAMORI_TRY(out, Load(ledger, id));
  // "overdue" depends on the day it is read, not on the change: not audited.
  Json state = ToJson(out);
  state.erase("overdue");
  return ledger.Record({actor, action, "finding", IdText(id), state.dump()});
}

Error WrongState(const Finding& finding, const std::string& doing_ja, const std::string& doing_en) {
  return Error(ErrorCode::kConflict,
               "検出事項 " + IdText(finding.id) + " は「" + std::string(TitleJa(finding.status)) +
                   "」のため" + doing_ja + "できません",
               "finding " + IdText(finding.id) + " is " + std::string(Id(finding.status)) +
                   " and cannot be " + doing_en,
               {"", 0, "status"});
}

Result<std::optional<ledger::Section>> SectionOf(Ledger& ledger, const std::string& code) {
  if (code.empty()) return std::optional<ledger::Section>();
  MAMORI_TRY(auto section, ledger::FindSection(ledger, code));
  return std::optional<ledger::Section>(std::move(section));
}

Status CheckInput(const FindingInput& input) {
  return ledger::Checks()
      .Add(ledger::CheckOneOf(input.source, "source", FindingSources()))
      .Add(ledger::CheckText(input.source_ref, "source_ref", ledger::kMaxName, true))
      .Add(ledger::CheckText(input.title, "title", ledger::kMaxName))
      .Add(ledger::CheckText(input.description, "description", ledger::kMaxText, true, true))
      .Add(input.check_id.empty() ? OkStatus() : ledger::CheckCode(input.check_id, "check_id"))
      .Add(ledger::CheckText(input.clause, "clause", ledger::kMaxCode, !input.check_id.empty()))
      .Add(input.section.empty() ? OkStatus() : ledger::CheckCode(input.section, "section"))
      .Add(ledger::CheckCode(input.owner, "owner"))
      .Add(ledger::CheckOneOf(input.priority, "priority", FindingPriorities()))
      .Add(ledger::CheckDate(input.due_on, "due_on", true))
      .Done();
}

}  // namespace

std::string_view Id(FindingStatus status) {
  switch (status) {
    case FindingStatus::kIdentified:
      return "identified";
    case FindingStatus::kPlanned:
      return "planned";
    case FindingStatus::kInProgress:
      return "in_progress";
    case FindingStatus::kDone:
      return "done";
    case FindingStatus::kVerified:
      return "verified";
    case FindingStatus::kRiskAccepted:
      return "risk_accepted";
  }
  return "";
}

std::string_view TitleJa(FindingStatus status) {
  switch (status) {
    case FindingStatus::kIdentified:
      return "検出";
    case FindingStatus::kPlanned:
      return "改善計画策定済み";
    case FindingStatus::kInProgress:
      return "対応中";
    case FindingStatus::kDone:
      return "対応完了";
    case FindingStatus::kVerified:
      return "確認済み";
    case FindingStatus::kRiskAccepted:
      return "リスク受容";
  }
  return "";
}

std::optional<FindingStatus> ParseFindingStatus(std::string_view id) {
  for (const FindingStatus status :
       {FindingStatus::kIdentified, FindingStatus::kPlanned, FindingStatus::kInProgress,
        FindingStatus::kDone, FindingStatus::kVerified, FindingStatus::kRiskAccepted}) {
    if (Id(status) == id) return status;
  }
  return std::nullopt;
}

const std::vector<std::string>& FindingSources() {
  static const std::vector<std::string> kSources = {"self_inspection", "audit", "incident",
                                                    "netcheck",        "risk",  "review"};
  return kSources;
}

const std::vector<std::string>& FindingPriorities() {
  static const std::vector<std::string> kPriorities = {"high", "medium", "low"};
  return kPriorities;
}

Result<Finding> InsertFinding(Ledger& ledger, const std::string& actor, const FindingInput& input) {
  MAMORI_TRY_STATUS(
      ledger::Checks().Add(ledger::CheckCode(actor, "actor")).Add(CheckInput(input)).Done());
  const policy::Profile& profile = ledger.Profile();
  std::string clause = input.clause;
  ledger::Checks refs;
  if (!input.check_id.empty() && input.form_id == 0) {
    const auto check = std::find_if(profile.checks.begin(), profile.checks.end(),
                                    [&](const auto& c) { return c.id == input.check_id; });
    if (check == profile.checks.end()) {
      refs.Add(ledger::FieldError("check_id",
                                  "点検項目「" + input.check_id + "」はプロファイルにありません",
                                  "no check item \"" + input.check_id + "\" in the profile"));
    } else if (clause.empty()) {
      clause = check->clause;
    }
  }
  // A form's items were copied from the profile when the campaign began.
  if (input.form_id == 0 && !clause.empty() && profile.FindClause(clause) == nullptr) {
    refs.Add(ledger::FieldError("clause", "条項「" + clause + "」はプロファイルにありません",
                                "no clause \"" + clause + "\" in the profile"));
  }
  MAMORI_TRY_STATUS(refs.Done());
  MAMORI_TRY(const auto creator, internal::Actor(ledger, actor, "actor"));
  MAMORI_TRY(const auto owner, ledger::FindActivePerson(ledger, input.owner, "owner"));
  MAMORI_TRY(const auto section, SectionOf(ledger, input.section));
  storage::Value section_id = storage::Null();
  if (section) section_id = section->id;
  storage::Value form_id = storage::Null();
  if (input.form_id != 0) form_id = input.form_id;
  storage::Value due = storage::Null();
  if (!input.due_on.empty()) due = input.due_on;
  const std::string now = internal::NowUtc(ledger);
  MAMORI_TRY(
      const auto id,
      ledger.Db().QueryInt(
          "INSERT INTO findings (source, source_ref, form_id, title, description, check_id, "
          "clause, section_id, owner_id, priority, due_on, status, created_by, created_at, "
          "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'identified', ?, ?, ?) "
          "RETURNING id",
          {input.source, input.source_ref, form_id, input.title, input.description, input.check_id,
           clause, section_id, owner.id, input.priority, due, creator.id, now, now}));
  Finding result;
  MAMORI_TRY_STATUS(RecordFinding(ledger, actor, "finding.add", id, result));
  return result;
}

Result<Finding> AddFinding(Ledger& ledger, const std::string& actor, const FindingInput& input) {
  MAMORI_TRY_STATUS(
      ledger::Checks().Add(ledger::CheckCode(actor, "actor")).Add(CheckInput(input)).Done());
  if (input.form_id != 0) {
    return ledger::FieldError("form_id", "自己点検の検出事項は様式の評価で登録されます",
                              "self-inspection findings are opened by evaluating the form");
  }
  Finding result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    MAMORI_TRY(const auto section, SectionOf(ledger, input.section));
    const auto roles = internal::WithDelegates(
        ledger.Profile(), {Role::kCiso, Role::kChiefOfficer, Role::kAuditor, Role::kCsirt});
    MAMORI_TRY(auto held, internal::HeldRole(ledger, person, roles, nullptr));
    if (!held && section) {
      MAMORI_TRY(held, internal::HeldRole(ledger, person, {Role::kManager}, &*section));
    }
    if (!held) {
      auto all = roles;
      all.push_back(Role::kManager);
      return internal::NotAllowed(ledger.Profile(), "actor", all, "検出事項の登録",
                                  "adding a finding", "");
    }
    MAMORI_TRY(result, InsertFinding(ledger, actor, input));
    return OkStatus();
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Finding> UpdateFinding(Ledger& ledger, const std::string& actor, std::int64_t id,
                              const FindingUpdate& update) {
  const auto next = ParseFindingStatus(update.status);
  ledger::Checks checks;
  checks.Add(ledger::CheckCode(actor, "actor"));
  if (!next || *next == FindingStatus::kIdentified || *next == FindingStatus::kVerified) {
    checks.Add(ledger::FieldError("status",
                                  "状態「" + update.status +
                                      "」には変更できません（planned, in_progress, done, "
                                      "risk_accepted。確認は verify で行います）",
                                  "status must be planned, in_progress, done or risk_accepted "
                                  "(verification is verify)"));
  }
  checks.Add(ledger::CheckText(update.plan, "plan", ledger::kMaxText, true, true))
      .Add(ledger::CheckDate(update.due_on, "due_on", true))
      .Add(ledger::CheckText(update.evidence, "evidence", ledger::kMaxText, true, true));
  if (next == FindingStatus::kPlanned && update.plan.empty()) {
    checks.Add(ledger::FieldError("plan", "改善計画が必要です", "a plan is required"));
  }
  if (next == FindingStatus::kDone && update.evidence.empty()) {
    checks.Add(ledger::FieldError("evidence", "対応の証跡が必要です",
                                  "evidence of what was done is required"));
  }
  if (next == FindingStatus::kRiskAccepted && update.exception_id <= 0) {
    checks.Add(ledger::FieldError("exception_id",
                                  "リスク受容には承認された例外措置（7.4）の番号が必要です",
                                  "accepting the risk needs an approved exception (7.4)"));
  }
  MAMORI_TRY_STATUS(checks.Done());
  Finding result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto finding, Load(ledger, id));
    const FindingStatus from = finding.status;
    bool allowed = false;
    switch (*next) {
      case FindingStatus::kPlanned:
        allowed = from == FindingStatus::kIdentified;
        break;
      case FindingStatus::kInProgress:
        allowed = from == FindingStatus::kPlanned;
        break;
      case FindingStatus::kDone:
        allowed = from == FindingStatus::kInProgress;
        break;
      case FindingStatus::kRiskAccepted:
        allowed = from == FindingStatus::kIdentified || from == FindingStatus::kPlanned ||
                  from == FindingStatus::kInProgress;
        break;
      default:
        break;
    }
    if (!allowed) {
      return WrongState(finding, "「" + std::string(TitleJa(*next)) + "」に",
                        "moved to " + std::string(Id(*next)));
    }
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    MAMORI_TRY(const auto section, SectionOf(ledger, finding.section));
    if (person.code != finding.owner) {
      const auto chiefs = internal::WithDelegates(ledger.Profile(), {Role::kChiefOfficer});
      MAMORI_TRY(auto held, internal::HeldRole(ledger, person, chiefs, nullptr));
      if (!held && section) {
        MAMORI_TRY(held, internal::HeldRole(ledger, person, {Role::kManager}, &*section));
      }
      if (!held) {
        return ledger::FieldError("actor",
                                  "検出事項を進めるのは担当者（" + finding.owner +
                                      "）、当該課室等の" +
                                      ledger.Profile().RoleTitle(Role::kManager) + "又は" +
                                      internal::RoleTitles(ledger.Profile(), chiefs) + "です",
                                  "only the owner, the section's manager or the chief officer "
                                  "moves a finding");
      }
    }
    const std::string due = update.due_on.empty() ? finding.due_on : update.due_on;
    if (*next == FindingStatus::kPlanned && due.empty()) {
      return ledger::FieldError("due_on", "改善の期限が必要です", "a due date is required");
    }
    storage::Value exception = storage::Null();
    if (*next == FindingStatus::kRiskAccepted) {
      auto request = ledger::workflow::GetRequest(ledger, update.exception_id);
      const bool approved = request.Ok() && request->exception.has_value() &&
                            (request->status == ledger::workflow::RequestStatus::kApproved ||
                             request->status == ledger::workflow::RequestStatus::kCompleted);
      if (!approved) {
        return ledger::FieldError(
            "exception_id",
            "申請 " + IdText(update.exception_id) + " は承認された例外措置ではありません（7.4）",
            "request " + IdText(update.exception_id) + " is not an approved exception (7.4)");
      }
      exception = update.exception_id;
    }
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE findings SET status = ?, plan = ?, due_on = ?, evidence = ?, updated_at = ? "
        "WHERE id = ? AND status = ?",
        {std::string(Id(*next)), update.plan.empty() ? finding.plan : update.plan,
         due.empty() ? storage::Null() : storage::Value(due),
         update.evidence.empty() ? finding.evidence : update.evidence, internal::NowUtc(ledger), id,
         std::string(Id(from))}));
    if (*next == FindingStatus::kRiskAccepted) {
      MAMORI_TRY_STATUS(ledger.Db().Execute("UPDATE findings SET exception_id = ? WHERE id = ?",
                                            {exception, id}));
    }
    return RecordFinding(ledger, actor, "finding.update", id, result);
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Finding> VerifyFinding(Ledger& ledger, const std::string& actor, std::int64_t id,
                              Verdict verdict, const std::string& comment) {
  MAMORI_TRY_STATUS(ledger::Checks()
                        .Add(ledger::CheckCode(actor, "actor"))
                        .Add(ledger::CheckText(comment, "comment", ledger::kMaxText, false, true))
                        .Done());
  Finding result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto finding, Load(ledger, id));
    if (finding.status != FindingStatus::kDone) return WrongState(finding, "確認", "verified");
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    if (person.code == finding.owner) {
      return ledger::FieldError("actor",
                                "検出事項の担当者（" + finding.owner +
                                    "）は自らの対応を確認できません（" +
                                    std::string(kSeparationClause) + " 兼務の禁止）",
                                "the owner of a finding never verifies it (" +
                                    std::string(kSeparationClause) + ", separation of duties)");
    }
    const auto roles = internal::WithDelegates(ledger.Profile(),
                                               {Role::kChiefOfficer, Role::kCiso, Role::kAuditor});
    MAMORI_TRY(const auto held, internal::HeldRole(ledger, person, roles, nullptr));
    if (!held) {
      return internal::NotAllowed(ledger.Profile(), "actor", roles, "検出事項の確認",
                                  "verifying a finding", "");
    }
    const std::string now = internal::NowUtc(ledger);
    if (verdict == Verdict::kVerified) {
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE findings SET status = 'verified', verified_by = ?, verified_at = ?, "
          "verification_comment = ?, updated_at = ? WHERE id = ? AND status = 'done'",
          {person.id, now, comment, now, id}));
    } else {
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE findings SET status = 'in_progress', verification_comment = ?, updated_at = ? "
          "WHERE id = ? AND status = 'done'",
          {comment, now, id}));
    }
    return RecordFinding(ledger, actor,
                         verdict == Verdict::kVerified ? "finding.verify" : "finding.reopen", id,
                         result);
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Finding> GetFinding(Ledger& ledger, std::int64_t id) { return Load(ledger, id); }

Result<std::vector<Finding>> ListFindings(Ledger& ledger, const FindingFilter& filter) {
  std::string sql =
      "SELECT f.id FROM findings f LEFT JOIN sections s ON s.id = f.section_id WHERE 1 = 1";
  storage::Params params;
  if (!filter.status.empty()) {
    sql += " AND f.status = ?";
    params.emplace_back(filter.status);
  }
  if (!filter.section.empty()) {
    sql += " AND s.code = ?";
    params.emplace_back(filter.section);
  }
  if (!filter.source.empty()) {
    sql += " AND f.source = ?";
    params.emplace_back(filter.source);
  }
  sql += " ORDER BY f.id";
  MAMORI_TRY(const auto rows, ledger.Db().Query(sql, params));
  std::vector<Finding> out;
  for (const auto& row : rows) {
    MAMORI_TRY(auto finding, Load(ledger, row.Int(0)));
    if (filter.overdue_only && !finding.overdue) continue;
    out.push_back(std::move(finding));
  }
  return out;
}

Json ToJson(const Finding& finding) {
  return Json{{"id", finding.id},
              {"source", finding.source},
              {"source_ref", finding.source_ref},
              {"form_id", finding.form_id == 0 ? Json() : Json(finding.form_id)},
              {"title", finding.title},
              {"description", finding.description},
              {"check_id", finding.check_id},
              {"clause", finding.clause},
              {"section", finding.section},
              {"owner", finding.owner},
              {"priority", finding.priority},
              {"due_on", finding.due_on},
              {"status", Id(finding.status)},
              {"status_ja", TitleJa(finding.status)},
              {"plan", finding.plan},
              {"evidence", finding.evidence},
              {"exception_id", finding.exception_id == 0 ? Json() : Json(finding.exception_id)},
              {"verified_by", finding.verified_by},
              {"verified_at", finding.verified_at},
              {"verification_comment", finding.verification_comment},
              {"created_by", finding.created_by},
              {"created_at", finding.created_at},
              {"updated_at", finding.updated_at},
              {"overdue", finding.overdue}};
}

}  // namespace mamori::assess
