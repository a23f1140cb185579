// `mamori request ...` (許可申請), `mamori exception ...` (例外措置, 7.4) and
// `mamori violation ...` (違反行為確認時の対応, 7.6) over src/ledger/workflow/.
// Japanese text by default, JSON with --json. docs/workflows.md describes the
// states, routing, separation of duties and deadlines.
#include <CLI/CLI.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "cli/ledger_cli.h"
#include "ledger/org.h"
#include "ledger/validate.h"
#include "ledger/workflow/audits.h"
#include "ledger/workflow/exceptions.h"
#include "ledger/workflow/requests.h"
#include "ledger/workflow/violations.h"

namespace mamori::cli {
namespace {

using Json = nlohmann::json;
namespace workflow = ledger::workflow;

constexpr std::size_t kMaxRequestFileBytes = std::size_t{64} * 1024;

std::string Jst(const std::string& utc) {
  if (utc.empty()) return "";
  auto time = ParseTime(utc, "time");
  return time.Ok() ? FormatJst(*time) : utc;
}

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string ActionTitle(const std::string& id) {
  const auto action = policy::ParseAction(id);
  return action ? std::string(policy::TitleJa(*action)) : id;
}

std::string RoleTitles(const ledger::Ledger& ledger, const std::vector<std::string>& ids) {
  std::vector<std::string> titles;
  for (const auto& id : ids) {
    const auto role = ledger.Profile().ParseRole(id);
    titles.push_back(role ? ledger.Profile().RoleTitle(*role) : id);
  }
  return Join(titles, "又は");
}

std::string ObligationTitle(const std::string& id) {
  const auto obligation = policy::ParseObligation(id);
  return obligation ? std::string(policy::TitleJa(*obligation)) : id;
}

std::string Names(const std::vector<ledger::Person>& people) {
  std::vector<std::string> names;
  names.reserve(people.size());
  for (const auto& person : people) names.push_back(person.code + " " + person.name);
  return Join(names, "、");
}

void PrintRequest(std::ostream& out, ledger::Ledger& ledger, const workflow::RequestRecord& r) {
  const bool exception = r.exception.has_value();
  out << (exception ? "例外措置 " : "申請 ") << r.id << ": " << ActionTitle(r.action) << " ["
      << workflow::TitleJa(r.status) << "]\n"
      << "申請者: " << r.requester << " " << r.requester_name << "（課室等 " << r.section
      << "、部局 " << r.department << "）\n";
  if (!r.purpose.empty()) out << (exception ? "理由: " : "目的: ") << r.purpose << "\n";
  const Json decision = Json::parse(r.decision_json, nullptr, false);
  if (decision.is_object()) {
    std::vector<std::string> clauses;
    for (const auto& clause : decision.value("clauses", Json::array())) {
      clauses.push_back(clause.value("id", "") + " " + clause.value("title", ""));
    }
    const auto effect = policy::ParseEffect(r.effect);
    out << "判定: " << (effect ? std::string(policy::TitleJa(*effect)) : r.effect);
    if (!clauses.empty()) out << "（" << Join(clauses, "、") << "）";
    out << "\n説明: " << decision.value("explanation", "") << "\n";
  }
  out << "申請日時: " << Jst(r.submitted_at);
  if (r.status == workflow::RequestStatus::kPending) out << "  承認期限: " << Jst(r.expires_at);
  if (!r.decided_at.empty()) out << "  決定: " << Jst(r.decided_at);
  if (!r.completed_at.empty()) out << "  完了: " << Jst(r.completed_at);
  out << "\n";
  if (!r.steps.empty()) {
    out << "承認の段階:\n";
    for (const auto& step : r.steps) {
      out << "  " << step.index + 1 << ". " << RoleTitles(ledger, step.roles) << "（回付先 "
          << Join(step.routed_to, ", ") << "）: ";
      const workflow::StepAction* action = nullptr;
      for (const auto& a : r.actions) {
        if (a.step == step.index) action = &a;
      }
      if (action != nullptr) {
        out << (action->decision == "approve" ? "承認" : "却下") << " " << action->person << " "
            << Jst(action->time_utc);
        if (!action->comment.empty()) out << "「" << action->comment << "」";
      } else if (r.status == workflow::RequestStatus::kPending && step.index == r.current_step) {
        auto approvers = workflow::CurrentApprovers(ledger, r);
        out << "承認待ち（" << (approvers.Ok() ? Names(*approvers) : "") << "）";
      } else {
        out << "—";
      }
      out << "\n";
    }
  }
  if (!r.obligations.empty()) {
    out << "義務の記録:\n";
    for (const auto& record : r.obligations) {
      out << "  " << ObligationTitle(record.obligation) << "（" << record.obligation << "、"
          << record.clause << "）: ";
      if (record.Filled()) {
        std::vector<std::string> values;
        for (const auto& field : record.fields) {
          const auto value = record.values.find(field);
          values.push_back(field + "=" + (value == record.values.end() ? "" : value->second));
        }
        out << "記録済み " << Jst(record.filled_at) << " " << record.filled_by << " ("
            << Join(values, ", ") << ")";
      } else {
        out << "未記録（項目: " << Join(record.fields, ", ") << "）";
      }
      out << "\n";
    }
  }
  if (exception) {
    const auto& info = *r.exception;
    out << "種別: " << (info.emergency ? "緊急時の例外措置（7.4(2)）" : "例外措置（7.4(1)）") << "\n";
    if (info.emergency) {
      out << "事後報告の期限: " << Jst(info.report_due);
      if (!info.reported_at.empty()) {
        out << "  報告済み " << Jst(info.reported_at) << " " << info.reported_by << " → "
            << Join(info.reported_to, ", ") << "「" << info.report_text << "」";
      } else {
        out << (info.overdue ? "  未報告・期限超過" : "  未報告");
      }
      out << "\n";
    }
    for (const auto& review : info.reviews) {
      out << "確認（7.4(3)）: " << Jst(review.time_utc) << " " << review.reviewer << "（"
          << review.role << "）「" << review.comment << "」\n";
    }
  }
  if (!r.withdraw_reason.empty()) out << "取下げの理由: " << r.withdraw_reason << "\n";
}

void PrintRequestList(std::ostream& out, ledger::Ledger& ledger,
                      const std::vector<workflow::RequestRecord>& requests) {
  out << "番号\t状態\t行為\t申請者\t課室等\t申請日時\t承認待ち\n";
  for (const auto& r : requests) {
    std::string waiting;
    if (r.status == workflow::RequestStatus::kPending) {
      auto approvers = workflow::CurrentApprovers(ledger, r);
      if (approvers.Ok()) waiting = Names(*approvers);
    }
    out << r.id << "\t" << workflow::TitleJa(r.status) << "\t" << ActionTitle(r.action) << "\t"
        << r.requester << "\t" << r.section << "\t" << Jst(r.submitted_at) << "\t" << waiting
        << "\n";
  }
}

Json RequestsJson(const std::vector<workflow::RequestRecord>& requests) {
  Json out = Json::array();
  for (const auto& r : requests) out.push_back(workflow::ToJson(r));
  return out;
}

// After a change: the full state as JSON, or one line of text.
void Done(LedgerCli& cli, const workflow::RequestRecord& r, const std::string& what) {
  if (cli.json) {
    cli.PrintJson(workflow::ToJson(r));
    return;
  }
  cli.out << what << ": " << (r.exception ? "例外措置 " : "申請 ") << r.id << "（"
          << ActionTitle(r.action) << "） 状態: " << workflow::TitleJa(r.status) << "\n";
}

Result<std::string> ReadRequestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kNotFound, "ファイルを読めません: " + path, "cannot read " + path,
                 {path, 0, ""});
  }
  std::string text;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxRequestFileBytes) {
      return Error(ErrorCode::kLimitExceeded, "申請ファイルが大きすぎます: " + path,
                   "request file too large: " + path, {path, 0, ""});
    }
  }
  return text;
}

struct Options {
  std::string as, file, purpose, comment, reason, status, action, obligation, text, person;
  std::string waiting_for;
  std::vector<std::string> sets;
  std::int64_t id = 0;
  std::int64_t violation = 0;
  bool mine = false;
  bool overdue = false;
  bool suspensions = false;
};

void AddRequest(CLI::App& app, LedgerCli& cli) {
  auto* request = app.add_subcommand("request", "許可申請 / permission requests");
  request->require_subcommand(1);
  auto options = std::make_shared<Options>();
  auto as = [options](CLI::App* command, const std::string& what) {
    command->add_option("--as", options->as, what)->required();
  };
  auto id = [options](CLI::App* command) {
    command->add_option("ID", options->id, "申請番号")->required();
  };

  auto* submit = request->add_subcommand(
      "submit", "申請する（ポリシーで判定し、必要なら承認者へ回付） / submit a request");
  as(submit, "申請者の職員コード / requester");
  submit->add_option("--file,-f", options->file,
                     "申請の JSON（action, asset, context。actor は組織台帳から設定）")
      ->required();
  submit->add_option("--purpose", options->purpose, "目的（例外措置は理由が必須 7.4(1)）");
  submit->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto text, ReadRequestFile(options->file));
      MAMORI_TRY(const auto r, workflow::SubmitRequest(
                                   ledger, {options->as, text, options->purpose}));
      if (cli.json) {
        cli.PrintJson(workflow::ToJson(r));
        return OkStatus();
      }
      PrintRequest(cli.out, ledger, r);
      return OkStatus();
    });
  });

  auto* list = request->add_subcommand("list", "申請の一覧 / list requests");
  list->add_flag("--mine", options->mine, "--as の職員の申請 / the --as person's requests");
  list->add_option("--as", options->as, "職員コード（--mine と共に）");
  list->add_option("--waiting-for", options->waiting_for,
                   "この職員が今承認できる申請 / requests this person may act on now");
  list->add_option("--status", options->status,
                   "pending, approved, completed, denied, rejected, withdrawn, expired")
      ->check(CLI::IsMember(
          {"pending", "approved", "completed", "denied", "rejected", "withdrawn", "expired"}));
  list->add_option("--action", options->action, "行為 / action, e.g. take_out");
  list->callback([&cli, options] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          workflow::RequestFilter filter;
          if (options->mine) {
            if (options->as.empty()) {
              return ledger::FieldError("--as", "--mine には --as で職員を指定してください",
                                        "--mine needs --as PERSON");
            }
            filter.requester = options->as;
          }
          filter.waiting_for = options->waiting_for;
          if (!options->status.empty()) filter.status = workflow::ParseRequestStatus(options->status);
          filter.action = options->action;
          MAMORI_TRY(const auto requests, workflow::ListRequests(ledger, filter));
          if (cli.json) {
            cli.PrintJson(RequestsJson(requests));
          } else {
            PrintRequestList(cli.out, ledger, requests);
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* show = request->add_subcommand("show", "申請の詳細 / show a request");
  id(show);
  show->callback([&cli, options] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto r, workflow::GetRequest(ledger, options->id));
          if (cli.json) {
            cli.PrintJson(workflow::ToJson(r));
          } else {
            PrintRequest(cli.out, ledger, r);
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* approve = request->add_subcommand("approve", "現在の段階を承認 / approve the current step");
  id(approve);
  as(approve, "承認者の職員コード / approver");
  approve->add_option("--comment", options->comment, "コメント");
  approve->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto r,
                 workflow::ApproveRequest(ledger, options->id, options->as, options->comment));
      Done(cli, r, "承認しました");
      return OkStatus();
    });
  });

  auto* reject = request->add_subcommand("reject", "却下（申請は終了） / reject: ends the request");
  id(reject);
  as(reject, "承認者の職員コード / approver");
  reject->add_option("--comment", options->comment, "却下の理由（必須）")->required();
  reject->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto r,
                 workflow::RejectRequest(ledger, options->id, options->as, options->comment));
      Done(cli, r, "却下しました");
      return OkStatus();
    });
  });

  auto* withdraw = request->add_subcommand("withdraw", "申請者が取り下げる / withdraw");
  id(withdraw);
  as(withdraw, "申請者の職員コード / requester");
  withdraw->add_option("--reason", options->reason, "理由");
  withdraw->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto r,
                 workflow::WithdrawRequest(ledger, options->id, options->as, options->reason));
      Done(cli, r, "取り下げました");
      return OkStatus();
    });
  });

  auto* record = request->add_subcommand(
      "record", "義務の記録を記入（例 2.2(9)② 廃棄の日時・担当者・処理内容） / fill an obligation record");
  id(record);
  as(record, "記入者の職員コード / person");
  record->add_option("--obligation", options->obligation, "義務 / obligation, e.g. record")
      ->required();
  record->add_option("--set", options->sets, "項目=値（繰り返し） / field=value, repeated")
      ->required();
  record->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      std::map<std::string, std::string> values;
      ledger::Checks checks;
      for (const auto& set : options->sets) {
        const auto equals = set.find('=');
        if (equals == std::string::npos || equals == 0) {
          checks.Add(ledger::FieldError("--set", "「項目=値」の形で指定してください: " + set,
                                        "expected field=value: " + set));
          continue;
        }
        const std::string key = set.substr(0, equals);
        if (values.count(key) != 0) {
          checks.Add(ledger::FieldError(key, "同じ項目が二度指定されています",
                                        "field given twice"));
        }
        values[key] = set.substr(equals + 1);
      }
      MAMORI_TRY_STATUS(checks.Done());
      MAMORI_TRY(const auto r, workflow::FillObligation(ledger, options->id, options->as,
                                                        options->obligation, values));
      Done(cli, r, "記録しました");
      return OkStatus();
    });
  });

  auto* expire = request->add_subcommand(
      "expire", "承認期限を過ぎた申請を期限切れにする / mark overdue pending requests expired");
  expire->add_option("--as", options->as, "実行者（既定 system）");
  expire->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto ids,
                 workflow::ExpireRequests(ledger, options->as.empty() ? "system" : options->as));
      if (cli.json) {
        cli.PrintJson({{"expired", ids}});
      } else {
        cli.out << "期限切れにした申請: " << ids.size() << " 件";
        if (!ids.empty()) {
          std::vector<std::string> texts;
          texts.reserve(ids.size());
          for (const auto id_value : ids) texts.push_back(std::to_string(id_value));
          cli.out << "（" << Join(texts, ", ") << "）";
        }
        cli.out << "（承認期限 " << workflow::RequestExpiryDays(ledger.Profile()) << " 日）\n";
      }
      return OkStatus();
    });
  });
}

void PrintExceptionList(std::ostream& out, const std::vector<workflow::RequestRecord>& items) {
  out << "番号\t種別\t状態\t申請者\t課室等\t実施・申請日時\t事後報告期限\t報告\t確認\n";
  for (const auto& r : items) {
    const auto& info = *r.exception;
    std::string report = "—";
    if (info.emergency) {
      report = !info.reported_at.empty() ? "報告済み " + Jst(info.reported_at)
               : info.overdue             ? "未報告・期限超過"
                                          : "未報告";
    }
    out << r.id << "\t" << (info.emergency ? "緊急" : "通常") << "\t"
        << workflow::TitleJa(r.status) << "\t" << r.requester << "\t" << r.section << "\t"
        << Jst(r.submitted_at) << "\t" << (info.emergency ? Jst(info.report_due) : "—") << "\t"
        << report << "\t" << info.reviews.size() << " 回\n";
  }
}

void AddException(CLI::App& app, LedgerCli& cli) {
  auto* exception = app.add_subcommand("exception", "例外措置（7.4） / exceptions");
  exception->require_subcommand(1);
  auto options = std::make_shared<Options>();

  auto* list = exception->add_subcommand("list", "例外措置の記録（7.4(3)） / the register");
  list->add_flag("--overdue", options->overdue, "事後報告の期限を過ぎたものだけ / overdue only");
  auto* overdue = exception->add_subcommand(
      "overdue", "事後報告の期限を過ぎた緊急時の例外措置（7.4(2)） / overdue reports");
  for (auto* command : {list, overdue}) {
    command->callback([&cli, options, overdue_only = command == overdue] {
      cli.WithLedger(
          [&](ledger::Ledger& ledger) -> Status {
            MAMORI_TRY(const auto items, overdue_only || options->overdue
                                             ? workflow::OverdueExceptions(ledger)
                                             : workflow::ListExceptions(ledger));
            if (cli.json) {
              cli.PrintJson(RequestsJson(items));
            } else {
              PrintExceptionList(cli.out, items);
              if (overdue_only && items.empty()) cli.out << "期限を過ぎた未報告の例外措置はありません\n";
            }
            return OkStatus();
          },
          /*read_only=*/true);
    });
  }

  auto* report = exception->add_subcommand(
      "report", "緊急時の例外措置を事後報告（7.4(2)） / report an emergency exception");
  report->add_option("ID", options->id, "番号")->required();
  report->add_option("--as", options->as, "報告者の職員コード")->required();
  report->add_option("--text", options->text, "報告の内容")->required();
  report->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto r,
                 workflow::ReportException(ledger, options->id, options->as, options->text));
      Done(cli, r, "報告しました（報告先 " + Join(r.exception->reported_to, ", ") + "）");
      return OkStatus();
    });
  });

  auto* review = exception->add_subcommand(
      "review", "例外措置の記録を確認（7.4(3)） / review an exception");
  review->add_option("ID", options->id, "番号")->required();
  review->add_option("--as", options->as, "CISO 又は統括情報セキュリティ責任者")->required();
  review->add_option("--comment", options->comment, "確認の結果")->required();
  review->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto r,
                 workflow::ReviewException(ledger, options->id, options->as, options->comment));
      Done(cli, r, "確認を記録しました");
      return OkStatus();
    });
  });
}

void PrintViolation(std::ostream& out, const workflow::Violation& v) {
  out << "違反 " << v.id << ": " << v.person << " " << v.person_name << "（課室等 " << v.section
      << "） 報告者 " << v.reported_by << " " << Jst(v.time_utc) << "\n  内容: " << v.description
      << "\n  通知先: " << Join(v.notified_to, ", ") << "（" << v.clause << "）\n";
}

void PrintSuspension(std::ostream& out, const workflow::Suspension& s) {
  out << "停止 " << s.id << ": " << s.person << " [" << (s.Active() ? "停止中" : "回復済み")
      << "] 決定 " << s.decided_by << " " << Jst(s.decided_at);
  if (s.violation_id != 0) out << "（違反 " << s.violation_id << "）";
  out << "\n  理由: " << s.reason << "\n  通知先: " << Join(s.notified_to, ", ") << "（7.6④）\n";
  if (!s.Active()) {
    out << "  回復: " << s.restored_by << " " << Jst(s.restored_at) << " 理由: " << s.restore_reason
        << "\n";
  }
}

void AddViolation(CLI::App& app, LedgerCli& cli) {
  auto* violation = app.add_subcommand("violation", "違反行為（7.6） / violations");
  violation->require_subcommand(1);
  auto options = std::make_shared<Options>();

  auto* notify = violation->add_subcommand(
      "notify", "違反行為を通知（7.6①②③） / notify a violation");
  notify->add_option("--as", options->as, "報告者の職員コード")->required();
  notify->add_option("--person", options->person, "違反した職員のコード")->required();
  notify->add_option("--text", options->text, "違反の内容")->required();
  notify->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto v,
                 workflow::NotifyViolation(ledger, options->as, options->person, options->text));
      if (cli.json) {
        cli.PrintJson(workflow::ToJson(v));
      } else {
        PrintViolation(cli.out, v);
      }
      return OkStatus();
    });
  });

  auto* suspend = violation->add_subcommand(
      "suspend", "情報システムを使用する権利を停止（7.6④） / suspend system rights");
  suspend->add_option("--as", options->as, "統括情報セキュリティ責任者")->required();
  suspend->add_option("--person", options->person, "職員コード")->required();
  suspend->add_option("--reason", options->reason, "理由")->required();
  suspend->add_option("--violation", options->violation, "違反の番号");
  suspend->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto s, workflow::SuspendPerson(ledger, options->as, options->person,
                                                       options->reason, options->violation));
      if (cli.json) {
        cli.PrintJson(workflow::ToJson(s));
      } else {
        PrintSuspension(cli.out, s);
      }
      return OkStatus();
    });
  });

  auto* restore = violation->add_subcommand("restore", "権利を回復 / restore system rights");
  restore->add_option("--as", options->as, "統括情報セキュリティ責任者")->required();
  restore->add_option("--person", options->person, "職員コード")->required();
  restore->add_option("--reason", options->reason, "理由")->required();
  restore->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto s,
                 workflow::RestorePerson(ledger, options->as, options->person, options->reason));
      if (cli.json) {
        cli.PrintJson(workflow::ToJson(s));
      } else {
        PrintSuspension(cli.out, s);
      }
      return OkStatus();
    });
  });

  auto* list = violation->add_subcommand("list", "違反と権利停止の一覧 / list");
  list->add_option("--person", options->person, "職員コード");
  list->add_flag("--suspensions", options->suspensions, "権利停止の一覧 / suspensions");
  list->callback([&cli, options] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          if (options->suspensions) {
            MAMORI_TRY(const auto items, workflow::ListSuspensions(ledger, options->person));
            if (cli.json) {
              Json out = Json::array();
              for (const auto& s : items) out.push_back(workflow::ToJson(s));
              cli.PrintJson(out);
            } else {
              for (const auto& s : items) PrintSuspension(cli.out, s);
              if (items.empty()) cli.out << "権利の停止はありません\n";
            }
            return OkStatus();
          }
          MAMORI_TRY(const auto items, workflow::ListViolations(ledger, options->person));
          if (cli.json) {
            Json out = Json::array();
            for (const auto& v : items) out.push_back(workflow::ToJson(v));
            cli.PrintJson(out);
          } else {
            for (const auto& v : items) PrintViolation(cli.out, v);
            if (items.empty()) cli.out << "違反の記録はありません\n";
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });
}

}  // namespace

void AddAuditPlan(CLI::App& app, LedgerCli& cli) {
  auto* plan = app.add_subcommand(
      "audit-plan", "監査の割当て（監査を受ける者と実施する者の兼務禁止 1(3)②） / audit assignments");
  plan->require_subcommand(1);
  auto as = std::make_shared<std::string>();
  auto input = std::make_shared<workflow::AuditAssignmentInput>();
  auto* assign = plan->add_subcommand("assign", "監査を割り当てる / assign an audit");
  assign->add_option("--as", *as, "最高情報セキュリティ責任者又は統括情報セキュリティ責任者")
      ->required();
  assign->add_option("--auditor", input->auditor, "監査を実施する者の職員コード")->required();
  assign->add_option("--section", input->section, "監査を受ける課室等のコード")->required();
  assign->add_option("--from", input->period_from, "監査期間の初日 YYYY-MM-DD")->required();
  assign->add_option("--to", input->period_to, "監査期間の末日 YYYY-MM-DD")->required();
  assign->add_option("--scope", input->scope, "監査の対象・範囲")->required();
  assign->callback([&cli, as, input] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto id, workflow::AssignAudit(ledger, *as, *input));
      if (cli.json) {
        cli.PrintJson({{"id", id}});
      } else {
        cli.out << "監査を割り当てました: " << id << "（" << input->auditor << " → "
                << input->section << "、" << input->period_from << "〜" << input->period_to
                << "）\n";
      }
      return OkStatus();
    });
  });
  auto* list = plan->add_subcommand("list", "監査の割当て一覧 / list assignments");
  list->callback([&cli] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto items, workflow::ListAuditAssignments(ledger));
          if (cli.json) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& item : items) out.push_back(workflow::ToJson(item));
            cli.PrintJson(out);
            return OkStatus();
          }
          cli.out << "番号\t監査を実施する者\t課室等\t期間\t範囲\t割当て\n";
          for (const auto& item : items) {
            cli.out << item.id << "\t" << item.auditor << " " << item.auditor_name << "\t"
                    << item.section << "\t" << item.period_from << "〜" << item.period_to
                    << "\t" << item.scope << "\t" << item.assigned_by << "\n";
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });
}

void AddWorkflowCommands(CLI::App& app, LedgerCli& cli) {
  AddRequest(app, cli);
  AddException(app, cli);
  AddViolation(app, cli);
  AddAuditPlan(app, cli);
}

}  // namespace mamori::cli
