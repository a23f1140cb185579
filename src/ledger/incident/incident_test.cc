#include "ledger/incident/incident.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "ledger/org.h"
#include "ledger/test_support.h"

namespace mamori::ledger::incident {
namespace {

using ::mamori::ledger::testing::Fields;

using std::chrono::days;
using std::chrono::hours;

std::set<std::string> Recipients(const Step& step) {
  std::set<std::string> codes;
  for (const auto& r : step.recipients) codes.insert(r.role + ":" + r.person);
  return codes;
}

// Builders (designated initializers of partly given aggregates warn with g++ 12).
Triage WithSeverity(const std::string& severity) {
  Triage triage;
  triage.severity = severity;
  return triage;
}

Triage WithPersonalData(bool involved, std::optional<std::int64_t> persons = std::nullopt,
                        std::optional<bool> malicious = std::nullopt) {
  Triage triage;
  triage.personal_data = involved;
  triage.personal_data_persons = persons;
  triage.malicious = malicious;
  return triage;
}

ListFilter Filter(bool open_only, const std::string& severity) {
  ListFilter filter;
  filter.open_only = open_only;
  filter.severity = severity;
  return filter;
}

std::int64_t Count(Ledger& ledger, const std::string& table) {
  return *ledger.Db().QueryInt("SELECT count(*) FROM " + table);
}

std::int64_t Report(Ledger& ledger, const std::string& reporter = "s1") {
  auto id = ReportByStaff(ledger, reporter,
                          {"", "USBメモリの紛失", "税務課の USB メモリが見当たらない", ""});
  EXPECT_TRUE(id.Ok()) << id.Err().ToString();
  return id.Ok() ? *id : 0;
}

// A fresh ledger per test, named after the test (CTest may run tests in parallel).
std::string TestName() {
  return std::string("incident_") +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

class IncidentTest : public ::testing::Test {
 protected:
  IncidentTest() : ledger_(TestName()) { testing::SeedOrganization(*ledger_); }
  testing::TempLedger ledger_;
};

// 阪南市 5.3(1): 職員 → 情報セキュリティ管理者 → 情報セキュリティ責任者 and the
// 統一的な窓口 → CISO and 統括情報セキュリティ責任者, each step recorded with who,
// when and to whom, in order.
TEST_F(IncidentTest, HannanEscalationChainIsFollowedInOrder) {
  const auto events_before = *ledger_->Audit().LastSeq();
  const auto id = Report(*ledger_);
  auto incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.state, "open");
  EXPECT_EQ(incident.level, kLevelManager);
  EXPECT_EQ(incident.section, "zeimu");
  ASSERT_EQ(incident.steps.size(), 1u);
  EXPECT_EQ(incident.steps[0].actor, "s1");
  EXPECT_EQ(incident.steps[0].clause, "5.3(1)①");
  EXPECT_EQ(Recipients(incident.steps[0]), (std::set<std::string>{"manager:m1"}));
  EXPECT_EQ(incident.steps[0].at, "2026-12-01T01:00:00Z");

  // The reporter cannot report past the manager; the manager of another section cannot either.
  auto by_reporter = Escalate(*ledger_, "s1", id, std::nullopt, "");
  ASSERT_FALSE(by_reporter.Ok());
  EXPECT_EQ(Fields(by_reporter.Err()), std::vector<std::string>{"actor"});
  EXPECT_FALSE(Escalate(*ledger_, "m2", id, std::nullopt, "").Ok());

  ledger_.clock().Advance(hours(1));
  ASSERT_TRUE(Escalate(*ledger_, "m1", id, std::nullopt, "").Ok());
  incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.level, kLevelOfficerCsirt);
  ASSERT_EQ(incident.steps.size(), 2u);
  EXPECT_EQ(incident.steps[1].actor, "m1");
  EXPECT_EQ(incident.steps[1].clause, "5.3(1)②");
  EXPECT_EQ(incident.steps[1].at, "2026-12-01T02:00:00Z");
  EXPECT_EQ(Recipients(incident.steps[1]), (std::set<std::string>{"officer:o1", "csirt:k1"}));

  ledger_.clock().Advance(hours(1));
  ASSERT_TRUE(Escalate(*ledger_, "m1", id, std::nullopt, "外部への流出の可能性").Ok());
  incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.level, kLevelCisoChief);
  ASSERT_EQ(incident.steps.size(), 3u);
  EXPECT_EQ(incident.steps[2].clause, "5.3(1)③");
  EXPECT_EQ(incident.steps[2].note, "外部への流出の可能性");
  EXPECT_EQ(Recipients(incident.steps[2]), (std::set<std::string>{"ciso:x1", "chief_officer:c1"}));

  // The top of the chain: nothing further.
  EXPECT_FALSE(Escalate(*ledger_, "m1", id, std::nullopt, "").Ok());
  // One event per change, holding the full state.
  const auto events = *ledger_->Audit().Events("", "");
  std::vector<std::string> actions;
  for (const auto& event : events) {
    if (event.seq > events_before) actions.push_back(event.action);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"incident.report", "incident.escalate",
                                               "incident.escalate"}));
  const auto last = nlohmann::json::parse(events.back().state);
  EXPECT_EQ(last["level"], 3);
  EXPECT_EQ(last["steps"].size(), 3u);
}

TEST_F(IncidentTest, OfficerOrCsirtMayReportToTheTop) {
  const auto id = Report(*ledger_);
  ASSERT_TRUE(Escalate(*ledger_, "m1", id, std::nullopt, "").Ok());
  EXPECT_TRUE(Escalate(*ledger_, "k1", id, std::nullopt, "").Ok());
  EXPECT_EQ(GetIncident(*ledger_, id)->steps.back().actor, "k1");
}

TEST_F(IncidentTest, SkippingALevelIsRefusedUnlessCritical) {
  const auto id = Report(*ledger_);
  const auto seq = *ledger_->Audit().LastSeq();
  auto skip = Escalate(*ledger_, "m1", id, kLevelCisoChief, "");
  ASSERT_FALSE(skip.Ok());
  EXPECT_EQ(Fields(skip.Err()), std::vector<std::string>{"to"});
  EXPECT_NE(skip.Err().Headline().message_ja.find("飛ばす"), std::string::npos);
  EXPECT_EQ(GetIncident(*ledger_, id)->steps.size(), 1u);
  EXPECT_EQ(*ledger_->Audit().LastSeq(), seq);

  // high is not enough.
  ASSERT_TRUE(SetTriage(*ledger_, "k1", id, WithSeverity("high")).Ok());
  EXPECT_FALSE(Escalate(*ledger_, "m1", id, kLevelCisoChief, "").Ok());

  ASSERT_TRUE(SetTriage(*ledger_, "k1", id, WithSeverity("critical")).Ok());
  ASSERT_TRUE(Escalate(*ledger_, "m1", id, kLevelCisoChief, "").Ok());
  const auto incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.level, kLevelCisoChief);
  // Nobody in between is bypassed: level 2 and 3 are reported to at once, in order.
  ASSERT_EQ(incident.steps.size(), 3u);
  EXPECT_EQ(incident.steps[1].level, 2);
  EXPECT_EQ(incident.steps[2].level, 3);
  EXPECT_EQ(incident.steps[1].at, incident.steps[2].at);
  EXPECT_NE(incident.steps[2].note.find("重大"), std::string::npos);
  // Going down or staying is refused.
  EXPECT_FALSE(Escalate(*ledger_, "m1", id, kLevelOfficerCsirt, "").Ok());
}

TEST_F(IncidentTest, ReportToASectionWithoutManagerIsRefusedAndStoresNothing) {
  ASSERT_TRUE(AddSection(*ledger_, "system", "kikaku", "企画課", "somu").Ok());
  const auto seq = *ledger_->Audit().LastSeq();
  auto id = ReportByStaff(*ledger_, "s1", {"kikaku", "誤送信", "", ""});
  ASSERT_FALSE(id.Ok());
  EXPECT_NE(id.Err().Headline().message_ja.find("情報セキュリティ管理者"), std::string::npos);
  EXPECT_EQ(Count(*ledger_, "incidents"), 0);
  EXPECT_EQ(Count(*ledger_, "incident_steps"), 0);
  EXPECT_EQ(*ledger_->Audit().LastSeq(), seq);
}

TEST_F(IncidentTest, InvalidInputNamesEveryFieldAndStoresNothing) {
  const auto seq = *ledger_->Audit().LastSeq();
  auto report = ReportByStaff(*ledger_, "s1", {"bad section!", "", "ok", "2026-13-01"});
  ASSERT_FALSE(report.Ok());
  EXPECT_EQ(Fields(report.Err()), (std::vector<std::string>{"summary", "aware_at", "section"}));

  auto future = ReportByStaff(*ledger_, "s1", {"", "件名", "", "2026-12-02T00:00:00Z"});
  ASSERT_FALSE(future.Ok());
  EXPECT_EQ(Fields(future.Err()), std::vector<std::string>{"aware_at"});

  auto unknown = ReportByStaff(*ledger_, "nobody", {"", "件名", "", ""});
  ASSERT_FALSE(unknown.Ok());
  EXPECT_EQ(unknown.Err().Code(), ErrorCode::kNotFound);

  auto external = ReportExternal(*ledger_, "s1", {"alien", "", "", "", "", "", ""});
  ASSERT_FALSE(external.Ok());
  EXPECT_EQ(Fields(external.Err()), (std::vector<std::string>{"kind", "name", "contact", "text"}));
  EXPECT_EQ(Count(*ledger_, "incidents"), 0);
  EXPECT_EQ(*ledger_->Audit().LastSeq(), seq);

  const auto id = Report(*ledger_);
  const auto after_report = *ledger_->Audit().LastSeq();
  Triage bad = WithPersonalData(false, 5);
  bad.severity = "apocalyptic";
  bad.affected_assets = std::vector<std::string>{"PC-001", ""};
  bad.people_affected = -1;
  auto triage = SetTriage(*ledger_, "k1", id, bad);
  ASSERT_FALSE(triage.Ok());
  EXPECT_EQ(Fields(triage.Err()),
            (std::vector<std::string>{"severity", "affected_assets[1]", "people_affected",
                                      "personal_data_persons"}));
  EXPECT_FALSE(SetTriage(*ledger_, "k1", id, {}).Ok());  // nothing to change
  EXPECT_FALSE(GetIncident(*ledger_, 0).Ok());
  EXPECT_EQ(GetIncident(*ledger_, 99).Err().Code(), ErrorCode::kNotFound);
  const auto incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.severity, "");
  EXPECT_TRUE(incident.affected_assets.empty());
  EXPECT_EQ(*ledger_->Audit().LastSeq(), after_report);
}

TEST_F(IncidentTest, TriageIsRecorded) {
  const auto id = Report(*ledger_);
  EXPECT_FALSE(SetTriage(*ledger_, "s2", id, WithSeverity("low")).Ok());  // not a handler
  Triage triage = WithPersonalData(true, 120, false);
  triage.severity = "high";
  triage.affected_assets = std::vector<std::string>{"A-0001", "税務システム"};
  triage.people_affected = 120;
  ASSERT_TRUE(SetTriage(*ledger_, "k1", id, triage).Ok());
  Triage malicious;
  malicious.malicious = true;
  ASSERT_TRUE(SetTriage(*ledger_, "m1", id, malicious).Ok());
  const auto incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.severity, "high");
  EXPECT_EQ(incident.affected_assets, (std::vector<std::string>{"A-0001", "税務システム"}));
  EXPECT_EQ(incident.people_affected, 120);
  EXPECT_TRUE(incident.personal_data);
  EXPECT_EQ(incident.personal_data_persons, 120);
  EXPECT_TRUE(incident.malicious);
  EXPECT_EQ(incident.triaged_by, "m1");
  ASSERT_EQ(ListIncidents(*ledger_, Filter(false, "high"))->size(), 1u);
  EXPECT_TRUE(ListIncidents(*ledger_, Filter(false, "low"))->empty());
  EXPECT_FALSE(ListIncidents(*ledger_, Filter(false, "huge")).Ok());
}

TEST_F(IncidentTest, ClosingNeedsCauseAndMeasure) {
  const auto id = Report(*ledger_);
  auto refused = Close(*ledger_, "x1", id);
  ASSERT_FALSE(refused.Ok());
  EXPECT_EQ(Fields(refused.Err()), (std::vector<std::string>{"cause", "measure"}));
  EXPECT_NE(refused.Err().Headline().message_ja.find("原因"), std::string::npos);

  EXPECT_FALSE(SetCause(*ledger_, "s1", id, "施錠忘れ").Ok());  // 5.3(3)①: not the reporter
  ASSERT_TRUE(SetCause(*ledger_, "c1", id, "キャビネットの施錠忘れ").Ok());
  refused = Close(*ledger_, "x1", id);
  ASSERT_FALSE(refused.Ok());
  EXPECT_EQ(Fields(refused.Err()), std::vector<std::string>{"measure"});
  EXPECT_EQ(GetIncident(*ledger_, id)->state, "open");

  ASSERT_TRUE(SetMeasure(*ledger_, "m1", id, "終業時の施錠確認を複数人で行う").Ok());
  EXPECT_FALSE(Close(*ledger_, "s1", id).Ok());  // only CISO, chief officers, CSIRT
  ASSERT_TRUE(Close(*ledger_, "x1", id).Ok());
  const auto incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.state, "closed");
  EXPECT_EQ(incident.closed_by, "x1");
  EXPECT_EQ(incident.cause_by, "c1");
  EXPECT_EQ(incident.measure_by, "m1");
  // Closed: nothing changes any more.
  EXPECT_FALSE(AddTimeline(*ledger_, "k1", id, "", "追記").Ok());
  EXPECT_FALSE(Close(*ledger_, "x1", id).Ok());
  EXPECT_TRUE(ListIncidents(*ledger_, Filter(true, ""))->empty());
  EXPECT_EQ(ListIncidents(*ledger_, Filter(false, ""))->size(), 1u);
}

TEST_F(IncidentTest, TimelineAndDisclosure) {
  const auto id = Report(*ledger_);
  ASSERT_TRUE(AddTimeline(*ledger_, "s1", id, "", "課内を捜索したが見つからない").Ok());
  ASSERT_TRUE(AddTimeline(*ledger_, "k1", id, "2026-11-30T23:00:00Z", "最後に使用を確認").Ok());
  EXPECT_FALSE(AddTimeline(*ledger_, "s2", id, "", "関係者でない").Ok());
  auto future = AddTimeline(*ledger_, "k1", id, "2026-12-05", "未来");
  ASSERT_FALSE(future.Ok());
  EXPECT_EQ(Fields(future.Err()), std::vector<std::string>{"at"});
  auto incident = *GetIncident(*ledger_, id);
  ASSERT_EQ(incident.timeline.size(), 2u);
  EXPECT_EQ(incident.timeline[0].person, "k1");  // ordered by when it happened
  EXPECT_EQ(incident.timeline[1].person, "s1");

  EXPECT_FALSE(Disclose(*ledger_, "m1", id, "publish", "住民への影響").Ok());  // 1(4)③
  auto bad = Disclose(*ledger_, "k1", id, "maybe", "");
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()), (std::vector<std::string>{"decision", "reason"}));
  ASSERT_TRUE(Disclose(*ledger_, "k1", id, "publish", "120名の個人情報を含むため").Ok());
  incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.disclosure, "publish");
  EXPECT_EQ(incident.disclosure_by, "k1");
}

// A report through the public form was made by nobody on the staff: the
// event is the anonymous sender's, with the address and the receipt number.
TEST_F(IncidentTest, PublicFormReportIsRecordedAsTheAnonymousSenders) {
  ASSERT_TRUE(AssignRole(*ledger_, "system", "d1", "manager", "joho", "2020-04-01").Ok());
  auto id = ReportFromPublicForm(
      *ledger_, "k1", {"resident", "阪南 花子", "072-000-0000", "表示されている", "", "", ""},
      "192.0.2.8");
  ASSERT_TRUE(id.Ok()) << id.Err().ToString();
  const auto events = *ledger_->Audit().Events("", "");
  const auto& event = events.back();
  EXPECT_EQ(event.action, "incident.report_external");
  EXPECT_EQ(event.actor, "anonymous");
  const auto state = nlohmann::json::parse(event.state);
  EXPECT_EQ(state.value("remote_addr", ""), "192.0.2.8");
  EXPECT_EQ(state.value("receipt", std::int64_t{0}), *id);
  EXPECT_EQ(state.value("channel", ""), "public_form");
  EXPECT_EQ(state.value("reporter", "?"), "");
  EXPECT_EQ(state.value("received_by", ""), "k1");
  const auto incident = *GetIncident(*ledger_, *id);
  EXPECT_EQ(incident.section, "joho");  // the 窓口's section
  ASSERT_EQ(incident.steps.size(), 1u);
  EXPECT_NE(incident.steps[0].note.find("公開フォーム"), std::string::npos);
  EXPECT_EQ(Recipients(incident.steps[0]), (std::set<std::string>{"manager:d1"}));
}

TEST_F(IncidentTest, ExternalReportFromResident) {
  const auto people = Count(*ledger_, "people");
  auto id = ReportExternal(*ledger_, "s2",
                           {"resident", "阪南 花子", "072-000-0000",
                            "市のホームページに他人の納税情報が表示されている", "", "", ""});
  ASSERT_TRUE(id.Ok()) << id.Err().ToString();
  const auto incident = *GetIncident(*ledger_, *id);
  EXPECT_EQ(incident.source, "external");
  EXPECT_EQ(incident.reporter, "s2");  // who received it (5.3(2)①)
  EXPECT_EQ(incident.external_name, "阪南 花子");
  EXPECT_EQ(incident.external_contact, "072-000-0000");
  EXPECT_EQ(incident.summary, "住民からの報告");
  EXPECT_EQ(incident.section, "zeimu");
  ASSERT_EQ(incident.steps.size(), 1u);
  EXPECT_EQ(incident.steps[0].clause, "5.3(2)①");
  EXPECT_EQ(Recipients(incident.steps[0]), (std::set<std::string>{"manager:m1"}));
  EXPECT_EQ(Count(*ledger_, "people"), people);  // no person record for the outsider
  const auto json = IncidentJson(incident);
  EXPECT_EQ(json["external"]["kind"], "resident");

  ASSERT_TRUE(Escalate(*ledger_, "m1", *id, std::nullopt, "").Ok());
  EXPECT_EQ(GetIncident(*ledger_, *id)->steps[1].clause, "5.3(2)②");

  // Taken by a staff member: it is theirs in the audit log, and they are
  // who received it, never its reporter.
  const auto json_after = IncidentJson(*GetIncident(*ledger_, *id));
  EXPECT_EQ(json_after.value("reporter", "?"), "");
  EXPECT_EQ(json_after.value("received_by", ""), "s2");

  // Received for another section: routed to that section's manager.
  auto other = ReportExternal(*ledger_, "k1",
                              {"other", "セキュリティ研究者", "researcher@example.jp",
                               "介護保険システムの脆弱性", "脆弱性の届出", "kaigo", ""});
  ASSERT_TRUE(other.Ok()) << other.Err().ToString();
  EXPECT_EQ(Recipients(GetIncident(*ledger_, *other)->steps[0]),
            (std::set<std::string>{"manager:m2"}));
}

TEST_F(IncidentTest, PpcDeadlinesFromTheProfile) {
  // hannan.toml (via base.toml): 速報 5 days, 確報 30, 60 when malicious.
  const auto ppc_days = EffectivePpcDays(ledger_->Profile());
  EXPECT_EQ(ppc_days.prompt, 5);
  EXPECT_EQ(ppc_days.final_report, 30);
  EXPECT_EQ(ppc_days.final_malicious, 60);
  policy::Profile silent = ledger_->Profile();
  silent.deadlines.personal_data_prompt_report_days = 0;
  silent.deadlines.personal_data_final_report_days = 0;
  silent.deadlines.personal_data_final_report_days_malicious = 0;
  const auto defaults = EffectivePpcDays(silent);
  EXPECT_EQ(defaults.prompt, 3);
  EXPECT_EQ(defaults.final_report, 30);
  EXPECT_EQ(defaults.final_malicious, 60);
}

TEST_F(IncidentTest, PpcReportsGoOverdue) {
  // Aware 2026-12-01 10:00 JST. 速報 due 2026-12-06, 確報 2026-12-31 (初日不算入).
  const auto plain = Report(*ledger_);
  const auto malicious = Report(*ledger_, "s2");
  const auto no_personal = Report(*ledger_);
  EXPECT_FALSE(RecordPpcReport(*ledger_, "k1", no_personal, "prompt", "").Ok());
  ASSERT_TRUE(SetTriage(*ledger_, "k1", plain, WithPersonalData(true, 40)).Ok());
  ASSERT_TRUE(SetTriage(*ledger_, "k1", malicious,
                        WithPersonalData(true, 3, true))
                  .Ok());
  auto reports = PpcReports(*ledger_, *GetIncident(*ledger_, plain));
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].kind, "prompt");
  EXPECT_EQ(reports[0].deadline, "2026-12-06");
  EXPECT_EQ(reports[1].deadline, "2026-12-31");
  EXPECT_EQ(PpcReports(*ledger_, *GetIncident(*ledger_, malicious))[1].deadline, "2027-01-30");
  EXPECT_TRUE(PpcReports(*ledger_, *GetIncident(*ledger_, no_personal)).empty());
  EXPECT_TRUE(ListOverduePpcReports(*ledger_)->empty());

  // On the last day nothing is overdue yet; the day after, both prompt reports are.
  ledger_.clock().Advance(days(5));
  EXPECT_TRUE(ListOverduePpcReports(*ledger_)->empty());
  ledger_.clock().Advance(days(1));
  auto overdue = *ListOverduePpcReports(*ledger_);
  ASSERT_EQ(overdue.size(), 2u);
  EXPECT_EQ(overdue[0].incident_id, plain);
  EXPECT_EQ(overdue[0].report.kind, "prompt");
  EXPECT_EQ(overdue[0].days_overdue, 1);

  EXPECT_FALSE(RecordPpcReport(*ledger_, "s1", plain, "prompt", "").Ok());  // not the reporter's task
  ASSERT_TRUE(RecordPpcReport(*ledger_, "k1", plain, "prompt", "").Ok());
  EXPECT_FALSE(RecordPpcReport(*ledger_, "k1", plain, "prompt", "").Ok());  // once
  ASSERT_TRUE(RecordPpcReport(*ledger_, "c1", malicious, "prompt", "2026-12-03T00:00:00Z").Ok());
  reports = PpcReports(*ledger_, *GetIncident(*ledger_, plain));
  EXPECT_TRUE(reports[0].late);
  EXPECT_FALSE(reports[0].overdue);
  EXPECT_FALSE(PpcReports(*ledger_, *GetIncident(*ledger_, malicious))[0].late);
  EXPECT_TRUE(ListOverduePpcReports(*ledger_)->empty());

  // Day 31 after: the plain final report is overdue, the malicious one (60 days) is not.
  ledger_.clock().Advance(days(25));  // 2027-01-01
  overdue = *ListOverduePpcReports(*ledger_);
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].incident_id, plain);
  EXPECT_EQ(overdue[0].report.kind, "final");
  ledger_.clock().Advance(days(30));  // 2027-01-31
  overdue = *ListOverduePpcReports(*ledger_);
  ASSERT_EQ(overdue.size(), 2u);
  EXPECT_EQ(overdue[1].incident_id, malicious);
  EXPECT_EQ(overdue[1].report.days, 60);

  // Closing waits for the final report.
  ASSERT_TRUE(SetCause(*ledger_, "c1", plain, "誤送信").Ok());
  ASSERT_TRUE(SetMeasure(*ledger_, "c1", plain, "送信前の複数人確認").Ok());
  auto refused = Close(*ledger_, "x1", plain);
  ASSERT_FALSE(refused.Ok());
  EXPECT_EQ(Fields(refused.Err()), std::vector<std::string>{"ppc_final"});
  ASSERT_TRUE(RecordPpcReport(*ledger_, "k1", plain, "final", "").Ok());
  EXPECT_TRUE(PpcReports(*ledger_, *GetIncident(*ledger_, plain))[1].late);
  // A report is never "unset" once made.
  EXPECT_FALSE(SetTriage(*ledger_, "k1", plain, WithPersonalData(false)).Ok());
  ASSERT_TRUE(Close(*ledger_, "x1", plain).Ok());
  EXPECT_EQ(ListOverduePpcReports(*ledger_)->size(), 1u);
}

TEST_F(IncidentTest, FinalReportAloneServesAsBoth) {
  const auto id = Report(*ledger_);
  ASSERT_TRUE(SetTriage(*ledger_, "k1", id, WithPersonalData(true)).Ok());
  ASSERT_TRUE(RecordPpcReport(*ledger_, "k1", id, "final", "").Ok());
  const auto incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.ppc_prompt_at, incident.ppc_final_at);
  auto bad = RecordPpcReport(*ledger_, "k1", id, "interim", "yesterday");
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()), (std::vector<std::string>{"kind", "at"}));
}

TEST_F(IncidentTest, SurvivesReopen) {
  const auto id = Report(*ledger_);
  ASSERT_TRUE(Escalate(*ledger_, "m1", id, std::nullopt, "").Ok());
  ledger_.Reopen();
  const auto incident = *GetIncident(*ledger_, id);
  EXPECT_EQ(incident.level, 2);
  EXPECT_EQ(incident.steps.size(), 2u);
}

}  // namespace
}  // namespace mamori::ledger::incident
