#include "assess/risk.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "assess/findings.h"
#include "ledger/org.h"
#include "ledger/registers/registers.h"
#include "ledger/test_support.h"
#include "ledger/workflow/requests.h"

namespace mamori::assess {
namespace {

using ledger::Ledger;
using ledger::testing::Fields;
using Json = nlohmann::json;

constexpr const char* kProfile = MAMORI_SOURCE_DIR "/tests/data/policies/risk.toml";

class RiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ledger_ = std::make_unique<ledger::testing::TempLedger>(std::string("risk_") + info->name(),
                                                            kProfile);
    ledger::testing::SeedOrganization(**ledger_);
  }
  Ledger& L() { return **ledger_; }
  std::int64_t LastSeq() { return *L().Audit().LastSeq(); }

  void AddAsset(const std::string& code, const std::string& section, const std::string& manager,
                const std::string& importance) {
    auto asset = ledger::registers::Add(L(), "c1", "asset",
                                        {{"code", code},
                                         {"name", "資産 " + code},
                                         {"kind", "data"},
                                         {"importance", importance},
                                         {"owner_section", section},
                                         {"manager", manager}});
    ASSERT_TRUE(asset.Ok()) << asset.Err().ToString();
  }

  ComputeReport Compute(const std::string& actor = "c1") {
    auto report = ComputeRisks(L(), actor, {});
    EXPECT_TRUE(report.Ok()) << report.Err().ToString();
    return report.Ok() ? *report : ComputeReport{};
  }

  Risk Find(const std::string& asset, const std::string& threat) {
    auto risks = ListRisks(L(), {.asset = asset});
    EXPECT_TRUE(risks.Ok()) << risks.Err().ToString();
    if (risks.Ok()) {
      for (const auto& risk : *risks) {
        if (risk.threat_id == threat) return risk;
      }
    }
    ADD_FAILURE() << "no risk " << asset << " × " << threat;
    return {};
  }

  // An evaluated self-inspection form of `section` ("" the organization's)
  // answering check `check_id` (clause `clause`) with `answer`.
  void Answered(const std::string& section, const std::string& check_id,
                const std::string& clause, const std::string& answer) {
    auto& db = L().Db();
    auto campaign = db.QueryInt(
        "INSERT INTO assess_campaigns (fiscal_year, title, opens_on, due_on, clause, profile_id, "
        "profile_digest, created_by, created_at) VALUES (2026, '自己点検', '2026-10-01', "
        "'2026-10-31', '9(3)', 'risk_test', 'x', (SELECT id FROM people WHERE code = 'c1'), "
        "'2026-10-01T00:00:00Z') ON CONFLICT (fiscal_year) DO UPDATE SET title = excluded.title "
        "RETURNING id");
    ASSERT_TRUE(campaign.Ok()) << campaign.Err().ToString();
    auto form = db.QueryInt(
        "INSERT INTO assess_forms (campaign_id, section_id, status) VALUES (?, (SELECT id FROM "
        "sections WHERE code = ?), 'evaluated') RETURNING id",
        {*campaign, section});
    ASSERT_TRUE(form.Ok()) << form.Err().ToString();
    ASSERT_TRUE(db.Execute("INSERT INTO assess_items (form_id, position, check_id, clause, "
                           "question, answered_by_role, priority, respondents, answer) VALUES "
                           "(?, 1, ?, ?, '…しているか', 'manager', 1, '[]', ?)",
                           {*form, check_id, clause, answer})
                    .Ok());
  }

  std::unique_ptr<ledger::testing::TempLedger> ledger_;
};

TEST(RiskScaleTest, ScoreAtTheCornersOfTheScales) {
  const policy::RiskSettings settings;  // 12 and above high, 4 and above medium
  struct Case {
    int threat, vulnerability, importance, likelihood, score;
    const char* level;
  };
  for (const Case& c : {Case{1, 1, 1, 1, 1, "low"}, Case{3, 3, 3, 9, 27, "high"},
                        Case{1, 3, 1, 3, 3, "low"}, Case{2, 2, 1, 4, 4, "medium"},
                        Case{3, 3, 1, 9, 9, "medium"}, Case{2, 2, 3, 4, 12, "high"},
                        Case{1, 1, 3, 1, 3, "low"}, Case{3, 1, 3, 3, 9, "medium"}}) {
    const RiskScore score = ScoreRisk(settings, c.threat, c.vulnerability, c.importance);
    EXPECT_EQ(score.likelihood, c.likelihood);
    EXPECT_EQ(score.score, c.score);
    EXPECT_EQ(score.level, c.level) << c.threat << "×" << c.vulnerability << "×" << c.importance;
  }
  policy::RiskSettings strict;
  strict.high_from = 4;
  strict.medium_from = 2;
  EXPECT_EQ(ScoreRisk(strict, 1, 1, 1).level, "low");
  EXPECT_EQ(ScoreRisk(strict, 2, 1, 1).level, "medium");
  EXPECT_EQ(ScoreRisk(strict, 2, 2, 1).level, "high");
}

TEST(RiskScaleTest, ImportanceFromTheClassificationAndClausesUnderAThreatsClause) {
  policy::RiskSettings settings;
  settings.importance_high = {"importance:A"};
  settings.importance_medium = {"importance:B"};
  EXPECT_EQ(ImportanceOf(settings, {}), 3);  // unclassified: the cautious side
  EXPECT_EQ(ImportanceOf(settings, {{"importance", "A"}}), 3);
  EXPECT_EQ(ImportanceOf(settings, {{"importance", "B"}}), 2);
  EXPECT_EQ(ImportanceOf(settings, {{"importance", "C"}}), 1);
  EXPECT_TRUE(ClauseUnder("2.2(9)②", "2.2(9)"));
  EXPECT_TRUE(ClauseUnder("2.2", "2.2"));
  EXPECT_TRUE(ClauseUnder("2.2(1)", "2.2"));
  EXPECT_FALSE(ClauseUnder("2.21", "2.2"));
  EXPECT_FALSE(ClauseUnder("2.2(9)", ""));
  EXPECT_FALSE(ClauseUnder("2.1(1)", "2.2"));
}

TEST_F(RiskTest, ComputesEveryAssetTimesEveryThreatAndRecordsOneEvent) {
  AddAsset("tax-db", "zeimu", "m1", "A");
  AddAsset("care-memo", "kaigo", "m2", "C");
  const auto report = Compute();
  EXPECT_EQ(report.assets, 2);
  EXPECT_EQ(report.threats, 2);
  EXPECT_EQ(report.added, 4);
  EXPECT_EQ(report.campaign_id, 0);
  const auto tax = Find("tax-db", "earthquake");
  EXPECT_EQ(tax.threat, 2);
  EXPECT_EQ(tax.vulnerability, 1);
  EXPECT_EQ(tax.importance, 3);
  EXPECT_EQ(tax.score, 6);
  EXPECT_EQ(tax.level, "medium");
  EXPECT_EQ(tax.owner, "m1");
  EXPECT_EQ(tax.next_review_on, "2027-12-01");  // review_days = 365
  const auto care = Find("care-memo", "earthquake");
  EXPECT_EQ(care.score, 2);
  EXPECT_EQ(care.level, "low");
  const auto event = L().Audit().Events("", "")->back();
  EXPECT_EQ(event.action, "risk.compute");
  EXPECT_EQ(Json::parse(event.state)["added"], 4);
  const auto again = Compute();
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(again.unchanged, 4);
}

TEST_F(RiskTest, NoOnACheckUnderTheThreatsClauseRaisesTheVulnerability) {
  AddAsset("tax-db", "zeimu", "m1", "B");
  AddAsset("care-memo", "kaigo", "m2", "B");
  Answered("zeimu", "assets.dispose_record", "2.2(9)②", "no");
  Answered("kaigo", "assets.dispose_record", "2.2(9)②", "partial");
  Answered("kaigo", "other.check", "6.1(1)", "no");  // under no threat's clause
  const auto report = Compute();
  EXPECT_EQ(report.fiscal_year, 2026);
  const auto raised = Find("tax-db", "disposal_leak");
  EXPECT_EQ(raised.vulnerability, 3);
  EXPECT_EQ(raised.vulnerability_basis, "self_inspection");
  EXPECT_EQ(raised.score, 2 * 3 * 2);
  EXPECT_EQ(raised.level, "high");
  const auto partial = Find("care-memo", "disposal_leak");
  EXPECT_EQ(partial.vulnerability, 2);
  EXPECT_EQ(Find("tax-db", "earthquake").vulnerability, 1);  // cites no clause
  EXPECT_EQ(Find("tax-db", "earthquake").vulnerability_basis, "default");
}

TEST_F(RiskTest, AManagerComputesOnlyTheirOwnSection) {
  AddAsset("tax-db", "zeimu", "m1", "A");
  AddAsset("care-memo", "kaigo", "m2", "C");
  const auto seq = LastSeq();
  auto everything = ComputeRisks(L(), "m1", {});
  ASSERT_FALSE(everything.Ok());
  EXPECT_EQ(Fields(everything.Err()), std::vector<std::string>{"actor"});
  auto other = ComputeRisks(L(), "m1", {.sections = {"kaigo"}});
  ASSERT_FALSE(other.Ok());
  EXPECT_NE(other.Err().ToString().find("kaigo"), std::string::npos) << other.Err().ToString();
  EXPECT_EQ(LastSeq(), seq);
  EXPECT_TRUE(ListRisks(L(), {})->empty());
  auto own = ComputeRisks(L(), "m1", {.sections = {"zeimu"}});
  ASSERT_TRUE(own.Ok()) << own.Err().ToString();
  EXPECT_EQ(own->added, 2);
  EXPECT_EQ(ListRisks(L(), {})->size(), 2u);
}

TEST_F(RiskTest, AnEditNeedsAReasonAndSurvivesTheNextComputation) {
  AddAsset("tax-db", "zeimu", "m1", "A");
  Compute();
  const auto risk = Find("tax-db", "earthquake");
  const auto seq = LastSeq();
  auto bad = EditRisk(L(), "m1", risk.id, {.threat = 4, .vulnerability = 0, .reason = ""});
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()), (std::vector<std::string>{"threat", "reason"}));
  auto stranger = EditRisk(L(), "m2", risk.id, {.vulnerability = 3, .reason = "耐震化前"});
  ASSERT_FALSE(stranger.Ok());
  EXPECT_EQ(Fields(stranger.Err()), std::vector<std::string>{"actor"});
  EXPECT_EQ(LastSeq(), seq);
  EXPECT_EQ(Find("tax-db", "earthquake").vulnerability, 1);
  auto edited = EditRisk(L(), "m1", risk.id, {.vulnerability = 3, .reason = "庁舎が耐震化前"});
  ASSERT_TRUE(edited.Ok()) << edited.Err().ToString();
  EXPECT_EQ(edited->vulnerability_basis, "edited");
  EXPECT_EQ(edited->edited_by, "m1");
  EXPECT_EQ(edited->score, 18);
  EXPECT_EQ(edited->level, "high");
  EXPECT_EQ(L().Audit().Events("", "")->back().action, "risk.edit");
  Compute();
  const auto kept = Find("tax-db", "earthquake");
  EXPECT_EQ(kept.vulnerability, 3);
  EXPECT_EQ(kept.vulnerability_reason, "庁舎が耐震化前");
}

TEST_F(RiskTest, TreatmentBadInputIsNamedAndNothingStored) {
  AddAsset("tax-db", "zeimu", "m1", "A");
  Compute();
  const auto risk = Find("tax-db", "earthquake");
  const auto seq = LastSeq();
  auto bad = TreatRisk(L(), "m1", risk.id,
                       {.treatment = "ignore", .plan = "", .residual_level = "extreme",
                        .next_review_on = "2026-13-01"});
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()),
            (std::vector<std::string>{"treatment", "plan", "residual_level", "next_review_on"}));
  auto past = TreatRisk(L(), "m1", risk.id,
                        {.treatment = "reduce", .plan = "免震ラックへ移設",
                         .residual_level = "low", .next_review_on = "2026-11-30"});
  ASSERT_FALSE(past.Ok());
  EXPECT_EQ(Fields(past.Err()), std::vector<std::string>{"next_review_on"});
  EXPECT_EQ(LastSeq(), seq);
  EXPECT_EQ(Find("tax-db", "earthquake").treatment, "");
  auto reduced = TreatRisk(L(), "m1", risk.id,
                           {.treatment = "reduce", .plan = "免震ラックへ移設",
                            .residual_level = "low"});
  ASSERT_TRUE(reduced.Ok()) << reduced.Err().ToString();
  EXPECT_EQ(reduced->residual_level, "low");
  EXPECT_EQ(reduced->treated_by, "m1");
  EXPECT_EQ(reduced->acceptance_status, "");
  EXPECT_EQ(L().Audit().Events("", "")->back().action, "risk.treat");
}

TEST_F(RiskTest, OnlyTheCisoAcceptsNeverTheOwnerAndOnlyAnAcceptableLevel) {
  AddAsset("tax-db", "zeimu", "m1", "A");    // earthquake: 6, medium
  AddAsset("ciso-pc", "joho", "x1", "A");    // managed by the CISO
  Compute();
  const auto risk = Find("tax-db", "earthquake");
  auto proposed = TreatRisk(L(), "m1", risk.id, {.treatment = "accept"});
  ASSERT_TRUE(proposed.Ok()) << proposed.Err().ToString();
  EXPECT_EQ(proposed->acceptance_status, "proposed");
  EXPECT_EQ(proposed->residual_level, "medium");
  const auto seq = LastSeq();
  // The owner, the 統括: not the CISO.
  for (const char* who : {"m1", "c1"}) {
    auto refused = AcceptRisk(L(), who, risk.id, {.until = "2027-03-31", .comment = "次年度更新"});
    ASSERT_FALSE(refused.Ok()) << who;
    EXPECT_EQ(Fields(refused.Err()), std::vector<std::string>{"actor"});
  }
  // Past the longest acceptance (365 days from 2026-12-01), or not after today.
  for (const char* until : {"2027-12-02", "2026-12-01"}) {
    auto refused = AcceptRisk(L(), "x1", risk.id, {.until = until, .comment = "次年度更新"});
    ASSERT_FALSE(refused.Ok()) << until;
    EXPECT_EQ(Fields(refused.Err()), std::vector<std::string>{"until"});
  }
  EXPECT_EQ(LastSeq(), seq);
  EXPECT_EQ(Find("tax-db", "earthquake").acceptance_status, "proposed");
  auto accepted =
      AcceptRisk(L(), "x1", risk.id, {.until = "2027-12-01", .comment = "次年度の更新で対応"});
  ASSERT_TRUE(accepted.Ok()) << accepted.Err().ToString();
  EXPECT_EQ(accepted->acceptance_status, "approved");
  EXPECT_EQ(accepted->accepted_by, "x1");
  EXPECT_EQ(L().Audit().Events("", "")->back().action, "risk.accept");
  auto twice = AcceptRisk(L(), "x1", risk.id, {.until = "2027-01-01", .comment = "再"});
  ASSERT_FALSE(twice.Ok());
  EXPECT_EQ(twice.Err().Code(), ErrorCode::kConflict);

  // The CISO's own asset: the CISO is its owner and may not accept it.
  const auto own = Find("ciso-pc", "earthquake");
  ASSERT_TRUE(TreatRisk(L(), "x1", own.id, {.treatment = "accept"}).Ok());
  auto self = AcceptRisk(L(), "x1", own.id, {.until = "2027-03-31", .comment = "自ら"});
  ASSERT_FALSE(self.Ok());
  EXPECT_NE(self.Err().ToString().find("1(3)"), std::string::npos) << self.Err().ToString();

  // A high risk cannot be accepted at all; the edit that made it high
  // withdrew the acceptance made at medium.
  const auto high = Find("tax-db", "earthquake");
  auto raised =
      EditRisk(L(), "m1", high.id, {.threat = 3, .vulnerability = 2, .reason = "活断層の近傍"});
  ASSERT_TRUE(raised.Ok()) << raised.Err().ToString();
  EXPECT_EQ(raised->level, "high");
  EXPECT_EQ(raised->treatment, "");
  EXPECT_EQ(raised->acceptance_status, "");
  EXPECT_EQ(raised->accepted_by, "");
  auto refused = TreatRisk(L(), "m1", high.id, {.treatment = "accept"});
  ASSERT_FALSE(refused.Ok());
  EXPECT_EQ(Fields(refused.Err()), std::vector<std::string>{"treatment"});
}

TEST_F(RiskTest, AnAcceptanceExpiresAndMayCiteARiskAcceptedFinding) {
  AddAsset("tax-db", "zeimu", "m1", "A");
  Compute();
  const auto risk = Find("tax-db", "earthquake");
  ASSERT_TRUE(TreatRisk(L(), "m1", risk.id, {.treatment = "accept"}).Ok());
  FindingInput input;
  input.source = "risk";
  input.title = "耐震化未了";
  input.clause = "9(2)";
  input.section = "zeimu";
  input.owner = "m1";
  input.priority = "medium";
  auto finding = AddFinding(L(), "c1", input);
  ASSERT_TRUE(finding.Ok()) << finding.Err().ToString();
  auto open = AcceptRisk(L(), "x1", risk.id,
                         {.until = "2026-12-10", .comment = "短期", .finding_id = finding->id});
  ASSERT_FALSE(open.Ok());
  EXPECT_EQ(Fields(open.Err()), std::vector<std::string>{"finding_id"});
  auto missing = AcceptRisk(L(), "x1", risk.id,
                            {.until = "2026-12-10", .comment = "短期", .finding_id = 999});
  ASSERT_FALSE(missing.Ok());
  EXPECT_EQ(Fields(missing.Err()), std::vector<std::string>{"finding_id"});
  // The finding accepted through an approved exception (7.4) may be cited.
  auto exception = ledger::workflow::SubmitRequest(
      L(), {"m1", R"({"action": "exception", "context": {"emergency": false}})", "耐震化まで"});
  ASSERT_TRUE(exception.Ok()) << exception.Err().ToString();
  ASSERT_TRUE(ledger::workflow::ApproveRequest(L(), exception->id, "x1", "期限付きで認める").Ok());
  ASSERT_TRUE(UpdateFinding(L(), "m1", finding->id,
                            {.status = "risk_accepted", .exception_id = exception->id})
                  .Ok());
  auto accepted = AcceptRisk(L(), "x1", risk.id,
                             {.until = "2026-12-10", .comment = "短期", .finding_id = finding->id});
  ASSERT_TRUE(accepted.Ok()) << accepted.Err().ToString();
  EXPECT_EQ(accepted->finding_id, finding->id);
  EXPECT_FALSE(accepted->expired);
  EXPECT_TRUE(ListRisks(L(), {.expired_only = true})->empty());
  ledger_->clock().Advance(std::chrono::hours(24 * 10));  // 2026-12-11
  const auto expired = ListRisks(L(), {.expired_only = true});
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ(expired->front().id, risk.id);
  EXPECT_TRUE(expired->front().expired);
}

}  // namespace
}  // namespace mamori::assess
