#include "ledger/incident/training.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "ledger/incident/common.h"
#include "ledger/validate.h"

namespace mamori::ledger::incident {
namespace {

using Json = nlohmann::json;
using policy::Role;

constexpr int kMaxNewHireDays = 366;
constexpr std::size_t kMaxRoles = 16;

std::string JoinRoles(const std::vector<std::string>& roles) {
  std::string joined;
  for (const auto& role : roles) joined += (joined.empty() ? "" : ",") + role;
  return joined;
}

std::vector<std::string> SplitRoles(const std::string& text) {
  std::vector<std::string> roles;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) roles.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return roles;
}

std::string DefaultClause(const SessionInput& input) {
  if (input.kind == "drill") return "5.2(2)";
  if (input.target == "new_hires") return "5.2(1)②";
  if (input.target == "roles") return "5.2(1)③";
  return "5.2(1)①";
}

Session SessionFromRow(const storage::Row& row) {
  return Session{row.Int(0),  row.Text(1), row.Text(2),
                 row.Text(3), row.Text(4), static_cast<int>(row.Int(5)),
                 SplitRoles(row.Text(6)), row.Text(7), row.Text(8),
                 row.Text(9)};
}

constexpr std::string_view kSessionColumns =
    "SELECT id, title, kind, date, target, new_hire_days, roles, clause, created_by, created_at "
    "FROM training_sessions";

std::string AddDays(const std::string& date, int days) {
  auto parsed = ParseDate(date, "date");
  if (!parsed.Ok()) return date;
  return FormatDate(std::chrono::year_month_day{std::chrono::sys_days(*parsed) +
                                                std::chrono::days(days)});
}

// 5.2(3) binds 職員; 委託事業者 are bound through their contracts (8.x).
bool MustTrain(const Person& person) { return person.employment != "contractor"; }

Status CheckSessionId(std::int64_t id) {
  if (id > 0) return OkStatus();
  return FieldError("session", "研修・訓練の番号は 1 以上の整数です",
                    "the session id is a positive integer");
}

const std::vector<Role>& Organizers() {
  // 5.2(1)①: the CISO holds the training; the IT division (統括情報セキュリティ
  // 責任者 and deputy) organizes it.
  static const std::vector<Role> kRoles{Role::kCiso, Role::kChiefOfficer,
                                        Role::kDeputyChiefOfficer};
  return kRoles;
}

}  // namespace

Json SessionJson(const Session& session) {
  return Json{{"id", session.id},
              {"title", session.title},
              {"kind", session.kind},
              {"date", session.date},
              {"target", session.target},
              {"new_hire_days", session.new_hire_days},
              {"roles", session.roles},
              {"clause", session.clause},
              {"created_by", session.created_by},
              {"created_at", session.created_at}};
}

int FiscalYearOf(const std::string& date) {
  auto parsed = ParseDate(date, "date");
  if (!parsed.Ok()) return 0;
  const int year = static_cast<int>(parsed->year());
  return static_cast<unsigned>(parsed->month()) >= 4 ? year : year - 1;
}

Result<std::int64_t> AddSession(Ledger& ledger, const std::string& actor_code,
                                const SessionInput& input) {
  Checks checks;
  checks.Add(CheckCode(actor_code, "actor"))
      .Add(CheckText(input.title, "title", kMaxName))
      .Add(CheckOneOf(input.kind, "kind", {"training", "drill"}))
      .Add(CheckDate(input.date, "date"))
      .Add(CheckOneOf(input.target, "target", {"all", "new_hires", "roles"}))
      .Add(CheckText(input.clause, "clause", kMaxCode, true));
  if (input.target == "new_hires") {
    if (input.new_hire_days < 1 || input.new_hire_days > kMaxNewHireDays) {
      checks.Add(FieldError("new_hire_days",
                            "新規採用者の範囲は 1〜" + std::to_string(kMaxNewHireDays) + " 日です",
                            "new_hire_days is 1 to " + std::to_string(kMaxNewHireDays)));
    }
  } else if (input.new_hire_days != 0) {
    checks.Add(FieldError("new_hire_days", "対象が new_hires の場合のみ指定できます",
                          "only for target new_hires"));
  }
  if (input.target == "roles") {
    if (input.roles.empty() || input.roles.size() > kMaxRoles) {
      checks.Add(FieldError("roles", "対象の役割を 1〜" + std::to_string(kMaxRoles) + " 個指定してください",
                            "give 1 to " + std::to_string(kMaxRoles) + " roles"));
    }
    for (const auto& id : input.roles) {
      const auto role = policy::ParseRole(id);
      if (!role || ledger.Profile().FindRole(*role) == nullptr) {
        checks.Add(FieldError("roles", "役割「" + id + "」はこの組織のポリシーにありません",
                              "role \"" + id + "\" is not defined by the profile"));
      }
    }
  } else if (!input.roles.empty()) {
    checks.Add(FieldError("roles", "対象が roles の場合のみ指定できます", "only for target roles"));
  }
  if (!input.clause.empty() && ledger.Profile().FindClause(input.clause) == nullptr &&
      input.clause.rfind("5.2", 0) != 0) {
    checks.Add(FieldError("clause", "条項「" + input.clause + "」はポリシーにありません",
                          "no clause \"" + input.clause + "\" in the profile"));
  }
  MAMORI_TRY_STATUS(checks.Done());
  std::int64_t id = 0;
  // Not MAMORI_TRY_STATUS: the body uses it too (-Wshadow).
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(const auto section, FindSection(ledger, actor.section_code));
    MAMORI_TRY_STATUS(Authorize(ledger, actor, section, Organizers(), "研修・訓練の登録",
                                "add a training session"));
    const std::string clause = input.clause.empty() ? DefaultClause(input) : input.clause;
    MAMORI_TRY(id, ledger.Db().QueryInt(
                       "INSERT INTO training_sessions (title, kind, date, target, new_hire_days, "
                       "roles, clause, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "RETURNING id",
                       {input.title, input.kind, input.date, input.target,
                        std::int64_t{input.new_hire_days}, JoinRoles(input.roles), clause,
                        actor_code, FormatUtc(ledger.Now())}));
    MAMORI_TRY(const auto session, GetSession(ledger, id));
    return ledger.Record(
        {actor_code, "training.add", "training_session", std::to_string(id),
         SessionJson(session).dump()});
  });
  if (!changed.Ok()) return changed.Err();
  return id;
}

Status RecordAttendance(Ledger& ledger, const std::string& actor_code, std::int64_t session_id,
                        const std::string& person_code) {
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(actor_code, "actor"))
                        .Add(CheckSessionId(session_id))
                        .Add(CheckCode(person_code, "person"))
                        .Done());
  return ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto actor, ActivePerson(ledger, actor_code));
    MAMORI_TRY(const auto session, GetSession(ledger, session_id));
    MAMORI_TRY(const auto person, FindPerson(ledger, person_code));
    MAMORI_TRY(const auto section, FindSection(ledger, person.section_code));
    auto roles = Organizers();
    roles.push_back(Role::kManager);  // of the attendee's section
    MAMORI_TRY_STATUS(
        Authorize(ledger, actor, section, roles, "受講の記録", "record attendance"));
    if (session.date > TodayJst(ledger)) {
      return FieldError("session", "実施日（" + session.date + "）前の研修・訓練には受講を記録できません",
                        "the session (" + session.date + ") has not taken place yet");
    }
    if (!ActiveOn(person, session.date)) {
      return FieldError("person", "「" + person_code + "」は実施日（" + session.date + "）に在職していません",
                        "\"" + person_code + "\" was not employed on " + session.date);
    }
    MAMORI_TRY(const auto already,
               ledger.Db().QueryInt("SELECT count(*) FROM training_attendance WHERE session_id = "
                                    "? AND person_id = ?",
                                    {session_id, person.id}));
    if (already > 0) {
      return FieldError("person", "「" + person_code + "」の受講は記録済みです",
                        "attendance of \"" + person_code + "\" is already recorded");
    }
    const std::string now = FormatUtc(ledger.Now());
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "INSERT INTO training_attendance (session_id, person_id, recorded_by, recorded_at) "
        "VALUES (?, ?, ?, ?)",
        {session_id, person.id, actor_code, now}));
    return ledger.Record({actor_code, "training.attend", "training_session",
                          std::to_string(session_id),
                          Json{{"session", session_id},
                               {"person", person_code},
                               {"recorded_by", actor_code},
                               {"recorded_at", now}}
                              .dump()});
  });
}

Result<std::vector<Session>> ListSessions(Ledger& ledger) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(std::string(kSessionColumns) + " ORDER BY date, id"));
  std::vector<Session> sessions;
  sessions.reserve(rows.size());
  for (const auto& row : rows) sessions.push_back(SessionFromRow(row));
  return sessions;
}

Result<Session> GetSession(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(std::string(kSessionColumns) + " WHERE id = ?", {id}));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound, "研修・訓練 " + std::to_string(id) + " は登録されていません",
                 "no training session " + std::to_string(id), {"", 0, "session"});
  }
  return SessionFromRow(rows[0]);
}

Result<std::vector<Attendance>> AttendanceOf(Ledger& ledger, std::int64_t session_id) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT p.code, p.name, a.recorded_by, a.recorded_at FROM "
                               "training_attendance a JOIN people p ON p.id = a.person_id WHERE "
                               "a.session_id = ? ORDER BY p.code",
                               {session_id}));
  std::vector<Attendance> result;
  result.reserve(rows.size());
  for (const auto& row : rows) {
    result.push_back({row.Text(0), row.Text(1), row.Text(2), row.Text(3)});
  }
  return result;
}

Result<std::vector<Person>> RequiredAttendees(Ledger& ledger, const Session& session) {
  MAMORI_TRY(const auto people, ListPeople(ledger));
  std::vector<Person> required;
  const std::string earliest_start = AddDays(session.date, -session.new_hire_days);
  for (const auto& person : people) {
    if (!MustTrain(person) || !ActiveOn(person, session.date)) continue;
    bool must = false;
    if (session.target == "all") {
      must = true;
    } else if (session.target == "new_hires") {
      must = person.start_date >= earliest_start && person.start_date <= session.date;
    } else {
      MAMORI_TRY(const auto roles, RolesOf(ledger, person, session.date));
      for (const auto& assignment : roles) {
        const auto id = std::string(policy::Id(assignment.role));
        if (std::find(session.roles.begin(), session.roles.end(), id) != session.roles.end()) {
          must = true;
        }
      }
    }
    if (must) required.push_back(person);
  }
  return required;
}

Result<std::vector<OverdueAttendance>> ListOverdueAttendance(Ledger& ledger) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(std::string(kSessionColumns) + " WHERE date < ? ORDER BY date, id",
                               {TodayJst(ledger)}));
  std::vector<OverdueAttendance> result;
  for (const auto& row : rows) {
    const Session session = SessionFromRow(row);
    MAMORI_TRY(const auto required, RequiredAttendees(ledger, session));
    MAMORI_TRY(const auto attended, AttendanceOf(ledger, session.id));
    OverdueAttendance overdue{session, {}};
    for (const auto& person : required) {
      const bool present = std::any_of(attended.begin(), attended.end(),
                                       [&](const Attendance& a) { return a.person == person.code; });
      if (!present) overdue.missing.push_back(person);
    }
    if (!overdue.missing.empty()) result.push_back(std::move(overdue));
  }
  return result;
}

Result<YearlyCheck> CheckYearlyTraining(Ledger& ledger, std::optional<int> fiscal_year) {
  const std::string today = TodayJst(ledger);
  YearlyCheck check;
  check.fiscal_year = fiscal_year ? *fiscal_year : FiscalYearOf(today);
  if (check.fiscal_year < 1900 || check.fiscal_year > 9998) {
    return FieldError("fiscal_year", "年度が不正です", "bad fiscal year");
  }
  const auto year = std::chrono::year(check.fiscal_year);
  check.from = FormatDate(year / 4 / 1);
  check.to = FormatDate((year + std::chrono::years(1)) / 3 / 31);
  check.ended = today > check.to;
  const std::string as_of = std::min(today, check.to);
  MAMORI_TRY(const auto people, ListPeople(ledger));
  for (const auto& person : people) {
    if (!MustTrain(person) || !ActiveOn(person, as_of)) continue;
    MAMORI_TRY(const auto count,
               ledger.Db().QueryInt(
                   "SELECT count(*) FROM training_attendance a JOIN training_sessions s ON s.id = "
                   "a.session_id WHERE a.person_id = ? AND s.kind = 'training' AND s.date >= ? "
                   "AND s.date <= ?",
                   {person.id, check.from, check.to}));
    if (count == 0) check.missing.push_back(person);
  }
  return check;
}

}  // namespace mamori::ledger::incident
