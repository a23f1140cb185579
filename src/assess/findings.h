// The findings register (検出事項・改善): one register for every source —
// self-inspection (自己点検), audit (監査), incidents, the network check,
// risk analysis and the annual review — each finding with the clause or
// check it concerns, the section, an owner, a priority, a due date, and
// what is done about it (阪南市 9(3)② 評価, 9(4); the guideline's 結果の活用).
//
//   identified ──plan──▶ planned ──start──▶ in_progress ──done──▶ done ──verify──▶ verified
//        │                  │                    │                  └──reopen──▶ in_progress
//        └──────────────────┴────────────────────┴──▶ risk_accepted (an exception of 7.4)
//
//  - planned needs the plan (改善計画) and a due date; done needs evidence;
//  - risk_accepted needs an exception (例外措置, 7.4) that is approved;
//  - the owner, the section's manager or the 統括 (or a delegate) moves it;
//  - the verifier is the 統括, the CISO or an auditor (or a delegate), and
//    is never the owner (兼務の禁止, 1(3));
//  - overdue: past its due date and not done, verified or risk_accepted.
// Wrong state: kConflict; wrong person (or one suspended, 7.6④), bad input:
// kInvalidArgument naming the field, nothing stored. Every change is one
// Ledger::Change with an audit event holding the finding's full new state
// but for `overdue` ("finding.add", "finding.update", "finding.verify",
// "finding.reopen").
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"

namespace mamori::assess {

enum class FindingStatus : std::uint8_t {
  kIdentified,    // 検出
  kPlanned,       // 改善計画策定済み
  kInProgress,    // 対応中
  kDone,          // 対応完了
  kVerified,      // 確認済み
  kRiskAccepted,  // リスク受容
};
std::string_view Id(FindingStatus status);
std::string_view TitleJa(FindingStatus status);
std::optional<FindingStatus> ParseFindingStatus(std::string_view id);

// self_inspection, audit, incident, netcheck, risk, review
const std::vector<std::string>& FindingSources();
// high, medium, low
const std::vector<std::string>& FindingPriorities();

struct FindingInput {
  std::string source;      // FindingSources()
  std::string source_ref;  // e.g. "incident 12"; optional
  std::string title;
  std::string description;   // optional
  std::string check_id;      // a check item of the profile; optional
  std::string clause;        // a clause of the profile; the check's when empty
  std::string section;       // optional: a finding of the whole organization
  std::string owner;         // person code
  std::string priority;      // FindingPriorities()
  std::string due_on;        // YYYY-MM-DD; optional
  std::int64_t form_id = 0;  // the self-inspection form it came from (0: none)
};

struct Finding {
  std::int64_t id = 0;
  std::string source;
  std::string source_ref;
  std::int64_t form_id = 0;
  std::string title;
  std::string description;
  std::string check_id;
  std::string clause;
  std::string section;
  std::string owner;
  std::string priority;
  std::string due_on;
  FindingStatus status = FindingStatus::kIdentified;
  std::string plan;
  std::string evidence;
  std::int64_t exception_id = 0;
  std::string verified_by;
  std::string verified_at;
  std::string verification_comment;
  std::string created_by;
  std::string created_at;
  std::string updated_at;
  bool overdue = false;  // as of today (JST); not in the audited state
};

// Adds a finding. By the CISO, the 統括 (or a delegate), an auditor, the
// CSIRT, or the manager of the finding's section. Errors: kInvalidArgument
// naming each bad field.
Result<Finding> AddFinding(ledger::Ledger& ledger, const std::string& actor,
                           const FindingInput& input);
// AddFinding's work inside a running Ledger::Change (evaluation of a form
// opens its findings so); `input` is checked here too.
Result<Finding> InsertFinding(ledger::Ledger& ledger, const std::string& actor,
                              const FindingInput& input);

struct FindingUpdate {
  std::string status{};           // the next status: planned, in_progress, done, risk_accepted
  std::string plan{};             // planned: required
  std::string due_on{};           // planned: required unless already set
  std::string evidence{};         // done: required
  std::int64_t exception_id = 0;  // risk_accepted: required
};
Result<Finding> UpdateFinding(ledger::Ledger& ledger, const std::string& actor, std::int64_t id,
                              const FindingUpdate& update);

enum class Verdict : std::uint8_t { kVerified, kReopened };
// The check that what was done fixes the finding (verified), or not
// (back to in_progress); a comment is required either way.
Result<Finding> VerifyFinding(ledger::Ledger& ledger, const std::string& actor, std::int64_t id,
                              Verdict verdict, const std::string& comment);

Result<Finding> GetFinding(ledger::Ledger& ledger, std::int64_t id);
struct FindingFilter {
  std::string status{};   // "" any
  std::string section{};  // "" any
  std::string source{};   // "" any
  bool overdue_only = false;
};
Result<std::vector<Finding>> ListFindings(ledger::Ledger& ledger, const FindingFilter& filter);

nlohmann::json ToJson(const Finding& finding);

}  // namespace mamori::assess
