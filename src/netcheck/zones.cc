#include "netcheck/zones.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "common/toml_library.h"
#include "common/toml_text.h"
#include "tabular/csv.h"

namespace mamori::netcheck {

std::string_view Id(HostRole role) {
  switch (role) {
    case HostRole::kSanitizeGateway:
      return "sanitize_gateway";
    case HostRole::kScreenTransfer:
      return "screen_transfer";
    case HostRole::kLgwanAspRelay:
      return "lgwan_asp_relay";
    case HostRole::kExternalConnection:
      return "external_connection";
  }
  return "?";
}

std::string_view TitleJa(HostRole role) {
  switch (role) {
    case HostRole::kSanitizeGateway:
      return "無害化装置";
    case HostRole::kScreenTransfer:
      return "画面転送サーバ";
    case HostRole::kLgwanAspRelay:
      return "LGWAN-ASP 中継";
    case HostRole::kExternalConnection:
      return "外部接続先";
  }
  return "?";
}

Box Zone::AsSource(const InterfaceUniverse& universe) const {
  Box box;
  if (!network_texts.empty()) box[Dimension::kSourceAddress] = networks;
  if (!interfaces.empty()) {
    box[Dimension::kInputInterface] = universe.Matching({false, false, interfaces});
  }
  return box;
}

Box Zone::AsDestination(const InterfaceUniverse& universe) const {
  Box box;
  if (!network_texts.empty()) box[Dimension::kDestinationAddress] = networks;
  if (!interfaces.empty()) {
    box[Dimension::kOutputInterface] = universe.Matching({false, false, interfaces});
  }
  return box;
}

std::vector<Box> Host::Reachable() const {
  std::vector<Box> out;
  Box base;
  base[Dimension::kDestinationAddress] = addresses;
  if (services.empty()) return {base};
  for (const auto& service : services) {
    Box box = base;
    box[Dimension::kProtocol] = service.protocols;
    box[Dimension::kDestinationPort] = service.ports;
    out.push_back(std::move(box));
  }
  return out;
}

const Zone* AddressPlan::FindZone(std::string_view segment) const {
  for (const auto& zone : zones) {
    if (zone.segment == segment) return &zone;
  }
  return nullptr;
}

std::vector<InterfacePattern> AddressPlan::InterfacePatterns() const {
  std::vector<InterfacePattern> out;
  for (const auto& zone : zones) out.insert(out.end(), zone.interfaces.begin(), zone.interfaces.end());
  return out;
}

namespace {

struct Problem {
  std::string ja;
  std::string en;
};

std::optional<HostRole> ParseRole(std::string_view text) {
  for (HostRole role : {HostRole::kSanitizeGateway, HostRole::kScreenTransfer,
                        HostRole::kLgwanAspRelay, HostRole::kExternalConnection}) {
    if (Id(role) == text) return role;
  }
  return std::nullopt;
}

std::optional<std::uint16_t> Port(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.size() > 5) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// "tcp/443", "tcp/8000-8010", "udp/53", "icmp", "tcp", "any".
std::optional<Service> ParseService(std::string_view text, Problem* problem) {
  Service service;
  service.text = std::string(text);
  service.ports = IntervalSet::All();
  if (text == "any") {
    service.protocols = IntervalSet::All();
    return service;
  }
  const auto slash = text.find('/');
  const auto protocol = ParseProtocol(text.substr(0, slash));
  if (!protocol) {
    *problem = {"サービス「" + std::string(text) + "」のプロトコルを読めません（tcp/443 の形）",
                "cannot read the protocol of service \"" + std::string(text) +
                    "\" (write it as tcp/443)"};
    return std::nullopt;
  }
  service.protocols = IntervalSet::Point(U128::Of(*protocol));
  if (slash == std::string_view::npos) return service;
  if (!PortProtocols().Contains(U128::Of(*protocol))) {
    *problem = {"ポートのないプロトコルにポートがあります: " + std::string(text),
                "ports given for a protocol without ports: " + std::string(text)};
    return std::nullopt;
  }
  const std::string_view ports = text.substr(slash + 1);
  const auto dash = ports.find_first_of("-:");
  const auto low = Port(ports.substr(0, dash));
  const auto high = dash == std::string_view::npos ? low : Port(ports.substr(dash + 1));
  if (!low || !high || *low > *high) {
    *problem = {"サービス「" + std::string(text) + "」のポートを読めません（0〜65535、範囲は 8000-8010）",
                "cannot read the ports of service \"" + std::string(text) +
                    "\" (0-65535, ranges as 8000-8010)"};
    return std::nullopt;
  }
  service.ports = IntervalSet::Range(*low, *high);
  return service;
}

InterfacePattern ParseInterfaceName(std::string_view name) {
  if (!name.empty() && (name.back() == '+' || name.back() == '*')) {
    return {std::string(name.substr(0, name.size() - 1)), true};
  }
  return {std::string(name), false};
}

// Shared by both readers: one entry's fields as strings.
class Builder {
 public:
  Builder(std::string file, const ZonesLimits& limits) : file_(std::move(file)), limits_(limits) {}

  void Fail(int line, std::string key, std::string ja, std::string en) {
    errors_.push_back({{file_, line, std::move(key)}, std::move(ja), std::move(en)});
  }

  bool TooMany(int line, const std::string& key, std::size_t count) {
    if (count <= limits_.max_items) return false;
    Fail(line, key, "要素が多すぎます（上限 " + std::to_string(limits_.max_items) + "）",
         "too many items (limit " + std::to_string(limits_.max_items) + ")");
    return true;
  }

  Status Limit(std::size_t count, std::size_t limit, const char* what_ja, const char* what_en) {
    if (count <= limit) return OkStatus();
    return Error(ErrorCode::kLimitExceeded,
                 std::string(what_ja) + "が多すぎます（上限 " + std::to_string(limit) + "）",
                 std::string("too many ") + what_en + " (limit " + std::to_string(limit) + ")",
                 {file_, 0, {}});
  }

  std::optional<IntervalSet> Networks(int line, const std::string& key,
                                      const std::vector<std::string>& texts) {
    if (TooMany(line, key, texts.size())) return std::nullopt;
    std::vector<Interval> intervals;
    bool ok = true;
    for (const auto& text : texts) {
      auto network = ParseNetwork(text, HostBits::kReject);
      if (!network.Ok()) {
        Fail(line, key, network.Err().Headline().message_ja, network.Err().Headline().message_en);
        ok = false;
        continue;
      }
      intervals.push_back(*network);
    }
    if (!ok) return std::nullopt;
    return IntervalSet::FromIntervals(std::move(intervals));
  }

  void AddZone(int line, const std::string& segment, const std::vector<std::string>& networks,
               const std::vector<std::string>& interfaces) {
    if (segment.empty()) {
      Fail(line, "segment", "区域に segment がありません", "the zone has no segment");
      return;
    }
    for (const auto& zone : plan_.zones) {
      if (zone.segment == segment) {
        Fail(line, "segment",
             "区域「" + segment + "」は " + zone.where.ToString() + " でも定義されています",
             "zone \"" + segment + "\" is also defined at " + zone.where.ToString());
        return;
      }
    }
    if (networks.empty() && interfaces.empty()) {
      Fail(line, segment, "区域「" + segment + "」に networks も interfaces もありません",
           "zone \"" + segment + "\" has neither networks nor interfaces");
      return;
    }
    Zone zone;
    zone.segment = segment;
    zone.where = {file_, line, "zones." + segment};
    zone.network_texts = networks;
    auto set = Networks(line, "zones." + segment + ".networks", networks);
    if (!set) return;
    zone.networks = std::move(*set);
    if (TooMany(line, "interfaces", interfaces.size())) return;
    for (const auto& name : interfaces) {
      if (name.empty() || name.size() > 15) {
        Fail(line, "zones." + segment + ".interfaces",
             "インタフェース名「" + name + "」は 1〜15 文字です",
             "interface name \"" + name + "\" must be 1-15 characters");
        return;
      }
      zone.interfaces.push_back(ParseInterfaceName(name));
    }
    plan_.zones.push_back(std::move(zone));
  }

  void AddHost(int line, const std::string& name, const std::string& role,
               const std::vector<std::string>& addresses, const std::vector<std::string>& services,
               const std::vector<std::string>& from) {
    const std::string key = "hosts." + (name.empty() ? std::string("?") : name);
    if (name.empty()) {
      Fail(line, key, "ホストに name がありません", "the host has no name");
      return;
    }
    for (const auto& host : plan_.hosts) {
      if (host.name == name) {
        Fail(line, key, "ホスト「" + name + "」は " + host.where.ToString() + " でも定義されています",
             "host \"" + name + "\" is also defined at " + host.where.ToString());
        return;
      }
    }
    const auto parsed_role = ParseRole(role);
    if (!parsed_role) {
      Fail(line, key + ".role",
           "role「" + role +
               "」は sanitize_gateway, screen_transfer, lgwan_asp_relay, external_connection の"
               "いずれかです",
           "role \"" + role +
               "\" must be one of sanitize_gateway, screen_transfer, lgwan_asp_relay, "
               "external_connection");
      return;
    }
    if (addresses.empty()) {
      Fail(line, key + ".addresses", "ホスト「" + name + "」に addresses がありません",
           "host \"" + name + "\" has no addresses");
      return;
    }
    Host host;
    host.name = name;
    host.role = *parsed_role;
    host.where = {file_, line, key};
    host.address_texts = addresses;
    auto set = Networks(line, key + ".addresses", addresses);
    if (!set) return;
    host.addresses = std::move(*set);
    if (TooMany(line, key + ".services", services.size())) return;
    for (const auto& text : services) {
      Problem problem;
      auto service = ParseService(text, &problem);
      if (!service) {
        Fail(line, key + ".services", problem.ja, problem.en);
        return;
      }
      host.services.push_back(std::move(*service));
    }
    host.from = from;
    plan_.hosts.push_back(std::move(host));
  }

  Result<AddressPlan> Finish() {
    if (!errors_.empty()) return Error(ErrorCode::kInvalidArgument, std::move(errors_));
    MAMORI_TRY_STATUS(Limit(plan_.zones.size(), limits_.max_zones, "区域", "zones"));
    MAMORI_TRY_STATUS(Limit(plan_.hosts.size(), limits_.max_hosts, "ホスト", "hosts"));
    return std::move(plan_);
  }

  const std::string& File() const { return file_; }
  const ZonesLimits& Limits() const { return limits_; }

 private:
  std::string file_;
  const ZonesLimits& limits_;
  AddressPlan plan_;
  std::vector<Diagnostic> errors_;
};

int LineOf(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

// A string or an array of strings; false (after Fail) otherwise.
bool Strings(Builder& builder, const toml::node& node, const std::string& key,
             std::vector<std::string>* out) {
  if (const auto* text = node.as_string()) {
    out->push_back(text->get());
    return true;
  }
  const auto* array = node.as_array();
  if (array == nullptr) {
    builder.Fail(LineOf(node), key, key + " は文字列の配列です", key + " must be an array of strings");
    return false;
  }
  for (const auto& item : *array) {
    const auto* text = item.as_string();
    if (text == nullptr) {
      builder.Fail(LineOf(item), key, key + " は文字列の配列です",
                   key + " must be an array of strings");
      return false;
    }
    out->push_back(text->get());
  }
  return true;
}

bool String(Builder& builder, const toml::node& node, const std::string& key, std::string* out) {
  const auto* text = node.as_string();
  if (text == nullptr) {
    builder.Fail(LineOf(node), key, key + " は文字列です", key + " must be a string");
    return false;
  }
  *out = text->get();
  return true;
}

Result<AddressPlan> ParseToml(std::string_view text, Builder& builder) {
  if (const int line = LineOfNonAsciiOutsideStrings(text); line != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "文字列とコメントの外に ASCII 以外の文字があります（全角の空白や記号を確認してください）",
                 "a non-ASCII character outside strings and comments (check for full-width "
                 "spaces or symbols)",
                 {builder.File(), line, {}});
  }
  toml::parse_result parsed = toml::parse(text, builder.File());
  if (!parsed) {
    const toml::parse_error& error = parsed.error();
    return Error(ErrorCode::kInvalidArgument,
                 "TOML の構文エラー: " + std::string(error.description()),
                 "TOML syntax error: " + std::string(error.description()),
                 {builder.File(), static_cast<int>(error.source().begin.line), {}});
  }
  const toml::table& root = parsed.table();
  for (auto&& [key, node] : root) {
    const std::string name(key.str());
    const int line = static_cast<int>(key.source().begin.line);
    if (name == "zones") {
      const auto* zones = node.as_table();
      if (zones == nullptr) {
        builder.Fail(line, name, "zones は表です（[zones.lgwan] の形）",
                     "zones must be a table ([zones.lgwan])");
        continue;
      }
      MAMORI_TRY_STATUS(builder.Limit(zones->size(), builder.Limits().max_zones, "区域", "zones"));
      for (auto&& [segment_key, zone_node] : *zones) {
        const std::string segment(segment_key.str());
        const int zone_line = static_cast<int>(segment_key.source().begin.line);
        const auto* zone = zone_node.as_table();
        if (zone == nullptr) {
          builder.Fail(zone_line, "zones." + segment, "区域は表です", "a zone must be a table");
          continue;
        }
        std::vector<std::string> networks;
        std::vector<std::string> interfaces;
        bool ok = true;
        for (auto&& [field_key, field] : *zone) {
          const std::string field_name(field_key.str());
          const std::string full = "zones." + segment + "." + field_name;
          if (field_name == "networks") {
            ok = Strings(builder, field, full, &networks) && ok;
          } else if (field_name == "interfaces") {
            ok = Strings(builder, field, full, &interfaces) && ok;
          } else if (field_name != "title") {
            builder.Fail(static_cast<int>(field_key.source().begin.line), full,
                         "不明なキー「" + field_name + "」です（networks, interfaces, title）",
                         "unknown key \"" + field_name + "\" (networks, interfaces, title)");
            ok = false;
          }
        }
        if (ok) builder.AddZone(zone_line, segment, networks, interfaces);
      }
    } else if (name == "hosts") {
      const auto* hosts = node.as_array();
      if (hosts == nullptr) {
        builder.Fail(line, name, "hosts は表の配列です（[[hosts]]）",
                     "hosts must be an array of tables ([[hosts]])");
        continue;
      }
      MAMORI_TRY_STATUS(builder.Limit(hosts->size(), builder.Limits().max_hosts, "ホスト", "hosts"));
      for (const auto& host_node : *hosts) {
        const auto* host = host_node.as_table();
        if (host == nullptr) {
          builder.Fail(LineOf(host_node), name, "hosts の要素は表です",
                       "each of hosts must be a table");
          continue;
        }
        std::string host_name;
        std::string role;
        std::vector<std::string> addresses;
        std::vector<std::string> services;
        std::vector<std::string> from;
        bool ok = true;
        int host_line = LineOf(host_node);
        for (auto&& [field_key, field] : *host) {
          const std::string field_name(field_key.str());
          const std::string full = "hosts." + field_name;
          if (host_line == 0 || static_cast<int>(field_key.source().begin.line) < host_line) {
            host_line = static_cast<int>(field_key.source().begin.line);
          }
          if (field_name == "name") {
            ok = String(builder, field, full, &host_name) && ok;
          } else if (field_name == "role") {
            ok = String(builder, field, full, &role) && ok;
          } else if (field_name == "addresses") {
            ok = Strings(builder, field, full, &addresses) && ok;
          } else if (field_name == "services") {
            ok = Strings(builder, field, full, &services) && ok;
          } else if (field_name == "from") {
            ok = Strings(builder, field, full, &from) && ok;
          } else if (field_name != "title" && field_name != "note") {
            builder.Fail(static_cast<int>(field_key.source().begin.line), full,
                         "不明なキー「" + field_name +
                             "」です（name, role, addresses, services, from, title, note）",
                         "unknown key \"" + field_name +
                             "\" (name, role, addresses, services, from, title, note)");
            ok = false;
          }
        }
        if (ok) builder.AddHost(host_line, host_name, role, addresses, services, from);
      }
    } else {
      builder.Fail(line, name, "不明なキー「" + name + "」です（zones, hosts）",
                   "unknown key \"" + name + "\" (zones, hosts)");
    }
  }
  return builder.Finish();
}

std::vector<std::string> SplitList(std::string_view cell) {
  std::vector<std::string> out;
  std::string current;
  for (char c : cell) {
    if (c == ' ' || c == ';' || c == '\t' || c == ',') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

Result<AddressPlan> ParseCsv(std::string_view text, Builder& builder) {
  tabular::Limits table_limits;
  table_limits.max_input_bytes = builder.Limits().max_bytes;
  table_limits.max_rows = builder.Limits().max_hosts + builder.Limits().max_zones;
  MAMORI_TRY(tabular::Table table, tabular::ReadCsv(text, builder.File(), table_limits));
  static constexpr std::array<std::string_view, 8> kColumns = {
      "kind", "name", "segment", "role", "addresses", "interfaces", "services", "from"};
  std::array<std::optional<std::size_t>, kColumns.size()> column;
  for (std::size_t i = 0; i < table.header.size(); ++i) {
    const auto known = std::find(kColumns.begin(), kColumns.end(), table.header[i]);
    if (known == kColumns.end()) {
      builder.Fail(table.header_line, table.header[i],
                   "不明な列「" + table.header[i] +
                       "」です（kind, name, segment, role, addresses, interfaces, services, from）",
                   "unknown column \"" + table.header[i] +
                       "\" (kind, name, segment, role, addresses, interfaces, services, from)");
      continue;
    }
    column[static_cast<std::size_t>(known - kColumns.begin())] = i;
  }
  if (!column[0]) {
    builder.Fail(table.header_line, "kind", "kind 列がありません", "no kind column");
    return builder.Finish();
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const int line = table.row_lines[r];
    auto cell = [&](std::size_t index) -> std::string {
      return column[index] ? row[*column[index]] : std::string();
    };
    const std::string kind = cell(0);
    if (kind == "zone") {
      builder.AddZone(line, cell(2), SplitList(cell(4)), SplitList(cell(5)));
    } else if (kind == "host") {
      builder.AddHost(line, cell(1), cell(3), SplitList(cell(4)), SplitList(cell(6)),
                      SplitList(cell(7)));
    } else {
      builder.Fail(line, "kind", "kind「" + kind + "」は zone か host です",
                   "kind \"" + kind + "\" must be zone or host");
    }
  }
  return builder.Finish();
}

}  // namespace

Result<AddressPlan> ParseZones(std::string_view text, const std::string& file, ZonesFormat format,
                               const ZonesLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "区域ファイルが大きすぎます（上限 " + std::to_string(limits.max_bytes) + " バイト）",
                 "zones file too large (limit " + std::to_string(limits.max_bytes) + " bytes)",
                 {file, 0, {}});
  }
  if (format == ZonesFormat::kAuto) {
    const bool csv = file.ends_with(".csv") || file.ends_with(".CSV") ||
                     text.starts_with("kind,") || text.starts_with("\xEF\xBB\xBFkind,");
    format = csv ? ZonesFormat::kCsv : ZonesFormat::kToml;
  }
  Builder builder(file, limits);
  return format == ZonesFormat::kCsv ? ParseCsv(text, builder) : ParseToml(text, builder);
}

Status ValidateZones(AddressPlan& plan, const policy::Network& network) {
  std::string known;
  for (const auto& segment : network.segments) known += (known.empty() ? "" : ", ") + segment.id;
  std::vector<Diagnostic> errors;
  auto unknown = [&](const Where& where, const std::string& id) {
    errors.push_back({where,
                      "区分「" + id + "」はプロファイルにありません（" + known + "）",
                      "segment \"" + id + "\" is not in the profile (" + known + ")"});
  };
  for (auto& zone : plan.zones) {
    const auto index = network.SegmentIndex(zone.segment);
    if (!index) {
      unknown(zone.where, zone.segment);
    } else {
      zone.segment_index = *index;
    }
  }
  for (const auto& host : plan.hosts) {
    for (const auto& id : host.from) {
      if (!network.SegmentIndex(id)) unknown(host.where, id);
    }
  }
  if (!errors.empty()) return Error(ErrorCode::kInvalidArgument, std::move(errors));
  return OkStatus();
}

std::vector<HostLocation> LocateHosts(const AddressPlan& plan) {
  std::vector<HostLocation> out;
  for (std::size_t h = 0; h < plan.hosts.size(); ++h) {
    const Host& host = plan.hosts[h];
    HostLocation location;
    location.host = h;
    IntervalSet placed;
    for (std::size_t z = 0; z < plan.zones.size(); ++z) {
      const Zone& zone = plan.zones[z];
      if (zone.network_texts.empty()) continue;  // a zone known by interfaces only
      const IntervalSet inside = host.addresses.Intersect(zone.networks);
      if (inside.Empty()) continue;
      location.zones.push_back(z);
      placed = placed.Union(inside);
    }
    const IntervalSet outside = host.addresses.Subtract(placed);
    for (const auto& interval : outside.Intervals()) {
      location.outside.push_back(FormatNetwork(interval));
    }
    out.push_back(std::move(location));
  }
  return out;
}

}  // namespace mamori::netcheck
