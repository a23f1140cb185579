#include "netcheck/rtx.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "netcheck/vendor.h"

namespace mamori::netcheck {
namespace {

std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.emplace_back(line.substr(start, i - start));
  }
  return out;
}

// A filter number, 1..2147483647.
std::optional<std::uint64_t> FilterNumber(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || text.size() > 10) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 2147483647) {
    return std::nullopt;
  }
  return value;
}

bool HasLetter(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

// The ports of a YAMAHA mnemonic: the shared table (vendor.h), but for ftp,
// which RTX's static filters read as both 20 and 21.
std::optional<IntervalSet> MnemonicPorts(std::string_view name) {
  if (name == "ftp") {
    return IntervalSet::FromIntervals({{U128::Of(20), U128::Of(21)}});
  }
  if (const auto port = WellKnownPort(name)) return IntervalSet::Range(*port, *port);
  return std::nullopt;
}

IntervalSet Point(std::uint64_t value) { return IntervalSet::Point(U128::Of(value)); }

IntervalSet NotNew() {
  IntervalSet out;
  for (ConnectionState state : {ConnectionState::kEstablished, ConnectionState::kRelated,
                                ConnectionState::kInvalid, ConnectionState::kUntracked}) {
    out = out.Union(Point(static_cast<std::uint64_t>(state)));
  }
  return out;
}

// A static filter, its matches without interfaces.
struct Filter {
  int line = 0;
  std::string text;
  ActionKind action = ActionKind::kAccept;
  std::string unmodelled_action;
  std::vector<Box> boxes;
  std::vector<std::string> unmodelled;
};

// A dynamic filter: what triggers it.
struct Dynamic {
  int line = 0;
  std::string text;
  IntervalSet sources;
  IntervalSet destinations;
  std::vector<Box> boxes;               // an application
  std::vector<std::uint64_t> triggers;  // `filter L…`: static filters
  std::vector<std::string> unmodelled;
};

// One `ip IF secure filter in|out …`.
struct Applied {
  std::string interface;
  bool in = true;
  int line = 0;
  std::string text;
  std::vector<std::uint64_t> filters;
  std::vector<std::uint64_t> dynamics;
  bool filter_set = false;  // `secure filter name SET`: not modelled
};

class Reader {
 public:
  Reader(std::string file, const RtxLimits& limits) : file_(std::move(file)), limits_(limits) {}

  Result<RuleSet> Read(std::string_view text) {
    if (text.size() > limits_.max_bytes) {
      return TooLarge({file_, 0, {}}, "ファイルが大きすぎます", "file too large",
                      limits_.max_bytes);
    }
    rules_.sources.push_back(file_);
    std::size_t start = 0;
    while (start < text.size()) {
      const auto end = text.find('\n', start);
      std::string_view line =
          text.substr(start, end == std::string_view::npos ? text.npos : end - start);
      start = end == std::string_view::npos ? text.size() : end + 1;
      ++line_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.size() > limits_.max_line_bytes) {
        return TooLarge({file_, line_, {}}, "行が長すぎます", "line too long",
                        limits_.max_line_bytes);
      }
      MAMORI_TRY_STATUS(Line(line));
    }
    MAMORI_TRY_STATUS(Build());
    if (!errors_.empty()) return Error(ErrorCode::kInvalidArgument, std::move(errors_));
    return std::move(rules_);
  }

 private:
  Status Line(std::string_view line) {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') return OkStatus();
    const std::vector<std::string> w = Words(line);
    if (w.size() >= 3 && (w[0] == "pp" || w[0] == "tunnel") && w[1] == "select") {
      std::string& selected = w[0] == "pp" ? pp_ : tunnel_;
      selected = w[2] == "none" ? "" : w[2] == "anonymous" ? w[0] + "-anonymous" : w[0] + w[2];
      return OkStatus();
    }
    if (w[0] == "ipv6" && (line.find(" secure filter ") != std::string_view::npos ||
                           (w.size() > 1 && w[1] == "filter"))) {
      if (!ipv6_warned_) {
        ipv6_warned_ = true;
        Warn(line_,
             "IPv6 のフィルタ（ipv6 … filter）は解析しません。IPv6 "
             "は制限なく転送されるものとして検査されます",
             "IPv6 filters (ipv6 … filter) are not modelled: IPv6 is checked as forwarded without "
             "filtering");
      }
      return OkStatus();
    }
    if (w[0] != "ip" || w.size() < 3) return OkStatus();
    if (w[1] == "filter") {
      if (w[2] == "dynamic") {
        if (w.size() >= 4 && FilterNumber(w[3])) return DynamicLine(w, line);
        return OkStatus();  // ip filter dynamic timer …
      }
      if (w[2] == "set") {
        Warn(line_, "フィルタセット（ip filter set）は解析しません",
             "filter sets (ip filter set) are not modelled");
        return OkStatus();
      }
      if (w[2].empty() || w[2][0] < '0' || w[2][0] > '9')
        return OkStatus();  // directed-broadcast, …
      return FilterLine(w, line);
    }
    if (w.size() >= 4 && w[2] == "secure" && w[3] == "filter") return SecureLine(w, line);
    if (w.size() >= 4 && w[2] == "nat" && w[3] == "descriptor") {
      Warn(line_, "NAT（nat descriptor）は反映しません（変換前のアドレスで検査します）",
           "NAT (nat descriptor) is not applied (addresses are checked as the filters write them)");
    }
    return OkStatus();
  }

  // --- ip filter N ACTION SRC [DST [PROTOCOL [SRC_PORT [DST_PORT]]]] ---

  Status FilterLine(const std::vector<std::string>& w, std::string_view line) {
    const auto number = FilterNumber(w[2]);
    if (!number) {
      Fail("フィルタ番号「" + w[2] + "」は 1〜2147483647 の数です",
           "the filter number \"" + w[2] + "\" must be 1-2147483647");
      return OkStatus();
    }
    if (filters_.size() >= limits_.max_filters && filters_.count(*number) == 0) {
      return TooMany({file_, line_, {}}, "フィルタ", "filters", limits_.max_filters);
    }
    if (w.size() < 5 || w.size() > 9) {
      Fail("ip filter は「番号 動作 始点 [終点 [プロトコル [始点ポート [終点ポート]]]]」です",
           "ip filter takes NUMBER ACTION SRC [DST [PROTOCOL [SRC_PORT [DST_PORT]]]]");
      return OkStatus();
    }
    Filter filter;
    filter.line = line_;
    filter.text = std::string(line);
    const std::string& action = w[3];
    if (action == "pass" || action == "pass-log" || action == "pass-nolog") {
      filter.action = ActionKind::kAccept;
    } else if (action == "reject" || action == "reject-log" || action == "reject-nolog") {
      filter.action = ActionKind::kDrop;
    } else if (action == "restrict" || action == "restrict-log" || action == "restrict-nolog") {
      // Passes while the line is connected, discards otherwise.
      filter.action = ActionKind::kAccept;
      filter.unmodelled_action = action;
    } else {
      Fail("動作「" + action + "」を読めません（pass, reject, restrict とその -log, -nolog）",
           "unknown action \"" + action + "\" (pass, reject, restrict and their -log, -nolog)");
      return OkStatus();
    }
    const auto arg = [&w](std::size_t i) -> std::string { return i < w.size() ? w[i] : "*"; };
    const auto sources = Addresses(arg(4), filter.unmodelled);
    const auto destinations = Addresses(arg(5), filter.unmodelled);
    if (!sources || !destinations) return OkStatus();
    auto boxes = Matches(arg(6), arg(7), arg(8), filter.unmodelled);
    if (!boxes) return OkStatus();
    for (Box& box : *boxes) {
      box[Dimension::kSourceAddress] = *sources;
      box[Dimension::kDestinationAddress] = *destinations;
    }
    filter.boxes = std::move(*boxes);
    filters_[*number] = std::move(filter);
    return OkStatus();
  }

  // `*`, a.b.c.d, a.b.c.d/n, a-b, a.b.c.*, names, comma lists. nullopt
  // (after Fail) when malformed.
  std::optional<IntervalSet> Addresses(const std::string& text,
                                       std::vector<std::string>& unmodelled) {
    const IntervalSet all = Ipv4Addresses();
    if (text == "*") return all;
    const auto items = Split(text, ',');
    if (items.size() > limits_.max_list_items) {
      Fail("アドレスが多すぎます（上限 " + std::to_string(limits_.max_list_items) + "）",
           "too many addresses (limit " + std::to_string(limits_.max_list_items) + ")");
      return std::nullopt;
    }
    IntervalSet out;
    for (const auto item : items) {
      if (item == "*") return all;
      if (HasLetter(item) && item.find(':') == std::string_view::npos) {
        // An FQDN (www.example.jp, *.example.jp): resolved by the router.
        unmodelled.push_back("fqdn " + std::string(item));
        out = all;
        continue;
      }
      std::string network(item);
      if (item.find('*') != std::string_view::npos) {
        // a.b.c.*: the trailing octets are free.
        const auto octets = Split(item, '.');
        std::size_t fixed = 0;
        while (fixed < octets.size() && octets[fixed] != "*") ++fixed;
        const bool trailing =
            octets.size() == 4 &&
            std::all_of(octets.begin() + static_cast<std::ptrdiff_t>(fixed), octets.end(),
                        [](std::string_view o) { return o == "*"; });
        if (!trailing) {
          unmodelled.push_back("address " + std::string(item));
          out = all;
          continue;
        }
        network.clear();
        for (std::size_t i = 0; i < 4; ++i) {
          network += (i == 0 ? "" : ".") + std::string(i < fixed ? octets[i] : "0");
        }
        network += "/" + std::to_string(8 * fixed);
      } else if (const auto dash = item.find('-'); dash != std::string_view::npos) {
        // a-b, a- (to the top), -b (from the bottom).
        const std::string low(dash == 0 ? std::string_view("0.0.0.0") : item.substr(0, dash));
        const std::string high(dash + 1 == item.size() ? std::string_view("255.255.255.255")
                                                       : item.substr(dash + 1));
        network = low + "-" + high;
      }
      auto parsed = ParseNetwork(network, HostBits::kMask);
      if (!parsed.Ok()) {
        Fail(parsed.Err().Headline().message_ja, parsed.Err().Headline().message_en);
        return std::nullopt;
      }
      if (!IsIpv4(parsed->low)) {
        Fail("ip filter に IPv6 アドレス「" + std::string(item) +
                 "」があります（ipv6 filter を使います）",
             "an IPv6 address \"" + std::string(item) + "\" in ip filter (IPv6 is ipv6 filter)");
        return std::nullopt;
      }
      out = out.Union(IntervalSet::Of(*parsed));
    }
    return out;
  }

  // One port or mnemonic.
  std::optional<IntervalSet> Port(std::string_view text, std::vector<std::string>& unmodelled) {
    if (const auto port = ParsePort(text)) return IntervalSet::Range(*port, *port);
    if (HasLetter(text)) {
      if (const auto ports = MnemonicPorts(text)) return ports;
      unmodelled.push_back("port " + std::string(text));
      Warn(line_,
           "ポートのニーモニック「" + std::string(text) +
               "」は解析しません。すべてのポートとして扱います",
           "port mnemonic \"" + std::string(text) + "\" is not modelled: taken as every port");
      return IntervalSet::Range(0, 65535);
    }
    Fail("ポート「" + std::string(text) + "」を読めません（0〜65535 又はニーモニック）",
         "cannot read port \"" + std::string(text) + "\" (0-65535 or a mnemonic)");
    return std::nullopt;
  }

  // `*`, ports, mnemonics, ranges a-b, a-, -b, comma lists.
  std::optional<IntervalSet> Ports(const std::string& text, std::vector<std::string>& unmodelled) {
    if (text == "*") return IntervalSet::All();
    const auto items = Split(text, ',');
    if (items.size() > limits_.max_list_items) {
      Fail("ポートが多すぎます（上限 " + std::to_string(limits_.max_list_items) + "）",
           "too many ports (limit " + std::to_string(limits_.max_list_items) + ")");
      return std::nullopt;
    }
    IntervalSet out;
    for (const auto item : items) {
      const auto dash = item.find('-');
      if (dash == std::string_view::npos || MnemonicPorts(item)) {
        const auto ports = Port(item, unmodelled);
        if (!ports) return std::nullopt;
        out = out.Union(*ports);
        continue;
      }
      const std::string_view low_text = item.substr(0, dash);
      const std::string_view high_text = item.substr(dash + 1);
      const auto low = low_text.empty() ? std::optional<IntervalSet>(IntervalSet::Range(0, 0))
                                        : Port(low_text, unmodelled);
      const auto high = high_text.empty()
                            ? std::optional<IntervalSet>(IntervalSet::Range(65535, 65535))
                            : Port(high_text, unmodelled);
      if (!low || !high) return std::nullopt;
      const U128 from = low->Min();
      const U128 to = high->Intervals().back().high;
      if (to < from) {
        Fail("ポート範囲「" + std::string(item) + "」の始点が終点より大きい",
             "the port range \"" + std::string(item) + "\" starts after it ends");
        return std::nullopt;
      }
      out = out.Union(IntervalSet::Of({from, to}));
    }
    return out;
  }

  // The boxes of PROTOCOL SRC_PORT DST_PORT (addresses left any).
  std::optional<std::vector<Box>> Matches(const std::string& protocol_text,
                                          const std::string& source_ports_text,
                                          const std::string& destination_ports_text,
                                          std::vector<std::string>& unmodelled) {
    IntervalSet protocols;
    bool established = false;
    const auto items = Split(protocol_text, ',');
    if (items.size() > limits_.max_list_items) {
      Fail("プロトコルが多すぎます", "too many protocols");
      return std::nullopt;
    }
    for (const auto item : items) {
      if (item == "*") {
        protocols = IntervalSet::Range(0, 255);
      } else if (item == "established") {
        established = true;
      } else if (item == "tcpsyn" || item == "tcpfin" || item == "tcprst" ||
                 item.starts_with("tcpflag")) {
        protocols = protocols.Union(Point(6));
        unmodelled.push_back(std::string(item));
      } else if (item == "icmp-error" || item == "icmp-info") {
        protocols = protocols.Union(Point(1));
        unmodelled.push_back(std::string(item));
      } else if (const auto number = ParseProtocol(item)) {
        protocols = protocols.Union(Point(*number));
      } else if (HasLetter(item)) {
        protocols = IntervalSet::Range(0, 255);
        unmodelled.push_back("protocol " + std::string(item));
        Warn(line_,
             "プロトコル「" + std::string(item) +
                 "」は解析しません。すべてのプロトコルとして扱います",
             "protocol \"" + std::string(item) + "\" is not modelled: taken as every protocol");
      } else {
        Fail("プロトコル「" + std::string(item) + "」を読めません（tcp, udp, icmp, 0〜255 等）",
             "cannot read protocol \"" + std::string(item) + "\" (tcp, udp, icmp, 0-255, …)");
        return std::nullopt;
      }
    }
    const auto source_ports = Ports(source_ports_text, unmodelled);
    const auto destination_ports = Ports(destination_ports_text, unmodelled);
    if (!source_ports || !destination_ports) return std::nullopt;
    const bool ports = !source_ports->IsAll() || !destination_ports->IsAll();
    const auto box = [](IntervalSet p, IntervalSet sp, IntervalSet dp) {
      Box b;
      b[Dimension::kProtocol] = std::move(p);
      b[Dimension::kSourcePort] = std::move(sp);
      b[Dimension::kDestinationPort] = std::move(dp);
      return b;
    };
    std::vector<Box> out;
    if (!protocols.Empty()) {
      if (!ports) {
        out.push_back(box(protocols, IntervalSet::All(), IntervalSet::All()));
      } else if (items.size() == 1 && items[0] == "icmp") {
        // With icmp alone the "ports" are the ICMP type and code.
        unmodelled.push_back("icmp type " + source_ports_text + " code " + destination_ports_text);
        out.push_back(box(protocols, IntervalSet::All(), IntervalSet::All()));
      } else {
        // Ports are compared for TCP and UDP only; other protocols match whatever they say.
        const IntervalSet tcp_udp = Point(6).Union(Point(17));
        const IntervalSet with_ports = protocols.Intersect(tcp_udp);
        const IntervalSet without = protocols.Subtract(tcp_udp);
        if (!with_ports.Empty()) out.push_back(box(with_ports, *source_ports, *destination_ports));
        if (!without.Empty()) out.push_back(box(without, IntervalSet::All(), IntervalSet::All()));
      }
    }
    if (established) {
      Box b = box(Point(6), *source_ports, *destination_ports);
      b[Dimension::kConnectionState] = NotNew();
      out.push_back(std::move(b));
    }
    return out;
  }

  // --- ip filter dynamic N SRC DST (APPLICATION | filter L… [in L…] [out L…]) [options] ---

  Status DynamicLine(const std::vector<std::string>& w, std::string_view line) {
    const std::uint64_t number = *FilterNumber(w[3]);
    if (w.size() < 7) {
      Fail("ip filter dynamic は「番号 始点 終点 アプリケーション」又は「… filter 番号…」です",
           "ip filter dynamic takes NUMBER SRC DST APPLICATION or … filter NUMBER…");
      return OkStatus();
    }
    Dynamic dynamic;
    dynamic.line = line_;
    dynamic.text = std::string(line);
    const auto sources = Addresses(w[4], dynamic.unmodelled);
    const auto destinations = Addresses(w[5], dynamic.unmodelled);
    if (!sources || !destinations) return OkStatus();
    dynamic.sources = *sources;
    dynamic.destinations = *destinations;
    if (w[6] == "filter") {
      bool triggers = true;
      for (std::size_t i = 7; i < w.size(); ++i) {
        if (w[i] == "in" || w[i] == "out") {
          triggers = false;  // the connections it lets back: established / related
        } else if (w[i].find('=') != std::string::npos) {
          continue;  // syslog=on, timeout=60
        } else if (const auto trigger = FilterNumber(w[i])) {
          if (triggers) dynamic.triggers.push_back(*trigger);
        } else {
          Fail("フィルタ番号「" + w[i] + "」を読めません",
               "cannot read the filter number \"" + w[i] + "\"");
          return OkStatus();
        }
      }
    } else {
      dynamic.boxes = Application(w[6], dynamic.unmodelled);
    }
    dynamics_[number] = std::move(dynamic);
    return OkStatus();
  }

  // The connections an application name of a dynamic filter starts.
  std::vector<Box> Application(const std::string& name, std::vector<std::string>& unmodelled) {
    const auto box = [](IntervalSet protocols, IntervalSet ports) {
      Box b;
      b[Dimension::kProtocol] = std::move(protocols);
      b[Dimension::kDestinationPort] = std::move(ports);
      return b;
    };
    const IntervalSet tcp = Point(6);
    const IntervalSet udp = Point(17);
    if (name == "tcp") return {box(tcp, IntervalSet::All())};
    if (name == "udp") return {box(udp, IntervalSet::All())};
    if (name == "ping") return {box(Point(1), IntervalSet::All())};
    if (name == "ping6") return {box(Point(58), IntervalSet::All())};
    // www in a dynamic filter is HTTP and HTTPS.
    if (name == "www") return {box(tcp, Point(80).Union(Point(443)))};
    if (const auto port = WellKnownPort(name)) {
      // TCP and UDP alike: a superset of either.
      return {box(tcp.Union(udp), IntervalSet::Range(*port, *port))};
    }
    unmodelled.push_back("application " + name);
    Warn(line_,
         "動的フィルタのアプリケーション「" + name + "」は解析しません。すべての通信として扱います",
         "dynamic filter application \"" + name + "\" is not modelled: taken as every packet");
    return {box(IntervalSet::Range(0, 255), IntervalSet::All())};
  }

  // --- ip IF secure filter in|out N… [dynamic N…] / secure filter name SET ---

  Status SecureLine(const std::vector<std::string>& w, std::string_view line) {
    Applied applied;
    applied.line = line_;
    applied.text = std::string(line);
    const std::string& name = w[1];
    if (name == "pp" || name == "tunnel") {
      applied.interface = name == "pp" ? pp_ : tunnel_;
      if (applied.interface.empty()) {
        Fail("ip " + name + " secure filter が " + name + " select の外にあります",
             "ip " + name + " secure filter outside " + name + " select");
        return OkStatus();
      }
    } else {
      applied.interface = AsciiLower(name);
    }
    if (w.size() >= 6 && w[4] == "name") {
      applied.filter_set = true;
      applied.in = true;
      Warn(line_,
           "フィルタセット（secure filter name）は解析しません。" + applied.interface +
               " では何も破棄しないものとして扱います",
           "filter sets (secure filter name) are not modelled: " + applied.interface +
               " is taken to discard nothing");
      for (const bool in : {true, false}) {
        Applied each = applied;
        each.in = in;
        Apply(std::move(each));
      }
      return OkStatus();
    }
    if (w.size() < 6 || (w[4] != "in" && w[4] != "out")) {
      Fail("secure filter は「in 又は out」に続けてフィルタ番号を並べます",
           "secure filter takes in or out and then filter numbers");
      return OkStatus();
    }
    applied.in = w[4] == "in";
    bool dynamic = false;
    for (std::size_t i = 5; i < w.size(); ++i) {
      if (w[i] == "dynamic") {
        dynamic = true;
        continue;
      }
      const auto number = FilterNumber(w[i]);
      if (!number) {
        Fail("フィルタ番号「" + w[i] + "」を読めません",
             "cannot read the filter number \"" + w[i] + "\"");
        return OkStatus();
      }
      (dynamic ? applied.dynamics : applied.filters).push_back(*number);
    }
    if (applied.filters.size() + applied.dynamics.size() > limits_.max_list_items) {
      Fail("フィルタ番号が多すぎます（上限 " + std::to_string(limits_.max_list_items) + "）",
           "too many filter numbers (limit " + std::to_string(limits_.max_list_items) + ")");
      return OkStatus();
    }
    Apply(std::move(applied));
    return OkStatus();
  }

  // A second secure filter line for the same interface and direction
  // replaces the first, as on the router.
  void Apply(Applied applied) {
    for (auto& existing : applied_) {
      if (existing.interface == applied.interface && existing.in == applied.in) {
        existing = std::move(applied);
        return;
      }
    }
    applied_.push_back(std::move(applied));
  }

  // --- The two chains ---

  Status Build() {
    Table table;
    table.family = Family::kIp;
    table.name = "rtx";
    table.where = {file_, 0, {}, -1};
    const bool dynamic = std::any_of(applied_.begin(), applied_.end(),
                                     [](const Applied& a) { return !a.dynamics.empty(); });
    int priority = 0;
    for (const bool in : {true, false}) {
      Chain chain;
      chain.name = in ? "secure filter in" : "secure filter out";
      chain.hook = Hook::kForward;
      chain.priority = priority++;
      chain.policy = ActionKind::kAccept;  // no list: nothing filtered
      chain.where = {file_, 0, {}, -1};
      if (dynamic) {
        Rule back;
        back.match.box[Dimension::kConnectionState] =
            Point(static_cast<std::uint64_t>(ConnectionState::kEstablished))
                .Union(Point(static_cast<std::uint64_t>(ConnectionState::kRelated)));
        back.action = ActionKind::kAccept;
        back.where = chain.where;
        back.text = "dynamic filters: the connections they track come back (established, related)";
        chain.rules.push_back(std::move(back));
      }
      for (const Applied& applied : applied_) {
        if (applied.in != in) continue;
        MAMORI_TRY_STATUS(ApplyList(applied, chain));
      }
      table.chains.push_back(std::move(chain));
    }
    rules_.tables.push_back(std::move(table));
    return OkStatus();
  }

  Rule Base(const Applied& applied, int line, const std::string& text) {
    Rule rule;
    InterfaceMatch match{false, false, {{applied.interface, false}}};
    (applied.in ? rule.match.input : rule.match.output) = std::move(match);
    rule.where = {file_, line, {}, -1};
    rule.text = text + "  (" + applied.text + ")";
    return rule;
  }

  Status Push(Chain& chain, Rule rule) {
    if (++rule_count_ > limits_.max_rules) {
      return TooMany(rule.where.ToWhere(), "規則", "rules", limits_.max_rules);
    }
    chain.rules.push_back(std::move(rule));
    return OkStatus();
  }

  Status ApplyList(const Applied& applied, Chain& chain) {
    if (applied.filter_set) {
      Rule rule = Base(applied, applied.line, "filter set");
      rule.action = ActionKind::kAccept;
      rule.unmodelled_action = "secure filter name";
      return Push(chain, std::move(rule));
    }
    for (const std::uint64_t number : applied.dynamics) {
      const auto it = dynamics_.find(number);
      if (it == dynamics_.end()) {
        Warn(applied.line,
             "動的フィルタ " + std::to_string(number) + " は定義されていないため飛ばします",
             "dynamic filter " + std::to_string(number) + " is not defined: skipped");
        continue;
      }
      const Dynamic& dynamic = it->second;
      std::vector<Box> boxes = dynamic.boxes;
      for (const std::uint64_t trigger : dynamic.triggers) {
        const auto filter = filters_.find(trigger);
        if (filter == filters_.end()) {
          Warn(dynamic.line,
               "フィルタ " + std::to_string(trigger) + " は定義されていないため飛ばします",
               "filter " + std::to_string(trigger) + " is not defined: skipped");
          continue;
        }
        // The static filter gives protocol and ports; its addresses are ignored.
        boxes.insert(boxes.end(), filter->second.boxes.begin(), filter->second.boxes.end());
      }
      for (Box box : boxes) {
        box[Dimension::kSourceAddress] = dynamic.sources;
        box[Dimension::kDestinationAddress] = dynamic.destinations;
        Rule rule = Base(applied, dynamic.line, dynamic.text);
        rule.match.box = std::move(box);
        rule.match.unmodelled = dynamic.unmodelled;
        // Whether RTX matches a trigger before or after the list's static
        // filters is not documented: first, and not exact, covers both.
        rule.match.unmodelled.push_back("dynamic filter (before or after the static filters)");
        rule.action = ActionKind::kAccept;
        if (!rule.Exact() && warned_.insert(dynamic.line).second) {
          rules_.warnings.push_back(UnmodelledWarning(rule));
        }
        MAMORI_TRY_STATUS(Push(chain, std::move(rule)));
      }
    }
    for (const std::uint64_t number : applied.filters) {
      const auto it = filters_.find(number);
      if (it == filters_.end()) {
        Warn(applied.line,
             "フィルタ " + std::to_string(number) + " は定義されていないため飛ばします",
             "filter " + std::to_string(number) + " is not defined: skipped");
        continue;
      }
      const Filter& filter = it->second;
      for (const Box& box : filter.boxes) {
        Rule rule = Base(applied, filter.line, filter.text);
        rule.match.box = box;
        rule.match.unmodelled = filter.unmodelled;
        rule.action = filter.action;
        rule.unmodelled_action = filter.unmodelled_action;
        if (!rule.Exact() && warned_.insert(filter.line).second) {
          rules_.warnings.push_back(UnmodelledWarning(rule));
        }
        MAMORI_TRY_STATUS(Push(chain, std::move(rule)));
      }
    }
    // Once a list is applied, what no filter passes is discarded.
    Rule deny = Base(applied, applied.line, "implicit deny");
    deny.action = ActionKind::kDrop;
    return Push(chain, std::move(deny));
  }

  void Fail(const std::string& ja, const std::string& en) {
    errors_.push_back({{file_, line_, {}}, ja, en});
  }
  void Warn(int line, const std::string& ja, const std::string& en) {
    rules_.warnings.push_back({{file_, line, {}}, ja, en});
  }

  std::string file_;
  const RtxLimits& limits_;
  RuleSet rules_;
  std::vector<Diagnostic> errors_;
  int line_ = 0;
  std::string pp_;
  std::string tunnel_;
  bool ipv6_warned_ = false;
  std::map<std::uint64_t, Filter> filters_;
  std::map<std::uint64_t, Dynamic> dynamics_;
  std::vector<Applied> applied_;
  std::set<int> warned_;
  std::size_t rule_count_ = 0;
};

}  // namespace

Result<RuleSet> ParseRtx(std::string_view text, const std::string& file, const RtxLimits& limits) {
  Reader reader(file, limits);
  return reader.Read(text);
}

bool LooksLikeRtx(std::string_view text) {
  for (const std::string_view line : LeadingLines(text, 300)) {
    if (line.starts_with("# RTX") || line.starts_with("# NVR") || line.starts_with("ip filter ") ||
        line.starts_with("pp select ") || line.starts_with("tunnel select ")) {
      return true;
    }
    if (line.starts_with("ip lan") && line.find(" secure filter ") != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace mamori::netcheck
