#include "audit/audit_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mamori::audit {
namespace {

Status InitSodium() {
  if (sodium_init() < 0) {
    return Error(ErrorCode::kInternal, "libsodium を初期化できません", "sodium_init failed");
  }
  return OkStatus();
}

Error KeyError(const std::string& path, const std::string& ja, const std::string& en) {
  return Error(ErrorCode::kIo, "監査ログの署名鍵 " + path + ": " + ja,
               "audit signing key " + path + ": " + en, {path, 0, ""});
}

bool FromHex(std::string_view hex, unsigned char* out, std::size_t size) {
  std::size_t written = 0;
  return sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &written, nullptr) == 0 &&
         written == size;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return KeyError(path, "読めません", "cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  std::string data = text.str();
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r' || data.back() == ' ')) {
    data.pop_back();
  }
  return data;
}

Status WriteNewFile(const std::string& path, const std::string& data, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return KeyError(path, std::string("作成できません（既にある場合は上書きしません）: ") + std::strerror(errno),
                    std::string("cannot create (an existing key is never overwritten): ") +
                        std::strerror(errno));
  }
  const bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return KeyError(path, "書き込めません", "cannot write");
  return OkStatus();
}

}  // namespace

std::string ToHex(const unsigned char* data, std::size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), data, size);
  hex.pop_back();
  return hex;
}

std::string VerifyingKey::Id() const {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());
  return ToHex(digest.data(), 8);
}

Result<SigningKey> GenerateKeyFile(const std::string& path) {
  MAMORI_TRY_STATUS(InitSodium());
  SigningKey key;
  crypto_sign_keypair(key.public_key.bytes.data(), key.secret.data());
  MAMORI_TRY_STATUS(WriteNewFile(path, ToHex(key.secret.data(), key.secret.size()) + "\n", 0600));
  MAMORI_TRY_STATUS(WriteNewFile(
      path + ".pub", ToHex(key.public_key.bytes.data(), key.public_key.bytes.size()) + "\n", 0644));
  return key;
}

Result<SigningKey> ReadSigningKey(const std::string& path) {
  MAMORI_TRY_STATUS(InitSodium());
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    return KeyError(path, "所有者以外も読める権限になっています（chmod 600 が必要）",
                    "readable by others than its owner (needs chmod 600)");
  }
  MAMORI_TRY(const auto hex, ReadSmallFile(path));
  SigningKey key;
  if (!FromHex(hex, key.secret.data(), key.secret.size())) {
    return KeyError(path, "鍵の形式が不正です", "malformed key");
  }
  crypto_sign_ed25519_sk_to_pk(key.public_key.bytes.data(), key.secret.data());
  return key;
}

Result<VerifyingKey> ReadVerifyingKey(const std::string& path) {
  MAMORI_TRY_STATUS(InitSodium());
  const bool is_pub = path.size() > 4 && path.ends_with(".pub");
  const std::string file = is_pub ? path : path + ".pub";
  MAMORI_TRY(const auto hex, ReadSmallFile(file));
  VerifyingKey key;
  if (!FromHex(hex, key.bytes.data(), key.bytes.size())) {
    return KeyError(file, "公開鍵の形式が不正です", "malformed public key");
  }
  return key;
}

std::string Sign(const SigningKey& key, std::string_view message) {
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       key.secret.data());
  return ToHex(signature.data(), signature.size());
}

bool VerifySignature(const VerifyingKey& key, std::string_view message, std::string_view hex) {
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  if (!FromHex(hex, signature.data(), signature.size())) return false;
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.bytes.data()) == 0;
}

}  // namespace mamori::audit
