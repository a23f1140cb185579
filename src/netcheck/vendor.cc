#include "netcheck/vendor.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace mamori::netcheck {
namespace {

void AddReasons(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& reason : from) {
    if (std::find(to.begin(), to.end(), reason) == to.end()) to.push_back(reason);
  }
}

}  // namespace

std::optional<std::uint16_t> ParsePort(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.size() > 5) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::optional<Interval> ParsePortRange(std::string_view text, char separator, OpenEnds open_ends) {
  const auto at = text.find(separator);
  if (at == std::string_view::npos) {
    const auto port = ParsePort(text);
    if (!port) return std::nullopt;
    return Interval{U128::Of(*port), U128::Of(*port)};
  }
  const std::string_view low_text = text.substr(0, at);
  const std::string_view high_text = text.substr(at + 1);
  const bool open = open_ends == OpenEnds::kAllowed;
  const auto low = low_text.empty() && open ? std::optional<std::uint16_t>(0) : ParsePort(low_text);
  const auto high =
      high_text.empty() && open ? std::optional<std::uint16_t>(65535) : ParsePort(high_text);
  if (!low || !high || *low > *high) return std::nullopt;
  return Interval{U128::Of(*low), U128::Of(*high)};
}

std::optional<std::uint16_t> WellKnownPort(std::string_view name) {
  // IANA service names, the aliases of /etc/services that nft prints, and
  // the spellings of YAMAHA's mnemonics (netbios_ns, ftpdata, …).
  static constexpr std::array<std::pair<std::string_view, std::uint16_t>, 74> kPorts = {{
      {"auth", 113},           {"bgp", 179},          {"bootpc", 68},        {"bootps", 67},
      {"chargen", 19},         {"daytime", 13},       {"dhcpc", 68},         {"dhcps", 67},
      {"dhcpv6c", 546},        {"dhcpv6s", 547},      {"discard", 9},        {"dns", 53},
      {"domain", 53},          {"echo", 7},           {"finger", 79},        {"ftp", 21},
      {"ftp-data", 20},        {"ftpdata", 20},       {"gopher", 70},        {"http", 80},
      {"https", 443},          {"ident", 113},        {"ike", 500},          {"imap", 143},
      {"imap3", 220},          {"imaps", 993},        {"ipsec-nat-t", 4500}, {"isakmp", 500},
      {"kerberos", 88},        {"l2tp", 1701},        {"ldap", 389},         {"ldaps", 636},
      {"login", 513},          {"microsoft-ds", 445}, {"ms-ds", 445},        {"ms-rpc", 135},
      {"ms-sql", 1433},        {"netbios-dgm", 138},  {"netbios-ns", 137},   {"netbios-ssn", 139},
      {"netbios_dgm", 138},    {"netbios_ns", 137},   {"netbios_ssn", 139},  {"nfs", 2049},
      {"nntp", 119},           {"ntp", 123},          {"pop3", 110},         {"pop3s", 995},
      {"pptp", 1723},          {"printer", 515},      {"radius", 1812},      {"rip", 520},
      {"ripng", 521},          {"rlogin", 513},       {"rsh", 514},          {"rwho", 513},
      {"shell", 514},          {"sip", 5060},         {"smtp", 25},          {"snmp", 161},
      {"snmptrap", 162},       {"ssh", 22},           {"submission", 587},   {"sunrpc", 111},
      {"syslog", 514},         {"telnet", 23},        {"tftp", 69},          {"time", 37},
      {"whois", 43},           {"www", 80},           {"xdmcp", 177},        {"xmpp-client", 5222},
      {"ms-wbt-server", 3389}, {"rdp", 3389},
  }};
  if (name.empty() || name.size() > 20) return std::nullopt;
  const std::string lower = AsciiLower(name);
  for (const auto& [service, port] : kPorts) {
    if (service == lower) return port;
  }
  return std::nullopt;
}

Error TooLarge(const Where& where, std::string_view ja, std::string_view en, std::size_t limit) {
  return Error(ErrorCode::kLimitExceeded,
               std::string(ja) + "（上限 " + std::to_string(limit) + " バイト）",
               std::string(en) + " (limit " + std::to_string(limit) + " bytes)", where);
}

Error TooMany(const Where& where, std::string_view what_ja, std::string_view what_en,
              std::size_t limit) {
  return Error(ErrorCode::kLimitExceeded,
               std::string(what_ja) + "が多すぎます（上限 " + std::to_string(limit) + "）",
               "too many " + std::string(what_en) + " (limit " + std::to_string(limit) + ")",
               where);
}

std::vector<std::string_view> LeadingLines(std::string_view text, std::size_t count) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (out.size() < count && start < text.size()) {
    const auto end = text.find('\n', start);
    std::string_view line =
        text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
  }
  return out;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto at = text.find(separator, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? text.npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

IntervalSet Ipv4Addresses() { return IntervalSet::Of(kIpv4Range); }
IntervalSet Ipv6Addresses() { return IntervalSet::Of(kIpv4Range).Complement(); }

void AddressSet::Add(const AddressSet& other) {
  addresses = addresses.Union(other.addresses);
  AddReasons(unmodelled, other.unmodelled);
}

void AddressSet::Exclude(const AddressSet& other) {
  if (other.Exact()) {
    addresses = addresses.Subtract(other.addresses);
    return;
  }
  std::vector<std::string> reasons;
  for (const auto& reason : other.unmodelled) reasons.push_back("exclude: " + reason);
  AddReasons(unmodelled, reasons);
}

AddressSet AddressSet::Complement(const IntervalSet& universe) const {
  if (!Exact()) return {universe, unmodelled};
  return AddressSet::Of(universe.Subtract(addresses));
}

ServiceSet ServiceSet::Any() {
  ServiceSet out;
  out.boxes.push_back({IntervalSet::Range(0, 255)});
  return out;
}

ServiceSet ServiceSet::Ports(std::uint8_t protocol, IntervalSet ports) {
  ServiceSet out;
  out.boxes.push_back(
      {IntervalSet::Point(U128::Of(protocol)), IntervalSet::All(), std::move(ports)});
  return out;
}

void ServiceSet::Add(const ServiceSet& other) {
  for (const auto& box : other.boxes) {
    // Boxes that differ in their destination ports only merge into one.
    auto same = std::find_if(boxes.begin(), boxes.end(), [&](const ServiceBox& mine) {
      return mine.protocols == box.protocols && mine.source_ports == box.source_ports;
    });
    if (same != boxes.end()) {
      same->destination_ports = same->destination_ports.Union(box.destination_ports);
    } else {
      boxes.push_back(box);
    }
  }
  AddReasons(unmodelled, other.unmodelled);
}

void AppendServiceRules(const Rule& rule, const ServiceSet& services, std::vector<Rule>& out) {
  std::vector<ServiceBox> boxes = services.boxes;
  if (boxes.empty()) boxes.push_back({IntervalSet()});
  for (const auto& service : boxes) {
    Rule narrowed = rule;
    Box& box = narrowed.match.box;
    box[Dimension::kProtocol] = box[Dimension::kProtocol].Intersect(service.protocols);
    box[Dimension::kSourcePort] = box[Dimension::kSourcePort].Intersect(service.source_ports);
    box[Dimension::kDestinationPort] =
        box[Dimension::kDestinationPort].Intersect(service.destination_ports);
    AddReasons(narrowed.match.unmodelled, services.unmodelled);
    out.push_back(std::move(narrowed));
  }
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

Diagnostic UnmodelledWarning(const Rule& rule) {
  std::vector<std::string> what = rule.match.unmodelled;
  if (!rule.unmodelled_action.empty()) what.push_back(rule.unmodelled_action);
  const std::string joined = Join(what);
  return {
      rule.where.ToWhere(),
      "解析しない条件があります（" + joined +
          "）。この規則は一致し得るすべてに一致するものとして扱います",
      "conditions not modelled (" + joined + "); the rule is taken to match everything it might"};
}

}  // namespace mamori::netcheck
