// The risk register (リスク分析・評価, 阪南市 第2章 9(2): the 情報セキュリティ
// 管理者 identifies the threats to the information assets of the section and
// their vulnerabilities, and evaluates what risks may arise). One assessment
// per (asset of the asset register, threat of the profile), on the scales of
// the profile's [risk] table (policy::RiskSettings):
//
//   likelihood (可能性) = threat (脅威 1..3) × vulnerability (脆弱性 1..3)
//   score              = likelihood × importance (重要度 1..3, from the asset's
//                        effective classification; unclassified counts as 3)
//   level              = high from high_from, medium from medium_from, else low
//
// The vulnerability is pre-set from the latest campaign with evaluated forms:
// a check item whose clause is the threat's clause or lies under it ("6.2"
// covers "6.2(1)②"), answered いいえ on the form of the asset's section or
// the organization's form, raises it to vulnerability_on_no; 一部 to
// vulnerability_on_partial; otherwise vulnerability_default. A threat that
// cites no clause keeps the default. A threat or vulnerability edited with a
// reason is kept by later computations.
//
// Treatment: 低減 (reduce) / 回避 (avoid) / 移転 (transfer) / 受容 (accept),
// with the residual level and the next review date. 受容 is proposed by
// whoever treats and approved by a role of the profile's accepted_by (the
// CISO), never the asset's manager (the risk's owner; 兼務の禁止 1(3)), only
// for a level in acceptable_levels, until a date at most
// acceptance_max_days ahead; an approved acceptance past that date is
// expired. An acceptance may cite a finding in risk_accepted. A 受容 is for
// the level it was made at: an edit or a computation that changes the level
// withdraws it (the treatment is cleared; the risk must be treated again).
//
// Who: computing, editing and treating — the 統括 (or a delegate), the CISO,
// or the manager of the asset's section (for compute: of the sections given).
// Wrong person (or one suspended), bad input: kInvalidArgument naming the
// field, nothing stored; wrong state: kConflict. Every change is one
// Ledger::Change with one audit event: "risk.compute" (the counts and the
// campaign used; the rows are recomputable from the stored inputs),
// "risk.edit", "risk.treat", "risk.accept" (the assessment's full state).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"
#include "policy/model.h"

namespace mamori::assess {

// low, medium, high
const std::vector<std::string>& RiskLevels();
// reduce, avoid, transfer, accept
const std::vector<std::string>& RiskTreatments();
std::string_view RiskLevelJa(std::string_view level);
std::string_view RiskTreatmentJa(std::string_view treatment);

// The scales, pure: likelihood, score and level of one assessment.
struct RiskScore {
  int likelihood = 0;
  int score = 0;
  std::string level;
};
RiskScore ScoreRisk(const policy::RiskSettings& settings, int threat, int vulnerability,
                    int importance);
// 1..3 from an asset's classification ({"axis": "level"}; empty: 3).
int ImportanceOf(const policy::RiskSettings& settings,
                 const std::vector<std::pair<std::string, std::string>>& classification);
// True when check clause `clause` is `threat_clause` or lies under it.
bool ClauseUnder(std::string_view clause, std::string_view threat_clause);

struct Risk {
  std::int64_t id = 0;
  std::string asset;  // asset code
  std::string asset_name;
  std::string section;  // the asset's owner section
  std::string owner;    // the asset's manager (person code)
  std::string threat_id;
  int threat = 0;
  std::string threat_basis;  // default | edited
  std::string threat_reason;
  int vulnerability = 0;
  std::string vulnerability_basis;  // default | self_inspection | edited
  std::string vulnerability_reason;
  std::string edited_by;
  int importance = 0;
  int likelihood = 0;
  int score = 0;
  std::string level;
  std::string treatment;  // "" none yet
  std::string treatment_plan;
  std::string residual_level;
  std::string treated_by;
  std::string treated_at;
  std::string acceptance_status;  // "" | proposed | approved
  std::string accepted_by;
  std::string accepted_at;
  std::string accepted_until;
  std::string acceptance_comment;
  std::int64_t finding_id = 0;
  std::string next_review_on;
  std::string computed_at;
  std::string updated_at;
  bool expired = false;  // an approved acceptance past accepted_until (JST); not audited
};

struct ComputeOptions {
  std::vector<std::string> sections{};  // "" none: every section (統括 or CISO only)
};
struct ComputeReport {
  int assets = 0;
  int threats = 0;
  int added = 0;
  int changed = 0;
  int unchanged = 0;
  int removed = 0;  // rows of retired assets or threats no longer in the profile
  std::int64_t campaign_id = 0;  // the campaign whose answers set vulnerabilities (0: none)
  int fiscal_year = 0;
};
// (Re)computes the register over the active assets × the profile's threats.
Result<ComputeReport> ComputeRisks(ledger::Ledger& ledger, const std::string& actor,
                                   const ComputeOptions& options);

struct RiskEdit {
  int threat = 0;         // 1..3; 0 leaves it
  int vulnerability = 0;  // 1..3; 0 leaves it
  std::string reason{};     // required
};
Result<Risk> EditRisk(ledger::Ledger& ledger, const std::string& actor, std::int64_t id,
                      const RiskEdit& edit);

struct RiskTreatment {
  std::string treatment{};       // RiskTreatments()
  std::string plan{};            // required but for accept
  std::string residual_level{};  // RiskLevels(); accept: the level itself when empty
  std::string next_review_on{};  // YYYY-MM-DD; empty: today + review_days
};
// Sets the treatment; accept is then proposed, awaiting AcceptRisk.
Result<Risk> TreatRisk(ledger::Ledger& ledger, const std::string& actor, std::int64_t id,
                       const RiskTreatment& treatment);

struct RiskAcceptance {
  std::string until{};       // YYYY-MM-DD, after today, at most acceptance_max_days ahead
  std::string comment{};     // required
  std::int64_t finding_id = 0;  // a finding in risk_accepted; optional
};
Result<Risk> AcceptRisk(ledger::Ledger& ledger, const std::string& actor, std::int64_t id,
                        const RiskAcceptance& acceptance);

Result<Risk> GetRisk(ledger::Ledger& ledger, std::int64_t id);
struct RiskFilter {
  std::string section{};  // "" any
  std::string level{};    // "" any
  std::string asset{};    // "" any
  bool expired_only = false;
};
Result<std::vector<Risk>> ListRisks(ledger::Ledger& ledger, const RiskFilter& filter);

nlohmann::json ToJson(const Risk& risk);
nlohmann::json ToJson(const ComputeReport& report);

}  // namespace mamori::assess
