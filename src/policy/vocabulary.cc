#include "policy/vocabulary.h"

#include <array>
#include <string>

namespace mamori::policy {
namespace {

constexpr std::array<ActionInfo, kActionCount> kActions = {{
    {"create", "情報資産の作成", "2.2(2)", true},
    {"obtain", "情報資産の入手", "2.2(3)", true},
    {"use", "情報資産の利用", "2.2(4)", true},
    {"store", "情報資産の保管", "2.2(5)", true},
    {"send", "情報資産の送信", "2.2(6)", true},
    {"transport", "情報資産の運搬", "2.2(7)", true},
    {"provide", "情報資産の提供", "2.2(8)", true},
    {"dispose", "情報資産の廃棄", "2.2(9)", true},
    {"copy", "情報資産の複製", "2.1(2)", true},
    {"take_out", "情報資産の持ち出し", "5.1(1)③", true},
    {"bring_in", "パソコン等の持込み", "5.1(1)⑤", false},
    {"segment_transfer", "領域間の通信・データ移送", "3", false},
    {"install_equipment_offsite", "庁外への機器の設置", "4.1(5)", false},
    {"enter_controlled_area", "管理区域への入室", "4.2(2)", false},
    {"carry_equipment", "機器等の搬入出", "4.2(3)", false},
    {"dispose_equipment", "機器の廃棄・リース返却", "4.1(6)", false},
    {"repair_equipment", "機器の修理", "4.1(4)", false},
    {"change_wiring", "配線の変更・追加", "4.1(3)", false},
    {"offsite_work", "職場外での情報処理作業", "5.1(1)③", false},
    {"use_non_issued_device", "支給以外のパソコン等の利用", "5.1(1)④", false},
    {"connect_media", "記録媒体の接続", "5.1(1)④", false},
    {"change_security_settings", "セキュリティ設定の変更", "5.1(1)⑥", false},
    {"use_free_service", "フリーメール・ネットワークストレージの利用", "5.1(1)⑧", false},
    {"send_email", "電子メールの送信", "5.1(1)⑧", false},
    {"install_software", "ソフトウェアの導入", "6.1(14)", false},
    {"change_hardware", "機器構成の変更", "6.1(15)", false},
    {"connect_network", "ネットワークへの接続", "6.1(16)", false},
    {"connect_external_network", "外部ネットワークとの接続", "6.1(10)", false},
    {"remote_access", "外部からのアクセス", "6.2(2)", false},
    {"connect_public_network", "公衆通信回線の接続", "6.2(2)⑦", false},
    {"privileged_access", "特権IDによる接続", "6.2(3)", false},
    {"delegate_privilege", "特権の代行者の指名", "6.2(1)③", false},
    {"change_system", "システム変更等の作業", "6.1(4)", false},
    {"exchange_with_other_organization", "他団体との情報等の交換", "6.1(3)", false},
    {"exception", "例外措置", "7.4", false},
    {"outsource", "外部委託", "8.1", false},
    {"use_terms_service", "約款による外部サービスの利用", "8.2", false},
    {"use_cloud_service", "クラウドサービスの利用", "8.1(1)②", false},
    {"post_social_media", "ソーシャルメディアでの発信", "8.3", true},
    {"open_social_media_account", "ソーシャルメディアアカウントの開設", "8.3", false},
}};

struct Named {
  std::string_view id;
  std::string_view title_ja;
};

constexpr std::array<Named, kRoleCount> kRoles = {{
    {"ciso", "最高情報セキュリティ責任者"},
    {"chief_officer", "統括情報セキュリティ責任者"},
    {"deputy_chief_officer", "統括情報セキュリティ副責任者"},
    {"officer", "情報セキュリティ責任者"},
    {"manager", "情報セキュリティ管理者"},
    {"liaison", "情報セキュリティ担当者"},
    {"staff", "職員"},
    {"contractor", "委託事業者"},
    {"csirt", "情報セキュリティに関する統一的な窓口"},
    {"auditor", "監査人"},
}};

constexpr std::array<Named, kObligationCount> kObligations = {{
    {"encrypt_or_password", "暗号化又はパスワード設定"},
    {"locked_case", "鍵付きケースへの格納"},
    {"record", "記録の作成・保管"},
    {"erase_irrecoverably", "復元不可能な消去"},
    {"two_person", "2名以上での作業・相互確認"},
    {"report_afterwards", "事後速やかな報告"},
    {"virus_check", "不正プログラムのチェック"},
    {"mfa", "多要素認証"},
    {"escort", "許可された職員の付添い"},
    {"time_limited", "時間・期間の限定"},
    {"sanitize", "無害化"},
    {"screen_transfer", "画面転送"},
    {"restricted_path", "通信経路・プロトコルの限定"},
    {"write_protect", "書込禁止の措置"},
    {"fireproof_storage", "耐火・耐熱・耐水・耐湿の施錠可能な場所での保管"},
    {"remote_backup_storage", "同時被災の可能性が低い地域での保管"},
    {"hide_recipients", "他の送信先アドレスの秘匿"},
    {"carry_identification", "身分証明書の携帯・提示"},
    {"license_management", "ライセンスの管理"},
    {"confidentiality_agreement", "守秘義務契約の締結"},
    {"contract_clauses", "情報セキュリティ要件を明記した契約"},
    {"periodic_check", "定期的な確認"},
    {"firewall", "境界へのファイアウォール設置"},
    {"witness", "職員の立会い"},
    {"impact_check", "既存システムへの影響の事前確認"},
    {"visitor_identification", "外見上職員と区別できる措置"},
    {"report_to_manager", "情報セキュリティ管理者への報告"},
    {"encrypt_channel", "通信の暗号化"},
    {"patch_check", "ウイルス感染・パッチ適用状況の確認"},
    {"safety_measures", "安全管理措置の実施"},
    {"impersonation_countermeasure", "なりすまし対策"},
    {"classify", "分類と取扱制限の決定"},
}};

constexpr std::array<Named, kAssetKindCount> kAssetKinds = {{
    {"system", "情報システム"},
    {"media", "記録媒体"},
    {"device", "パソコン等"},
    {"data", "電子情報"},
    {"document", "システム関連文書"},
}};

constexpr std::array<Named, 3> kEffects = {{
    {"allow", "許可"},
    {"approval_required", "承認が必要"},
    {"deny", "禁止"},
}};

constexpr std::array<Named, 5> kFlowModes = {{
    {"direct", "通信可"},
    {"restricted", "経路・プロトコルを限定した通信のみ"},
    {"sanitized", "無害化通信のみ"},
    {"screen_transfer", "画面転送のみ"},
    {"never", "通信不可"},
}};

constexpr std::array<Named, kAuditMethodCount> kAuditMethods = {{
    {"inspection", "閲覧"},
    {"interview", "インタビュー"},
    {"observation", "視察"},
    {"test", "テスト"},
}};

struct Probe {
  std::string_view id;
};
constexpr std::array<Probe, 5> kProbes = {{
    {"eol_devices_in_mynumber"},            // no device past end of support in mynumber
    {"disposal_records_for_importance_a"},  // every importance-A disposal has its record
    {"training_attended_this_year"},        // everyone who must attended training this 年度
    {"emergency_exceptions_reported"},      // no emergency exception unreported past its deadline
    {"contract_clauses_checked"},           // every contract has all 8.1(2) clauses checked
}};

constexpr std::array<std::string_view, 2> kDeviceValues = {"issued", "non_issued"};
constexpr std::array<std::string_view, 2> kDestinationValues = {"internal", "external"};
constexpr std::array<std::string_view, 2> kMediaValues = {"authorized", "unauthorized"};
constexpr std::array<std::string_view, 6> kChannelValues = {"email",   "media",   "paper",
                                                            "network", "vehicle", "cloud"};
constexpr std::array<std::string_view, 2> kPurposeValues = {"business", "other"};
constexpr std::array<std::string_view, 2> kNetworkValues = {"office", "public"};

constexpr std::array<ContextKeyInfo, kContextKeyCount> kContextKeys = {{
    {"device", "使用機器", ContextKind::kEnumerated, kDeviceValues},
    {"destination", "送付先", ContextKind::kEnumerated, kDestinationValues},
    {"segment", "領域", ContextKind::kSegment, {}},
    {"to_segment", "移送先の領域", ContextKind::kSegment, {}},
    {"media", "記録媒体", ContextKind::kEnumerated, kMediaValues},
    {"channel", "手段", ContextKind::kEnumerated, kChannelValues},
    {"purpose", "目的", ContextKind::kEnumerated, kPurposeValues},
    {"network", "接続回線", ContextKind::kEnumerated, kNetworkValues},
    {"emergency", "緊急時", ContextKind::kBoolean, {}},
    {"offsite", "職場外", ContextKind::kBoolean, {}},
    {"privileged", "特権の使用", ContextKind::kBoolean, {}},
    {"visitor", "外部からの訪問者", ContextKind::kBoolean, {}},
    {"internet_connected", "インターネット接続の有無", ContextKind::kBoolean, {}},
    {"long_term", "長期保管", ContextKind::kBoolean, {}},
    {"backup", "バックアップ", ContextKind::kBoolean, {}},
}};

template <typename Enum, typename Table>
std::optional<Enum> Find(const Table& table, std::string_view id) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i].id == id) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

template <typename Table>
std::string JoinIds(const Table& table) {
  std::string out;
  for (const auto& entry : table) {
    if (!out.empty()) out += ", ";
    out += entry.id;
  }
  return out;
}

template <typename Enum>
std::size_t Index(Enum value) {
  return static_cast<std::size_t>(value);
}

}  // namespace

const ActionInfo& Info(Action action) { return kActions[Index(action)]; }
const ContextKeyInfo& Info(ContextKey key) { return kContextKeys[Index(key)]; }

std::string_view Id(Action action) { return kActions[Index(action)].id; }
std::string_view Id(Role role) {
  return IsBuiltIn(role) ? kRoles[Index(role)].id : std::string_view("custom");
}
std::string_view Id(Obligation obligation) { return kObligations[Index(obligation)].id; }
std::string_view Id(AssetKind kind) { return kAssetKinds[Index(kind)].id; }
std::string_view Id(Effect effect) { return kEffects[Index(effect)].id; }
std::string_view Id(FlowMode mode) { return kFlowModes[Index(mode)].id; }
std::string_view Id(ContextKey key) { return kContextKeys[Index(key)].id; }
std::string_view Id(AuditMethod method) { return kAuditMethods[Index(method)].id; }

std::string_view TitleJa(Action action) { return kActions[Index(action)].title_ja; }
std::string_view TitleJa(Role role) {
  return IsBuiltIn(role) ? kRoles[Index(role)].title_ja : std::string_view("組織が定める役割");
}
std::string_view TitleJa(Obligation obligation) { return kObligations[Index(obligation)].title_ja; }
std::string_view TitleJa(AssetKind kind) { return kAssetKinds[Index(kind)].title_ja; }
std::string_view TitleJa(Effect effect) { return kEffects[Index(effect)].title_ja; }
std::string_view TitleJa(FlowMode mode) { return kFlowModes[Index(mode)].title_ja; }
std::string_view TitleJa(AuditMethod method) { return kAuditMethods[Index(method)].title_ja; }

std::optional<Action> ParseAction(std::string_view id) { return Find<Action>(kActions, id); }
std::optional<Role> ParseRole(std::string_view id) { return Find<Role>(kRoles, id); }
std::optional<Obligation> ParseObligation(std::string_view id) {
  return Find<Obligation>(kObligations, id);
}
std::optional<AssetKind> ParseAssetKind(std::string_view id) {
  return Find<AssetKind>(kAssetKinds, id);
}
std::optional<Effect> ParseEffect(std::string_view id) { return Find<Effect>(kEffects, id); }
std::optional<FlowMode> ParseFlowMode(std::string_view id) {
  return Find<FlowMode>(kFlowModes, id);
}
std::optional<ContextKey> ParseContextKey(std::string_view id) {
  return Find<ContextKey>(kContextKeys, id);
}

std::optional<AuditMethod> ParseAuditMethod(std::string_view id) {
  return Find<AuditMethod>(kAuditMethods, id);
}

std::optional<std::uint8_t> ParseContextValue(ContextKey key, std::string_view value) {
  const auto& values = Info(key).values;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] == value) return static_cast<std::uint8_t>(i);
  }
  return std::nullopt;
}

std::string AllActionIds() { return JoinIds(kActions); }
std::string AllRoleIds() { return JoinIds(kRoles); }
std::string AllObligationIds() { return JoinIds(kObligations); }
std::string AllAuditMethodIds() { return JoinIds(kAuditMethods); }

bool IsKnownProbe(std::string_view id) { return Find<std::size_t>(kProbes, id).has_value(); }
std::string AllProbeIds() { return JoinIds(kProbes); }

}  // namespace mamori::policy
