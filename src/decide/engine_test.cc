#include "decide/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "common/file_system.h"
#include "decide/decision_json.h"
#include "decide/request.h"
#include "policy/loader.h"

namespace mamori::decide {
namespace {

using policy::Effect;
using policy::Obligation;
using policy::Role;

// A profile written for these tests: every combination rule of the engine
// has a rule here that exercises it.
constexpr const char* kProfile = R"(
[profile]
id = "engine_test"
[organization]
name = "試験市"
[documents.std]
title = "試験市対策基準"
kind = "standards"
public = true
[[clauses]]
id = "A"
title = "持ち出し"
document = "std"
[[clauses]]
id = "B"
title = "持ち出しの禁止"
document = "std"
[[clauses]]
id = "C"
title = "兼務の禁止"
document = "std"
[[clauses]]
id = "N"
title = "ネットワーク"
document = "std"
[classification]
[[classification.axes]]
id = "importance"
title = "重要度"
[[classification.axes.levels]]
id = "A"
title = "A"
definition = "高"
[[classification.axes.levels]]
id = "B"
title = "B"
definition = "中"
[[classification.axes.levels]]
id = "C"
title = "C"
definition = "低"
[roles.staff]
title = "職員"
[roles.manager]
title = "課長"
[roles.contractor]
title = "委託事業者"
[roles.ciso]
title = "CISO"
[roles.chief_officer]
title = "統括"
delegates = ["deputy_chief_officer"]
[roles.deputy_chief_officer]
title = "副統括"
[separation_of_duties]
clauses = ["C"]
[network]
model = "custom"
clause = "N"
[[network.segments]]
id = "a"
title = "A系"
[[network.segments]]
id = "b"
title = "B系"
[[network.segments]]
id = "c"
title = "C系"
[[network.flows]]
from = "a"
to = "b"
mode = "sanitized"
[[network.flows]]
from = "b"
to = "a"
mode = "restricted"
approvals = [["chief_officer"]]
[[network.flows]]
from = "a"
to = "c"
mode = "never"
[passwords]
min_length = 12

[[rules]]
id = "take_out.permission"
action = "take_out"
effect = "approval_required"
approvals = [["manager"]]
obligations = ["record"]
clauses = ["A"]
text = "持ち出しは課長の許可。"
[rules.when]
min_level = { importance = "B" }

[[rules]]
id = "take_out.top"
action = "take_out"
effect = "approval_required"
approvals = [["manager"], ["chief_officer"]]
obligations = ["encrypt_or_password", "record"]
clauses = ["A"]
text = "重要度Aは統括の許可も要る。"
[rules.when]
level = { importance = "A" }

[[rules]]
id = "take_out.non_issued"
action = "take_out"
effect = "deny"
obligations = ["report_to_manager"]
clauses = ["B"]
text = "支給以外の機器への持ち出しは禁止。"
[rules.when]
device = "non_issued"

[[rules]]
id = "send_email.encrypt"
action = "send_email"
effect = "allow"
obligations = ["encrypt_or_password"]
clauses = ["A"]
text = "重要度Aのメールは暗号化。"
[rules.when]
level = { importance = "A" }

[[rules]]
id = "install_software.permission"
action = "install_software"
effect = "approval_required"
approvals = [["chief_officer", "manager"]]
clauses = ["A"]
text = "導入は許可制。"
[rules.when]
unless_roles = ["chief_officer"]

[[rules]]
id = "change_wiring.contractor"
action = "change_wiring"
effect = "allow"
obligations = ["witness"]
clauses = ["A"]
text = "委託事業者は立会いの下で配線できる。"
[rules.when]
actor_roles = ["contractor"]

[[rules]]
id = "exception.emergency"
action = "exception"
effect = "allow"
obligations = ["report_afterwards"]
clauses = ["A"]
text = "緊急時は事後報告。"
[rules.when]
emergency = true

[[rules]]
id = "exception.normal"
action = "exception"
effect = "approval_required"
approvals = [["ciso", "chief_officer"]]
clauses = ["A"]
text = "通常は許可。"
[rules.when]
emergency = false
)";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MemoryFileSystem fs;
    auto loaded = policy::LoadProfileFromText(kProfile, "engine_test.toml", fs);
    ASSERT_TRUE(loaded.Ok()) << loaded.Err().ToString();
    profile_ = std::move(loaded).Value();
  }

  Decision DecideJson(const std::string& json) {
    auto request = ParseRequest(profile_, json);
    EXPECT_TRUE(request.Ok()) << (request.Ok() ? "" : request.Err().ToString());
    if (!request.Ok()) return {};
    request_ = *request;
    return Decide(profile_, *request);
  }

  std::string ClauseIds(const Decision& decision) const {
    std::string out;
    for (auto index : decision.clauses) out += (out.empty() ? "" : ",") + profile_.clauses[index].id;
    return out;
  }

  static bool Has(const Decision& decision, Obligation obligation) {
    return (decision.obligations & (std::uint64_t{1} << static_cast<int>(obligation))) != 0;
  }

  policy::Profile profile_;
  Request request_;
};

TEST_F(EngineTest, NoMatchingRuleGivesTheDefaultEffect) {
  auto decision = DecideJson(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"data","classification":{"importance":"C"}}})");
  EXPECT_EQ(decision.effect, Effect::kAllow);
  EXPECT_TRUE(decision.default_applied);
  EXPECT_TRUE(decision.approvals.empty());
}

TEST_F(EngineTest, ApprovalsAndObligationsOfMatchingRulesCombine) {
  auto decision = DecideJson(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"data","classification":{"importance":"A"}}})");
  EXPECT_EQ(decision.effect, Effect::kApprovalRequired);
  // [manager] appears in both rules and is kept once; chief_officer is
  // expanded with its delegate.
  ASSERT_EQ(decision.approvals.size(), 2u);
  EXPECT_EQ(decision.approvals[0], (std::vector<Role>{Role::kManager}));
  EXPECT_EQ(decision.approvals[1],
            (std::vector<Role>{Role::kChiefOfficer, Role::kDeputyChiefOfficer}));
  EXPECT_TRUE(Has(decision, Obligation::kRecord));
  EXPECT_TRUE(Has(decision, Obligation::kEncryptOrPassword));
  EXPECT_EQ(ClauseIds(decision), "A");
  EXPECT_EQ(decision.matched_rules.size(), 2u);
}

TEST_F(EngineTest, DenyOverridesAndKeepsOnlyTheDenyingRules) {
  auto decision = DecideJson(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"data","classification":{"importance":"A"}},"context":{"device":"non_issued"}})");
  EXPECT_EQ(decision.effect, Effect::kDeny);
  EXPECT_TRUE(decision.approvals.empty());
  EXPECT_TRUE(Has(decision, Obligation::kReportToManager));
  EXPECT_FALSE(Has(decision, Obligation::kRecord));
  EXPECT_EQ(ClauseIds(decision), "B");
}

TEST_F(EngineTest, SeveralLevelsCountAtTheHighest) {
  auto decision = DecideJson(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"media","classification":{"importance":["C","A","B"]}}})");
  EXPECT_EQ(decision.approvals.size(), 2u) << "the A rule must apply";
  EXPECT_FALSE(decision.assumed_highest_level);
}

TEST_F(EngineTest, UnstatedLevelIsTreatedAsTheHighest) {
  auto decision = DecideJson(R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"data"}})");
  EXPECT_EQ(decision.effect, Effect::kApprovalRequired);
  EXPECT_EQ(decision.approvals.size(), 2u);
  EXPECT_TRUE(decision.assumed_highest_level);
  EXPECT_NE(Explain(profile_, request_, decision).ja.find("最高度"), std::string::npos);
}

TEST_F(EngineTest, LevelConditionsDoNotHoldWithoutAnAsset) {
  auto decision = DecideJson(R"({"actor":{"id":"u","roles":["staff"]},"action":"send_email"})");
  EXPECT_TRUE(decision.default_applied);
  EXPECT_FALSE(decision.assumed_highest_level);
  auto unclassified =
      DecideJson(R"({"actor":{"id":"u","roles":["staff"]},"action":"send_email","asset":{"kind":"data"}})");
  EXPECT_TRUE(Has(unclassified, Obligation::kEncryptOrPassword));
  EXPECT_TRUE(unclassified.assumed_highest_level);
}

TEST_F(EngineTest, RequesterHoldingAnApprovingRoleIsTold) {
  auto decision = DecideJson(
      R"({"actor":{"id":"m","roles":["staff","manager"]},"action":"take_out","asset":{"kind":"data","classification":{"importance":"B"}}})");
  ASSERT_EQ(decision.separation_of_duties.size(), 1u);
  EXPECT_EQ(decision.separation_of_duties[0].role, Role::kManager);
  EXPECT_EQ(decision.separation_of_duties[0].step, 0);
  EXPECT_EQ(ClauseIds(decision), "A,C");
  const std::string json = DecisionToJson(profile_, request_, decision, Detail::kContract);
  EXPECT_NE(json.find("\"separation_of_duties\""), std::string::npos);
  EXPECT_NE(json.find("兼務の禁止"), std::string::npos);
}

TEST_F(EngineTest, RequesterWithoutApprovingRoleGetsNoSeparationNote) {
  auto decision = DecideJson(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"data","classification":{"importance":"B"}}})");
  EXPECT_TRUE(decision.separation_of_duties.empty());
  EXPECT_EQ(ClauseIds(decision), "A");
}

TEST_F(EngineTest, UnlessRolesExemptsTheNamedRoles) {
  auto staff = DecideJson(R"({"actor":{"id":"u","roles":["staff"]},"action":"install_software"})");
  EXPECT_EQ(staff.effect, Effect::kApprovalRequired);
  auto chief = DecideJson(R"({"actor":{"id":"c","roles":["chief_officer"]},"action":"install_software"})");
  EXPECT_EQ(chief.effect, Effect::kAllow);
  EXPECT_TRUE(chief.default_applied);
}

TEST_F(EngineTest, ActorRolesLimitARuleToThoseRoles) {
  auto contractor = DecideJson(R"({"actor":{"id":"v","roles":["contractor"]},"action":"change_wiring"})");
  EXPECT_TRUE(Has(contractor, Obligation::kWitness));
  auto staff = DecideJson(R"({"actor":{"id":"u","roles":["staff"]},"action":"change_wiring"})");
  EXPECT_FALSE(Has(staff, Obligation::kWitness));
}

TEST_F(EngineTest, BooleanContextDefaultsToFalse) {
  auto normal = DecideJson(R"({"actor":{"id":"u","roles":["manager"]},"action":"exception"})");
  EXPECT_EQ(normal.effect, Effect::kApprovalRequired);
  auto emergency =
      DecideJson(R"({"actor":{"id":"u","roles":["manager"]},"action":"exception","context":{"emergency":true}})");
  EXPECT_EQ(emergency.effect, Effect::kAllow);
  EXPECT_TRUE(Has(emergency, Obligation::kReportAfterwards));
}

TEST_F(EngineTest, SegmentTransferFollowsTheFlows) {
  auto sanitized = DecideJson(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"segment_transfer","context":{"segment":"a","to_segment":"b"}})");
  EXPECT_EQ(sanitized.effect, Effect::kAllow);
  EXPECT_TRUE(Has(sanitized, Obligation::kSanitize));

  auto restricted = DecideJson(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"segment_transfer","context":{"segment":"b","to_segment":"a"}})");
  EXPECT_EQ(restricted.effect, Effect::kApprovalRequired);
  EXPECT_TRUE(Has(restricted, Obligation::kRestrictedPath));

  auto never = DecideJson(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"segment_transfer","context":{"segment":"a","to_segment":"c"}})");
  EXPECT_EQ(never.effect, Effect::kDeny);
  EXPECT_FALSE(never.flow_missing);

  auto unlisted = DecideJson(
      R"({"actor":{"id":"u","roles":["staff"]},"action":"segment_transfer","context":{"segment":"c","to_segment":"b"}})");
  EXPECT_EQ(unlisted.effect, Effect::kDeny);
  EXPECT_TRUE(unlisted.flow_missing);
  EXPECT_EQ(ClauseIds(unlisted), "N");
}

TEST_F(EngineTest, DecisionJsonHasTheContractShape) {
  auto decision = DecideJson(
      R"({"id":"req-7","actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"data","classification":{"importance":"B"}}})");
  const std::string json = DecisionToJson(profile_, request_, decision, Detail::kContract);
  EXPECT_EQ(json,
            R"({"id":"req-7","effect":"approval_required","approvals":[["manager"]],"obligations":["record"],)"
            R"("clauses":[{"id":"A","title":"持ち出し","document":"試験市対策基準"}],)"
            R"("explanation":"情報資産の持ち出しは承認が必要です。［A］持ち出しは課長の許可。承認者: 課長。義務: 記録の作成・保管。 / )"
            R"(take_out requires approval. [take_out.permission] Approvals: manager. Obligations: record."})");
  const std::string explained = DecisionToJson(profile_, request_, decision, Detail::kExplain);
  EXPECT_NE(explained.find("\"matched_rules\":[{\"id\":\"take_out.permission\""), std::string::npos);
  EXPECT_NE(explained.find("engine_test.toml:"), std::string::npos);
}

// tests/data/policies/system_admin.toml: hannan.toml plus roles of the
// profile's own (情報システム管理者 per section, 情報セキュリティ委員会).
class ProfileRolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded =
        policy::LoadProfile(std::string(MAMORI_SOURCE_DIR) + "/tests/data/policies/system_admin.toml");
    ASSERT_TRUE(loaded.Ok()) << loaded.Err().ToString();
    profile_ = std::move(loaded).Value();
  }
  policy::Profile profile_;
};

TEST_F(ProfileRolesTest, DecisionNamesTheProfileRoleStepWithItsTitle) {
  auto request = ParseRequest(
      profile_, R"({"actor":{"id":"u","roles":["staff"]},"action":"change_system","asset":{"kind":"system"}})");
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  const Decision decision = Decide(profile_, *request);
  EXPECT_EQ(decision.effect, Effect::kApprovalRequired);
  const Role admin = *profile_.ParseRole("system_admin");
  ASSERT_EQ(decision.approvals.size(), 1u);
  EXPECT_EQ(decision.approvals[0], std::vector<Role>{admin});
  EXPECT_TRUE(decision.separation_of_duties.empty());
  const std::string json = DecisionToJson(profile_, *request, decision, Detail::kContract);
  EXPECT_NE(json.find(R"("approvals":[["system_admin"]])"), std::string::npos) << json;
  EXPECT_NE(json.find("承認者: 情報システム管理者。"), std::string::npos) << json;
  EXPECT_NE(json.find("Approvals: system_admin."), std::string::npos) << json;
  // The base's two-person rule still applies (rules combine).
  EXPECT_NE(json.find("two_person"), std::string::npos) << json;
}

TEST_F(ProfileRolesTest, ProfileRolesExpandDelegatesAndAreActorRoles) {
  // 情報セキュリティ委員会 delegates to the chief officer, who delegates on.
  auto request = ParseRequest(
      profile_, R"({"actor":{"id":"u","roles":["staff"]},"action":"exchange_with_other_organization"})");
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  const Decision decision = Decide(profile_, *request);
  const Role committee = *profile_.ParseRole("committee");
  ASSERT_EQ(decision.approvals.size(), 1u);
  EXPECT_EQ(decision.approvals[0][0], committee);
  EXPECT_NE(std::find(decision.approvals[0].begin(), decision.approvals[0].end(), Role::kChiefOfficer),
            decision.approvals[0].end());

  // A requester holding the custom role gets the separation-of-duties note
  // naming it.
  auto admin = ParseRequest(
      profile_,
      R"({"actor":{"id":"a","roles":["staff","system_admin"]},"action":"change_system","asset":{"kind":"system"}})");
  ASSERT_TRUE(admin.Ok()) << admin.Err().ToString();
  EXPECT_EQ(admin->actor_roles, policy::RoleBit(Role::kStaff) |
                                    policy::RoleBit(*profile_.ParseRole("system_admin")));
  const Decision own = Decide(profile_, *admin);
  ASSERT_EQ(own.separation_of_duties.size(), 1u);
  EXPECT_EQ(own.separation_of_duties[0].role, *profile_.ParseRole("system_admin"));
  const std::string json = DecisionToJson(profile_, *admin, own, Detail::kContract);
  EXPECT_NE(json.find(R"("role":"system_admin")"), std::string::npos) << json;
  EXPECT_NE(json.find("申請者は情報システム管理者"), std::string::npos) << json;
}

TEST_F(ProfileRolesTest, UnknownRoleInARequestListsTheProfileRoles) {
  auto request = ParseRequest(
      profile_, R"({"actor":{"id":"u","roles":["system_admn"]},"action":"change_system"})");
  ASSERT_FALSE(request.Ok());
  EXPECT_EQ(request.Err().Headline().where.key, "actor.roles[0]");
  EXPECT_NE(request.Err().Headline().message_en.find("system_admin"), std::string::npos);
  // A role another profile defines is no role here.
  policy::Profile other = profile_;
  other.roles.resize(policy::kRoleCount);
  EXPECT_FALSE(ParseRequest(
                   other, R"({"actor":{"id":"u","roles":["system_admin"]},"action":"change_system"})")
                   .Ok());
}

}  // namespace
}  // namespace mamori::decide
