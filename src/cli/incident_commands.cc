// `mamori incident ...` (情報セキュリティインシデント, 5.3) and `mamori training
// ...` (研修・訓練, 5.2) over src/ledger/incident/. Japanese text by default,
// JSON with --json. docs/incidents.md describes the rules.
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/ledger_cli.h"
#include "ledger/incident/incident.h"
#include "ledger/incident/training.h"
#include "ledger/org.h"

namespace mamori::cli {
namespace {

using Json = nlohmann::json;
namespace incident = ledger::incident;

std::string Jst(const std::string& utc) {
  if (utc.empty()) return "";
  auto time = ParseTime(utc, "time");
  return time.Ok() ? FormatJst(*time) : utc;
}

std::string YesNo(bool value) { return value ? "あり" : "なし"; }

std::string SeverityText(const std::string& id) {
  const auto severity = incident::ParseSeverity(id);
  return severity ? std::string(incident::SeverityTitle(*severity)) + "（" + id + "）" : "未設定";
}

std::string PpcKindTitle(const std::string& kind) { return kind == "prompt" ? "速報" : "確報"; }

void PrintPpc(std::ostream& out, const std::vector<incident::PpcReport>& reports) {
  if (reports.empty()) return;
  out << "個人情報保護委員会への報告（個人情報保護法 第26条・第68条）:\n";
  for (const auto& report : reports) {
    out << "  " << PpcKindTitle(report.kind) << "  期限 " << report.deadline << "（認知から "
        << report.days << " 日）  ";
    if (!report.made_at.empty()) {
      out << "報告済み " << Jst(report.made_at) << " " << report.made_by
          << (report.late ? "（期限後）" : "");
    } else {
      out << (report.overdue ? "未報告・期限超過" : "未報告");
    }
    out << "\n";
  }
}

void PrintIncident(std::ostream& out, const ledger::Ledger& ledger,
                   const incident::Incident& item) {
  out << "インシデント " << item.id << ": " << item.summary << " ["
      << (item.state == "closed" ? "クローズ" : "対応中") << "]\n";
  if (item.source == "external") {
    out << "報告元: " << (item.external_kind == "resident" ? "住民" : "外部") << " "
        << item.external_name << "（連絡先 " << item.external_contact << "） 受付: "
        << item.reporter << "（5.3(2)）\n";
  } else {
    out << "報告者: " << item.reporter << "（5.3(1)）\n";
  }
  out << "課室等: " << item.section << "（部局 " << item.department << "）\n"
      << "認知: " << Jst(item.aware_at) << "  報告: " << Jst(item.reported_at) << "\n";
  if (!item.description.empty()) out << "内容: " << item.description << "\n";
  out << "報告の段階: " << item.level << "（" << incident::LevelTitle(item.level) << "）\n";
  for (const auto& step : item.steps) {
    out << "  " << step.level << ". " << Jst(step.at) << " " << step.actor << " → ";
    for (std::size_t i = 0; i < step.recipients.size(); ++i) {
      const auto role = policy::ParseRole(step.recipients[i].role);
      out << (i > 0 ? "、" : "")
          << (role ? ledger.Profile().RoleTitle(*role) : step.recipients[i].role) << " "
          << step.recipients[i].person << " " << step.recipients[i].name;
    }
    out << "（" << step.clause << "）";
    if (!step.note.empty()) out << " " << step.note;
    out << "\n";
  }
  out << "重大度: " << SeverityText(item.severity);
  if (!item.affected_assets.empty()) {
    out << "  影響資産: ";
    for (std::size_t i = 0; i < item.affected_assets.size(); ++i) {
      out << (i > 0 ? ", " : "") << item.affected_assets[i];
    }
  }
  if (item.people_affected) out << "  影響人数: " << *item.people_affected;
  out << "  個人情報: " << YesNo(item.personal_data);
  if (item.personal_data) out << "（" << item.personal_data_persons << " 人）";
  out << "  悪意: " << YesNo(item.malicious) << "\n";
  if (!item.timeline.empty()) {
    out << "経過:\n";
    for (const auto& entry : item.timeline) {
      out << "  " << Jst(entry.at) << " " << entry.person << ": " << entry.text << "\n";
    }
  }
  if (!item.cause.empty()) out << "原因: " << item.cause << "（" << item.cause_by << "）\n";
  if (!item.measure.empty()) {
    out << "再発防止策: " << item.measure << "（" << item.measure_by << "）\n";
  }
  if (!item.disclosure.empty()) {
    out << "公表: " << (item.disclosure == "publish" ? "公表する" : "公表しない") << "（"
        << item.disclosure_reason << "） " << item.disclosure_by << " " << Jst(item.disclosure_at)
        << "\n";
  }
  PrintPpc(out, incident::PpcReports(ledger, item));
  if (item.state == "closed") {
    out << "クローズ: " << Jst(item.closed_at) << " " << item.closed_by << "\n";
  }
}

Json IncidentWithPpc(const ledger::Ledger& ledger, const incident::Incident& item) {
  Json json = incident::IncidentJson(item);
  json["ppc_reports"] = incident::PpcReportsJson(incident::PpcReports(ledger, item));
  return json;
}

// Shows the incident after a change: JSON, or one line of text.
Status Done(LedgerCli& cli, ledger::Ledger& ledger, std::int64_t id, const std::string& what) {
  MAMORI_TRY(const auto item, incident::GetIncident(ledger, id));
  if (cli.json) {
    cli.PrintJson(IncidentWithPpc(ledger, item));
  } else {
    cli.out << what << ": インシデント " << id << "（" << item.summary << "）\n";
  }
  return OkStatus();
}

struct IncidentOptions {
  std::string actor;
  std::int64_t id = 0;
  std::string summary, description, section, aware_at;
  std::string kind, name, contact, text, at, note, to;
  std::string severity;
  std::vector<std::string> assets;
  std::int64_t people_affected = 0, persons = 0;
  std::string personal_data, malicious;
  std::string decision, reason;
  bool open_only = false;
};

void AddIncident(CLI::App& app, LedgerCli& cli) {
  auto* command = app.add_subcommand(
      "incident", "情報セキュリティインシデント（5.3） / security incidents");
  command->require_subcommand(1);
  auto o = std::make_shared<IncidentOptions>();
  auto actor = [o](CLI::App* sub) {
    sub->add_option("--as", o->actor, "操作者の職員コード / acting person")->required();
  };
  auto id = [o](CLI::App* sub) {
    sub->add_option("ID", o->id, "インシデント番号")->required();
  };
  auto text = [o](CLI::App* sub, const std::string& help) {
    sub->add_option("--text", o->text, help)->required();
  };

  auto* report = command->add_subcommand(
      "report", "職員からの報告（5.3(1)①: 情報セキュリティ管理者へ） / report an incident");
  actor(report);
  report->add_option("--summary", o->summary, "件名")->required();
  report->add_option("--description", o->description, "内容");
  report->add_option("--section", o->section, "課室等コード（既定 報告者の所属）");
  report->add_option("--aware-at", o->aware_at, "認知した日時（既定 現在）");
  report->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto new_id,
                 incident::ReportByStaff(ledger, o->actor,
                                         {o->section, o->summary, o->description, o->aware_at}));
      return Done(cli, ledger, new_id, "報告しました");
    });
  });

  auto* external = command->add_subcommand(
      "report-external",
      "住民等外部からの報告を受け付ける（5.3(2)①） / record a report from outside");
  actor(external);
  external->add_option("--kind", o->kind, "resident（住民）又は other（その他）")
      ->check(CLI::IsMember({"resident", "other"}))
      ->default_val("resident");
  external->add_option("--name", o->name, "報告者の氏名・名称")->required();
  external->add_option("--contact", o->contact, "連絡先")->required();
  text(external, "報告の内容");
  external->add_option("--summary", o->summary, "件名（既定 住民からの報告）");
  external->add_option("--section", o->section, "課室等コード（既定 受付者の所属）");
  external->add_option("--aware-at", o->aware_at, "認知した日時（既定 現在）");
  external->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto new_id,
                 incident::ReportExternal(ledger, o->actor,
                                          {o->kind, o->name, o->contact, o->text, o->summary,
                                           o->section, o->aware_at}));
      return Done(cli, ledger, new_id, "外部からの報告を受け付けました");
    });
  });

  auto* list = command->add_subcommand("list", "一覧 / list incidents");
  list->add_flag("--open", o->open_only, "対応中のみ");
  list->add_option("--severity", o->severity, "low, medium, high, critical");
  list->callback([&cli, o] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          incident::ListFilter filter;
          filter.open_only = o->open_only;
          filter.severity = o->severity;
          MAMORI_TRY(const auto items, incident::ListIncidents(ledger, filter));
          if (cli.json) {
            Json rows = Json::array();
            for (const auto& item : items) rows.push_back(IncidentWithPpc(ledger, item));
            cli.PrintJson(rows);
            return OkStatus();
          }
          cli.out << "番号\t状態\t重大度\t段階\t課室等\t報告日時\t件名\n";
          for (const auto& item : items) {
            cli.out << item.id << "\t" << (item.state == "closed" ? "クローズ" : "対応中") << "\t"
                    << SeverityText(item.severity) << "\t" << item.level << "\t" << item.section
                    << "\t" << Jst(item.reported_at) << "\t" << item.summary << "\n";
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* show = command->add_subcommand("show", "詳細 / show an incident");
  id(show);
  show->callback([&cli, o] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto item, incident::GetIncident(ledger, o->id));
          if (cli.json) {
            cli.PrintJson(IncidentWithPpc(ledger, item));
          } else {
            PrintIncident(cli.out, ledger, item);
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* escalate = command->add_subcommand(
      "escalate",
      "上位へ報告（5.3(1)②③: 管理者 → 責任者・統一的な窓口 → CISO・統括責任者） / escalate");
  id(escalate);
  actor(escalate);
  escalate->add_option("--to", o->to,
                       "報告先の段階 2|officer 又は 3|ciso（既定 次の段階。飛ばせるのは重大度 critical のみ）");
  escalate->add_option("--note", o->note, "備考");
  escalate->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      std::optional<int> to;
      if (!o->to.empty()) {
        to = incident::ParseLevel(o->to);
        if (!to) {
          return Error(ErrorCode::kInvalidArgument,
                       "報告先の段階は 1〜3 又は manager, officer, ciso です: " + o->to,
                       "--to is 1 to 3 or manager, officer, ciso: " + o->to, {"", 0, "--to"});
        }
      }
      MAMORI_TRY_STATUS(incident::Escalate(ledger, o->actor, o->id, to, o->note));
      MAMORI_TRY(const auto item, incident::GetIncident(ledger, o->id));
      if (cli.json) {
        cli.PrintJson(IncidentWithPpc(ledger, item));
        return OkStatus();
      }
      cli.out << "報告しました: インシデント " << o->id << " → "
              << incident::LevelTitle(item.level) << "（";
      const auto& step = item.steps.back();
      for (std::size_t i = 0; i < step.recipients.size(); ++i) {
        cli.out << (i > 0 ? "、" : "") << step.recipients[i].person << " "
                << step.recipients[i].name;
      }
      cli.out << "、" << step.clause << "）\n";
      return OkStatus();
    });
  });

  auto* triage = command->add_subcommand("triage", "トリアージ / triage");
  id(triage);
  actor(triage);
  auto* severity = triage->add_option("--severity", o->severity, "low, medium, high, critical");
  auto* assets = triage->add_option("--asset", o->assets,
                                    "影響を受けた情報資産（資産番号又は名称、複数可。指定すると置き換え）");
  auto* people = triage->add_option("--people-affected", o->people_affected, "影響を受けた人数");
  auto* personal = triage->add_option("--personal-data", o->personal_data, "個人情報を含むか yes|no")
                       ->check(CLI::IsMember({"yes", "no"}));
  auto* persons = triage->add_option("--persons", o->persons, "個人情報の本人の数");
  auto* malicious = triage->add_option("--malicious", o->malicious, "不正の目的によるおそれ yes|no")
                        ->check(CLI::IsMember({"yes", "no"}));
  triage->callback([&cli, o, severity, assets, people, personal, persons, malicious] {
    incident::Triage input;
    if (severity->count() > 0) input.severity = o->severity;
    if (assets->count() > 0) input.affected_assets = o->assets;
    if (people->count() > 0) input.people_affected = o->people_affected;
    if (personal->count() > 0) input.personal_data = o->personal_data == "yes";
    if (persons->count() > 0) input.personal_data_persons = o->persons;
    if (malicious->count() > 0) input.malicious = o->malicious == "yes";
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(incident::SetTriage(ledger, o->actor, o->id, input));
      return Done(cli, ledger, o->id, "トリアージを記録しました");
    });
  });

  auto* timeline = command->add_subcommand("timeline", "経過を記録 / add to the timeline");
  id(timeline);
  actor(timeline);
  text(timeline, "経過");
  timeline->add_option("--at", o->at, "日時（既定 現在）");
  timeline->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(incident::AddTimeline(ledger, o->actor, o->id, o->at, o->text));
      return Done(cli, ledger, o->id, "経過を記録しました");
    });
  });

  auto* cause = command->add_subcommand("cause", "原因を記録（5.3(3)①） / record the cause");
  id(cause);
  actor(cause);
  text(cause, "原因");
  cause->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(incident::SetCause(ledger, o->actor, o->id, o->text));
      return Done(cli, ledger, o->id, "原因を記録しました");
    });
  });

  auto* measure = command->add_subcommand(
      "measure", "再発防止策を記録（5.3(3)①） / record the recurrence prevention measure");
  id(measure);
  actor(measure);
  text(measure, "再発防止策");
  measure->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(incident::SetMeasure(ledger, o->actor, o->id, o->text));
      return Done(cli, ledger, o->id, "再発防止策を記録しました");
    });
  });

  auto* disclose = command->add_subcommand(
      "disclose", "公表の判断（1(4)③） / record the disclosure decision");
  id(disclose);
  actor(disclose);
  disclose->add_option("--decision", o->decision, "publish（公表する）又は withhold（公表しない）")
      ->required();
  disclose->add_option("--reason", o->reason, "理由")->required();
  disclose->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(incident::Disclose(ledger, o->actor, o->id, o->decision, o->reason));
      return Done(cli, ledger, o->id, "公表の判断を記録しました");
    });
  });

  auto* ppc = command->add_subcommand(
      "ppc-report", "個人情報保護委員会への報告を記録 / record a report to the PPC");
  id(ppc);
  actor(ppc);
  ppc->add_option("--kind", o->kind, "prompt（速報）又は final（確報）")->required();
  ppc->add_option("--at", o->at, "報告日時（既定 現在）");
  ppc->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(incident::RecordPpcReport(ledger, o->actor, o->id, o->kind, o->at));
      return Done(cli, ledger, o->id,
                  "個人情報保護委員会への" + PpcKindTitle(o->kind) + "を記録しました");
    });
  });

  auto* overdue = command->add_subcommand(
      "overdue", "期限を過ぎた個人情報保護委員会への報告 / overdue reports to the PPC");
  overdue->callback([&cli] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto items, incident::ListOverduePpcReports(ledger));
          if (cli.json) {
            Json rows = Json::array();
            for (const auto& item : items) {
              rows.push_back({{"incident", item.incident_id},
                              {"summary", item.summary},
                              {"kind", item.report.kind},
                              {"deadline", item.report.deadline},
                              {"days_overdue", item.days_overdue}});
            }
            cli.PrintJson(rows);
            return OkStatus();
          }
          if (items.empty()) {
            cli.out << "期限を過ぎた報告はありません\n";
            return OkStatus();
          }
          cli.out << "番号\t報告\t期限\t超過日数\t件名\n";
          for (const auto& item : items) {
            cli.out << item.incident_id << "\t" << PpcKindTitle(item.report.kind) << "\t"
                    << item.report.deadline << "\t" << item.days_overdue << "\t" << item.summary
                    << "\n";
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* close = command->add_subcommand(
      "close", "クローズ（原因と再発防止策が必要, 5.3(3)） / close an incident");
  id(close);
  actor(close);
  close->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(incident::Close(ledger, o->actor, o->id));
      return Done(cli, ledger, o->id, "クローズしました");
    });
  });
}

struct TrainingOptions {
  std::string actor;
  std::int64_t session = 0;
  std::vector<std::string> people;
  incident::SessionInput input;
  int fiscal_year = 0;
};

Json PeopleJson(const std::vector<ledger::Person>& people) {
  Json json = Json::array();
  for (const auto& person : people) {
    json.push_back({{"code", person.code}, {"name", person.name}, {"section", person.section_code}});
  }
  return json;
}

void AddTraining(CLI::App& app, LedgerCli& cli) {
  auto* command = app.add_subcommand("training", "研修・訓練（5.2） / training and drills");
  command->require_subcommand(1);
  auto o = std::make_shared<TrainingOptions>();

  auto* add = command->add_subcommand("add", "研修・訓練を登録 / add a session");
  add->add_option("--as", o->actor, "操作者の職員コード")->required();
  add->add_option("--title", o->input.title, "名称")->required();
  add->add_option("--kind", o->input.kind, "training（研修）又は drill（緊急時対応訓練）")
      ->default_val("training");
  add->add_option("--date", o->input.date, "実施日 YYYY-MM-DD")->required();
  add->add_option("--target", o->input.target, "all（全職員）, new_hires（新規採用）, roles（役割）")
      ->default_val("all");
  add->add_option("--new-hire-days", o->input.new_hire_days,
                  "new_hires: 実施日前この日数以内に採用された者");
  add->add_option("--role", o->input.roles, "roles: 対象の役割（複数可）");
  add->add_option("--clause", o->input.clause, "条項（既定 5.2(1)①②③ 又は 5.2(2)）");
  add->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto id, incident::AddSession(ledger, o->actor, o->input));
      MAMORI_TRY(const auto session, incident::GetSession(ledger, id));
      MAMORI_TRY(const auto required, incident::RequiredAttendees(ledger, session));
      if (cli.json) {
        Json json = incident::SessionJson(session);
        json["required"] = PeopleJson(required);
        cli.PrintJson(json);
      } else {
        cli.out << "登録しました: 研修・訓練 " << id << " " << session.title << "（" << session.date
                << "、" << session.clause << "、受講対象 " << required.size() << " 人）\n";
      }
      return OkStatus();
    });
  });

  auto* attend = command->add_subcommand("attend", "受講を記録 / record attendance");
  attend->add_option("SESSION", o->session, "研修・訓練の番号")->required();
  attend->add_option("PERSON", o->people, "受講者の職員コード（複数可、1人ずつ記録）")->required();
  attend->add_option("--as", o->actor, "操作者の職員コード")->required();
  attend->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      Json recorded = Json::array();
      for (const auto& person : o->people) {
        MAMORI_TRY_STATUS(incident::RecordAttendance(ledger, o->actor, o->session, person));
        recorded.push_back(person);
        if (!cli.json) cli.out << "受講を記録しました: " << person << "\n";
      }
      if (cli.json) cli.PrintJson({{"session", o->session}, {"recorded", recorded}});
      return OkStatus();
    });
  });

  auto* list = command->add_subcommand("list", "研修・訓練の一覧 / list sessions");
  list->callback([&cli] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto sessions, incident::ListSessions(ledger));
          Json rows = Json::array();
          if (!cli.json) cli.out << "番号\t実施日\t種別\t対象\t条項\t受講/対象\t名称\n";
          for (const auto& session : sessions) {
            MAMORI_TRY(const auto required, incident::RequiredAttendees(ledger, session));
            MAMORI_TRY(const auto attended, incident::AttendanceOf(ledger, session.id));
            if (cli.json) {
              Json json = incident::SessionJson(session);
              json["required"] = required.size();
              Json people = Json::array();
              for (const auto& a : attended) people.push_back(a.person);
              json["attended"] = people;
              rows.push_back(json);
              continue;
            }
            std::string target = session.target == "all"         ? "全職員"
                                 : session.target == "new_hires" ? "新規採用（" + std::to_string(session.new_hire_days) + "日以内）"
                                                                 : "役割";
            if (session.target == "roles") {
              target += "（";
              for (std::size_t i = 0; i < session.roles.size(); ++i) {
                target += (i > 0 ? "," : "") + session.roles[i];
              }
              target += "）";
            }
            cli.out << session.id << "\t" << session.date << "\t"
                    << (session.kind == "drill" ? "訓練" : "研修") << "\t" << target << "\t"
                    << session.clause << "\t" << attended.size() << "/" << required.size() << "\t"
                    << session.title << "\n";
          }
          if (cli.json) cli.PrintJson(rows);
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* overdue = command->add_subcommand(
      "overdue", "未受講者（実施済みの研修・訓練と年度の受講） / who is overdue");
  overdue->add_option("--fiscal-year", o->fiscal_year, "年度（既定 今年度、4月〜翌3月）");
  overdue->callback([&cli, o] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto sessions, incident::ListOverdueAttendance(ledger));
          MAMORI_TRY(const auto yearly,
                     incident::CheckYearlyTraining(
                         ledger, o->fiscal_year > 0 ? std::optional<int>(o->fiscal_year)
                                                    : std::nullopt));
          if (cli.json) {
            Json rows = Json::array();
            for (const auto& item : sessions) {
              rows.push_back({{"session", incident::SessionJson(item.session)},
                              {"missing", PeopleJson(item.missing)}});
            }
            cli.PrintJson({{"sessions", rows},
                           {"yearly",
                            {{"fiscal_year", yearly.fiscal_year},
                             {"from", yearly.from},
                             {"to", yearly.to},
                             {"ended", yearly.ended},
                             {"missing", PeopleJson(yearly.missing)}}}});
            return OkStatus();
          }
          if (sessions.empty()) cli.out << "実施済みの研修・訓練に未受講者はいません\n";
          for (const auto& item : sessions) {
            cli.out << "研修・訓練 " << item.session.id << " " << item.session.title << "（"
                    << item.session.date << "、" << item.session.clause << "）の未受講者 "
                    << item.missing.size() << " 人:\n";
            for (const auto& person : item.missing) {
              cli.out << "  " << person.code << "\t" << person.name << "\t" << person.section_code
                      << "\n";
            }
          }
          cli.out << yearly.fiscal_year << " 年度（" << yearly.from << "〜" << yearly.to
                  << "）に研修を 1 回も受講していない職員 " << yearly.missing.size() << " 人"
                  << (yearly.ended ? "（年度終了・期限超過）" : "（年度末まで）") << ":\n";
          for (const auto& person : yearly.missing) {
            cli.out << "  " << person.code << "\t" << person.name << "\t" << person.section_code
                    << "\n";
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });
}

}  // namespace

void AddIncidentCommands(CLI::App& app, LedgerCli& cli) {
  AddIncident(app, cli);
  AddTraining(app, cli);
}

}  // namespace mamori::cli
