// The fixed vocabulary every profile, request and decision speaks: actions,
// roles, obligations, asset kinds, effects, flow modes and request context
// keys. Identifiers come from the glossary in PRODUCT.md; each entry also has
// its Japanese title for the UI and for explanations.
//
// Profiles may not invent new words here: a typo such as "manger" must be an
// error that names the line, not a role nobody holds. The one exception is
// roles: a profile may declare posts of its own (情報システム管理者, ...) in
// [roles.<id>]; those get Role values after the built-ins and are resolved
// through the profile (model.h). The enums are dense so that the decision
// engine can use them as bit positions.
//
// Thread safety: immutable tables; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mamori::policy {

enum class Action : std::uint8_t {
  // 2.2 情報資産の管理 (asset lifecycle)
  kCreate,
  kObtain,
  kUse,
  kStore,
  kSend,
  kTransport,
  kProvide,
  kDispose,
  kCopy,
  kTakeOut,
  kBringIn,
  // 3 三層の対策
  kSegmentTransfer,
  // 4 物理的セキュリティ
  kInstallEquipmentOffsite,
  kEnterControlledArea,
  kCarryEquipment,
  kDisposeEquipment,
  kRepairEquipment,
  kChangeWiring,
  // 5 人的セキュリティ
  kOffsiteWork,
  kUseNonIssuedDevice,
  kConnectMedia,
  kChangeSecuritySettings,
  kUseFreeService,
  kSendEmail,
  // 6 技術的セキュリティ
  kInstallSoftware,
  kChangeHardware,
  kConnectNetwork,
  kConnectExternalNetwork,
  kRemoteAccess,
  kConnectPublicNetwork,
  kPrivilegedAccess,
  kDelegatePrivilege,
  kChangeSystem,
  kExchangeWithOtherOrganization,
  // 7.4 例外措置
  kException,
  // 8 外部委託と外部サービス
  kOutsource,
  kUseTermsService,
  kUseCloudService,
  kPostSocialMedia,
  kOpenSocialMediaAccount,
};
inline constexpr int kActionCount = 40;

enum class Role : std::uint8_t {
  kCiso,
  kChiefOfficer,
  kDeputyChiefOfficer,
  kOfficer,
  kManager,
  kLiaison,
  kStaff,
  kContractor,
  kCsirt,
  kAuditor,
};
inline constexpr int kRoleCount = 10;
// Built-in roles plus the roles a profile defines itself ([roles.<id>] with an
// id outside the vocabulary). A profile's own roles take the values
// kRoleCount, kRoleCount + 1, ... in the order the profile chain declares
// them (policy::Profile keeps their ids and titles), so that a role is still
// one bit of a 64-bit mask. A profile that would exceed this is a load error.
inline constexpr int kMaxRoles = 64;
using RoleMask = std::uint64_t;  // bit r: Role r
inline constexpr RoleMask RoleBit(Role role) {
  return RoleMask{1} << static_cast<int>(role);
}
// True for the vocabulary's roles, whose meaning code relies on (sign-in
// rules, the auditor's read-only access, CSIRT, scopes); false for a role a
// profile defines.
inline constexpr bool IsBuiltIn(Role role) { return static_cast<int>(role) < kRoleCount; }

enum class Obligation : std::uint8_t {
  kEncryptOrPassword,
  kLockedCase,
  kRecord,
  kEraseIrrecoverably,
  kTwoPerson,
  kReportAfterwards,
  kVirusCheck,
  kMfa,
  kEscort,
  kTimeLimited,
  kSanitize,
  kScreenTransfer,
  kRestrictedPath,
  kWriteProtect,
  kFireproofStorage,
  kRemoteBackupStorage,
  kHideRecipients,
  kCarryIdentification,
  kLicenseManagement,
  kConfidentialityAgreement,
  kContractClauses,
  kPeriodicCheck,
  kFirewall,
  kWitness,
  kImpactCheck,
  kVisitorIdentification,
  kReportToManager,
  kEncryptChannel,
  kPatchCheck,
  kSafetyMeasures,
  kImpersonationCountermeasure,
  kClassify,
};
inline constexpr int kObligationCount = 32;

enum class AssetKind : std::uint8_t { kSystem, kMedia, kDevice, kData, kDocument };
inline constexpr int kAssetKindCount = 5;

// 監査の実施方法 (監査ガイドライン): how a check item (点検項目) is examined.
enum class AuditMethod : std::uint8_t {
  kInspection,   // 閲覧: reading records and documents
  kInterview,    // インタビュー
  kObservation,  // 視察: looking at the place or the system in use
  kTest,         // テスト: trying the control
};
inline constexpr int kAuditMethodCount = 4;

// Ordered by precedence: a deny overrides an approval, which overrides an allow.
enum class Effect : std::uint8_t { kAllow, kApprovalRequired, kDeny };

enum class FlowMode : std::uint8_t {
  kDirect,          // 通信可
  kRestricted,      // 経路・プロトコルを限定した通信のみ (3(1)① ただし書)
  kSanitized,       // 無害化通信のみ
  kScreenTransfer,  // 画面転送のみ
  kNever,           // 通信不可
};

// Request context keys. Enumerated keys take one of their listed values;
// boolean keys are false when absent; segment keys name a profile segment.
enum class ContextKey : std::uint8_t {
  kDevice,       // issued | non_issued
  kDestination,  // internal | external
  kSegment,      // a segment id of the profile
  kToSegment,    // a segment id of the profile (segment_transfer)
  kMedia,        // authorized | unauthorized
  kChannel,      // email | media | paper | network | vehicle | cloud
  kPurpose,      // business | other
  kNetwork,      // office | public
  kEmergency,    // bool
  kOffsite,      // bool
  kPrivileged,   // bool
  kVisitor,      // bool
  kInternetConnected,  // bool: the target system is connected to the internet
  kLongTerm,     // bool: long-term storage (長期保管)
  kBackup,       // bool: the data is a backup copy
};
inline constexpr int kContextKeyCount = 15;

enum class ContextKind : std::uint8_t { kEnumerated, kBoolean, kSegment };

struct ActionInfo {
  std::string_view id;
  std::string_view title_ja;
  std::string_view clause_hint;  // where in the guideline structure it lives
  bool needs_asset;              // asset lifecycle actions require an asset
};

struct ContextKeyInfo {
  std::string_view id;
  std::string_view title_ja;
  ContextKind kind;
  std::span<const std::string_view> values;  // kEnumerated only
};

const ActionInfo& Info(Action action);
const ContextKeyInfo& Info(ContextKey key);

std::string_view Id(Action action);
// Built-in roles only: a profile-defined role has no id here ("custom"); use
// Profile::RoleId / Profile::RoleTitle / Profile::ParseRole wherever a role
// may be one the profile defines.
std::string_view Id(Role role);
std::string_view Id(Obligation obligation);
std::string_view Id(AssetKind kind);
std::string_view Id(Effect effect);
std::string_view Id(FlowMode mode);
std::string_view Id(ContextKey key);
std::string_view Id(AuditMethod method);

std::string_view TitleJa(Action action);
std::string_view TitleJa(Role role);  // default title; profiles may retitle
std::string_view TitleJa(Obligation obligation);
std::string_view TitleJa(AssetKind kind);
std::string_view TitleJa(Effect effect);
std::string_view TitleJa(FlowMode mode);
std::string_view TitleJa(AuditMethod method);

std::optional<Action> ParseAction(std::string_view id);
std::optional<Role> ParseRole(std::string_view id);  // built-in roles only
std::optional<Obligation> ParseObligation(std::string_view id);
std::optional<AssetKind> ParseAssetKind(std::string_view id);
std::optional<Effect> ParseEffect(std::string_view id);
std::optional<FlowMode> ParseFlowMode(std::string_view id);
std::optional<ContextKey> ParseContextKey(std::string_view id);
std::optional<AuditMethod> ParseAuditMethod(std::string_view id);
// Index of `value` among the key's enumerated values.
std::optional<std::uint8_t> ParseContextValue(ContextKey key, std::string_view value);

// "a, b, c": the accepted identifiers, for error messages that say what would
// have been valid.
std::string AllActionIds();
std::string AllRoleIds();
std::string AllObligationIds();
std::string AllAuditMethodIds();

// Probes: named queries over the ledger that pre-answer a check item
// (src/assess/ runs them). A profile may name only these.
bool IsKnownProbe(std::string_view id);
std::string AllProbeIds();

}  // namespace mamori::policy
