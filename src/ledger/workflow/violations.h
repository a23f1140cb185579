// Violations (違反行為確認時の対応, 7.6): notifying a violation of the policy
// to the people who must act on it, and suspending and restoring a person's
// rights to use the information systems.
//
// Routing of a notification (org HoldersOf, on the day):
//  - reported by anyone but a manager of the violator's section (7.6①, ③ア):
//    to that section's managers (情報セキュリティ管理者);
//  - reported by a manager of that section, or when the violator is the
//    section's only manager (7.6②): to the department's officer
//    (情報セキュリティ責任者) and the CSIRT (統一的な窓口).
// A suspension (7.6④) is decided by the chief officer (or a delegate the
// profile gives) with its reasons and notified to the person's managers; a
// suspended person can neither submit nor approve requests until restored.
// Every change is one Ledger::Change with an audit event holding the new state.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/org.h"

namespace mamori::ledger::workflow {

struct Violation {
  std::int64_t id = 0;
  std::string person;
  std::string person_name;
  std::string section;
  std::string reported_by;
  std::string description;
  std::vector<std::string> notified_to;
  std::string clause;  // 7.6①, 7.6② or 7.6③ア
  std::string time_utc;
};

struct Suspension {
  std::int64_t id = 0;
  std::string person;
  std::int64_t violation_id = 0;  // 0: none given
  std::string reason;
  std::string decided_by;
  std::string decided_at;
  std::vector<std::string> notified_to;
  std::string restored_by;
  std::string restored_at;
  std::string restore_reason;
  bool Active() const { return restored_at.empty(); }
};

nlohmann::json ToJson(const Violation& violation);
nlohmann::json ToJson(const Suspension& suspension);

// Records and routes a notification. Errors: bad fields (named), unknown
// people, nobody to notify (names the role and the section or department).
Result<Violation> NotifyViolation(Ledger& ledger, const std::string& reporter,
                                  const std::string& person, const std::string& description);
// Suspends `person`'s system rights (7.6④). `actor` must hold chief_officer
// (or its delegate); refused when already suspended or for oneself.
// `violation_id` 0 = not tied to a recorded violation.
Result<Suspension> SuspendPerson(Ledger& ledger, const std::string& actor,
                                 const std::string& person, const std::string& reason,
                                 std::int64_t violation_id);
// Ends the active suspension of `person`, with the reason.
Result<Suspension> RestorePerson(Ledger& ledger, const std::string& actor,
                                 const std::string& person, const std::string& reason);

// Empty `person`: all.
Result<std::vector<Violation>> ListViolations(Ledger& ledger, const std::string& person);
Result<std::vector<Suspension>> ListSuspensions(Ledger& ledger, const std::string& person);
// The person's suspension in force, if any.
Result<std::optional<Suspension>> ActiveSuspension(Ledger& ledger, std::int64_t person_id);

}  // namespace mamori::ledger::workflow
