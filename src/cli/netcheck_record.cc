#include "cli/netcheck_record.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "assess/findings.h"
#include "audit/audit_log.h"
#include "ledger/org.h"
#include "policy/vocabulary.h"

namespace mamori::cli {
namespace {

// The finding's title names the pair and the rule, so that the same hole
// found again is recognised as the finding already open.
// The rule by file name and line (or the text when it has no place: "no
// forward chain"), not by the path the check was run with.
std::string TitleOf(const netcheck::Violation& violation) {
  std::string title = "三層の対策: " + violation.from + " → " + violation.to + " を許す規則";
  if (!violation.rules.empty()) {
    const auto& rule = violation.rules.front();
    title += "（" + (rule.where.empty() ? rule.text
                                         : rule.where.substr(rule.where.find_last_of('/') + 1)) +
             "）";
  }
  if (violation.possible) title += "（可能性）";
  return title;
}

std::string DescriptionOf(const netcheck::Violation& violation) {
  std::string text = "netcheck config が、プロファイルの通信経路（" +
                     std::string(policy::TitleJa(violation.mode)) + "、条項 " + violation.clause +
                     "）に反して通る通信を見つけました。\n例: " + violation.example.ToString() + "\n";
  for (const auto& rule : violation.rules) {
    text += "許可した規則: " + rule.where + (rule.text.empty() ? "" : "  " + rule.text) + "\n";
  }
  for (const auto& rule : violation.because) text += "解析しない規則を経由: " + rule.where + "\n";
  return text;
}

}  // namespace

Result<NetcheckRecordResult> RecordCheck(ledger::Ledger& ledger, const netcheck::CheckReport& report,
                                         const NetcheckRecordInput& input) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& path : input.files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return Error(ErrorCode::kNotFound, "読めません: " + path, "cannot read " + path,
                   {path, 0, ""});
    }
    const std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    inputs.push_back({{"file", path}, {"sha256", audit::Sha256Hex(data)}});
  }
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& pair : report.pairs) {
    pairs.push_back({{"from", pair.from},
                     {"to", pair.to},
                     {"status", std::string(netcheck::Id(pair.status))},
                     {"violations", pair.violations}});
  }
  // The actor is checked even when every violation is already open.
  MAMORI_TRY(const auto actor, ledger::FindActivePerson(ledger, input.actor, "as"));
  MAMORI_TRY(auto open, assess::ListFindings(ledger, {"", "", "netcheck", false}));
  NetcheckRecordResult result;
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    result = {};
    for (const auto& violation : report.violations) {
      const std::string title = TitleOf(violation);
      const auto same = std::find_if(open.begin(), open.end(), [&](const assess::Finding& f) {
        return f.title == title && f.status != assess::FindingStatus::kVerified;
      });
      if (same != open.end()) {
        if (std::find(result.open_findings.begin(), result.open_findings.end(), same->id) ==
            result.open_findings.end()) {
          result.open_findings.push_back(same->id);
        }
        continue;
      }
      assess::FindingInput finding;
      finding.source = "netcheck";
      finding.source_ref = "netcheck config";
      finding.title = title;
      finding.description = DescriptionOf(violation);
      finding.clause = violation.clause;
      finding.owner = input.owner.empty() ? input.actor : input.owner;
      finding.priority = violation.possible ? "medium" : "high";
      MAMORI_TRY(const auto added, assess::InsertFinding(ledger, input.actor, finding));
      result.new_findings.push_back(added.id);
      open.push_back(added);
    }
    const nlohmann::json state = {{"profile", report.profile},
                                  {"inputs", inputs},
                                  {"pairs", pairs},
                                  {"violations", report.violations.size()},
                                  {"definite", report.DefiniteViolations()},
                                  {"new_findings", result.new_findings},
                                  {"open_findings", result.open_findings}};
    return ledger.Record({input.actor, "netcheck.run", "netcheck_run", "", state.dump()});
  }));
  return result;
}

}  // namespace mamori::cli
