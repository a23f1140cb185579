// Table-driven tests of the 阪南市 profile: at least one case per clause of
// its 第2章 that makes a person ask permission, forbids something or attaches
// a duty. Each case asserts the effect, the approval steps, the obligations
// and the clause cited, as the shared JSON contract renders them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "decide/decision_json.h"
#include "decide/engine.h"
#include "decide/request.h"
#include "policy/loader.h"

namespace mamori::decide {
namespace {

using Json = nlohmann::json;

struct Case {
  const char* name;
  const char* request;      // the JSON request
  const char* effect;       // allow | approval_required | deny
  const char* approvals;    // JSON array of steps
  const char* obligations;  // JSON array, in vocabulary order
  const char* clause;       // a clause the decision must cite
};

const policy::Profile& Hannan() {
  static const policy::Profile* profile = [] {
    auto loaded = policy::LoadProfile(std::string(MAMORI_SOURCE_DIR) + "/policies/hannan.toml");
    if (!loaded.Ok()) {
      ADD_FAILURE() << loaded.Err().ToString();
      return new policy::Profile();
    }
    return new policy::Profile(std::move(loaded).Value());
  }();
  return *profile;
}

class HannanTest : public ::testing::TestWithParam<Case> {};

TEST_P(HannanTest, DecidesAsTheClauseSays) {
  const Case& c = GetParam();
  const policy::Profile& profile = Hannan();
  auto request = ParseRequest(profile, c.request);
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  const Decision decision = Decide(profile, *request);
  const Json out = Json::parse(DecisionToJson(profile, *request, decision, Detail::kContract));
  EXPECT_EQ(out["effect"], c.effect) << out.dump(2);
  EXPECT_EQ(out["approvals"], Json::parse(c.approvals)) << out.dump(2);
  EXPECT_EQ(out["obligations"], Json::parse(c.obligations)) << out.dump(2);
  bool cited = false;
  for (const Json& clause : out["clauses"]) {
    if (clause["id"] == c.clause) cited = true;
    // Every clause is cited from 阪南市's own policy, never from the base.
    EXPECT_EQ(clause["document"].get<std::string>().rfind("阪南市情報セキュリティポリシー", 0), 0u)
        << clause.dump();
  }
  EXPECT_TRUE(cited) << "clause " << c.clause << " not cited:\n" << out.dump(2);
  EXPECT_FALSE(out["explanation"].get<std::string>().empty());
}

#define STAFF R"("actor":{"id":"u1","roles":["staff"],"section":"税務課"})"
#define MANAGER R"("actor":{"id":"m1","roles":["staff","manager"],"section":"税務課"})"
#define ASSET(kind, level) R"("asset":{"kind":")" kind R"(","classification":{"importance":")" level R"("}})"

const Case kCases[] = {
    // 1(3)① 兼務の禁止
    {"SeparationOfDutiesWhenManagerDisposesOwnMedium",
     "{" MANAGER R"(,"action":"dispose",)" ASSET("media", "A") "}", "approval_required",
     R"([["manager"]])", R"(["record","erase_irrecoverably"])", "1(3)①"},
    // 2.2(2) 情報資産の作成
    {"CreateUnnecessaryInformationIsDenied",
     "{" STAFF R"(,"action":"create",)" ASSET("data", "C") R"(,"context":{"purpose":"other"}})", "deny",
     "[]", "[]", "2.2(2)①"},
    {"CreateRequiresClassification", "{" STAFF R"(,"action":"create",)" ASSET("data", "B") "}",
     "allow", "[]", R"(["classify"])", "2.2(2)②"},
    // 2.2(3) 情報資産の入手
    {"ObtainFromOutsideRequiresClassification",
     "{" STAFF R"(,"action":"obtain",)" ASSET("data", "B") R"(,"context":{"destination":"external"}})",
     "allow", "[]", R"(["virus_check","classify"])", "2.2(3)②"},
    // 2.2(4) 情報資産の利用
    {"UseOutsidePurposeNeedsChiefOfficerOrManager",
     "{" STAFF R"(,"action":"use",)" ASSET("data", "C") R"(,"context":{"purpose":"other"}})",
     "approval_required", R"([["chief_officer","manager","deputy_chief_officer"]])", "[]", "2.2(4)①"},
    // 3(1)②ア 多要素認証
    {"MyNumberTerminalNeedsMfa",
     "{" STAFF R"(,"action":"use",)" ASSET("data", "A") R"(,"context":{"segment":"mynumber"}})", "allow",
     "[]", R"(["mfa"])", "3(1)②ア"},
    // 2.2(5) 情報資産の保管
    {"LongTermMediaAreWriteProtected",
     "{" MANAGER R"(,"action":"store",)" ASSET("media", "C") R"(,"context":{"long_term":true}})",
     "allow", "[]", R"(["write_protect"])", "2.2(5)②"},
    {"LongTermBackupsAreStoredElsewhere",
     "{" MANAGER R"(,"action":"store",)" ASSET("media", "C") R"(,"context":{"long_term":true,"backup":true}})",
     "allow", "[]", R"(["write_protect","remote_backup_storage"])", "2.2(5)③"},
    {"ImportanceAMediaGoIntoFireproofStorage",
     "{" MANAGER R"(,"action":"store",)" ASSET("media", "A") "}", "allow", "[]",
     R"(["fireproof_storage"])", "2.2(5)④"},
    {"TakeOutNeedsTheOwningManager", "{" STAFF R"(,"action":"take_out",)" ASSET("data", "C") "}",
     "approval_required", R"([["manager"]])", "[]", "2.2(5)⑤"},
    // 2.2(6) 情報資産の送信
    {"SendingImportanceAIsEncrypted", "{" STAFF R"(,"action":"send",)" ASSET("data", "A") "}", "allow",
     "[]", R"(["encrypt_or_password"])", "2.2(6)"},
    // 2.2(7) 情報資産の運搬
    {"TransportImportanceANeedsPermissionAndLockedCase",
     "{" STAFF R"(,"action":"transport",)" ASSET("media", "A") R"(,"context":{"channel":"vehicle"}})",
     "approval_required", R"([["manager"]])", R"(["encrypt_or_password","locked_case"])", "2.2(7)②"},
    {"TransportProtectionCitesItsClause", "{" STAFF R"(,"action":"transport",)" ASSET("media", "A") "}",
     "approval_required", R"([["manager"]])", R"(["encrypt_or_password","locked_case"])", "2.2(7)①"},
    // 2.2(8) 情報資産の提供
    {"ProvideImportanceANeedsPermission", "{" STAFF R"(,"action":"provide",)" ASSET("data", "A") "}",
     "approval_required", R"([["manager"]])", R"(["encrypt_or_password"])", "2.2(8)②"},
    {"ProvideImportanceAIsEncrypted", "{" STAFF R"(,"action":"provide",)" ASSET("data", "A") "}",
     "approval_required", R"([["manager"]])", R"(["encrypt_or_password"])", "2.2(8)①"},
    // 2.2(9) 情報資産の廃棄
    {"DisposeImportanceAMediumIsRecordedAndPermitted",
     "{" STAFF R"(,"action":"dispose",)" ASSET("media", "A") "}", "approval_required",
     R"([["manager"]])", R"(["record","erase_irrecoverably"])", "2.2(9)②"},
    {"DisposePermissionCitesItsClause", "{" STAFF R"(,"action":"dispose",)" ASSET("media", "A") "}",
     "approval_required", R"([["manager"]])", R"(["record","erase_irrecoverably"])", "2.2(9)③"},
    {"DisposeAnythingMakesItIrrecoverable", "{" STAFF R"(,"action":"dispose",)" ASSET("data", "C") "}",
     "allow", "[]", R"(["erase_irrecoverably"])", "2.2(9)①"},
    // 2.1(2) 取扱制限
    {"CopiesBeyondNeedAreDenied",
     "{" STAFF R"(,"action":"copy",)" ASSET("data", "B") R"(,"context":{"purpose":"other"}})", "deny",
     "[]", "[]", "2.1(2)"},
    // 3(1) マイナンバー利用事務系
    {"NoCopyFromMyNumberToMedia",
     "{" STAFF R"(,"action":"copy",)" ASSET("data", "A") R"(,"context":{"segment":"mynumber","channel":"media"}})",
     "deny", "[]", "[]", "3(1)②イ"},
    {"NoTakeOutFromMyNumberOnMedia",
     "{" STAFF R"(,"action":"take_out",)" ASSET("data", "A") R"(,"context":{"segment":"mynumber","channel":"media"}})",
     "deny", "[]", "[]", "3(1)②イ"},
    {"NoRemoteAccessIntoMyNumber",
     "{" STAFF R"(,"action":"remote_access","context":{"segment":"mynumber"}})", "deny", "[]", "[]",
     "3(1)①"},
    {"MyNumberToLgwanOnlyOnRestrictedPathsWithPermission",
     "{" STAFF R"(,"action":"segment_transfer","context":{"segment":"mynumber","to_segment":"lgwan"}})",
     "approval_required", R"([["chief_officer","deputy_chief_officer"],["manager"]])",
     R"(["restricted_path"])", "3(1)①"},
    {"InternetToMyNumberIsNever",
     "{" STAFF R"(,"action":"segment_transfer","context":{"segment":"internet","to_segment":"mynumber"}})",
     "deny", "[]", "[]", "3(1)①"},
    // 3(2) LGWAN接続系
    {"InternetToLgwanOnlySanitized",
     "{" STAFF R"(,"action":"segment_transfer","context":{"segment":"internet","to_segment":"lgwan"}})",
     "allow", "[]", R"(["sanitize"])", "3(2)①"},
    {"LgwanToInternetOnlyScreenTransfer",
     "{" STAFF R"(,"action":"segment_transfer","context":{"segment":"lgwan","to_segment":"internet"}})",
     "allow", "[]", R"(["screen_transfer"])", "3"},
    // 4.1 サーバ等の管理
    {"StaffMayNotChangeWiring", "{" STAFF R"(,"action":"change_wiring"})", "deny", "[]", "[]",
     "4.1(3)③"},
    {"RepairEraseFirst", "{" MANAGER R"(,"action":"repair_equipment"})", "allow", "[]",
     R"(["erase_irrecoverably"])", "4.1(4)②"},
    {"OffsiteServerNeedsCiso", "{" MANAGER R"(,"action":"install_equipment_offsite"})",
     "approval_required", R"([["ciso"]])", R"(["periodic_check"])", "4.1(5)"},
    {"DisposingEquipmentErasesAndRecords", "{" MANAGER R"(,"action":"dispose_equipment"})", "allow",
     "[]", R"(["record","erase_irrecoverably"])", "4.1(6)"},
    // 4.2 管理区域
    {"ControlledAreaEntryIsPermittedAndLogged", "{" STAFF R"(,"action":"enter_controlled_area"})",
     "approval_required", R"([["chief_officer","manager","deputy_chief_officer"]])",
     R"(["record","carry_identification"])", "4.2(2)①"},
    {"VisitorsAreEscorted",
     "{" STAFF R"(,"action":"enter_controlled_area","context":{"visitor":true}})", "approval_required",
     R"([["chief_officer","manager","deputy_chief_officer"]])",
     R"(["record","escort","carry_identification","visitor_identification"])", "4.2(2)③"},
    {"CarryEquipmentIsCheckedAndWitnessed", "{" STAFF R"(,"action":"carry_equipment"})", "allow", "[]",
     R"(["witness","impact_check"])", "4.2(3)"},
    // 5.1 職員の遵守事項
    {"TakeOutForOtherPurposeIsDenied",
     "{" STAFF R"(,"action":"take_out",)" ASSET("data", "C") R"(,"context":{"purpose":"other"}})", "deny",
     "[]", "[]", "5.1(1)②"},
    {"TakeOutOfADeviceIsRecorded", "{" STAFF R"(,"action":"take_out",)" ASSET("device", "B") "}",
     "approval_required", R"([["manager"]])", R"(["record"])", "5.1(1)⑤"},
    {"OffsiteWorkNeedsTheManager", "{" STAFF R"(,"action":"offsite_work"})", "approval_required",
     R"([["manager"]])", "[]", "5.1(1)③イ"},
    {"OffsiteWorkOnOwnDeviceNeedsTheManager",
     "{" STAFF R"(,"action":"offsite_work",)" ASSET("data", "B") R"(,"context":{"device":"non_issued"}})",
     "approval_required", R"([["manager"]])", R"(["safety_measures"])", "5.1(1)③ウ"},
    {"ImportanceANeverOnOwnDevice",
     "{" STAFF R"(,"action":"offsite_work",)" ASSET("data", "A") R"(,"context":{"device":"non_issued"}})",
     "deny", "[]", "[]", "5.1(1)③ウ"},
    {"UnauthorizedMediaAreDenied",
     "{" STAFF R"(,"action":"connect_media","context":{"media":"unauthorized"}})", "deny", "[]", "[]",
     "5.1(1)④ア"},
    {"AuthorizedMediaAreScanned",
     "{" STAFF R"(,"action":"connect_media","context":{"media":"authorized"}})", "allow", "[]",
     R"(["virus_check"])", "6.4(3)②"},
    {"NonIssuedDeviceNeedsTheChiefOfficer", "{" STAFF R"(,"action":"use_non_issued_device"})",
     "approval_required", R"([["chief_officer","deputy_chief_officer"]])", "[]", "5.1(1)④イ"},
    {"NonIssuedDeviceNeverForImportanceA",
     "{" STAFF R"(,"action":"use_non_issued_device",)" ASSET("data", "A") "}", "deny", "[]", "[]",
     "5.1(1)③ウ"},
    {"BringingInIsRecordedAndChecked", "{" STAFF R"(,"action":"bring_in"})", "allow", "[]",
     R"(["record","patch_check"])", "5.1(1)⑤"},
    {"SecuritySettingsNeedTheManager", "{" STAFF R"(,"action":"change_security_settings"})",
     "approval_required", R"([["manager"]])", "[]", "5.1(1)⑥"},
    {"MailToUnneededRecipientsIsDenied",
     "{" STAFF R"(,"action":"send_email","context":{"purpose":"other"}})", "deny", "[]", "[]",
     "5.1(1)⑧ア"},
    {"ExternalMailHidesRecipients",
     "{" STAFF R"(,"action":"send_email","context":{"destination":"external"}})", "allow", "[]",
     R"(["virus_check","hide_recipients"])", "5.1(1)⑧イ"},
    {"ExternalMailWithImportanceAIsEncrypted",
     "{" STAFF R"(,"action":"send_email",)" ASSET("data", "A") R"(,"context":{"destination":"external"}})",
     "allow", "[]", R"(["encrypt_or_password","virus_check","hide_recipients"])", "6.1(13)①"},
    {"FreeMailNeedsTheChiefOfficer", "{" STAFF R"(,"action":"use_free_service"})", "approval_required",
     R"([["chief_officer","deputy_chief_officer"]])", "[]", "5.1(1)⑧エ"},
    // 6 技術的セキュリティ
    {"ExchangeWithOtherBodiesNeedsChiefAndOfficer",
     "{" MANAGER R"(,"action":"exchange_with_other_organization"})", "approval_required",
     R"([["chief_officer","deputy_chief_officer"],["officer"]])", "[]", "6.1(3)"},
    {"SystemChangesByTwo", "{" MANAGER R"(,"action":"change_system"})", "allow", "[]",
     R"(["record","two_person"])", "6.1(4)"},
    {"ExternalNetworkNeedsCisoAndChief", "{" MANAGER R"(,"action":"connect_external_network"})",
     "approval_required", R"([["ciso"],["chief_officer","deputy_chief_officer"]])",
     R"(["contract_clauses","firewall","impact_check"])", "6.1(10)"},
    {"SoftwareNeedsChiefAndManager", "{" STAFF R"(,"action":"install_software"})", "approval_required",
     R"([["chief_officer","deputy_chief_officer"],["manager"]])", R"(["license_management"])",
     "6.1(14)"},
    {"HardwareChangesNeedChiefAndManager", "{" STAFF R"(,"action":"change_hardware"})",
     "approval_required", R"([["chief_officer","deputy_chief_officer"],["manager"]])", "[]", "6.1(15)"},
    {"NetworkConnectionNeedsTheChiefOfficer", "{" STAFF R"(,"action":"connect_network"})",
     "approval_required", R"([["chief_officer","deputy_chief_officer"]])", "[]", "6.1(16)"},
    {"PrivilegedSessionsAreLimited", "{" MANAGER R"(,"action":"privileged_access"})", "allow", "[]",
     R"(["record","mfa","time_limited"])", "6.2(3)"},
    {"ContractorsNeedPermissionForPrivilegedIds",
     R"({"actor":{"id":"v1","roles":["contractor"]},"action":"privileged_access"})",
     "approval_required", R"([["chief_officer","manager","deputy_chief_officer"]])",
     R"(["record","mfa","time_limited"])", "6.2(1)③"},
    {"PrivilegeDelegateNamedAndAcceptedByCiso", "{" MANAGER R"(,"action":"delegate_privilege"})",
     "approval_required", R"([["chief_officer","manager","deputy_chief_officer"],["ciso"]])", "[]",
     "6.2(1)③"},
    {"RemoteAccessNeedsChiefAndManager",
     "{" STAFF R"(,"action":"remote_access","context":{"segment":"lgwan"}})", "approval_required",
     R"([["chief_officer","deputy_chief_officer"],["manager"]])", R"(["mfa","encrypt_channel"])",
     "6.2(2)①"},
    {"PublicNetworksOnlyByException", "{" STAFF R"(,"action":"connect_public_network"})",
     "approval_required", R"([["chief_officer","deputy_chief_officer"]])",
     R"(["mfa","encrypt_channel"])", "6.2(2)⑦"},
    // 7.4 例外措置
    {"ExceptionNeedsCisoOrChief", "{" MANAGER R"(,"action":"exception"})", "approval_required",
     R"([["ciso","chief_officer","deputy_chief_officer"]])", R"(["record"])", "7.4(1)"},
    {"EmergencyExceptionIsReportedAfterwards",
     "{" MANAGER R"(,"action":"exception","context":{"emergency":true}})", "allow", "[]",
     R"(["record","report_afterwards","time_limited"])", "7.4(2)"},
    // 8 外部委託と外部サービス
    {"OutsourcingNeedsContractClauses", "{" MANAGER R"(,"action":"outsource"})", "approval_required",
     R"([["manager"]])", R"(["confidentiality_agreement","contract_clauses","periodic_check"])",
     "8.1(2)"},
    {"CloudServiceMatchesTheLevel", "{" STAFF R"(,"action":"use_cloud_service"})", "approval_required",
     R"([["manager"]])", R"(["contract_clauses"])", "8.1(1)"},
    {"TermsServiceNeverHoldsImportanceB",
     "{" STAFF R"(,"action":"use_terms_service",)" ASSET("data", "B") "}", "deny", "[]", "[]", "8.2(1)"},
    {"TermsServiceIsRequested", "{" STAFF R"(,"action":"use_terms_service",)" ASSET("data", "C") "}",
     "approval_required", R"([["manager"]])", "[]", "8.2(2)"},
    {"SocialMediaNeverPostsImportanceB",
     "{" STAFF R"(,"action":"post_social_media",)" ASSET("data", "B") "}", "deny", "[]", "[]", "8.3②"},
    {"SocialMediaAccountNeedsProcedures", "{" MANAGER R"(,"action":"open_social_media_account"})",
     "approval_required", R"([["manager"]])", R"(["mfa","impersonation_countermeasure"])", "8.3③"},
};

INSTANTIATE_TEST_SUITE_P(Hannan, HannanTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

// 阪南市 differs from the guideline base where its text says 重要度Ａ only.
TEST(HannanDifferenceTest, ImportanceBNeedsNoPermissionWhereTheBaseWouldAskForIt) {
  const policy::Profile& hannan = Hannan();
  auto base = policy::LoadProfile(std::string(MAMORI_SOURCE_DIR) + "/policies/base.toml");
  ASSERT_TRUE(base.Ok()) << base.Err().ToString();
  auto hannan_request = ParseRequest(
      hannan, R"({"actor":{"id":"u","roles":["staff"]},"action":"transport","asset":{"kind":"media","classification":{"importance":"B"}}})");
  auto base_request = ParseRequest(
      *base, R"({"actor":{"id":"u","roles":["staff"]},"action":"transport","asset":{"kind":"media","classification":{"confidentiality":"2"}}})");
  ASSERT_TRUE(hannan_request.Ok() && base_request.Ok());
  EXPECT_EQ(Decide(hannan, *hannan_request).effect, policy::Effect::kAllow);
  EXPECT_EQ(Decide(*base, *base_request).effect, policy::Effect::kApprovalRequired);
}

}  // namespace
}  // namespace mamori::decide
