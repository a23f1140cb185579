// What the firewall readers share: port numbers and the well-known port
// names, sets of addresses and of services that know whether they are exact,
// named objects nested in groups (with a cycle check), and the step that
// turns one vendor policy into rules of the model (model.h).
//
// The vendor formats (FortiGate, PAN-OS, YAMAHA RTX) are not netfilter: a
// policy matches a product of interfaces and addresses and a *union* of
// services (tcp/443 and udp/53 in one policy), which is not one box. A
// policy becomes one rule per service box, each with the policy's place and
// text; the rules are consecutive and share the action, so first match over
// them is first match over the policy.
//
// Exactness travels with the values: an address object the model cannot
// express (an FQDN, a country, a wildcard mask) is kept as every address of
// its family, with the reason in `unmodelled`; a rule built from such a
// value carries the reasons in Match::unmodelled, and the analysis then
// over-approximates it (model.h). Negating an inexact set gives every
// address, still inexact: the complement of an over-approximation would be
// an under-approximation.
//
// Internal to src/netcheck: the readers' front doors are iptables.h,
// nft_json.h, fortigate.h, panos.h and rtx.h.
//
// Thread safety: values and pure functions; a Catalog caches what it
// resolved, so one Catalog is not shared between threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/result.h"
#include "netcheck/address.h"
#include "netcheck/model.h"
#include "netcheck/space.h"

namespace mamori::netcheck {

// A port 0–65535 in decimal ("443"). nullopt otherwise.
std::optional<std::uint16_t> ParsePort(std::string_view text);

// A port or a range "low<separator>high" (iptables writes 1024:65535, the
// vendors 1024-65535). With `open_ends`, an empty end is 0 or 65535
// (":1023", "1024-"). nullopt when malformed or low > high.
enum class OpenEnds : std::uint8_t { kRejected, kAllowed };
std::optional<Interval> ParsePortRange(std::string_view text, char separator,
                                       OpenEnds open_ends = OpenEnds::kAllowed);

// The port of a well-known service name, as nft and YAMAHA RTX print them
// (IANA names and the aliases www, domain, ftpdata, netbios_ns, …; see
// docs/netcheck.md). Case-insensitive. nullopt for any other name.
std::optional<std::uint16_t> WellKnownPort(std::string_view name);

// Whether `word` is one of `list`.
template <typename List>
bool IsOneOf(std::string_view word, const List& list) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

// The readers' limit errors (kLimitExceeded, at `where`):
// TooLarge(where, "ファイルが大きすぎます", "file too large", n) says
// "…（上限 n バイト）" / "… (limit n bytes)"; TooMany(where, "規則", "rules", n)
// says "規則が多すぎます（上限 n）" / "too many rules (limit n)".
Error TooLarge(const Where& where, std::string_view ja, std::string_view en, std::size_t limit);
Error TooMany(const Where& where, std::string_view what_ja, std::string_view what_en,
              std::size_t limit);

// The first `count` lines of `text`, without leading blanks or a trailing
// CR: what the LooksLike… functions read.
std::vector<std::string_view> LeadingLines(std::string_view text, std::size_t count);

// `text` in ASCII lower case.
std::string AsciiLower(std::string_view text);

// `text` split at `separator` (empty items kept: "a,,b" is three).
std::vector<std::string_view> Split(std::string_view text, char separator);

// Every IPv4 address, every IPv6 address.
IntervalSet Ipv4Addresses();
IntervalSet Ipv6Addresses();

// A set of addresses and whether it is exact.
struct AddressSet {
  IntervalSet addresses;
  std::vector<std::string> unmodelled;  // why it is an over-approximation

  bool Exact() const { return unmodelled.empty(); }
  static AddressSet Of(IntervalSet addresses) { return {std::move(addresses), {}}; }
  // `universe`, inexact because of `why` (an FQDN, a country, …).
  static AddressSet Unmodelled(IntervalSet universe, std::string why) {
    return {std::move(universe), {std::move(why)}};
  }
  void Add(const AddressSet& other);
  // Removes `other`'s addresses when `other` is exact; otherwise keeps this
  // set (larger, so still an over-approximation) and notes why.
  void Exclude(const AddressSet& other);
  // The addresses of `universe` not in this set; every address of `universe`
  // (inexact) when this set is not exact.
  AddressSet Complement(const IntervalSet& universe) const;
};

// One service as a box: protocols × source ports × destination ports.
struct ServiceBox {
  IntervalSet protocols;
  IntervalSet source_ports = IntervalSet::All();
  IntervalSet destination_ports = IntervalSet::All();
  bool operator==(const ServiceBox& other) const = default;
};

// A union of service boxes and whether it is exact.
struct ServiceSet {
  std::vector<ServiceBox> boxes;
  std::vector<std::string> unmodelled;

  bool Exact() const { return unmodelled.empty(); }
  // Every protocol and port.
  static ServiceSet Any();
  // `protocol` to the destination ports `ports` (any source port).
  static ServiceSet Ports(std::uint8_t protocol, IntervalSet ports);
  void Add(const ServiceSet& other);
};

// Named objects and groups of them (FortiGate addrgrp and service group,
// PAN-OS address-group and service-group). A catalog may have a parent
// (PAN-OS: a vsys's objects over the shared ones) consulted for names it
// does not hold. `Value` is AddressSet or ServiceSet.
template <typename Value>
class Catalog {
 public:
  // Called for a name no catalog holds (predefined objects, literal
  // addresses); nullopt when it is not one.
  using Fallback = std::function<std::optional<Value>(std::string_view)>;

  explicit Catalog(const Catalog* parent = nullptr) : parent_(parent) {}

  // False when the name is already taken in this catalog (the caller says so).
  bool AddObject(const std::string& name, Value value, const Where& where) {
    return objects_.emplace(name, Entry{std::move(value), {}, {}, where, false}).second;
  }
  bool AddGroup(const std::string& name, std::vector<std::string> members,
                std::vector<std::string> excluded, const Where& where) {
    return objects_.emplace(name, Entry{{}, std::move(members), std::move(excluded), where, true})
        .second;
  }
  std::size_t Size() const { return objects_.size(); }

  // The value of `name`: an object's, or the union of a group's members
  // (nested), less its excluded members. nullopt when neither this catalog,
  // its parent nor `fallback` knows the name. Errors (kInvalidArgument),
  // at the group's place: a member nobody knows, a group that contains
  // itself (the cycle is named), nesting deeper than `max_depth`.
  Result<std::optional<Value>> Resolve(std::string_view name, const Fallback& fallback,
                                       int max_depth) const {
    std::vector<std::string> stack;
    return Find(name, fallback, max_depth, stack);
  }

 private:
  struct Entry {
    Value value;
    std::vector<std::string> members;
    std::vector<std::string> excluded;
    Where where;
    bool group = false;
  };

  Result<std::optional<Value>> Find(std::string_view name, const Fallback& fallback, int max_depth,
                                    std::vector<std::string>& stack) const {
    const auto it = objects_.find(name);
    if (it == objects_.end()) {
      if (parent_ != nullptr) return parent_->Find(name, fallback, max_depth, stack);
      if (fallback) return fallback(name);
      return std::optional<Value>();
    }
    const Entry& entry = it->second;
    if (!entry.group) return std::optional<Value>(entry.value);
    if (const auto cached = cache_.find(name); cached != cache_.end()) {
      return std::optional<Value>(cached->second);
    }
    for (std::size_t i = 0; i < stack.size(); ++i) {
      if (stack[i] != name) continue;
      std::string cycle;
      for (std::size_t j = i; j < stack.size(); ++j) cycle += stack[j] + " → ";
      cycle += std::string(name);
      return Error(ErrorCode::kInvalidArgument, "グループが自分自身を含んでいます（" + cycle + "）",
                   "the group contains itself (" + cycle + ")", entry.where);
    }
    if (static_cast<int>(stack.size()) >= max_depth) {
      return Error(ErrorCode::kInvalidArgument,
                   "グループの入れ子が深すぎます（上限 " + std::to_string(max_depth) + "）",
                   "groups nested too deeply (limit " + std::to_string(max_depth) + ")",
                   entry.where);
    }
    stack.emplace_back(name);
    Value value;
    for (const auto* list : {&entry.members, &entry.excluded}) {
      for (const auto& member : *list) {
        MAMORI_TRY(std::optional<Value> found, Find(member, fallback, max_depth, stack));
        if (!found) {
          return Error(
              ErrorCode::kInvalidArgument,
              "グループ「" + std::string(name) + "」のメンバー「" + member +
                  "」が定義されていません",
              "member \"" + member + "\" of the group \"" + std::string(name) + "\" is not defined",
              entry.where);
        }
        if (list == &entry.members) {
          value.Add(*found);
        } else if constexpr (requires(Value v) { v.Exclude(v); }) {
          value.Exclude(*found);
        }
      }
    }
    stack.pop_back();
    cache_.emplace(std::string(name), value);
    return std::optional<Value>(std::move(value));
  }

  const Catalog* parent_;
  std::map<std::string, Entry, std::less<>> objects_;
  mutable std::map<std::string, Value, std::less<>> cache_;
};

// Appends to `out` one copy of `rule` per box of `services`, each narrowed
// to the box (protocols, source and destination ports); the service's
// reasons for being inexact join the rule's. A service with no box (it
// matches nothing) still gives one rule, which matches nothing, so that the
// analysis reports it as empty.
void AppendServiceRules(const Rule& rule, const ServiceSet& services, std::vector<Rule>& out);

// The reader's warning for a rule not modelled exactly: what was not
// modelled, and that the rule is taken to match all it might.
Diagnostic UnmodelledWarning(const Rule& rule);

// "a, b, c"
std::string Join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace mamori::netcheck
