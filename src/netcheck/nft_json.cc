#include "netcheck/nft_json.h"

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "netcheck/vendor.h"

namespace mamori::netcheck {
namespace {

using Json = nlohmann::json;

int NestingDepth(std::string_view text) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// What a match's left side is.
enum class Field : std::uint8_t {
  kSourceAddress,
  kDestinationAddress,
  kProtocol,
  kSourcePort,
  kDestinationPort,
  kInputInterface,
  kOutputInterface,
  kState,
  kNfproto,
};

struct Left {
  Field field = Field::kProtocol;
  std::optional<IpFamily> family;      // ip / ip6 payload, or implied
  std::optional<IntervalSet> implied;  // protocols a port field implies
};

// Why a value could not be read: unmodelled (a named set without elements,
// a service name not known) or an error (malformed).
struct ValueProblem {
  bool error = false;
  std::string ja;
  std::string en;
};

class Parser {
 public:
  Parser(std::string file, const NftJsonLimits& limits) : file_(std::move(file)), limits_(limits) {}

  Result<RuleSet> Parse(std::string_view text) {
    if (text.size() > limits_.max_bytes) {
      return TooLarge({file_, 0, {}}, "ファイルが大きすぎます", "file too large",
                      limits_.max_bytes);
    }
    if (NestingDepth(text) > limits_.max_depth) {
      return Error(ErrorCode::kLimitExceeded,
                   "JSON の入れ子が深すぎます（上限 " + std::to_string(limits_.max_depth) + "）",
                   "JSON nested too deeply (limit " + std::to_string(limits_.max_depth) + ")",
                   {file_, 0, {}});
    }
    const Json root = Json::parse(text, nullptr, false);
    if (root.is_discarded()) {
      return Error(ErrorCode::kInvalidArgument,
                   "JSON として読めません（nft -j list ruleset の出力ですか）",
                   "not valid JSON (is this the output of nft -j list ruleset?)",
                   {file_, 0, {}});
    }
    const auto entries = root.is_object() ? root.find("nftables") : root.end();
    if (!root.is_object() || entries == root.end() || !entries->is_array()) {
      return Error(ErrorCode::kInvalidArgument,
                   "最上位に \"nftables\" の配列がありません",
                   "no \"nftables\" array at the top level", {file_, 0, {}});
    }
    if (entries->size() > limits_.max_entries) {
      return TooMany({file_, 0, {}}, "要素", "entries", limits_.max_entries);
    }
    rules_.sources.push_back(file_);
    // Sets first: a rule may name a set listed after it.
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const Json& entry = (*entries)[i];
      if (entry.is_object() && entry.size() == 1 && entry.begin().key() == "set") {
        Set(entry.begin().value());
      }
    }
    for (std::size_t i = 0; i < entries->size(); ++i) {
      index_ = i;
      const Json& entry = (*entries)[i];
      if (!entry.is_object() || entry.size() != 1) {
        Fail(EntryWhere(), "要素は一つのキーを持つオブジェクトです",
             "an entry is an object with one key");
        continue;
      }
      const std::string& kind = entry.begin().key();
      const Json& body = entry.begin().value();
      if (kind == "table") {
        TableEntry(body);
      } else if (kind == "chain") {
        ChainEntry(body);
      } else if (kind == "rule") {
        MAMORI_TRY_STATUS(RuleEntry(body));
      }
      // metainfo, set, map, element, counter, quota, flowtable …: nothing to model.
    }
    ResolveJumps();
    if (!errors_.empty()) return Error(ErrorCode::kInvalidArgument, std::move(errors_));
    return std::move(rules_);
  }

 private:
  Where EntryWhere() const { return {file_, 0, "nftables[" + std::to_string(index_) + "]"}; }

  static std::optional<std::string> String(const Json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  }

  std::optional<Family> ParseFamily(const std::string& family) {
    if (family == "ip") return Family::kIp;
    if (family == "ip6") return Family::kIp6;
    if (family == "inet") return Family::kInet;
    return std::nullopt;
  }

  std::string TableKey(const std::string& family, const std::string& name) {
    return family + " " + name;
  }

  void TableEntry(const Json& body) {
    const auto family = body.is_object() ? String(body, "family") : std::nullopt;
    const auto name = body.is_object() ? String(body, "name") : std::nullopt;
    if (!family || !name) {
      Fail(EntryWhere(), "table に family と name がありません", "a table needs family and name");
      return;
    }
    const auto parsed = ParseFamily(*family);
    if (!parsed) {
      skipped_tables_.push_back(TableKey(*family, *name));
      Warn(EntryWhere(),
           "ファミリ " + *family + " のテーブル「" + *name + "」は解析しません（ip/ip6/inet のみ）",
           "table \"" + *name + "\" of family " + *family + " is not analyzed (ip/ip6/inet only)");
      return;
    }
    if (tables_.count(TableKey(*family, *name)) != 0) return;
    Table table;
    table.family = *parsed;
    table.name = *name;
    table.where = {file_, 0, *family + " " + *name, -1};
    tables_[TableKey(*family, *name)] = rules_.tables.size();
    rules_.tables.push_back(std::move(table));
  }

  Table* FindTable(const Json& body) {
    const auto family = String(body, "family");
    const auto name = String(body, "table");
    if (!family || !name) return nullptr;
    const auto it = tables_.find(TableKey(*family, *name));
    if (it == tables_.end()) return nullptr;
    return &rules_.tables[it->second];
  }

  bool Skipped(const Json& body) {
    const auto family = String(body, "family");
    const auto name = String(body, "table");
    if (!family || !name) return false;
    const std::string key = TableKey(*family, *name);
    if (std::find(skipped_tables_.begin(), skipped_tables_.end(), key) != skipped_tables_.end()) {
      return true;
    }
    const std::string chain_key = key + " " + String(body, "chain").value_or("");
    return std::find(skipped_chains_.begin(), skipped_chains_.end(), chain_key) !=
           skipped_chains_.end();
  }

  void ChainEntry(const Json& body) {
    if (!body.is_object() || Skipped(body)) return;
    const auto name = String(body, "name");
    Table* table = FindTable(body);
    if (!name || table == nullptr) {
      Fail(EntryWhere(), "chain の family, table, name が揃っていないか、テーブルがありません",
           "a chain needs family, table and name of a listed table");
      return;
    }
    if (table->FindChain(*name)) return;
    Chain chain;
    chain.name = *name;
    chain.where = {file_, 0, table->where.chain + " " + *name, -1};
    if (const auto hook = String(body, "hook")) {
      const auto type = String(body, "type").value_or("filter");
      static constexpr std::array<std::pair<std::string_view, Hook>, 5> kHooks = {{
          {"prerouting", Hook::kPrerouting},
          {"input", Hook::kInput},
          {"forward", Hook::kForward},
          {"output", Hook::kOutput},
          {"postrouting", Hook::kPostrouting},
      }};
      const auto found = std::find_if(kHooks.begin(), kHooks.end(),
                                      [&](const auto& entry) { return entry.first == *hook; });
      if (type == "nat" || found == kHooks.end()) {
        skipped_chains_.push_back(TableKey(std::string(Id(table->family)), table->name) + " " + *name);
        Warn(chain.where.ToWhere(),
             "チェイン（type " + type + ", hook " + *hook +
                 "）は解析しません（NAT による変換は反映されません）",
             "chain (type " + type + ", hook " + *hook +
                 ") is not analyzed (NAT translation is not applied)");
        return;
      }
      chain.hook = found->second;
      if (const auto prio = body.find("prio"); prio != body.end() && prio->is_number_integer()) {
        chain.priority = prio->get<int>();
      }
      const auto policy = String(body, "policy").value_or("accept");
      if (policy == "drop") {
        chain.policy = ActionKind::kDrop;
      } else if (policy != "accept") {
        Fail(chain.where.ToWhere(), "ポリシーは accept か drop です（「" + policy + "」）",
             "the policy is accept or drop (\"" + policy + "\")");
      }
    }
    table->chains.push_back(std::move(chain));
  }

  void Set(const Json& body) {
    if (!body.is_object()) return;
    const auto family = String(body, "family");
    const auto table = String(body, "table");
    const auto name = String(body, "name");
    const auto elements = body.find("elem");
    if (!family || !table || !name || elements == body.end() || !elements->is_array()) return;
    named_sets_[TableKey(*family, *table) + " @" + *name] = *elements;
  }

  Status RuleEntry(const Json& body) {
    if (!body.is_object() || Skipped(body)) return OkStatus();
    const auto chain_name = String(body, "chain");
    Table* table = FindTable(body);
    std::optional<int> chain_index;
    if (table != nullptr && chain_name) chain_index = table->FindChain(*chain_name);
    if (!chain_index) {
      Fail(EntryWhere(), "rule のチェイン（family, table, chain）が見つかりません",
           "the rule's chain (family, table, chain) is not listed");
      return OkStatus();
    }
    if (++rule_count_ > limits_.max_entries) {
      return TooMany(EntryWhere(), "規則", "rules", limits_.max_entries);
    }
    Chain& chain = table->chains[static_cast<std::size_t>(*chain_index)];
    Rule rule;
    rule.where = {file_, 0, table->where.chain + " " + chain.name, -1};
    if (const auto handle = body.find("handle");
        handle != body.end() && handle->is_number_integer()) {
      rule.where.handle = handle->get<std::int64_t>();
    }
    rule.comment = String(body, "comment").value_or("");
    const auto expressions = body.find("expr");
    if (expressions == body.end() || !expressions->is_array()) {
      Fail(rule.where.ToWhere(), "rule に expr の配列がありません", "the rule has no expr array");
      return OkStatus();
    }
    rule.text = Dump(*expressions);
    table_family_ = table->family;
    current_table_name_ = table->name;
    bool decided = false;
    for (const Json& expression : *expressions) {
      if (decided) break;  // statements after a verdict do not run
      if (!expression.is_object() || expression.size() != 1) {
        Fail(rule.where.ToWhere(), "式は一つのキーを持つオブジェクトです",
             "an expression is an object with one key");
        return OkStatus();
      }
      const std::string& kind = expression.begin().key();
      const Json& value = expression.begin().value();
      if (kind == "match") {
        if (!MatchExpression(value, rule)) return OkStatus();
      } else if (kind == "counter" || kind == "log" || kind == "mangle" || kind == "meta" ||
                 kind == "ct" || kind == "notrack" || kind == "set" || kind == "synproxy") {
        // Counting, logging and setting marks do not decide.
      } else if (kind == "accept" || kind == "drop" || kind == "reject" || kind == "return" ||
                 kind == "continue") {
        rule.action = kind == "accept"   ? ActionKind::kAccept
                      : kind == "drop"   ? ActionKind::kDrop
                      : kind == "reject" ? ActionKind::kReject
                      : kind == "return" ? ActionKind::kReturn
                                         : ActionKind::kContinue;
        if (kind == "reject") RejectDependency(value, rule);
        decided = true;
      } else if (kind == "jump" || kind == "goto") {
        const auto target = value.is_object() ? String(value, "target") : std::nullopt;
        if (!target) {
          Fail(rule.where.ToWhere(), kind + " に target がありません", kind + " has no target");
          return OkStatus();
        }
        rule.action = kind == "jump" ? ActionKind::kJump : ActionKind::kGoto;
        rule.target = *target;
        decided = true;
      } else if (kind == "queue") {
        rule.action = ActionKind::kAccept;
        rule.unmodelled_action = "queue";
        decided = true;
      } else if (kind == "snat" || kind == "dnat" || kind == "masquerade" || kind == "redirect") {
        Warn(rule.where.ToWhere(), "NAT（" + kind + "）は反映しません",
             "NAT (" + kind + ") is not applied");
      } else if (kind == "limit" || kind == "quota" || kind == "meter" || kind == "connlimit") {
        // Conditions in the form of statements: the rule may not match.
        rule.match.unmodelled.push_back(kind + " " + Dump(value));
      } else {
        // vmap, xt, and anything else: may carry a verdict, accept included.
        // Over-approximated both ways: it might not match (the packets go
        // on) and it might accept ("possible").
        rule.match.unmodelled.push_back(kind + " " + Dump(value));
        rule.action = ActionKind::kAccept;
        rule.unmodelled_action = kind;
        decided = true;
      }
    }
    if (!rule.Exact()) {
      std::vector<std::string> what = rule.match.unmodelled;
      if (!rule.unmodelled_action.empty()) what.push_back(rule.unmodelled_action);
      const std::string joined = Join(what);
      Warn(rule.where.ToWhere(),
           "解析しない式があります（" + joined + "）。一致し得るすべてに一致するものとして扱います",
           "expressions not modelled (" + joined + "); taken to match everything they might");
    }
    chain.rules.push_back(std::move(rule));
    return OkStatus();
  }

  // Returns false (after Fail) when the rule cannot be read.
  bool MatchExpression(const Json& match, Rule& rule) {
    const auto op = match.is_object() ? String(match, "op") : std::nullopt;
    const auto left = match.is_object() ? match.find("left") : match.end();
    const auto right = match.is_object() ? match.find("right") : match.end();
    if (!op || left == match.end() || right == match.end()) {
      Fail(rule.where.ToWhere(), "match に op, left, right がありません",
           "a match needs op, left and right");
      return false;
    }
    const auto parsed_left = ParseLeft(*left);
    if (!parsed_left) {
      rule.match.unmodelled.push_back(Dump(match));
      return true;
    }
    const Left& l = *parsed_left;
    Box& box = rule.match.box;
    if (l.family) {
      const IntervalSet v4 = IntervalSet::Of(kIpv4Range);
      box[Dimension::kSourceAddress] = box[Dimension::kSourceAddress].Intersect(
          *l.family == IpFamily::kIpv4 ? v4 : v4.Complement());
    }
    if (l.implied) box[Dimension::kProtocol] = box[Dimension::kProtocol].Intersect(*l.implied);
    if (l.field == Field::kInputInterface || l.field == Field::kOutputInterface) {
      return InterfaceExpression(*op, *right, l.field, rule);
    }
    ValueProblem problem;
    auto set = Values(l.field, *right, &problem);
    if (!set) {
      if (problem.error) {
        Fail(rule.where.ToWhere(), problem.ja, problem.en);
        return false;
      }
      rule.match.unmodelled.push_back(Dump(match));
      return true;
    }
    IntervalSet values = *set;
    if (*op == "!=") {
      values = values.Complement();
    } else if (*op == "<" || *op == ">" || *op == "<=" || *op == ">=") {
      if (values.Intervals().size() != 1 || values.Intervals()[0].low != values.Intervals()[0].high) {
        rule.match.unmodelled.push_back(Dump(match));
        return true;
      }
      const U128 v = values.Min();
      if (*op == "<") values = v == U128{} ? IntervalSet() : IntervalSet::Of({U128{}, v.Previous()});
      if (*op == "<=") values = IntervalSet::Of({U128{}, v});
      if (*op == ">") values = v == U128::Max() ? IntervalSet() : IntervalSet::Of({v.Next(), U128::Max()});
      if (*op == ">=") values = IntervalSet::Of({v, U128::Max()});
    } else if (*op != "==" && *op != "in") {
      rule.match.unmodelled.push_back(Dump(match));
      return true;
    }
    Dimension d = Dimension::kProtocol;
    switch (l.field) {
      case Field::kSourceAddress:
        d = Dimension::kSourceAddress;
        break;
      case Field::kDestinationAddress:
        d = Dimension::kDestinationAddress;
        break;
      case Field::kProtocol:
        d = Dimension::kProtocol;
        break;
      case Field::kSourcePort:
        d = Dimension::kSourcePort;
        break;
      case Field::kDestinationPort:
        d = Dimension::kDestinationPort;
        break;
      case Field::kState:
        d = Dimension::kConnectionState;
        break;
      case Field::kNfproto:
        d = Dimension::kSourceAddress;  // the family, carried by the addresses
        break;
      case Field::kInputInterface:
      case Field::kOutputInterface:
        break;
    }
    box[d] = box[d].Intersect(values);
    return true;
  }

  // `reject with icmp …` only applies to IPv4 packets, `with icmpv6 …` to
  // IPv6 and `with tcp reset` to TCP: nft adds the match (meta nfproto ipv4,
  // meta l4proto tcp) to the rule and, listing it, leaves it out as implied
  // by the reject's type. Found by the kernel differential test: in an inet
  // table, `meta nfproto ipv4 reject` lists as a bare `reject` of type icmp,
  // and IPv6 packets pass it.
  void RejectDependency(const Json& value, Rule& rule) {
    if (!value.is_object()) return;  // null: icmpx, every packet
    const auto type = String(value, "type");
    if (!type) return;
    Box& box = rule.match.box;
    if (*type == "icmp") {
      box[Dimension::kSourceAddress] =
          box[Dimension::kSourceAddress].Intersect(IntervalSet::Of(kIpv4Range));
    } else if (*type == "icmpv6") {
      box[Dimension::kSourceAddress] =
          box[Dimension::kSourceAddress].Intersect(IntervalSet::Of(kIpv4Range).Complement());
    } else if (*type == "tcp reset") {
      box[Dimension::kProtocol] =
          box[Dimension::kProtocol].Intersect(IntervalSet::Range(6, 6));
    }
  }

  std::optional<Left> ParseLeft(const Json& left) {
    if (!left.is_object() || left.size() != 1) return std::nullopt;
    const std::string& kind = left.begin().key();
    const Json& body = left.begin().value();
    if (!body.is_object()) return std::nullopt;
    if (kind == "payload") {
      const auto protocol = String(body, "protocol");
      const auto field = String(body, "field");
      if (!protocol || !field) return std::nullopt;
      if (*protocol == "ip" || *protocol == "ip6") {
        Left l;
        l.family = *protocol == "ip" ? IpFamily::kIpv4 : IpFamily::kIpv6;
        if (*field == "saddr") {
          l.field = Field::kSourceAddress;
        } else if (*field == "daddr") {
          l.field = Field::kDestinationAddress;
        } else if ((*protocol == "ip" && *field == "protocol") ||
                   (*protocol == "ip6" && *field == "nexthdr")) {
          l.field = Field::kProtocol;  // nexthdr: exact without extension headers
        } else {
          return std::nullopt;
        }
        return l;
      }
      static constexpr std::array<std::pair<std::string_view, std::uint8_t>, 5> kPortProtocols = {
          {{"tcp", 6}, {"udp", 17}, {"dccp", 33}, {"sctp", 132}, {"udplite", 136}}};
      if (*field != "sport" && *field != "dport") return std::nullopt;
      Left l;
      l.field = *field == "sport" ? Field::kSourcePort : Field::kDestinationPort;
      if (*protocol == "th") {
        l.implied = PortProtocols();
        return l;
      }
      for (const auto& [name, number] : kPortProtocols) {
        if (name == *protocol) {
          l.implied = IntervalSet::Point(U128::Of(number));
          return l;
        }
      }
      return std::nullopt;
    }
    if (kind == "meta") {
      const auto key = String(body, "key");
      if (!key) return std::nullopt;
      Left l;
      if (*key == "l4proto") {
        l.field = Field::kProtocol;
      } else if (*key == "iifname" || *key == "iif") {
        l.field = Field::kInputInterface;
      } else if (*key == "oifname" || *key == "oif") {
        l.field = Field::kOutputInterface;
      } else if (*key == "nfproto" || *key == "protocol") {
        l.field = Field::kNfproto;
      } else {
        return std::nullopt;
      }
      return l;
    }
    if (kind == "ct") {
      const auto key = String(body, "key");
      if (!key || *key != "state" || body.contains("dir")) return std::nullopt;
      Left l;
      l.field = Field::kState;
      return l;
    }
    return std::nullopt;
  }

  // The values on a match's right side, as a set over the field's dimension.
  std::optional<IntervalSet> Values(Field field, const Json& right, ValueProblem* problem) {
    std::vector<Interval> out;
    std::size_t budget = limits_.max_set_elements;
    if (!Collect(field, right, out, budget, problem, 0)) return std::nullopt;
    return IntervalSet::FromIntervals(std::move(out));
  }

  bool Collect(Field field, const Json& value, std::vector<Interval>& out, std::size_t& budget,
               ValueProblem* problem, int depth) {
    if (depth > 4) {
      *problem = {true, "値の入れ子が深すぎます", "value nested too deeply"};
      return false;
    }
    if (budget == 0) {
      *problem = {true, "集合の要素が多すぎます（上限 " + std::to_string(limits_.max_set_elements) + "）",
                  "too many set elements (limit " + std::to_string(limits_.max_set_elements) + ")"};
      return false;
    }
    --budget;
    if (value.is_array()) {
      for (const Json& item : value) {
        if (!Collect(field, item, out, budget, problem, depth + 1)) return false;
      }
      return true;
    }
    if (value.is_object() && value.size() == 1) {
      const std::string& kind = value.begin().key();
      const Json& body = value.begin().value();
      if (kind == "set") return Collect(field, body, out, budget, problem, depth + 1);
      if (kind == "elem" && body.is_object() && body.contains("val")) {
        return Collect(field, body["val"], out, budget, problem, depth + 1);
      }
      if (kind == "range" && body.is_array() && body.size() == 2) {
        std::vector<Interval> ends;
        if (!Collect(field, body[0], ends, budget, problem, depth + 1) ||
            !Collect(field, body[1], ends, budget, problem, depth + 1)) {
          return false;
        }
        if (ends.size() != 2 || ends[1].high < ends[0].low) {
          *problem = {true, "範囲 " + Dump(value) + " を読めません",
                      "cannot read the range " + Dump(value)};
          return false;
        }
        out.push_back({ends[0].low, ends[1].high});
        return true;
      }
      if (kind == "prefix" && body.is_object() &&
          (field == Field::kSourceAddress || field == Field::kDestinationAddress)) {
        const auto address = String(body, "addr");
        const auto length = body.find("len");
        if (!address || length == body.end() || !length->is_number_integer()) {
          *problem = {true, "prefix に addr と len がありません", "a prefix needs addr and len"};
          return false;
        }
        return Address(*address + "/" + std::to_string(length->get<std::int64_t>()), out, problem);
      }
      *problem = {false, "", ""};  // another expression: not modelled
      return false;
    }
    switch (field) {
      case Field::kSourceAddress:
      case Field::kDestinationAddress:
        if (value.is_string()) {
          const std::string text = value.get<std::string>();
          if (text.starts_with("@")) return NamedSet(field, text, out, budget, problem, depth);
          return Address(text, out, problem);
        }
        break;
      case Field::kProtocol:
        if (value.is_number_unsigned() && value.get<std::uint64_t>() <= 255) {
          const U128 number = U128::Of(value.get<std::uint64_t>());
          out.push_back({number, number});
          return true;
        }
        if (value.is_string()) {
          const std::string text = value.get<std::string>();
          if (text.starts_with("@")) return NamedSet(field, text, out, budget, problem, depth);
          if (const auto protocol = ParseProtocol(text)) {
            out.push_back({U128::Of(*protocol), U128::Of(*protocol)});
            return true;
          }
          *problem = {false, "", ""};
          return false;
        }
        break;
      case Field::kSourcePort:
      case Field::kDestinationPort:
        if (value.is_number_unsigned() && value.get<std::uint64_t>() <= 65535) {
          const U128 number = U128::Of(value.get<std::uint64_t>());
          out.push_back({number, number});
          return true;
        }
        if (value.is_string()) {
          const std::string text = value.get<std::string>();
          if (text.starts_with("@")) return NamedSet(field, text, out, budget, problem, depth);
          if (const auto port = WellKnownPort(text)) {
            out.push_back({U128::Of(*port), U128::Of(*port)});
            return true;
          }
          *problem = {false, "", ""};
          return false;
        }
        break;
      case Field::kState:
        if (value.is_string()) {
          const auto state = ParseConnectionState(value.get<std::string>());
          if (!state) {
            *problem = {true, "接続状態「" + value.get<std::string>() + "」を読めません",
                        "unknown connection state \"" + value.get<std::string>() + "\""};
            return false;
          }
          const U128 number = U128::Of(static_cast<std::uint64_t>(*state));
          out.push_back({number, number});
          return true;
        }
        break;
      case Field::kNfproto:
        if (value.is_string()) {
          const std::string text = value.get<std::string>();
          if (text == "ipv4" || text == "ip") {
            out.push_back(kIpv4Range);
            return true;
          }
          if (text == "ipv6" || text == "ip6") {
            const IntervalSet v6 = IntervalSet::Of(kIpv4Range).Complement();
            for (const auto& interval : v6.Intervals()) {
              out.push_back(interval);
            }
            return true;
          }
          *problem = {false, "", ""};
          return false;
        }
        break;
      case Field::kInputInterface:
      case Field::kOutputInterface:
        break;
    }
    *problem = {true, "値 " + Dump(value) + " の型が合いません",
                "the value " + Dump(value) + " has the wrong type"};
    return false;
  }

  bool NamedSet(Field field, const std::string& name, std::vector<Interval>& out,
                std::size_t& budget, ValueProblem* problem, int depth) {
    const auto it = named_sets_.find(TableKey(std::string(Id(table_family_)), current_table_name_) + " " +
                                     name);
    if (it == named_sets_.end()) {
      *problem = {false, "", ""};  // elements not listed: not modelled
      return false;
    }
    return Collect(field, it->second, out, budget, problem, depth + 1);
  }

  bool Address(const std::string& text, std::vector<Interval>& out, ValueProblem* problem) {
    auto network = ParseNetwork(text, HostBits::kMask);
    if (!network.Ok()) {
      *problem = {true, network.Err().Headline().message_ja, network.Err().Headline().message_en};
      return false;
    }
    out.push_back(*network);
    return true;
  }

  bool InterfaceExpression(const std::string& op, const Json& right, Field field, Rule& rule) {
    InterfaceMatch& match =
        field == Field::kInputInterface ? rule.match.input : rule.match.output;
    std::vector<InterfacePattern> patterns;
    std::vector<const Json*> items;
    const Json* values = &right;
    if (right.is_object() && right.contains("set")) values = &right["set"];
    if (values->is_array()) {
      for (const Json& item : *values) items.push_back(&item);
    } else {
      items.push_back(values);
    }
    for (const Json* item : items) {
      if (!item->is_string()) {
        rule.match.unmodelled.push_back("interface " + Dump(right));
        return true;
      }
      std::string name = item->get<std::string>();
      if (name.starts_with("@")) {
        rule.match.unmodelled.push_back("interface " + name);
        return true;
      }
      const bool prefix = !name.empty() && name.back() == '*';
      if (prefix) name.pop_back();
      patterns.push_back({std::move(name), prefix});
    }
    if (op != "==" && op != "!=" && op != "in") {
      rule.match.unmodelled.push_back("interface " + op + " " + Dump(right));
      return true;
    }
    if (!match.any) {
      // A second condition on the same interface: not combined; keep the first.
      rule.match.unmodelled.push_back("interface " + op + " " + Dump(right));
      return true;
    }
    match.any = false;
    match.negated = op == "!=";
    match.patterns = std::move(patterns);
    return true;
  }

  void ResolveJumps() {
    for (auto& table : rules_.tables) {
      for (auto& chain : table.chains) {
        for (auto& rule : chain.rules) {
          if (rule.action != ActionKind::kJump && rule.action != ActionKind::kGoto) continue;
          const auto target = table.FindChain(rule.target);
          if (!target) {
            Fail(rule.where.ToWhere(), "ジャンプ先のチェイン「" + rule.target + "」がありません",
                 "the jump target chain \"" + rule.target + "\" does not exist");
          } else if (table.chains[static_cast<std::size_t>(*target)].Base()) {
            Fail(rule.where.ToWhere(), "基本チェイン " + rule.target + " へはジャンプできません",
                 "cannot jump to the base chain " + rule.target);
          } else {
            rule.target_chain = *target;
          }
        }
      }
    }
  }

  void Fail(Where where, const std::string& ja, const std::string& en) {
    errors_.push_back({std::move(where), ja, en});
  }
  void Warn(Where where, const std::string& ja, const std::string& en) {
    rules_.warnings.push_back({std::move(where), ja, en});
  }

  std::string file_;
  const NftJsonLimits& limits_;
  RuleSet rules_;
  std::vector<Diagnostic> errors_;
  std::map<std::string, std::size_t> tables_;  // "family name" → index
  std::map<std::string, Json> named_sets_;     // "family table @name" → elem
  std::vector<std::string> skipped_tables_;
  std::vector<std::string> skipped_chains_;
  std::size_t index_ = 0;
  std::size_t rule_count_ = 0;
  Family table_family_ = Family::kInet;
  std::string current_table_name_;
};

}  // namespace

Result<RuleSet> ParseNftJson(std::string_view text, const std::string& file,
                             const NftJsonLimits& limits) {
  Parser parser(file, limits);
  return parser.Parse(text);
}

bool LooksLikeNftJson(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{';
  }
  return false;
}

}  // namespace mamori::netcheck
