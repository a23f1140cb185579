#include "ledger/workflow/exceptions.h"

#include <algorithm>

#include "ledger/validate.h"
#include "ledger/workflow/internal.h"

namespace mamori::ledger::workflow {

using internal::Json;

namespace {

Error ExceptionError(std::string_view field, const std::string& ja, const std::string& en) {
  return Error(ErrorCode::kInvalidArgument, ja, en, {"", 0, std::string(field)});
}

// The request `id` as an exception; kInvalidArgument when it is another kind.
Result<RequestRecord> LoadException(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(auto request, internal::LoadRequest(ledger, id));
  if (!request.exception) {
    return ExceptionError("id", "申請 " + std::to_string(id) + " は例外措置ではありません",
                          "request " + std::to_string(id) + " is not an exception");
  }
  return request;
}

}  // namespace

int EmergencyReportDays(const policy::Profile& profile) {
  return profile.deadlines.emergency_exception_report_days > 0
             ? profile.deadlines.emergency_exception_report_days
             : kDefaultEmergencyReportDays;
}

Result<RequestRecord> ReportException(Ledger& ledger, std::int64_t id, const std::string& reporter,
                                      const std::string& text) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(reporter, "reporter"))
                        .Add(CheckText(text, "text", kMaxText, /*optional=*/false,
                                       /*multiline=*/true))
                        .Done());
  RequestRecord result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto request, LoadException(ledger, id));
    const ExceptionInfo& info = *request.exception;
    if (!info.emergency) {
      return ExceptionError("id",
                            "例外措置 " + std::to_string(id) +
                                " は緊急時の例外措置ではないため事後報告はありません（7.4(2)）",
                            "exception " + std::to_string(id) +
                                " is not an emergency exception; nothing to report (7.4(2))");
    }
    if (request.status != RequestStatus::kApproved && request.status != RequestStatus::kCompleted) {
      return ExceptionError("id", "例外措置 " + std::to_string(id) + " は実施されていません",
                            "exception " + std::to_string(id) + " was not taken");
    }
    if (!info.reported_at.empty()) {
      return ExceptionError("id", "例外措置 " + std::to_string(id) + " は報告済みです",
                            "exception " + std::to_string(id) + " is reported already");
    }
    MAMORI_TRY(const auto person, internal::ActivePerson(ledger, reporter, "reporter"));
    MAMORI_TRY(const auto section, FindSection(ledger, request.section));
    MAMORI_TRY(const auto manager,
               internal::HeldRole(ledger, person, {policy::Role::kManager}, section));
    if (person.code != request.requester && !manager) {
      return ExceptionError("reporter",
                            "報告できるのは例外措置を取った者又は当該課室等の情報セキュリティ管理者です",
                            "only whoever took the exception or a manager of the section may "
                            "report it");
    }
    // 7.4(2): 最高情報セキュリティ責任者又は統括情報セキュリティ責任者に報告.
    MAMORI_TRY(const auto recipients,
               internal::HoldersOfAny(ledger,
                                      {policy::Role::kCiso, policy::Role::kChiefOfficer}, section));
    if (recipients.empty()) {
      return ExceptionError("reporter",
                            "報告先（最高情報セキュリティ責任者又は統括情報セキュリティ責任者）の在職者がいません",
                            "nobody holds ciso or chief_officer to report to");
    }
    const std::string now = internal::NowUtc(ledger);
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE exceptions SET reported_by = ?, reported_at = ?, reported_to = ?, report_text = ? "
        "WHERE request_id = ?",
        {person.id, now, internal::ToJsonArray(internal::Codes(recipients)), text, id}));
    // The report fills the report_afterwards record the decision imposed.
    const Json values{{"date", TodayJst(ledger)}, {"person", person.code}, {"report", text}};
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE obligation_records SET values_json = ?, filled_by = ?, filled_at = ? WHERE "
        "request_id = ? AND obligation = 'report_afterwards' AND filled_at IS NULL",
        {values.dump(), person.id, now, id}));
    MAMORI_TRY(const auto open, ledger.Db().QueryInt(
                                    "SELECT count(*) FROM obligation_records WHERE request_id = ? "
                                    "AND filled_at IS NULL",
                                    {id}));
    if (open == 0 && request.status == RequestStatus::kApproved) {
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE requests SET status = 'completed', completed_at = ? WHERE id = ?", {now, id}));
    }
    MAMORI_TRY(result, internal::RecordRequest(ledger, person.code, "exception.report", id));
    return OkStatus();
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<RequestRecord> ReviewException(Ledger& ledger, std::int64_t id, const std::string& reviewer,
                                      const std::string& comment) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(reviewer, "reviewer"))
                        .Add(CheckText(comment, "comment", kMaxText, /*optional=*/false,
                                       /*multiline=*/true))
                        .Done());
  RequestRecord result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto request, LoadException(ledger, id));
    MAMORI_TRY(const auto person, internal::ActivePerson(ledger, reviewer, "reviewer"));
    MAMORI_TRY_STATUS(internal::NotSuspended(ledger, person, "確認", "review"));
    MAMORI_TRY(const auto section, FindSection(ledger, request.section));
    // 7.4(3): 最高情報セキュリティ責任者及び統括情報セキュリティ責任者 check the
    // record (and whom the profile lets act for them).
    const auto roles = internal::WithDelegates(
        ledger.Profile(), {policy::Role::kCiso, policy::Role::kChiefOfficer});
    MAMORI_TRY(const auto role, internal::HeldRole(ledger, person, roles, section));
    if (!role) {
      return ExceptionError("reviewer",
                            "例外措置の記録を確認できるのは " +
                                internal::RoleTitles(ledger.Profile(), roles) + " です（7.4(3)）",
                            "only the CISO or the chief officer (or their delegate) review the "
                            "exception register (7.4(3))");
    }
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "INSERT INTO exception_reviews (request_id, reviewer_id, role, comment, time_utc) VALUES "
        "(?, ?, ?, ?, ?)",
        {id, person.id, ledger.Profile().RoleId(*role), comment, internal::NowUtc(ledger)}));
    MAMORI_TRY(result, internal::RecordRequest(ledger, person.code, "exception.review", id));
    return OkStatus();
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<std::vector<RequestRecord>> ListExceptions(Ledger& ledger) {
  return ListRequests(ledger, RequestFilter{.action = "exception"});
}

Result<std::vector<RequestRecord>> OverdueExceptions(Ledger& ledger) {
  MAMORI_TRY(auto all, ListExceptions(ledger));
  std::vector<RequestRecord> overdue;
  for (auto& request : all) {
    if (request.exception && request.exception->overdue) overdue.push_back(std::move(request));
  }
  return overdue;
}

}  // namespace mamori::ledger::workflow
