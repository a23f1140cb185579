#include "netcheck/report_xlsx.h"

#include <utility>
#include <vector>

#include "netcheck/forward.h"
#include "policy/vocabulary.h"
#include "tabular/xlsx.h"

namespace mamori::netcheck {
namespace {

using tabular::Sheet;
using Grid = tabular::Table;

Grid Make(std::vector<std::string> header) {
  Grid table;
  table.header = std::move(header);
  return table;
}

std::string Join(const std::vector<std::string>& items, const std::string& separator = "\n") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string RuleText(const RuleCitation& rule) {
  if (rule.where.empty()) return rule.text;
  return rule.text.empty() || rule.policy ? rule.where : rule.where + "  " + rule.text;
}

std::string Mode(policy::FlowMode mode) {
  return std::string(policy::TitleJa(mode)) + "（" + std::string(policy::Id(mode)) + "）";
}

Sheet Warnings(const std::vector<Diagnostic>& warnings) {
  Grid table = Make({"場所", "内容", "内容（英語）"});
  for (const auto& w : warnings) table.rows.push_back({w.where.ToString(), w.message_ja, w.message_en});
  return {"警告", std::move(table)};
}

}  // namespace

Result<std::string> ReportToXlsx(const CheckReport& report) {
  Grid pairs = Make({"送信元の区域", "宛先の区域", "通信経路の扱い", "条項", "結果", "違反の数",
                      "許可先"});
  for (const auto& pair : report.pairs) {
    pairs.rows.push_back({pair.from, pair.to, Mode(pair.mode), pair.clause, StatusJa(pair.status),
                          std::to_string(pair.violations), Join(pair.allowed)});
  }
  Grid violations = Make({"種別", "送信元の区域", "宛先の区域", "通信経路の扱い", "条項",
                           "例のパケット", "許可した規則", "解析しない規則", "必要な範囲より広い",
                           "必要な許可先"});
  for (const auto& v : report.violations) {
    std::vector<std::string> rules;
    for (const auto& rule : v.rules) rules.push_back(RuleText(rule));
    std::vector<std::string> because;
    for (const auto& rule : v.because) because.push_back(RuleText(rule));
    violations.rows.push_back({v.possible ? "違反の可能性" : "違反", v.from, v.to, Mode(v.mode),
                               v.clause, v.example.ToString(), Join(rules), Join(because),
                               v.broader_than_needed ? "はい" : "", Join(v.needed)});
  }
  Grid findings = Make({"所見", "規則", "理由"});
  for (const auto& f : report.rule_findings) {
    findings.rows.push_back({KindJa(f.kind), RuleText(f.rule), Join(f.reasons)});
  }
  Grid hosts = Make({"ホスト", "所見", "区域", "区域外のアドレス", "場所"});
  for (const auto& h : report.host_findings) {
    hosts.rows.push_back({h.host, HostKindJa(h.kind), Join(h.zones, " "), Join(h.outside, " "),
                          h.where});
  }
  return tabular::WriteXlsx(std::vector<Sheet>{{"区域の組", std::move(pairs)},
                                               {"違反", std::move(violations)},
                                               {"規則の所見", std::move(findings)},
                                               {"機器の所在", std::move(hosts)},
                                               Warnings(report.warnings)});
}

Result<std::string> FlowReportToXlsx(const FlowReport& report) {
  Grid violations = Make({"送信元の区域", "宛先の区域", "プロトコル", "宛先ポート", "通信経路の扱い",
                           "条項", "件数", "バイト数", "最初（UTC）", "最後（UTC）", "例", "例の場所",
                           "ファイアウォール", "判定した規則"});
  for (const auto& v : report.violations) {
    violations.rows.push_back(
        {v.from, v.to, ProtocolName(v.protocol), std::to_string(v.destination_port), Mode(v.mode),
         v.clause, std::to_string(v.count), std::to_string(v.bytes), v.first_seen, v.last_seen,
         v.example.ToString(), v.example.where.ToString(),
         !v.firewall_checked ? "" : v.firewall_allows ? "許可（規則も違反）" : "遮断",
         v.firewall_rule});
  }
  Grid pairs = Make({"送信元の区域", "宛先の区域", "件数", "バイト数"});
  for (const auto& p : report.pairs) {
    pairs.rows.push_back({p.from, p.to, std::to_string(p.count), std::to_string(p.bytes)});
  }
  Grid totals = Make({"項目", "値"});
  totals.rows = {{"プロファイル", report.profile},
                 {"ログ", Join(report.sources)},
                 {"フロー", std::to_string(report.flows)},
                 {"読めない行", std::to_string(report.skipped_lines)},
                 {"区域外", std::to_string(report.outside)},
                 {"複数の区域", std::to_string(report.ambiguous)},
                 {"同じ区域内", std::to_string(report.same_zone)},
                 {"適合", std::to_string(report.conforming)},
                 {"違反の組", std::to_string(report.violations.size())},
                 {"打ち切り", report.truncated ? "はい" : "いいえ"}};
  return tabular::WriteXlsx(std::vector<Sheet>{{"違反", std::move(violations)},
                                               {"区域の組", std::move(pairs)},
                                               {"集計", std::move(totals)},
                                               Warnings(report.warnings)});
}

Result<std::string> DiffReportToXlsx(const DiffReport& report) {
  Grid changes = Make({"変化", "禁止", "送信元の区域", "宛先の区域", "通信経路の扱い", "条項",
                        "例のパケット", "変更前に判定した規則", "変更後に判定した規則", "可能性"});
  for (const auto& c : report.changes) {
    changes.rows.push_back({c.opened ? "開く" : "閉じる", c.forbidden ? "禁止された通信" : "",
                            c.from, c.to, Mode(c.mode), c.clause, c.example.ToString(),
                            RuleText(c.old_rule), RuleText(c.new_rule), c.possible ? "はい" : ""});
  }
  Grid pairs = Make({"送信元の区域", "宛先の区域", "開く", "うち禁止", "閉じる"});
  for (const auto& p : report.pairs) {
    pairs.rows.push_back({p.from, p.to, std::to_string(p.opened), std::to_string(p.forbidden),
                          std::to_string(p.closed)});
  }
  return tabular::WriteXlsx(std::vector<Sheet>{
      {"変更", std::move(changes)}, {"区域の組", std::move(pairs)}, Warnings(report.warnings)});
}

}  // namespace mamori::netcheck
