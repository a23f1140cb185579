// Addresses for the network check: IPv4 and IPv6 in one 128-bit space.
//
// An IPv4 address a.b.c.d is the IPv4-mapped IPv6 address ::ffff:a.b.c.d, so
// that one interval set holds both families and an IPv4 /n is the mapped /96+n.
// (A real IPv6 packet that carries a ::ffff:0:0/96 address is therefore seen
// as IPv4; such packets do not cross a routed boundary.) Every value is an
// unsigned 128-bit number `U128`; the other dimensions of the packet header
// space (protocol, ports, …) use the same type so that one interval-set code
// serves them all.
//
// Parsing uses inet_pton(3) and reports what, where and why; printing uses
// inet_ntop(3) and prints IPv4-mapped addresses in dotted form.
//
// Thread safety: values and pure functions.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mamori::netcheck {

// An unsigned 128-bit number. (Not `unsigned __int128`: -Wpedantic.)
struct U128 {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  friend constexpr auto operator<=>(const U128&, const U128&) = default;
  friend constexpr bool operator==(const U128&, const U128&) = default;

  static constexpr U128 Of(std::uint64_t value) { return {0, value}; }
  static constexpr U128 Max() { return {~std::uint64_t{0}, ~std::uint64_t{0}}; }
  // The next and previous values; wrap around at the ends (callers check).
  constexpr U128 Next() const {
    return low == ~std::uint64_t{0} ? U128{high + 1, 0} : U128{high, low + 1};
  }
  constexpr U128 Previous() const {
    return low == 0 ? U128{high - 1, ~std::uint64_t{0}} : U128{high, low - 1};
  }
};

// An inclusive interval [low, high] of U128, low <= high.
struct Interval {
  U128 low;
  U128 high;
  friend constexpr bool operator==(const Interval&, const Interval&) = default;
};

enum class IpFamily : std::uint8_t { kIpv4, kIpv6 };

// The IPv4 part of the space, ::ffff:0.0.0.0 – ::ffff:255.255.255.255.
constexpr Interval kIpv4Range{{0, 0x0000ffff00000000ULL}, {0, 0x0000ffffffffffffULL}};

// a.b.c.d as a U128 (IPv4-mapped).
constexpr U128 Ipv4(std::uint32_t address) {
  return {0, 0x0000ffff00000000ULL | address};
}
constexpr bool IsIpv4(U128 address) {
  return address >= kIpv4Range.low && address <= kIpv4Range.high;
}

// Whether a network with host bits set is an error or is masked.
enum class HostBits : std::uint8_t { kReject, kMask };

// One address: "192.0.2.1" or "2001:db8::1". nullopt if it is neither.
std::optional<U128> ParseAddress(std::string_view text);

// A network as an interval: "192.0.2.0/24", "2001:db8::/32", a dotted IPv4
// mask ("10.0.0.0/255.0.0.0", contiguous masks only), a single address, or a
// range "192.0.2.10-192.0.2.20" (both ends of one family, low <= high).
// Errors (kInvalidArgument) say why in both languages; the caller adds where.
Result<Interval> ParseNetwork(std::string_view text, HostBits host_bits = HostBits::kReject);

// "192.0.2.1" for IPv4-mapped values, "2001:db8::1" otherwise.
std::string FormatAddress(U128 address);
// "192.0.2.0/24" when the interval is one CIDR block, else "low-high".
std::string FormatNetwork(const Interval& interval);

}  // namespace mamori::netcheck
