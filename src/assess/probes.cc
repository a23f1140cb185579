#include "assess/probes.h"

#include <nlohmann/json.hpp>

#include "ledger/incident/training.h"
#include "ledger/org.h"
#include "ledger/registers/registers.h"
#include "ledger/validate.h"
#include "ledger/workflow/exceptions.h"
#include "ledger/workflow/requests.h"
#include "policy/vocabulary.h"

namespace mamori::assess {
namespace {

using Json = nlohmann::json;
using ledger::Ledger;

bool InScope(const ProbeScope& scope, const std::string& section) {
  return scope.section.empty() || scope.section == section;
}

std::string ScopeJa(const ProbeScope& scope) {
  return scope.section.empty() ? "組織全体" : "課室等「" + scope.section + "」";
}

// 6.4(1)⑦ OS のサポート終了, in the マイナンバー利用事務系 (3(1)①).
Status EolDevices(Ledger& ledger, const ProbeScope& scope, ProbeResult& result) {
  result.clause = "6.4(1)⑦";
  MAMORI_TRY(const auto devices, ledger::registers::List(ledger, "device"));
  for (const auto& device : devices) {
    const auto segment = device.values.find("segment");
    const auto section = device.values.find("section");
    if (segment == device.values.end() || segment->second != "mynumber") continue;
    const std::string section_code = section == device.values.end() ? "" : section->second;
    if (!InScope(scope, section_code)) continue;
    for (const auto& flag : device.flags) {
      if (flag.id != "os_end_of_support") continue;
      result.rows.push_back({"device", device.code, section_code,
                             "端末「" + device.code + "」: " + flag.message_ja,
                             "device " + device.code + ": " + flag.message_en});
    }
  }
  result.summary_ja =
      result.rows.empty()
          ? ScopeJa(scope) + "のマイナンバー利用事務系にサポート終了の OS の端末はありません"
          : ScopeJa(scope) + "のマイナンバー利用事務系にサポート終了の OS の端末が " +
                std::to_string(result.rows.size()) + " 台あります";
  result.summary_en =
      result.rows.empty()
          ? "no device in the mynumber segment runs an OS past its end of support"
          : std::to_string(result.rows.size()) +
                " device(s) in the mynumber segment run an OS past its end of support";
  return OkStatus();
}

// 2.2(9)② 廃棄の記録: an approved disposal of an importance-A asset whose
// record (date, person, method) is not filled.
Status DisposalRecords(Ledger& ledger, const ProbeScope& scope, ProbeResult& result) {
  result.clause = "2.2(9)②";
  namespace workflow = ledger::workflow;
  MAMORI_TRY(const auto requests,
             workflow::ListRequests(ledger, workflow::RequestFilter{.action = "dispose"}));
  for (const auto& request : requests) {
    if (request.status != workflow::RequestStatus::kApproved &&
        request.status != workflow::RequestStatus::kCompleted) {
      continue;
    }
    if (!InScope(scope, request.section)) continue;
    const Json asked = Json::parse(request.request_json, nullptr, false);
    const Json::json_pointer importance("/asset/classification/importance");
    if (!asked.is_object() || !asked.contains(importance) || asked.at(importance) != "A") {
      continue;
    }
    for (const auto& record : request.obligations) {
      if (record.obligation != "record" || record.Filled()) continue;
      const std::string id = std::to_string(request.id);
      result.rows.push_back(
          {"request", id, request.section,
           "廃棄の申請 " + id + "（重要度Ａ、" + request.requester +
               "）の廃棄記録（日時・担当者・処理内容）がありません",
           "disposal request " + id + " (importance A) has no record of date, person and method"});
    }
  }
  result.summary_ja = result.rows.empty()
                          ? ScopeJa(scope) + "の重要度Ａの廃棄には全て記録があります"
                          : ScopeJa(scope) + "の重要度Ａの廃棄のうち " +
                                std::to_string(result.rows.size()) + " 件に記録がありません";
  result.summary_en = result.rows.empty() ? "every importance-A disposal has its record"
                                          : std::to_string(result.rows.size()) +
                                                " importance-A disposal(s) without a record";
  return OkStatus();
}

// 5.2: everyone employed (other than contractors) attends training in the 年度.
Status Training(Ledger& ledger, const ProbeScope& scope, ProbeResult& result) {
  result.clause = "5.2";
  MAMORI_TRY(const auto check, ledger::incident::CheckYearlyTraining(ledger, result.fiscal_year));
  for (const auto& person : check.missing) {
    if (!InScope(scope, person.section_code)) continue;
    result.rows.push_back({"person", person.code, person.section_code,
                           "「" + person.code + " " + person.name + "」は " +
                               std::to_string(result.fiscal_year) + " 年度の研修を受講していません",
                           person.code + " has attended no training in fiscal year " +
                               std::to_string(result.fiscal_year)});
  }
  result.summary_ja = result.rows.empty()
                          ? ScopeJa(scope) + "の受講すべき全ての職員等が研修を受講しています"
                          : ScopeJa(scope) + "の " + std::to_string(result.rows.size()) +
                                " 名が研修を受講していません";
  result.summary_en = result.rows.empty()
                          ? "everyone who must has attended training this fiscal year"
                          : std::to_string(result.rows.size()) +
                                " person(s) have attended no training this fiscal year";
  return OkStatus();
}

// 7.4(2): an emergency exception is reported afterwards by its deadline.
Status EmergencyExceptions(Ledger& ledger, const ProbeScope& scope, ProbeResult& result) {
  result.clause = "7.4(2)";
  MAMORI_TRY(const auto overdue, ledger::workflow::OverdueExceptions(ledger));
  for (const auto& request : overdue) {
    if (!InScope(scope, request.section)) continue;
    const std::string id = std::to_string(request.id);
    const std::string due = request.exception ? request.exception->report_due : "";
    result.rows.push_back({"request", id, request.section,
                           "緊急時の例外措置 " + id + "（" + request.requester + "）が報告期限 " +
                               due + " を過ぎても報告されていません",
                           "emergency exception " + id + " unreported past its deadline " + due});
  }
  result.summary_ja = result.rows.empty()
                          ? ScopeJa(scope) + "に期限を過ぎて未報告の緊急時の例外措置はありません"
                          : ScopeJa(scope) + "に期限を過ぎて未報告の緊急時の例外措置が " +
                                std::to_string(result.rows.size()) + " 件あります";
  result.summary_en = result.rows.empty()
                          ? "no emergency exception is unreported past its deadline"
                          : std::to_string(result.rows.size()) +
                                " emergency exception(s) unreported past their deadline";
  return OkStatus();
}

// 8.1(2): every contract in use states every item of the checklist.
Status ContractClauses(Ledger& ledger, const ProbeScope& scope, ProbeResult& result) {
  result.clause = "8.1(2)";
  MAMORI_TRY(const auto contracts, ledger::registers::List(ledger, "contract"));
  for (const auto& contract : contracts) {
    const auto section = contract.values.find("section");
    const std::string section_code = section == contract.values.end() ? "" : section->second;
    if (!InScope(scope, section_code)) continue;
    std::string missing_ja;
    std::vector<std::string> missing_ids;
    for (const auto& item : contract.checklist) {
      if (item.checked && item.done) continue;
      missing_ja += (missing_ja.empty() ? "" : "、") + item.text_ja;
      missing_ids.push_back(item.id);
    }
    if (missing_ids.empty()) continue;
    std::string ids;
    for (const auto& id : missing_ids) ids += (ids.empty() ? "" : ", ") + id;
    result.rows.push_back({"contract", contract.code, section_code,
                           "契約「" + contract.code + "」に記載の確認できない項目: " + missing_ja,
                           "contract " + contract.code + " does not state: " + ids});
  }
  result.summary_ja = result.rows.empty()
                          ? ScopeJa(scope) + "の全ての委託契約に 8.1(2) の項目が記載されています"
                          : ScopeJa(scope) + "の委託契約 " + std::to_string(result.rows.size()) +
                                " 件に 8.1(2) の項目の記載が確認できません";
  result.summary_en = result.rows.empty()
                          ? "every contract states every 8.1(2) item"
                          : std::to_string(result.rows.size()) + " contract(s) lack 8.1(2) items";
  return OkStatus();
}

}  // namespace

Result<ProbeResult> RunProbe(Ledger& ledger, std::string_view probe, const ProbeScope& scope) {
  if (!policy::IsKnownProbe(probe)) {
    return ledger::FieldError(
        "probe",
        "プローブ「" + std::string(probe) + "」はありません（" + policy::AllProbeIds() + "）",
        "unknown probe \"" + std::string(probe) + "\" (known: " + policy::AllProbeIds() + ")");
  }
  if (!scope.section.empty()) {
    MAMORI_TRY_STATUS(ledger::FindSection(ledger, scope.section));
  }
  ProbeResult result;
  result.probe = std::string(probe);
  result.section = scope.section;
  result.fiscal_year = scope.fiscal_year != 0
                           ? scope.fiscal_year
                           : ledger::incident::FiscalYearOf(ledger::TodayJst(ledger));
  if (probe == "eol_devices_in_mynumber") {
    MAMORI_TRY_STATUS(EolDevices(ledger, scope, result));
  } else if (probe == "disposal_records_for_importance_a") {
    MAMORI_TRY_STATUS(DisposalRecords(ledger, scope, result));
  } else if (probe == "training_attended_this_year") {
    MAMORI_TRY_STATUS(Training(ledger, scope, result));
  } else if (probe == "emergency_exceptions_reported") {
    MAMORI_TRY_STATUS(EmergencyExceptions(ledger, scope, result));
  } else if (probe == "contract_clauses_checked") {
    MAMORI_TRY_STATUS(ContractClauses(ledger, scope, result));
  } else {
    // policy::kProbes names a probe this file does not implement.
    return Error(ErrorCode::kInternal, "プローブ「" + std::string(probe) + "」が実装されていません",
                 "probe \"" + std::string(probe) + "\" is not implemented");
  }
  result.answer = result.rows.empty() ? Answer::kYes : Answer::kNo;
  return result;
}

Json ToJson(const ProbeResult& result) {
  Json rows = Json::array();
  for (const auto& row : result.rows) {
    rows.push_back({{"object_type", row.object_type},
                    {"object_id", row.object_id},
                    {"section", row.section},
                    {"detail_ja", row.detail_ja},
                    {"detail_en", row.detail_en}});
  }
  return Json{{"probe", result.probe},
              {"clause", result.clause},
              {"section", result.section},
              {"fiscal_year", result.fiscal_year},
              {"answer", Id(result.answer)},
              {"answer_ja", TitleJa(result.answer)},
              {"summary_ja", result.summary_ja},
              {"summary_en", result.summary_en},
              {"rows", rows}};
}

}  // namespace mamori::assess
