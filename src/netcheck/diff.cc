#include "netcheck/diff.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "netcheck/analysis.h"
#include "netcheck/forward.h"
#include "policy/vocabulary.h"

namespace mamori::netcheck {
namespace {

// One version: its analysis and forward path.
struct Version {
  const RuleSet* rules = nullptr;
  Analysis analysis;
  std::vector<PathPiece> path;
};

Result<Version> Prepare(const RuleSet& rules, const AddressPlan& plan, const DiffLimits& limits,
                        std::vector<Diagnostic>& warnings) {
  Version version;
  version.rules = &rules;
  MAMORI_TRY(version.analysis, Analyze(rules, plan.InterfacePatterns(), limits.check.analysis));
  version.path = ForwardPath(rules, version.analysis, plan, warnings);
  return version;
}

// The NEW connections from `from` to `to` that the version's forward path
// lets through, with the interface coordinates projected out.
PacketSet Passing(const Version& version, const Zone& from, const Zone& to) {
  auto pair_box = from.AsSource(version.analysis.interfaces)
                      .Intersect(to.AsDestination(version.analysis.interfaces));
  if (!pair_box) return {};
  Box new_connections;
  new_connections[Dimension::kConnectionState] =
      IntervalSet::Point(U128::Of(static_cast<std::uint64_t>(ConnectionState::kNew)));
  pair_box = pair_box->Intersect(new_connections);
  if (!pair_box) return {};
  PacketSet out;
  for (const PathPiece& piece : version.path) {
    const PacketSet passing = piece.set.Intersect(*pair_box);
    for (Box box : passing.Boxes()) {
      box[Dimension::kInputInterface] = IntervalSet::All();
      box[Dimension::kOutputInterface] = IntervalSet::All();
      out = out.Union(PacketSet(std::move(box)));
    }
  }
  return out;
}

// The example as a concrete packet entering and leaving by the zones'
// first interfaces (none when a zone is known by addresses only).
Packet ConcretePacket(const Point& point, const Zone& from, const Zone& to) {
  Packet packet;
  packet.source = point[static_cast<std::size_t>(Dimension::kSourceAddress)];
  packet.destination = point[static_cast<std::size_t>(Dimension::kDestinationAddress)];
  packet.protocol =
      static_cast<std::uint8_t>(point[static_cast<std::size_t>(Dimension::kProtocol)].low);
  packet.source_port =
      static_cast<std::uint16_t>(point[static_cast<std::size_t>(Dimension::kSourcePort)].low);
  packet.destination_port =
      static_cast<std::uint16_t>(point[static_cast<std::size_t>(Dimension::kDestinationPort)].low);
  if (!from.interfaces.empty()) packet.input_interface = from.interfaces.front().name;
  if (!to.interfaces.empty()) packet.output_interface = to.interfaces.front().name;
  packet.state = ConnectionState::kNew;
  return packet;
}

ExamplePacket ExampleOf(const Packet& packet) {
  ExamplePacket example;
  example.source = FormatAddress(packet.source);
  example.destination = FormatAddress(packet.destination);
  example.protocol = packet.protocol;
  example.protocol_name = ProtocolName(packet.protocol);
  example.has_ports = PortProtocols().Contains(U128::Of(packet.protocol));
  example.source_port = packet.source_port;
  example.destination_port = packet.destination_port;
  example.input_interface = packet.input_interface;
  example.output_interface = packet.output_interface;
  example.state = std::string(Id(ConnectionState::kNew));
  return example;
}

struct Decided {
  RuleCitation rule;
  RuleRef ref;
  bool possible = false;
};

// Which rule of `version` decides `packet`, and whether a rule not modelled
// exactly could change that.
Decided Decide(const Version& version, const Packet& packet) {
  Decided out;
  auto strict = EvaluateForward(*version.rules, packet, Unmodelled::kAssumeNoMatch);
  auto loose = EvaluateForward(*version.rules, packet, Unmodelled::kAssumeMatch);
  if (strict.Ok()) {
    out.ref = strict->rule;
    out.rule = Cite(*version.rules, strict->rule);
  }
  out.possible = !strict.Ok() || !loose.Ok() || strict->accepted != loose->accepted;
  return out;
}

}  // namespace

bool DiffReport::OpensForbidden() const {
  return std::any_of(changes.begin(), changes.end(),
                     [](const DiffChange& change) { return change.forbidden; });
}

Result<DiffReport> Diff(const RuleSet& old_rules, const RuleSet& new_rules,
                        const AddressPlan& plan, const policy::Profile& profile,
                        const DiffLimits& limits) {
  DiffReport report;
  report.profile = profile.id;
  report.old_sources = old_rules.sources;
  report.new_sources = new_rules.sources;
  report.warnings = old_rules.warnings;
  report.warnings.insert(report.warnings.end(), new_rules.warnings.begin(),
                         new_rules.warnings.end());
  MAMORI_TRY(const Version old_version, Prepare(old_rules, plan, limits, report.warnings));
  MAMORI_TRY(const Version new_version, Prepare(new_rules, plan, limits, report.warnings));

  for (const Zone& from : plan.zones) {
    for (const Zone& to : plan.zones) {
      if (&from == &to) continue;
      const PacketSet before = Passing(old_version, from, to);
      const PacketSet after = Passing(new_version, from, to);
      const PairPolicy policy = PolicyFor(plan, profile.network, from, to);
      DiffPair pair{from.segment, to.segment, 0, 0, 0};
      for (const bool opened : {true, false}) {
        PacketSet changed = opened ? after.Subtract(before) : before.Subtract(after);
        if (changed.Empty()) continue;
        // Opened: the forbidden part first, so the worst example is never
        // crowded out by the limit.
        std::vector<PacketSet> parts;
        if (opened && policy.mode != policy::FlowMode::kDirect) {
          PacketSet forbidden = changed;
          for (const Box& box : policy.allowed) forbidden = forbidden.Subtract(box);
          parts.push_back(forbidden);
          parts.push_back(changed.Subtract(forbidden));
        } else {
          parts.push_back(changed);
        }
        std::vector<RuleRef> seen;  // one change per deciding rule of the side that passes it
        std::size_t listed = 0;
        for (std::size_t p = 0; p < parts.size(); ++p) {
          const bool forbidden = opened && policy.mode != policy::FlowMode::kDirect && p == 0;
          for (const Box& box : parts[p].Boxes()) {
            if (listed >= limits.max_changes_per_pair) break;
            const Packet packet = ConcretePacket(PreferredExample(PacketSet(box)), from, to);
            const Decided old_decision = Decide(old_version, packet);
            const Decided new_decision = Decide(new_version, packet);
            const RuleRef& key = opened ? new_decision.ref : old_decision.ref;
            if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
            seen.push_back(key);
            DiffChange change;
            change.from = from.segment;
            change.to = to.segment;
            change.opened = opened;
            change.mode = policy.mode;
            change.clause = policy.clause;
            change.forbidden = forbidden;
            change.example = ExampleOf(packet);
            change.old_rule = old_decision.rule;
            change.new_rule = new_decision.rule;
            change.possible = old_decision.possible || new_decision.possible;
            report.changes.push_back(std::move(change));
            ++listed;
            ++(opened ? pair.opened : pair.closed);
            if (forbidden) ++pair.forbidden;
          }
        }
      }
      if (pair.opened + pair.closed > 0) report.pairs.push_back(std::move(pair));
    }
  }
  // Both versions note the same things (no IPv6 forward chain, …): once each.
  std::vector<Diagnostic> unique;
  for (auto& w : report.warnings) {
    const bool seen = std::any_of(unique.begin(), unique.end(), [&](const Diagnostic& u) {
      return u.where.ToString() == w.where.ToString() && u.message_en == w.message_en;
    });
    if (!seen) unique.push_back(std::move(w));
  }
  report.warnings = std::move(unique);
  std::stable_sort(report.changes.begin(), report.changes.end(),
                   [](const DiffChange& a, const DiffChange& b) {
                     if (a.forbidden != b.forbidden) return a.forbidden;
                     return a.opened && !b.opened;
                   });
  return report;
}

nlohmann::json DiffReportToJson(const DiffReport& report) {
  using Json = nlohmann::json;
  Json pairs = Json::array();
  for (const auto& pair : report.pairs) {
    pairs.push_back({{"from", pair.from},
                     {"to", pair.to},
                     {"opened", pair.opened},
                     {"closed", pair.closed},
                     {"forbidden", pair.forbidden}});
  }
  Json changes = Json::array();
  for (const auto& change : report.changes) {
    changes.push_back({{"from", change.from},
                       {"to", change.to},
                       {"change", change.opened ? "opened" : "closed"},
                       {"mode", std::string(policy::Id(change.mode))},
                       {"clause", change.clause},
                       {"forbidden", change.forbidden},
                       {"possible", change.possible},
                       {"example", ExampleJson(change.example)},
                       {"old_rule", CitationJson(change.old_rule)},
                       {"new_rule", CitationJson(change.new_rule)}});
  }
  Json warnings = Json::array();
  for (const auto& w : report.warnings) {
    warnings.push_back(
        {{"where", w.where.ToString()}, {"message_ja", w.message_ja}, {"message_en", w.message_en}});
  }
  return {{"profile", report.profile},
          {"old", report.old_sources},
          {"new", report.new_sources},
          {"opens_forbidden", report.OpensForbidden()},
          {"pairs", pairs},
          {"changes", changes},
          {"warnings", warnings}};
}

std::string DiffReportToText(const DiffReport& report) {
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
    return out;
  };
  std::string out = "規則の変更の影響 / what the change does — プロファイル " + report.profile + "\n";
  out += "変更前 / old: " + join(report.old_sources) + "\n";
  out += "変更後 / new: " + join(report.new_sources) + "\n";
  if (report.changes.empty()) {
    out += "\n区域の間を通る新規の通信は変わりません / no zone pair changes\n";
  }
  for (const auto& pair : report.pairs) {
    out += "  " + pair.from + " → " + pair.to + "  開く " + std::to_string(pair.opened) +
           " 件（うち禁止 " + std::to_string(pair.forbidden) + "）、閉じる " +
           std::to_string(pair.closed) + " 件\n";
  }
  for (const auto& change : report.changes) {
    out += "\n[";
    out += change.forbidden ? "禁止された通信を開く / opens a forbidden flow"
           : change.opened  ? "開く / opens"
                            : "閉じる / closes";
    if (change.possible) out += "（解析しない規則による可能性）";
    out += "] " + change.from + " → " + change.to + "（" +
           std::string(policy::TitleJa(change.mode));
    if (!change.clause.empty()) out += "、条項 " + change.clause;
    out += "）\n    例 / example: " + change.example.ToString() + "\n";
    out += "    変更前 / old: " + change.old_rule.where;
    if (!change.old_rule.policy && !change.old_rule.text.empty()) out += "  " + change.old_rule.text;
    out += "\n    変更後 / new: " + change.new_rule.where;
    if (!change.new_rule.policy && !change.new_rule.text.empty()) out += "  " + change.new_rule.text;
    out += "\n";
  }
  for (const auto& w : report.warnings) {
    out += "注意 / note: " + (w.where.Empty() ? "" : w.where.ToString() + ": ") + w.message_ja + "\n";
  }
  return out;
}

}  // namespace mamori::netcheck
