#include "netcheck/model.h"

#include <utility>

namespace mamori::netcheck {

std::string_view Id(Family family) {
  switch (family) {
    case Family::kIp:
      return "ip";
    case Family::kIp6:
      return "ip6";
    case Family::kInet:
      return "inet";
  }
  return "?";
}

std::string_view Id(Hook hook) {
  switch (hook) {
    case Hook::kNone:
      return "";
    case Hook::kPrerouting:
      return "prerouting";
    case Hook::kInput:
      return "input";
    case Hook::kForward:
      return "forward";
    case Hook::kOutput:
      return "output";
    case Hook::kPostrouting:
      return "postrouting";
  }
  return "?";
}

std::string_view Id(ActionKind action) {
  switch (action) {
    case ActionKind::kAccept:
      return "accept";
    case ActionKind::kDrop:
      return "drop";
    case ActionKind::kReject:
      return "reject";
    case ActionKind::kJump:
      return "jump";
    case ActionKind::kGoto:
      return "goto";
    case ActionKind::kReturn:
      return "return";
    case ActionKind::kContinue:
      return "continue";
  }
  return "?";
}

std::string SourceLocation::ToString() const { return ToWhere().ToString(); }

Where SourceLocation::ToWhere() const {
  Where where{file, line, {}};
  if (!chain.empty()) {
    where.key = chain;
    if (handle >= 0) where.key += " handle " + std::to_string(handle);
  }
  return where;
}

Box Match::Compile(const InterfaceUniverse& interfaces) const {
  Box out = box;
  out[Dimension::kInputInterface] =
      out[Dimension::kInputInterface].Intersect(interfaces.Matching(input));
  out[Dimension::kOutputInterface] =
      out[Dimension::kOutputInterface].Intersect(interfaces.Matching(output));
  return out;
}

bool Match::Matches(const Packet& packet) const {
  return box[Dimension::kSourceAddress].Contains(packet.source) &&
         box[Dimension::kDestinationAddress].Contains(packet.destination) &&
         box[Dimension::kProtocol].Contains(U128::Of(packet.protocol)) &&
         box[Dimension::kSourcePort].Contains(U128::Of(packet.source_port)) &&
         box[Dimension::kDestinationPort].Contains(U128::Of(packet.destination_port)) &&
         box[Dimension::kConnectionState].Contains(
             U128::Of(static_cast<std::uint64_t>(packet.state))) &&
         input.Matches(packet.input_interface) && output.Matches(packet.output_interface);
}

std::optional<int> Table::FindChain(std::string_view chain_name) const {
  for (std::size_t i = 0; i < chains.size(); ++i) {
    if (chains[i].name == chain_name) return static_cast<int>(i);
  }
  return std::nullopt;
}

void RuleSet::Append(RuleSet other) {
  for (auto& table : other.tables) tables.push_back(std::move(table));
  for (auto& warning : other.warnings) warnings.push_back(std::move(warning));
  for (auto& source : other.sources) sources.push_back(std::move(source));
}

std::vector<InterfacePattern> RuleSet::InterfacePatterns() const {
  std::vector<InterfacePattern> out;
  for (const auto& table : tables) {
    for (const auto& chain : table.chains) {
      for (const auto& rule : chain.rules) {
        for (const auto* match : {&rule.match.input, &rule.match.output}) {
          out.insert(out.end(), match->patterns.begin(), match->patterns.end());
        }
      }
    }
  }
  return out;
}

std::size_t RuleSet::RuleCount() const {
  std::size_t count = 0;
  for (const auto& table : tables) {
    for (const auto& chain : table.chains) count += chain.rules.size();
  }
  return count;
}

std::string Describe(const RuleSet& rules, const RuleRef& ref) {
  if (ref.table < 0 || static_cast<std::size_t>(ref.table) >= rules.tables.size()) return "?";
  const Table& table = rules.tables[static_cast<std::size_t>(ref.table)];
  if (ref.chain < 0 || static_cast<std::size_t>(ref.chain) >= table.chains.size()) return "?";
  const Chain& chain = table.chains[static_cast<std::size_t>(ref.chain)];
  if (ref.rule < 0) {
    std::string where = chain.where.ToString();
    if (!where.empty()) where += " ";
    return where + "(" + chain.name + " の既定ポリシー " + std::string(Id(chain.policy)) +
           " / policy of " + chain.name + ")";
  }
  if (static_cast<std::size_t>(ref.rule) >= chain.rules.size()) return "?";
  return chain.rules[static_cast<std::size_t>(ref.rule)].where.ToString();
}

PacketSet FamilyUniverse(Family family) {
  const IntervalSet v4 = IntervalSet::Of(kIpv4Range);
  const IntervalSet v6 = v4.Complement();
  Box ipv4;
  ipv4[Dimension::kSourceAddress] = v4;
  ipv4[Dimension::kDestinationAddress] = v4;
  Box ipv6;
  ipv6[Dimension::kSourceAddress] = v6;
  ipv6[Dimension::kDestinationAddress] = v6;
  // Bounded coordinates: protocol 0–255, ports 0–65535, the five states.
  for (Box* box : {&ipv4, &ipv6}) {
    (*box)[Dimension::kProtocol] = IntervalSet::Range(0, 255);
    (*box)[Dimension::kSourcePort] = IntervalSet::Range(0, 65535);
    (*box)[Dimension::kDestinationPort] = IntervalSet::Range(0, 65535);
    (*box)[Dimension::kConnectionState] = IntervalSet::Range(0, kConnectionStateCount - 1);
  }
  PacketSet out;
  if (family != Family::kIp6) out = out.Union(PacketSet(ipv4));
  if (family != Family::kIp) out = out.Union(PacketSet(ipv6));
  return out;
}

}  // namespace mamori::netcheck
