#include "ledger/workflow/audits.h"

#include <nlohmann/json.hpp>

#include "ledger/org.h"
#include "ledger/validate.h"
#include "ledger/workflow/internal.h"

namespace mamori::ledger::workflow {
namespace {

constexpr std::string_view kSeparationClause = "1(3)②";

Result<AuditAssignment> Load(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(
                 "SELECT a.id, p.code, p.name, s.code, a.period_from, a.period_to, a.scope, "
                 "b.code, a.assigned_at, a.clause FROM audit_assignments a "
                 "JOIN people p ON p.id = a.auditor_id JOIN sections s ON s.id = a.section_id "
                 "JOIN people b ON b.id = a.assigned_by WHERE a.id = ?",
                 {id}));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound, "監査の割当てがありません", "no such audit assignment");
  }
  const auto& row = rows.front();
  return AuditAssignment{row.Int(0),  row.Text(1), row.Text(2), row.Text(3), row.Text(4),
                         row.Text(5), row.Text(6), row.Text(7), row.Text(8), row.Text(9)};
}

// The auditor's own unit: their section, or a section their roles cover.
Result<bool> OwnUnit(Ledger& ledger, const Person& auditor, const Section& section) {
  if (auditor.section_id == section.id) return true;
  for (const policy::Role role : {policy::Role::kManager, policy::Role::kLiaison, policy::Role::kOfficer}) {
    MAMORI_TRY(const bool holds, HoldsFor(ledger, auditor, role, section, TodayJst(ledger)));
    if (holds) return true;
  }
  return false;
}

}  // namespace

Result<std::int64_t> AssignAudit(Ledger& ledger, const std::string& actor,
                                 const AuditAssignmentInput& input) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(input.auditor, "auditor"))
                        .Add(CheckCode(input.section, "section"))
                        .Add(CheckDate(input.period_from, "period_from"))
                        .Add(CheckDate(input.period_to, "period_to"))
                        .Add(CheckText(input.scope, "scope", kMaxText, false, true))
                        .Done());
  if (input.period_to < input.period_from) {
    return FieldError("period_to", "監査期間の終わりが始まりより前です",
                      "period_to is before period_from");
  }
  std::int64_t id = 0;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto assigner, FindActivePerson(ledger, actor, "actor"));
    MAMORI_TRY(const auto auditor, FindActivePerson(ledger, input.auditor, "auditor"));
    MAMORI_TRY(const auto section, FindSection(ledger, input.section));
    // Who may assign: the CISO or the chief officer (and its delegates).
    const auto assigners = internal::WithDelegates(
        ledger.Profile(), {policy::Role::kCiso, policy::Role::kChiefOfficer});
    MAMORI_TRY(const auto may_assign, internal::HeldRole(ledger, assigner, assigners, section));
    if (!may_assign) {
      return FieldError("actor",
                        "監査の割当ては" + internal::RoleTitles(ledger.Profile(), assigners) +
                            "が行います",
                        "audits are assigned by the CISO or the chief officer");
    }
    MAMORI_TRY(const bool is_auditor,
               HoldsFor(ledger, auditor, policy::Role::kAuditor, section, TodayJst(ledger)));
    if (!is_auditor) {
      return FieldError("auditor",
                        "「" + auditor.code + "」は" +
                            ledger.Profile().RoleTitle(policy::Role::kAuditor) +
                            "の役割を持っていません",
                        "\"" + auditor.code + "\" does not hold the auditor role");
    }
    MAMORI_TRY(const bool own, OwnUnit(ledger, auditor, section));
    if (own) {
      return FieldError("auditor",
                        "監査を実施する者は自らの所属・所管する課室等を監査できません（" +
                            std::string(kSeparationClause) + " 兼務の禁止）",
                        "an auditor never audits their own unit (" +
                            std::string(kSeparationClause) + ", separation of duties)");
    }
    MAMORI_TRY(id, ledger.Db().QueryInt(
                       "INSERT INTO audit_assignments (auditor_id, section_id, period_from, "
                       "period_to, scope, assigned_by, assigned_at, clause) VALUES (?, ?, ?, ?, ?, "
                       "?, ?, ?) RETURNING id",
                       {auditor.id, section.id, input.period_from, input.period_to, input.scope,
                        assigner.id, FormatUtc(ledger.Now()), std::string(kSeparationClause)}));
    MAMORI_TRY(const auto stored, Load(ledger, id));
    return ledger.Record({actor, "audit_plan.assign", "audit_assignment", std::to_string(id),
                          ToJson(stored).dump()});
  });
  if (!changed.Ok()) return changed.Err();
  return id;
}

Result<std::vector<AuditAssignment>> ListAuditAssignments(Ledger& ledger) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT id FROM audit_assignments ORDER BY id"));
  std::vector<AuditAssignment> result;
  result.reserve(rows.size());
  for (const auto& row : rows) {
    MAMORI_TRY(auto assignment, Load(ledger, row.Int(0)));
    result.push_back(std::move(assignment));
  }
  return result;
}

nlohmann::json ToJson(const AuditAssignment& assignment) {
  return nlohmann::json{{"id", assignment.id},
                        {"auditor", assignment.auditor},
                        {"auditor_name", assignment.auditor_name},
                        {"section", assignment.section},
                        {"period_from", assignment.period_from},
                        {"period_to", assignment.period_to},
                        {"scope", assignment.scope},
                        {"assigned_by", assignment.assigned_by},
                        {"assigned_at", assignment.assigned_at},
                        {"clause", assignment.clause}};
}

}  // namespace mamori::ledger::workflow
