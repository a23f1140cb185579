// The resolved policy profile: one organization's information security policy
// as data, after `extends` has been applied and every reference checked.
//
// Invariants (established by the loader, relied on by decide/ledger/server):
//  - every clause, role, level, segment and document a profile item refers to
//    exists; rule ids are unique; axes have 1..kMaxLevels levels;
//  - check ids are unique and every check item's clause, role, methods and
//    probe are known (clause_index is set);
//  - every rule's condition is compiled against this profile's own axes and
//    segments (CompiledCondition), so evaluation needs no string lookups;
//  - rules_by_action[a] lists the indices of the rules for action a in profile
//    order.
// A Profile is immutable once loaded and safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "policy/vocabulary.h"

namespace mamori::policy {

inline constexpr int kMaxAxes = 8;
inline constexpr int kMaxLevels = 16;
inline constexpr int kMaxSegments = 32;

struct Document {
  std::string id;
  std::string title;
  std::string kind;  // basic_policy | standards | procedures | other
  bool is_public = true;
  std::string note;  // e.g. why it is non-public
  Where where;
};

struct Clause {
  std::string id;  // as the document numbers it, e.g. "2.2(5)⑤"
  std::string title;
  std::string document;  // Document::id
  Where where;
};

struct HandlingRestriction {
  std::string id;
  std::string title;
};

struct Level {
  std::string id;  // "A", "3B", "2", ...
  std::string title;
  std::string definition;
  std::vector<std::string> handling_restrictions;  // HandlingRestriction ids
  // For a scheme that replaces its parent's: the parent axis level each level
  // corresponds to, e.g. {"confidentiality": "3B"}. Lets inherited rules keep
  // their meaning.
  std::map<std::string, std::string> maps_to;
  Where where;
};

struct Axis {
  std::string id;  // "importance", "confidentiality", ...
  std::string title;
  std::string clause;
  std::vector<Level> levels;  // highest first
  Where where;

  // Index of the level named `id`, highest = 0.
  std::optional<int> IndexOf(const std::string& level_id) const;
};

struct Classification {
  std::vector<Axis> axes;
  std::vector<HandlingRestriction> handling_restrictions;
  std::string clause;
  Where where;
};

// Where a role applies in the organization register: per section (a
// section's manager or liaison), per department (officer) or once for the
// whole organization. Built-in roles have a fixed scope; a profile-defined
// role declares it (`scope = "section" | "organization"`, default
// organization).
enum class RoleScope : std::uint8_t { kSection, kDepartment, kOrganization };

// The scope code relies on for a built-in role.
RoleScope BuiltInScope(Role role);

struct RoleInfo {
  Role role = Role::kStaff;
  std::string id;  // the vocabulary id, or the profile's own id
  bool custom = false;  // defined by the profile rather than the vocabulary
  RoleScope scope = RoleScope::kOrganization;
  std::string title;
  std::string holder;  // who holds the post, e.g. "副市長"
  std::string duties;
  std::vector<Role> delegates;    // may act in this role's stead on any step
  std::vector<Role> substitutes;  // act only when the holder is absent (代理)
  std::string clause;
  Where where;
};

struct Segment {
  std::string id;  // mynumber | lgwan | internet | custom
  std::string title;
  std::string definition;
  Where where;
};

struct Flow {
  int from = 0;  // Segment index
  int to = 0;
  FlowMode mode = FlowMode::kNever;
  std::vector<std::string> methods;  // e.g. mail_text, screen_transfer, file_sanitize
  std::vector<std::vector<Role>> approvals;  // who permits a kRestricted flow
  std::string clause;
  int clause_index = -1;  // index into Profile::clauses, -1 when none
  std::string note;
  bool from_preset = false;
  Where where;
};

struct Network {
  std::string model;  // alpha | alpha_prime | beta | beta_prime | custom
  std::string clause;
  int clause_index = -1;
  std::vector<Segment> segments;
  std::vector<Flow> flows;  // pairs not listed are kNever

  std::optional<int> SegmentIndex(const std::string& id) const;
  // The flow from `from` to `to`; nullptr means not allowed (kNever).
  const Flow* FindFlow(int from, int to) const;
};

struct PasswordPolicy {
  int min_length = 0;
  int history = 0;            // previous passwords that may not be reused
  int max_age_days = 0;       // 0: no forced periodic change
  int lockout_threshold = 0;  // failures before lockout; 0: none
  int lockout_minutes = 0;    // 0: until an administrator unlocks
  bool temporary_must_change = true;
  int privileged_min_length = 0;
  int privileged_max_age_days = 0;
  int privileged_lockout_threshold = 0;
  int privileged_session_minutes = 0;  // 6.2(3)
  std::vector<Role> mfa_roles;
  std::vector<std::string> mfa_segments;
  bool mfa_privileged = false;
  // 5.4(2) パスワードの取扱い — what a new password may not be (auth/password.h).
  bool reject_login_or_name = true;  // the login, or a part of the person's name
  bool dictionary_check = true;      // a common password or dictionary word (cracklib)
  int max_repeat_run = 3;            // longest run of one character or of a sequence
                                     // (abc, 321); 0: no limit
  std::vector<std::string> clauses;
};

// Throttling of sign-in by the client's address (6.2(1)② 利用者ID及びパスワード
// の管理): the per-account lockout of [passwords] does not see password
// spraying — one guess against each of many IDs — so failures are also
// counted per address. Past address_failures_before_delay failures within
// address_window_minutes every further attempt from that address is answered
// only after address_delay_seconds; at address_failures_before_block the
// address is refused (HTTP 429) for address_block_minutes.
struct AuthSettings {
  int address_failures_before_delay = 5;
  int address_failures_before_block = 10;
  int address_window_minutes = 15;
  int address_block_minutes = 15;
  int address_delay_seconds = 2;
  std::vector<std::string> clauses;
};

struct RetentionItem {
  std::string id;  // audit_log, incident, exception, ...
  std::string title;
  int days = 0;
  std::string clause;
};

struct Deadlines {
  int emergency_exception_report_days = 0;      // 7.4(2)
  int personal_data_prompt_report_days = 0;     // 個人情報保護委員会 速報
  int personal_data_final_report_days = 0;      // 確報
  int personal_data_final_report_days_malicious = 0;
  int request_expiry_days = 0;
  std::vector<std::string> clauses;
};

// 無害化 (3(2)①): how files and mail from the internet segment are made safe
// for the LGWAN segment, and the limits the sanitizer enforces.
struct SanitizeSettings {
  // ア: mail is turned into text and only the body is forwarded
  // (attachments dropped); ウ: attachments are sanitized and kept.
  enum class MailMethod { kTextOnly, kSanitizeAttachments };
  MailMethod mail_method = MailMethod::kTextOnly;
  bool remove_uri_links = false;   // PDF /URI actions
  bool remove_metadata = true;     // XMP, document properties, image metadata
  bool refuse_legacy_office = true;  // doc/xls/ppt cannot be rebuilt without a converter
  int max_input_mib = 100;
  int max_expanded_mib = 500;      // everything unpacked from one input
  int max_expansion_ratio = 100;   // expanded / compressed
  int max_depth = 5;               // archives and attachments inside each other
  int max_seconds_per_file = 30;
  int max_memory_mib = 512;
  int max_megapixels = 100;        // decoded image size
  std::vector<std::string> clauses;
};

struct Threat {
  std::string id;
  std::string text;
  std::string clause;
  std::string defined_in;  // file that stated it
};

// リスク分析 (阪南市 第2章 9(2); the guideline's 9(2)): the scales of the
// risk register (src/assess/risk.h). 脅威 (threat) and 脆弱性 (vulnerability)
// are each 1..3; 可能性 (likelihood) = threat × vulnerability (1..9); the
// asset's 重要度 (importance) is 1..3, from its effective classification;
// the score = likelihood × importance (1..27) and the level is high from
// `high_from`, medium from `medium_from`, low below.
struct RiskSettings {
  int threat_default = 2;            // a threat's level until someone sets it
  int vulnerability_default = 1;     // no check answer says otherwise
  int vulnerability_on_partial = 2;  // a check item the threat cites answered 一部
  int vulnerability_on_no = 3;       // ... answered いいえ
  // "axis:level" of the classification: importance 3 (high) and 2 (medium);
  // any other classified asset is 1. An unclassified asset counts as 3 (the
  // cautious side).
  std::vector<std::string> importance_high;
  std::vector<std::string> importance_medium;
  int high_from = 12;
  int medium_from = 4;
  std::vector<std::string> acceptable_levels = {"low", "medium"};  // 受容できる水準
  std::vector<Role> accepted_by = {Role::kCiso};                   // who approves 受容
  int acceptance_max_days = 365;  // an acceptance expires at most this long after
  int review_days = 365;          // next review date after an assessment or treatment
  std::vector<std::string> clauses;
};

struct Organization {
  std::string name;
  std::string kind;  // municipality | town | union | prefecture | other
  std::vector<std::string> bodies;  // 実施機関
  std::string bodies_clause;
  std::string scope;
  std::string effective_date;  // ISO 8601
  std::string revision;
};

// A rule condition compiled against the profile's own axes and segments.
// An empty mask means "no constraint" on that dimension.
struct CompiledCondition {
  std::uint32_t context_keys = 0;  // bit k: ContextKey k is constrained
  std::array<std::uint64_t, kContextKeyCount> context_values{};  // allowed value bits
  std::uint32_t level_axes = 0;  // bit a: axis a is constrained
  std::array<std::uint32_t, kMaxAxes> level_masks{};  // allowed level bits
  std::uint32_t asset_kinds = 0;
  RoleMask actor_roles = 0;   // rule applies only to actors holding one of these
  RoleMask unless_roles = 0;  // rule does not apply to actors holding one of these
};

struct Rule {
  std::string id;
  Action action = Action::kUse;
  Effect effect = Effect::kAllow;
  std::vector<std::vector<Role>> approvals;  // steps; any one role per step
  std::uint64_t obligations = 0;             // bit per Obligation
  std::vector<std::string> clauses;
  std::vector<std::uint16_t> clause_indices;  // the same, as indices into Profile::clauses
  std::string text;     // the policy's wording, Japanese
  std::string text_en;  // optional English summary
  std::string condition_text;  // the `when` table as written, for --explain
  CompiledCondition when;
  Where where;
};

// 点検項目: one question of the self-inspection and audit checklist, tied to
// the clause it checks.
struct CheckItem {
  std::string id;
  std::string clause;
  int clause_index = -1;  // index into Profile::clauses
  std::string question;   // Japanese, 「…しているか」
  Role answered_by = Role::kManager;
  bool priority = false;  // 重点項目
  std::vector<AuditMethod> methods;
  std::vector<std::string> evidence;  // 監査資料の例
  std::string probe;  // a known probe id (IsKnownProbe), empty when none
  Where where;
};

// How far the check items cover the clauses that rules cite.
struct CheckCoverage {
  int checks = 0;
  int rule_clauses = 0;  // clauses cited by at least one rule
  int covered = 0;       // of those, the ones at least one check item cites
  std::vector<std::string> uncovered;  // clause ids, in profile order
};

struct Profile {
  std::string id;
  std::string title;
  std::vector<std::string> files;  // the extends chain, the loaded file first
  Organization organization;
  std::vector<Document> documents;
  std::vector<Clause> clauses;
  Classification classification;
  // Indexed by Role: the kRoleCount built-ins first (empty when the profile
  // does not define them), then the profile's own roles, all defined.
  std::vector<std::optional<RoleInfo>> roles;
  Network network;
  PasswordPolicy passwords;
  AuthSettings auth;
  std::vector<RetentionItem> retention;
  Deadlines deadlines;
  SanitizeSettings sanitize;
  std::vector<Threat> threats;
  RiskSettings risk;
  std::vector<std::string> separation_of_duties_clauses;  // 兼務の禁止
  std::vector<std::uint16_t> separation_of_duties_clause_indices;
  Effect default_effect = Effect::kAllow;
  std::vector<Rule> rules;
  std::array<std::vector<std::uint16_t>, kActionCount> rules_by_action;
  std::vector<CheckItem> checks;

  const Clause* FindClause(const std::string& id) const;
  const Document* FindDocument(const std::string& id) const;
  const RoleInfo* FindRole(Role role) const;
  // The profile's title for `role`, or the vocabulary's default.
  std::string RoleTitle(Role role) const;
  // The id of `role`: the vocabulary's for a built-in, the profile's own
  // otherwise. Use these rather than policy::Id/ParseRole wherever a role
  // may be profile-defined.
  std::string RoleId(Role role) const;
  // A built-in id, or the id of a role this profile defines.
  std::optional<Role> ParseRole(std::string_view role_id) const;
  // Where `role` applies (fixed for built-ins, declared for the profile's own).
  RoleScope ScopeOf(Role role) const;
  // "ciso, ..., system_admin": every id ParseRole accepts, for error messages.
  std::string AllRoleIds() const;
  CheckCoverage Coverage() const;
};

}  // namespace mamori::policy
