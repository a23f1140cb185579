#include "auth/secret_box.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>
#include <tuple>

#include "auth/internal.h"
#include "storage/open.h"

namespace mamori::auth {
namespace {

constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kIdBytes = 8;           // 16 hex digits
constexpr std::size_t kMaxKeyFileBytes = 65536;  // thousands of keys; a bigger file is not ours
constexpr std::size_t kMaxSealedBytes = 65536;   // far above any secret we seal
static_assert(kKeyBytes == 32);

Error KeyFileError(ErrorCode code, const std::string& path, const std::string& ja,
                   const std::string& en, int line = 0) {
  return Error(code, "秘密情報の暗号鍵ファイル " + path + ": " + ja,
               "secret key file " + path + ": " + en, Where{path, line, ""});
}

std::string Hex(const unsigned char* data, std::size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), data, size);
  hex.pop_back();
  return hex;
}

std::string Base64(const unsigned char* data, std::size_t size, int variant) {
  std::string text(sodium_base64_encoded_len(size, variant), '\0');
  sodium_bin2base64(text.data(), text.size(), data, size, variant);
  text.resize(text.find('\0'));
  return text;
}

// Decodes exactly; false for anything that is not `variant` base64.
bool FromBase64(std::string_view text, int variant, std::string& out) {
  out.assign(text.size(), '\0');  // decoded is never longer than the text
  std::size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &written, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    internal::Wipe(out);
    return false;
  }
  out.resize(written);
  return true;
}

bool IsHexId(std::string_view id) {
  return id.size() == kIdBytes * 2 &&
         std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<SecretKey> NewKey() {
  if (!internal::SodiumReady()) {
    return Error(ErrorCode::kInternal, "libsodium を初期化できません", "sodium_init failed");
  }
  SecretKey key;
  crypto_aead_xchacha20poly1305_ietf_keygen(key.bytes.data());
  std::array<unsigned char, kIdBytes> id{};
  randombytes_buf(id.data(), id.size());
  key.id = Hex(id.data(), id.size());
  return key;
}

std::string AssociatedData(std::string_view key_id, std::string_view context) {
  std::string data(kSealedPrefix);
  data.append(key_id).append(":").append(context);
  return data;
}

Error CannotOpen(std::string_view context, const std::string& ja, const std::string& en) {
  return Error(ErrorCode::kInvalidArgument,
               "暗号化された秘密情報（" + std::string(context) + "）を復号できません: " + ja,
               "cannot open the sealed secret (" + std::string(context) + "): " + en);
}

std::vector<std::string> SplitWords(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

}  // namespace

KeyRing::~KeyRing() {
  for (auto& key : keys_) sodium_memzero(key.bytes.data(), key.bytes.size());
}

Result<KeyRing> KeyRing::Generate() {
  KeyRing ring;
  MAMORI_TRY(auto key, NewKey());
  ring.primary_ = key.id;
  ring.keys_.push_back(std::move(key));
  return ring;
}

Result<KeyRing> KeyRing::Read(const std::string& path) {
  if (!internal::SodiumReady()) {
    return Error(ErrorCode::kInternal, "libsodium を初期化できません", "sodium_init failed");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return KeyFileError(
          ErrorCode::kNotFound, path,
          "ありません。mamori init で作成した鍵ファイルを置くか、$MAMORI_SECRET_KEY_FILE "
          "でその場所を指定してください（鍵がなければ登録済みの確認コードの秘密は復号できません）",
          "does not exist; put back the key file mamori init created, or point "
          "$MAMORI_SECRET_KEY_FILE at it (without it the enrolled TOTP secrets cannot be "
          "opened)");
    }
    return KeyFileError(ErrorCode::kIo, path, std::string("開けません: ") + std::strerror(error),
                        std::string("cannot open: ") + std::strerror(error));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return KeyFileError(ErrorCode::kIo, path, "通常のファイルではありません",
                        "is not a regular file");
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return KeyFileError(ErrorCode::kIo, path,
                        std::string("所有者以外も読み書きできる設定（") + mode +
                            "）になっているため使いません。chmod 600 " + path +
                            " としてください",
                        std::string("is accessible by group or others (mode ") + mode +
                            "), refused; run chmod 600 " + path);
  }
  if (static_cast<std::size_t>(info.st_size) > kMaxKeyFileBytes) {
    ::close(fd);
    return KeyFileError(ErrorCode::kInvalidArgument, path, "大きすぎます（鍵ファイルではありません）",
                        "is too large to be a key file");
  }
  std::string text(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t got = ::read(fd, text.data() + done, text.size() - done);
    if (got <= 0) break;
    done += static_cast<std::size_t>(got);
  }
  ::close(fd);
  text.resize(done);

  KeyRing ring;
  ring.path_ = path;
  std::istringstream lines(text);
  internal::Wipe(text);
  std::string line;
  int number = 0;
  std::string primary;
  const auto bad = [&](const std::string& ja, const std::string& en) {
    return KeyFileError(ErrorCode::kInvalidArgument, path,
                        std::to_string(number) + "行目: " + ja,
                        "line " + std::to_string(number) + ": " + en, number);
  };
  while (std::getline(lines, line)) {
    ++number;
    auto words = SplitWords(line);
    internal::Wipe(line);
    if (words.empty() || words[0].starts_with("#")) continue;
    if (words[0] == "key" && words.size() == 3) {
      if (!IsHexId(words[1])) {
        return bad("鍵IDは16桁の16進数です", "a key id is 16 lower-case hex digits");
      }
      if (ring.Has(words[1])) return bad("鍵IDが重複しています", "duplicate key id");
      std::string bytes;
      const bool ok = FromBase64(words[2], sodium_base64_VARIANT_ORIGINAL, bytes);
      internal::Wipe(words[2]);
      if (!ok || bytes.size() != kKeyBytes) {
        internal::Wipe(bytes);
        return bad("鍵は32バイトを base64 で書いたものです",
                   "a key is 32 bytes written in base64");
      }
      SecretKey key;
      key.id = words[1];
      std::copy(bytes.begin(), bytes.end(), key.bytes.begin());
      internal::Wipe(bytes);
      ring.keys_.push_back(std::move(key));
    } else if (words[0] == "primary" && words.size() == 2) {
      if (!primary.empty()) return bad("primary が2回あります", "primary given twice");
      primary = words[1];
    } else {
      for (auto& word : words) internal::Wipe(word);
      return bad("「key <ID> <base64>」又は「primary <ID>」の行ではありません",
                 "not a \"key <id> <base64>\" or \"primary <id>\" line");
    }
  }
  number = 0;
  if (primary.empty()) {
    return KeyFileError(ErrorCode::kInvalidArgument, path, "primary の行がありません",
                        "has no primary line");
  }
  if (!ring.Has(primary)) {
    return KeyFileError(ErrorCode::kInvalidArgument, path,
                        "primary の鍵ID " + primary + " の鍵がありません",
                        "primary names key " + primary + ", which the file does not hold");
  }
  ring.primary_ = primary;
  return ring;
}

Status KeyRing::Write(const std::string& path, WriteMode mode) const {
  std::string text =
      "# mamori の秘密情報の暗号鍵（docs/auth.md）。所有者のみ読み書き可（0600）とし、\n"
      "# データベースとは別に保管してください。/ mamori secret keys: keep mode 0600,\n"
      "# apart from the database and its backups.\n";
  for (const auto& key : keys_) {
    text += "key " + key.id + " " +
            Base64(key.bytes.data(), key.bytes.size(), sodium_base64_VARIANT_ORIGINAL) + "\n";
  }
  text += "primary " + primary_ + "\n";
  const std::filesystem::path target(path);
  const std::filesystem::path directory =
      target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string temporary = (directory / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temporary.data());  // mode 0600
  if (fd < 0) {
    const int error = errno;
    internal::Wipe(text);
    return KeyFileError(ErrorCode::kIo, path,
                        std::string("一時ファイルを作成できません: ") + std::strerror(error),
                        std::string("cannot create a temporary file beside it: ") +
                            std::strerror(error));
  }
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) ==
                           static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  internal::Wipe(text);
  ::close(fd);
  int error = 0;
  if (!written) {
    error = errno;
  } else if (mode == WriteMode::kExclusive) {
    // link(2) fails when `path` exists: never overwrite a key by accident.
    if (::link(temporary.c_str(), path.c_str()) != 0) error = errno;
  } else if (::rename(temporary.c_str(), path.c_str()) != 0) {
    error = errno;
  }
  ::unlink(temporary.c_str());  // after link(2), or when something failed
  if (error != 0) {
    if (error == EEXIST) {
      return KeyFileError(ErrorCode::kIo, path, "既にあります（上書きしません）",
                          "exists already (never overwritten)");
    }
    return KeyFileError(ErrorCode::kIo, path, std::string("書き込めません: ") + std::strerror(error),
                        std::string("cannot write: ") + std::strerror(error));
  }
  // The rename is durable once the directory is.
  const int directory_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd >= 0) {
    (void)::fsync(directory_fd);
    ::close(directory_fd);
  }
  return OkStatus();
}

Result<KeyRing> KeyRing::WithNewPrimary() const {
  KeyRing ring(*this);
  MAMORI_TRY(auto key, NewKey());
  while (ring.Has(key.id)) {
    MAMORI_TRY(key, NewKey());
  }
  ring.primary_ = key.id;
  ring.keys_.push_back(std::move(key));
  return ring;
}

KeyRing KeyRing::PrimaryOnly() const {
  KeyRing ring(*this);
  std::erase_if(ring.keys_, [&](const SecretKey& key) { return key.id != primary_; });
  return ring;
}

std::vector<std::string> KeyRing::Ids() const {
  std::vector<std::string> ids;
  for (const auto& key : keys_) ids.push_back(key.id);
  return ids;
}

bool KeyRing::Has(std::string_view id) const { return Find(id) != nullptr; }

const SecretKey* KeyRing::Find(std::string_view id) const {
  for (const auto& key : keys_) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

Result<std::string> KeyRing::Seal(std::string_view plaintext, std::string_view context) const {
  const SecretKey* key = Find(primary_);
  if (key == nullptr || !internal::SodiumReady()) {
    return Error(ErrorCode::kInternal, "暗号鍵がありません", "no primary key");
  }
  const std::string associated = AssociatedData(key->id, context);
  std::string box(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonceBytes, &length, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(associated.data()),
      associated.size(), nullptr, nonce, key->bytes.data());
  return std::string(kSealedPrefix) + key->id + ":" +
         Base64(nonce, kNonceBytes + static_cast<std::size_t>(length),
                sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

Result<std::string> KeyRing::Open(std::string_view sealed, std::string_view context) const {
  if (!IsSealed(sealed) || sealed.size() > kMaxSealedBytes) {
    return CannotOpen(context, "暗号化された形式ではありません", "not a sealed value");
  }
  const std::string id = SealedKeyId(sealed);
  const SecretKey* key = Find(id);
  if (key == nullptr) {
    return CannotOpen(
        context,
        "鍵ID " + id + " の鍵が鍵ファイル " + path_ +
            " にありません（別の鍵ファイル、又はローテーション前の古い鍵ファイルです）",
        "the key file " + path_ + " holds no key " + id +
            " (another ledger's key file, or one older than a rotation)");
  }
  const std::string_view encoded = sealed.substr(kSealedPrefix.size() + id.size() + 1);
  std::string box;
  if (!FromBase64(encoded, sodium_base64_VARIANT_URLSAFE_NO_PADDING, box) ||
      box.size() < kNonceBytes + kTagBytes) {
    return CannotOpen(context, "形式が壊れています", "malformed");
  }
  const std::string associated = AssociatedData(id, context);
  const auto* nonce = reinterpret_cast<const unsigned char*>(box.data());
  std::string plaintext(box.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &length, nullptr,
          nonce + kNonceBytes, box.size() - kNonceBytes,
          reinterpret_cast<const unsigned char*>(associated.data()), associated.size(), nonce,
          key->bytes.data()) != 0) {
    return CannotOpen(context,
                      "認証に失敗しました（改ざん、別の行からの移動、又は鍵の誤り）",
                      "it does not authenticate (altered, moved from another row, or the "
                      "wrong key)");
  }
  plaintext.resize(static_cast<std::size_t>(length));
  return plaintext;
}

bool IsSealed(std::string_view value) { return !SealedKeyId(value).empty(); }

std::string SealedKeyId(std::string_view value) {
  if (!value.starts_with(kSealedPrefix)) return {};
  const std::string_view rest = value.substr(kSealedPrefix.size());
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos || !IsHexId(rest.substr(0, colon))) return {};
  return std::string(rest.substr(0, colon));
}

std::string SecretKeyPath(const std::string& database_path, const std::string& audit_key_path) {
  if (const char* from_environment = std::getenv("MAMORI_SECRET_KEY_FILE");
      from_environment != nullptr && *from_environment != '\0') {
    return from_environment;
  }
  const std::filesystem::path key(audit_key_path);
  const std::string name =
      std::filesystem::path(storage::LocalName(database_path)).filename().string() + ".secret-key";
  return key.has_parent_path() ? (key.parent_path() / name).string() : name;
}

Result<std::shared_ptr<const KeyRing>> LoadKeyRing(const std::string& path) {
  using Stamp = std::tuple<dev_t, ino_t, off_t, std::int64_t, std::int64_t, mode_t>;
  struct Cached {
    Stamp stamp;
    std::shared_ptr<const KeyRing> ring;
  };
  static std::mutex mutex;
  static std::map<std::string, Cached> cache;  // guarded by mutex

  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    // Read names the problem (or finds a file that has just appeared).
    MAMORI_TRY(auto ring, KeyRing::Read(path));
    return std::shared_ptr<const KeyRing>(std::make_shared<const KeyRing>(std::move(ring)));
  }
  const Stamp stamp{info.st_dev,
                    info.st_ino,
                    info.st_size,
                    static_cast<std::int64_t>(info.st_mtim.tv_sec),
                    static_cast<std::int64_t>(info.st_mtim.tv_nsec),
                    info.st_mode};
  {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto found = cache.find(path);
    if (found != cache.end() && found->second.stamp == stamp) return found->second.ring;
  }
  MAMORI_TRY(auto ring, KeyRing::Read(path));
  auto shared = std::make_shared<const KeyRing>(std::move(ring));
  const std::lock_guard<std::mutex> lock(mutex);
  cache[path] = Cached{stamp, shared};
  return std::shared_ptr<const KeyRing>(shared);
}

}  // namespace mamori::auth
