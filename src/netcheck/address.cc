#include "netcheck/address.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstring>

namespace mamori::netcheck {
namespace {

// The low `bits` bits set (0..128).
U128 HostMask(int bits) {
  if (bits <= 0) return {};
  if (bits >= 128) return U128::Max();
  if (bits >= 64) {
    const int high_bits = bits - 64;
    return {high_bits == 0 ? 0 : (~std::uint64_t{0} >> (64 - high_bits)), ~std::uint64_t{0}};
  }
  return {0, ~std::uint64_t{0} >> (64 - bits)};
}

U128 And(U128 a, U128 b) { return {a.high & b.high, a.low & b.low}; }
U128 Or(U128 a, U128 b) { return {a.high | b.high, a.low | b.low}; }
U128 Not(U128 a) { return {~a.high, ~a.low}; }

Error Invalid(std::string_view text, const std::string& why_ja, const std::string& why_en) {
  return Error(ErrorCode::kInvalidArgument,
               "アドレス「" + std::string(text) + "」を読めません: " + why_ja,
               "cannot read address \"" + std::string(text) + "\": " + why_en);
}

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  if (text.empty() || text.size() > 3) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Prefix length of a contiguous dotted IPv4 mask, nullopt otherwise.
std::optional<int> DottedMaskLength(std::string_view text) {
  const auto mask = ParseAddress(text);
  if (!mask || !IsIpv4(*mask)) return std::nullopt;
  const auto bits = static_cast<std::uint32_t>(mask->low & 0xffffffffULL);
  const std::uint32_t inverted = ~bits;
  if ((inverted & (inverted + 1)) != 0) return std::nullopt;  // not 1…10…0
  int length = 0;
  for (std::uint32_t b = bits; b != 0; b <<= 1) ++length;
  return length;
}

}  // namespace

std::optional<U128> ParseAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string copy(text);
  if (copy.find(':') == std::string::npos) {
    in_addr v4{};
    if (inet_pton(AF_INET, copy.c_str(), &v4) != 1) return std::nullopt;
    return Ipv4(ntohl(v4.s_addr));
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) != 1) return std::nullopt;
  U128 value;
  for (int i = 0; i < 8; ++i) value.high = (value.high << 8) | v6.s6_addr[i];
  for (int i = 8; i < 16; ++i) value.low = (value.low << 8) | v6.s6_addr[i];
  return value;
}

Result<Interval> ParseNetwork(std::string_view text, HostBits host_bits) {
  if (text.empty()) return Invalid(text, "空です", "empty");
  if (text.size() > 100) return Invalid(text.substr(0, 100), "長すぎます", "too long");
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    const auto low = ParseAddress(text.substr(0, dash));
    const auto high = ParseAddress(text.substr(dash + 1));
    if (!low || !high) {
      return Invalid(text, "範囲の両端はアドレスでなければなりません",
                     "both ends of a range must be addresses");
    }
    if (IsIpv4(*low) != IsIpv4(*high)) {
      return Invalid(text, "範囲の両端の種類（IPv4/IPv6）が異なります",
                     "the ends of the range are of different families");
    }
    if (*high < *low) {
      return Invalid(text, "範囲の始点が終点より大きい", "the range starts after it ends");
    }
    return Interval{*low, *high};
  }
  const auto slash = text.find('/');
  const auto address = ParseAddress(text.substr(0, slash));
  if (!address) {
    return Invalid(text, "IPv4 又は IPv6 のアドレスではありません", "not an IPv4 or IPv6 address");
  }
  const bool v4 = IsIpv4(*address);
  if (slash == std::string_view::npos) return Interval{*address, *address};
  const std::string_view suffix = text.substr(slash + 1);
  std::optional<int> length = ParseInt(suffix);
  if (!length && v4) length = DottedMaskLength(suffix);
  const int max_length = v4 ? 32 : 128;
  if (!length || *length < 0 || *length > max_length) {
    return Invalid(text,
                   "プレフィックス長は 0〜" + std::to_string(max_length) + " の整数です",
                   "the prefix length must be an integer 0-" + std::to_string(max_length));
  }
  const int host = max_length - *length;
  const U128 mask = HostMask(host);
  const U128 low = And(*address, Not(mask));
  if (low != *address && host_bits == HostBits::kReject) {
    return Invalid(text,
                   "ホスト部が 0 ではありません（" + FormatAddress(low) + "/" +
                       std::to_string(*length) + " のことですか）",
                   "host bits are set (did you mean " + FormatAddress(low) + "/" +
                       std::to_string(*length) + "?)");
  }
  return Interval{low, Or(low, mask)};
}

std::string FormatAddress(U128 address) {
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  if (IsIpv4(address)) {
    in_addr v4{};
    v4.s_addr = htonl(static_cast<std::uint32_t>(address.low & 0xffffffffULL));
    if (inet_ntop(AF_INET, &v4, buffer.data(), static_cast<socklen_t>(buffer.size())) == nullptr) {
      return "?";
    }
    return buffer.data();
  }
  in6_addr v6{};
  for (int i = 0; i < 8; ++i) {
    v6.s6_addr[i] = static_cast<std::uint8_t>(address.high >> (56 - 8 * i));
    v6.s6_addr[8 + i] = static_cast<std::uint8_t>(address.low >> (56 - 8 * i));
  }
  if (inet_ntop(AF_INET6, &v6, buffer.data(), static_cast<socklen_t>(buffer.size())) == nullptr) {
    return "?";
  }
  return buffer.data();
}

std::string FormatNetwork(const Interval& interval) {
  const bool v4 = IsIpv4(interval.low) && IsIpv4(interval.high);
  for (int host = 0; host <= (v4 ? 32 : 128); ++host) {
    const U128 mask = HostMask(host);
    if (And(interval.low, mask) != U128{}) break;
    if (Or(interval.low, mask) == interval.high) {
      if (host == 0) return FormatAddress(interval.low);
      return FormatAddress(interval.low) + "/" + std::to_string((v4 ? 32 : 128) - host);
    }
  }
  return FormatAddress(interval.low) + "-" + FormatAddress(interval.high);
}

}  // namespace mamori::netcheck
