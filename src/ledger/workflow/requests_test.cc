#include "ledger/workflow/requests.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "decide/engine.h"
#include "decide/request.h"
#include "ledger/org.h"
#include "ledger/test_support.h"
#include "ledger/workflow/violations.h"

namespace mamori::ledger::workflow {
namespace {

using ::mamori::ledger::testing::Codes;
using ::mamori::ledger::testing::Fields;

using Json = nlohmann::json;
using std::chrono::days;
using std::chrono::seconds;
using policy::Role;

constexpr const char* kTakeOutA =
    R"({"action": "take_out", "asset": {"kind": "data", "classification": {"importance": "A"}}})";
constexpr const char* kDisposeMediaA =
    R"({"action": "dispose", "asset": {"kind": "media", "classification": {"importance": "A"}}})";
constexpr const char* kExchange = R"({"action": "exchange_with_other_organization"})";

std::int64_t LastSeq(Ledger& ledger) { return *ledger.Audit().LastSeq(); }

// The state of the newest audit event.
Json LastState(Ledger& ledger) {
  const auto events = *ledger.Audit().Events("", "");
  return Json::parse(events.back().state);
}

std::string LastAction(Ledger& ledger) { return ledger.Audit().Events("", "")->back().action; }

Result<RequestRecord> Submit(Ledger& ledger, const std::string& requester, const std::string& json,
                             const std::string& purpose = "窓口業務のため") {
  return SubmitRequest(ledger, SubmitInput{requester, json, purpose});
}

void AddPersonWithRole(Ledger& ledger, const std::string& code, const std::string& section,
                       const std::string& role, const std::string& scope) {
  ASSERT_TRUE(AddPerson(ledger, "system", {code, code, section, "staff", "", "2020-04-01", ""}).Ok());
  if (!role.empty()) {
    ASSERT_TRUE(AssignRole(ledger, "system", code, role, scope, "2020-04-01").Ok());
  }
}

class RequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ledger_ = std::make_unique<testing::TempLedger>(std::string("wf_") + info->name());
    testing::SeedOrganization(**ledger_);
  }
  Ledger& L() { return **ledger_; }
  FixedClock& TestClock() { return ledger_->clock(); }

  std::unique_ptr<testing::TempLedger> ledger_;
};

TEST_F(RequestsTest, TakeOutOfImportanceARoutesToTheSectionsManagerOnly) {
  auto request = Submit(L(), "s1", kTakeOutA);
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  EXPECT_EQ(request->status, RequestStatus::kPending);
  EXPECT_EQ(request->effect, "approval_required");

  // The steps are the ones the 阪南市 profile gives for this request.
  const auto expected = decide::Decide(
      L().Profile(),
      *decide::ParseRequest(L().Profile(),
                            R"({"actor": {"id": "s1", "roles": ["staff"], "section": "zeimu"},
                                "action": "take_out",
                                "asset": {"kind": "data", "classification": {"importance": "A"}}})"));
  ASSERT_EQ(request->steps.size(), expected.approvals.size());
  for (std::size_t i = 0; i < expected.approvals.size(); ++i) {
    std::vector<std::string> roles;
    for (auto role : expected.approvals[i]) roles.emplace_back(policy::Id(role));
    EXPECT_EQ(request->steps[i].roles, roles);
  }
  ASSERT_EQ(request->steps.size(), 1u);
  EXPECT_EQ(request->steps[0].roles, std::vector<std::string>{"manager"});
  // m1 manages 税務課; m2 manages 介護保険課 and is not asked.
  EXPECT_EQ(request->steps[0].routed_to, std::vector<std::string>{"m1"});
  EXPECT_EQ(Codes(*CurrentApprovers(L(), *request)), std::vector<std::string>{"m1"});
  EXPECT_EQ(ListRequests(L(), {.waiting_for = "m1"})->size(), 1u);
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "m2"})->empty());
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "o1"})->empty());
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "s1"})->empty());

  // The actor was filled from the register; the decision and the profile
  // digest are stored with the request.
  const Json stored = Json::parse(request->request_json);
  EXPECT_EQ(stored["actor"]["id"], "s1");
  EXPECT_EQ(stored["actor"]["roles"], Json::array({"staff"}));
  EXPECT_EQ(stored["actor"]["section"], "zeimu");
  const Json decision = Json::parse(request->decision_json);
  EXPECT_EQ(decision["effect"], "approval_required");
  EXPECT_EQ(decision["clauses"][0]["id"], "5.1(1)③ア");
  EXPECT_FALSE(decision["explanation"].get<std::string>().empty());
  EXPECT_EQ(request->profile_digest, *L().Meta("profile_digest"));
  EXPECT_EQ(request->profile_id, "hannan");
  EXPECT_EQ(LastAction(L()), "request.submit");
  EXPECT_EQ(LastState(L()), ToJson(*request));

  // The other section's manager may not approve; nothing is stored.
  const auto before = LastSeq(L());
  auto by_m2 = ApproveRequest(L(), request->id, "m2", "");
  ASSERT_FALSE(by_m2.Ok());
  EXPECT_EQ(by_m2.Err().Headline().where.key, "approver");
  EXPECT_NE(by_m2.Err().Headline().message_ja.find("情報セキュリティ管理者"), std::string::npos);
  EXPECT_EQ(LastSeq(L()), before);

  auto approved = ApproveRequest(L(), request->id, "m1", "業務上必要と認める");
  ASSERT_TRUE(approved.Ok()) << approved.Err().ToString();
  EXPECT_EQ(approved->status, RequestStatus::kApproved);
  ASSERT_EQ(approved->actions.size(), 1u);
  EXPECT_EQ(approved->actions[0].person, "m1");
  EXPECT_EQ(approved->actions[0].role, "manager");
  EXPECT_EQ(approved->actions[0].comment, "業務上必要と認める");
  EXPECT_EQ(LastAction(L()), "request.approve");
  EXPECT_EQ(LastState(L()), ToJson(*approved));
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "m1"})->empty());
}

TEST_F(RequestsTest, StepsGoInOrderToOrganizationWideHoldersAndDelegates) {
  // 6.1(3): the chief officer (or the deputy, by delegation), then the officer.
  auto request = Submit(L(), "s1", kExchange);
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  ASSERT_EQ(request->steps.size(), 2u);
  EXPECT_EQ(request->steps[0].roles,
            (std::vector<std::string>{"chief_officer", "deputy_chief_officer"}));
  EXPECT_EQ(request->steps[0].routed_to, (std::vector<std::string>{"c1", "d1"}));
  EXPECT_EQ(request->steps[1].roles, std::vector<std::string>{"officer"});
  EXPECT_EQ(request->steps[1].routed_to, std::vector<std::string>{"o1"});

  // The officer cannot go first.
  EXPECT_FALSE(ApproveRequest(L(), request->id, "o1", "").Ok());
  auto first = ApproveRequest(L(), request->id, "d1", "統括の委任により");
  ASSERT_TRUE(first.Ok()) << first.Err().ToString();
  EXPECT_EQ(first->status, RequestStatus::kPending);
  EXPECT_EQ(first->current_step, 1);
  EXPECT_EQ(first->actions[0].role, "deputy_chief_officer");
  EXPECT_EQ(Codes(*CurrentApprovers(L(), *first)), std::vector<std::string>{"o1"});
  auto second = ApproveRequest(L(), request->id, "o1", "");
  ASSERT_TRUE(second.Ok()) << second.Err().ToString();
  EXPECT_EQ(second->status, RequestStatus::kApproved);
}

TEST_F(RequestsTest, AStepNobodyHoldsIsAnErrorNamingRoleAndScope) {
  // 介護保険課 is in 福祉部, which has no officer.
  AddPersonWithRole(L(), "s3", "kaigo", "", "");
  const auto before = LastSeq(L());
  auto request = Submit(L(), "s3", kExchange);
  ASSERT_FALSE(request.Ok());
  EXPECT_EQ(request.Err().Headline().where.key, "approvals");
  EXPECT_NE(request.Err().Headline().message_ja.find("部局「fukushi」"), std::string::npos);
  EXPECT_NE(request.Err().Headline().message_en.find("officer (department fukushi)"),
            std::string::npos);
  EXPECT_EQ(LastSeq(L()), before);
  EXPECT_TRUE(ListRequests(L(), {})->empty());
}

TEST_F(RequestsTest, RequesterNeverApprovesTheirOwnRequest) {
  // m1 is 税務課's only manager: his take_out has nobody else to go to.
  const auto before = LastSeq(L());
  auto alone = Submit(L(), "m1", kTakeOutA);
  ASSERT_FALSE(alone.Ok());
  EXPECT_EQ(alone.Err().Headline().where.key, "approvals");
  EXPECT_NE(alone.Err().Headline().message_ja.find("1(3)①"), std::string::npos);
  EXPECT_NE(alone.Err().Headline().message_ja.find("課室等「zeimu"), std::string::npos);
  EXPECT_EQ(LastSeq(L()), before);

  // With a second manager the request goes to her, never to m1.
  AddPersonWithRole(L(), "m3", "zeimu", "manager", "zeimu");
  auto request = Submit(L(), "m1", kTakeOutA);
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  EXPECT_EQ(request->steps[0].routed_to, std::vector<std::string>{"m3"});
  EXPECT_EQ(Codes(*CurrentApprovers(L(), *request)), std::vector<std::string>{"m3"});
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "m1"})->empty());
  // decide noted it too, citing the clause.
  const Json decision = Json::parse(request->decision_json);
  ASSERT_TRUE(decision.contains("separation_of_duties"));
  EXPECT_EQ(decision["separation_of_duties"][0]["role"], "manager");

  const auto seq = LastSeq(L());
  auto own = ApproveRequest(L(), request->id, "m1", "");
  ASSERT_FALSE(own.Ok());
  EXPECT_EQ(own.Err().Headline().where.key, "approver");
  EXPECT_NE(own.Err().Headline().message_ja.find("申請者は自らの申請を承認"), std::string::npos);
  EXPECT_NE(own.Err().Headline().message_ja.find("1(3)①"), std::string::npos);
  EXPECT_FALSE(RejectRequest(L(), request->id, "m1", "やはり不要").Ok());
  EXPECT_EQ(LastSeq(L()), seq);
  EXPECT_EQ(GetRequest(L(), request->id)->status, RequestStatus::kPending);

  auto approved = ApproveRequest(L(), request->id, "m3", "");
  ASSERT_TRUE(approved.Ok()) << approved.Err().ToString();
  EXPECT_EQ(approved->status, RequestStatus::kApproved);
}

TEST_F(RequestsTest, OnePersonNeverTakesTwoStepsOfOneRequest) {
  // c1 is also 総務部's officer: he could take both steps of an exchange.
  ASSERT_TRUE(AssignRole(L(), "system", "c1", "officer", "somu", "2020-04-01").Ok());
  auto request = Submit(L(), "s1", kExchange);
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  EXPECT_EQ(request->steps[1].routed_to, (std::vector<std::string>{"c1", "o1"}));
  ASSERT_TRUE(ApproveRequest(L(), request->id, "c1", "").Ok());
  const auto seq = LastSeq(L());
  auto twice = ApproveRequest(L(), request->id, "c1", "");
  ASSERT_FALSE(twice.Ok());
  EXPECT_EQ(twice.Err().Headline().where.key, "approver");
  EXPECT_NE(twice.Err().Headline().message_en.find("one person may not take two steps"),
            std::string::npos);
  EXPECT_EQ(LastSeq(L()), seq);
  EXPECT_EQ(Codes(*CurrentApprovers(L(), *GetRequest(L(), request->id))),
            std::vector<std::string>{"o1"});
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "c1"})->empty());
  auto done = ApproveRequest(L(), request->id, "o1", "");
  ASSERT_TRUE(done.Ok()) << done.Err().ToString();
  EXPECT_EQ(done->status, RequestStatus::kApproved);

  // When c1 is the only one left for both steps, the request cannot be routed.
  ASSERT_TRUE(EndPerson(L(), "system", "d1", "2026-11-30").Ok());
  ASSERT_TRUE(EndPerson(L(), "system", "o1", "2026-11-30").Ok());
  auto stuck = Submit(L(), "s1", kExchange);
  ASSERT_FALSE(stuck.Ok());
  EXPECT_EQ(stuck.Err().Headline().where.key, "approvals");
  EXPECT_NE(stuck.Err().Headline().message_ja.find("同じ者が複数の段階"), std::string::npos);
}

TEST_F(RequestsTest, ARejectionEndsTheRequest) {
  auto request = *Submit(L(), "s1", kExchange);
  auto no_comment = RejectRequest(L(), request.id, "c1", "");
  ASSERT_FALSE(no_comment.Ok());
  EXPECT_EQ(Fields(no_comment.Err()), std::vector<std::string>{"comment"});
  auto rejected = RejectRequest(L(), request.id, "c1", "相手方の取扱いの定めがない");
  ASSERT_TRUE(rejected.Ok()) << rejected.Err().ToString();
  EXPECT_EQ(rejected->status, RequestStatus::kRejected);
  EXPECT_EQ(rejected->actions[0].decision, "reject");
  EXPECT_EQ(rejected->actions[0].comment, "相手方の取扱いの定めがない");
  EXPECT_FALSE(rejected->decided_at.empty());
  EXPECT_EQ(LastAction(L()), "request.reject");
  // No later step can revive it.
  auto later = ApproveRequest(L(), request.id, "o1", "");
  ASSERT_FALSE(later.Ok());
  EXPECT_NE(later.Err().Headline().message_ja.find("却下"), std::string::npos);
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "o1"})->empty());
  EXPECT_TRUE(CurrentApprovers(L(), *GetRequest(L(), request.id))->empty());
}

TEST_F(RequestsTest, PendingRequestsExpire) {
  auto request = *Submit(L(), "s1", kTakeOutA);
  EXPECT_EQ(request.expires_at, "2026-12-31T01:00:00Z");  // 30 days (hannan.toml)
  TestClock().Advance(days(30) - seconds(1));
  EXPECT_EQ(ExpireRequests(L(), "system")->size(), 0u);
  EXPECT_EQ(ListRequests(L(), {.waiting_for = "m1"})->size(), 1u);
  TestClock().Advance(seconds(1));
  // Expired before the pass has run: nobody may approve it any more.
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "m1"})->empty());
  const auto seq = LastSeq(L());
  auto late = ApproveRequest(L(), request.id, "m1", "");
  ASSERT_FALSE(late.Ok());
  EXPECT_NE(late.Err().Headline().message_ja.find("期限"), std::string::npos);
  EXPECT_EQ(LastSeq(L()), seq);
  auto fresh = *Submit(L(), "s2", kTakeOutA);  // submitted now: not expired

  auto expired = ExpireRequests(L(), "system");
  ASSERT_TRUE(expired.Ok()) << expired.Err().ToString();
  EXPECT_EQ(*expired, std::vector<std::int64_t>{request.id});
  EXPECT_EQ(GetRequest(L(), request.id)->status, RequestStatus::kExpired);
  EXPECT_EQ(GetRequest(L(), fresh.id)->status, RequestStatus::kPending);
  EXPECT_EQ(LastAction(L()), "request.expire");
  EXPECT_EQ(LastState(L())["status"], "expired");
  EXPECT_TRUE(ExpireRequests(L(), "system")->empty());
  EXPECT_EQ(ListRequests(L(), {.status = RequestStatus::kExpired})->size(), 1u);

  // A profile that states no expiry gets the documented default.
  policy::Profile profile = L().Profile();
  profile.deadlines.request_expiry_days = 0;
  EXPECT_EQ(RequestExpiryDays(profile), kDefaultRequestExpiryDays);
  EXPECT_EQ(RequestExpiryDays(L().Profile()), 30);
}

TEST_F(RequestsTest, ObligationsBecomeRecordsToFill) {
  // 2.2(9): disposing of a medium holding importance A data.
  auto request = *Submit(L(), "s1", kDisposeMediaA, "保存期間満了のため");
  ASSERT_EQ(request.obligations.size(), 2u);
  EXPECT_EQ(request.obligations[0].obligation, "record");
  EXPECT_EQ(request.obligations[0].fields, (std::vector<std::string>{"date", "person", "method"}));
  EXPECT_EQ(request.obligations[0].clause, "2.2(9)②");
  EXPECT_EQ(request.obligations[1].obligation, "erase_irrecoverably");
  EXPECT_EQ(request.obligations[1].clause, "2.2(9)①");

  const std::map<std::string, std::string> record{
      {"date", "2026-12-02"}, {"person", "s1"}, {"method", "溶解処理業者に引渡し"}};
  auto too_early = FillObligation(L(), request.id, "s1", "record", record);
  ASSERT_FALSE(too_early.Ok());
  EXPECT_NE(too_early.Err().Headline().message_ja.find("承認されていない"), std::string::npos);

  ASSERT_TRUE(ApproveRequest(L(), request.id, "m1", "").Ok());
  // Every bad field named, nothing stored.
  const auto seq = LastSeq(L());
  auto bad = FillObligation(L(), request.id, "s1", "record",
                            {{"date", "2026-13-01"}, {"person", "nobody"}, {"color", "red"}});
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()), (std::vector<std::string>{"date", "person", "method", "color"}));
  EXPECT_EQ(LastSeq(L()), seq);
  auto unknown = FillObligation(L(), request.id, "s1", "encrypt_or_password", record);
  ASSERT_FALSE(unknown.Ok());
  EXPECT_EQ(unknown.Err().Headline().where.key, "obligation");
  auto outsider = FillObligation(L(), request.id, "m2", "record", record);
  ASSERT_FALSE(outsider.Ok());
  EXPECT_EQ(outsider.Err().Headline().where.key, "person");

  auto first = FillObligation(L(), request.id, "s1", "record", record);
  ASSERT_TRUE(first.Ok()) << first.Err().ToString();
  EXPECT_EQ(first->status, RequestStatus::kApproved);
  EXPECT_TRUE(first->obligations[0].Filled());
  EXPECT_EQ(first->obligations[0].values.at("method"), "溶解処理業者に引渡し");
  EXPECT_EQ(first->obligations[0].filled_by, "s1");
  EXPECT_EQ(LastAction(L()), "request.record");
  EXPECT_EQ(LastState(L()), ToJson(*first));
  EXPECT_FALSE(FillObligation(L(), request.id, "s1", "record", record).Ok());  // once only

  auto done = FillObligation(L(), request.id, "m1", "erase_irrecoverably",
                             {{"date", "2026-12-02"}, {"person", "s2"}, {"method", "物理破壊"}});
  ASSERT_TRUE(done.Ok()) << done.Err().ToString();
  EXPECT_EQ(done->status, RequestStatus::kCompleted);
  EXPECT_FALSE(done->completed_at.empty());
  EXPECT_EQ(ListRequests(L(), {.status = RequestStatus::kCompleted})->size(), 1u);
}

TEST_F(RequestsTest, AllowedAndDeniedRequestsAreDecidedAtOnce) {
  // 2.2(6): sending importance A data is allowed with encryption.
  auto sent = Submit(L(), "s1",
                     R"({"action": "send", "asset": {"kind": "data", "classification": {"importance": "A"}}})");
  ASSERT_TRUE(sent.Ok()) << sent.Err().ToString();
  EXPECT_EQ(sent->status, RequestStatus::kApproved);
  EXPECT_TRUE(sent->steps.empty());
  EXPECT_TRUE(sent->expires_at.empty());
  ASSERT_EQ(sent->obligations.size(), 1u);
  EXPECT_EQ(sent->obligations[0].obligation, "encrypt_or_password");
  ASSERT_TRUE(FillObligation(L(), sent->id, "s1", "encrypt_or_password",
                             {{"date", "2026-12-01"}, {"person", "s1"}, {"method", "ZIP暗号化"}})
                  .Ok());
  EXPECT_EQ(GetRequest(L(), sent->id)->status, RequestStatus::kCompleted);

  // 5.1(1)②: taking an asset out for other than work is denied, with the clause.
  auto denied = Submit(L(), "s1",
                       R"({"action": "take_out", "asset": {"kind": "data"}, "context": {"purpose": "other"}})");
  ASSERT_TRUE(denied.Ok()) << denied.Err().ToString();
  EXPECT_EQ(denied->status, RequestStatus::kDenied);
  EXPECT_TRUE(denied->obligations.empty());
  EXPECT_TRUE(denied->steps.empty());
  const Json decision = Json::parse(denied->decision_json);
  EXPECT_EQ(decision["effect"], "deny");
  EXPECT_EQ(decision["clauses"][0]["id"], "5.1(1)②");
  EXPECT_FALSE(ApproveRequest(L(), denied->id, "m1", "").Ok());
  EXPECT_EQ(ListRequests(L(), {.status = RequestStatus::kDenied})->size(), 1u);
  EXPECT_EQ(ListRequests(L(), {.requester = "s1"})->size(), 2u);
  EXPECT_TRUE(ListRequests(L(), {.requester = "s2"})->empty());
}

TEST_F(RequestsTest, OnlyTheRequesterWithdrawsAPendingRequest) {
  auto request = *Submit(L(), "s1", kTakeOutA);
  auto other = WithdrawRequest(L(), request.id, "m1", "");
  ASSERT_FALSE(other.Ok());
  EXPECT_EQ(other.Err().Headline().where.key, "requester");
  auto withdrawn = WithdrawRequest(L(), request.id, "s1", "日程変更");
  ASSERT_TRUE(withdrawn.Ok()) << withdrawn.Err().ToString();
  EXPECT_EQ(withdrawn->status, RequestStatus::kWithdrawn);
  EXPECT_EQ(withdrawn->withdraw_reason, "日程変更");
  EXPECT_EQ(LastAction(L()), "request.withdraw");
  EXPECT_FALSE(ApproveRequest(L(), request.id, "m1", "").Ok());
  EXPECT_FALSE(WithdrawRequest(L(), request.id, "s1", "").Ok());
}

TEST_F(RequestsTest, InvalidInputNamesEveryFieldAndStoresNothing) {
  const auto seq = LastSeq(L());
  auto bad = SubmitRequest(L(), {"bad code!", R"({"action": "fly", "asset": {"kind": "data"}})",
                                 std::string("目的\x01")});
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(Fields(bad.Err()), (std::vector<std::string>{"requester", "purpose", "action"}));

  auto actor = Submit(L(), "s1",
                      R"({"actor": {"id": "c1", "roles": ["ciso"]}, "action": "take_out"})");
  ASSERT_FALSE(actor.Ok());
  EXPECT_EQ(actor.Err().Headline().where.key, "request.actor");

  auto not_json = Submit(L(), "s1", "take_out please");
  ASSERT_FALSE(not_json.Ok());
  EXPECT_EQ(not_json.Err().Headline().where.key, "request");

  auto deep = Submit(L(), "s1", R"({"action": "take_out", "context": [[[[[[[[1]]]]]]]]})");
  ASSERT_FALSE(deep.Ok());
  EXPECT_EQ(deep.Err().Headline().where.key, "request");
  EXPECT_NE(deep.Err().Headline().message_en.find("nested too deeply"), std::string::npos);

  auto level = Submit(L(), "s1",
                      R"({"action": "take_out", "asset": {"kind": "data", "classification": {"importance": "S"}}})");
  ASSERT_FALSE(level.Ok());
  EXPECT_EQ(level.Err().Headline().where.key, "asset.classification.importance");

  auto nobody = Submit(L(), "zz9", kTakeOutA);
  ASSERT_FALSE(nobody.Ok());
  EXPECT_EQ(nobody.Err().Code(), ErrorCode::kNotFound);

  ASSERT_TRUE(EndPerson(L(), "system", "s2", "2026-11-30").Ok());
  const auto after_end = LastSeq(L());
  auto gone = Submit(L(), "s2", kTakeOutA);
  ASSERT_FALSE(gone.Ok());
  EXPECT_EQ(gone.Err().Headline().where.key, "requester");

  EXPECT_EQ(LastSeq(L()), after_end);
  EXPECT_EQ(after_end, seq + 1);  // only EndPerson's event
  EXPECT_TRUE(ListRequests(L(), {})->empty());

  // Filters are checked too.
  EXPECT_FALSE(ListRequests(L(), {.action = "fly"}).Ok());
  EXPECT_FALSE(ListRequests(L(), {.waiting_for = "nobody"}).Ok());
  EXPECT_FALSE(GetRequest(L(), 999).Ok());
}

TEST_F(RequestsTest, StateSurvivesReopening) {
  auto request = *Submit(L(), "s1", kDisposeMediaA);
  ASSERT_TRUE(ApproveRequest(L(), request.id, "m1", "可").Ok());
  const Json before = ToJson(*GetRequest(L(), request.id));
  ledger_->Reopen();
  EXPECT_EQ(ToJson(*GetRequest(L(), request.id)), before);
}

// ---------------------------------------------------------------------------
// Roles a profile defines (tests/data/policies/system_admin.toml): change_system
// needs the permission of the 情報システム管理者 of the requester's section.

constexpr const char* kChangeSystem = R"({"action": "change_system", "asset": {"kind": "system"}})";

class ProfileRolesRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ledger_ = std::make_unique<testing::TempLedger>(
        std::string("wf_roles_") + info->name(),
        MAMORI_SOURCE_DIR "/tests/data/policies/system_admin.toml");
    testing::SeedOrganization(**ledger_);
    // 情報システム管理者 per section: sa1 for 税務課, sa2 for 介護保険課.
    AddPersonWithRole(L(), "sa1", "zeimu", "system_admin", "zeimu");
    AddPersonWithRole(L(), "sa2", "kaigo", "system_admin", "kaigo");
  }
  Ledger& L() { return **ledger_; }

  std::unique_ptr<testing::TempLedger> ledger_;
};

TEST_F(ProfileRolesRequestsTest, RoutesToTheHolderOfTheProfileRoleForTheSection) {
  auto request = Submit(L(), "s1", kChangeSystem);
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  EXPECT_EQ(request->status, RequestStatus::kPending);
  ASSERT_EQ(request->steps.size(), 1u);
  EXPECT_EQ(request->steps[0].roles, std::vector<std::string>{"system_admin"});
  EXPECT_EQ(request->steps[0].routed_to, std::vector<std::string>{"sa1"});
  EXPECT_EQ(Codes(*CurrentApprovers(L(), *request)), std::vector<std::string>{"sa1"});
  // The inbox query: waiting for sa1, not for the other section's holder.
  ASSERT_EQ(ListRequests(L(), {.waiting_for = "sa1"})->size(), 1u);
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "sa2"})->empty());
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "m1"})->empty());

  // The other section's holder may not approve; the error names the role by
  // its title and the section.
  const auto seq = LastSeq(L());
  auto wrong = ApproveRequest(L(), request->id, "sa2", "");
  ASSERT_FALSE(wrong.Ok());
  EXPECT_EQ(wrong.Err().Headline().where.key, "approver");
  EXPECT_NE(wrong.Err().Headline().message_ja.find("情報システム管理者（課室等「zeimu"),
            std::string::npos)
      << wrong.Err().ToString();
  EXPECT_NE(wrong.Err().Headline().message_en.find("system_admin (section zeimu)"),
            std::string::npos);
  EXPECT_EQ(LastSeq(L()), seq);

  auto approved = ApproveRequest(L(), request->id, "sa1", "確認しました");
  ASSERT_TRUE(approved.Ok()) << approved.Err().ToString();
  EXPECT_EQ(approved->status, RequestStatus::kApproved);
  ASSERT_EQ(approved->actions.size(), 1u);
  EXPECT_EQ(approved->actions[0].role, "system_admin");
}

TEST_F(ProfileRolesRequestsTest, OrganizationWideProfileRoleAndItsDelegates) {
  // 情報セキュリティ委員会 (organization-wide) delegates to the chief
  // officer (delegation is one level: not on to the chief's deputy).
  AddPersonWithRole(L(), "cm1", "joho", "committee", "");
  auto request = Submit(L(), "s1", kExchange);
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  ASSERT_EQ(request->steps.size(), 1u);
  EXPECT_EQ(request->steps[0].routed_to, (std::vector<std::string>{"c1", "cm1"}));
  auto approved = ApproveRequest(L(), request->id, "cm1", "");
  ASSERT_TRUE(approved.Ok()) << approved.Err().ToString();
  EXPECT_EQ(approved->actions[0].role, "committee");
}

TEST_F(ProfileRolesRequestsTest, HolderOfTheProfileRoleNeverApprovesTheirOwnRequest) {
  // sa1 is 税務課's only 情報システム管理者: nobody else to route to.
  const auto before = LastSeq(L());
  auto alone = Submit(L(), "sa1", kChangeSystem);
  ASSERT_FALSE(alone.Ok());
  EXPECT_EQ(alone.Err().Headline().where.key, "approvals");
  EXPECT_NE(alone.Err().Headline().message_ja.find("情報システム管理者（課室等「zeimu"),
            std::string::npos)
      << alone.Err().ToString();
  EXPECT_NE(alone.Err().Headline().message_ja.find("申請者以外の"), std::string::npos);
  EXPECT_EQ(LastSeq(L()), before);

  AddPersonWithRole(L(), "sa3", "zeimu", "system_admin", "zeimu");
  auto request = Submit(L(), "sa1", kChangeSystem);
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  EXPECT_EQ(request->steps[0].routed_to, std::vector<std::string>{"sa3"});
  EXPECT_TRUE(ListRequests(L(), {.waiting_for = "sa1"})->empty());
  const Json decision = Json::parse(request->decision_json);
  ASSERT_TRUE(decision.contains("separation_of_duties"));
  EXPECT_EQ(decision["separation_of_duties"][0]["role"], "system_admin");
  auto own = ApproveRequest(L(), request->id, "sa1", "");
  ASSERT_FALSE(own.Ok());
  EXPECT_NE(own.Err().Headline().message_ja.find("1(3)①"), std::string::npos);
  ASSERT_TRUE(ApproveRequest(L(), request->id, "sa3", "").Ok());
}

TEST_F(ProfileRolesRequestsTest, AssignRoleChecksProfileRoleIdsAndScopes) {
  const auto before = LastSeq(L());
  auto unknown = AssignRole(L(), "system", "s1", "system_admn", "zeimu", "2020-04-01");
  ASSERT_FALSE(unknown.Ok());
  EXPECT_EQ(unknown.Err().Headline().where.key, "role");
  EXPECT_NE(unknown.Err().Headline().message_ja.find("役割「system_admn」はありません"),
            std::string::npos);
  EXPECT_NE(unknown.Err().Headline().message_en.find("no role \"system_admn\""), std::string::npos);
  // A section-scoped profile role needs a section; an organization-wide one
  // takes none.
  auto no_section = AssignRole(L(), "system", "s1", "system_admin", "", "2020-04-01");
  ASSERT_FALSE(no_section.Ok());
  EXPECT_EQ(no_section.Err().Headline().where.key, "scope");
  auto scoped_committee = AssignRole(L(), "system", "s1", "committee", "zeimu", "2020-04-01");
  ASSERT_FALSE(scoped_committee.Ok());
  EXPECT_EQ(scoped_committee.Err().Headline().where.key, "scope");
  EXPECT_EQ(LastSeq(L()), before);

  // Stored by id, read back as the profile's role.
  const auto roles = ListRoles(L());
  ASSERT_TRUE(roles.Ok());
  const Role admin = *L().Profile().ParseRole("system_admin");
  const auto held = std::count_if(roles->begin(), roles->end(), [&](const RoleAssignment& r) {
    return r.role == admin && r.section_code == "zeimu" && r.person_code == "sa1";
  });
  EXPECT_EQ(held, 1);
  const auto zeimu = *FindSection(L(), "zeimu");
  EXPECT_EQ(Codes(*HoldersOf(L(), admin, zeimu, "2026-01-01")), std::vector<std::string>{"sa1"});
  EXPECT_TRUE(*HoldsFor(L(), *FindPerson(L(), "sa1"), admin, zeimu, "2026-01-01"));
  EXPECT_FALSE(*HoldsFor(L(), *FindPerson(L(), "sa2"), admin, zeimu, "2026-01-01"));
}

TEST(RequestStatusTest, IdsRoundTrip) {
  for (auto status : {RequestStatus::kPending, RequestStatus::kApproved, RequestStatus::kCompleted,
                      RequestStatus::kDenied, RequestStatus::kRejected, RequestStatus::kWithdrawn,
                      RequestStatus::kExpired}) {
    EXPECT_EQ(ParseRequestStatus(Id(status)), status);
    EXPECT_FALSE(TitleJa(status).empty());
  }
  EXPECT_FALSE(ParseRequestStatus("done").has_value());
}

}  // namespace
}  // namespace mamori::ledger::workflow
