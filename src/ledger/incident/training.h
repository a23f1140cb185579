// 研修・訓練 (阪南市 対策基準 5.2): sessions, who must attend them,
// attendance, and who is overdue.
//
//   5.2(1)① the CISO holds training for staff regularly       target all
//   5.2(1)② and training for new hires                         target new_hires
//   5.2(1)③ fitted to each role (統括/責任者/管理者/担当者/職員)  target roles
//   5.2(2)  emergency response drills                          kind drill
//   5.2(3)  every staff member attends the training set for them
//
// Who must attend a session: the people employed on its date, except
// 委託事業者 (5.2(3) binds 職員; contractors are bound by their contracts,
// 8.x) and, by target: everyone; people whose start_date lies within
// new_hire_days before the date; holders of one of the roles on the date.
// The yearly rule (mamori's reading of 5.2(1)① "定期的に"): every person
// employed, other than contractors, attends at least one session of kind
// training in each fiscal year (April to March).
//
// Every change is one Ledger::Change with a "training.*" audit event.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/org.h"

namespace mamori::ledger::incident {

struct SessionInput {
  std::string title;
  std::string kind;    // training | drill
  std::string date;    // YYYY-MM-DD
  std::string target;  // all | new_hires | roles
  int new_hire_days = 0;           // new_hires only: 1..366
  std::vector<std::string> roles;  // roles only: profile role ids
  std::string clause;  // empty: 5.2(1)① / ② / ③ by target, 5.2(2) for a drill
};

struct Session {
  std::int64_t id = 0;
  std::string title;
  std::string kind;
  std::string date;
  std::string target;
  int new_hire_days = 0;
  std::vector<std::string> roles;
  std::string clause;
  std::string created_by;
  std::string created_at;
};

struct Attendance {
  std::string person;
  std::string name;
  std::string recorded_by;
  std::string recorded_at;
};

// Adds a session (the CISO, the chief or deputy chief officer: 5.2(1)①).
Result<std::int64_t> AddSession(Ledger& ledger, const std::string& actor,
                                const SessionInput& input);
// Records that `person` attended: the session's date has come, the person
// was employed on it, not recorded before. The CISO, the chief or deputy
// chief officer, or the manager of the person's section.
Status RecordAttendance(Ledger& ledger, const std::string& actor, std::int64_t session_id,
                        const std::string& person);

Result<std::vector<Session>> ListSessions(Ledger& ledger);
Result<Session> GetSession(Ledger& ledger, std::int64_t id);
Result<std::vector<Attendance>> AttendanceOf(Ledger& ledger, std::int64_t session_id);
// The people who must attend `session` (see above), by code.
Result<std::vector<Person>> RequiredAttendees(Ledger& ledger, const Session& session);

struct OverdueAttendance {
  Session session;
  std::vector<Person> missing;
};
// Sessions whose date has passed (before today, JST) with required people
// who have no attendance.
Result<std::vector<OverdueAttendance>> ListOverdueAttendance(Ledger& ledger);

struct YearlyCheck {
  int fiscal_year = 0;  // 2026 = 2026-04-01 .. 2027-03-31
  std::string from, to;
  bool ended = false;  // today is after `to`: the missing are overdue
  std::vector<Person> missing;
};
// The fiscal year of a date: April to March.
int FiscalYearOf(const std::string& date);
// The yearly rule for `fiscal_year` (nullopt: the current one). The people
// checked are those employed on the year's last day, or today if earlier.
Result<YearlyCheck> CheckYearlyTraining(Ledger& ledger, std::optional<int> fiscal_year);

nlohmann::json SessionJson(const Session& session);

}  // namespace mamori::ledger::incident
