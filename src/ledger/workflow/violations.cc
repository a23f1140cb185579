#include "ledger/workflow/violations.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ledger/validate.h"
#include "ledger/workflow/internal.h"

namespace mamori::ledger::workflow {

using internal::Json;

namespace {

Error ViolationError(std::string_view field, const std::string& ja, const std::string& en) {
  return Error(ErrorCode::kInvalidArgument, ja, en, {"", 0, std::string(field)});
}

constexpr std::string_view kViolationSelect =
    "SELECT v.id, p.code, p.name, s.code, r.code, v.description, v.notified_to, v.clause, "
    "v.time_utc FROM violations v JOIN people p ON p.id = v.person_id JOIN sections s ON s.id = "
    "v.section_id JOIN people r ON r.id = v.reported_by";

constexpr std::string_view kSuspensionSelect =
    "SELECT x.id, p.code, coalesce(x.violation_id, 0), x.reason, d.code, x.decided_at, "
    "x.notified_to, coalesce(r.code, ''), coalesce(x.restored_at, ''), "
    "coalesce(x.restore_reason, '') FROM suspensions x JOIN people p ON p.id = x.person_id "
    "JOIN people d ON d.id = x.decided_by LEFT JOIN people r ON r.id = x.restored_by";

Violation ViolationFromRow(const storage::Row& row) {
  return Violation{row.Int(0),  row.Text(1), row.Text(2),
                   row.Text(3), row.Text(4), row.Text(5),
                   internal::FromJsonArray(row.Text(6)), row.Text(7), row.Text(8)};
}

Suspension SuspensionFromRow(const storage::Row& row) {
  return Suspension{row.Int(0),  row.Text(1), row.Int(2),
                    row.Text(3), row.Text(4), row.Text(5),
                    internal::FromJsonArray(row.Text(6)), row.Text(7), row.Text(8),
                    row.Text(9)};
}

Result<Suspension> LoadSuspension(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(const auto row,
             ledger.Db().QueryOne(std::string(kSuspensionSelect) + " WHERE x.id = ?", {id}));
  return SuspensionFromRow(row);
}

// 7.6④ is the chief officer's to decide (and whom the profile lets act for them).
Status MayDecideSuspension(Ledger& ledger, const Person& actor, const Section& section) {
  const auto roles = internal::WithDelegates(ledger.Profile(), {policy::Role::kChiefOfficer});
  MAMORI_TRY(const auto role, internal::HeldRole(ledger, actor, roles, section));
  if (role) return OkStatus();
  return ViolationError("actor",
                        "権利の停止・回復を決定できるのは " +
                            internal::RoleTitles(ledger.Profile(), roles) + " です（7.6④）",
                        "only the chief officer (or their delegate) suspends or restores system "
                        "rights (7.6④)");
}

// 7.6④ その後速やかに…情報セキュリティ管理者に通知: the person's managers, or
// the department's officer when the section has no other manager.
Result<std::vector<std::string>> SuspensionRecipients(Ledger& ledger, const Person& person,
                                                      const Section& section) {
  MAMORI_TRY(const auto managers, internal::HoldersOfAny(ledger, {policy::Role::kManager}, section));
  std::vector<std::string> codes;
  for (const auto& manager : managers) {
    if (manager.id != person.id) codes.push_back(manager.code);
  }
  if (codes.empty()) {
    MAMORI_TRY(const auto officers,
               internal::HoldersOfAny(ledger, {policy::Role::kOfficer}, section));
    for (const auto& officer : officers) {
      if (officer.id != person.id) codes.push_back(officer.code);
    }
  }
  if (codes.empty()) {
    return ViolationError("person",
                          "通知先がいません: " + internal::ScopeJa(ledger.Profile(), policy::Role::kManager, section) +
                              "の情報セキュリティ管理者も部局「" + section.department_code +
                              "」の情報セキュリティ責任者もいません",
                          "nobody to notify: no manager for section " + section.code +
                              " and no officer for department " + section.department_code);
  }
  return codes;
}

}  // namespace

Json ToJson(const Violation& violation) {
  return Json{{"id", violation.id},
              {"person", violation.person},
              {"person_name", violation.person_name},
              {"section", violation.section},
              {"reported_by", violation.reported_by},
              {"description", violation.description},
              {"notified_to", violation.notified_to},
              {"clause", violation.clause},
              {"time", violation.time_utc}};
}

Json ToJson(const Suspension& suspension) {
  return Json{{"id", suspension.id},
              {"person", suspension.person},
              {"violation_id", suspension.violation_id},
              {"reason", suspension.reason},
              {"decided_by", suspension.decided_by},
              {"decided_at", suspension.decided_at},
              {"notified_to", suspension.notified_to},
              {"restored_by", suspension.restored_by},
              {"restored_at", suspension.restored_at},
              {"restore_reason", suspension.restore_reason},
              {"active", suspension.Active()}};
}

Result<Violation> NotifyViolation(Ledger& ledger, const std::string& reporter,
                                  const std::string& person, const std::string& description) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(reporter, "reporter"))
                        .Add(CheckCode(person, "person"))
                        .Add(CheckText(description, "description", kMaxText, false, true))
                        .Done());
  Violation result;
  const Status changed = ledger.Change([&]() -> Status {
    // Reporting a violation is never blocked, not even for a suspended
    // person: it is a duty (7.6③ア), not a use of system rights.
    MAMORI_TRY(const auto by, internal::ActivePerson(ledger, reporter, "reporter"));
    MAMORI_TRY(const auto violator, FindPerson(ledger, person));
    MAMORI_TRY(const auto section, FindSection(ledger, violator.section_code));
    MAMORI_TRY(const auto managers,
               internal::HoldersOfAny(ledger, {policy::Role::kManager}, section));
    const auto chief_roles =
        internal::WithDelegates(ledger.Profile(), {policy::Role::kChiefOfficer});
    MAMORI_TRY(const auto chief, internal::HeldRole(ledger, by, chief_roles, section));
    const bool by_manager = std::any_of(managers.begin(), managers.end(),
                                        [&](const Person& m) { return m.id == by.id; });
    std::vector<std::string> notify;
    for (const auto& manager : managers) {
      if (manager.id != by.id && manager.id != violator.id) notify.push_back(manager.code);
    }
    std::string clause;
    if (!by_manager && !notify.empty()) {
      // 7.6① (the chief officer) or ③ア (staff): to the section's manager.
      clause = chief ? "7.6①" : "7.6③ア";
    } else {
      // 7.6②: the manager reports to the department's officer and the CSIRT
      // (also when the violator is the section's only manager).
      clause = "7.6②";
      notify.clear();
      MAMORI_TRY(const auto officers,
                 internal::HoldersOfAny(ledger, {policy::Role::kOfficer}, section));
      MAMORI_TRY(const auto csirt, internal::HoldersOfAny(ledger, {policy::Role::kCsirt}, section));
      for (const auto* group : {&officers, &csirt}) {
        for (const auto& holder : *group) {
          if (holder.id != by.id && holder.id != violator.id) notify.push_back(holder.code);
        }
      }
      std::sort(notify.begin(), notify.end());
      notify.erase(std::unique(notify.begin(), notify.end()), notify.end());
      if (notify.empty()) {
        return ViolationError(
            "person",
            "通知先がいません: 部局「" + section.department_code +
                "」の情報セキュリティ責任者又は統一的な窓口（csirt）を組織台帳で割り当ててください（7.6②）",
            "nobody to notify: assign an officer for department " + section.department_code +
                " or a csirt holder (7.6②)");
      }
    }
    MAMORI_TRY(const std::int64_t id,
               ledger.Db().QueryInt(
                   "INSERT INTO violations (person_id, section_id, reported_by, description, "
                   "notified_to, clause, time_utc) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   {violator.id, section.id, by.id, description, internal::ToJsonArray(notify),
                    clause, internal::NowUtc(ledger)}));
    MAMORI_TRY(const auto row,
               ledger.Db().QueryOne(std::string(kViolationSelect) + " WHERE v.id = ?", {id}));
    result = ViolationFromRow(row);
    return ledger.Record(
        {by.code, "violation.notify", "violation", std::to_string(id), ToJson(result).dump()});
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Suspension> SuspendPerson(Ledger& ledger, const std::string& actor, const std::string& person,
                                 const std::string& reason, std::int64_t violation_id) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(actor, "actor"))
                        .Add(CheckCode(person, "person"))
                        .Add(CheckText(reason, "reason", kMaxText, false, true))
                        .Done());
  if (violation_id < 0) {
    return ViolationError("violation", "違反の番号が不正です", "bad violation id");
  }
  Suspension result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto by, internal::ActivePerson(ledger, actor, "actor"));
    MAMORI_TRY_STATUS(internal::NotSuspended(ledger, by, "権利の停止を決定", "suspend anyone"));
    MAMORI_TRY(const auto target, FindPerson(ledger, person));
    MAMORI_TRY(const auto section, FindSection(ledger, target.section_code));
    MAMORI_TRY_STATUS(MayDecideSuspension(ledger, by, section));
    if (by.id == target.id) {
      return ViolationError("person", "自らの権利を停止することはできません",
                            "one may not suspend oneself");
    }
    MAMORI_TRY(const auto active, ActiveSuspension(ledger, target.id));
    if (active) {
      return ViolationError("person",
                            "職員「" + person + "」は既に停止されています（停止 " +
                                std::to_string(active->id) + "）",
                            "person \"" + person + "\" is suspended already (suspension " +
                                std::to_string(active->id) + ")");
    }
    storage::Value violation = storage::Null();
    if (violation_id != 0) {
      MAMORI_TRY(const auto count,
                 ledger.Db().QueryInt("SELECT count(*) FROM violations WHERE id = ? AND person_id = ?",
                                      {violation_id, target.id}));
      if (count == 0) {
        return ViolationError("violation",
                              "職員「" + person + "」の違反 " + std::to_string(violation_id) +
                                  " はありません",
                              "no violation " + std::to_string(violation_id) + " by \"" + person +
                                  "\"");
      }
      violation = violation_id;
    }
    MAMORI_TRY(const auto notify, SuspensionRecipients(ledger, target, section));
    MAMORI_TRY(const std::int64_t id,
               ledger.Db().QueryInt(
                   "INSERT INTO suspensions (person_id, violation_id, reason, decided_by, "
                   "decided_at, notified_to) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                   {target.id, violation, reason, by.id, internal::NowUtc(ledger),
                    internal::ToJsonArray(notify)}));
    MAMORI_TRY(result, LoadSuspension(ledger, id));
    return ledger.Record(
        {by.code, "violation.suspend", "suspension", std::to_string(id), ToJson(result).dump()});
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Suspension> RestorePerson(Ledger& ledger, const std::string& actor, const std::string& person,
                                 const std::string& reason) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(actor, "actor"))
                        .Add(CheckCode(person, "person"))
                        .Add(CheckText(reason, "reason", kMaxText, false, true))
                        .Done());
  Suspension result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto by, internal::ActivePerson(ledger, actor, "actor"));
    MAMORI_TRY_STATUS(internal::NotSuspended(ledger, by, "権利の回復を決定", "restore anyone"));
    MAMORI_TRY(const auto target, FindPerson(ledger, person));
    MAMORI_TRY(const auto section, FindSection(ledger, target.section_code));
    MAMORI_TRY_STATUS(MayDecideSuspension(ledger, by, section));
    MAMORI_TRY(const auto active, ActiveSuspension(ledger, target.id));
    if (!active) {
      return ViolationError("person", "職員「" + person + "」は停止されていません",
                            "person \"" + person + "\" is not suspended");
    }
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE suspensions SET restored_by = ?, restored_at = ?, restore_reason = ? WHERE id = ?",
        {by.id, internal::NowUtc(ledger), reason, active->id}));
    MAMORI_TRY(result, LoadSuspension(ledger, active->id));
    return ledger.Record({by.code, "violation.restore", "suspension", std::to_string(active->id),
                          ToJson(result).dump()});
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<std::vector<Violation>> ListViolations(Ledger& ledger, const std::string& person) {
  std::string sql(kViolationSelect);
  storage::Params params;
  if (!person.empty()) {
    MAMORI_TRY_STATUS(CheckCode(person, "person"));
    sql += " WHERE p.code = ?";
    params.emplace_back(person);
  }
  MAMORI_TRY(const auto rows, ledger.Db().Query(sql + " ORDER BY v.id", params));
  std::vector<Violation> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(ViolationFromRow(row));
  return out;
}

Result<std::vector<Suspension>> ListSuspensions(Ledger& ledger, const std::string& person) {
  std::string sql(kSuspensionSelect);
  storage::Params params;
  if (!person.empty()) {
    MAMORI_TRY_STATUS(CheckCode(person, "person"));
    sql += " WHERE p.code = ?";
    params.emplace_back(person);
  }
  MAMORI_TRY(const auto rows, ledger.Db().Query(sql + " ORDER BY x.id", params));
  std::vector<Suspension> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(SuspensionFromRow(row));
  return out;
}

Result<std::optional<Suspension>> ActiveSuspension(Ledger& ledger, std::int64_t person_id) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(std::string(kSuspensionSelect) +
                                   " WHERE x.person_id = ? AND x.restored_at IS NULL ORDER BY x.id",
                               {person_id}));
  if (rows.empty()) return std::optional<Suspension>();
  return std::optional<Suspension>(SuspensionFromRow(rows[0]));
}

}  // namespace mamori::ledger::workflow
