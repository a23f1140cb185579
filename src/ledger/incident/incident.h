// 情報セキュリティインシデント (阪南市 対策基準 5.3): reports from staff and
// from residents and other outsiders, the reporting chain of 5.3(1)/(2),
// triage, timeline, cause and recurrence prevention (5.3(3)), the disclosure
// decision of the 統一的な窓口 (1(4)③), and the report to 個人情報保護委員会
// when personal data is involved (個人情報保護法 第26条 / 第68条 and its rules).
//
// The chain (docs/incidents.md):
//   level 1  情報セキュリティ管理者 of the incident's section     5.3(1)① / 5.3(2)①
//   level 2  情報セキュリティ責任者 of its department + CSIRT     5.3(1)② / 5.3(2)②
//   level 3  CISO + 統括情報セキュリティ責任者                      5.3(1)③ / 5.3(2)③
// A report is level 1. Each escalation goes one level up and is refused when
// it skips a level, unless the severity is critical: then the step reaches
// every level up to the target at once (nobody in between is bypassed).
//
// Invariants: an incident is closed only with a recorded cause and measure
// (5.3(3)①) and, when personal data is involved, with the final report to
// 個人情報保護委員会 made; a closed incident does not change. Every change is
// one Ledger::Change with an "incident.*" audit event holding IncidentJson().
//
// Functions take the acting person's code (`actor`); they check the input
// first (every bad field named, nothing stored), then the actor's role.
// Thread safety: functions over a Ledger, which is used by one thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"

namespace mamori::ledger::incident {

// The severity scale (重大度), lowest first. kCritical is the only one that
// may skip a level of the chain.
enum class Severity { kLow, kMedium, kHigh, kCritical };
std::string_view SeverityId(Severity severity);      // "low" ... "critical"
std::string_view SeverityTitle(Severity severity);   // 低 / 中 / 高 / 重大
std::optional<Severity> ParseSeverity(std::string_view id);
const std::vector<std::string>& SeverityIds();

inline constexpr int kLevelManager = 1;
inline constexpr int kLevelOfficerCsirt = 2;
inline constexpr int kLevelCisoChief = 3;
// "情報セキュリティ管理者" etc. for a level 1..3.
std::string LevelTitle(int level);
// Reads a level given as 1..3 or as "manager", "officer", "ciso"; nullopt otherwise.
std::optional<int> ParseLevel(std::string_view text);

struct Recipient {
  std::string role;    // profile role id
  std::string person;  // person code
  std::string name;
};

struct Step {
  int level = 0;
  std::string actor;  // person code
  std::string at;     // UTC
  std::string clause;
  std::string note;
  std::vector<Recipient> recipients;
};

struct TimelineEntry {
  std::string at;  // UTC, when it happened
  std::string person;
  std::string text;
  std::string recorded_at;
};

struct Incident {
  std::int64_t id = 0;
  std::string source;    // staff | external
  // staff: the reporter; external: who received the report (IncidentJson
  // shows it as received_by, never as reporter).
  std::string reporter;
  std::string external_kind;  // resident | other (external only)
  std::string external_name;
  std::string external_contact;
  std::string section;
  std::string department;
  std::string summary;
  std::string description;
  std::string aware_at;  // UTC: when the organization became aware (認知)
  std::string reported_at;
  int level = kLevelManager;
  std::string state;  // open | closed
  std::string severity;  // "" until triaged
  std::vector<std::string> affected_assets;
  std::optional<std::int64_t> people_affected;
  bool personal_data = false;
  std::int64_t personal_data_persons = 0;
  bool malicious = false;
  std::string triaged_by, triaged_at;
  std::string cause, cause_by, cause_at;
  std::string measure, measure_by, measure_at;
  std::string disclosure;  // "" | publish | withhold
  std::string disclosure_reason, disclosure_by, disclosure_at;
  std::string ppc_prompt_at, ppc_prompt_by, ppc_final_at, ppc_final_by;
  std::string closed_at, closed_by;
  std::vector<Step> steps;
  std::vector<TimelineEntry> timeline;
};

struct StaffReport {
  std::string section;  // empty: the reporter's own section
  std::string summary;
  std::string description;
  std::string aware_at;  // empty: now; otherwise a time not in the future
};

// 5.3(2): a report from a resident or another outsider, taken by a staff member.
struct ExternalReport {
  std::string kind;  // resident | other
  std::string name;
  std::string contact;
  std::string text;
  std::string summary;  // empty: "住民等外部からの報告"
  std::string section;  // empty: the receiving staff member's section
  std::string aware_at;
};

// A partial update: only the fields given change.
struct Triage {
  std::optional<std::string> severity;
  std::optional<std::vector<std::string>> affected_assets;
  std::optional<std::int64_t> people_affected;
  std::optional<bool> personal_data;
  std::optional<std::int64_t> personal_data_persons;
  std::optional<bool> malicious;
};

// The effective numbers of days for the reports to 個人情報保護委員会: the
// profile's deadlines, or 3 / 30 / 60 where the profile gives 0.
struct PpcDays {
  int prompt = 0;
  int final_report = 0;
  int final_malicious = 0;
};
PpcDays EffectivePpcDays(const policy::Profile& profile);

// One report to 個人情報保護委員会 and where it stands.
struct PpcReport {
  std::string kind;      // prompt (速報) | final (確報)
  int days = 0;          // the period applied
  std::string deadline;  // JST date: the last day (初日不算入: the awareness day + days)
  std::string made_at;   // UTC; "" when not made
  std::string made_by;
  bool overdue = false;  // not made, and today (JST) is past the deadline
  bool late = false;     // made after the deadline
};
// Empty unless personal data is involved.
std::vector<PpcReport> PpcReports(const Ledger& ledger, const Incident& incident);

struct OverdueReport {
  std::int64_t incident_id = 0;
  std::string summary;
  PpcReport report;
  std::int64_t days_overdue = 0;
};

// The stored state: what audit events hold and `--json` prints (the PPC
// report status is computed apart, by PpcReportsJson, as it changes with time).
nlohmann::json IncidentJson(const Incident& incident);
nlohmann::json PpcReportsJson(const std::vector<PpcReport>& reports);

// Reports by staff (5.3(1)①): the incident and its first step to the
// section's managers. kNotFound for an unknown reporter or section;
// kInvalidArgument for bad fields, a reporter not employed today, or a
// section without a manager. Returns the new incident's id.
Result<std::int64_t> ReportByStaff(Ledger& ledger, const std::string& actor,
                                   const StaffReport& report);
// Reports from outside (5.3(2)①), received by `actor`.
Result<std::int64_t> ReportExternal(Ledger& ledger, const std::string& actor,
                                    const ExternalReport& report);

// Reports through the residents' public form (5.3(2)①): nobody on the staff
// took the report, so its audit event ("incident.report_external") is
// recorded by audit::kAnonymousActor with `remote_addr`, the receipt number (受付番号,
// the id) and channel "public_form"; the incident is routed to `intake` (the
// 統一的な窓口) for their section, its first step noting the form. Returns the
// new incident's id (the receipt number).
Result<std::int64_t> ReportFromPublicForm(Ledger& ledger, const std::string& intake,
                                          const ExternalReport& report,
                                          const std::string& remote_addr);

// Reports the incident one level up the chain (`to_level` nullopt), or to
// `to_level`: refused when that skips a level and the severity is not
// critical, or when it is not above the current level. To level 2: the
// section's manager (5.3(1)②); to level 3: the manager (5.3(1)③), the
// department's officer or CSIRT (1(4)①).
Status Escalate(Ledger& ledger, const std::string& actor, std::int64_t id,
                std::optional<int> to_level, const std::string& note);

// Triage (CSIRT, the manager, the officer, the chief and deputy chief
// officer, the CISO). At least one field must be given.
Status SetTriage(Ledger& ledger, const std::string& actor, std::int64_t id, const Triage& triage);

// A timeline entry; `at` empty means now, otherwise not in the future. Anyone
// on the incident (the reporter and the roles above).
Status AddTimeline(Ledger& ledger, const std::string& actor, std::int64_t id,
                   const std::string& at, const std::string& text);

// 5.3(3)①: cause (原因) and recurrence prevention measures (再発防止策), by
// the chief or deputy chief officer, the section's manager or CSIRT.
Status SetCause(Ledger& ledger, const std::string& actor, std::int64_t id, const std::string& text);
Status SetMeasure(Ledger& ledger, const std::string& actor, std::int64_t id,
                  const std::string& text);

// 1(4)③: whether to publish (publish | withhold), with the reason; CSIRT or CISO.
Status Disclose(Ledger& ledger, const std::string& actor, std::int64_t id,
                const std::string& decision, const std::string& reason);

// Records that the prompt (速報) or final (確報) report to 個人情報保護委員会
// was made (`at` empty: now). Only when personal data is involved; each once.
// A final report made before any prompt report serves as both. CSIRT, the
// chief or deputy chief officer, the CISO.
Status RecordPpcReport(Ledger& ledger, const std::string& actor, std::int64_t id,
                       const std::string& kind, const std::string& at);

// Closes the incident: refused without a cause and a measure (5.3(3)①), or
// with personal data involved and the final report not made. CISO (5.3(3)②),
// the chief or deputy chief officer, CSIRT.
Status Close(Ledger& ledger, const std::string& actor, std::int64_t id);

// kNotFound when there is no such incident.
Result<Incident> GetIncident(Ledger& ledger, std::int64_t id);

struct ListFilter {
  bool open_only = false;
  std::string severity;  // "" for any
};
Result<std::vector<Incident>> ListIncidents(Ledger& ledger, const ListFilter& filter);

// Every report to 個人情報保護委員会 not made by its deadline, as of ledger.Now().
Result<std::vector<OverdueReport>> ListOverduePpcReports(Ledger& ledger);

}  // namespace mamori::ledger::incident
