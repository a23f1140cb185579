#include "policy/summary.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "policy/network_presets.h"

namespace mamori::policy {
namespace {

std::string Steps(const Profile& profile, const std::vector<std::vector<Role>>& steps) {
  std::string out;
  for (const auto& step : steps) {
    if (!out.empty()) out += " → ";
    std::string any;
    for (Role role : step) {
      if (!any.empty()) any += "又は";
      any += profile.RoleTitle(role);
    }
    out += any;
  }
  return out;
}

std::string Obligations(std::uint64_t bits) {
  std::string out;
  for (int o = 0; o < kObligationCount; ++o) {
    if ((bits & (std::uint64_t{1} << o)) == 0) continue;
    if (!out.empty()) out += "、";
    out += TitleJa(static_cast<Obligation>(o));
  }
  return out;
}

std::string Days(int days) { return days == 0 ? "定めなし" : fmt::format("{}日", days); }
std::string Within(int days) { return days == 0 ? "定めなし" : fmt::format("{}日以内", days); }

}  // namespace

std::string Summarize(const Profile& profile) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };

  const Organization& organization = profile.organization;
  line(fmt::format("# {}（プロファイル {}）", organization.name, profile.id));
  if (!profile.title.empty()) line(profile.title);
  std::string chain;
  for (const std::string& file : profile.files) chain += (chain.empty() ? "" : " ← ") + file;
  line("継承: " + chain);
  if (!organization.effective_date.empty()) line("施行日: " + organization.effective_date);
  if (!organization.revision.empty()) line("改定: " + organization.revision);
  if (!organization.bodies.empty()) {
    std::string bodies;
    for (const std::string& body : organization.bodies) bodies += (bodies.empty() ? "" : "、") + body;
    line("実施機関（適用範囲）: " + bodies);
  }
  if (!organization.scope.empty()) line("対象: " + organization.scope);

  line("\n## 文書");
  for (const Document& document : profile.documents) {
    line(fmt::format("- {}（{}）{}", document.title, document.is_public ? "公開" : "非公開",
                     document.note.empty() ? "" : ": " + document.note));
  }

  line("\n## 情報資産の分類");
  for (const Axis& axis : profile.classification.axes) {
    line(fmt::format("### {}（{}）{}", axis.title, axis.id,
                     axis.clause.empty() ? "" : " ［" + axis.clause + "］"));
    for (const Level& level : axis.levels) {
      std::string maps;
      for (const auto& [target, value] : level.maps_to) {
        maps += (maps.empty() ? "" : ", ") + target + "=" + value;
      }
      line(fmt::format("- {}: {}{}", level.title, level.definition,
                       maps.empty() ? "" : "（対応: " + maps + "）"));
    }
  }
  if (!profile.classification.handling_restrictions.empty()) {
    line("取扱制限:");
    for (const HandlingRestriction& restriction : profile.classification.handling_restrictions) {
      line("- " + restriction.title);
    }
  }

  line("\n## 情報セキュリティ組織");
  for (const auto& slot : profile.roles) {
    if (!slot) continue;
    std::string extra;
    if (!slot->delegates.empty()) {
      extra += "（事務を処理させることができる: " + Steps(profile, {slot->delegates}) + "）";
    }
    if (!slot->substitutes.empty()) {
      extra += "（不在時の代理: " + Steps(profile, {slot->substitutes}) + "）";
    }
    if (slot->custom) {
      extra += slot->scope == RoleScope::kSection ? "（組織独自の役割、課室等ごと）"
                                                  : "（組織独自の役割、組織全体）";
    }
    line(fmt::format("- {} [{}]{}{}", slot->title, slot->id,
                     slot->holder.empty() ? "" : ": " + slot->holder, extra));
  }

  line("\n## ネットワーク（三層の対策）");
  const NetworkPreset* preset = FindNetworkPreset(profile.network.model);
  if (preset != nullptr) {
    line(fmt::format("モデル: {}（端末: {}）", preset->title_ja, preset->terminals_ja));
  }
  for (const Segment& segment : profile.network.segments) {
    line(fmt::format("- {} [{}]: {}", segment.title, segment.id, segment.definition));
  }
  line("領域間の通信（記載のない組合せは通信不可）:");
  for (const Flow& flow : profile.network.flows) {
    const auto& segments = profile.network.segments;
    std::string approvals = flow.approvals.empty() ? "" : "、許可: " + Steps(profile, flow.approvals);
    line(fmt::format("- {} → {}: {}{}{}{}", segments[static_cast<std::size_t>(flow.from)].title,
                     segments[static_cast<std::size_t>(flow.to)].title, TitleJa(flow.mode),
                     approvals, flow.note.empty() ? "" : "（" + flow.note + "）",
                     flow.clause.empty() ? "" : " ［" + flow.clause + "］"));
  }

  const PasswordPolicy& passwords = profile.passwords;
  line("\n## ID・パスワード");
  line(fmt::format("- 最小長 {}文字、履歴 {}世代は再利用不可、変更間隔 {}", passwords.min_length,
                   passwords.history, Days(passwords.max_age_days)));
  const std::string lockout =
      passwords.lockout_threshold == 0
          ? std::string("ロックなし")
          : fmt::format("{}回失敗でロック（{}）", passwords.lockout_threshold,
                        passwords.lockout_minutes == 0
                            ? std::string("管理者が解除")
                            : fmt::format("{}分", passwords.lockout_minutes));
  line(fmt::format("- {}、仮パスワードは初回ログインで変更{}", lockout,
                   passwords.temporary_must_change ? "必須" : "任意"));
  if (passwords.privileged_min_length != 0 || passwords.privileged_session_minutes != 0) {
    line(fmt::format("- 特権ID: 最小長 {}文字、変更間隔 {}、{}、接続時間 {}",
                     passwords.privileged_min_length, Days(passwords.privileged_max_age_days),
                     passwords.privileged_lockout_threshold == 0
                         ? std::string("ロックなし")
                         : fmt::format("{}回失敗でロック", passwords.privileged_lockout_threshold),
                     passwords.privileged_session_minutes == 0
                         ? std::string("定めなし")
                         : fmt::format("{}分まで", passwords.privileged_session_minutes)));
  }
  std::string mfa;
  for (Role role : passwords.mfa_roles) mfa += (mfa.empty() ? "" : "、") + profile.RoleTitle(role);
  for (const std::string& segment : passwords.mfa_segments) {
    if (auto index = profile.network.SegmentIndex(segment)) {
      mfa += (mfa.empty() ? "" : "、") +
             profile.network.segments[static_cast<std::size_t>(*index)].title + "の端末";
    }
  }
  if (passwords.mfa_privileged) mfa += (mfa.empty() ? "" : "、") + std::string("特権ID");
  if (!mfa.empty()) line("- 多要素認証: " + mfa);

  const SanitizeSettings& sanitize = profile.sanitize;
  line("\n## 無害化");
  line(std::string("- メール: ") +
       (sanitize.mail_method == SanitizeSettings::MailMethod::kTextOnly
            ? "本文をテキスト化し本文のみ転送（添付ファイルは除去）"
            : "本文をテキスト化し、添付ファイルはサニタイズして転送"));
  line(std::string("- ファイル: 分解・除去・再構築（旧形式 Office 文書は") +
       (sanitize.refuse_legacy_office ? "受け付けない" : "無害化せず通過させる") + "）" +
       (sanitize.remove_uri_links ? "、PDF のリンクも除去" : "") +
       (sanitize.remove_metadata ? "、メタデータを除去" : ""));
  line(fmt::format("- 上限: 入力 {} MiB、展開後 {} MiB（{} 倍まで）、入れ子 {} 段、1 ファイル {} 秒、"
                   "メモリ {} MiB、画像 {} メガピクセル",
                   sanitize.max_input_mib, sanitize.max_expanded_mib, sanitize.max_expansion_ratio,
                   sanitize.max_depth, sanitize.max_seconds_per_file, sanitize.max_memory_mib,
                   sanitize.max_megapixels));

  const Deadlines& deadlines = profile.deadlines;
  line("\n## 期限");
  line("- 緊急時の例外措置の事後報告: " + Within(deadlines.emergency_exception_report_days));
  line(fmt::format("- 個人情報の漏えい等の報告: 速報 {}、確報 {}（不正の目的によるものは {}）",
                   Within(deadlines.personal_data_prompt_report_days),
                   Within(deadlines.personal_data_final_report_days),
                   Within(deadlines.personal_data_final_report_days_malicious)));
  line("- 申請の有効期限: " + Days(deadlines.request_expiry_days));
  if (!profile.retention.empty()) {
    line("\n## 保存期間");
    for (const RetentionItem& item : profile.retention) {
      line(fmt::format("- {}: {}", item.title, Days(item.days)));
    }
  }

  line("\n## 想定する脅威");
  if (profile.threats.empty()) line("- なし（ポリシーに列挙がない）");
  for (const Threat& threat : profile.threats) {
    const bool inherited = !profile.files.empty() && threat.defined_in != profile.files.front();
    line(fmt::format("- {}{}", threat.text, inherited ? "（継承元の定め）" : ""));
  }

  line(fmt::format("\n## 規則（{}件、該当する規則がない行為は{}）", profile.rules.size(),
                   profile.default_effect == Effect::kDeny ? "禁止" : "許可"));
  for (const Rule& rule : profile.rules) {
    std::string clauses;
    for (const std::string& clause : rule.clauses) clauses += (clauses.empty() ? "" : "・") + clause;
    std::string detail = std::string(TitleJa(rule.effect));
    if (!rule.approvals.empty()) detail += "（" + Steps(profile, rule.approvals) + "）";
    if (rule.obligations != 0) detail += "、義務: " + Obligations(rule.obligations);
    line(fmt::format("- ［{}］{}: {} — {}{}", clauses, TitleJa(rule.action), detail, rule.text,
                     rule.condition_text.empty() ? "" : "（条件: " + rule.condition_text + "）"));
  }

  const CheckCoverage coverage = profile.Coverage();
  const auto priority = std::count_if(profile.checks.begin(), profile.checks.end(),
                                      [](const CheckItem& check) { return check.priority; });
  line(fmt::format("\n## 点検項目（{}件、うち重点項目{}件）", profile.checks.size(), priority));
  line(CoverageLine(coverage));
  if (!coverage.uncovered.empty()) {
    line(fmt::format("点検項目のない条項: {}", fmt::join(coverage.uncovered, "・")));
  }
  for (const CheckItem& check : profile.checks) {
    std::string methods;
    for (AuditMethod method : check.methods) {
      methods += (methods.empty() ? "" : "・") + std::string(TitleJa(method));
    }
    line(fmt::format("- ［{}］{}{}（回答: {}、方法: {}{}）", check.clause,
                     check.priority ? "【重点】" : "", check.question,
                     profile.RoleTitle(check.answered_by), methods,
                     check.probe.empty() ? "" : "、台帳から事前回答: " + check.probe));
  }
  return out;
}

std::string CoverageLine(const CheckCoverage& coverage) {
  return fmt::format("点検項目 {} 件、対策基準の条項 {} 件中 {} 件を網羅", coverage.checks,
                     coverage.rule_clauses, coverage.covered);
}

}  // namespace mamori::policy
