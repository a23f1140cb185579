#include "netcheck/space.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace mamori::netcheck {

// ---------------------------------------------------------------------------
// IntervalSet

IntervalSet IntervalSet::FromIntervals(std::vector<Interval> intervals) {
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval& a, const Interval& b) { return a.low < b.low; });
  std::vector<Interval> out;
  for (const Interval& interval : intervals) {
    if (!out.empty() &&
        (interval.low <= out.back().high ||
         (out.back().high != U128::Max() && interval.low == out.back().high.Next()))) {
      out.back().high = std::max(out.back().high, interval.high);
    } else {
      out.push_back(interval);
    }
  }
  return IntervalSet(std::move(out));
}

bool IntervalSet::IsAll() const {
  return intervals_.size() == 1 && intervals_[0].low == U128{} &&
         intervals_[0].high == U128::Max();
}

bool IntervalSet::Contains(U128 value) const {
  auto it = std::upper_bound(intervals_.begin(), intervals_.end(), value,
                             [](U128 v, const Interval& i) { return v < i.low; });
  if (it == intervals_.begin()) return false;
  --it;
  return value <= it->high;
}

IntervalSet IntervalSet::Intersect(const IntervalSet& other) const {
  std::vector<Interval> out;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < intervals_.size() && j < other.intervals_.size()) {
    const Interval& a = intervals_[i];
    const Interval& b = other.intervals_[j];
    const U128 low = std::max(a.low, b.low);
    const U128 high = std::min(a.high, b.high);
    if (low <= high) out.push_back({low, high});
    if (a.high < b.high) {
      ++i;
    } else {
      ++j;
    }
  }
  return IntervalSet(std::move(out));
}

IntervalSet IntervalSet::Union(const IntervalSet& other) const {
  std::vector<Interval> all = intervals_;
  all.insert(all.end(), other.intervals_.begin(), other.intervals_.end());
  return FromIntervals(std::move(all));
}

IntervalSet IntervalSet::Complement() const {
  std::vector<Interval> out;
  U128 next{};
  bool open = true;  // `next` still needs covering
  for (const Interval& interval : intervals_) {
    if (open && next < interval.low) out.push_back({next, interval.low.Previous()});
    if (interval.high == U128::Max()) {
      open = false;
      break;
    }
    next = interval.high.Next();
  }
  if (open) out.push_back({next, U128::Max()});
  return IntervalSet(std::move(out));
}

IntervalSet IntervalSet::Subtract(const IntervalSet& other) const {
  if (other.Empty() || Empty()) return *this;
  return Intersect(other.Complement());
}

// ---------------------------------------------------------------------------
// Names

std::string_view Id(Dimension dimension) {
  switch (dimension) {
    case Dimension::kSourceAddress:
      return "source_address";
    case Dimension::kDestinationAddress:
      return "destination_address";
    case Dimension::kProtocol:
      return "protocol";
    case Dimension::kSourcePort:
      return "source_port";
    case Dimension::kDestinationPort:
      return "destination_port";
    case Dimension::kInputInterface:
      return "input_interface";
    case Dimension::kOutputInterface:
      return "output_interface";
    case Dimension::kConnectionState:
      return "connection_state";
  }
  return "?";
}

std::string_view Id(ConnectionState state) {
  switch (state) {
    case ConnectionState::kNew:
      return "new";
    case ConnectionState::kEstablished:
      return "established";
    case ConnectionState::kRelated:
      return "related";
    case ConnectionState::kInvalid:
      return "invalid";
    case ConnectionState::kUntracked:
      return "untracked";
  }
  return "?";
}

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct ProtocolEntry {
  std::string_view name;
  std::uint8_t number;
};
// The names iptables-save (/etc/protocols) and nft print for the protocols a
// municipal rule set uses; first entry per number is the one printed.
constexpr std::array<ProtocolEntry, 16> kProtocols = {{
    {"icmp", 1},
    {"igmp", 2},
    {"tcp", 6},
    {"udp", 17},
    {"dccp", 33},
    {"gre", 47},
    {"esp", 50},
    {"ah", 51},
    {"ipv6-icmp", 58},
    {"icmpv6", 58},
    {"icmp6", 58},
    {"ospf", 89},
    {"vrrp", 112},
    {"sctp", 132},
    {"udplite", 136},
    {"ipv6-nonxt", 59},
}};

}  // namespace

std::optional<ConnectionState> ParseConnectionState(std::string_view text) {
  const std::string lower = Lower(text);
  for (int i = 0; i < kConnectionStateCount; ++i) {
    const auto state = static_cast<ConnectionState>(i);
    if (Id(state) == lower) return state;
  }
  return std::nullopt;
}

std::optional<std::uint8_t> ParseProtocol(std::string_view text) {
  if (!text.empty() && text.size() <= 3 && std::isdigit(static_cast<unsigned char>(text[0]))) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value > 255) {
      return std::nullopt;
    }
    return static_cast<std::uint8_t>(value);
  }
  const std::string lower = Lower(text);
  for (const auto& entry : kProtocols) {
    if (entry.name == lower) return entry.number;
  }
  return std::nullopt;
}

std::string ProtocolName(std::uint8_t protocol) {
  for (const auto& entry : kProtocols) {
    if (entry.number == protocol) return std::string(entry.name);
  }
  return std::to_string(protocol);
}

IntervalSet PortProtocols() {
  return IntervalSet::FromIntervals({{U128::Of(6), U128::Of(6)},
                                     {U128::Of(17), U128::Of(17)},
                                     {U128::Of(33), U128::Of(33)},
                                     {U128::Of(132), U128::Of(132)},
                                     {U128::Of(136), U128::Of(136)}});
}

// ---------------------------------------------------------------------------
// Box

bool Box::Empty() const {
  return std::any_of(dims.begin(), dims.end(), [](const IntervalSet& s) { return s.Empty(); });
}

bool Box::Contains(const Point& point) const {
  for (std::size_t d = 0; d < kDimensionCount; ++d) {
    if (!dims[d].Contains(point[d])) return false;
  }
  return true;
}

std::optional<Box> Box::Intersect(const Box& other) const {
  std::array<IntervalSet, kDimensionCount> out;  // empty sets: no allocation
  for (std::size_t d = 0; d < kDimensionCount; ++d) {
    out[d] = dims[d].Intersect(other.dims[d]);
    if (out[d].Empty()) return std::nullopt;
  }
  return Box(std::move(out));
}

std::vector<Box> Box::Subtract(const Box& other) const {
  if (!Intersect(other)) return {*this};
  std::vector<Box> pieces;
  AppendDifference(*this, other, pieces);
  return pieces;
}

void Box::AppendDifference(Box rest, const Box& other, std::vector<Box>& out) {
  // Piece d: agrees with `other` in dimensions < d, leaves it in dimension d.
  for (std::size_t d = 0; d < kDimensionCount; ++d) {
    IntervalSet inside = rest.dims[d].Intersect(other.dims[d]);
    if (inside.Empty()) {
      out.push_back(std::move(rest));
      return;
    }
    IntervalSet outside = rest.dims[d].Subtract(other.dims[d]);
    if (!outside.Empty()) {
      Box piece = rest;
      piece.dims[d] = std::move(outside);
      out.push_back(std::move(piece));
    }
    rest.dims[d] = std::move(inside);
  }
  // `rest` is now inside `other`.
}

Point Box::Example() const {
  Point point;
  for (std::size_t d = 0; d < kDimensionCount; ++d) point[d] = dims[d].Min();
  return point;
}

// ---------------------------------------------------------------------------
// PacketSet

PacketSet::PacketSet(Box box) {
  if (!box.Empty()) boxes_.push_back(std::move(box));
}

bool PacketSet::Contains(const Point& point) const {
  return std::any_of(boxes_.begin(), boxes_.end(),
                     [&](const Box& box) { return box.Contains(point); });
}

std::optional<Point> PacketSet::Example() const {
  if (boxes_.empty()) return std::nullopt;
  return boxes_.front().Example();
}

PacketSet PacketSet::Intersect(const Box& box) const {
  PacketSet out;
  for (const Box& mine : boxes_) {
    if (auto both = mine.Intersect(box)) out.boxes_.push_back(std::move(*both));
  }
  return out;
}

PacketSet PacketSet::Intersect(const PacketSet& other) const {
  PacketSet out;
  for (const Box& theirs : other.boxes_) {
    for (const Box& mine : boxes_) {
      if (auto both = mine.Intersect(theirs)) out.boxes_.push_back(std::move(*both));
    }
  }
  return out;
}

std::pair<PacketSet, PacketSet> PacketSet::Split(const Box& box) && {
  std::pair<PacketSet, PacketSet> out;
  for (Box& mine : boxes_) {
    auto both = mine.Intersect(box);
    if (!both) {
      out.second.boxes_.push_back(std::move(mine));
      continue;
    }
    Box::AppendDifference(std::move(mine), box, out.second.boxes_);
    out.first.boxes_.push_back(std::move(*both));
  }
  boxes_.clear();
  return out;
}

PacketSet PacketSet::Subtract(const Box& box) const {
  PacketSet out;
  for (const Box& mine : boxes_) {
    for (Box& piece : mine.Subtract(box)) out.boxes_.push_back(std::move(piece));
  }
  return out;
}

PacketSet PacketSet::Subtract(const PacketSet& other) const {
  PacketSet out = *this;
  for (const Box& box : other.boxes_) {
    if (out.Empty()) break;
    out = out.Subtract(box);
  }
  return out;
}

PacketSet PacketSet::Union(const PacketSet& other) const {
  PacketSet out = *this;
  const PacketSet added = other.Subtract(*this);
  for (const Box& box : added.boxes_) out.boxes_.push_back(box);
  return out;
}

namespace {

// A total order on interval sets, for grouping boxes.
bool Less(const IntervalSet& a, const IntervalSet& b) {
  const auto& x = a.Intervals();
  const auto& y = b.Intervals();
  return std::lexicographical_compare(
      x.begin(), x.end(), y.begin(), y.end(), [](const Interval& i, const Interval& j) {
        return i.low != j.low ? i.low < j.low : i.high < j.high;
      });
}

}  // namespace

void PacketSet::Compact() {
  // For each dimension d: boxes equal in every other dimension merge into one
  // whose d-th set is the union (they are disjoint, so only in d). Sorting by
  // the other dimensions finds them in O(n log n); a few rounds over the
  // dimensions, until nothing merges.
  for (int round = 0; round < 4; ++round) {
    bool merged = false;
    for (std::size_t d = 0; d < kDimensionCount && boxes_.size() > 1; ++d) {
      auto others_less = [d](const Box& a, const Box& b) {
        for (std::size_t e = 0; e < kDimensionCount; ++e) {
          if (e == d) continue;
          if (Less(a.dims[e], b.dims[e])) return true;
          if (Less(b.dims[e], a.dims[e])) return false;
        }
        return false;
      };
      auto others_equal = [d](const Box& a, const Box& b) {
        for (std::size_t e = 0; e < kDimensionCount; ++e) {
          if (e != d && !(a.dims[e] == b.dims[e])) return false;
        }
        return true;
      };
      std::sort(boxes_.begin(), boxes_.end(), others_less);
      std::vector<Box> out;
      out.reserve(boxes_.size());
      for (Box& box : boxes_) {
        if (!out.empty() && others_equal(out.back(), box)) {
          out.back().dims[d] = out.back().dims[d].Union(box.dims[d]);
          merged = true;
        } else {
          out.push_back(std::move(box));
        }
      }
      boxes_ = std::move(out);
    }
    if (!merged) break;
  }
}

// ---------------------------------------------------------------------------
// Interfaces

bool InterfacePattern::Matches(std::string_view interface) const {
  if (interface.empty()) return false;
  if (prefix) return interface.substr(0, name.size()) == name;
  return interface == name;
}

bool InterfaceMatch::Matches(std::string_view interface) const {
  if (any) return true;
  const bool hit = std::any_of(patterns.begin(), patterns.end(),
                               [&](const InterfacePattern& p) { return p.Matches(interface); });
  return hit != negated;
}

InterfaceUniverse::InterfaceUniverse(const std::vector<InterfacePattern>& patterns) {
  prefixes_.emplace_back();
  for (const auto& pattern : patterns) {
    if (pattern.prefix) {
      prefixes_.push_back(pattern.name);
    } else if (!pattern.name.empty()) {
      names_.push_back(pattern.name);
    }
  }
  std::sort(names_.begin(), names_.end());
  names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
  std::sort(prefixes_.begin(), prefixes_.end());
  prefixes_.erase(std::unique(prefixes_.begin(), prefixes_.end()), prefixes_.end());
}

U128 InterfaceUniverse::ClassOf(std::string_view name) const {
  if (name.empty()) return U128{};
  const auto it = std::lower_bound(names_.begin(), names_.end(), name);
  if (it != names_.end() && *it == name) {
    return U128::Of(1 + static_cast<std::uint64_t>(it - names_.begin()));
  }
  // The longest prefix; "" always matches.
  std::size_t best = 0;
  for (std::size_t i = 0; i < prefixes_.size(); ++i) {
    if (name.substr(0, prefixes_[i].size()) == prefixes_[i] &&
        prefixes_[i].size() >= prefixes_[best].size()) {
      best = i;
    }
  }
  return U128::Of(1 + names_.size() + best);
}

std::string InterfaceUniverse::Representative(U128 index) const {
  if (index == U128{} || index.high != 0 || index.low >= Size()) return "";
  const std::size_t i = static_cast<std::size_t>(index.low) - 1;
  if (i < names_.size()) return names_[i];
  const std::string& prefix = prefixes_[i - names_.size()];
  // A name that starts with `prefix` and falls in no other class.
  for (const char* separator : {"~", "#", "%", "^", "="}) {
    for (int n = 0; n < 64; ++n) {
      std::string candidate = prefix + separator + std::to_string(n);
      if (ClassOf(candidate) == index) return candidate;
    }
  }
  return prefix;  // not reached for rule sets a person writes
}

std::string InterfaceUniverse::Label(U128 index) const {
  if (index == U128{} || index.high != 0 || index.low >= Size()) return "";
  const std::size_t i = static_cast<std::size_t>(index.low) - 1;
  if (i < names_.size()) return names_[i];
  return prefixes_[i - names_.size()] + "*";
}

IntervalSet InterfaceUniverse::Matching(const InterfaceMatch& match) const {
  if (match.any) return IntervalSet::All();
  std::vector<Interval> hits;
  for (std::uint64_t c = 1; c < Size(); ++c) {
    const std::size_t i = static_cast<std::size_t>(c) - 1;
    bool hit = false;
    for (const auto& pattern : match.patterns) {
      if (i < names_.size()) {
        hit = pattern.Matches(names_[i]);
      } else {
        // Every name of the prefix class starts with `own`: a prefix pattern
        // covers the class iff it is a prefix of `own` (a longer listed
        // prefix has a class of its own); an exact name never does.
        const std::string& own = prefixes_[i - names_.size()];
        hit = pattern.prefix && own.substr(0, pattern.name.size()) == pattern.name;
      }
      if (hit) break;
    }
    if (hit != match.negated) hits.push_back({U128::Of(c), U128::Of(c)});
  }
  if (match.negated) hits.push_back({U128{}, U128{}});  // no interface matches no pattern
  return IntervalSet::FromIntervals(std::move(hits));
}

IntervalSet InterfaceUniverse::Present() const { return IntervalSet::Range(1, Size() - 1); }

// ---------------------------------------------------------------------------
// Packet

std::string Packet::ToString() const {
  std::string out = ProtocolName(protocol) + " " + FormatAddress(source);
  const bool ports = PortProtocols().Contains(U128::Of(protocol));
  if (ports) out += ":" + std::to_string(source_port);
  out += " → " + FormatAddress(destination);
  if (ports) out += ":" + std::to_string(destination_port);
  if (!input_interface.empty()) out += " in " + input_interface;
  if (!output_interface.empty()) out += " out " + output_interface;
  out += " " + std::string(Id(state));
  return out;
}

Packet PacketAt(const Point& point, const InterfaceUniverse& interfaces) {
  Packet packet;
  packet.source = point[0];
  packet.destination = point[1];
  packet.protocol = static_cast<std::uint8_t>(point[2].low);
  packet.source_port = static_cast<std::uint16_t>(point[3].low);
  packet.destination_port = static_cast<std::uint16_t>(point[4].low);
  packet.input_interface = interfaces.Representative(point[5]);
  packet.output_interface = interfaces.Representative(point[6]);
  packet.state = static_cast<ConnectionState>(point[7].low);
  return packet;
}

Point PointOf(const Packet& packet, const InterfaceUniverse& interfaces) {
  return {packet.source,
          packet.destination,
          U128::Of(packet.protocol),
          U128::Of(packet.source_port),
          U128::Of(packet.destination_port),
          interfaces.ClassOf(packet.input_interface),
          interfaces.ClassOf(packet.output_interface),
          U128::Of(static_cast<std::uint64_t>(packet.state))};
}

}  // namespace mamori::netcheck
