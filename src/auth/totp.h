// TOTP (RFC 6238): the second factor of 6.2(1)② and 3(1)②ア — HMAC-SHA1,
// 30-second steps, 6 digits, the parameters every authenticator app reads
// from an otpauth:// URI. Secrets are RFC 4648 base32 without padding.
//
// MatchTotp only says which step a code belongs to; refusing a code used
// before (the same step twice) is the caller's job (accounts.cc keeps the
// last accepted step per account).
//
// Thread safety: every function may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mamori::auth {

inline constexpr std::int64_t kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;

// 20 random bytes (160 bits, RFC 4226's recommendation), base32.
std::string NewTotpSecret();
// The 6-digit code for the step holding `unix_seconds`. Errors
// (kInvalidArgument, Where.key "secret"): the secret is not base32 or
// decodes to fewer than 16 bytes (RFC 4226: 128 bits at least); `unix_seconds` is negative (key
// "time").
Result<std::string> TotpCode(std::string_view secret_base32, std::int64_t unix_seconds);
// The step (unix_seconds / 30) of `code` among now-1, now, now+1 (clock drift
// of up to 30 s either way), or nullopt: a wrong code, a code that is not 6
// digits (spaces are ignored: apps show "123 456"), or an unusable secret.
// Compares in constant time.
std::optional<std::int64_t> MatchTotp(std::string_view secret_base32, std::string_view code,
                                      std::int64_t unix_seconds);
// otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30,
// issuer and account percent-encoded (UTF-8), for a QR code.
std::string OtpauthUri(std::string_view issuer, std::string_view account,
                       std::string_view secret_base32);

// RFC 4648 base32 (upper case, no padding), and back: lower case, spaces and
// '=' padding are accepted; nullopt for any other character.
std::string Base32Encode(std::string_view bytes);
std::optional<std::string> Base32Decode(std::string_view text);

}  // namespace mamori::auth
