// Helpers shared by the auth library's .cc files; not part of the front door.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mamori::auth::internal {

// Calls sodium_init() once; false when libsodium could not initialize.
bool SodiumReady();
// `size` random bytes as URL-safe base64 without padding (session and CSRF
// tokens).
std::string RandomToken(std::size_t size);
// Overwrites `secret` with zeros (libsodium's sodium_memzero: not optimized away).
void Wipe(std::string& secret);
// The CSRF token of the session whose token is `session_token`:
// HMAC-SHA-256(session_token, "mamori/csrf/v1") as URL-safe base64. Derived
// rather than stored, so the database holds nothing that stands for it; a
// page that cannot read the session cookie cannot compute it.
std::string CsrfToken(std::string_view session_token);
// SHA-256 of `data`, lower-case hex.
std::string Sha256Hex(std::string_view data);
// The longest prefix of `text` of at most `max_bytes` bytes that ends on a
// UTF-8 character boundary and holds no control characters (those are cut
// off with everything after them): for text from outside that is only
// recorded (user agents, unknown logins).
std::string Printable(std::string_view text, std::size_t max_bytes);

}  // namespace mamori::auth::internal
