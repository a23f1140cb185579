#include "auth/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>

#include "auth/internal.h"

namespace mamori::auth {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kSecretBytes = 20;
constexpr std::size_t kMinSecretBytes = 16;   // RFC 4226 4 R6: at least 128 bits
constexpr std::size_t kMaxSecretChars = 256;  // bounds the work on outside input
constexpr auto kDigitCount = static_cast<std::size_t>(kTotpDigits);

Error SecretError() {
  return Error(ErrorCode::kInvalidArgument, "TOTP の秘密鍵が base32 として正しくありません",
               "the TOTP secret is not valid base32 of at least 16 bytes", Where{"", 0, "secret"});
}

// RFC 4226 5.3: HOTP(K, C) with dynamic truncation, as `kTotpDigits` digits.
std::optional<std::string> Hotp(const std::string& key, std::uint64_t counter) {
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xFFU);
    counter >>= 8U;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message.data(), message.size(),
           mac.data(), &mac_size) == nullptr ||
      mac_size != 20) {
    return std::nullopt;
  }
  const std::size_t offset = mac[19] & 0x0FU;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7FU) << 24U) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16U) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8U) |
                               static_cast<std::uint32_t>(mac[offset + 3]);
  std::uint32_t value = binary % 1000000U;
  std::string code(kDigitCount, '0');
  for (std::size_t i = kDigitCount; i-- > 0;) {
    code[i] = static_cast<char>('0' + value % 10U);
    value /= 10U;
  }
  return code;
}

std::optional<std::string> DecodeSecret(std::string_view secret_base32) {
  if (secret_base32.size() > kMaxSecretChars) return std::nullopt;
  auto key = Base32Decode(secret_base32);
  if (!key || key->size() < kMinSecretBytes) return std::nullopt;
  return key;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string PercentEncode(std::string_view text) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (IsUnreserved(byte)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4U]);
      out.push_back(kHex[byte & 0x0FU]);
    }
  }
  return out;
}

}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8U) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> static_cast<unsigned>(bits)) & 0x1FU]);
    }
  }
  if (bits > 0) {
    out.push_back(kBase32Alphabet[(buffer << static_cast<unsigned>(5 - bits)) & 0x1FU]);
  }
  return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == ' ' || c == '=') continue;
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    const auto position = kBase32Alphabet.find(upper);
    if (position == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5U) | static_cast<std::uint32_t>(position);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  return out;
}

std::string NewTotpSecret() {
  (void)internal::SodiumReady();
  std::string bytes(kSecretBytes, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  std::string secret = Base32Encode(bytes);
  internal::Wipe(bytes);
  return secret;
}

Result<std::string> TotpCode(std::string_view secret_base32, std::int64_t unix_seconds) {
  if (unix_seconds < 0) {
    return Error(ErrorCode::kInvalidArgument, "時刻が負です", "negative time",
                 Where{"", 0, "time"});
  }
  auto key = DecodeSecret(secret_base32);
  if (!key) return SecretError();
  auto code = Hotp(*key, static_cast<std::uint64_t>(unix_seconds / kTotpStepSeconds));
  internal::Wipe(*key);
  if (!code) return Error(ErrorCode::kInternal, "HMAC-SHA1 を計算できません", "HMAC-SHA1 failed");
  return *code;
}

std::optional<std::int64_t> MatchTotp(std::string_view secret_base32, std::string_view code,
                                      std::int64_t unix_seconds) {
  std::string digits;
  for (const char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9' || digits.size() == kDigitCount) return std::nullopt;
    digits.push_back(c);
  }
  if (digits.size() != kDigitCount || unix_seconds < 0) return std::nullopt;
  auto key = DecodeSecret(secret_base32);
  if (!key) return std::nullopt;
  const std::int64_t now = unix_seconds / kTotpStepSeconds;
  std::optional<std::int64_t> matched;
  // Every step in the window is computed and compared, matched or not, so the
  // time taken does not say which one matched.
  for (std::int64_t step = now - 1; step <= now + 1; ++step) {
    if (step < 0) continue;
    const auto expected = Hotp(*key, static_cast<std::uint64_t>(step));
    if (expected && sodium_memcmp(expected->data(), digits.data(), kDigitCount) == 0 && !matched) {
      matched = step;
    }
  }
  internal::Wipe(*key);
  return matched;
}

std::string OtpauthUri(std::string_view issuer, std::string_view account,
                       std::string_view secret_base32) {
  return "otpauth://totp/" + PercentEncode(issuer) + ":" + PercentEncode(account) +
         "?secret=" + PercentEncode(secret_base32) + "&issuer=" + PercentEncode(issuer) +
         "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
         "&period=" + std::to_string(kTotpStepSeconds);
}

}  // namespace mamori::auth
