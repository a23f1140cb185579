#include "netcheck/fortigate.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "netcheck/vendor.h"

namespace mamori::netcheck {
namespace {

// --- The configuration as a tree ---------------------------------------------

struct Statement {
  std::vector<std::string> words;
  int line = 0;
};

struct Setting {
  std::string key;
  std::vector<std::string> values;
  int line = 0;
  bool unset = false;
};

struct Block;

struct Edit {
  std::string name;
  int line = 0;
  std::vector<Setting> settings;
  std::vector<Block> blocks;
};

struct Block {
  std::string path;  // "firewall policy"
  int line = 0;
  std::vector<Setting> settings;
  std::vector<Edit> edits;
  std::vector<Block> blocks;
};

// The last `set` of `key`; nullptr when never set or unset after.
const Setting* Find(const std::vector<Setting>& settings, std::string_view key) {
  for (auto it = settings.rbegin(); it != settings.rend(); ++it) {
    if (it->key == key) return it->unset ? nullptr : &*it;
  }
  return nullptr;
}

// The first value of `key`, or `fallback`.
std::string Value(const std::vector<Setting>& settings, std::string_view key,
                  std::string_view fallback = {}) {
  const Setting* setting = Find(settings, key);
  if (setting == nullptr || setting->values.empty()) return std::string(fallback);
  return setting->values.front();
}

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::string Quoted(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) out += (out.empty() ? "\"" : " \"") + value + "\"";
  return out;
}

// Splits the text into statements: words separated by blanks, a quoted word
// possibly over several lines, a statement ending at a newline outside
// quotes. Stops at an unclosed quote (an error in `errors`).
Status Tokenize(std::string_view text, const std::string& file, const FortiGateLimits& limits,
                std::vector<Statement>& out, std::vector<Diagnostic>& errors) {
  Statement current;
  std::size_t bytes = 0;
  int line = 1;
  std::size_t i = 0;
  const auto finish = [&]() -> Status {
    if (current.words.empty()) return OkStatus();
    if (out.size() >= limits.max_statements) {
      return TooMany({file, current.line, {}}, "文", "statements", limits.max_statements);
    }
    out.push_back(std::move(current));
    current = Statement{};
    bytes = 0;
    return OkStatus();
  };
  const auto too_long = [&] {
    return TooLarge({file, current.line, {}}, "文が長すぎます", "statement too long",
                    limits.max_statement_bytes);
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      MAMORI_TRY_STATUS(finish());
      ++line;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#' && current.words.empty()) {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (current.words.empty()) current.line = line;
    std::string word;
    if (c == '"' || c == '\'') {
      const int start_line = line;
      bool closed = false;
      ++i;
      while (i < text.size()) {
        const char d = text[i];
        if (d == '\\' && i + 1 < text.size() &&
            (text[i + 1] == '"' || text[i + 1] == '\'' || text[i + 1] == '\\')) {
          word += text[i + 1];
          i += 2;
        } else if (d == c) {
          ++i;
          closed = true;
          break;
        } else {
          if (d == '\n') ++line;
          word += d;
          ++i;
        }
        if (bytes + word.size() > limits.max_statement_bytes) return too_long();
      }
      if (!closed) {
        errors.push_back({{file, start_line, {}},
                          std::string("引用符 ") + c + " が閉じていません",
                          std::string("unterminated quote ") + c});
        return OkStatus();
      }
    } else {
      while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
             text[i] != '\r') {
        word += text[i++];
      }
    }
    bytes += word.size();
    if (bytes > limits.max_statement_bytes) return too_long();
    current.words.push_back(std::move(word));
    if (current.words.size() > limits.max_words) {
      return TooMany({file, current.line, {}}, "文の語", "words in the statement",
                     limits.max_words);
    }
  }
  return finish();
}

// Builds the tree of config / edit / set from the statements.
class TreeBuilder {
 public:
  TreeBuilder(const std::vector<Statement>& statements, const std::string& file,
              const FortiGateLimits& limits, std::vector<Diagnostic>& errors)
      : statements_(statements), file_(file), limits_(limits), errors_(errors) {}

  Result<std::vector<Block>> Build() {
    std::vector<Block> blocks;
    while (index_ < statements_.size()) {
      const Statement& statement = statements_[index_++];
      if (statement.words[0] == "config" && statement.words.size() >= 2) {
        Block block = Open(statement);
        MAMORI_TRY_STATUS(ReadBlock(block, 1));
        blocks.push_back(std::move(block));
      } else {
        Fail(statement, "config ブロックの外に書かれています", "outside a config block");
      }
    }
    return blocks;
  }

 private:
  static Block Open(const Statement& statement) {
    Block block;
    block.line = statement.line;
    for (std::size_t i = 1; i < statement.words.size(); ++i) {
      block.path += (i == 1 ? "" : " ") + statement.words[i];
    }
    return block;
  }

  Status ReadBlock(Block& block, int depth) {
    if (depth > limits_.max_depth) return TooDeep(block.line);
    while (index_ < statements_.size()) {
      const Statement& statement = statements_[index_++];
      const std::string& keyword = statement.words[0];
      if (keyword == "end") return OkStatus();
      if (keyword == "config" && statement.words.size() >= 2) {
        Block child = Open(statement);
        MAMORI_TRY_STATUS(ReadBlock(child, depth + 1));
        block.blocks.push_back(std::move(child));
      } else if (keyword == "edit") {
        Edit edit;
        edit.line = statement.line;
        if (statement.words.size() != 2) {
          Fail(statement, "edit には名前が一つ必要です", "edit takes one name");
        } else {
          edit.name = statement.words[1];
        }
        bool ended = false;
        MAMORI_TRY_STATUS(ReadEdit(edit, depth + 1, ended));
        block.edits.push_back(std::move(edit));
        if (ended) return OkStatus();
      } else if (!SettingStatement(statement, block.settings)) {
        Fail(statement, "「" + keyword + "」は config ブロックの中に書けません",
             "\"" + keyword + "\" cannot stand in a config block");
      }
    }
    errors_.push_back({{file_, block.line, {}},
                       "config " + block.path + " が end で閉じられていません",
                       "config " + block.path + " is not closed by end"});
    return OkStatus();
  }

  // `ended`: the edit was closed by `end`, which closes its block too.
  Status ReadEdit(Edit& edit, int depth, bool& ended) {
    if (depth > limits_.max_depth) return TooDeep(edit.line);
    while (index_ < statements_.size()) {
      const Statement& statement = statements_[index_++];
      const std::string& keyword = statement.words[0];
      if (keyword == "next") return OkStatus();
      if (keyword == "end") {
        ended = true;
        return OkStatus();
      }
      if (keyword == "config" && statement.words.size() >= 2) {
        Block child = Open(statement);
        MAMORI_TRY_STATUS(ReadBlock(child, depth + 1));
        edit.blocks.push_back(std::move(child));
      } else if (keyword == "edit") {
        Fail(statement, "edit " + edit.name + " が next で閉じられていません",
             "edit " + edit.name + " is not closed by next");
        --index_;  // read it as the next entry
        return OkStatus();
      } else if (!SettingStatement(statement, edit.settings)) {
        Fail(statement, "「" + keyword + "」は edit の中に書けません",
             "\"" + keyword + "\" cannot stand in an edit");
      }
    }
    errors_.push_back({{file_, edit.line, {}},
                       "edit " + edit.name + " が閉じられていません",
                       "edit " + edit.name + " is not closed"});
    ended = true;
    return OkStatus();
  }

  // set / unset / append; false for another keyword.
  bool SettingStatement(const Statement& statement, std::vector<Setting>& settings) {
    const std::string& keyword = statement.words[0];
    if (keyword != "set" && keyword != "unset" && keyword != "append") return false;
    if (statement.words.size() < 2) {
      Fail(statement, keyword + " に設定名がありません", keyword + " without a setting name");
      return true;
    }
    const std::string& key = statement.words[1];
    std::vector<std::string> values(statement.words.begin() + 2, statement.words.end());
    if (keyword == "append") {
      if (const Setting* existing = Find(settings, key))
        values.insert(values.begin(), existing->values.begin(), existing->values.end());
    }
    settings.push_back({key, std::move(values), statement.line, keyword == "unset"});
    return true;
  }

  Error TooDeep(int line) const {
    return Error(
        ErrorCode::kLimitExceeded,
        "config の入れ子が深すぎます（上限 " + std::to_string(limits_.max_depth) + "）",
        "config blocks nested too deeply (limit " + std::to_string(limits_.max_depth) + ")",
        {file_, line, {}});
  }

  void Fail(const Statement& statement, const std::string& ja, const std::string& en) {
    errors_.push_back({{file_, statement.line, {}}, ja, en});
  }

  const std::vector<Statement>& statements_;
  const std::string& file_;
  const FortiGateLimits& limits_;
  std::vector<Diagnostic>& errors_;
  std::size_t index_ = 0;
};

// --- What each block's settings mean ------------------------------------------

// The lists of settings are laid out by hand.
// clang-format off
// Settings of a policy that do not change which packets it matches: names,
// logging, NAT, inspection profiles (which may drop more, never accept more).
constexpr std::array<std::string_view, 121> kPolicyIgnored = {
    "name", "uuid", "comments", "logtraffic", "logtraffic-start", "log-http-transaction",
    "nat", "ippool", "poolname", "poolname6", "fixedport", "natip", "nat64", "nat46", "nat44",
    "natinbound", "natoutbound", "permit-any-host", "permit-stun-host", "port-preserve",
    "port-random", "utm-status", "inspection-mode", "profile-type", "profile-group",
    "profile-protocol-options", "ssl-ssh-profile", "av-profile", "webfilter-profile",
    "dnsfilter-profile", "emailfilter-profile", "spamfilter-profile", "dlp-profile",
    "dlp-sensor", "file-filter-profile", "ips-sensor", "application-list", "voip-profile",
    "ips-voip-filter", "sctp-filter-profile", "diameter-filter-profile",
    "virtual-patch-profile", "icap-profile", "cifs-profile", "videofilter-profile",
    "waf-profile", "ssh-filter-profile", "casb-profile", "webproxy-profile",
    "webproxy-forward-server", "capture-packet", "auto-asic-offload", "np-acceleration",
    "tcp-mss-sender", "tcp-mss-receiver", "session-ttl", "vlan-cos-fwd", "vlan-cos-rev", "wccp",
    "wanopt", "wanopt-detection", "wanopt-passive-opt", "wanopt-profile", "wanopt-peer",
    "webcache", "webcache-https", "traffic-shaper", "traffic-shaper-reverse", "per-ip-shaper",
    "anti-replay", "tcp-session-without-syn", "geoip-anycast", "geoip-match", "dynamic-shaping",
    "passive-wan-health-measurement", "email-collect", "timeout-send-rst", "block-notification",
    "custom-log-fields", "replacemsg-override-group", "disclaimer", "redirect-url", "auth-cert",
    "auth-redirect-addr", "auth-path", "vpntunnel", "inbound", "outbound", "schedule-timeout",
    "ssl-mirror", "ssl-mirror-intf", "decrypted-traffic-mirror", "identity-based-route",
    "rtp-nat", "rtp-addr", "delay-tcp-npu-session", "send-deny-packet", "diffserv-forward",
    "diffserv-reverse", "diffservcode-forward", "diffservcode-rev", "ntlm", "ntlm-guest",
    "ntlm-enabled-browsers", "fsso", "fsso-agent-for-ntlm", "rsso", "http-policy-redirect",
    "ssh-policy-redirect", "match-vip", "match-vip-only", "global-label", "label",
    "radius-mac-auth-bypass", "policy-expiry-date", "policy-expiry-date-utc",
    "ztna-tags-match-logic", "reputation-direction", "reputation-direction6",
    "streaming-content-bypass", "learning-mode"};

// Conditions a policy may add that the model does not have. They narrow the
// match, so the policy is kept as matching everything else it names. (The
// internet-service-* lists count only under internet-service enable, which
// is modelled: every address, inexact.)
constexpr std::array<std::string_view, 14> kPolicyNarrowing = {
    "users", "groups", "fsso-groups", "src-vendor-mac", "application", "app-category",
    "app-group", "url-category", "ztna-ems-tag", "ztna-ems-tag-secondary", "ztna-geo-tag",
    "sgt", "vlan-filter", "device-ownership"};

// Switches that, when enabled, narrow the match in ways not modelled.
constexpr std::array<std::string_view, 3> kPolicyNarrowingSwitches = {
    "ztna-status", "policy-expiry", "sgt-check"};

constexpr std::array<std::string_view, 18> kPolicyModelled = {
    "srcintf", "dstintf", "srcaddr", "dstaddr", "srcaddr6", "dstaddr6", "srcaddr-negate",
    "dstaddr-negate", "srcaddr6-negate", "dstaddr6-negate", "service", "service-negate",
    "action", "status", "schedule", "internet-service", "internet-service-src", "tos-mask"};

constexpr std::array<std::string_view, 38> kAddressIgnored = {
    "uuid", "comment", "color", "associated-interface", "allow-routing", "visibility",
    "fabric-object", "sub-type", "clearpass-spt", "obj-type", "cache-ttl", "interface", "sdn",
    "obj-id", "tags", "filter", "sdn-addr-type", "hw-vendor", "hw-model", "os", "sw-version",
    "epg-name", "tenant", "organization", "policy-group", "dirty", "macaddr", "node-ip-only",
    "fsso-group", "host", "host-type", "subnet-name", "obj-tag", "template", "sdn-tag",
    "passive-fqdn-learning", "route-tag", "global-object"};

constexpr std::array<std::string_view, 10> kGroupIgnored = {
    "uuid", "comment", "color", "visibility", "allow-routing", "fabric-object", "category",
    "type", "proxy", "global-object"};

constexpr std::array<std::string_view, 17> kServiceIgnored = {
    "category", "comment", "color", "visibility", "proxy", "uuid", "session-ttl",
    "tcp-halfclose-timer", "tcp-halfopen-timer", "tcp-timewait-timer", "tcp-rst-timer",
    "udp-idle-timer", "check-reset-range", "app-service-type", "fabric-object", "helper",
    "global-object"};
// clang-format on

// What predefined services FortiOS has: used when the file does not define
// them (a backup of a device whose defaults were never edited still lists
// them; a hand-written excerpt may not). docs/netcheck.md has the table.
struct Predefined {
  std::string_view name;
  std::string_view tcp;  // "80 443" ("" none)
  std::string_view udp;
  int protocol;  // -1: ports only; 0: every protocol; else that protocol
  bool inexact;  // ICMP type not modelled (PING)
};
constexpr std::array<Predefined, 41> kPredefinedServices = {{
    {"ALL", "", "", 0, false},
    {"ALL_TCP", "1-65535", "", -1, false},
    {"ALL_UDP", "", "1-65535", -1, false},
    {"ALL_ICMP", "", "", 1, false},
    {"ALL_ICMP6", "", "", 58, false},
    {"GRE", "", "", 47, false},
    {"AH", "", "", 51, false},
    {"ESP", "", "", 50, false},
    {"PING", "", "", 1, true},
    {"HTTP", "80", "", -1, false},
    {"HTTPS", "443", "", -1, false},
    {"DNS", "53", "53", -1, false},
    {"FTP", "21", "", -1, false},
    {"SSH", "22", "", -1, false},
    {"TELNET", "23", "", -1, false},
    {"SMTP", "25", "", -1, false},
    {"SMTPS", "465", "", -1, false},
    {"POP3", "110", "", -1, false},
    {"POP3S", "995", "", -1, false},
    {"IMAP", "143", "", -1, false},
    {"IMAPS", "993", "", -1, false},
    {"NTP", "123", "123", -1, false},
    {"SNMP", "161-162", "161-162", -1, false},
    {"SYSLOG", "", "514", -1, false},
    {"LDAP", "389", "", -1, false},
    {"LDAP_UDP", "", "389", -1, false},
    {"KERBEROS", "88", "88", -1, false},
    {"RDP", "3389", "", -1, false},
    {"SAMBA", "139", "", -1, false},
    {"SMB", "445", "", -1, false},
    {"MS-SQL", "1433 1434", "", -1, false},
    {"MYSQL", "3306", "", -1, false},
    {"DHCP", "", "67-68", -1, false},
    {"TFTP", "", "69", -1, false},
    {"NFS", "111 2049", "111 2049", -1, false},
    {"BGP", "179", "", -1, false},
    {"IKE", "", "500 4500", -1, false},
    {"L2TP", "1701", "1701", -1, false},
    {"PPTP", "1723", "", -1, false},
    {"SIP", "", "5060", -1, false},
    {"VNC", "5900", "", -1, false},
}};

// One "dst[-dst][:src[-src]]" item of a tcp-/udp-/sctp-portrange.
std::optional<ServiceBox> PortRangeItem(std::string_view item, std::uint8_t protocol) {
  const auto colon = item.find(':');
  const std::string_view destination = item.substr(0, colon);
  const auto destination_range = ParsePortRange(destination, '-', OpenEnds::kRejected);
  if (!destination_range) return std::nullopt;
  ServiceBox box{IntervalSet::Point(U128::Of(protocol)), IntervalSet::All(),
                 IntervalSet::Of(*destination_range)};
  if (colon != std::string_view::npos) {
    const auto source_range = ParsePortRange(item.substr(colon + 1), '-', OpenEnds::kRejected);
    if (!source_range) return std::nullopt;
    box.source_ports = IntervalSet::Of(*source_range);
  }
  return box;
}

ServiceSet PredefinedService(const Predefined& predefined) {
  ServiceSet out;
  if (predefined.protocol == 0) return ServiceSet::Any();
  if (predefined.protocol > 0) {
    out.boxes.push_back(
        {IntervalSet::Point(U128::Of(static_cast<std::uint64_t>(predefined.protocol)))});
    if (predefined.inexact)
      out.unmodelled.push_back("service " + std::string(predefined.name) + " (ICMP type)");
    return out;
  }
  for (const auto& [ports, protocol] :
       {std::pair{predefined.tcp, std::uint8_t{6}}, std::pair{predefined.udp, std::uint8_t{17}}}) {
    if (ports.empty()) continue;
    for (auto item : Split(ports, ' ')) {
      if (auto box = PortRangeItem(item, protocol)) out.Add({{*box}, {}});
    }
  }
  return out;
}

// --- The reader --------------------------------------------------------------

// A zone with intrazone allow: traffic between its interfaces passes
// before any policy.
struct Intrazone {
  std::string zone;
  std::vector<InterfacePattern> members;
  int line = 0;
};

// One VDOM: its blocks and what they define.
struct Context {
  std::string vdom;
  std::vector<const Block*> blocks;
  Catalog<AddressSet> addresses4;
  Catalog<AddressSet> addresses6;
  Catalog<ServiceSet> services;
  std::set<std::string, std::less<>> vips;  // VIP and VIP group names
  std::map<std::string, std::vector<InterfacePattern>, std::less<>> zones;
  std::vector<Intrazone> intrazone;
  std::vector<InterfacePattern> own;  // its interfaces (several VDOMs)
  std::size_t objects = 0;
};

class Reader {
 public:
  Reader(std::string file, const FortiGateLimits& limits)
      : file_(std::move(file)), limits_(limits) {}

  Result<RuleSet> Read(std::string_view text) {
    if (text.size() > limits_.max_bytes) {
      return TooLarge({file_, 0, {}}, "ファイルが大きすぎます", "file too large",
                      limits_.max_bytes);
    }
    rules_.sources.push_back(file_);
    std::vector<Statement> statements;
    MAMORI_TRY_STATUS(Tokenize(text, file_, limits_, statements, errors_));
    TreeBuilder builder(statements, file_, limits_, errors_);
    MAMORI_TRY(std::vector<Block> tree, builder.Build());
    if (!errors_.empty()) return Error(ErrorCode::kInvalidArgument, std::move(errors_));
    MAMORI_TRY_STATUS(Interpret(tree));
    if (!errors_.empty()) return Error(ErrorCode::kInvalidArgument, std::move(errors_));
    return std::move(rules_);
  }

 private:
  // --- Layout: VDOMs and global blocks ---

  Status Interpret(const std::vector<Block>& tree) {
    std::vector<const Block*> global;
    std::vector<Context> contexts;
    const auto context = [&](const std::string& vdom) -> Context& {
      for (auto& c : contexts) {
        if (c.vdom == vdom) return c;
      }
      contexts.emplace_back();
      contexts.back().vdom = vdom;
      return contexts.back();
    };
    for (const Block& block : tree) {
      if (block.path == "vdom") {
        for (const Edit& edit : block.edits) {
          if (edit.blocks.empty()) continue;  // the declaration of the VDOM
          for (const Block& inner : edit.blocks) context(edit.name).blocks.push_back(&inner);
        }
      } else if (block.path == "global") {
        for (const Block& inner : block.blocks) global.push_back(&inner);
      } else {
        global.push_back(&block);
        context("root").blocks.push_back(&block);
      }
    }
    if (contexts.empty()) context("root");
    ReadInterfaces(global);
    several_ = contexts.size() > 1;
    if (several_) {
      Warn(0, "VDOM が複数あります。VDOM ごとに検査し、VDOM 間リンクを渡る通信はつなげて追いません",
           "several VDOMs: each is checked on its own; traffic over inter-VDOM links is not "
           "followed from one VDOM into the next");
    }
    for (Context& c : contexts) {
      for (const auto& [name, vdom] : interfaces_) {
        if (vdom == c.vdom) c.own.push_back({name, false});
      }
      MAMORI_TRY_STATUS(ReadContext(c));
    }
    return OkStatus();
  }

  void ReadInterfaces(const std::vector<const Block*>& global) {
    for (const Block* block : global) {
      if (block->path != "system interface") continue;
      has_interfaces_ = true;
      for (const Edit& edit : block->edits) {
        interfaces_.emplace(edit.name, Value(edit.settings, "vdom", "root"));
      }
    }
  }

  std::vector<const Block*> BlocksOf(const Context& c, std::string_view path) const {
    std::vector<const Block*> out;
    for (const Block* block : c.blocks) {
      if (block->path == path) out.push_back(block);
    }
    return out;
  }

  // --- One VDOM ---

  Status ReadContext(Context& c) {
    ReadZones(c);
    MAMORI_TRY_STATUS(ReadAddresses(c));
    MAMORI_TRY_STATUS(ReadServices(c));
    Table table;
    table.family = Family::kInet;
    table.name = several_ ? "fortigate vdom " + c.vdom : "fortigate";
    Chain chain;
    chain.name = "firewall policy";
    chain.hook = Hook::kForward;
    chain.policy = ActionKind::kDrop;  // the implicit deny
    IntrazoneRules(c, chain);
    bool any_policy_block = false;
    for (const char* path : {"firewall policy", "firewall policy6"}) {
      for (const Block* block : BlocksOf(c, path)) {
        any_policy_block = true;
        if (chain.where.line == 0) chain.where = {file_, block->line, {}, -1};
        for (const Edit& edit : block->edits) {
          MAMORI_TRY_STATUS(Policy(c, edit, std::string_view(path) == "firewall policy6", chain));
        }
      }
    }
    for (const char* path : {"firewall policy46", "firewall policy64"}) {
      for (const Block* block : BlocksOf(c, path)) {
        if (!block->edits.empty()) {
          Warn(block->line, "config " + std::string(path) + "（NAT46/NAT64）は解析しません",
               "config " + std::string(path) + " (NAT46/NAT64) is not analyzed");
        }
      }
    }
    if (!any_policy_block) {
      Warn(0,
           "VDOM " + c.vdom + " に config firewall policy がありません。転送される通信はありません",
           "VDOM " + c.vdom + " has no config firewall policy: nothing is forwarded");
    }
    if (several_) {
      // Only this VDOM's packets meet its implicit deny; the others' chains
      // decide theirs.
      chain.policy = ActionKind::kAccept;
      if (c.own.empty()) {
        Warn(chain.where.line,
             "VDOM " + c.vdom + " のインタフェースが分からないため、暗黙の拒否は反映しません",
             "the interfaces of VDOM " + c.vdom + " are unknown: its implicit deny is not applied");
      } else {
        Rule deny;
        deny.match.input = {false, false, c.own};
        deny.action = ActionKind::kDrop;
        deny.where = chain.where;
        deny.text = "implicit deny (VDOM " + c.vdom + ")";
        chain.rules.push_back(std::move(deny));
      }
    }
    table.where = chain.where;
    table.chains.push_back(std::move(chain));
    rules_.tables.push_back(std::move(table));
    return OkStatus();
  }

  void ReadZones(Context& c) {
    for (const Block* block : BlocksOf(c, "system zone")) {
      for (const Edit& edit : block->edits) {
        std::vector<InterfacePattern> members;
        if (const Setting* setting = Find(edit.settings, "interface")) {
          for (const auto& name : setting->values) members.push_back({name, false});
        }
        CheckSettings(edit, {"interface", "intrazone", "description"}, {}, "zone", nullptr);
        if (Value(edit.settings, "intrazone", "deny") == "allow") {
          c.intrazone.push_back({edit.name, members, edit.line});
        }
        c.zones[edit.name] = std::move(members);
      }
    }
    // SD-WAN zones: config system sdwan (7.x) / virtual-wan-link (6.x).
    for (const char* path : {"system sdwan", "system virtual-wan-link"}) {
      for (const Block* block : BlocksOf(c, path)) {
        for (const Block& inner : block->blocks) {
          if (inner.path == "zone") {
            for (const Edit& edit : inner.edits) c.zones.try_emplace(edit.name);
          }
        }
        for (const Block& inner : block->blocks) {
          if (inner.path != "members") continue;
          for (const Edit& edit : inner.edits) {
            const std::string zone = Value(edit.settings, "zone", "virtual-wan-link");
            const std::string name = Value(edit.settings, "interface");
            if (!name.empty()) c.zones[zone].push_back({name, false});
          }
        }
      }
    }
  }

  void IntrazoneRules(const Context& c, Chain& chain) {
    for (const auto& zone : c.intrazone) {
      Rule rule;
      rule.match.input = {false, false, zone.members};
      rule.match.output = {false, false, zone.members};
      rule.action = ActionKind::kAccept;
      rule.where = {file_, zone.line, {}, -1};
      rule.text = "zone \"" + zone.zone + "\" intrazone allow";
      chain.rules.push_back(std::move(rule));
    }
  }

  // Warns about each setting neither modelled nor known to be harmless; with
  // `unmodelled`, the object or policy is then an over-approximation.
  void CheckSettings(const Edit& edit, std::initializer_list<std::string_view> modelled,
                     std::span<const std::string_view> ignored, const std::string& what,
                     std::vector<std::string>* unmodelled) {
    for (const Setting& setting : edit.settings) {
      if (IsOneOf(setting.key, modelled) || IsOneOf(setting.key, ignored)) continue;
      Warn(setting.line, what + "「" + edit.name + "」の設定 " + setting.key + " は解析しません",
           "setting " + setting.key + " of " + what + " \"" + edit.name + "\" is not modelled");
      if (unmodelled != nullptr) unmodelled->push_back("set " + setting.key);
    }
  }

  bool CountObject(Context& c, const Edit& edit) {
    if (++c.objects <= limits_.max_objects) return true;
    limit_error_ = TooMany({file_, edit.line, {}}, "オブジェクト", "objects", limits_.max_objects);
    return false;
  }

  void Duplicate(const Edit& edit, const std::string& what) {
    Fail(edit.line, what + "「" + edit.name + "」が二度定義されています",
         what + " \"" + edit.name + "\" is defined twice");
  }

  Status ReadAddresses(Context& c) {
    for (const bool v6 : {false, true}) {
      Catalog<AddressSet>& catalog = v6 ? c.addresses6 : c.addresses4;
      const std::string suffix = v6 ? "6" : "";
      for (const Block* block : BlocksOf(c, "firewall address" + suffix)) {
        for (const Edit& edit : block->edits) {
          if (!CountObject(c, edit)) return limit_error_;
          AddressSet value = v6 ? Address6(edit) : Address4(edit);
          if (!catalog.AddObject(edit.name, std::move(value), Here(edit.line))) {
            Duplicate(edit, "アドレス / address");
          }
        }
      }
      for (const Block* block : BlocksOf(c, "firewall vip" + suffix)) {
        for (const Edit& edit : block->edits) {
          if (!CountObject(c, edit)) return limit_error_;
          c.vips.insert(edit.name);
          if (!catalog.AddObject(edit.name, Vip(edit, v6), Here(edit.line))) {
            Duplicate(edit, "VIP");
          }
        }
      }
      for (const char* group_kind : {"addrgrp", "vipgrp"}) {
        const std::string kind = group_kind;
        for (const Block* block : BlocksOf(c, "firewall " + kind + suffix)) {
          for (const Edit& edit : block->edits) {
            if (!CountObject(c, edit)) return limit_error_;
            std::vector<std::string> members;
            std::vector<std::string> excluded;
            if (const Setting* setting = Find(edit.settings, "member")) members = setting->values;
            if (Value(edit.settings, "exclude") == "enable") {
              if (const Setting* setting = Find(edit.settings, "exclude-member")) {
                excluded = setting->values;
              }
            }
            CheckSettings(edit, {"member", "exclude", "exclude-member", "interface"}, kGroupIgnored,
                          kind, nullptr);
            if (kind == "vipgrp") c.vips.insert(edit.name);
            if (!catalog.AddGroup(edit.name, std::move(members), std::move(excluded),
                                  Here(edit.line))) {
              Duplicate(edit, kind);
            }
          }
        }
      }
    }
    return OkStatus();
  }

  Where Here(int line) const { return {file_, line, {}}; }

  // A network from a setting's values: "10.0.0.0 255.255.0.0", "10.0.0.0/16"
  // or an address.
  std::optional<Interval> Network(const Setting& setting, bool v6) {
    std::string text;
    if (setting.values.size() == 2) {
      text = setting.values[0] + "/" + setting.values[1];
    } else if (setting.values.size() == 1) {
      text = setting.values[0];
    }
    auto network = ParseNetwork(text, HostBits::kMask);
    if (setting.values.empty() || setting.values.size() > 2 || !network.Ok()) {
      const std::string why_ja =
          network.Ok() ? "値の数が合いません" : network.Err().Headline().message_ja;
      const std::string why_en =
          network.Ok() ? "wrong number of values" : network.Err().Headline().message_en;
      Fail(setting.line, "set " + setting.key + " を読めません: " + why_ja,
           "cannot read set " + setting.key + ": " + why_en);
      return std::nullopt;
    }
    if (IsIpv4(network->low) == v6) {
      Fail(setting.line,
           std::string("set ") + setting.key + " は " + (v6 ? "IPv6" : "IPv4") + " のアドレスです",
           std::string("set ") + setting.key + " takes an " + (v6 ? "IPv6" : "IPv4") + " address");
      return std::nullopt;
    }
    return *network;
  }

  // A range from start-ip / end-ip (both default to the family's zero).
  AddressSet Range(const Edit& edit, bool v6) {
    const std::string zero = v6 ? "::" : "0.0.0.0";
    const std::string start = Value(edit.settings, "start-ip", zero);
    const std::string end = Value(edit.settings, "end-ip", zero);
    auto network = ParseNetwork(start + "-" + end, HostBits::kMask);
    if (!network.Ok() || IsIpv4(network->low) == v6) {
      const Setting* setting = Find(edit.settings, "start-ip");
      Fail(setting != nullptr ? setting->line : edit.line,
           "アドレス範囲 " + start + "-" + end + " を読めません",
           "cannot read the address range " + start + "-" + end);
      return AddressSet::Of(IntervalSet());
    }
    return AddressSet::Of(IntervalSet::Of(*network));
  }

  AddressSet Address4(const Edit& edit) {
    std::vector<std::string> unknown;
    CheckSettings(edit,
                  {"type", "subnet", "start-ip", "end-ip", "fqdn", "country", "wildcard",
                   "wildcard-fqdn", "macaddr", "start-mac", "end-mac"},
                  kAddressIgnored, "アドレス / address", &unknown);
    AddressSet value = AddressValue(edit, false);
    for (auto& reason : unknown) value.unmodelled.push_back(edit.name + ": " + reason);
    return value;
  }

  AddressSet Address6(const Edit& edit) {
    std::vector<std::string> unknown;
    CheckSettings(
        edit,
        {"type", "ip6", "start-ip", "end-ip", "fqdn", "country", "macaddr", "start-mac", "end-mac"},
        kAddressIgnored, "アドレス / address6", &unknown);
    AddressSet value = AddressValue(edit, true);
    for (auto& reason : unknown) value.unmodelled.push_back(edit.name + ": " + reason);
    return value;
  }

  AddressSet AddressValue(const Edit& edit, bool v6) {
    const IntervalSet all = v6 ? Ipv6Addresses() : Ipv4Addresses();
    const std::string type = Value(edit.settings, "type", v6 ? "ipprefix" : "ipmask");
    if (type == (v6 ? "ipprefix" : "ipmask") || (!v6 && type == "interface-subnet")) {
      // Left out, the subnet is 0.0.0.0 0.0.0.0 (::/0): every address.
      const Setting* setting = Find(edit.settings, v6 ? "ip6" : "subnet");
      if (setting == nullptr) return AddressSet::Of(all);
      const auto network = Network(*setting, v6);
      return AddressSet::Of(network ? IntervalSet::Of(*network) : IntervalSet());
    }
    if (type == "iprange") return Range(edit, v6);
    std::string detail = Value(edit.settings, type == "geography" ? "country" : type);
    if (type == "fqdn") detail = Value(edit.settings, "fqdn");
    Warn(edit.line,
         "アドレス「" + edit.name + "」（type " + type +
             "）は解析しません。すべてのアドレスとして扱います",
         "address \"" + edit.name + "\" (type " + type +
             ") is not modelled: taken as every address");
    return AddressSet::Unmodelled(
        all, edit.name + " (" + type + (detail.empty() ? "" : " " + detail) + ")");
  }

  // A VIP as the policy sees it: its mapped addresses (after destination NAT).
  AddressSet Vip(const Edit& edit, bool v6) {
    const IntervalSet all = v6 ? Ipv6Addresses() : Ipv4Addresses();
    const std::string type = Value(edit.settings, "type", "static-nat");
    if (type != "static-nat") {
      Warn(edit.line,
           "VIP「" + edit.name + "」（type " + type +
               "）は解析しません。すべてのアドレスとして扱います",
           "VIP \"" + edit.name + "\" (type " + type + ") is not modelled: taken as every address");
      return AddressSet::Unmodelled(all, "VIP " + edit.name + " (type " + type + ")");
    }
    const Setting* mapped = Find(edit.settings, "mappedip");
    if (mapped == nullptr || mapped->values.empty()) {
      Fail(edit.line, "VIP「" + edit.name + "」に mappedip がありません",
           "VIP \"" + edit.name + "\" has no mappedip");
      return AddressSet::Of(IntervalSet());
    }
    std::vector<Interval> intervals;
    for (const auto& text : mapped->values) {
      auto network = ParseNetwork(text, HostBits::kMask);
      if (!network.Ok() || IsIpv4(network->low) == v6) {
        Fail(mapped->line, "mappedip「" + text + "」を読めません",
             "cannot read mappedip \"" + text + "\"");
        continue;
      }
      intervals.push_back(*network);
    }
    AddressSet value = AddressSet::Of(IntervalSet::FromIntervals(std::move(intervals)));
    if (Value(edit.settings, "portforward") == "enable") {
      value.unmodelled.push_back("VIP " + edit.name + " port forwarding");
    }
    for (const char* narrowing : {"src-filter", "srcintf-filter", "service"}) {
      if (const Setting* setting = Find(edit.settings, narrowing);
          setting != nullptr && !setting->values.empty()) {
        value.unmodelled.push_back("VIP " + edit.name + " " + narrowing);
      }
    }
    return value;
  }

  Status ReadServices(Context& c) {
    for (const Block* block : BlocksOf(c, "firewall service custom")) {
      for (const Edit& edit : block->edits) {
        if (!CountObject(c, edit)) return limit_error_;
        if (!c.services.AddObject(edit.name, Service(edit), Here(edit.line))) {
          Duplicate(edit, "サービス / service");
        }
      }
    }
    for (const Block* block : BlocksOf(c, "firewall service group")) {
      for (const Edit& edit : block->edits) {
        if (!CountObject(c, edit)) return limit_error_;
        std::vector<std::string> members;
        if (const Setting* setting = Find(edit.settings, "member")) members = setting->values;
        CheckSettings(edit, {"member"}, kGroupIgnored, "サービスグループ / service group", nullptr);
        if (!c.services.AddGroup(edit.name, std::move(members), {}, Here(edit.line))) {
          Duplicate(edit, "サービス / service");
        }
      }
    }
    return OkStatus();
  }

  ServiceSet Service(const Edit& edit) {
    ServiceSet out;
    CheckSettings(edit,
                  {"protocol", "tcp-portrange", "udp-portrange", "sctp-portrange",
                   "protocol-number", "icmptype", "icmpcode", "iprange", "fqdn"},
                  kServiceIgnored, "サービス / service", &out.unmodelled);
    const std::string protocol = Upper(Value(edit.settings, "protocol", "TCP/UDP/SCTP"));
    if (protocol == "TCP/UDP/SCTP" || protocol == "TCP/UDP/UDP-LITE/SCTP") {
      bool any_range = false;
      for (const auto& [key, number] : {std::pair{"tcp-portrange", std::uint8_t{6}},
                                        std::pair{"udp-portrange", std::uint8_t{17}},
                                        std::pair{"udplite-portrange", std::uint8_t{136}},
                                        std::pair{"sctp-portrange", std::uint8_t{132}}}) {
        const Setting* setting = Find(edit.settings, key);
        if (setting == nullptr) continue;
        for (const auto& item : setting->values) {
          const auto box = PortRangeItem(item, number);
          if (!box) {
            Fail(setting->line,
                 std::string(key) + " の「" + item +
                     "」を読めません（宛先[-宛先][:送信元[-送信元]]、0〜65535）",
                 "cannot read \"" + item + "\" of " + key + " (dst[-dst][:src[-src]], 0-65535)");
            continue;
          }
          any_range = true;
          out.Add({{*box}, {}});
        }
      }
      if (!any_range) {
        Warn(edit.line,
             "サービス「" + edit.name +
                 "」にポート範囲がありません。TCP/UDP/SCTP のすべてのポートとして扱います",
             "service \"" + edit.name + "\" has no port range: taken as every TCP/UDP/SCTP port");
        out.Add({{{PortProtocols()}}, {edit.name + " (no port range)"}});
      }
    } else if (protocol == "ICMP" || protocol == "ICMP6") {
      out.boxes.push_back({IntervalSet::Point(U128::Of(protocol == "ICMP" ? 1 : 58))});
      for (const char* key : {"icmptype", "icmpcode"}) {
        const std::string value = Value(edit.settings, key);
        if (!value.empty()) out.unmodelled.push_back(edit.name + " " + key + " " + value);
      }
    } else if (protocol == "IP") {
      const std::string number = Value(edit.settings, "protocol-number", "0");
      const auto parsed = ParseProtocol(number);
      if (!parsed || number.empty() || number[0] < '0' || number[0] > '9') {
        Fail(edit.line, "protocol-number「" + number + "」は 0〜255 の数です",
             "protocol-number \"" + number + "\" must be a number 0-255");
      } else if (*parsed == 0) {
        out.Add(ServiceSet::Any());
      } else {
        out.boxes.push_back({IntervalSet::Point(U128::Of(*parsed))});
      }
    } else {
      // Explicit-proxy services (HTTP, CONNECT, SOCKS…) and anything newer.
      Warn(edit.line,
           "サービス「" + edit.name + "」（protocol " + protocol +
               "）は解析しません。すべての通信として扱います",
           "service \"" + edit.name + "\" (protocol " + protocol +
               ") is not modelled: taken as every packet");
      out.Add(ServiceSet::Any());
      out.unmodelled.push_back(edit.name + " (protocol " + protocol + ")");
    }
    const std::string iprange = Value(edit.settings, "iprange", "0.0.0.0");
    if (iprange != "0.0.0.0" && !iprange.empty())
      out.unmodelled.push_back(edit.name + " iprange " + iprange);
    const std::string fqdn = Value(edit.settings, "fqdn");
    if (!fqdn.empty()) out.unmodelled.push_back(edit.name + " fqdn " + fqdn);
    return out;
  }

  // --- Policies ---

  // An interface list of a policy: interfaces, zones or "any".
  InterfaceMatch Interfaces(const Context& c, const Setting* setting, Rule& rule) {
    InterfaceMatch match{false, false, {}};
    if (setting == nullptr) return match;  // no interface: matches nothing
    for (const auto& name : setting->values) {
      if (name == "any") {
        if (!several_ || c.own.empty()) return {};
        match.patterns.insert(match.patterns.end(), c.own.begin(), c.own.end());
      } else if (const auto zone = c.zones.find(name); zone != c.zones.end()) {
        match.patterns.insert(match.patterns.end(), zone->second.begin(), zone->second.end());
      } else if (!has_interfaces_ || interfaces_.count(name) != 0) {
        match.patterns.push_back({name, false});
      } else {
        rule.match.unmodelled.push_back(setting->key + " \"" + name + "\" (not defined)");
        return {};
      }
    }
    return match;
  }

  // The addresses a policy names (one family). `vip` is set when one is a VIP.
  AddressSet Addresses(const Context& c, const Setting* setting, bool v6, bool& vip) {
    const IntervalSet all = v6 ? Ipv6Addresses() : Ipv4Addresses();
    const Catalog<AddressSet>& catalog = v6 ? c.addresses6 : c.addresses4;
    AddressSet out;
    if (setting == nullptr) return out;
    const auto fallback = [&all](std::string_view name) -> std::optional<AddressSet> {
      if (name == "all") return AddressSet::Of(all);
      if (name == "none") return AddressSet::Of(IntervalSet());
      return std::nullopt;
    };
    for (const auto& name : setting->values) {
      auto found = catalog.Resolve(name, fallback, limits_.max_group_depth);
      if (!found.Ok()) {
        for (const auto& d : found.Err().Diagnostics()) errors_.push_back(d);
        continue;
      }
      if (!*found) {
        Fail(setting->line, "アドレス「" + name + "」が定義されていません",
             "address \"" + name + "\" is not defined");
        continue;
      }
      if (c.vips.count(name) != 0) vip = true;
      out.Add(**found);
    }
    return out;
  }

  ServiceSet Services(const Context& c, const Setting* setting) {
    ServiceSet out;
    if (setting == nullptr) return out;
    const auto fallback = [](std::string_view name) -> std::optional<ServiceSet> {
      for (const auto& predefined : kPredefinedServices) {
        if (predefined.name == name) return PredefinedService(predefined);
      }
      return std::nullopt;
    };
    for (const auto& name : setting->values) {
      auto found = c.services.Resolve(name, fallback, limits_.max_group_depth);
      if (!found.Ok()) {
        for (const auto& d : found.Err().Diagnostics()) errors_.push_back(d);
        continue;
      }
      if (!*found) {
        Fail(setting->line, "サービス「" + name + "」が定義されていません",
             "service \"" + name + "\" is not defined");
        continue;
      }
      out.Add(**found);
    }
    return out;
  }

  Status Policy(const Context& c, const Edit& edit, bool policy6, Chain& chain) {
    if (++policies_ > limits_.max_policies) {
      return TooMany({file_, edit.line, {}}, "ポリシー", "policies", limits_.max_policies);
    }
    const auto& settings = edit.settings;
    const std::string name = Value(settings, "name");
    const std::string label = "policy " + edit.name + (name.empty() ? "" : " \"" + name + "\"");
    if (Value(settings, "status", "enable") == "disable") {
      Warn(edit.line, label + " は無効（status disable）のため検査しません",
           label + " is disabled (status disable): skipped");
      return OkStatus();
    }
    Rule rule;
    rule.where = {file_, edit.line, {}, -1};
    rule.comment = Value(settings, "comments", name);
    std::vector<std::string>& unmodelled = rule.match.unmodelled;
    for (const Setting& setting : settings) {
      if (IsOneOf(setting.key, kPolicyModelled) || IsOneOf(setting.key, kPolicyIgnored)) continue;
      if (setting.key.starts_with("internet-service")) continue;
      if (IsOneOf(setting.key, kPolicyNarrowing)) {
        if (!setting.values.empty()) {
          unmodelled.push_back("set " + setting.key + " " + Quoted(setting.values));
        }
        continue;
      }
      if (IsOneOf(setting.key, kPolicyNarrowingSwitches)) {
        if (!setting.values.empty() && setting.values[0] == "enable") {
          unmodelled.push_back("set " + setting.key + " enable");
        }
        continue;
      }
      Warn(setting.line, label + " の設定 " + setting.key + " は解析しません",
           "setting " + setting.key + " of " + label + " is not modelled");
      unmodelled.push_back("set " + setting.key);
    }
    if (const std::string schedule = Value(settings, "schedule", "always"); schedule != "always") {
      unmodelled.push_back("schedule \"" + schedule + "\"");
    }
    if (const std::string mask = Value(settings, "tos-mask", "0x00");
        mask != "0x00" && mask != "0" && mask != "0x0") {
      unmodelled.push_back("tos-mask " + mask);
    }
    rule.match.input = Interfaces(c, Find(settings, "srcintf"), rule);
    rule.match.output = Interfaces(c, Find(settings, "dstintf"), rule);
    // Addresses: IPv4 from srcaddr/dstaddr, IPv6 from srcaddr6/dstaddr6 (in
    // config firewall policy6, srcaddr/dstaddr are IPv6).
    bool vip = false;
    AddressSet source;
    AddressSet destination;
    for (const bool v6 : {false, true}) {
      if (policy6 && !v6) continue;
      const std::string suffix = v6 && !policy6 ? "6" : "";
      const IntervalSet all = v6 ? Ipv6Addresses() : Ipv4Addresses();
      AddressSet from = Addresses(c, Find(settings, "srcaddr" + suffix), v6, vip);
      AddressSet to = Addresses(c, Find(settings, "dstaddr" + suffix), v6, vip);
      if (Value(settings, "srcaddr" + suffix + "-negate") == "enable") from = from.Complement(all);
      if (Value(settings, "dstaddr" + suffix + "-negate") == "enable") to = to.Complement(all);
      if (Value(settings, v6 ? "internet-service6-src" : "internet-service-src") == "enable") {
        from = AddressSet::Unmodelled(all, "internet-service-src");
      }
      if (Value(settings, v6 ? "internet-service6" : "internet-service") == "enable") {
        to = AddressSet::Unmodelled(all, "internet-service");
      }
      // A family matches only when both of its lists name something.
      if (from.addresses.Empty() || to.addresses.Empty()) continue;
      source.Add(from);
      destination.Add(to);
    }
    rule.match.box[Dimension::kSourceAddress] = source.addresses;
    rule.match.box[Dimension::kDestinationAddress] = destination.addresses;
    for (const auto* set : {&source, &destination}) {
      for (const auto& reason : set->unmodelled) unmodelled.push_back(reason);
    }
    if (vip) {
      Warn(edit.line,
           label + " の宛先は VIP（宛先 NAT）です。変換後のアドレス（mappedip）で検査します",
           label + " names a VIP (destination NAT): checked against the mapped address");
    }
    ServiceSet services = Services(c, Find(settings, "service"));
    if (Value(settings, "service-negate") == "enable") {
      services.unmodelled.push_back("service-negate");
      services.boxes = ServiceSet::Any().boxes;
    }
    const std::string action = Value(settings, "action", "deny");
    if (action == "accept" || action == "ipsec") {
      rule.action = ActionKind::kAccept;
    } else if (action == "deny") {
      rule.action = ActionKind::kDrop;
    } else {
      rule.action = ActionKind::kAccept;
      rule.unmodelled_action = "action " + action;
    }
    rule.text = label + ": srcintf " + Quoted(Values(settings, "srcintf")) + " dstintf " +
                Quoted(Values(settings, "dstintf")) + " srcaddr " +
                Quoted(Values(settings, "srcaddr")) + " dstaddr " +
                Quoted(Values(settings, "dstaddr")) + " service " +
                Quoted(Values(settings, "service")) + " action " + action;
    if (!Values(settings, "srcaddr6").empty() || !Values(settings, "dstaddr6").empty()) {
      rule.text += " (srcaddr6 " + Quoted(Values(settings, "srcaddr6")) + " dstaddr6 " +
                   Quoted(Values(settings, "dstaddr6")) + ")";
    }
    const std::size_t first = chain.rules.size();
    AppendServiceRules(rule, services, chain.rules);
    rule_count_ += chain.rules.size() - first;
    if (rule_count_ > limits_.max_rules) {
      return TooMany({file_, edit.line, {}}, "規則", "rules", limits_.max_rules);
    }
    if (first < chain.rules.size() && !chain.rules[first].Exact()) {
      rules_.warnings.push_back(UnmodelledWarning(chain.rules[first]));
    }
    return OkStatus();
  }

  static std::vector<std::string> Values(const std::vector<Setting>& settings,
                                         std::string_view key) {
    const Setting* setting = Find(settings, key);
    return setting != nullptr ? setting->values : std::vector<std::string>{};
  }

  void Fail(int line, const std::string& ja, const std::string& en) {
    errors_.push_back({{file_, line, {}}, ja, en});
  }
  void Warn(int line, const std::string& ja, const std::string& en) {
    rules_.warnings.push_back({{file_, line, {}}, ja, en});
  }

  std::string file_;
  const FortiGateLimits& limits_;
  RuleSet rules_;
  std::vector<Diagnostic> errors_;
  std::map<std::string, std::string, std::less<>> interfaces_;  // name → VDOM
  bool has_interfaces_ = false;
  bool several_ = false;
  std::size_t policies_ = 0;
  std::size_t rule_count_ = 0;
  Error limit_error_{ErrorCode::kLimitExceeded, "", ""};
};

}  // namespace

Result<RuleSet> ParseFortiGate(std::string_view text, const std::string& file,
                               const FortiGateLimits& limits) {
  Reader reader(file, limits);
  return reader.Read(text);
}

bool LooksLikeFortiGate(std::string_view text) {
  for (const std::string_view line : LeadingLines(text, 200)) {
    if (line.starts_with("#config-version=")) return true;
    if (line.empty() || line[0] == '#') continue;
    return line.starts_with("config ");
  }
  return false;
}

}  // namespace mamori::netcheck
