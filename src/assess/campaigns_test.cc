#include "assess/campaigns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "assess/findings.h"
#include "ledger/org.h"
#include "ledger/registers/registers.h"
#include "ledger/test_support.h"
#include "ledger/workflow/violations.h"

namespace mamori::assess {
namespace {

using ledger::Ledger;
using ledger::testing::Fields;
using Json = nlohmann::json;

// Who answers a role's items in the seeded organization.
std::string Respondent(const std::string& role, const std::string& section) {
  static const std::map<std::string, std::string> kOrganization = {
      {"chief_officer", "c1"}, {"ciso", "x1"}, {"csirt", "k1"}, {"deputy_chief_officer", "d1"}};
  if (role == "manager") return section == "zeimu" ? "m1" : "m2";
  const auto found = kOrganization.find(role);
  return found == kOrganization.end() ? "" : found->second;
}

class CampaignsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ledger_ =
        std::make_unique<ledger::testing::TempLedger>(std::string("campaign_") + info->name());
    ledger::testing::SeedOrganization(**ledger_);
  }
  Ledger& L() { return **ledger_; }
  std::int64_t LastSeq() { return *L().Audit().LastSeq(); }

  static CampaignInput Input(int year = 2026) {
    return {year,
            std::to_string(year) + " 年度 自己点検",
            {"zeimu", "kaigo"},
            std::to_string(year) + "-11-01",
            std::to_string(year) + "-12-20"};
  }

  Campaign Create(int year = 2026) {
    auto campaign = CreateCampaign(L(), "c1", Input(year));
    EXPECT_TRUE(campaign.Ok()) << campaign.Err().ToString();
    return campaign.Ok() ? *campaign : Campaign{};
  }

  Form FormOf(const Campaign& campaign, const std::string& section) {
    for (const auto id : campaign.forms) {
      auto form = GetForm(L(), id);
      if (form.Ok() && form->section == section) return *form;
    }
    ADD_FAILURE() << "no form for " << section;
    return {};
  }

  // Answers every item of `form` with `answer` (the probe's answer where it
  // has one, unless `override_probes`), and submits, signs off and evaluates it.
  void AnswerAll(const Form& form, Answer answer) {
    for (const auto& item : form.items) {
      AnswerInput input{item.check_id, std::string(Id(answer)), "点検した", "", ""};
      if (item.prefill && *item.prefill != answer) input.correction_reason = "台帳外で確認した";
      auto answered =
          AnswerItem(L(), Respondent(item.answered_by_role, form.section), form.id, input);
      ASSERT_TRUE(answered.Ok()) << item.check_id << ": " << answered.Err().ToString();
    }
  }

  std::unique_ptr<ledger::testing::TempLedger> ledger_;
};

TEST_F(CampaignsTest, FormsComeFromTheProfilesCheckItems) {
  const auto seq = LastSeq();
  const auto campaign = Create();
  EXPECT_EQ(campaign.fiscal_year, 2026);
  EXPECT_EQ(campaign.clause, "9(3)");  // 阪南市 9(3) 点検
  EXPECT_EQ(campaign.created_by, "c1");
  ASSERT_EQ(campaign.forms.size(), 3u);  // the organization's, 税務課's, 介護保険課's

  std::size_t manager_items = 0;
  std::size_t organization_items = 0;
  for (const auto& check : L().Profile().checks) {
    (check.answered_by == policy::Role::kManager ? manager_items : organization_items)++;
  }
  const auto zeimu = FormOf(campaign, "zeimu");
  const auto organization = FormOf(campaign, "");
  EXPECT_EQ(zeimu.items.size(), manager_items);
  EXPECT_EQ(organization.items.size(), organization_items);
  EXPECT_EQ(zeimu.department, "somu");
  EXPECT_EQ(zeimu.status, FormStatus::kOpen);
  for (const auto& item : zeimu.items) {
    EXPECT_EQ(item.answered_by_role, "manager");
    EXPECT_EQ(item.respondents, (std::vector<std::string>{"m1"}));
    EXPECT_NE(L().Profile().FindClause(item.clause), nullptr) << item.clause;
  }
  // Probes pre-fill their items, scoped to the form's section.
  const auto dispose = std::find_if(zeimu.items.begin(), zeimu.items.end(),
                                    [](const FormItem& i) { return !i.probe.empty(); });
  ASSERT_NE(dispose, zeimu.items.end());
  ASSERT_TRUE(dispose->prefill.has_value());
  EXPECT_EQ(Json::parse(dispose->prefill_basis)["section"], "zeimu");

  // One event per form and one for the campaign, each with the full state.
  const auto events = *L().Audit().Events("", "");
  ASSERT_EQ(static_cast<std::int64_t>(events.size()), LastSeq());
  EXPECT_EQ(LastSeq() - seq, 4);
  EXPECT_EQ(events.back().action, "assess.campaign.create");
  EXPECT_EQ(Json::parse(events.back().state), ToJson(campaign));
  EXPECT_EQ(events[events.size() - 2].action, "assess.form.create");
}

TEST_F(CampaignsTest, BadInputIsNamedAndNothingIsStored) {
  const auto seq = LastSeq();
  auto bad = CreateCampaign(L(), "c1", {1800, "", {"zeimu", "zeimu", "nope!"}, "2026-13-01", ""});
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()), (std::vector<std::string>{"fiscal_year", "title", "sections[1]",
                                                         "sections[2]", "opens_on", "due_on"}));
  auto dates = CreateCampaign(L(), "c1", {2026, "点検", {}, "2026-03-31", "2026-03-01"});
  ASSERT_FALSE(dates.Ok());
  EXPECT_EQ(Fields(dates.Err()), (std::vector<std::string>{"due_on", "opens_on"}));
  // Unknown section; a section with no manager to answer (情報政策課 has none).
  auto unknown =
      CreateCampaign(L(), "c1", {2026, "点検", {"nowhere", "joho"}, "2026-11-01", "2026-12-20"});
  ASSERT_FALSE(unknown.Ok());
  EXPECT_EQ(Fields(unknown.Err()), (std::vector<std::string>{"sections[0]", "sections[1]"}));
  EXPECT_NE(unknown.Err().Diagnostics()[1].message_ja.find("情報セキュリティ管理者"),
            std::string::npos);
  // Only the CISO or the 統括 (or the deputy) starts a campaign.
  auto manager = CreateCampaign(L(), "m1", Input());
  ASSERT_FALSE(manager.Ok());
  EXPECT_EQ(manager.Err().Headline().where.key, "actor");
  EXPECT_EQ(LastSeq(), seq);
  EXPECT_TRUE(ListCampaigns(L())->empty());

  Create();
  auto again = CreateCampaign(L(), "x1", Input());
  ASSERT_FALSE(again.Ok());
  EXPECT_EQ(again.Err().Code(), ErrorCode::kConflict);
}

TEST_F(CampaignsTest, AnswersNeedTheRightPersonABasisAndAReasonToCorrectAProbe) {
  // 介護保険課 has a device past support in the マイナンバー利用事務系 — but that
  // probe is the 統括's; its own dispose record probe answers はい.
  const auto campaign = Create();
  const auto form = FormOf(campaign, "zeimu");
  const auto probed = std::find_if(form.items.begin(), form.items.end(),
                                   [](const FormItem& i) { return i.prefill.has_value(); });
  ASSERT_NE(probed, form.items.end());
  ASSERT_EQ(*probed->prefill, Answer::kYes);
  const auto plain = std::find_if(form.items.begin(), form.items.end(),
                                  [](const FormItem& i) { return !i.prefill.has_value(); });
  ASSERT_NE(plain, form.items.end());

  const auto seq = LastSeq();
  // Not the section's manager: staff of the section, another section's manager.
  for (const char* who : {"s1", "m2", "c1"}) {
    auto refused = AnswerItem(L(), who, form.id, {plain->check_id, "はい", "", "", ""});
    ASSERT_FALSE(refused.Ok()) << who;
    EXPECT_EQ(refused.Err().Headline().where.key, "actor") << who;
  }
  auto bad = AnswerItem(L(), "m1", form.id, {"no.such", "たぶん", "", "", ""});
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()), (std::vector<std::string>{"answer"}));
  auto unknown = AnswerItem(L(), "m1", form.id, {"no.such", "はい", "", "", ""});
  ASSERT_FALSE(unknown.Ok());
  EXPECT_EQ(unknown.Err().Headline().where.key, "check_id");
  auto no_basis = AnswerItem(L(), "m1", form.id, {plain->check_id, "一部", "", "", ""});
  ASSERT_FALSE(no_basis.Ok());
  EXPECT_EQ(no_basis.Err().Headline().where.key, "basis");
  auto no_reason =
      AnswerItem(L(), "m1", form.id, {probed->check_id, "いいえ", "記録簿が一部ない", "", ""});
  ASSERT_FALSE(no_reason.Ok());
  EXPECT_EQ(no_reason.Err().Headline().where.key, "correction_reason");
  EXPECT_EQ(LastSeq(), seq);

  auto corrected = AnswerItem(L(), "m1", form.id,
                              {probed->check_id, "いいえ", "記録簿が一部ない", "廃棄記録簿",
                               "紙の廃棄は台帳に載っていない"});
  ASSERT_TRUE(corrected.Ok()) << corrected.Err().ToString();
  const auto& item = corrected->items[static_cast<std::size_t>(probed->position)];
  EXPECT_EQ(item.answer, Answer::kNo);
  EXPECT_EQ(item.prefill, Answer::kYes);
  EXPECT_EQ(item.correction_reason, "紙の廃棄は台帳に載っていない");
  EXPECT_EQ(item.answered_by, "m1");
  const auto event = L().Audit().Events("", "")->back();
  EXPECT_EQ(event.action, "assess.form.answer");
  Json audited = ToJson(*corrected);
  audited.erase("overdue");  // as of the day read, not audited
  EXPECT_EQ(Json::parse(event.state), audited);
}

TEST_F(CampaignsTest, ASuspendedPersonDoesNotAnswer) {
  const auto campaign = Create();
  const auto form = FormOf(campaign, "zeimu");
  ASSERT_TRUE(ledger::workflow::SuspendPerson(L(), "c1", "m1", "調査中", 0).Ok());
  auto refused = AnswerItem(L(), "m1", form.id, {form.items[0].check_id, "はい", "", "", ""});
  ASSERT_FALSE(refused.Ok());
  EXPECT_EQ(refused.Err().Headline().where.key, "actor");
  EXPECT_NE(refused.Err().Headline().message_ja.find("7.6④"), std::string::npos);
  ASSERT_TRUE(ledger::workflow::RestorePerson(L(), "c1", "m1", "調査終了").Ok());
  EXPECT_TRUE(AnswerItem(L(), "m1", form.id, {form.items[0].check_id, "はい", "", "", ""}).Ok());
}

TEST_F(CampaignsTest, ConfirmingAProbesNoTakesItsFindingAsTheBasis) {
  auto device = ledger::registers::Add(L(), "c1", "device",
                                       {{"code", "pc-old"},
                                        {"name", "旧端末"},
                                        {"device_type", "パソコン"},
                                        {"issued", "true"},
                                        {"section", "kaigo"},
                                        {"segment", "mynumber"},
                                        {"os", "Windows 7"},
                                        {"os_end_of_support", "2020-01-14"}});
  ASSERT_TRUE(device.Ok()) << device.Err().ToString();
  const auto campaign = Create();
  const auto form = FormOf(campaign, "");
  const auto eol = std::find_if(form.items.begin(), form.items.end(), [](const FormItem& i) {
    return i.probe == "eol_devices_in_mynumber";
  });
  ASSERT_NE(eol, form.items.end());
  ASSERT_EQ(eol->prefill, Answer::kNo);
  auto confirmed = AnswerItem(L(), "c1", form.id, {eol->check_id, "いいえ", "", "", ""});
  ASSERT_TRUE(confirmed.Ok()) << confirmed.Err().ToString();
  const auto& item = confirmed->items[static_cast<std::size_t>(eol->position)];
  EXPECT_NE(item.basis.find("サポート終了"), std::string::npos) << item.basis;
  EXPECT_TRUE(item.correction_reason.empty());
}

TEST_F(CampaignsTest, SeveralAnswersAreAllOrNoneWithOneEvent) {
  const auto campaign = Create();
  const auto form = FormOf(campaign, "zeimu");
  std::vector<AnswerInput> inputs;
  for (const FormItem& item : form.items) {
    if (item.answered_by_role != "manager" || item.prefill.has_value()) continue;
    inputs.push_back({item.check_id, "はい", "", "", ""});
  }
  ASSERT_GE(inputs.size(), 3u);
  const auto seq = LastSeq();
  auto bad = inputs;
  bad[1].answer = "一部";  // without a basis
  auto refused = AnswerItems(L(), "m1", form.id, bad);
  ASSERT_FALSE(refused.Ok());
  EXPECT_EQ(Fields(refused.Err()), std::vector<std::string>{"answers[1].basis"});
  auto empty = AnswerItems(L(), "m1", form.id, {});
  ASSERT_FALSE(empty.Ok());
  EXPECT_EQ(Fields(empty.Err()), std::vector<std::string>{"answers"});
  EXPECT_EQ(LastSeq(), seq);
  const auto unanswered = GetForm(L(), form.id);
  ASSERT_TRUE(unanswered.Ok());
  for (const FormItem& item : unanswered->items) EXPECT_FALSE(item.answer.has_value());
  auto answered = AnswerItems(L(), "m1", form.id, inputs);
  ASSERT_TRUE(answered.Ok()) << answered.Err().ToString();
  EXPECT_EQ(LastSeq(), seq + 1);
  std::size_t yes = 0;
  for (const FormItem& item : answered->items) yes += item.answer == Answer::kYes ? 1u : 0u;
  EXPECT_EQ(yes, inputs.size());
}

TEST_F(CampaignsTest, SubmitSignOffEvaluateInOrderByTheRightPeople) {
  const auto campaign = Create();
  const auto form = FormOf(campaign, "zeimu");
  auto early = SubmitForm(L(), "m1", form.id);
  ASSERT_FALSE(early.Ok());
  EXPECT_EQ(early.Err().Headline().where.key, "form");  // unanswered items named
  EXPECT_NE(early.Err().Headline().message_ja.find(form.items[0].check_id), std::string::npos);
  auto not_submitted = SignOffForm(L(), "m1", form.id, "");
  ASSERT_FALSE(not_submitted.Ok());
  EXPECT_EQ(not_submitted.Err().Code(), ErrorCode::kConflict);

  AnswerAll(form, Answer::kYes);
  // One いいえ and one 一部: each becomes a finding when evaluated.
  ASSERT_TRUE(
      AnswerItem(L(), "m1", form.id, {form.items[0].check_id, "いいえ", "未実施", "", ""}).Ok());
  ASSERT_TRUE(
      AnswerItem(L(), "m1", form.id, {form.items[1].check_id, "一部", "一部のみ", "", ""}).Ok());
  auto outsider = SubmitForm(L(), "m2", form.id);
  ASSERT_FALSE(outsider.Ok());
  EXPECT_EQ(outsider.Err().Headline().where.key, "actor");
  auto submitted = SubmitForm(L(), "m1", form.id);
  ASSERT_TRUE(submitted.Ok()) << submitted.Err().ToString();
  EXPECT_EQ(submitted->status, FormStatus::kSubmitted);
  auto late = AnswerItem(L(), "m1", form.id, {form.items[0].check_id, "はい", "", "", ""});
  ASSERT_FALSE(late.Ok());
  EXPECT_EQ(late.Err().Code(), ErrorCode::kConflict);

  // 9(3)①: the section's manager signs off; 9(3)②: the 統括 evaluates.
  auto wrong_manager = SignOffForm(L(), "m2", form.id, "");
  ASSERT_FALSE(wrong_manager.Ok());
  EXPECT_EQ(wrong_manager.Err().Headline().where.key, "actor");
  ASSERT_TRUE(SignOffForm(L(), "m1", form.id, "確認した").Ok());
  auto not_chief = EvaluateForm(L(), "m1", form.id, "");
  ASSERT_FALSE(not_chief.Ok());
  EXPECT_EQ(not_chief.Err().Headline().where.key, "actor");
  auto evaluated = EvaluateForm(L(), "c1", form.id, "改善を求める");
  ASSERT_TRUE(evaluated.Ok()) << evaluated.Err().ToString();
  EXPECT_EQ(evaluated->form.status, FormStatus::kEvaluated);
  EXPECT_EQ(evaluated->form.evaluated_by, "c1");
  ASSERT_EQ(evaluated->findings.size(), 2u);
  const auto finding = *GetFinding(L(), evaluated->findings[0]);
  EXPECT_EQ(finding.source, "self_inspection");
  EXPECT_EQ(finding.check_id, form.items[0].check_id);
  EXPECT_EQ(finding.clause, form.items[0].clause);
  EXPECT_EQ(finding.section, "zeimu");
  EXPECT_EQ(finding.owner, "m1");
  EXPECT_EQ(finding.form_id, form.id);
  EXPECT_EQ(L().Audit().Events("", "")->back().action, "assess.form.evaluate");
  auto twice = EvaluateForm(L(), "c1", form.id, "");
  ASSERT_FALSE(twice.Ok());
  EXPECT_EQ(twice.Err().Code(), ErrorCode::kConflict);
}

TEST_F(CampaignsTest, TheOrganizationFormIsSignedOffByTheChiefAndEvaluatedByTheCiso) {
  const auto campaign = Create();
  const auto form = FormOf(campaign, "");
  AnswerAll(form, Answer::kYes);
  ASSERT_TRUE(SubmitForm(L(), "c1", form.id).Ok());
  EXPECT_FALSE(SignOffForm(L(), "m1", form.id, "").Ok());
  ASSERT_TRUE(SignOffForm(L(), "c1", form.id, "").Ok());
  auto by_chief = EvaluateForm(L(), "c1", form.id, "");
  ASSERT_FALSE(by_chief.Ok());
  EXPECT_EQ(by_chief.Err().Headline().where.key, "actor");
  auto by_ciso = EvaluateForm(L(), "x1", form.id, "");
  ASSERT_TRUE(by_ciso.Ok()) << by_ciso.Err().ToString();
  EXPECT_TRUE(by_ciso->findings.empty());
}

TEST_F(CampaignsTest, OpenFormsPastTheDueDateAreOverdue) {
  const auto campaign = Create();
  EXPECT_TRUE(OverdueForms(L(), campaign.id)->empty());
  const auto form = FormOf(campaign, "kaigo");
  AnswerAll(form, Answer::kYes);
  ASSERT_TRUE(SubmitForm(L(), "m2", form.id).Ok());
  ledger_->clock().Advance(std::chrono::hours(24 * 30));  // past 2026-12-20
  const auto overdue = *OverdueForms(L(), campaign.id);
  ASSERT_EQ(overdue.size(), 2u);  // the organization's and 税務課's; 介護保険課 submitted
  EXPECT_EQ(overdue[0].section, "");
  EXPECT_EQ(overdue[1].section, "zeimu");
  EXPECT_TRUE(overdue[1].overdue);
}

TEST_F(CampaignsTest, RollUpWorstWinsNotApplicableIsNeutralAndComparesWithLastYear) {
  const auto last_year = Create(2025);
  AnswerAll(FormOf(last_year, "zeimu"), Answer::kYes);
  AnswerAll(FormOf(last_year, "kaigo"), Answer::kYes);
  const auto kaigo_last = FormOf(last_year, "kaigo");
  ASSERT_TRUE(AnswerItem(L(), "m2", kaigo_last.id,
                         {kaigo_last.items[0].check_id, "いいえ", "未実施", "", ""})
                  .Ok());

  const auto campaign = Create(2026);
  const auto zeimu = FormOf(campaign, "zeimu");
  const auto kaigo = FormOf(campaign, "kaigo");
  AnswerAll(zeimu, Answer::kYes);
  ASSERT_TRUE(
      AnswerItem(L(), "m1", zeimu.id, {zeimu.items[0].check_id, "一部", "一部のみ", "", ""}).Ok());
  AnswerAll(kaigo, Answer::kNotApplicable);
  ASSERT_TRUE(AnswerItem(L(), "m2", kaigo.id, {kaigo.items[0].check_id, "はい", "", "", ""}).Ok());

  auto rollup = RollUp(L(), campaign.id);
  ASSERT_TRUE(rollup.Ok()) << rollup.Err().ToString();
  EXPECT_EQ(rollup->previous_campaign_id, last_year.id);
  ASSERT_EQ(rollup->sections.size(), 2u);
  const auto& kaigo_row = rollup->sections[0];
  const auto& zeimu_row = rollup->sections[1];
  EXPECT_EQ(kaigo_row.code, "kaigo");
  // 該当なし is neutral: one はい among them makes はい.
  EXPECT_EQ(kaigo_row.result, Answer::kYes);
  EXPECT_EQ(kaigo_row.counts.yes, 1);
  EXPECT_EQ(kaigo_row.counts.not_applicable, static_cast<int>(kaigo.items.size()) - 1);
  EXPECT_EQ(kaigo_row.previous, Answer::kNo);
  EXPECT_EQ(kaigo_row.trend, "improved");
  EXPECT_EQ(zeimu_row.result, Answer::kPartial);
  EXPECT_EQ(zeimu_row.previous, Answer::kYes);
  EXPECT_EQ(zeimu_row.trend, "worsened");
  ASSERT_EQ(rollup->departments.size(), 2u);
  EXPECT_EQ(rollup->departments[0].code, "fukushi");
  EXPECT_EQ(rollup->departments[0].result, Answer::kYes);
  EXPECT_EQ(rollup->departments[1].code, "somu");
  EXPECT_EQ(rollup->departments[1].result, Answer::kPartial);
  // The organization: the worst of all, the organization form unanswered.
  EXPECT_EQ(rollup->organization.result, Answer::kPartial);
  EXPECT_GT(rollup->organization.counts.unanswered, 0);
  EXPECT_EQ(rollup->organization.trend, "improved");  // last year had a いいえ
  const auto json = ToJson(*rollup);
  EXPECT_EQ(json["sections"][1]["result_ja"], "一部");
}

}  // namespace
}  // namespace mamori::assess

namespace mamori::assess {
namespace {

// A profile over 阪南市's whose one more check item is answered by staff
// (職員): it goes on every section form, answered by the section's people.
class StaffItemsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / (std::string("mamori_staff_") + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "staff.toml")
        << "[profile]\nid = \"staff_checks\"\ntitle = \"職員の点検\"\n"
           "extends = \"" MAMORI_SOURCE_DIR
           "/policies/hannan.toml\"\n"
           "format = 1\n\n"
           "[[checks]]\nid = \"people.clear_desk\"\n"
           "clause = \"2.1(1)\"\n"
           "question = \"離席時に書類を机上に放置していないか\"\n"
           "answered_by = \"staff\"\nmethods = [\"observation\"]\n";
    ledger_ = std::make_unique<ledger::testing::TempLedger>(std::string("staff_") + info->name(),
                                                            (dir_ / "staff.toml").string());
    ledger::testing::SeedOrganization(**ledger_);
  }
  void TearDown() override {
    ledger_.reset();
    std::filesystem::remove_all(dir_);
  }
  Ledger& L() { return **ledger_; }

  std::filesystem::path dir_;
  std::unique_ptr<ledger::testing::TempLedger> ledger_;
};

TEST_F(StaffItemsTest, StaffItemsAreAnsweredByTheSectionsPeople) {
  auto campaign = CreateCampaign(L(), "c1", {2026, "点検", {"zeimu"}, "2026-11-01", "2026-12-20"});
  ASSERT_TRUE(campaign.Ok()) << campaign.Err().ToString();
  ASSERT_EQ(campaign->forms.size(), 2u);
  auto form = *GetForm(L(), campaign->forms[1]);
  ASSERT_EQ(form.section, "zeimu");
  const auto staff = std::find_if(form.items.begin(), form.items.end(), [](const FormItem& i) {
    return i.check_id == "people.clear_desk";
  });
  ASSERT_NE(staff, form.items.end());
  EXPECT_EQ(staff->respondents, (std::vector<std::string>{"m1", "s1", "s2"}));
  auto other_section = AnswerItem(L(), "m2", form.id, {staff->check_id, "はい", "", "", ""});
  ASSERT_FALSE(other_section.Ok());
  EXPECT_EQ(other_section.Err().Headline().where.key, "actor");
  auto answered = AnswerItem(L(), "s1", form.id, {staff->check_id, "はい", "", "", ""});
  ASSERT_TRUE(answered.Ok()) << answered.Err().ToString();
  // Staff answer only the staff items.
  const auto manager_item =
      std::find_if(form.items.begin(), form.items.end(),
                   [](const FormItem& i) { return i.answered_by_role == "manager"; });
  ASSERT_NE(manager_item, form.items.end());
  EXPECT_FALSE(AnswerItem(L(), "s1", form.id, {manager_item->check_id, "はい", "", "", ""}).Ok());
}

}  // namespace
}  // namespace mamori::assess
