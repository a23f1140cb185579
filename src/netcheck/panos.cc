#include "netcheck/panos.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <utility>
#include <vector>

#include "netcheck/vendor.h"

namespace mamori::netcheck {
namespace {

std::string Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

std::string TextOf(pugi::xml_node node) { return Trim(node.child_value()); }

// Children of a rule entry that do not change which packets it matches.
// clang-format off
constexpr std::array<std::string_view, 13> kRuleIgnored = {
    "description", "tag", "profile-setting", "log-setting", "log-start", "log-end", "option",
    "qos", "group-tag", "target", "uuid", "icmp-unreachable", "disable-server-response-inspection"};
// Children whose members, other than "any", narrow the match in ways not modelled.
constexpr std::array<std::string_view, 9> kRuleNarrowing = {
    "source-user", "category", "source-hip", "destination-hip", "hip-profiles", "source-imei",
    "source-imsi", "source-nw-slice", "application"};
constexpr std::array<std::string_view, 11> kRuleModelled = {
    "from", "to", "source", "destination", "service", "action", "disabled", "negate-source",
    "negate-destination", "rule-type", "schedule"};
// clang-format on

// Two capital letters: a region (country) code such as JP.
bool IsRegion(std::string_view name) {
  return name.size() == 2 &&
         std::all_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

struct Member {
  std::string name;
  int line = 0;
};

struct Zone {
  std::string name;
  std::vector<InterfacePattern> interfaces;
};

// One vsys: its objects over the shared ones, its zones.
struct Vsys {
  std::string name;
  pugi::xml_node node;
  Catalog<AddressSet> addresses;
  Catalog<ServiceSet> services;
  std::vector<Zone> zones;
  std::vector<InterfacePattern> own;  // every interface of its zones

  const Zone* FindZone(std::string_view zone) const {
    for (const auto& z : zones) {
      if (z.name == zone) return &z;
    }
    return nullptr;
  }
};

class Reader {
 public:
  Reader(std::string file, const PanOsLimits& limits) : file_(std::move(file)), limits_(limits) {}

  Result<RuleSet> Read(std::string_view text) {
    if (text.size() > limits_.max_bytes) {
      return TooLarge({file_, 0, {}}, "ファイルが大きすぎます", "file too large",
                      limits_.max_bytes);
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') newlines_.push_back(i);
    }
    pugi::xml_document document;
    const pugi::xml_parse_result parsed =
        document.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string("XML として読めません（") + parsed.description() + "）",
                   std::string("not valid XML (") + parsed.description() + ")",
                   {file_, LineAt(parsed.offset), {}});
    }
    pugi::xml_node config = document.child("config");
    if (!config) config = document.child("response").child("result").child("config");
    if (!config) {
      return Error(ErrorCode::kInvalidArgument,
                   "<config> 要素がありません（PAN-OS の running-config の XML ですか）",
                   "no <config> element (is this a PAN-OS running-config XML?)",
                   {file_, LineOf(document.document_element()), {}});
    }
    rules_.sources.push_back(file_);
    const pugi::xml_node shared = config.child("shared");
    std::size_t shared_objects = 0;
    MAMORI_TRY_STATUS(ReadObjects(shared, shared_addresses_, shared_services_, shared_objects));
    std::vector<pugi::xml_node> vsys_nodes;
    for (pugi::xml_node device : config.child("devices").children("entry")) {
      if (device.child("device-group")) {
        Warn(LineOf(device.child("device-group")),
             "Panorama のデバイスグループは読みません（ファイアウォールの running-config "
             "を渡してください）",
             "Panorama device groups are not read (give the firewall's running-config)");
      }
      for (pugi::xml_node vsys : device.child("vsys").children("entry")) vsys_nodes.push_back(vsys);
    }
    several_ = vsys_nodes.size() > 1;
    if (vsys_nodes.empty()) {
      Warn(LineOf(config), "vsys がありません。ゾーンがないため転送される通信はありません",
           "no vsys: without zones nothing is forwarded");
      Table table;
      table.family = Family::kInet;
      table.name = "panos";
      Chain chain;
      chain.name = "security rules";
      chain.hook = Hook::kForward;
      chain.policy = ActionKind::kDrop;
      table.chains.push_back(std::move(chain));
      rules_.tables.push_back(std::move(table));
    }
    for (pugi::xml_node node : vsys_nodes) MAMORI_TRY_STATUS(ReadVsys(node));
    if (!errors_.empty()) return Error(ErrorCode::kInvalidArgument, std::move(errors_));
    return std::move(rules_);
  }

 private:
  int LineAt(std::ptrdiff_t offset) const {
    if (offset < 0) return 0;
    const auto it =
        std::upper_bound(newlines_.begin(), newlines_.end(), static_cast<std::size_t>(offset));
    return static_cast<int>(it - newlines_.begin()) + 1;
  }
  int LineOf(pugi::xml_node node) const { return node ? LineAt(node.offset_debug()) : 0; }
  Where Here(pugi::xml_node node) const { return {file_, LineOf(node), {}}; }

  std::string Name(pugi::xml_node entry) {
    std::string name = entry.attribute("name").value();
    if (name.empty()) Fail(LineOf(entry), "entry に name がありません", "entry without a name");
    return name;
  }

  std::vector<Member> Members(pugi::xml_node list) {
    std::vector<Member> out;
    for (pugi::xml_node member : list.children("member")) {
      if (out.size() >= limits_.max_members) {
        Fail(LineOf(member),
             "メンバーが多すぎます（上限 " + std::to_string(limits_.max_members) + "）",
             "too many members (limit " + std::to_string(limits_.max_members) + ")");
        break;
      }
      out.push_back({TextOf(member), LineOf(member)});
    }
    return out;
  }

  static std::vector<std::string> Names(const std::vector<Member>& members) {
    std::vector<std::string> out;
    for (const auto& member : members) out.push_back(member.name);
    return out;
  }

  static bool IsAny(const std::vector<Member>& members) {
    return members.empty() || (members.size() == 1 && members[0].name == "any");
  }

  bool Count(std::size_t& objects, pugi::xml_node entry) {
    if (++objects <= limits_.max_objects) return true;
    limit_error_ = TooMany(Here(entry), "オブジェクト", "objects", limits_.max_objects);
    return false;
  }

  // --- Objects ---

  Status ReadObjects(pugi::xml_node scope, Catalog<AddressSet>& addresses,
                     Catalog<ServiceSet>& services, std::size_t& objects) {
    for (pugi::xml_node entry : scope.child("address").children("entry")) {
      if (!Count(objects, entry)) return limit_error_;
      const std::string name = Name(entry);
      if (!addresses.AddObject(name, Address(entry, name), Here(entry))) Duplicate(entry, name);
    }
    for (pugi::xml_node entry : scope.child("external-list").children("entry")) {
      if (!Count(objects, entry)) return limit_error_;
      const std::string name = Name(entry);
      if (!addresses.AddObject(
              name, AddressSet::Unmodelled(IntervalSet::All(), "external dynamic list " + name),
              Here(entry))) {
        Duplicate(entry, name);
      }
    }
    for (pugi::xml_node entry : scope.child("address-group").children("entry")) {
      if (!Count(objects, entry)) return limit_error_;
      const std::string name = Name(entry);
      bool added = false;
      if (pugi::xml_node dynamic = entry.child("dynamic")) {
        const std::string filter = TextOf(dynamic.child("filter"));
        Warn(LineOf(entry),
             "動的アドレスグループ「" + name + "」（" + filter +
                 "）は解析しません。すべてのアドレスとして扱います",
             "dynamic address group \"" + name + "\" (" + filter +
                 ") is not modelled: taken as every address");
        added = addresses.AddObject(
            name, AddressSet::Unmodelled(IntervalSet::All(), "dynamic group " + name), Here(entry));
      } else {
        added = addresses.AddGroup(name, Names(Members(entry.child("static"))), {}, Here(entry));
      }
      if (!added) Duplicate(entry, name);
    }
    for (pugi::xml_node entry : scope.child("service").children("entry")) {
      if (!Count(objects, entry)) return limit_error_;
      const std::string name = Name(entry);
      if (!services.AddObject(name, Service(entry, name), Here(entry))) Duplicate(entry, name);
    }
    for (pugi::xml_node entry : scope.child("service-group").children("entry")) {
      if (!Count(objects, entry)) return limit_error_;
      const std::string name = Name(entry);
      if (!services.AddGroup(name, Names(Members(entry.child("members"))), {}, Here(entry))) {
        Duplicate(entry, name);
      }
    }
    return OkStatus();
  }

  void Duplicate(pugi::xml_node entry, const std::string& name) {
    Fail(LineOf(entry), "「" + name + "」が二度定義されています",
         "\"" + name + "\" is defined twice");
  }

  AddressSet Address(pugi::xml_node entry, const std::string& name) {
    std::vector<std::string> unknown;
    for (pugi::xml_node child : entry.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string_view kind = child.name();
      if (kind == "ip-netmask" || kind == "ip-range") {
        const std::string text = TextOf(child);
        auto network = ParseNetwork(text, HostBits::kMask);
        if (!network.Ok()) {
          Fail(LineOf(child), "アドレス「" + name + "」: " + network.Err().Headline().message_ja,
               "address \"" + name + "\": " + network.Err().Headline().message_en);
          return AddressSet::Of(IntervalSet());
        }
        return AddressSet::Of(IntervalSet::Of(*network));
      }
      if (kind == "fqdn" || kind == "ip-wildcard") {
        Warn(LineOf(child),
             "アドレス「" + name + "」（" + std::string(kind) +
                 "）は解析しません。すべてのアドレスとして扱います",
             "address \"" + name + "\" (" + std::string(kind) +
                 ") is not modelled: taken as every address");
        return AddressSet::Unmodelled(IntervalSet::All(),
                                      name + " (" + std::string(kind) + " " + TextOf(child) + ")");
      }
    }
    Fail(LineOf(entry),
         "アドレス「" + name + "」に ip-netmask, ip-range, fqdn のいずれもありません",
         "address \"" + name + "\" has no ip-netmask, ip-range or fqdn");
    return AddressSet::Of(IntervalSet());
  }

  // "80,443,8000-8100"
  std::optional<IntervalSet> Ports(pugi::xml_node node, const std::string& name) {
    std::vector<Interval> intervals;
    const std::string text = TextOf(node);
    for (auto item : Split(text, ',')) {
      const auto range = ParsePortRange(Trim(item), '-', OpenEnds::kRejected);
      if (!range) {
        Fail(LineOf(node),
             "サービス「" + name + "」のポート「" + std::string(item) +
                 "」を読めません（0〜65535、範囲は 下限-上限）",
             "cannot read port \"" + std::string(item) + "\" of service \"" + name +
                 "\" (0-65535, ranges as low-high)");
        return std::nullopt;
      }
      intervals.push_back(*range);
    }
    return IntervalSet::FromIntervals(std::move(intervals));
  }

  ServiceSet Service(pugi::xml_node entry, const std::string& name) {
    ServiceSet out;
    const pugi::xml_node protocol = entry.child("protocol");
    for (const auto& [kind, number] :
         {std::pair{"tcp", std::uint8_t{6}}, std::pair{"udp", std::uint8_t{17}},
          std::pair{"sctp", std::uint8_t{132}}}) {
      const pugi::xml_node node = protocol.child(kind);
      if (!node) continue;
      const auto destination = Ports(node.child("port"), name);
      if (!destination) return out;
      ServiceBox box{IntervalSet::Point(U128::Of(number)), IntervalSet::All(), *destination};
      if (pugi::xml_node source = node.child("source-port")) {
        const auto source_ports = Ports(source, name);
        if (!source_ports) return out;
        box.source_ports = *source_ports;
      }
      out.boxes.push_back(std::move(box));
      return out;
    }
    Fail(LineOf(entry), "サービス「" + name + "」に protocol/tcp, udp, sctp のいずれもありません",
         "service \"" + name + "\" has no protocol/tcp, udp or sctp");
    return out;
  }

  // --- A vsys ---

  Status ReadVsys(pugi::xml_node node) {
    Vsys vsys{Name(node),
              node,
              Catalog<AddressSet>(&shared_addresses_),
              Catalog<ServiceSet>(&shared_services_),
              {},
              {}};
    std::size_t objects = shared_addresses_.Size() + shared_services_.Size();
    MAMORI_TRY_STATUS(ReadObjects(node, vsys.addresses, vsys.services, objects));
    for (pugi::xml_node entry : node.child("zone").children("entry")) {
      Zone zone;
      zone.name = Name(entry);
      for (pugi::xml_node network : entry.child("network").children()) {
        if (network.type() != pugi::node_element) continue;
        for (const auto& member : Members(network)) {
          zone.interfaces.push_back({member.name, false});
          vsys.own.push_back({member.name, false});
        }
      }
      vsys.zones.push_back(std::move(zone));
    }
    Table table;
    table.family = Family::kInet;
    table.name = several_ ? "panos " + vsys.name : "panos";
    table.where = {file_, LineOf(node), {}, -1};
    Chain chain;
    chain.name = "security rules";
    chain.hook = Hook::kForward;
    const pugi::xml_node rulebase = node.child("rulebase");
    const pugi::xml_node rules = rulebase.child("security").child("rules");
    chain.where = {file_, LineOf(rules ? rules : node), {}, -1};
    for (pugi::xml_node entry : rules.children("entry"))
      MAMORI_TRY_STATUS(SecurityRule(vsys, entry, chain));
    if (rulebase.child("nat").child("rules").child("entry")) {
      Warn(LineOf(rulebase.child("nat")),
           "NAT の規則は反映しません（変換前のアドレスで検査します）",
           "NAT rules are not applied (addresses are checked as written in the security rules)");
    }
    Defaults(vsys, rulebase.child("default-security-rules").child("rules"), chain);
    table.chains.push_back(std::move(chain));
    rules_.tables.push_back(std::move(table));
    return OkStatus();
  }

  // intrazone-default (allow) per zone, interzone-default (deny) as the
  // chain's policy, or their overrides.
  void Defaults(const Vsys& vsys, pugi::xml_node overrides, Chain& chain) {
    ActionKind intrazone = ActionKind::kAccept;
    ActionKind interzone = ActionKind::kDrop;
    SourceLocation intrazone_where = chain.where;
    for (pugi::xml_node entry : overrides.children("entry")) {
      const std::string name = entry.attribute("name").value();
      const pugi::xml_node action_node = entry.child("action");
      if (!action_node) continue;
      const auto action = Action(action_node);
      if (!action) continue;
      if (name == "intrazone-default") {
        intrazone = *action;
        intrazone_where = {file_, LineOf(entry), {}, -1};
      } else if (name == "interzone-default") {
        interzone = *action == ActionKind::kAccept ? ActionKind::kAccept : ActionKind::kDrop;
        chain.where = {file_, LineOf(entry), {}, -1};
      }
    }
    for (const Zone& zone : vsys.zones) {
      Rule rule;
      rule.match.input = {false, false, zone.interfaces};
      rule.match.output = {false, false, zone.interfaces};
      rule.action = intrazone;
      rule.where = intrazone_where;
      rule.text =
          "intrazone-default " + std::string(Id(intrazone)) + " (zone \"" + zone.name + "\")";
      chain.rules.push_back(std::move(rule));
    }
    chain.policy = interzone;
    if (several_) {
      // Only this vsys's packets meet its interzone default.
      if (interzone == ActionKind::kDrop && !vsys.own.empty()) {
        Rule rule;
        rule.match.input = {false, false, vsys.own};
        rule.action = ActionKind::kDrop;
        rule.where = chain.where;
        rule.text = "interzone-default deny (vsys " + vsys.name + ")";
        chain.rules.push_back(std::move(rule));
      }
      chain.policy = ActionKind::kAccept;
    }
  }

  std::optional<ActionKind> Action(pugi::xml_node node) {
    const std::string action = TextOf(node);
    if (action == "allow") return ActionKind::kAccept;
    if (action == "deny" || action == "drop") return ActionKind::kDrop;
    if (action == "reset-client" || action == "reset-server" || action == "reset-both") {
      return ActionKind::kReject;
    }
    Fail(LineOf(node),
         "action「" + action +
             "」を読めません（allow, deny, drop, reset-client, reset-server, reset-both）",
         "unknown action \"" + action +
             "\" (allow, deny, drop, reset-client, reset-server, reset-both)");
    return std::nullopt;
  }

  AddressSet Addresses(const Vsys& vsys, pugi::xml_node list) {
    const std::vector<Member> members = Members(list);
    if (IsAny(members)) return AddressSet::Of(IntervalSet::All());
    const auto fallback = [](std::string_view name) -> std::optional<AddressSet> {
      if (name == "any") return AddressSet::Of(IntervalSet::All());
      if (IsRegion(name) || name.starts_with("panw-")) {
        return AddressSet::Unmodelled(IntervalSet::All(), "region or list " + std::string(name));
      }
      auto network = ParseNetwork(name, HostBits::kMask);
      if (network.Ok()) return AddressSet::Of(IntervalSet::Of(*network));
      return std::nullopt;
    };
    AddressSet out;
    for (const auto& member : members) {
      auto found = vsys.addresses.Resolve(member.name, fallback, limits_.max_group_depth);
      if (!found.Ok()) {
        for (const auto& d : found.Err().Diagnostics()) errors_.push_back(d);
        continue;
      }
      if (!*found) {
        Fail(member.line, "アドレス「" + member.name + "」が定義されていません",
             "address \"" + member.name + "\" is not defined");
        continue;
      }
      out.Add(**found);
    }
    return out;
  }

  ServiceSet Services(const Vsys& vsys, pugi::xml_node list, const std::string& label) {
    const std::vector<Member> members = Members(list);
    const auto fallback = [](std::string_view name) -> std::optional<ServiceSet> {
      if (name == "any") return ServiceSet::Any();
      if (name == "service-http") {
        return ServiceSet::Ports(6, IntervalSet::FromIntervals({{U128::Of(80), U128::Of(80)},
                                                                {U128::Of(8080), U128::Of(8080)}}));
      }
      if (name == "service-https") return ServiceSet::Ports(6, IntervalSet::Range(443, 443));
      return std::nullopt;
    };
    ServiceSet out;
    if (members.empty()) return ServiceSet::Any();
    for (const auto& member : members) {
      if (member.name == "application-default") {
        // The applications' own ports, which the configuration does not
        // hold: every protocol and port (ping and ipsec-esp are neither TCP
        // nor UDP), inexact.
        Warn(member.line,
             label +
                 " の service application-default "
                 "は解析しません。すべてのプロトコルとポートとして扱います",
             label +
                 ": service application-default is not modelled: taken as every protocol and port");
        ServiceSet any = ServiceSet::Any();
        any.unmodelled.push_back("service application-default");
        out.Add(any);
        continue;
      }
      auto found = vsys.services.Resolve(member.name, fallback, limits_.max_group_depth);
      if (!found.Ok()) {
        for (const auto& d : found.Err().Diagnostics()) errors_.push_back(d);
        continue;
      }
      if (!*found) {
        Fail(member.line, "サービス「" + member.name + "」が定義されていません",
             "service \"" + member.name + "\" is not defined");
        continue;
      }
      out.Add(**found);
    }
    return out;
  }

  // The interfaces of the zones of a from / to list; every interface for "any".
  std::optional<InterfaceMatch> Zones(const Vsys& vsys, const std::vector<Member>& members) {
    if (IsAny(members)) {
      if (!several_ || vsys.own.empty()) return InterfaceMatch{};
      return InterfaceMatch{false, false, vsys.own};
    }
    InterfaceMatch match{false, false, {}};
    for (const auto& member : members) {
      const Zone* zone = vsys.FindZone(member.name);
      if (zone == nullptr) {
        Fail(member.line, "ゾーン「" + member.name + "」が定義されていません",
             "zone \"" + member.name + "\" is not defined");
        return std::nullopt;
      }
      match.patterns.insert(match.patterns.end(), zone->interfaces.begin(), zone->interfaces.end());
    }
    return match;
  }

  // The zones a from / to list names, for intrazone and interzone rules.
  std::vector<const Zone*> ZoneList(const Vsys& vsys, const std::vector<Member>& members) {
    std::vector<const Zone*> out;
    if (IsAny(members)) {
      for (const auto& zone : vsys.zones) out.push_back(&zone);
      return out;
    }
    for (const auto& member : members) {
      if (const Zone* zone = vsys.FindZone(member.name)) out.push_back(zone);
    }
    return out;
  }

  static std::string List(const std::vector<Member>& members) {
    return "[" + Join(Names(members), " ") + "]";
  }

  Status SecurityRule(const Vsys& vsys, pugi::xml_node entry, Chain& chain) {
    const std::string name = Name(entry);
    const std::string label = "rule \"" + name + "\"";
    const int line = LineOf(entry);
    if (TextOf(entry.child("disabled")) == "yes") {
      Warn(line, label + " は無効（disabled）のため検査しません", label + " is disabled: skipped");
      return OkStatus();
    }
    Rule rule;
    rule.where = {file_, line, {}, -1};
    rule.comment = TextOf(entry.child("description"));
    std::vector<std::string>& unmodelled = rule.match.unmodelled;
    for (pugi::xml_node child : entry.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string_view kind = child.name();
      if (IsOneOf(kind, kRuleModelled) || IsOneOf(kind, kRuleIgnored)) continue;
      if (IsOneOf(kind, kRuleNarrowing)) {
        const auto members = Members(child);
        if (!IsAny(members)) unmodelled.push_back(std::string(kind) + " " + List(members));
        continue;
      }
      Warn(LineOf(child), label + " の " + std::string(kind) + " は解析しません",
           std::string(kind) + " of " + label + " is not modelled");
      unmodelled.push_back(std::string(kind));
    }
    if (const std::string schedule = TextOf(entry.child("schedule")); !schedule.empty()) {
      unmodelled.push_back("schedule " + schedule);
    }
    const auto from = Members(entry.child("from"));
    const auto to = Members(entry.child("to"));
    const auto sources = Members(entry.child("source"));
    const auto destinations = Members(entry.child("destination"));
    AddressSet source = Addresses(vsys, entry.child("source"));
    AddressSet destination = Addresses(vsys, entry.child("destination"));
    if (TextOf(entry.child("negate-source")) == "yes")
      source = source.Complement(IntervalSet::All());
    if (TextOf(entry.child("negate-destination")) == "yes") {
      destination = destination.Complement(IntervalSet::All());
    }
    rule.match.box[Dimension::kSourceAddress] = source.addresses;
    rule.match.box[Dimension::kDestinationAddress] = destination.addresses;
    for (const auto* set : {&source, &destination}) {
      for (const auto& reason : set->unmodelled) unmodelled.push_back(reason);
    }
    const ServiceSet services = Services(vsys, entry.child("service"), label);
    const pugi::xml_node action_node = entry.child("action");
    std::string action = "allow";
    if (action_node) {
      const auto parsed = Action(action_node);
      if (!parsed) return OkStatus();
      rule.action = *parsed;
      action = TextOf(action_node);
    } else {
      rule.action = ActionKind::kAccept;  // PAN-OS's default
    }
    rule.text = label + ": from " + List(from) + " to " + List(to) + " source " + List(sources) +
                " destination " + List(destinations) + " application " +
                List(Members(entry.child("application"))) + " service " +
                List(Members(entry.child("service"))) + " action " + action;
    // Which zone pairs: universal (default) from × to; intrazone the same
    // zone on both sides; interzone two different zones.
    std::vector<std::pair<InterfaceMatch, InterfaceMatch>> sides;
    const std::string type = TextOf(entry.child("rule-type"));
    if (type.empty() || type == "universal") {
      const auto input = Zones(vsys, from);
      const auto output = Zones(vsys, to);
      if (!input || !output) return OkStatus();
      sides.emplace_back(*input, *output);
    } else if (type == "intrazone" || type == "interzone") {
      if (!Zones(vsys, from) || !Zones(vsys, to)) return OkStatus();
      const auto from_zones = ZoneList(vsys, from);
      const auto to_zones = type == "intrazone" ? from_zones : ZoneList(vsys, to);
      for (const Zone* a : from_zones) {
        for (const Zone* b : to_zones) {
          if ((type == "intrazone") != (a == b)) continue;
          sides.emplace_back(InterfaceMatch{false, false, a->interfaces},
                             InterfaceMatch{false, false, b->interfaces});
        }
      }
    } else {
      Fail(LineOf(entry.child("rule-type")),
           "rule-type「" + type + "」を読めません（universal, intrazone, interzone）",
           "unknown rule-type \"" + type + "\" (universal, intrazone, interzone)");
      return OkStatus();
    }
    const std::size_t first = chain.rules.size();
    for (auto& [input, output] : sides) {
      Rule sided = rule;
      sided.match.input = std::move(input);
      sided.match.output = std::move(output);
      AppendServiceRules(sided, services, chain.rules);
      if (chain.rules.size() > limits_.max_rules) {
        return TooMany({file_, line, {}}, "規則", "rules", limits_.max_rules);
      }
    }
    if (first < chain.rules.size() && !chain.rules[first].Exact()) {
      rules_.warnings.push_back(UnmodelledWarning(chain.rules[first]));
    }
    return OkStatus();
  }

  void Fail(int line, const std::string& ja, const std::string& en) {
    errors_.push_back({{file_, line, {}}, ja, en});
  }
  void Warn(int line, const std::string& ja, const std::string& en) {
    rules_.warnings.push_back({{file_, line, {}}, ja, en});
  }

  std::string file_;
  const PanOsLimits& limits_;
  std::vector<std::size_t> newlines_;
  RuleSet rules_;
  std::vector<Diagnostic> errors_;
  Catalog<AddressSet> shared_addresses_;
  Catalog<ServiceSet> shared_services_;
  bool several_ = false;
  Error limit_error_{ErrorCode::kLimitExceeded, "", ""};
};

}  // namespace

Result<RuleSet> ParsePanOs(std::string_view text, const std::string& file,
                           const PanOsLimits& limits) {
  Reader reader(file, limits);
  return reader.Read(text);
}

bool LooksLikePanOs(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '<') return false;
  return text.substr(0, 4096).find("<config") != std::string_view::npos;
}

}  // namespace mamori::netcheck
