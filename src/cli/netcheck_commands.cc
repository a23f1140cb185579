// `mamori netcheck config` (三層の対策, issue 12): rule sets checked against
// the profile's segments and flows; `mamori netcheck eval`: concrete packets
// through the same rule sets; `mamori netcheck flows` / `listen`: flow logs
// and live IPFIX / NetFlow v9 judged against the profile. The analysis is src/netcheck/; this file reads
// the files, picks the reader and prints the report.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/ledger_cli.h"
#include "cli/output.h"
#include "cli/signals.h"
#include "ledger/incident/incident.h"
#include "ledger/org.h"
#include "netcheck/analysis.h"
#include "netcheck/check.h"
#include "netcheck/collector.h"
#include "netcheck/diff.h"
#include "netcheck/flows.h"
#include "netcheck/fortigate.h"
#include "netcheck/iptables.h"
#include "netcheck/nft_json.h"
#include "netcheck/panos.h"
#include "netcheck/rtx.h"
#include "netcheck/zones.h"
#include "policy/loader.h"

namespace mamori::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxInputBytes = std::size_t{64} << 20;

Result<std::string> ReadInput(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kNotFound, "読めません: " + path, "cannot read " + path, {path, 0, ""});
  }
  std::string data;
  std::array<char, 65536> buffer{};
  while (in && data.size() <= kMaxInputBytes) {
    in.read(buffer.data(), buffer.size());
    data.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (data.size() > kMaxInputBytes) {
    return Error(ErrorCode::kLimitExceeded, "ファイルが大きすぎます: " + path,
                 "file too large: " + path, {path, 0, ""});
  }
  return data;
}

// The readers --vendor names; auto tries each in this order, from its content.
constexpr std::array<std::string_view, 5> kVendors = {"nft", "panos", "iptables", "fortigate",
                                                      "rtx"};

std::string_view DetectVendor(std::string_view text) {
  if (netcheck::LooksLikeNftJson(text)) return "nft";
  if (netcheck::LooksLikePanOs(text)) return "panos";
  if (netcheck::LooksLikeIptablesSave(text)) return "iptables";
  if (netcheck::LooksLikeFortiGate(text)) return "fortigate";
  if (netcheck::LooksLikeRtx(text)) return "rtx";
  return {};
}

Result<netcheck::RuleSet> ReadRuleSet(const std::string& path, const std::string& vendor) {
  MAMORI_TRY(std::string text, ReadInput(path));
  std::string_view kind = vendor;
  if (kind == "auto") {
    kind = DetectVendor(text);
    if (kind.empty()) {
      return Error(
          ErrorCode::kInvalidArgument,
          "規則の形式を判別できません（nft -j list ruleset の JSON、iptables-save、"
          "FortiGate の設定、PAN-OS の running-config の XML、YAMAHA RTX の設定のいずれか。"
          "--vendor で指定できます）",
          "cannot tell the rule set's format (nft -j list ruleset JSON, iptables-save, "
          "a FortiGate configuration, a PAN-OS running-config XML or a YAMAHA RTX "
          "configuration; use --vendor)",
          {path, 0, ""});
    }
  }
  if (kind == "nft") return netcheck::ParseNftJson(text, path);
  if (kind == "fortigate") return netcheck::ParseFortiGate(text, path);
  if (kind == "panos") return netcheck::ParsePanOs(text, path);
  if (kind == "rtx") return netcheck::ParseRtx(text, path);
  return netcheck::ParseIptablesSave(text, path);
}

// The rule sets of `paths` read together (rules.v4 and rules.v6, say); every
// problem of every file goes to `problems`.
netcheck::RuleSet ReadRuleSets(const std::vector<std::string>& paths, const std::string& vendor,
                               std::vector<Diagnostic>& problems) {
  netcheck::RuleSet rules;
  for (const auto& path : paths) {
    auto parsed = ReadRuleSet(path, vendor);
    if (!parsed.Ok()) {
      for (const auto& d : parsed.Err().Diagnostics()) problems.push_back(d);
      continue;
    }
    rules.Append(std::move(parsed).Value());
  }
  return rules;
}

// The address plan of `path`, checked against `network`; its problems go to
// `problems` (nullopt then).
std::optional<netcheck::AddressPlan> ReadPlan(const std::string& path,
                                              const policy::Network& network,
                                              std::vector<Diagnostic>& problems) {
  auto zones_text = ReadInput(path);
  if (!zones_text.Ok()) {
    for (const auto& d : zones_text.Err().Diagnostics()) problems.push_back(d);
    return std::nullopt;
  }
  auto plan = netcheck::ParseZones(*zones_text, path);
  if (!plan.Ok()) {
    for (const auto& d : plan.Err().Diagnostics()) problems.push_back(d);
    return std::nullopt;
  }
  if (auto valid = netcheck::ValidateZones(*plan, network); !valid.Ok()) {
    for (const auto& d : valid.Err().Diagnostics()) problems.push_back(d);
    return std::nullopt;
  }
  return std::move(plan).Value();
}

// Runs the check with `profile`; prints the report or the error.
void Run(const NetcheckOptions& options, const policy::Profile& profile, Output& output) {
  std::vector<Diagnostic> problems;
  netcheck::RuleSet rules = ReadRuleSets(options.configs, options.vendor, problems);
  auto plan = ReadPlan(options.zones, profile.network, problems);
  if (!problems.empty()) return output.Fail(Error(ErrorCode::kInvalidArgument, std::move(problems)));
  auto report = netcheck::Check(rules, *plan, profile);
  if (!report.Ok()) return output.Fail(report.Err());
  if (output.json) {
    output.PrintJson(netcheck::ReportToJson(*report));
  } else {
    output.out << netcheck::ReportToText(*report);
  }
  output.exit_code = report->HasViolation() ? kExitViolation : kExitOk;
}

// --- diff: what a change to the rule set opens and closes ---------------------

// options.configs is {OLD, NEW}.
void RunDiff(const NetcheckOptions& options, const policy::Profile& profile, Output& output) {
  std::vector<Diagnostic> problems;
  netcheck::RuleSet before = ReadRuleSets({options.configs.at(0)}, options.vendor, problems);
  netcheck::RuleSet after = ReadRuleSets({options.configs.at(1)}, options.vendor, problems);
  auto plan = ReadPlan(options.zones, profile.network, problems);
  if (!problems.empty()) return output.Fail(Error(ErrorCode::kInvalidArgument, std::move(problems)));
  auto report = netcheck::Diff(before, after, *plan, profile);
  if (!report.Ok()) return output.Fail(report.Err());
  if (output.json) {
    output.PrintJson(netcheck::DiffReportToJson(*report));
  } else {
    output.out << netcheck::DiffReportToText(*report);
  }
  output.exit_code = report->OpensForbidden() ? kExitViolation : kExitOk;
}

// --- eval: concrete packets through the forward path -------------------------

constexpr std::size_t kMaxPacketLines = 1'000'000;
constexpr std::size_t kMaxPacketLineBytes = 4096;

// One packet of a --packets line: {"protocol": "tcp", "src": "10.1.0.2",
// "dst": "10.3.0.2", "sport": 40000, "dport": 443, "iif": "eth1", "oif":
// "eth3", "state": "new"}; protocol, src and dst are required, ports
// default to 0, interfaces to none, state to new.
Result<netcheck::Packet> PacketFromJson(const nlohmann::json& line, const Where& where) {
  const auto fail = [&where](const std::string& key, const std::string& ja,
                             const std::string& en) -> Error {
    return Error(ErrorCode::kInvalidArgument, ja, en, {where.file, where.line, key});
  };
  if (!line.is_object()) return fail("", "JSON のオブジェクトではありません", "not a JSON object");
  static constexpr std::string_view kKeys[] = {"protocol", "src",  "dst", "sport",
                                               "dport",    "iif",  "oif", "state"};
  for (const auto& [key, value] : line.items()) {
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
      return fail(key, "不明なキーです", "unknown key");
    }
  }
  const auto text = [&line](const char* key) -> std::optional<std::string> {
    const auto it = line.find(key);
    if (it == line.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  netcheck::Packet packet;
  const auto protocol = text("protocol");
  const auto parsed_protocol =
      protocol ? netcheck::ParseProtocol(*protocol) : std::optional<std::uint8_t>{};
  if (!parsed_protocol) return fail("protocol", "プロトコルが不正です", "bad protocol");
  packet.protocol = *parsed_protocol;
  for (const auto& [key, field] : {std::pair{"src", &packet.source}, {"dst", &packet.destination}}) {
    const auto address = text(key);
    const auto parsed = address ? netcheck::ParseAddress(*address) : std::optional<netcheck::U128>{};
    if (!parsed) return fail(key, "アドレスが不正です", "bad address");
    *field = *parsed;
  }
  if (netcheck::IsIpv4(packet.source) != netcheck::IsIpv4(packet.destination)) {
    return fail("dst", "送信元と宛先のアドレス体系（IPv4/IPv6）が異なります",
                "source and destination are of different families");
  }
  for (const auto& [key, field] :
       {std::pair{"sport", &packet.source_port}, {"dport", &packet.destination_port}}) {
    const auto it = line.find(key);
    if (it == line.end()) continue;
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > 65535) {
      return fail(key, "ポート番号は 0〜65535 です", "a port is 0-65535");
    }
    *field = static_cast<std::uint16_t>(it->get<std::uint64_t>());
  }
  for (const auto& [key, field] :
       {std::pair{"iif", &packet.input_interface}, {"oif", &packet.output_interface}}) {
    const auto it = line.find(key);
    if (it == line.end()) continue;
    if (!it->is_string() || it->get<std::string>().size() > 15) {
      return fail(key, "インターフェース名は 15 文字以内の文字列です",
                  "an interface name is a string of at most 15 characters");
    }
    *field = it->get<std::string>();
  }
  if (line.contains("state")) {
    const auto state = text("state");
    const auto parsed = state ? netcheck::ParseConnectionState(*state)
                              : std::optional<netcheck::ConnectionState>{};
    if (!parsed) {
      return fail("state", "接続状態は new, established, related, invalid, untracked です",
                  "state: new|established|related|invalid|untracked");
    }
    packet.state = *parsed;
  }
  return packet;
}

std::string_view VerdictId(const netcheck::RuleSet& rules, const netcheck::Verdict& verdict) {
  if (verdict.accepted) return "accept";
  const auto& ref = verdict.rule;
  if (ref.table >= 0 && ref.rule >= 0) {
    const auto& rule = rules.tables[static_cast<std::size_t>(ref.table)]
                           .chains[static_cast<std::size_t>(ref.chain)]
                           .rules[static_cast<std::size_t>(ref.rule)];
    if (rule.action == netcheck::ActionKind::kReject) return "reject";
  }
  return "drop";
}

// Every packet of `packets` (JSON Lines) through the forward path of `rules`:
// one line out per packet, in order. Exit 0; 3 with every bad line named.
int EvalPackets(const netcheck::RuleSet& rules, const std::string& packets_path, Output& output) {
  std::ifstream in(packets_path, std::ios::binary);
  if (!in) {
    output.Fail(Error(ErrorCode::kNotFound, "読めません: " + packets_path,
                      "cannot read " + packets_path, {packets_path, 0, ""}));
    return output.exit_code;
  }
  std::vector<netcheck::Packet> packets;
  std::vector<Diagnostic> problems;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const Where where{packets_path, number, ""};
    if (packets.size() >= kMaxPacketLines || line.size() > kMaxPacketLineBytes) {
      output.Fail(Error(ErrorCode::kLimitExceeded,
                        "パケットは 1 ファイル 1,000,000 行、1 行 4,096 バイトまでです",
                        "at most 1,000,000 packets of 4,096 bytes a line", where));
      return output.exit_code;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_discarded()) {
      problems.push_back({where, "JSON として読めません", "not JSON"});
      continue;
    }
    auto packet = PacketFromJson(json, where);
    if (!packet.Ok()) {
      for (const auto& d : packet.Err().Diagnostics()) problems.push_back(d);
      continue;
    }
    packets.push_back(std::move(packet).Value());
  }
  if (!problems.empty()) {
    output.Fail(Error(ErrorCode::kInvalidArgument, std::move(problems)));
    return output.exit_code;
  }
  for (const auto& packet : packets) {
    auto strict = netcheck::EvaluateForward(rules, packet, netcheck::Unmodelled::kAssumeNoMatch);
    auto loose = netcheck::EvaluateForward(rules, packet, netcheck::Unmodelled::kAssumeMatch);
    if (!strict.Ok()) return output.Fail(strict.Err()), output.exit_code;
    if (!loose.Ok()) return output.Fail(loose.Err()), output.exit_code;
    // Where a rule not modelled exactly could go either way, the verdict
    // is "possible": the one that assumes it does not match is printed.
    const bool possible = strict->accepted != loose->accepted;
    const std::string rule =
        strict->rule.table >= 0 ? netcheck::Describe(rules, strict->rule) : std::string();
    const std::string_view verdict = VerdictId(rules, *strict);
    if (output.json) {
      output.PrintJson({{"packet", packet.ToString()},
                        {"verdict", verdict},
                        {"rule", rule},
                        {"possible", possible}});
    } else {
      output.out << packet.ToString() << "  →  "
                 << (strict->accepted ? "通過 / accept" : verdict == "reject" ? "拒否 / reject"
                                                                              : "破棄 / drop")
                 << (rule.empty() ? "（転送の規則なし / no forward rules）" : "  " + rule)
                 << (possible ? "  （未対応の構文により不確定 / possible）" : "") << "\n";
    }
  }
  output.exit_code = kExitOk;
  return output.exit_code;
}

// --- flows: what actually flowed ----------------------------------------------

void RunFlows(const NetcheckFlowsOptions& options, const policy::Profile& profile,
              Output& output) {
  std::vector<Diagnostic> problems;
  const auto format = netcheck::ParseFlowFormat(options.format);
  if (!format) {
    problems.push_back({{}, "フローログの形式が不明です: " + options.format,
                        "unknown flow-log format: " + options.format});
  }
  netcheck::RuleSet rules = ReadRuleSets(options.configs, options.vendor, problems);
  auto plan = ReadPlan(options.zones, profile.network, problems);
  if (!problems.empty()) return output.Fail(Error(ErrorCode::kInvalidArgument, std::move(problems)));
  netcheck::FlowJudge judge(*plan, profile, options.configs.empty() ? nullptr : &rules);
  netcheck::FlowReadStats stats;
  for (const auto& path : options.logs) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return output.Fail(Error(ErrorCode::kNotFound, "読めません: " + path, "cannot read " + path,
                               {path, 0, ""}));
    }
    netcheck::FlowReadStats file_stats;
    auto read = netcheck::ReadFlows(
        in, path, *format, [&](const netcheck::Flow& flow) { judge.Add(flow); }, file_stats);
    if (!read.Ok()) return output.Fail(read.Err());
    stats.lines += file_stats.lines;
    stats.flows += file_stats.flows;
    stats.skipped += file_stats.skipped;
    stats.bad_lines.insert(stats.bad_lines.end(), file_stats.bad_lines.begin(),
                           file_stats.bad_lines.end());
  }
  const netcheck::FlowReport report = std::move(judge).Finish(options.logs, stats);
  if (output.json) {
    output.PrintJson(netcheck::FlowReportToJson(report));
  } else {
    output.out << netcheck::FlowReportToText(report);
  }
  output.exit_code = report.HasViolation() ? kExitViolation : kExitOk;
}

// --- listen: flows as they arrive -------------------------------------------

std::string AlertText(const netcheck::FlowViolation& group, const netcheck::Flow& flow) {
  std::ostringstream text;
  text << "禁止された通信: " << group.from << " → " << group.to << "（"
       << policy::TitleJa(group.mode) << "、" << group.clause << "） " << flow.ToString()
       << " " << flow.time;
  return text.str();
}

// One alert: printed, and with --incident-as recorded as an incident (5.3(1):
// a staff report, routed to the reporter's section's managers).
void Alert(const NetcheckListenOptions& options, ledger::Ledger* ledger,
           const netcheck::FlowViolation& group, const netcheck::Flow& flow,
           std::uint64_t held_back, Output& output) {
  nlohmann::json alert = {{"alert", "forbidden_flow"},
                          {"from", group.from},
                          {"to", group.to},
                          {"mode", std::string(policy::Id(group.mode))},
                          {"clause", group.clause},
                          {"flow", flow.ToString()},
                          {"time", flow.time},
                          {"group_flows", group.count},
                          {"held_back", held_back}};
  if (ledger != nullptr) {
    std::ostringstream description;
    description << "netcheck listen が、プロファイルが禁止する区域間の通信を検知しました。\n"
                << "区域: " << group.from << " → " << group.to << "\n"
                << "通信経路の扱い: " << policy::TitleJa(group.mode) << "（" << group.clause
                << "）\n"
                << "例: " << flow.ToString() << "（" << flow.time << " UTC）\n"
                << "この組の通信の件数: " << group.count;
    if (held_back > 0) description << "（前回の通知以降 " << held_back << " 件は通知を抑止）";
    const std::string summary = "三層の対策に反する通信を検知: " + group.from + " → " + group.to +
                                " " + flow.ToString();
    auto id = ledger::incident::ReportByStaff(*ledger, options.incident_as,
                                      {"", summary, description.str(), ""});
    if (id.Ok()) {
      alert["incident"] = *id;
      if (auto signed_now = ledger->Checkpoint(); !signed_now.Ok()) {
        output.err << signed_now.Err().ToString() << std::endl;
      }
    } else {
      // The collector goes on: a ledger that refuses one write must not
      // blind the watch. The alert still prints, with why.
      alert["incident_error"] = id.Err().ToString();
      output.err << "インシデントを記録できません / cannot record the incident: "
                 << id.Err().ToString() << std::endl;
    }
  }
  if (output.json) {
    output.out << alert.dump() << std::endl;
  } else {
    output.out << AlertText(group, flow);
    if (held_back > 0) output.out << "（抑止 " << held_back << " 件）";
    if (alert.contains("incident")) output.out << " インシデント #" << alert["incident"].get<std::int64_t>();
    output.out << std::endl;
  }
}

void RunListen(const NetcheckListenOptions& options, const policy::Profile& profile,
               ledger::Ledger* ledger, Output& output) {
  std::vector<Diagnostic> problems;
  if (options.ipfix.empty() == options.netflow_v9.empty()) {
    problems.push_back({{"", 0, "ipfix"},
                        "--ipfix か --netflow-v9 のどちらか一つを指定してください",
                        "give exactly one of --ipfix and --netflow-v9"});
  }
  if (options.receive_buffer < 0) {
    problems.push_back({{"", 0, "receive-buffer"}, "--receive-buffer は 0 以上です",
                        "--receive-buffer must be >= 0"});
  }
  if (options.alert_interval < 0 || options.max_alerts_per_hour < 1) {
    problems.push_back({{"", 0, "alert-interval"},
                        "--alert-interval は 0 以上、--max-alerts-per-hour は 1 以上です",
                        "--alert-interval must be >= 0 and --max-alerts-per-hour >= 1"});
  }
  netcheck::RuleSet rules = ReadRuleSets(options.configs, options.vendor, problems);
  auto plan = ReadPlan(options.zones, profile.network, problems);
  std::optional<netcheck::CollectorOptions> address;
  if (problems.empty()) {
    const bool ipfix = !options.ipfix.empty();
    auto parsed = netcheck::ParseListenAddress(
        ipfix ? options.ipfix : options.netflow_v9,
        ipfix ? netcheck::CollectorProtocol::kIpfix : netcheck::CollectorProtocol::kNetflowV9);
    if (!parsed.Ok()) return output.Fail(parsed.Err());
    address = *parsed;
    address->receive_buffer = options.receive_buffer;
  }
  if (!problems.empty()) return output.Fail(Error(ErrorCode::kInvalidArgument, std::move(problems)));
  if (ledger != nullptr) {  // the reporter of the incidents, checked before listening
    auto reporter = ledger::FindActivePerson(*ledger, options.incident_as, "incident-as");
    if (!reporter.Ok()) return output.Fail(reporter.Err());
  }

  SignalStopper stopper;  // before the collector: no thread yet
  auto collector = netcheck::FlowCollector::Open(*address);
  if (!collector.Ok()) return output.Fail(collector.Err());
  const std::string source = std::string(address->protocol == netcheck::CollectorProtocol::kIpfix
                                             ? "ipfix"
                                             : "netflow-v9") +
                             "://" + address->host + ":" + address->port;
  output.err << "mamori netcheck listen: " << source
             << " で待ち受けています。Ctrl+C で停止 / listening, stop with Ctrl+C" << std::endl;
  netcheck::FlowCollector& live = **collector;
  stopper.Start([&live] { live.Stop(); });

  netcheck::FlowJudge judge(*plan, profile, options.configs.empty() ? nullptr : &rules);
  netcheck::AlertLimiter limiter(std::chrono::seconds(options.alert_interval),
                                 options.max_alerts_per_hour);
  std::uint64_t alerts = 0;
  const Status ran = live.Run([&](const netcheck::Flow& flow) {
    if (const auto* group = judge.Add(flow); group != nullptr) {
      const auto verdict = limiter.Check(*group, netcheck::AlertLimiter::Clock::now());
      if (verdict.alert) {
        ++alerts;
        Alert(options, ledger, *group, flow, verdict.held_back, output);
      }
    }
    if (options.max_flows != 0 && live.Stats().flows >= options.max_flows) live.Stop();
  });
  stopper.Finish();
  if (!ran.Ok()) return output.Fail(ran.Err());

  const auto& stats = live.Stats();
  netcheck::FlowReadStats read;
  read.flows = stats.flows;
  const netcheck::FlowReport report = std::move(judge).Finish({source}, read);
  if (output.json) {
    nlohmann::json json = netcheck::FlowReportToJson(report);
    json["collector"] = {{"messages", stats.messages},
                         {"records", stats.records},
                         {"flows", stats.flows},
                         {"without_addresses", stats.without_addresses},
                         {"missed_export_packets", stats.missed_packets},
                         {"read_errors", stats.read_errors},
                         {"receive_buffer", stats.receive_buffer},
                         {"alerts", alerts},
                         {"alerts_held_back", limiter.HeldBack()}};
    output.PrintJson(json);
  } else {
    output.out << netcheck::FlowReportToText(report);
    output.out << "受信: " << stats.messages << " メッセージ、" << stats.records << " レコード（"
               << stats.flows << " フロー、アドレスなし " << stats.without_addresses
               << "、読めないメッセージ " << stats.read_errors << "、欠落した送出パケット "
               << stats.missed_packets << "）。通知 " << alerts << " 件、抑止 "
               << limiter.HeldBack() << " 件\n";
  }
  output.exit_code = report.HasViolation() ? kExitViolation : kExitOk;
}

// The profile of --profile; the ledger's when `ledger` is given instead.
template <typename Options, typename Runner>
int WithProfile(const Options& options, std::ostream& out, std::ostream& err, Runner run) {
  Output output(out, err);
  output.json = options.json;
  if (options.profile.empty()) {
    output.Fail(Error(ErrorCode::kInvalidArgument,
                      "プロファイルを指定してください（--profile）",
                      "give the profile (--profile)"));
    return output.exit_code;
  }
  auto profile = policy::LoadProfile(options.profile);
  if (!profile.Ok()) {
    output.Fail(profile.Err());
    return output.exit_code;
  }
  run(options, *profile, output);
  return output.exit_code;
}

}  // namespace

int NetcheckFlows(const NetcheckFlowsOptions& options, std::ostream& out, std::ostream& err) {
  return WithProfile(options, out, err, RunFlows);
}

int NetcheckConfig(const NetcheckOptions& options, std::ostream& out, std::ostream& err) {
  return WithProfile(options, out, err, Run);
}

int NetcheckEval(const NetcheckEvalOptions& options, std::ostream& out, std::ostream& err) {
  Output output(out, err);
  output.json = options.json;
  std::vector<Diagnostic> problems;
  netcheck::RuleSet rules = ReadRuleSets(options.configs, options.vendor, problems);
  if (!problems.empty()) {
    output.Fail(Error(ErrorCode::kInvalidArgument, std::move(problems)));
    return output.exit_code;
  }
  return EvalPackets(rules, options.packets, output);
}

namespace {

// Without --profile: the profile the ledger was created with, if there is one.
template <typename Options, typename Runner, typename Command>
void RunWithLedgerProfile(LedgerCli& cli, const Options& options, Runner run, Command command) {
  if (options.profile.empty() && fs::exists(cli.db)) {
    auto ledger = cli.Open(/*read_only=*/true);
    if (!ledger) return;
    Output output(cli.out, cli.err);
    output.json = options.json;
    run(options, ledger->Profile(), output);
    cli.exit_code = output.exit_code;
    return;
  }
  cli.exit_code = command(options, cli.out, cli.err);
}

}  // namespace

void AddNetcheckCommands(CLI::App& app, LedgerCli& cli) {
  auto* netcheck = app.add_subcommand(
      "netcheck", "三層の対策の検査（ファイアウォール規則と区域） / check the three-layer separation");
  netcheck->require_subcommand(1);
  auto options = std::make_shared<NetcheckOptions>();
  auto* config = netcheck->add_subcommand(
      "config", "ファイアウォールの規則をプロファイルの通信経路と照合する / check rule sets");
  const std::string files_help =
      "規則（nft -j list ruleset の JSON, iptables-save / ip6tables-save, FortiGate の設定, "
      "PAN-OS の running-config, YAMAHA RTX の設定）";
  const std::string vendor_help = "auto（既定）, nft, iptables, fortigate, panos, rtx";
  std::vector<std::string> vendors = {"auto"};
  vendors.insert(vendors.end(), kVendors.begin(), kVendors.end());
  config->add_option("FILE", options->configs, files_help)->required()->check(CLI::ExistingFile);
  config->add_option("--zones", options->zones, "区域ファイル（TOML 又は CSV）")
      ->required()
      ->check(CLI::ExistingFile);
  config->add_option("--vendor", options->vendor, vendor_help)->check(CLI::IsMember(vendors));
  config->add_option("-p,--profile", options->profile,
                     "プロファイル（TOML。省略時は台帳のプロファイル）")
      ->check(CLI::ExistingFile);
  config->add_flag("--json", options->json, "JSON で出力 / JSON output");
  auto diff_options = std::make_shared<NetcheckOptions>();
  auto* diff = netcheck->add_subcommand(
      "diff",
      "規則の二つの版を比べ、区域の間で新たに通る通信と通らなくなる通信を示す / what a change "
      "opens and closes");
  diff->add_option("OLD NEW", diff_options->configs, "変更前と変更後の規則（" + files_help + "）")
      ->required()
      ->expected(2)
      ->check(CLI::ExistingFile);
  diff->add_option("--zones", diff_options->zones, "区域ファイル（TOML 又は CSV）")
      ->required()
      ->check(CLI::ExistingFile);
  diff->add_option("--vendor", diff_options->vendor, vendor_help)->check(CLI::IsMember(vendors));
  diff->add_option("-p,--profile", diff_options->profile,
                   "プロファイル（TOML。省略時は台帳のプロファイル）")
      ->check(CLI::ExistingFile);
  diff->add_flag("--json", diff_options->json, "JSON で出力 / JSON output");
  diff->callback([&cli, diff_options] {
    NetcheckOptions resolved = *diff_options;
    resolved.json = resolved.json || cli.json;
    RunWithLedgerProfile(cli, resolved, RunDiff, [](const NetcheckOptions& o, std::ostream& out,
                                                    std::ostream& err) {
      return WithProfile(o, out, err, RunDiff);
    });
  });
  auto eval_options = std::make_shared<NetcheckEvalOptions>();
  auto* eval = netcheck->add_subcommand(
      "eval", "パケットごとに転送の可否と決めた規則を示す / evaluate packets against rule sets");
  eval->add_option("FILE", eval_options->configs, files_help)->required()->check(CLI::ExistingFile);
  eval->add_option("--packets", eval_options->packets,
                   "パケット（JSON Lines: protocol, src, dst, sport, dport, iif, oif, state）")
      ->required()
      ->check(CLI::ExistingFile);
  eval->add_option("--vendor", eval_options->vendor, vendor_help)->check(CLI::IsMember(vendors));
  eval->add_flag("--json", eval_options->json, "JSON Lines で出力 / JSON Lines output");
  eval->callback([&cli, eval_options] {
    NetcheckEvalOptions resolved = *eval_options;
    resolved.json = resolved.json || cli.json;
    cli.exit_code = NetcheckEval(resolved, cli.out, cli.err);
  });
  config->callback([&cli, options] {
    NetcheckOptions resolved = *options;
    resolved.json = resolved.json || cli.json;
    RunWithLedgerProfile(cli, resolved, Run, NetcheckConfig);
  });
  auto flows_options = std::make_shared<NetcheckFlowsOptions>();
  auto* flows = netcheck->add_subcommand(
      "flows", "流れた通信（フローログ）をプロファイルの通信経路と照合する / check flow logs");
  flows->add_option("FILE", flows_options->logs,
                    "フローログ（nfdump -o csv, Zeek conn.log の TSV 又は JSON, FortiGate 又は "
                    "PAN-OS のトラフィックログ）")
      ->required()
      ->check(CLI::ExistingFile);
  flows->add_option("--zones", flows_options->zones, "区域ファイル（TOML 又は CSV）")
      ->required()
      ->check(CLI::ExistingFile);
  flows->add_option("--format", flows_options->format, "auto（既定）, nfdump, zeek, fortigate, panos")
      ->check(CLI::IsMember({"auto", "nfdump", "zeek", "fortigate", "panos"}));
  flows->add_option("--config", flows_options->configs,
                    "規則（指定すると違反ごとにファイアウォールの判定も示す）")
      ->check(CLI::ExistingFile);
  flows->add_option("--vendor", flows_options->vendor, vendor_help)->check(CLI::IsMember(vendors));
  flows->add_option("-p,--profile", flows_options->profile,
                    "プロファイル（TOML。省略時は台帳のプロファイル）")
      ->check(CLI::ExistingFile);
  flows->add_flag("--json", flows_options->json, "JSON で出力 / JSON output");
  flows->callback([&cli, flows_options] {
    NetcheckFlowsOptions resolved = *flows_options;
    resolved.json = resolved.json || cli.json;
    RunWithLedgerProfile(cli, resolved, RunFlows, NetcheckFlows);
  });

  auto listen_options = std::make_shared<NetcheckListenOptions>();
  auto* listen = netcheck->add_subcommand(
      "listen",
      "IPFIX / NetFlow v9 を受信して通信経路を随時照合する / check flows as they arrive");
  listen->add_option("--ipfix", listen_options->ipfix, "IPFIX（UDP）を待ち受けるアドレス:ポート");
  listen->add_option("--netflow-v9", listen_options->netflow_v9,
                     "NetFlow v9（UDP）を待ち受けるアドレス:ポート");
  listen->add_option("--zones", listen_options->zones, "区域ファイル（TOML 又は CSV）")
      ->required()
      ->check(CLI::ExistingFile);
  listen->add_option("--config", listen_options->configs,
                     "規則（指定すると違反ごとにファイアウォールの判定も示す）")
      ->check(CLI::ExistingFile);
  listen->add_option("--vendor", listen_options->vendor, vendor_help)->check(CLI::IsMember(vendors));
  listen->add_option("-p,--profile", listen_options->profile,
                     "プロファイル（TOML。省略時は台帳のプロファイル）")
      ->check(CLI::ExistingFile);
  listen->add_option("--alert-interval", listen_options->alert_interval,
                     "同じ組（区域・プロトコル・ポート）の通知の最短間隔（秒、既定 3600）");
  listen->add_option("--max-alerts-per-hour", listen_options->max_alerts_per_hour,
                     "1 時間あたりの通知の上限（既定 20）");
  listen->add_option("--incident-as", listen_options->incident_as,
                     "通知を台帳（--db）にインシデントとして記録する。報告者の職員コード");
  listen->add_option("--max-flows", listen_options->max_flows,
                     "この件数のフローを受けたら終了する（既定 0: シグナルまで）");
  listen->add_option("--receive-buffer", listen_options->receive_buffer,
                     "受信バッファ（バイト、既定 4 MiB。net.core.rmem_max まで。0: OS の既定）");
  listen->add_flag("--json", listen_options->json, "JSON Lines（通知）と JSON（集計）で出力");
  listen->callback([&cli, listen_options] {
    NetcheckListenOptions resolved = *listen_options;
    resolved.json = resolved.json || cli.json;
    Output output(cli.out, cli.err);
    output.json = resolved.json;
    std::unique_ptr<ledger::Ledger> ledger;
    if (!resolved.incident_as.empty() || (resolved.profile.empty() && fs::exists(cli.db))) {
      ledger = cli.Open(/*read_only=*/resolved.incident_as.empty());
      if (!ledger) return;
    }
    if (!resolved.profile.empty()) {
      auto profile = policy::LoadProfile(resolved.profile);
      if (!profile.Ok()) {
        output.Fail(profile.Err());
      } else {
        RunListen(resolved, *profile, resolved.incident_as.empty() ? nullptr : ledger.get(),
                  output);
      }
    } else if (ledger) {
      RunListen(resolved, ledger->Profile(), resolved.incident_as.empty() ? nullptr : ledger.get(),
                output);
    } else {
      output.Fail(Error(ErrorCode::kInvalidArgument,
                        "プロファイルを指定してください（--profile 又は --db）",
                        "give the profile (--profile or --db)"));
    }
    cli.exit_code = output.exit_code;
  });
}

}  // namespace mamori::cli
