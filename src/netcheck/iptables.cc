#include "netcheck/iptables.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "netcheck/vendor.h"

namespace mamori::netcheck {
namespace {

// Targets that do not decide: the packet goes on to the next rule.
constexpr std::array<std::string_view, 24> kContinueTargets = {
    "LOG",    "NFLOG",   "ULOG",     "MARK",        "CONNMARK", "CLASSIFY",
    "TCPMSS", "DSCP",    "TOS",      "TTL",         "HL",       "AUDIT",
    "CT",     "TRACE",   "NOTRACK",  "SET",         "CHECKSUM", "SECMARK",
    "CONNSECMARK", "LED", "IDLETIMER", "RATEEST",  "TEE",      "TCPOPTSTRIP"};
// Targets that end the packet's walk in a way not modelled: treated as accept.
constexpr std::array<std::string_view, 3> kQueueTargets = {"QUEUE", "NFQUEUE", "SYNPROXY"};

bool In(std::string_view word, const auto& list) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

struct ParseFailure {
  std::string ja;
  std::string en;
};

// Splits a line as iptables-save quotes it: "a b" is one word, \" inside.
std::optional<std::vector<std::string>> Tokenize(std::string_view line, std::size_t max_tokens,
                                                 ParseFailure* failure) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string token;
    if (line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          token += line[i + 1];
          i += 2;
        } else if (line[i] == '"') {
          ++i;
          closed = true;
          break;
        } else {
          token += line[i++];
        }
      }
      if (!closed) {
        *failure = {"引用符 \" が閉じていません", "unterminated quote \""};
        return std::nullopt;
      }
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') token += line[i++];
    }
    tokens.push_back(std::move(token));
    if (tokens.size() > max_tokens) {
      *failure = {"行の語数が上限 " + std::to_string(max_tokens) + " を超えています",
                  "more than " + std::to_string(max_tokens) + " words on the line"};
      return std::nullopt;
    }
  }
  return tokens;
}

InterfacePattern ParseInterface(std::string_view name) {
  if (!name.empty() && name.back() == '+') {
    return {std::string(name.substr(0, name.size() - 1)), true};
  }
  return {std::string(name), false};
}

bool IsGenericOption(std::string_view token) {
  static constexpr std::array<std::string_view, 24> kGeneric = {
      "-s", "--source", "--src", "-d", "--destination", "--dst", "-p", "--protocol",
      "-i", "--in-interface", "-o", "--out-interface", "-m", "--match", "-j", "--jump",
      "-g", "--goto", "-f", "--fragment", "-c", "--set-counters", "-4", "-6"};
  return In(token, kGeneric);
}

class Parser {
 public:
  Parser(std::string file, IptablesFamily family, const IptablesLimits& limits)
      : file_(std::move(file)), limits_(limits) {
    if (family == IptablesFamily::kIpv4) family_ = IpFamily::kIpv4;
    if (family == IptablesFamily::kIpv6) family_ = IpFamily::kIpv6;
  }

  Result<RuleSet> Parse(std::string_view text) {
    if (text.size() > limits_.max_bytes) {
      return Error(ErrorCode::kLimitExceeded,
                   "ファイルが大きすぎます（上限 " + std::to_string(limits_.max_bytes) + " バイト）",
                   "file too large (limit " + std::to_string(limits_.max_bytes) + " bytes)",
                   {file_, 0, {}});
    }
    rules_.sources.push_back(file_);
    std::size_t start = 0;
    int line_number = 0;
    while (start < text.size()) {
      const auto end = text.find('\n', start);
      std::string_view line =
          text.substr(start, end == std::string_view::npos ? text.npos : end - start);
      start = end == std::string_view::npos ? text.size() : end + 1;
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.size() > limits_.max_line_bytes) {
        return Error(ErrorCode::kLimitExceeded,
                     "行が長すぎます（上限 " + std::to_string(limits_.max_line_bytes) + " バイト）",
                     "line too long (limit " + std::to_string(limits_.max_line_bytes) + " bytes)",
                     {file_, line_number, {}});
      }
      line_ = line_number;
      MAMORI_TRY_STATUS(Line(line));
    }
    if (in_table_) Fail("COMMIT がないままファイルが終わりました", "the file ends without COMMIT");
    if (!errors_.empty()) return Error(ErrorCode::kInvalidArgument, std::move(errors_));
    if (!family_) {
      Warn("IPv4 か IPv6 か判別できないため IPv4 として読みました",
           "could not tell IPv4 from IPv6; read as IPv4 (iptables-save)");
      family_ = IpFamily::kIpv4;
    }
    for (auto& table : rules_.tables) {
      table.family = *family_ == IpFamily::kIpv4 ? Family::kIp : Family::kIp6;
    }
    return std::move(rules_);
  }

 private:
  Status Line(std::string_view line) {
    std::size_t first = 0;
    while (first < line.size() && (line[first] == ' ' || line[first] == '\t')) ++first;
    line.remove_prefix(first);
    if (line.empty()) return OkStatus();
    if (line[0] == '#') {
      if (line.find("Generated by") != std::string_view::npos && !family_) {
        if (line.find("ip6tables") != std::string_view::npos) {
          family_ = IpFamily::kIpv6;
        } else if (line.find("iptables") != std::string_view::npos) {
          family_ = IpFamily::kIpv4;
        }
      }
      return OkStatus();
    }
    // iptables-save -c puts counters first: "[12:345] -A INPUT …".
    if (line[0] == '[') {
      const auto close = line.find(']');
      if (close != std::string_view::npos) {
        line.remove_prefix(close + 1);
        while (!line.empty() && line[0] == ' ') line.remove_prefix(1);
      }
      if (line.empty()) return OkStatus();
    }
    if (line[0] == '*') return TableLine(line.substr(1));
    if (line == "COMMIT") return Commit();
    if (!in_table_) {
      Fail("テーブル（*filter 等）の外に書かれています", "outside a table (*filter, …)");
      return OkStatus();
    }
    if (skipping_) return OkStatus();
    if (line[0] == ':') return ChainLine(line.substr(1));
    ParseFailure failure;
    auto tokens = Tokenize(line, limits_.max_tokens_per_line, &failure);
    if (!tokens) {
      Fail(failure.ja, failure.en);
      return OkStatus();
    }
    const auto& t = *tokens;
    if ((t[0] == "-A" || t[0] == "--append") && t.size() >= 2) return RuleLine(t, line);
    if ((t[0] == "-N" || t[0] == "--new-chain") && t.size() == 2) {
      AddChain(t[1], "-");
      return OkStatus();
    }
    if ((t[0] == "-P" || t[0] == "--policy") && t.size() == 3) {
      auto chain = table().FindChain(t[1]);
      if (!chain || !table().chains[static_cast<std::size_t>(*chain)].Base()) {
        Fail("-P は組込みチェイン（INPUT/FORWARD/OUTPUT）にだけ使えます: " + t[1],
             "-P applies to built-in chains (INPUT/FORWARD/OUTPUT) only: " + t[1]);
        return OkStatus();
      }
      SetPolicy(table().chains[static_cast<std::size_t>(*chain)], t[2]);
      return OkStatus();
    }
    Fail("解釈できない行です（-A, -N, -P, :chain, COMMIT のいずれでもありません）",
         "cannot read the line (not -A, -N, -P, :chain or COMMIT)");
    return OkStatus();
  }

  Status TableLine(std::string_view name) {
    if (in_table_) {
      Fail("前のテーブルに COMMIT がありません", "the previous table has no COMMIT");
    }
    in_table_ = true;
    skipping_ = name != "filter";
    if (skipping_) {
      Warn("テーブル「" + std::string(name) +
               "」は解析しません（filter のみ。NAT による宛先の変換は反映されません）",
           "table \"" + std::string(name) +
               "\" is not analyzed (filter only; NAT translation is not applied)");
      return OkStatus();
    }
    Table table;
    table.name = "filter";
    table.where = {file_, line_, {}, -1};
    for (const auto& [chain_name, hook] :
         {std::pair<const char*, Hook>{"INPUT", Hook::kInput},
          {"FORWARD", Hook::kForward},
          {"OUTPUT", Hook::kOutput}}) {
      Chain chain;
      chain.name = chain_name;
      chain.hook = hook;
      chain.where = table.where;
      table.chains.push_back(std::move(chain));
    }
    rules_.tables.push_back(std::move(table));
    return OkStatus();
  }

  Status ChainLine(std::string_view rest) {
    ParseFailure failure;
    auto tokens = Tokenize(rest, 8, &failure);
    if (!tokens || tokens->size() < 2) {
      Fail("チェイン行は「:名前 ポリシー [パケット数:バイト数]」です",
           "a chain line is \":NAME POLICY [packets:bytes]\"");
      return OkStatus();
    }
    AddChain((*tokens)[0], (*tokens)[1]);
    return OkStatus();
  }

  void AddChain(const std::string& name, const std::string& policy) {
    Table& t = table();
    if (auto existing = t.FindChain(name)) {
      Chain& chain = t.chains[static_cast<std::size_t>(*existing)];
      chain.where = {file_, line_, {}, -1};
      if (chain.Base()) {
        SetPolicy(chain, policy);
      } else if (policy != "-") {
        Fail("ユーザ定義チェインにはポリシーを付けられません: " + name,
             "a user-defined chain has no policy: " + name);
      }
      return;
    }
    if (t.chains.size() >= limits_.max_chains) {
      Fail("チェインが多すぎます", "too many chains");
      return;
    }
    if (policy != "-") {
      Fail("組込みでないチェインにポリシー「" + policy + "」があります: " + name,
           "a chain that is not built in has policy \"" + policy + "\": " + name);
      return;
    }
    Chain chain;
    chain.name = name;
    chain.where = {file_, line_, {}, -1};
    t.chains.push_back(std::move(chain));
  }

  void SetPolicy(Chain& chain, const std::string& policy) {
    if (policy == "ACCEPT") {
      chain.policy = ActionKind::kAccept;
    } else if (policy == "DROP") {
      chain.policy = ActionKind::kDrop;
    } else {
      Fail("ポリシーは ACCEPT か DROP です（「" + policy + "」）",
           "the policy is ACCEPT or DROP (\"" + policy + "\")");
    }
  }

  Status Commit() {
    if (!in_table_) {
      Fail("COMMIT に対応するテーブルがありません", "COMMIT without a table");
      return OkStatus();
    }
    in_table_ = false;
    if (skipping_) {
      skipping_ = false;
      return OkStatus();
    }
    // Resolve jump targets now that every chain is declared.
    Table& t = table();
    for (auto& chain : t.chains) {
      for (auto& rule : chain.rules) {
        if (rule.action != ActionKind::kJump && rule.action != ActionKind::kGoto) continue;
        if (auto target = t.FindChain(rule.target)) {
          if (t.chains[static_cast<std::size_t>(*target)].Base()) {
            errors_.push_back({rule.where.ToWhere(),
                               "組込みチェイン " + rule.target + " へはジャンプできません",
                               "cannot jump to the built-in chain " + rule.target});
          }
          rule.target_chain = *target;
        } else if (rule.action == ActionKind::kJump && In(rule.target, kContinueTargets)) {
          rule.action = ActionKind::kContinue;
        } else if (rule.action == ActionKind::kJump &&
                   (In(rule.target, kQueueTargets) || IsUpperCase(rule.target))) {
          rule.action = ActionKind::kAccept;
          rule.unmodelled_action = "-j " + rule.target;
          rules_.warnings.push_back(
              {rule.where.ToWhere(),
               "ターゲット " + rule.target + " は解析しません（許可として扱い「可能性あり」）",
               "target " + rule.target + " is not modelled (treated as accept, \"possible\")"});
        } else {
          errors_.push_back({rule.where.ToWhere(),
                             "ジャンプ先のチェイン「" + rule.target + "」が宣言されていません",
                             "the chain \"" + rule.target + "\" is not declared"});
        }
      }
    }
    return OkStatus();
  }

  static bool IsUpperCase(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
  }

  // One -A line. Stops at the first problem in it.
  Status RuleLine(const std::vector<std::string>& t, std::string_view line) {
    if (rule_count_ >= limits_.max_rules) {
      return Error(ErrorCode::kLimitExceeded,
                   "規則が多すぎます（上限 " + std::to_string(limits_.max_rules) + "）",
                   "too many rules (limit " + std::to_string(limits_.max_rules) + ")",
                   {file_, line_, {}});
    }
    auto chain_index = table().FindChain(t[1]);
    if (!chain_index) {
      Fail("チェイン「" + t[1] + "」が宣言されていません（:" + t[1] + " - [0:0] の行が必要）",
           "the chain \"" + t[1] + "\" is not declared (needs a \":" + t[1] + " - [0:0]\" line)");
      return OkStatus();
    }
    Rule rule;
    rule.where = {file_, line_, {}, -1};
    rule.text = std::string(line);
    if (auto failure = Options(t, rule)) {
      Fail(failure->ja, failure->en);
      return OkStatus();
    }
    if (!rule.match.Exact()) rules_.warnings.push_back(UnmodelledWarning(rule));
    table().chains[static_cast<std::size_t>(*chain_index)].rules.push_back(std::move(rule));
    ++rule_count_;
    return OkStatus();
  }

  std::optional<ParseFailure> Options(const std::vector<std::string>& t, Rule& rule) {
    Box& box = rule.match.box;
    bool negate = false;
    std::string module;        // the current -m
    bool module_known = true;  // whether its options are modelled
    bool in_target = false;
    std::string unknown;       // the not-modelled construct being collected
    auto flush = [&] {
      if (!unknown.empty()) rule.match.unmodelled.push_back(std::move(unknown));
      unknown.clear();
    };
    for (std::size_t i = 2; i < t.size(); ++i) {
      const std::string& token = t[i];
      auto value = [&]() -> std::optional<std::string> {
        if (i + 1 >= t.size()) return std::nullopt;
        return t[++i];
      };
      auto missing = [&] {
        return ParseFailure{token + " の値がありません", "missing value after " + token};
      };
      if (token == "!") {
        negate = true;
        continue;
      }
      const bool negated = negate;
      negate = false;
      if (token == "-j" || token == "--jump" || token == "-g" || token == "--goto") {
        flush();
        auto target = value();
        if (!target) return missing();
        rule.target = *target;
        in_target = true;
        if (token == "-g" || token == "--goto") {
          rule.action = ActionKind::kGoto;
        } else if (*target == "ACCEPT") {
          rule.action = ActionKind::kAccept;
        } else if (*target == "DROP") {
          rule.action = ActionKind::kDrop;
        } else if (*target == "REJECT") {
          rule.action = ActionKind::kReject;
        } else if (*target == "RETURN") {
          rule.action = ActionKind::kReturn;
        } else {
          rule.action = ActionKind::kJump;  // a chain or an extension: Commit() decides
        }
        continue;
      }
      if (in_target && token.starts_with("--")) {
        // A target option (--reject-with, --log-prefix "…"): its value follows.
        if (i + 1 < t.size() && !t[i + 1].starts_with("-")) ++i;
        continue;
      }
      if (IsGenericOption(token)) {
        flush();
        in_target = false;
        module_known = true;  // -m sets it again
      }
      if (token == "-s" || token == "--source" || token == "--src" || token == "-d" ||
          token == "--destination" || token == "--dst") {
        auto text = value();
        if (!text) return missing();
        std::vector<Interval> intervals;
        const auto items = Split(*text, ',');
        if (items.size() > limits_.max_list_items) return TooMany(token);
        for (auto item : items) {
          auto network = ParseNetwork(item, HostBits::kMask);
          if (!network.Ok()) {
            return ParseFailure{network.Err().Headline().message_ja,
                                network.Err().Headline().message_en};
          }
          if (auto failure = CheckFamily(*network)) return failure;
          intervals.push_back(*network);
        }
        IntervalSet set = IntervalSet::FromIntervals(std::move(intervals));
        if (negated) set = set.Complement();
        const Dimension d = token.starts_with("-s") || token.starts_with("--s")
                                ? Dimension::kSourceAddress
                                : Dimension::kDestinationAddress;
        box[d] = box[d].Intersect(set);
      } else if (token == "-p" || token == "--protocol") {
        auto text = value();
        if (!text) return missing();
        if (*text == "all" || *text == "0") {
          if (negated) box[Dimension::kProtocol] = IntervalSet();
          continue;
        }
        const auto protocol = ParseProtocol(*text);
        if (!protocol) {
          rule.match.unmodelled.push_back((negated ? "! -p " : "-p ") + *text);
          continue;
        }
        IntervalSet set = IntervalSet::Point(U128::Of(*protocol));
        if (negated) set = set.Complement();
        box[Dimension::kProtocol] = box[Dimension::kProtocol].Intersect(set);
      } else if (token == "-i" || token == "--in-interface" || token == "-o" ||
                 token == "--out-interface") {
        auto text = value();
        if (!text) return missing();
        InterfaceMatch& match = token == "-i" || token == "--in-interface" ? rule.match.input
                                                                           : rule.match.output;
        if (!match.any) return ParseFailure{token + " が二度あります", token + " given twice"};
        match.any = false;
        match.negated = negated;
        match.patterns.push_back(ParseInterface(*text));
      } else if (token == "-m" || token == "--match") {
        auto text = value();
        if (!text) return missing();
        module = *text;
        static constexpr std::array<std::string_view, 12> kKnown = {
            "tcp", "udp", "sctp", "dccp", "udplite", "multiport", "iprange", "conntrack",
            "state", "comment", "icmp", "icmp6"};
        module_known = In(std::string_view(module), kKnown);
        if (!module_known) unknown = "-m " + module;
      } else if (token == "-c" || token == "--set-counters") {
        i += 2;
      } else if (token == "-4" || token == "-6") {
        continue;
      } else if (token == "-f" || token == "--fragment") {
        rule.match.unmodelled.push_back(negated ? "! -f" : "-f");
      } else if (!token.starts_with("-")) {
        return ParseFailure{"予期しない語「" + token + "」があります",
                            "unexpected word \"" + token + "\""};
      } else if (!module_known) {
        // An option of a module not modelled, and its values.
        unknown += (negated ? " ! " : " ") + token;
        while (i + 1 < t.size() && !t[i + 1].starts_with("-") && t[i + 1] != "!") {
          unknown += " " + t[++i];
        }
      } else if (auto failure = ModuleOption(token, negated, t, i, rule)) {
        return failure;
      }
    }
    flush();
    if (negate) return ParseFailure{"! の後に条件がありません", "nothing after !"};
    if (rule.target.empty()) rule.action = ActionKind::kContinue;  // counters only
    return std::nullopt;
  }

  // Options of the modelled modules, and the implicit protocol matches.
  std::optional<ParseFailure> ModuleOption(const std::string& token, bool negated,
                                           const std::vector<std::string>& t, std::size_t& i,
                                           Rule& rule) {
    Box& box = rule.match.box;
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= t.size()) return std::nullopt;
      return t[++i];
    };
    auto missing = [&] {
      return ParseFailure{token + " の値がありません", "missing value after " + token};
    };
    const bool single_port = token == "--sport" || token == "--source-port" ||
                             token == "--dport" || token == "--destination-port";
    const bool multi_port = token == "--sports" || token == "--source-ports" ||
                            token == "--dports" || token == "--destination-ports";
    if (single_port || multi_port) {
      auto text = value();
      if (!text) return missing();
      std::vector<Interval> ports;
      const auto items = multi_port ? Split(*text, ',') : std::vector<std::string_view>{*text};
      if (items.size() > limits_.max_list_items) return TooMany(token);
      for (auto item : items) {
        auto range = ParsePortRange(item, ':');
        if (!range) {
          return ParseFailure{"ポート「" + std::string(item) +
                                  "」を読めません（0〜65535、範囲は 下限:上限）",
                              "cannot read port \"" + std::string(item) +
                                  "\" (0-65535, ranges as low:high)"};
        }
        ports.push_back(*range);
      }
      IntervalSet set = IntervalSet::FromIntervals(std::move(ports));
      if (negated) set = set.Complement();
      const Dimension d =
          token.starts_with("--s") ? Dimension::kSourcePort : Dimension::kDestinationPort;
      box[d] = box[d].Intersect(set);
      box[Dimension::kProtocol] = box[Dimension::kProtocol].Intersect(PortProtocols());
      return std::nullopt;
    }
    if (token == "--src-range" || token == "--dst-range") {
      auto text = value();
      if (!text) return missing();
      auto range = ParseNetwork(*text, HostBits::kMask);
      if (!range.Ok() || text->find('-') == std::string::npos) {
        return ParseFailure{token + " は「始点-終点」のアドレス範囲です（「" + *text + "」）",
                            token + " takes an address range low-high (\"" + *text + "\")"};
      }
      if (auto failure = CheckFamily(*range)) return failure;
      IntervalSet set = IntervalSet::Of(*range);
      if (negated) set = set.Complement();
      const Dimension d = token == "--src-range" ? Dimension::kSourceAddress
                                                 : Dimension::kDestinationAddress;
      box[d] = box[d].Intersect(set);
      return std::nullopt;
    }
    if (token == "--ctstate" || token == "--state") {
      auto text = value();
      if (!text) return missing();
      std::vector<Interval> states;
      for (auto item : Split(*text, ',')) {
        const auto state = ParseConnectionState(item);
        if (!state) {
          if (item == "SNAT" || item == "DNAT") {
            rule.match.unmodelled.push_back(token + " " + *text);
            return std::nullopt;
          }
          return ParseFailure{"接続状態「" + std::string(item) + "」を読めません",
                              "unknown connection state \"" + std::string(item) + "\""};
        }
        const U128 value_of_state = U128::Of(static_cast<std::uint64_t>(*state));
        states.push_back({value_of_state, value_of_state});
      }
      IntervalSet set = IntervalSet::FromIntervals(std::move(states));
      if (negated) set = set.Complement();
      box[Dimension::kConnectionState] = box[Dimension::kConnectionState].Intersect(set);
      return std::nullopt;
    }
    if (token == "--comment") {
      auto text = value();
      if (!text) return missing();
      rule.comment = *text;
      return std::nullopt;
    }
    // Any other option of a modelled module (--tcp-flags, --syn, --ports,
    // --icmp-type, --ctstatus, …) is not modelled.
    std::string what = (negated ? "! " : "") + token;
    while (i + 1 < t.size() && !t[i + 1].starts_with("-") && t[i + 1] != "!") what += " " + t[++i];
    rule.match.unmodelled.push_back(std::move(what));
    return std::nullopt;
  }

  std::optional<ParseFailure> CheckFamily(const Interval& interval) {
    const IpFamily family = IsIpv4(interval.low) ? IpFamily::kIpv4 : IpFamily::kIpv6;
    if (!family_) family_ = family;
    if (*family_ != family) {
      return family == IpFamily::kIpv6
                 ? ParseFailure{"IPv4 の規則（iptables-save）に IPv6 アドレスがあります",
                                "an IPv6 address in IPv4 rules (iptables-save)"}
                 : ParseFailure{"IPv6 の規則（ip6tables-save）に IPv4 アドレスがあります",
                                "an IPv4 address in IPv6 rules (ip6tables-save)"};
    }
    return std::nullopt;
  }

  ParseFailure TooMany(const std::string& token) {
    return {token + " の要素が多すぎます（上限 " + std::to_string(limits_.max_list_items) + "）",
            "too many items in " + token + " (limit " + std::to_string(limits_.max_list_items) +
                ")"};
  }

  Table& table() { return rules_.tables.back(); }

  void Fail(const std::string& ja, const std::string& en) {
    errors_.push_back({{file_, line_, {}}, ja, en});
  }
  void Warn(const std::string& ja, const std::string& en) {
    rules_.warnings.push_back({{file_, line_, {}}, ja, en});
  }

  std::string file_;
  const IptablesLimits& limits_;
  std::optional<IpFamily> family_;
  RuleSet rules_;
  std::vector<Diagnostic> errors_;
  bool in_table_ = false;
  bool skipping_ = false;
  int line_ = 0;
  std::size_t rule_count_ = 0;
};

}  // namespace

Result<RuleSet> ParseIptablesSave(std::string_view text, const std::string& file,
                                  IptablesFamily family, const IptablesLimits& limits) {
  Parser parser(file, family, limits);
  return parser.Parse(text);
}

bool LooksLikeIptablesSave(std::string_view text) {
  std::size_t start = 0;
  for (int lines = 0; lines < 200 && start < text.size(); ++lines) {
    const auto end = text.find('\n', start);
    std::string_view line =
        text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    while (!line.empty() && (line[0] == ' ' || line[0] == '\t')) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;
    return line[0] == '*' || line[0] == ':' || line.starts_with("-A ") ||
           line.starts_with("-P ") || line.starts_with("-N ");
  }
  return false;
}

}  // namespace mamori::netcheck
