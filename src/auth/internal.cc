#include "auth/internal.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "common/charset.h"

namespace mamori::auth::internal {

bool SodiumReady() {
  // sodium_init() is thread-safe and idempotent; remember its first answer.
  static const bool kReady = sodium_init() >= 0;
  return kReady;
}

std::string RandomToken(std::size_t size) {
  (void)SodiumReady();
  std::string bytes(size, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  Wipe(bytes);
  text.resize(text.find('\0'));  // the encoded length counts the terminator
  return text;
}

void Wipe(std::string& secret) { sodium_memzero(secret.data(), secret.size()); }

std::string CsrfToken(std::string_view session_token) {
  (void)SodiumReady();
  constexpr std::string_view kLabel = "mamori/csrf/v1";
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(session_token.data()),
                              session_token.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(kLabel.data()),
                                kLabel.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  std::string text(sodium_base64_ENCODED_LEN(mac.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   '\0');
  sodium_bin2base64(text.data(), text.size(), mac.data(), mac.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.find('\0'));
  return text;
}

std::string Sha256Hex(std::string_view data) {
  (void)SodiumReady();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

std::string Printable(std::string_view text, std::size_t max_bytes) {
  text = text.substr(0, std::min(text.size(), max_bytes));
  text = text.substr(0, ValidUtf8Prefix(text));
  std::size_t end = 0;
  while (end < text.size()) {
    const auto byte = static_cast<unsigned char>(text[end]);
    if (byte < 0x20 || byte == 0x7F) break;
    ++end;
  }
  return std::string(text.substr(0, end));
}

}  // namespace mamori::auth::internal
