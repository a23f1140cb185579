// The packet header space and exact sets of packets over it.
//
// A packet is a point with eight coordinates (Dimension): source and
// destination address (128 bits, address.h), protocol (0–255), source and
// destination port (0–65535), input and output interface (an index into an
// InterfaceUniverse, below) and conntrack state (ConnectionState). Every
// coordinate is a U128 so that one interval code serves all of them.
//
// A set of packets (PacketSet) is a union of pairwise disjoint boxes; a box
// (Box) is a product of one IntervalSet per dimension. Firewall matches are
// exactly such products — address prefixes and ranges, port ranges and lists,
// protocol numbers, interface names, state flags, each with a negation — so a
// rule's match is one box and the sets the analysis computes (first match:
// "what reaches rule n" = what reached rule n-1 minus its match) stay exact:
// intersection and subtraction of boxes are closed, and nothing is sampled.
//
// Why boxes and not a BDD (libbdd) or Z3: (1) a rule maps to one box without
// encoding, while a BDD needs 2×128 address bits plus port ranges split into
// prefixes and a variable order that decides its size; (2) an example packet
// and the rule a piece of the set came from are read off a box directly,
// which is what the report shows; (3) rule sets of a municipality are
// hundreds of rules, where subtraction of boxes stays small. Its weak point is
// fragmentation (A \ B can split a box into up to 2×8 pieces); AnalysisStats
// (analysis.h) counts boxes and operations so that the rule-count bench of
// issue 12 can measure growth, and AnalysisLimits bounds it.
//
// Interfaces: a name matched exactly ("eth0"), or by prefix ("eth+" in
// iptables, "eth*" in nftables). The names that matter are finite: an
// InterfaceUniverse is built from every pattern of the rule sets and zones,
// and splits all possible names into classes that no pattern distinguishes
// (each concrete name; for each prefix, the other names that start with it
// and with no longer prefix; the "no interface" class 0). A class index is
// the coordinate. The analysis is exact over names because no pattern can
// tell two names of one class apart.
//
// Thread safety: values; const operations may run concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netcheck/address.h"

namespace mamori::netcheck {

// A sorted list of disjoint, non-adjacent intervals (normalized on every
// operation), so that equal sets compare equal.
class IntervalSet {
 public:
  IntervalSet() = default;  // empty
  static IntervalSet All() { return IntervalSet({Interval{U128{}, U128::Max()}}); }
  static IntervalSet Of(Interval interval) { return IntervalSet({interval}); }
  static IntervalSet Range(std::uint64_t low, std::uint64_t high) {
    return IntervalSet({Interval{U128::Of(low), U128::Of(high)}});
  }
  static IntervalSet Point(U128 value) { return IntervalSet({Interval{value, value}}); }
  // Any intervals, in any order, overlapping or not.
  static IntervalSet FromIntervals(std::vector<Interval> intervals);

  bool Empty() const { return intervals_.empty(); }
  bool IsAll() const;
  bool Contains(U128 value) const;
  const std::vector<Interval>& Intervals() const { return intervals_; }
  // The smallest member. Precondition: !Empty().
  U128 Min() const { return intervals_.front().low; }

  IntervalSet Intersect(const IntervalSet& other) const;
  IntervalSet Union(const IntervalSet& other) const;
  IntervalSet Complement() const;  // within [0, U128::Max()]
  IntervalSet Subtract(const IntervalSet& other) const;
  bool operator==(const IntervalSet& other) const = default;

 private:
  explicit IntervalSet(std::vector<Interval> normalized) : intervals_(std::move(normalized)) {}
  std::vector<Interval> intervals_;
};

enum class Dimension : std::uint8_t {
  kSourceAddress,
  kDestinationAddress,
  kProtocol,
  kSourcePort,
  kDestinationPort,
  kInputInterface,
  kOutputInterface,
  kConnectionState,
};
inline constexpr std::size_t kDimensionCount = 8;
std::string_view Id(Dimension dimension);  // "source_address", …

// Conntrack states; the coordinate is the enumerator's value.
enum class ConnectionState : std::uint8_t { kNew, kEstablished, kRelated, kInvalid, kUntracked };
inline constexpr int kConnectionStateCount = 5;
std::string_view Id(ConnectionState state);  // "new", "established", …
// Case-insensitive: "NEW", "established", …
std::optional<ConnectionState> ParseConnectionState(std::string_view text);

// Protocol names as iptables and nftables print them ("tcp", "ipv6-icmp",
// "icmpv6", …) or a number 0–255.
std::optional<std::uint8_t> ParseProtocol(std::string_view text);
std::string ProtocolName(std::uint8_t protocol);  // "tcp", or the number
// Protocols whose header starts with 16-bit ports (tcp, udp, dccp, sctp,
// udplite): what a port match implies.
IntervalSet PortProtocols();

// A point of the space: one packet header.
using Point = std::array<U128, kDimensionCount>;

// A product of interval sets, one per dimension; a default Box is every packet.
struct Box {
  Box() = default;
  explicit Box(std::array<IntervalSet, kDimensionCount> sets) : dims(std::move(sets)) {}

  std::array<IntervalSet, kDimensionCount> dims = {
      IntervalSet::All(), IntervalSet::All(), IntervalSet::All(), IntervalSet::All(),
      IntervalSet::All(), IntervalSet::All(), IntervalSet::All(), IntervalSet::All()};

  IntervalSet& operator[](Dimension d) { return dims[static_cast<std::size_t>(d)]; }
  const IntervalSet& operator[](Dimension d) const { return dims[static_cast<std::size_t>(d)]; }
  bool Empty() const;
  bool Contains(const Point& point) const;
  // nullopt when the intersection is empty.
  std::optional<Box> Intersect(const Box& other) const;
  // this \ other as disjoint non-empty boxes (at most kDimensionCount).
  std::vector<Box> Subtract(const Box& other) const;
  // Appends `rest` \ other to `out`, for boxes known to meet `other`.
  static void AppendDifference(Box rest, const Box& other, std::vector<Box>& out);
  // The point made of each dimension's smallest member. Precondition: !Empty().
  Point Example() const;
  bool operator==(const Box& other) const = default;
};

// A union of pairwise disjoint, non-empty boxes.
class PacketSet {
 public:
  PacketSet() = default;  // no packet
  explicit PacketSet(Box box);

  bool Empty() const { return boxes_.empty(); }
  const std::vector<Box>& Boxes() const { return boxes_; }
  bool Contains(const Point& point) const;
  // One packet of the set: the first box's smallest point. nullopt if empty.
  std::optional<Point> Example() const;

  PacketSet Intersect(const Box& box) const;
  PacketSet Intersect(const PacketSet& other) const;
  PacketSet Subtract(const Box& box) const;
  // {this ∩ box, this \ box}, in one pass over the boxes (the analysis's step).
  std::pair<PacketSet, PacketSet> Split(const Box& box) &&;
  PacketSet Subtract(const PacketSet& other) const;
  // this ∪ other, kept disjoint (other \ this is added).
  PacketSet Union(const PacketSet& other) const;
  // Merges boxes that differ in one dimension only; the set is unchanged.
  void Compact();

 private:
  std::vector<Box> boxes_;
};

// One interface pattern: a name, or a prefix ("eth+" / "eth*" → {"eth", true}).
struct InterfacePattern {
  std::string name;
  bool prefix = false;
  bool Matches(std::string_view interface) const;
  bool operator==(const InterfacePattern& other) const = default;
};

// A rule's interface condition: any, or one of `patterns`, or (negated) none
// of them. A packet without that interface (empty name) matches no pattern.
struct InterfaceMatch {
  bool any = true;
  bool negated = false;
  std::vector<InterfacePattern> patterns;
  bool Matches(std::string_view interface) const;
};

// The classes of interface names that the given patterns cannot tell apart.
class InterfaceUniverse {
 public:
  InterfaceUniverse() : InterfaceUniverse(std::vector<InterfacePattern>{}) {}
  explicit InterfaceUniverse(const std::vector<InterfacePattern>& patterns);

  std::size_t Size() const { return 1 + names_.size() + prefixes_.size(); }
  // The class of `name`; "" (no interface) is class 0.
  U128 ClassOf(std::string_view name) const;
  // A concrete name in the class (for the evaluator and for examples).
  std::string Representative(U128 index) const;
  // How the class is shown: "eth0", "eth*" (another name starting with eth),
  // "*" (any other name), "" (no interface).
  std::string Label(U128 index) const;
  // The classes `match` matches; over all of [0, U128::Max()] for `any`.
  IntervalSet Matching(const InterfaceMatch& match) const;
  // Classes 1..Size()-1: every packet that has this interface.
  IntervalSet Present() const;

 private:
  std::vector<std::string> names_;     // class 1 + i; sorted
  std::vector<std::string> prefixes_;  // class 1 + names_.size() + i; sorted; holds ""
};

// A packet with names, as the evaluator and the report see it.
struct Packet {
  U128 source;
  U128 destination;
  std::uint8_t protocol = 0;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::string input_interface;   // "" = none (locally generated)
  std::string output_interface;  // "" = none (locally delivered)
  ConnectionState state = ConnectionState::kNew;

  // "tcp 192.0.2.1:1024 → 198.51.100.2:443 in eth0 out eth1 new"
  std::string ToString() const;
};

// The packet at `point` (interfaces by their class representative), and back.
Packet PacketAt(const Point& point, const InterfaceUniverse& interfaces);
Point PointOf(const Packet& packet, const InterfaceUniverse& interfaces);

}  // namespace mamori::netcheck
