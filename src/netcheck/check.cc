#include "netcheck/check.h"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <utility>

#include "netcheck/forward.h"
#include "policy/vocabulary.h"

namespace mamori::netcheck {

std::string_view Id(PairStatus status) {
  switch (status) {
    case PairStatus::kNoTraffic:
      return "no_traffic";
    case PairStatus::kConforms:
      return "conforms";
    case PairStatus::kViolation:
      return "violation";
    case PairStatus::kPossibleViolation:
      return "possible_violation";
  }
  return "?";
}

std::string ExamplePacket::ToString() const {
  std::string out = protocol_name + " " + source;
  if (has_ports) out += ":" + std::to_string(source_port);
  out += " → " + destination;
  if (has_ports) out += ":" + std::to_string(destination_port);
  if (!input_interface.empty()) out += " in " + input_interface;
  if (!output_interface.empty()) out += " out " + output_interface;
  return out + " " + state;
}

std::size_t CheckReport::DefiniteViolations() const {
  return static_cast<std::size_t>(std::count_if(
      violations.begin(), violations.end(), [](const Violation& v) { return !v.possible; }));
}

ExamplePacket ExampleAt(const Point& point, const InterfaceUniverse& interfaces) {
  ExamplePacket example;
  example.source = FormatAddress(point[0]);
  example.destination = FormatAddress(point[1]);
  example.protocol = static_cast<int>(point[2].low);
  example.protocol_name = ProtocolName(static_cast<std::uint8_t>(point[2].low));
  example.has_ports = PortProtocols().Contains(point[2]);
  example.source_port = static_cast<int>(point[3].low);
  example.destination_port = static_cast<int>(point[4].low);
  example.input_interface = interfaces.Label(point[5]);
  example.output_interface = interfaces.Label(point[6]);
  example.state = std::string(Id(static_cast<ConnectionState>(point[7].low)));
  return example;
}

// A packet of `set` that reads naturally: a host address rather than the
// network's first, tcp/udp rather than protocol 0, a well-known destination
// port and an ephemeral source port when the set has them. Any choice per
// coordinate stays inside the box, which is a product.
Point PreferredExample(const PacketSet& set) {
  const Box& box = set.Boxes().front();
  Point point = box.Example();
  auto prefer = [&](Dimension d, std::initializer_list<std::uint64_t> values) {
    for (std::uint64_t value : values) {
      if (box[d].Contains(U128::Of(value))) {
        point[static_cast<std::size_t>(d)] = U128::Of(value);
        return;
      }
    }
  };
  for (Dimension d : {Dimension::kSourceAddress, Dimension::kDestinationAddress}) {
    const Interval& first = box[d].Intervals().front();
    if (first.low < first.high) point[static_cast<std::size_t>(d)] = first.low.Next();
  }
  prefer(Dimension::kProtocol, {6, 17, 1, 58});
  prefer(Dimension::kDestinationPort, {443, 80, 22, 25, 53, 3389, 445});
  prefer(Dimension::kSourcePort, {49152});
  return point;
}

RuleCitation Cite(const RuleSet& rules, const RuleRef& ref) {
  RuleCitation citation;
  citation.where = Describe(rules, ref);
  if (ref.table < 0 || ref.chain < 0) return citation;
  const Chain& chain =
      rules.tables[static_cast<std::size_t>(ref.table)].chains[static_cast<std::size_t>(ref.chain)];
  if (ref.rule < 0) {
    citation.policy = true;
    citation.text = "chain " + chain.name + " policy " + std::string(Id(chain.policy));
    return citation;
  }
  const Rule& rule = chain.rules[static_cast<std::size_t>(ref.rule)];
  citation.text = rule.text;
  citation.comment = rule.comment;
  return citation;
}

namespace {
bool Sees(Family table, Family packets) { return table == Family::kInet || table == packets; }
}  // namespace

std::vector<PathPiece> ForwardPath(const RuleSet& rules, const Analysis& analysis,
                                   const AddressPlan& plan, std::vector<Diagnostic>& warnings) {
  std::vector<PathPiece> path;
  for (Family family : {Family::kIp, Family::kIp6}) {
    std::vector<PathPiece> pieces;
    pieces.push_back({HookUniverse(family, Hook::kForward, analysis.interfaces), {}, {}});
    bool any_chain = false;
    for (const auto& chain : analysis.chains) {
      if (chain.hook != Hook::kForward) continue;
      if (!Sees(rules.tables[static_cast<std::size_t>(chain.table)].family, family)) continue;
      any_chain = true;
      std::vector<PathPiece> next;
      for (const auto& piece : pieces) {
        for (const auto& accepted : chain.accepted) {
          PacketSet both = piece.set.Intersect(accepted.packets);
          if (both.Empty()) continue;
          PathPiece out{std::move(both), piece.accepting, piece.because};
          out.accepting.push_back(accepted.rule);
          for (const auto& ref : accepted.because) {
            if (std::find(out.because.begin(), out.because.end(), ref) == out.because.end()) {
              out.because.push_back(ref);
            }
          }
          next.push_back(std::move(out));
        }
      }
      pieces = std::move(next);
    }
    if (!any_chain) {
      // Only worth saying when the plan has addresses of this family.
      const PacketSet family_set = FamilyUniverse(family);
      bool used = false;
      for (const auto& zone : plan.zones) {
        Box box;
        box[Dimension::kSourceAddress] =
            zone.network_texts.empty() ? IntervalSet::All() : zone.networks;
        if (!family_set.Intersect(box).Empty()) used = true;
      }
      if (used) {
        const std::string name = family == Family::kIp ? "IPv4" : "IPv6";
        warnings.push_back(
            {{},
             name + " の forward チェインがありません。" + name +
                 " の通信は転送時に制限されないものとして検査します",
             "no forward chain for " + name + ": " + name +
                 " traffic is checked as forwarded without filtering"});
      }
    }
    for (auto& piece : pieces) path.push_back(std::move(piece));
  }
  return path;
}

namespace {

std::string HostSummary(const Host& host) {
  std::string services;
  for (const auto& service : host.services) services += (services.empty() ? "" : " ") + service.text;
  return host.name + " (" + (services.empty() ? std::string("any") : services) + ")";
}

}  // namespace

bool PairPolicy::Allows(const Point& point) const {
  if (mode == policy::FlowMode::kDirect) return true;
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const Box& box) { return box.Contains(point); });
}

PairPolicy PolicyFor(const AddressPlan& plan, const policy::Network& network, const Zone& from,
                     const Zone& to) {
  PairPolicy out;
  const policy::Flow* flow = network.FindFlow(from.segment_index, to.segment_index);
  out.mode = flow != nullptr ? flow->mode : policy::FlowMode::kNever;
  out.clause = flow != nullptr && !flow->clause.empty() ? flow->clause : network.clause;
  for (const Host& host : plan.hosts) {
    bool fits = false;
    switch (out.mode) {
      case policy::FlowMode::kSanitized:
        fits = host.role == HostRole::kSanitizeGateway;
        break;
      case policy::FlowMode::kScreenTransfer:
        fits = host.role == HostRole::kScreenTransfer;
        break;
      case policy::FlowMode::kRestricted:
        fits = host.role == HostRole::kExternalConnection &&
               (host.from.empty() ||
                std::find(host.from.begin(), host.from.end(), from.segment) != host.from.end());
        break;
      case policy::FlowMode::kDirect:
      case policy::FlowMode::kNever:
        break;
    }
    if (!fits) continue;
    // Only hosts inside the destination zone can be reached in this pair.
    if (!to.network_texts.empty() && host.addresses.Intersect(to.networks).Empty()) continue;
    out.allowed_names.push_back(HostSummary(host));
    for (Box& box : host.Reachable()) out.allowed.push_back(std::move(box));
  }
  return out;
}

Result<CheckReport> Check(const RuleSet& rules, const AddressPlan& plan,
                          const policy::Profile& profile, const CheckLimits& limits) {
  MAMORI_TRY(Analysis analysis, Analyze(rules, plan.InterfacePatterns(), limits.analysis));
  CheckReport report;
  report.profile = profile.id;
  report.model = profile.network.model;
  report.sources = rules.sources;
  report.stats = analysis.stats;
  report.warnings = rules.warnings;
  const policy::Network& network = profile.network;
  const std::vector<PathPiece> path = ForwardPath(rules, analysis, plan, report.warnings);

  Box new_connections;
  new_connections[Dimension::kConnectionState] =
      IntervalSet::Point(U128::Of(static_cast<std::uint64_t>(ConnectionState::kNew)));

  for (const Zone& from : plan.zones) {
    for (const Zone& to : plan.zones) {
      if (&from == &to) continue;
      PairResult pair;
      pair.from = from.segment;
      pair.to = to.segment;
      const PairPolicy policy = PolicyFor(plan, network, from, to);
      pair.mode = policy.mode;
      pair.clause = policy.clause;
      pair.allowed = policy.allowed_names;
      const std::vector<Box>& allowed = policy.allowed;
      auto pair_box = from.AsSource(analysis.interfaces).Intersect(to.AsDestination(analysis.interfaces));
      if (pair_box) pair_box = pair_box->Intersect(new_connections);
      bool traffic = false;
      bool definite = false;
      std::vector<std::vector<RuleRef>> reported;
      if (pair_box) {
        for (const PathPiece& piece : path) {
          PacketSet passing = piece.set.Intersect(*pair_box);
          if (passing.Empty()) continue;
          traffic = true;
          if (pair.mode == policy::FlowMode::kDirect) continue;
          for (const Box& box : allowed) {
            if (passing.Empty()) break;
            passing = passing.Subtract(box);
          }
          if (passing.Empty()) continue;
          std::vector<RuleRef> key = piece.accepting;
          key.insert(key.end(), piece.because.begin(), piece.because.end());
          if (std::find(reported.begin(), reported.end(), key) != reported.end()) continue;
          if (reported.size() >= limits.max_violations_per_pair) continue;
          reported.push_back(key);
          Violation violation;
          violation.from = pair.from;
          violation.to = pair.to;
          violation.mode = pair.mode;
          violation.clause = pair.clause;
          violation.example = ExampleAt(PreferredExample(passing), analysis.interfaces);
          for (const auto& ref : piece.accepting) violation.rules.push_back(Cite(rules, ref));
          if (piece.accepting.empty()) {
            violation.rules.push_back(
                {"", "(forward チェインなし / no forward chain for this family)", "", false});
          }
          violation.possible = !piece.because.empty();
          for (const auto& ref : piece.because) violation.because.push_back(Cite(rules, ref));
          if (!violation.possible) definite = true;
          report.violations.push_back(std::move(violation));
          ++pair.violations;
        }
      }
      pair.status = !traffic                ? PairStatus::kNoTraffic
                    : pair.violations == 0 ? PairStatus::kConforms
                    : definite             ? PairStatus::kViolation
                                           : PairStatus::kPossibleViolation;
      report.pairs.push_back(std::move(pair));
    }
  }

  for (const auto& finding : analysis.findings) {
    RuleFindingReport out;
    out.kind = finding.kind;
    out.reasons = finding.reasons;
    if (finding.kind == FindingKind::kUnreachable) {
      const Chain& chain = rules.tables[static_cast<std::size_t>(finding.rule.table)]
                               .chains[static_cast<std::size_t>(finding.rule.chain)];
      out.rule.where = chain.where.ToString();
      out.rule.text = "chain " + chain.name;
    } else {
      out.rule = Cite(rules, finding.rule);
    }
    report.rule_findings.push_back(std::move(out));
  }

  for (const auto& location : LocateHosts(plan)) {
    const Host& host = plan.hosts[location.host];
    HostFinding finding;
    finding.host = host.name;
    finding.where = host.where.ToString();
    for (std::size_t z : location.zones) finding.zones.push_back(plan.zones[z].segment);
    finding.outside = location.outside;
    if (location.zones.empty()) {
      finding.kind = "no_zone";
    } else if (location.zones.size() > 1) {
      finding.kind = "two_zones";
    } else if (!location.outside.empty()) {
      finding.kind = "partly_outside";
    } else {
      continue;
    }
    report.host_findings.push_back(std::move(finding));
  }
  return report;
}

// ---------------------------------------------------------------------------
// Rendering

using Json = nlohmann::json;

Json CitationJson(const RuleCitation& citation) {
  Json out{{"where", citation.where}, {"text", citation.text}, {"policy", citation.policy}};
  if (!citation.comment.empty()) out["comment"] = citation.comment;
  return out;
}

Json ExampleJson(const ExamplePacket& example) {
  Json out{{"source", example.source},
           {"destination", example.destination},
           {"protocol", example.protocol},
           {"protocol_name", example.protocol_name},
           {"input_interface", example.input_interface},
           {"output_interface", example.output_interface},
           {"state", example.state}};
  if (example.has_ports) {
    out["source_port"] = example.source_port;
    out["destination_port"] = example.destination_port;
  }
  return out;
}

namespace {

std::string KindJa(FindingKind kind) {
  switch (kind) {
    case FindingKind::kShadowed:
      return "到達しない規則（前の規則ですべて決まる）";
    case FindingKind::kEmpty:
      return "どのパケットにも一致しない規則";
    case FindingKind::kUnreachable:
      return "どこからも呼ばれないチェイン";
    case FindingKind::kPossible:
      return "解析しない条件を含む規則（結果は「可能性」）";
  }
  return "?";
}

std::string HostKindJa(const std::string& kind) {
  if (kind == "no_zone") return "どの区域にも属さないホスト";
  if (kind == "two_zones") return "複数の区域に属するホスト";
  return "一部のアドレスが区域外のホスト";
}

std::string StatusJa(PairStatus status) {
  switch (status) {
    case PairStatus::kNoTraffic:
      return "通信なし";
    case PairStatus::kConforms:
      return "適合";
    case PairStatus::kViolation:
      return "違反";
    case PairStatus::kPossibleViolation:
      return "違反の可能性";
  }
  return "?";
}

}  // namespace

nlohmann::json ReportToJson(const CheckReport& report) {
  Json pairs = Json::array();
  for (const auto& pair : report.pairs) {
    pairs.push_back({{"from", pair.from},
                     {"to", pair.to},
                     {"mode", policy::Id(pair.mode)},
                     {"clause", pair.clause},
                     {"status", Id(pair.status)},
                     {"violations", pair.violations},
                     {"allowed", pair.allowed}});
  }
  Json violations = Json::array();
  for (const auto& v : report.violations) {
    Json rules = Json::array();
    for (const auto& citation : v.rules) rules.push_back(CitationJson(citation));
    Json because = Json::array();
    for (const auto& citation : v.because) because.push_back(CitationJson(citation));
    violations.push_back({{"from", v.from},
                          {"to", v.to},
                          {"mode", policy::Id(v.mode)},
                          {"clause", v.clause},
                          {"possible", v.possible},
                          {"example", ExampleJson(v.example)},
                          {"rules", rules},
                          {"because", because}});
  }
  Json findings = Json::array();
  for (const auto& f : report.rule_findings) {
    Json out = CitationJson(f.rule);
    out["kind"] = Id(f.kind);
    if (!f.reasons.empty()) out["reasons"] = f.reasons;
    findings.push_back(std::move(out));
  }
  Json hosts = Json::array();
  for (const auto& h : report.host_findings) {
    hosts.push_back({{"host", h.host},
                     {"kind", h.kind},
                     {"zones", h.zones},
                     {"outside", h.outside},
                     {"where", h.where}});
  }
  Json warnings = Json::array();
  for (const auto& w : report.warnings) {
    warnings.push_back(
        {{"where", w.where.ToString()}, {"message_ja", w.message_ja}, {"message_en", w.message_en}});
  }
  return Json{{"profile", report.profile},
              {"model", report.model},
              {"sources", report.sources},
              {"summary",
               {{"violations", report.violations.size()},
                {"definite", report.DefiniteViolations()},
                {"possible", report.violations.size() - report.DefiniteViolations()}}},
              {"pairs", pairs},
              {"violations", violations},
              {"rule_findings", findings},
              {"host_findings", hosts},
              {"warnings", warnings},
              {"stats",
               {{"rules_visited", report.stats.rules_visited},
                {"box_subtractions", report.stats.box_subtractions},
                {"peak_boxes", report.stats.peak_boxes}}}};
}

std::string ReportToText(const CheckReport& report) {
  std::string out = "三層の対策の検査 / three-layer separation check — プロファイル " +
                    report.profile + "（" + report.model + "）\n";
  out += "規則 / rule sets:";
  for (const auto& source : report.sources) out += " " + source;
  out += "\n\n区域の組 / zone pairs:\n";
  for (const auto& pair : report.pairs) {
    out += "  " + pair.from + " → " + pair.to + "  " + std::string(policy::TitleJa(pair.mode));
    if (!pair.clause.empty()) out += "（" + pair.clause + "）";
    out += "  " + StatusJa(pair.status);
    if (pair.violations > 0) out += " " + std::to_string(pair.violations) + " 件";
    if (!pair.allowed.empty()) {
      out += "  許可先:";
      for (const auto& host : pair.allowed) out += " " + host;
    }
    out += "\n";
  }
  if (!report.violations.empty()) {
    out += "\n違反 / violations:\n";
    for (const auto& v : report.violations) {
      out += std::string("  [") + (v.possible ? "違反の可能性" : "違反") + "] " + v.from + " → " +
             v.to + "（" + std::string(policy::TitleJa(v.mode)) + "、条項 " + v.clause + "）\n";
      out += "    例 / example: " + v.example.ToString() + "\n";
      for (const auto& rule : v.rules) {
        out += "    許可した規則 / accepted by: " + rule.where;
        if (!rule.policy && !rule.text.empty()) out += "  " + rule.text;
        out += "\n";
      }
      for (const auto& rule : v.because) {
        out += "    解析しない規則を経由 / through a rule not modelled: " + rule.where + "\n";
      }
    }
  }
  if (!report.rule_findings.empty()) {
    out += "\n規則の所見 / rule findings:\n";
    for (const auto& f : report.rule_findings) {
      out += "  " + KindJa(f.kind) + ": " + f.rule.where;
      if (!f.rule.text.empty()) out += "  " + f.rule.text;
      for (const auto& reason : f.reasons) out += "  [" + reason + "]";
      out += "\n";
    }
  }
  if (!report.host_findings.empty()) {
    out += "\nホストの所見 / hosts:\n";
    for (const auto& h : report.host_findings) {
      out += "  " + HostKindJa(h.kind) + ": " + h.host + " (" + h.where + ")";
      for (const auto& zone : h.zones) out += " " + zone;
      for (const auto& address : h.outside) out += " 区域外 " + address;
      out += "\n";
    }
  }
  if (!report.warnings.empty()) {
    out += "\n警告 / warnings:\n";
    for (const auto& w : report.warnings) out += "  " + w.ToString() + "\n";
  }
  const std::size_t definite = report.DefiniteViolations();
  out += "\n結果 / result: ";
  if (report.violations.empty()) {
    out += "違反なし / no violation\n";
  } else {
    out += "違反 " + std::to_string(definite) + " 件、違反の可能性 " +
           std::to_string(report.violations.size() - definite) + " 件 / " +
           std::to_string(definite) + " violation(s), " +
           std::to_string(report.violations.size() - definite) + " possible\n";
  }
  return out;
}

}  // namespace mamori::netcheck
