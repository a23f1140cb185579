// `mamori assess ...`: 自己点検 campaigns and forms, the findings register,
// the risk register and the probes (src/assess/). Japanese text by default, JSON with --json.
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "assess/campaigns.h"
#include "assess/findings.h"
#include "assess/probes.h"
#include "assess/risk.h"
#include "cli/ledger_cli.h"

namespace mamori::cli {
namespace {

using Json = nlohmann::json;

std::string AnswerText(const std::optional<assess::Answer>& answer) {
  return answer ? std::string(assess::TitleJa(*answer)) : "未回答";
}

void PrintCampaign(std::ostream& out, ledger::Ledger& ledger, const assess::Campaign& campaign) {
  out << "自己点検 " << campaign.id << ": " << campaign.title << "（" << campaign.fiscal_year
      << " 年度、" << campaign.clause << "）\n"
      << "期間: " << campaign.opens_on << "〜" << campaign.due_on
      << "  作成: " << campaign.created_by << "\n";
  auto forms = assess::ListForms(ledger, campaign.id);
  if (!forms.Ok()) return;
  out << "様式\t課室等\t状態\t回答\n";
  for (const auto& form : *forms) {
    std::size_t answered = 0;
    for (const auto& item : form.items) answered += item.answer ? 1U : 0U;
    out << form.id << "\t"
        << (form.section.empty() ? "組織全体" : form.section + " " + form.section_name) << "\t"
        << assess::TitleJa(form.status) << (form.overdue ? "（期限超過）" : "") << "\t" << answered
        << "/" << form.items.size() << "\n";
  }
}

void PrintForm(std::ostream& out, const assess::Form& form) {
  out << "様式 " << form.id << "（自己点検 " << form.campaign_id << "、" << form.fiscal_year
      << " 年度）: " << (form.section.empty() ? "組織全体" : form.section + " " + form.section_name)
      << " [" << assess::TitleJa(form.status) << (form.overdue ? "・期限超過" : "") << "]\n"
      << "期限: " << form.due_on << "\n";
  if (!form.submitted_by.empty())
    out << "提出: " << form.submitted_by << " " << form.submitted_at << "\n";
  if (!form.signed_off_by.empty()) {
    out << "管理者確認: " << form.signed_off_by << " " << form.signed_off_at << " "
        << form.signoff_comment << "\n";
  }
  if (!form.evaluated_by.empty()) {
    out << "評価: " << form.evaluated_by << " " << form.evaluated_at << " "
        << form.evaluation_comment << "\n";
  }
  for (const auto& item : form.items) {
    out << (item.priority ? "★ " : "  ") << item.check_id << "（" << item.clause << "、"
        << item.answered_by_role << "）" << item.question << "\n"
        << "    回答: " << AnswerText(item.answer);
    if (item.prefill) {
      const Json basis = Json::parse(item.prefill_basis, nullptr, false);
      out << "  自動点検: " << assess::TitleJa(*item.prefill);
      if (basis.is_object()) out << "（" << basis.value("summary_ja", "") << "）";
    }
    out << "\n";
    if (!item.basis.empty()) out << "    根拠: " << item.basis << "\n";
    if (!item.evidence.empty()) out << "    証跡: " << item.evidence << "\n";
    if (!item.correction_reason.empty())
      out << "    訂正の理由: " << item.correction_reason << "\n";
  }
}

void PrintFinding(std::ostream& out, const assess::Finding& f) {
  out << f.id << "\t" << assess::TitleJa(f.status) << (f.overdue ? "（期限超過）" : "") << "\t"
      << f.priority << "\t" << f.source << "\t" << f.clause << "\t"
      << (f.section.empty() ? "組織全体" : f.section) << "\t" << f.owner << "\t" << f.due_on << "\t"
      << f.title << "\n";
}

void PrintRollupRow(std::ostream& out, const assess::RollupRow& row) {
  out << (row.code.empty() ? row.name : row.code + " " + row.name) << "\t"
      << (row.result ? std::string(assess::TitleJa(*row.result)) : "—") << "\t"
      << "はい " << row.counts.yes << " / いいえ " << row.counts.no << " / 一部 "
      << row.counts.partial << " / 該当なし " << row.counts.not_applicable << " / 未回答 "
      << row.counts.unanswered << "\t";
  if (row.previous_known) {
    out << "前年度 " << (row.previous ? std::string(assess::TitleJa(*row.previous)) : "—") << "（"
        << (row.trend == "improved"   ? "改善"
            : row.trend == "worsened" ? "悪化"
                                      : "変化なし")
        << "）";
  } else {
    out << "前年度なし";
  }
  out << "\n";
}

void AddCampaign(CLI::App& assess, LedgerCli& cli) {
  auto* campaign =
      assess.add_subcommand("campaign", "自己点検（9(3) 点検） / self-inspection campaigns");
  campaign->require_subcommand(1);

  struct CreateOptions {
    std::string actor;
    assess::CampaignInput input;
  };
  auto create_options = std::make_shared<CreateOptions>();
  auto* create = campaign->add_subcommand("create", "自己点検を始める / start a campaign");
  create
      ->add_option("--as", create_options->actor,
                   "最高情報セキュリティ責任者又は統括情報セキュリティ責任者")
      ->required();
  create->add_option("--fiscal-year", create_options->input.fiscal_year, "年度（西暦、4月始まり）")
      ->required();
  create->add_option("--title", create_options->input.title, "表題")->required();
  create->add_option("--section", create_options->input.sections,
                     "対象の課室等（繰り返し可。省略時は全課室等）");
  create->add_option("--opens", create_options->input.opens_on, "開始日 YYYY-MM-DD")->required();
  create->add_option("--due", create_options->input.due_on, "期限 YYYY-MM-DD")->required();
  create->callback([&cli, create_options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto made,
                 assess::CreateCampaign(ledger, create_options->actor, create_options->input));
      if (cli.json) {
        cli.PrintJson(assess::ToJson(made));
      } else {
        cli.out << "自己点検を作成しました\n";
        PrintCampaign(cli.out, ledger, made);
      }
      return OkStatus();
    });
  });

  auto* list = campaign->add_subcommand("list", "自己点検の一覧 / list campaigns");
  list->callback([&cli] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto campaigns, assess::ListCampaigns(ledger));
          if (cli.json) {
            Json out = Json::array();
            for (const auto& c : campaigns) out.push_back(assess::ToJson(c));
            cli.PrintJson(out);
            return OkStatus();
          }
          cli.out << "番号\t年度\t表題\t期間\t様式数\n";
          for (const auto& c : campaigns) {
            cli.out << c.id << "\t" << c.fiscal_year << "\t" << c.title << "\t" << c.opens_on
                    << "〜" << c.due_on << "\t" << c.forms.size() << "\n";
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto show_id = std::make_shared<std::int64_t>(0);
  auto* show =
      campaign->add_subcommand("show", "自己点検と様式の状況（期限超過を含む） / show a campaign");
  show->add_option("ID", *show_id)->required();
  show->callback([&cli, show_id] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto found, assess::GetCampaign(ledger, *show_id));
          if (cli.json) {
            MAMORI_TRY(const auto forms, assess::ListForms(ledger, *show_id));
            Json out = assess::ToJson(found);
            Json summaries = Json::array();
            for (const auto& form : forms) {
              Json summary = assess::ToJson(form);
              summary.erase("items");
              summaries.push_back(summary);
            }
            out["form_states"] = summaries;
            cli.PrintJson(out);
          } else {
            PrintCampaign(cli.out, ledger, found);
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto rollup_id = std::make_shared<std::int64_t>(0);
  auto* rollup = campaign->add_subcommand(
      "rollup", "課室等・部局ごとの結果（最も悪い回答、該当なしは中立）と前年度比較 / roll-up");
  rollup->add_option("ID", *rollup_id)->required();
  rollup->callback([&cli, rollup_id] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto result, assess::RollUp(ledger, *rollup_id));
          if (cli.json) {
            cli.PrintJson(assess::ToJson(result));
            return OkStatus();
          }
          cli.out << result.fiscal_year << " 年度 自己点検 " << result.campaign_id << " の結果";
          if (result.previous_campaign_id) {
            cli.out << "（前年度: 自己点検 " << *result.previous_campaign_id << "）";
          }
          cli.out << "\n課室等:\n";
          for (const auto& row : result.sections) PrintRollupRow(cli.out, row);
          cli.out << "部局:\n";
          for (const auto& row : result.departments) PrintRollupRow(cli.out, row);
          cli.out << "全体:\n";
          PrintRollupRow(cli.out, result.organization);
          return OkStatus();
        },
        /*read_only=*/true);
  });
}

void AddForm(CLI::App& assess, LedgerCli& cli) {
  auto* form = assess.add_subcommand("form", "自己点検の様式 / self-inspection forms");
  form->require_subcommand(1);

  auto show_id = std::make_shared<std::int64_t>(0);
  auto* show = form->add_subcommand("show", "様式の点検項目と回答 / show a form");
  show->add_option("ID", *show_id)->required();
  show->callback([&cli, show_id] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto found, assess::GetForm(ledger, *show_id));
          cli.json ? cli.PrintJson(assess::ToJson(found)) : PrintForm(cli.out, found);
          return OkStatus();
        },
        /*read_only=*/true);
  });

  struct AnswerOptions {
    std::int64_t id = 0;
    std::string actor;
    assess::AnswerInput input;
  };
  auto answer_options = std::make_shared<AnswerOptions>();
  auto* answer = form->add_subcommand("answer", "点検項目に回答する / answer a check item");
  answer->add_option("ID", answer_options->id, "様式の番号")->required();
  answer->add_option("--as", answer_options->actor, "回答者の職員コード")->required();
  answer->add_option("--check", answer_options->input.check_id, "点検項目の ID")->required();
  answer
      ->add_option("--answer", answer_options->input.answer,
                   "はい / いいえ / 一部 / 該当なし（yes, no, partial, not_applicable）")
      ->required();
  answer->add_option("--basis", answer_options->input.basis, "根拠（いいえ・一部では必須）");
  answer->add_option("--evidence", answer_options->input.evidence, "証跡");
  answer->add_option("--correction-reason", answer_options->input.correction_reason,
                     "自動点検の結果と異なる回答の理由");
  answer->callback([&cli, answer_options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto updated, assess::AnswerItem(ledger, answer_options->actor,
                                                        answer_options->id, answer_options->input));
      if (cli.json) {
        cli.PrintJson(assess::ToJson(updated));
      } else {
        cli.out << "回答しました: 様式 " << updated.id << " " << answer_options->input.check_id
                << "\n";
      }
      return OkStatus();
    });
  });

  struct StepOptions {
    std::int64_t id = 0;
    std::string actor;
    std::string comment;
  };
  auto add_step = [&](const char* name, const char* help, const char* who, bool with_comment,
                      auto run) {
    auto options = std::make_shared<StepOptions>();
    auto* step = form->add_subcommand(name, help);
    step->add_option("ID", options->id, "様式の番号")->required();
    step->add_option("--as", options->actor, who)->required();
    if (with_comment) step->add_option("--comment", options->comment, "所見");
    step->callback([&cli, options, run] {
      cli.WithLedger([&](ledger::Ledger& ledger) -> Status { return run(cli, ledger, *options); });
    });
  };
  add_step("submit", "様式を提出する / submit a form", "回答者の職員コード", false,
           [](LedgerCli& c, ledger::Ledger& ledger, const StepOptions& o) -> Status {
             MAMORI_TRY(const auto done, assess::SubmitForm(ledger, o.actor, o.id));
             c.json ? c.PrintJson(assess::ToJson(done))
                    : void(c.out << "提出しました: 様式 " << done.id << "\n");
             return OkStatus();
           });
  add_step("signoff", "情報セキュリティ管理者が確認する（9(3)①） / sign off a form",
           "当該課室等の情報セキュリティ管理者（組織全体の様式は統括情報セキュリティ責任者）", true,
           [](LedgerCli& c, ledger::Ledger& ledger, const StepOptions& o) -> Status {
             MAMORI_TRY(const auto done, assess::SignOffForm(ledger, o.actor, o.id, o.comment));
             c.json ? c.PrintJson(assess::ToJson(done))
                    : void(c.out << "確認しました: 様式 " << done.id << "\n");
             return OkStatus();
           });
  add_step("evaluate", "統括情報セキュリティ責任者が評価する（9(3)②） / evaluate a form",
           "統括情報セキュリティ責任者（組織全体の様式は最高情報セキュリティ責任者）", true,
           [](LedgerCli& c, ledger::Ledger& ledger, const StepOptions& o) -> Status {
             MAMORI_TRY(const auto done, assess::EvaluateForm(ledger, o.actor, o.id, o.comment));
             if (c.json) {
               Json out = assess::ToJson(done.form);
               out["findings"] = done.findings;
               c.PrintJson(out);
             } else {
               c.out << "評価しました: 様式 " << done.form.id << "（検出事項 "
                     << done.findings.size() << " 件を登録）\n";
             }
             return OkStatus();
           });
}

void AddFinding(CLI::App& assess, LedgerCli& cli) {
  auto* finding = assess.add_subcommand("finding", "検出事項・改善 / findings register");
  finding->require_subcommand(1);

  struct AddOptions {
    std::string actor;
    assess::FindingInput input;
  };
  auto add_options = std::make_shared<AddOptions>();
  auto* add = finding->add_subcommand("add", "検出事項を登録する / add a finding");
  add->add_option("--as", add_options->actor, "登録する者の職員コード")->required();
  add->add_option("--source", add_options->input.source,
                  "self_inspection, audit, incident, netcheck, risk, review")
      ->required();
  add->add_option("--source-ref", add_options->input.source_ref, "出所（例: 監査 2026-1）");
  add->add_option("--title", add_options->input.title, "件名")->required();
  add->add_option("--description", add_options->input.description, "内容");
  add->add_option("--check", add_options->input.check_id, "点検項目の ID");
  add->add_option("--clause", add_options->input.clause, "条項（省略時は点検項目の条項）");
  add->add_option("--section", add_options->input.section, "課室等（省略時は組織全体）");
  add->add_option("--owner", add_options->input.owner, "担当者の職員コード")->required();
  add->add_option("--priority", add_options->input.priority, "high, medium, low")
      ->default_val("medium");
  add->add_option("--due", add_options->input.due_on, "期限 YYYY-MM-DD");
  add->callback([&cli, add_options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto added,
                 assess::AddFinding(ledger, add_options->actor, add_options->input));
      cli.json ? cli.PrintJson(assess::ToJson(added))
               : void(cli.out << "検出事項を登録しました: " << added.id << "\n");
      return OkStatus();
    });
  });

  auto filter = std::make_shared<assess::FindingFilter>();
  auto* list = finding->add_subcommand("list", "検出事項の一覧 / list findings");
  list->add_option("--status", filter->status, "状態");
  list->add_option("--section", filter->section, "課室等");
  list->add_option("--source", filter->source, "出所");
  list->add_flag("--overdue", filter->overdue_only, "期限超過のみ / overdue only");
  list->callback([&cli, filter] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto findings, assess::ListFindings(ledger, *filter));
          if (cli.json) {
            Json out = Json::array();
            for (const auto& f : findings) out.push_back(assess::ToJson(f));
            cli.PrintJson(out);
            return OkStatus();
          }
          cli.out << "番号\t状態\t優先度\t出所\t条項\t課室等\t担当者\t期限\t件名\n";
          for (const auto& f : findings) PrintFinding(cli.out, f);
          return OkStatus();
        },
        /*read_only=*/true);
  });

  struct UpdateOptions {
    std::int64_t id = 0;
    std::string actor;
    assess::FindingUpdate update;
  };
  auto update_options = std::make_shared<UpdateOptions>();
  auto* update = finding->add_subcommand("update", "検出事項を進める / move a finding on");
  update->add_option("ID", update_options->id)->required();
  update->add_option("--as", update_options->actor, "担当者、当該課室等の管理者又は統括")
      ->required();
  update
      ->add_option("--status", update_options->update.status,
                   "planned, in_progress, done, risk_accepted")
      ->required();
  update->add_option("--plan", update_options->update.plan, "改善計画（planned で必須）");
  update->add_option("--due", update_options->update.due_on, "期限 YYYY-MM-DD");
  update->add_option("--evidence", update_options->update.evidence, "証跡（done で必須）");
  update->add_option("--exception", update_options->update.exception_id,
                     "承認された例外措置の番号（risk_accepted で必須、7.4）");
  update->callback([&cli, update_options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto updated,
                 assess::UpdateFinding(ledger, update_options->actor, update_options->id,
                                       update_options->update));
      cli.json ? cli.PrintJson(assess::ToJson(updated))
               : void(cli.out << "検出事項 " << updated.id << ": "
                              << assess::TitleJa(updated.status) << "\n");
      return OkStatus();
    });
  });

  struct VerifyOptions {
    std::int64_t id = 0;
    std::string actor;
    std::string comment;
    bool reopen = false;
  };
  auto verify_options = std::make_shared<VerifyOptions>();
  auto* verify = finding->add_subcommand(
      "verify", "対応を確認する（担当者以外、1(3) 兼務の禁止） / verify a finding");
  verify->add_option("ID", verify_options->id)->required();
  verify->add_option("--as", verify_options->actor, "統括、CISO 又は監査人（担当者以外）")
      ->required();
  verify->add_option("--comment", verify_options->comment, "確認の所見")->required();
  verify->add_flag("--reopen", verify_options->reopen, "不十分として対応中に戻す / reopen");
  verify->callback([&cli, verify_options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto verified,
                 assess::VerifyFinding(ledger, verify_options->actor, verify_options->id,
                                       verify_options->reopen ? assess::Verdict::kReopened
                                                              : assess::Verdict::kVerified,
                                       verify_options->comment));
      cli.json ? cli.PrintJson(assess::ToJson(verified))
               : void(cli.out << "検出事項 " << verified.id << ": "
                              << assess::TitleJa(verified.status) << "\n");
      return OkStatus();
    });
  });
}

void AddProbe(CLI::App& assess, LedgerCli& cli) {
  auto* probe = assess.add_subcommand("probe", "自動点検 / probes over the ledger");
  probe->require_subcommand(1);
  struct RunOptions {
    std::string probe;
    assess::ProbeScope scope;
  };
  auto options = std::make_shared<RunOptions>();
  auto* run = probe->add_subcommand("run", "自動点検を実行する / run a probe");
  run->add_option("PROBE", options->probe,
                  "eol_devices_in_mynumber, disposal_records_for_importance_a, "
                  "training_attended_this_year, emergency_exceptions_reported, "
                  "contract_clauses_checked")
      ->required();
  run->add_option("--section", options->scope.section, "課室等（省略時は組織全体）");
  run->add_option("--fiscal-year", options->scope.fiscal_year, "年度（省略時は今年度）");
  run->callback([&cli, options] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto result, assess::RunProbe(ledger, options->probe, options->scope));
          if (cli.json) {
            cli.PrintJson(assess::ToJson(result));
            return OkStatus();
          }
          cli.out << result.probe << "（" << result.clause << "、" << result.fiscal_year
                  << " 年度）: " << assess::TitleJa(result.answer) << "\n"
                  << result.summary_ja << "\n";
          for (const auto& row : result.rows) cli.out << "  " << row.detail_ja << "\n";
          return OkStatus();
        },
        /*read_only=*/true);
  });
}
void PrintRisk(std::ostream& out, const assess::Risk& r) {
  out << r.id << "\t" << assess::RiskLevelJa(r.level) << "\t" << r.score << "\t" << r.asset
      << "\t" << r.threat_id << "\t" << r.threat << "×" << r.vulnerability << "×" << r.importance
      << "\t" << r.section << "\t"
      << (r.treatment.empty() ? "未対応" : std::string(assess::RiskTreatmentJa(r.treatment)))
      << (r.acceptance_status == "proposed" ? "（承認待ち）" : "")
      << (r.acceptance_status == "approved" ? "（" + r.accepted_until + " まで）" : "")
      << (r.expired ? "（期限切れ）" : "") << "\t" << r.next_review_on << "\n";
}

std::string BasisJa(const std::string& basis) {
  if (basis == "default") return "初期値";
  if (basis == "self_inspection") return "自己点検の結果";
  if (basis == "edited") return "修正";
  return basis;
}

void PrintRiskDetail(std::ostream& out, const assess::Risk& r) {
  out << "リスク評価 " << r.id << ": " << r.asset << " " << r.asset_name << " × " << r.threat_id
      << "\n"
      << "  課室等: " << r.section << "  管理者（所有者）: " << r.owner << "\n"
      << "  脅威: " << r.threat << "（" << BasisJa(r.threat_basis)
      << (r.threat_reason.empty() ? "" : ": " + r.threat_reason) << "）\n"
      << "  脆弱性: " << r.vulnerability << "（" << BasisJa(r.vulnerability_basis)
      << (r.vulnerability_reason.empty() ? "" : ": " + r.vulnerability_reason) << "）\n"
      << "  重要度: " << r.importance << "  可能性: " << r.likelihood << "  点数: " << r.score
      << "  水準: " << assess::RiskLevelJa(r.level) << "\n";
  if (!r.treatment.empty()) {
    out << "  対応: " << assess::RiskTreatmentJa(r.treatment) << "（" << r.treated_by << "）"
        << (r.treatment_plan.empty() ? "" : " " + r.treatment_plan) << "\n"
        << "  残留リスク: " << assess::RiskLevelJa(r.residual_level) << "\n";
  }
  if (!r.acceptance_status.empty()) {
    out << "  受容: " << (r.acceptance_status == "approved" ? "承認済み" : "承認待ち");
    if (r.acceptance_status == "approved") {
      out << "（" << r.accepted_by << "、" << r.accepted_until << " まで"
          << (r.expired ? "、期限切れ" : "") << "）";
    }
    if (r.finding_id != 0) out << " 検出事項 " << r.finding_id;
    out << "\n";
  }
  out << "  次回見直し: " << r.next_review_on << "\n";
}

void AddRisk(CLI::App& assess, LedgerCli& cli) {
  auto* risk = assess.add_subcommand("risk", "リスク分析・評価（9(2)） / the risk register");
  risk->require_subcommand(1);

  struct ComputeArgs {
    std::string actor;
    assess::ComputeOptions options;
  };
  auto compute_options = std::make_shared<ComputeArgs>();
  auto* compute = risk->add_subcommand(
      "compute", "資産 × 脅威のリスクを算定する / compute the register over assets × threats");
  compute->add_option("--as", compute_options->actor, "統括、CISO 又は課室等の管理者")->required();
  compute->add_option("--section", compute_options->options.sections,
                      "課室等（繰り返し可、省略時は全課室等）");
  compute->callback([&cli, compute_options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto report, assess::ComputeRisks(ledger, compute_options->actor,
                                                         compute_options->options));
      if (cli.json) {
        cli.PrintJson(assess::ToJson(report));
        return OkStatus();
      }
      cli.out << "リスクを算定しました: 資産 " << report.assets << " × 脅威 " << report.threats
              << "（追加 " << report.added << "、変更 " << report.changed << "、変更なし "
              << report.unchanged << "、削除 " << report.removed << "）\n";
      if (report.campaign_id != 0) {
        cli.out << "脆弱性は " << report.fiscal_year << " 年度の自己点検の結果から\n";
      }
      return OkStatus();
    });
  });

  auto filter = std::make_shared<assess::RiskFilter>();
  auto* list = risk->add_subcommand("list", "リスクの一覧（点数の高い順） / list risks");
  list->add_option("--section", filter->section, "課室等");
  list->add_option("--level", filter->level, "high, medium, low");
  list->add_option("--asset", filter->asset, "資産の管理番号");
  list->add_flag("--expired", filter->expired_only, "受容の期限切れのみ / expired acceptances");
  list->callback([&cli, filter] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto risks, assess::ListRisks(ledger, *filter));
          if (cli.json) {
            Json out = Json::array();
            for (const auto& r : risks) out.push_back(assess::ToJson(r));
            cli.PrintJson(out);
            return OkStatus();
          }
          cli.out << "番号\t水準\t点数\t資産\t脅威\t脅威×脆弱性×重要度\t課室等\t対応\t次回見直し\n";
          for (const auto& r : risks) PrintRisk(cli.out, r);
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto show_id = std::make_shared<std::int64_t>(0);
  auto* show = risk->add_subcommand("show", "リスク評価の詳細 / show a risk assessment");
  show->add_option("ID", *show_id)->required();
  show->callback([&cli, show_id] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto r, assess::GetRisk(ledger, *show_id));
          cli.json ? cli.PrintJson(assess::ToJson(r)) : PrintRiskDetail(cli.out, r);
          return OkStatus();
        },
        /*read_only=*/true);
  });

  struct EditOptions {
    std::int64_t id = 0;
    std::string actor;
    assess::RiskEdit edit;
  };
  auto edit_options = std::make_shared<EditOptions>();
  auto* edit = risk->add_subcommand("edit", "脅威・脆弱性を修正する（理由必須） / edit a risk");
  edit->add_option("ID", edit_options->id)->required();
  edit->add_option("--as", edit_options->actor, "統括、CISO 又は課室等の管理者")->required();
  edit->add_option("--threat", edit_options->edit.threat, "脅威 1〜3");
  edit->add_option("--vulnerability", edit_options->edit.vulnerability, "脆弱性 1〜3");
  edit->add_option("--reason", edit_options->edit.reason, "理由")->required();
  edit->callback([&cli, edit_options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto r, assess::EditRisk(ledger, edit_options->actor, edit_options->id,
                                                edit_options->edit));
      cli.json ? cli.PrintJson(assess::ToJson(r))
               : void(cli.out << "リスク評価 " << r.id << ": 点数 " << r.score << "、水準 "
                              << assess::RiskLevelJa(r.level) << "\n");
      return OkStatus();
    });
  });

  struct TreatOptions {
    std::int64_t id = 0;
    std::string actor;
    assess::RiskTreatment treatment;
  };
  auto treat_options = std::make_shared<TreatOptions>();
  auto* treat = risk->add_subcommand(
      "treat", "リスク対応を決める（低減・回避・移転・受容） / treat a risk");
  treat->add_option("ID", treat_options->id)->required();
  treat->add_option("--as", treat_options->actor, "統括、CISO 又は課室等の管理者")->required();
  treat->add_option("--treatment", treat_options->treatment.treatment,
                    "reduce, avoid, transfer, accept")
      ->required();
  treat->add_option("--plan", treat_options->treatment.plan, "対応計画（accept 以外で必須）");
  treat->add_option("--residual", treat_options->treatment.residual_level,
                    "残留リスク high, medium, low（accept 以外で必須）");
  treat->add_option("--review", treat_options->treatment.next_review_on,
                    "次回見直し日 YYYY-MM-DD（省略時は review_days 後）");
  treat->callback([&cli, treat_options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto r, assess::TreatRisk(ledger, treat_options->actor, treat_options->id,
                                                 treat_options->treatment));
      cli.json ? cli.PrintJson(assess::ToJson(r))
               : void(cli.out << "リスク評価 " << r.id << ": "
                              << assess::RiskTreatmentJa(r.treatment)
                              << (r.acceptance_status == "proposed" ? "（CISO の承認待ち）" : "")
                              << "\n");
      return OkStatus();
    });
  });

  struct AcceptOptions {
    std::int64_t id = 0;
    std::string actor;
    assess::RiskAcceptance acceptance;
  };
  auto accept_options = std::make_shared<AcceptOptions>();
  auto* accept = risk->add_subcommand(
      "accept", "リスク受容を承認する（CISO、資産の管理者以外） / approve an acceptance");
  accept->add_option("ID", accept_options->id)->required();
  accept->add_option("--as", accept_options->actor, "最高情報セキュリティ責任者")->required();
  accept->add_option("--until", accept_options->acceptance.until, "受容の期限 YYYY-MM-DD")
      ->required();
  accept->add_option("--comment", accept_options->acceptance.comment, "承認の理由")->required();
  accept->add_option("--finding", accept_options->acceptance.finding_id,
                     "リスク受容とした検出事項の番号");
  accept->callback([&cli, accept_options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto r, assess::AcceptRisk(ledger, accept_options->actor,
                                                  accept_options->id,
                                                  accept_options->acceptance));
      cli.json ? cli.PrintJson(assess::ToJson(r))
               : void(cli.out << "リスク評価 " << r.id << ": 受容を承認しました（"
                              << r.accepted_until << " まで）\n");
      return OkStatus();
    });
  });
}

}  // namespace

void AddAssessCommands(CLI::App& app, LedgerCli& cli) {
  auto* assess = app.add_subcommand(
      "assess", "評価: 自己点検・検出事項・リスク分析・自動点検 / self-inspection, findings, risks, probes");
  assess->require_subcommand(1);
  AddCampaign(*assess, cli);
  AddForm(*assess, cli);
  AddFinding(*assess, cli);
  AddRisk(*assess, cli);
  AddProbe(*assess, cli);
}

}  // namespace mamori::cli
