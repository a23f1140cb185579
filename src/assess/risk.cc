#include "assess/risk.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "assess/findings.h"
#include "assess/internal.h"
#include "common/clock.h"
#include "ledger/org.h"
#include "ledger/validate.h"

namespace mamori::assess {
namespace {

using Json = nlohmann::json;
using ledger::Ledger;
using policy::Role;

constexpr std::string_view kRiskClause = "9(2)";
constexpr std::string_view kSeparationClause = "1(3)";
constexpr int kInsertBatch = 100;  // rows per INSERT of a computation (1 200 parameters)

std::string IdText(std::int64_t id) { return std::to_string(id); }

std::string AddDays(const std::string& date, int days) {
  const auto parsed = ParseDate(date, "date");
  if (!parsed.Ok()) return date;
  return FormatDate(std::chrono::year_month_day(std::chrono::sys_days(*parsed) +
                                                std::chrono::days(days)));
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

constexpr std::string_view kSelect =
    "SELECT r.id, a.code, a.name, a.owner_section, a.manager, r.threat_id, r.threat, "
    "r.threat_basis, r.threat_reason, r.vulnerability, r.vulnerability_basis, "
    "r.vulnerability_reason, e.code, r.importance, r.likelihood, r.score, r.level, r.treatment, "
    "r.treatment_plan, r.residual_level, t.code, r.treated_at, r.acceptance_status, p.code, "
    "r.accepted_at, r.accepted_until, r.acceptance_comment, r.finding_id, r.next_review_on, "
    "r.computed_at, r.updated_at FROM risk_assessments r JOIN assets a ON a.id = r.asset_id "
    "LEFT JOIN people e ON e.id = r.edited_by LEFT JOIN people t ON t.id = r.treated_by "
    "LEFT JOIN people p ON p.id = r.accepted_by";

Risk FromRow(const storage::Row& row, const std::string& today) {
  Risk risk;
  risk.id = row.Int(0);
  risk.asset = row.Text(1);
  risk.asset_name = row.Text(2);
  risk.section = row.Text(3);
  risk.owner = row.Text(4);
  risk.threat_id = row.Text(5);
  risk.threat = static_cast<int>(row.Int(6));
  risk.threat_basis = row.Text(7);
  risk.threat_reason = row.Text(8);
  risk.vulnerability = static_cast<int>(row.Int(9));
  risk.vulnerability_basis = row.Text(10);
  risk.vulnerability_reason = row.Text(11);
  risk.edited_by = row.Text(12);
  risk.importance = static_cast<int>(row.Int(13));
  risk.likelihood = static_cast<int>(row.Int(14));
  risk.score = static_cast<int>(row.Int(15));
  risk.level = row.Text(16);
  risk.treatment = row.Text(17);
  risk.treatment_plan = row.Text(18);
  risk.residual_level = row.Text(19);
  risk.treated_by = row.Text(20);
  risk.treated_at = row.Text(21);
  risk.acceptance_status = row.Text(22);
  risk.accepted_by = row.Text(23);
  risk.accepted_at = row.Text(24);
  risk.accepted_until = row.Text(25);
  risk.acceptance_comment = row.Text(26);
  risk.finding_id = row.Int(27);
  risk.next_review_on = row.Text(28);
  risk.computed_at = row.Text(29);
  risk.updated_at = row.Text(30);
  risk.expired = risk.acceptance_status == "approved" && risk.accepted_until < today;
  return risk;
}

Result<Risk> Load(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(std::string(kSelect) + " WHERE r.id = ?", {id}));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound, "リスク評価 " + IdText(id) + " はありません",
                 "no risk assessment " + IdText(id), {"", 0, "risk"});
  }
  return FromRow(rows.front(), ledger::TodayJst(ledger));
}

Status RecordRisk(Ledger& ledger, const std::string& actor, const std::string& action,
                  std::int64_t id, Risk& out) {
  MAMORI_TRY(out, Load(ledger, id));
  Json state = ToJson(out);
  state.erase("expired");  // depends on the day it is read
  return ledger.Record({actor, action, "risk", IdText(id), state.dump()});
}

std::vector<Role> Organizers(const policy::Profile& profile) {
  return internal::WithDelegates(profile, {Role::kCiso, Role::kChiefOfficer});
}

// The 統括 (or a delegate), the CISO, or the manager of `section`.
Status MayManage(Ledger& ledger, const ledger::Person& person, const ledger::Section* section,
                 const std::string& doing_ja, const std::string& doing_en) {
  const auto roles = Organizers(ledger.Profile());
  MAMORI_TRY(auto held, internal::HeldRole(ledger, person, roles, nullptr));
  if (!held && section != nullptr) {
    MAMORI_TRY(held, internal::HeldRole(ledger, person, {Role::kManager}, section));
  }
  if (held) return OkStatus();
  auto all = roles;
  all.push_back(Role::kManager);
  return internal::NotAllowed(ledger.Profile(), "actor", all, doing_ja, doing_en,
                              std::string(kRiskClause));
}

Result<Risk> LoadForChange(Ledger& ledger, const std::string& actor, std::int64_t id,
                           const std::string& doing_ja, const std::string& doing_en) {
  MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
  MAMORI_TRY(auto risk, Load(ledger, id));
  MAMORI_TRY(const auto section, ledger::FindSection(ledger, risk.section));
  MAMORI_TRY_STATUS(MayManage(ledger, person, &section, doing_ja, doing_en));
  return risk;
}

// A 受容 (proposed or approved) was for the level it was made at: when the
// level changes, it is withdrawn and the risk must be treated again.
constexpr std::string_view kWithdrawAcceptance =
    "UPDATE risk_assessments SET treatment = NULL, treatment_plan = '', residual_level = NULL, "
    "acceptance_status = NULL, accepted_by = NULL, accepted_at = NULL, accepted_until = NULL, "
    "acceptance_comment = '', finding_id = NULL WHERE id = ? AND treatment = 'accept'";

struct Answer {
  std::string clause;
  bool no = false;  // いいえ; otherwise 一部
};

struct Existing {
  std::int64_t id = 0;
  int threat = 0;
  bool threat_edited = false;
  int vulnerability = 0;
  std::string vulnerability_basis;
  int importance = 0;
  int score = 0;
  std::string level;
  bool seen = false;
};

}  // namespace

const std::vector<std::string>& RiskLevels() {
  static const std::vector<std::string> kLevels = {"low", "medium", "high"};
  return kLevels;
}

const std::vector<std::string>& RiskTreatments() {
  static const std::vector<std::string> kTreatments = {"reduce", "avoid", "transfer", "accept"};
  return kTreatments;
}

std::string_view RiskLevelJa(std::string_view level) {
  if (level == "high") return "高";
  if (level == "medium") return "中";
  if (level == "low") return "低";
  return "";
}

std::string_view RiskTreatmentJa(std::string_view treatment) {
  if (treatment == "reduce") return "低減";
  if (treatment == "avoid") return "回避";
  if (treatment == "transfer") return "移転";
  if (treatment == "accept") return "受容";
  return "";
}

RiskScore ScoreRisk(const policy::RiskSettings& settings, int threat, int vulnerability,
                    int importance) {
  RiskScore result;
  result.likelihood = threat * vulnerability;
  result.score = result.likelihood * importance;
  if (result.score >= settings.high_from) {
    result.level = "high";
  } else if (result.score >= settings.medium_from) {
    result.level = "medium";
  } else {
    result.level = "low";
  }
  return result;
}

int ImportanceOf(const policy::RiskSettings& settings,
                 const std::vector<std::pair<std::string, std::string>>& classification) {
  if (classification.empty()) return 3;
  int importance = 1;
  for (const auto& [axis, level] : classification) {
    const std::string key = axis + ":" + level;
    if (Contains(settings.importance_high, key)) return 3;
    if (Contains(settings.importance_medium, key)) importance = 2;
  }
  return importance;
}

bool ClauseUnder(std::string_view clause, std::string_view threat_clause) {
  if (threat_clause.empty() || !clause.starts_with(threat_clause)) return false;
  if (clause.size() == threat_clause.size()) return true;
  // "6.2" covers "6.2(1)" and "6.2.3" but not "6.21".
  const char next = clause[threat_clause.size()];
  return next < '0' || next > '9';
}

Result<ComputeReport> ComputeRisks(Ledger& ledger, const std::string& actor,
                                   const ComputeOptions& options) {
  ledger::Checks checks;
  checks.Add(ledger::CheckCode(actor, "actor"));
  for (const std::string& section : options.sections) {
    checks.Add(ledger::CheckCode(section, "sections"));
  }
  MAMORI_TRY_STATUS(checks.Done());
  const policy::Profile& profile = ledger.Profile();
  const policy::RiskSettings& settings = profile.risk;
  ComputeReport report;
  const Status changed = ledger.Change([&]() -> Status {
    report = ComputeReport{};
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    std::vector<std::int64_t> section_ids;
    if (options.sections.empty()) {
      const auto roles = Organizers(profile);
      MAMORI_TRY(const auto held, internal::HeldRole(ledger, person, roles, nullptr));
      if (!held) {
        return internal::NotAllowed(profile, "actor", roles, "全課室等のリスク分析",
                                    "computing the risks of every section",
                                    std::string(kRiskClause));
      }
    }
    for (const std::string& code : options.sections) {
      MAMORI_TRY(const auto section, ledger::FindSection(ledger, code));
      MAMORI_TRY_STATUS(MayManage(ledger, person, &section, "課室等「" + code + "」のリスク分析",
                                  "computing the risks of section \"" + code + "\""));
      section_ids.push_back(section.id);
    }
    std::string scope;
    storage::Params scope_params;
    if (!section_ids.empty()) {
      scope = " AND s.id IN (";
      for (std::size_t i = 0; i < section_ids.size(); ++i) {
        scope += i == 0 ? "?" : ", ?";
        scope_params.emplace_back(section_ids[i]);
      }
      scope += ")";
    }

    // The latest campaign with evaluated forms, and its いいえ / 一部 answers
    // by section (0: the organization's form).
    MAMORI_TRY(const auto campaigns,
               ledger.Db().Query("SELECT c.id, c.fiscal_year FROM assess_campaigns c WHERE "
                                 "EXISTS (SELECT 1 FROM assess_forms f WHERE f.campaign_id = "
                                 "c.id AND f.status = 'evaluated') ORDER BY c.fiscal_year DESC "
                                 "LIMIT 1"));
    std::unordered_map<std::int64_t, std::vector<Answer>> answers;
    if (!campaigns.empty()) {
      report.campaign_id = campaigns.front().Int(0);
      report.fiscal_year = static_cast<int>(campaigns.front().Int(1));
      MAMORI_TRY(const auto rows,
                 ledger.Db().Query("SELECT f.section_id, i.clause, i.answer FROM assess_items i "
                                   "JOIN assess_forms f ON f.id = i.form_id WHERE f.campaign_id "
                                   "= ? AND f.status = 'evaluated' AND i.answer IN ('no', "
                                   "'partial')",
                                   {report.campaign_id}));
      for (const auto& row : rows) {
        answers[row.IsNull(0) ? 0 : row.Int(0)].push_back({row.Text(1), row.Text(2) == "no"});
      }
    }
    const auto& threats = profile.threats;
    report.threats = static_cast<int>(threats.size());
    // Vulnerability per threat for a section, computed once per section.
    std::unordered_map<std::int64_t, std::vector<std::pair<int, bool>>> vulnerabilities;
    const auto vulnerability_of = [&](std::int64_t section_id) -> const auto& {
      auto [it, inserted] = vulnerabilities.try_emplace(section_id);
      if (!inserted) return it->second;
      auto& out = it->second;
      out.reserve(threats.size());
      const auto* own = answers.contains(section_id) ? &answers[section_id] : nullptr;
      const auto* organization = answers.contains(0) ? &answers[0] : nullptr;
      for (const auto& threat : threats) {
        int value = settings.vulnerability_default;
        bool raised = false;
        for (const auto* list : {own, organization}) {
          if (list == nullptr || threat.clause.empty()) continue;
          for (const Answer& answer : *list) {
            if (!ClauseUnder(answer.clause, threat.clause)) continue;
            const int to = answer.no ? settings.vulnerability_on_no
                                     : settings.vulnerability_on_partial;
            if (to > value) value = to;
            raised = true;
          }
        }
        out.emplace_back(value, raised);
      }
      return out;
    };

    // What is stored now, in scope.
    MAMORI_TRY(const auto stored,
               ledger.Db().Query(
                   "SELECT r.id, r.asset_id, r.threat_id, r.threat, r.threat_basis, "
                   "r.vulnerability, r.vulnerability_basis, r.importance, r.score, r.level "
                   "FROM risk_assessments r JOIN assets a ON a.id = r.asset_id JOIN sections s "
                   "ON s.code = a.owner_section WHERE 1 = 1" + scope,
                   scope_params));
    std::unordered_map<std::string, Existing> existing;
    existing.reserve(stored.size());
    for (const auto& row : stored) {
      Existing item;
      item.id = row.Int(0);
      item.threat = static_cast<int>(row.Int(3));
      item.threat_edited = row.Text(4) == "edited";
      item.vulnerability = static_cast<int>(row.Int(5));
      item.vulnerability_basis = row.Text(6);
      item.importance = static_cast<int>(row.Int(7));
      item.score = static_cast<int>(row.Int(8));
      item.level = row.Text(9);
      existing.emplace(IdText(row.Int(1)) + '\n' + row.Text(2), std::move(item));
    }

    MAMORI_TRY(const auto assets,
               ledger.Db().Query("SELECT a.id, s.id, a.effective_classification, "
                                 "a.classification FROM assets a JOIN sections s ON s.code = "
                                 "a.owner_section WHERE a.retired_date IS NULL" + scope +
                                     " ORDER BY a.id",
                                 scope_params));
    report.assets = static_cast<int>(assets.size());
    const std::string now = internal::NowUtc(ledger);
    const std::string review_on = AddDays(ledger::TodayJst(ledger), settings.review_days);
    // New rows go in kInsertBatch at a time, one statement each (the same
    // text every time, so prepared once): row by row, the statement calls
    // were most of a first computation's time.
    storage::Params pending;
    int pending_rows = 0;
    const auto flush = [&]() -> Status {
      if (pending_rows == 0) return OkStatus();
      std::string sql =
          "INSERT INTO risk_assessments (asset_id, threat_id, threat, vulnerability, "
          "vulnerability_basis, importance, likelihood, score, level, next_review_on, "
          "computed_at, updated_at, threat_basis) VALUES ";
      for (int row = 0; row < pending_rows; ++row) {
        sql += row == 0 ? "" : ", ";
        sql += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'default')";
      }
      const Status inserted = ledger.Db().Execute(sql, pending);
      pending.clear();
      pending_rows = 0;
      return inserted;
    };
    std::vector<std::pair<std::string, std::string>> classification;
    for (const auto& asset : assets) {
      const std::int64_t asset_id = asset.Int(0);
      classification.clear();
      const std::string text = asset.IsNull(2) ? asset.Text(3) : asset.Text(2);
      if (!text.empty()) {
        const Json object = Json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (object.is_object()) {
          for (const auto& [axis, level] : object.items()) {
            if (level.is_string()) classification.emplace_back(axis, level.get<std::string>());
          }
        }
      }
      const int importance = ImportanceOf(settings, classification);
      const auto& section_vulnerability = vulnerability_of(asset.Int(1));
      const std::string prefix = IdText(asset_id) + '\n';
      for (std::size_t t = 0; t < threats.size(); ++t) {
        const auto& threat = threats[t];
        auto found = existing.find(prefix + threat.id);
        Existing* before = found == existing.end() ? nullptr : &found->second;
        if (before != nullptr) before->seen = true;
        const int threat_level = before != nullptr && before->threat_edited
                                     ? before->threat
                                     : settings.threat_default;
        int vulnerability = section_vulnerability[t].first;
        std::string basis = section_vulnerability[t].second ? "self_inspection" : "default";
        if (before != nullptr && before->vulnerability_basis == "edited") {
          vulnerability = before->vulnerability;
          basis = "edited";
        }
        const RiskScore scored = ScoreRisk(settings, threat_level, vulnerability, importance);
        if (before == nullptr) {
          for (storage::Value value :
               {storage::Value(asset_id), storage::Value(threat.id),
                storage::Value(std::int64_t{threat_level}), storage::Value(std::int64_t{vulnerability}),
                storage::Value(basis), storage::Value(std::int64_t{importance}),
                storage::Value(std::int64_t{scored.likelihood}),
                storage::Value(std::int64_t{scored.score}), storage::Value(scored.level),
                storage::Value(review_on), storage::Value(now), storage::Value(now)}) {
            pending.push_back(std::move(value));
          }
          if (++pending_rows == kInsertBatch) MAMORI_TRY_STATUS(flush());
          ++report.added;
        } else if (before->threat != threat_level || before->vulnerability != vulnerability ||
                   before->vulnerability_basis != basis || before->importance != importance ||
                   before->score != scored.score || before->level != scored.level) {
          MAMORI_TRY_STATUS(ledger.Db().Execute(
              "UPDATE risk_assessments SET threat = ?, vulnerability = ?, vulnerability_basis = "
              "?, importance = ?, likelihood = ?, score = ?, level = ?, computed_at = ?, "
              "updated_at = ? WHERE id = ?",
              {std::int64_t{threat_level}, std::int64_t{vulnerability}, basis,
               std::int64_t{importance}, std::int64_t{scored.likelihood},
               std::int64_t{scored.score}, scored.level, now, now, before->id}));
          if (before->level != scored.level) {
            MAMORI_TRY_STATUS(ledger.Db().Execute(kWithdrawAcceptance, {before->id}));
          }
          ++report.changed;
        } else {
          ++report.unchanged;
        }
      }
    }
    MAMORI_TRY_STATUS(flush());
    // Rows of retired assets, or of threats the profile no longer names.
    for (const auto& [key, item] : existing) {
      if (item.seen) continue;
      MAMORI_TRY_STATUS(
          ledger.Db().Execute("DELETE FROM risk_assessments WHERE id = ?", {item.id}));
      ++report.removed;
    }
    Json state = ToJson(report);
    state["sections"] = options.sections;
    return ledger.Record({actor, "risk.compute", "risk",
                          options.sections.empty() ? "*" : "sections", state.dump()});
  });
  if (!changed.Ok()) return changed.Err();
  return report;
}

Result<Risk> EditRisk(Ledger& ledger, const std::string& actor, std::int64_t id,
                      const RiskEdit& edit) {
  ledger::Checks checks;
  checks.Add(ledger::CheckCode(actor, "actor"));
  const auto scale = [&](int value, std::string_view field) {
    if (value < 0 || value > 3) {
      checks.Add(ledger::FieldError(field, std::string(field) + " は 1〜3 で指定してください（" +
                                               std::to_string(value) + "）",
                                    std::string(field) + " must be 1..3 (is " +
                                        std::to_string(value) + ")"));
    }
  };
  scale(edit.threat, "threat");
  scale(edit.vulnerability, "vulnerability");
  if (edit.threat == 0 && edit.vulnerability == 0) {
    checks.Add(ledger::FieldError("threat", "脅威又は脆弱性を指定してください",
                                  "give a threat or a vulnerability"));
  }
  checks.Add(ledger::CheckText(edit.reason, "reason", ledger::kMaxText, false, true));
  MAMORI_TRY_STATUS(checks.Done());
  Risk result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    MAMORI_TRY(const auto risk,
               LoadForChange(ledger, actor, id, "リスク評価の修正", "editing a risk assessment"));
    const int threat = edit.threat != 0 ? edit.threat : risk.threat;
    const int vulnerability = edit.vulnerability != 0 ? edit.vulnerability : risk.vulnerability;
    const RiskScore scored =
        ScoreRisk(ledger.Profile().risk, threat, vulnerability, risk.importance);
    const std::string now = internal::NowUtc(ledger);
    storage::Value threat_basis = edit.threat != 0 ? std::string("edited") : risk.threat_basis;
    storage::Value threat_reason = edit.threat != 0 ? edit.reason : risk.threat_reason;
    storage::Value vulnerability_basis =
        edit.vulnerability != 0 ? std::string("edited") : risk.vulnerability_basis;
    storage::Value vulnerability_reason =
        edit.vulnerability != 0 ? edit.reason : risk.vulnerability_reason;
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE risk_assessments SET threat = ?, threat_basis = ?, threat_reason = ?, "
        "vulnerability = ?, vulnerability_basis = ?, vulnerability_reason = ?, edited_by = ?, "
        "likelihood = ?, score = ?, level = ?, updated_at = ? WHERE id = ?",
        {std::int64_t{threat}, threat_basis, threat_reason, std::int64_t{vulnerability},
         vulnerability_basis, vulnerability_reason, person.id, std::int64_t{scored.likelihood},
         std::int64_t{scored.score}, scored.level, now, id}));
    if (scored.level != risk.level) {
      MAMORI_TRY_STATUS(ledger.Db().Execute(kWithdrawAcceptance, {id}));
    }
    return RecordRisk(ledger, actor, "risk.edit", id, result);
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Risk> TreatRisk(Ledger& ledger, const std::string& actor, std::int64_t id,
                       const RiskTreatment& treatment) {
  const bool accept = treatment.treatment == "accept";
  ledger::Checks checks;
  checks.Add(ledger::CheckCode(actor, "actor"))
      .Add(ledger::CheckOneOf(treatment.treatment, "treatment", RiskTreatments()))
      .Add(ledger::CheckText(treatment.plan, "plan", ledger::kMaxText, accept, true))
      .Add(treatment.residual_level.empty() && accept
               ? OkStatus()
               : ledger::CheckOneOf(treatment.residual_level, "residual_level", RiskLevels()))
      .Add(ledger::CheckDate(treatment.next_review_on, "next_review_on", true));
  MAMORI_TRY_STATUS(checks.Done());
  Risk result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    MAMORI_TRY(const auto risk,
               LoadForChange(ledger, actor, id, "リスク対応の決定", "treating a risk"));
    const policy::RiskSettings& settings = ledger.Profile().risk;
    const std::string today = ledger::TodayJst(ledger);
    ledger::Checks refs;
    std::string residual = treatment.residual_level;
    if (accept) {
      if (!Contains(settings.acceptable_levels, risk.level)) {
        refs.Add(ledger::FieldError(
            "treatment",
            "リスク水準「" + std::string(RiskLevelJa(risk.level)) +
                "」は受容できません（プロファイルの受容できる水準に含まれない）",
            "a " + risk.level + " risk cannot be accepted (not in the profile's acceptable_levels)"));
      }
      if (!residual.empty() && residual != risk.level) {
        refs.Add(ledger::FieldError("residual_level",
                                    "受容では残留リスクはリスク水準と同じです",
                                    "an accepted risk's residual level is its level"));
      }
      residual = risk.level;
    }
    if (!treatment.next_review_on.empty() && treatment.next_review_on <= today) {
      refs.Add(ledger::FieldError("next_review_on", "次回見直し日は明日以降にしてください",
                                  "the next review date must be after today"));
    }
    MAMORI_TRY_STATUS(refs.Done());
    const std::string review_on = treatment.next_review_on.empty()
                                      ? AddDays(today, settings.review_days)
                                      : treatment.next_review_on;
    const std::string now = internal::NowUtc(ledger);
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE risk_assessments SET treatment = ?, treatment_plan = ?, residual_level = ?, "
        "treated_by = ?, treated_at = ?, acceptance_status = ?, accepted_by = NULL, "
        "accepted_at = NULL, accepted_until = NULL, acceptance_comment = '', finding_id = NULL, "
        "next_review_on = ?, updated_at = ? WHERE id = ?",
        {treatment.treatment, treatment.plan, residual, person.id, now,
         accept ? storage::Value(std::string("proposed")) : storage::Null(), review_on, now,
         id}));
    return RecordRisk(ledger, actor, "risk.treat", id, result);
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Risk> AcceptRisk(Ledger& ledger, const std::string& actor, std::int64_t id,
                        const RiskAcceptance& acceptance) {
  MAMORI_TRY_STATUS(ledger::Checks()
                        .Add(ledger::CheckCode(actor, "actor"))
                        .Add(ledger::CheckDate(acceptance.until, "until"))
                        .Add(ledger::CheckText(acceptance.comment, "comment", ledger::kMaxText,
                                               false, true))
                        .Done());
  Risk result;
  const Status changed = ledger.Change([&]() -> Status {
    const policy::Profile& profile = ledger.Profile();
    const policy::RiskSettings& settings = profile.risk;
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    MAMORI_TRY(const auto risk, Load(ledger, id));
    MAMORI_TRY(const auto held, internal::HeldRole(ledger, person, settings.accepted_by, nullptr));
    if (!held) {
      return internal::NotAllowed(profile, "actor", settings.accepted_by, "リスク受容の承認",
                                  "approving a risk acceptance", std::string(kRiskClause));
    }
    if (person.code == risk.owner) {
      return ledger::FieldError(
          "actor",
          "資産の管理者（リスクの所有者）は自らのリスク受容を承認できません（" +
              std::string(kSeparationClause) + " 兼務の禁止）",
          "the asset's manager (the risk's owner) cannot approve its acceptance (" +
              std::string(kSeparationClause) + ")");
    }
    if (risk.treatment != "accept" || risk.acceptance_status != "proposed") {
      return Error(ErrorCode::kConflict,
                   "リスク評価 " + IdText(id) + " は受容の承認待ちではありません",
                   "risk assessment " + IdText(id) + " is not awaiting approval of acceptance",
                   {"", 0, "status"});
    }
    const std::string today = ledger::TodayJst(ledger);
    const std::string latest = AddDays(today, settings.acceptance_max_days);
    ledger::Checks refs;
    if (acceptance.until <= today || acceptance.until > latest) {
      refs.Add(ledger::FieldError(
          "until", "受容の期限は明日から " + latest + " までの日にしてください（最長 " +
                       std::to_string(settings.acceptance_max_days) + " 日）",
          "the acceptance must end after today and by " + latest + " (at most " +
              std::to_string(settings.acceptance_max_days) + " days)"));
    }
    if (!Contains(settings.acceptable_levels, risk.level)) {
      refs.Add(ledger::FieldError(
          "risk", "リスク水準「" + std::string(RiskLevelJa(risk.level)) + "」は受容できません",
          "a " + risk.level + " risk cannot be accepted"));
    }
    if (acceptance.finding_id != 0) {
      auto finding = GetFinding(ledger, acceptance.finding_id);
      if (!finding.Ok()) {
        refs.Add(ledger::FieldError("finding_id",
                                    "検出事項 " + IdText(acceptance.finding_id) + " はありません",
                                    "no finding " + IdText(acceptance.finding_id)));
      } else if (finding->status != FindingStatus::kRiskAccepted) {
        refs.Add(ledger::FieldError(
            "finding_id",
            "検出事項 " + IdText(acceptance.finding_id) + " は「リスク受容」ではありません",
            "finding " + IdText(acceptance.finding_id) + " is not risk_accepted"));
      }
    }
    MAMORI_TRY_STATUS(refs.Done());
    const std::string now = internal::NowUtc(ledger);
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE risk_assessments SET acceptance_status = 'approved', accepted_by = ?, "
        "accepted_at = ?, accepted_until = ?, acceptance_comment = ?, finding_id = ?, "
        "updated_at = ? WHERE id = ?",
        {person.id, now, acceptance.until, acceptance.comment,
         acceptance.finding_id != 0 ? storage::Value(acceptance.finding_id) : storage::Null(), now,
         id}));
    return RecordRisk(ledger, actor, "risk.accept", id, result);
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Risk> GetRisk(Ledger& ledger, std::int64_t id) { return Load(ledger, id); }

Result<std::vector<Risk>> ListRisks(Ledger& ledger, const RiskFilter& filter) {
  ledger::Checks checks;
  if (!filter.level.empty()) checks.Add(ledger::CheckOneOf(filter.level, "level", RiskLevels()));
  if (!filter.section.empty()) checks.Add(ledger::CheckCode(filter.section, "section"));
  if (!filter.asset.empty()) checks.Add(ledger::CheckCode(filter.asset, "asset"));
  MAMORI_TRY_STATUS(checks.Done());
  const std::string today = ledger::TodayJst(ledger);
  std::string sql = std::string(kSelect) + " WHERE 1 = 1";
  storage::Params params;
  if (!filter.section.empty()) {
    sql += " AND a.owner_section = ?";
    params.emplace_back(filter.section);
  }
  if (!filter.level.empty()) {
    sql += " AND r.level = ?";
    params.emplace_back(filter.level);
  }
  if (!filter.asset.empty()) {
    sql += " AND a.code = ?";
    params.emplace_back(filter.asset);
  }
  if (filter.expired_only) {
    sql += " AND r.acceptance_status = 'approved' AND r.accepted_until < ?";
    params.emplace_back(today);
  }
  sql += " ORDER BY r.score DESC, a.code, r.threat_id";
  MAMORI_TRY(const auto rows, ledger.Db().Query(sql, params));
  std::vector<Risk> risks;
  risks.reserve(rows.size());
  for (const auto& row : rows) risks.push_back(FromRow(row, today));
  return risks;
}

Json ToJson(const Risk& risk) {
  return Json{{"id", risk.id},
              {"asset", risk.asset},
              {"asset_name", risk.asset_name},
              {"section", risk.section},
              {"owner", risk.owner},
              {"threat_id", risk.threat_id},
              {"threat", risk.threat},
              {"threat_basis", risk.threat_basis},
              {"threat_reason", risk.threat_reason},
              {"vulnerability", risk.vulnerability},
              {"vulnerability_basis", risk.vulnerability_basis},
              {"vulnerability_reason", risk.vulnerability_reason},
              {"edited_by", risk.edited_by},
              {"importance", risk.importance},
              {"likelihood", risk.likelihood},
              {"score", risk.score},
              {"level", risk.level},
              {"treatment", risk.treatment},
              {"treatment_plan", risk.treatment_plan},
              {"residual_level", risk.residual_level},
              {"treated_by", risk.treated_by},
              {"treated_at", risk.treated_at},
              {"acceptance_status", risk.acceptance_status},
              {"accepted_by", risk.accepted_by},
              {"accepted_at", risk.accepted_at},
              {"accepted_until", risk.accepted_until},
              {"acceptance_comment", risk.acceptance_comment},
              {"finding_id", risk.finding_id},
              {"next_review_on", risk.next_review_on},
              {"computed_at", risk.computed_at},
              {"updated_at", risk.updated_at},
              {"expired", risk.expired}};
}

Json ToJson(const ComputeReport& report) {
  return Json{{"assets", report.assets},       {"threats", report.threats},
              {"added", report.added},         {"changed", report.changed},
              {"unchanged", report.unchanged}, {"removed", report.removed},
              {"campaign_id", report.campaign_id}, {"fiscal_year", report.fiscal_year}};
}

}  // namespace mamori::assess
