// The Ed25519 key that signs audit checkpoints (libsodium). The secret key
// lives in a file outside the database, readable by its owner only; the
// public key sits beside it ("<path>.pub") and is all that verification needs.
#pragma once

#include <array>
#include <string>

#include "common/result.h"

namespace mamori::audit {

struct VerifyingKey {
  std::array<unsigned char, 32> bytes{};
  // First 16 hex digits of SHA-256(public key): names the key in checkpoints.
  std::string Id() const;
};

struct SigningKey {
  std::array<unsigned char, 64> secret{};
  VerifyingKey public_key;
};

// Creates a new key pair at `path` (0600) and `path`.pub; refuses to
// overwrite an existing key.
Result<SigningKey> GenerateKeyFile(const std::string& path);
Result<SigningKey> ReadSigningKey(const std::string& path);
// Reads `path`.pub — or `path` itself when it ends in ".pub".
Result<VerifyingKey> ReadVerifyingKey(const std::string& path);

std::string Sign(const SigningKey& key, std::string_view message);  // hex
bool VerifySignature(const VerifyingKey& key, std::string_view message, std::string_view hex);

std::string ToHex(const unsigned char* data, std::size_t size);

}  // namespace mamori::audit
