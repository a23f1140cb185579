#include "auth/password.h"

#include <sodium.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "auth/internal.h"
#include "auth/password_dictionary.h"
#include "common/charset.h"

namespace mamori::auth {

static_assert(crypto_pwhash_ALG_DEFAULT == crypto_pwhash_ALG_ARGON2ID13);
static_assert(HashCost{}.ops == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
static_assert(HashCost{}.mem == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
static_assert(HashCost::Fast().ops == crypto_pwhash_argon2id_OPSLIMIT_MIN);
static_assert(HashCost::Fast().mem == crypto_pwhash_argon2id_MEMLIMIT_MIN);

namespace {

// No 0/O, 1/l/I: a temporary password is read off paper or a screen.
constexpr std::string_view kUpper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
constexpr std::string_view kLower = "abcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kDigits = "23456789";
constexpr std::size_t kTemporaryLength = 16;
constexpr std::size_t kTemporaryMaxRun = 2;
constexpr std::size_t kTemporaryMaxSteps = 2;

bool IsAsciiLetter(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsAsciiDigit(unsigned char c) { return c >= '0' && c <= '9'; }
char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A C0 or C1 control character or DEL, in valid UTF-8.
bool HasControl(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

std::size_t CodePoints(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool ContainsIgnoringAsciiCase(std::string_view text, std::string_view part) {
  std::string lower_text(text);
  std::string lower_part(part);
  std::transform(lower_text.begin(), lower_text.end(), lower_text.begin(), AsciiLower);
  std::transform(lower_part.begin(), lower_part.end(), lower_part.begin(), AsciiLower);
  return lower_text.find(lower_part) != std::string::npos;
}

// The code points of valid UTF-8 `text`.
std::vector<char32_t> Decode(std::string_view text) {
  std::vector<char32_t> points;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t point = length == 1 ? lead : length == 2 ? (lead & 0x1Fu) : length == 3 ? (lead & 0x0Fu) : (lead & 0x07u);
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
      point = (point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
    }
    points.push_back(point);
    i += length;
  }
  return points;
}

char32_t FoldCase(char32_t c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

// The longest run of one character, and of an ascending or descending
// sequence (each character one more, or one less, than the one before).
std::size_t LongestRun(std::string_view password) {
  const auto points = Decode(password);
  std::size_t longest = points.empty() ? 0 : 1;
  std::size_t same = 1;
  std::size_t up = 1;
  std::size_t down = 1;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const char32_t previous = FoldCase(points[i - 1]);
    const char32_t current = FoldCase(points[i]);
    same = current == previous ? same + 1 : 1;
    up = current == previous + 1 ? up + 1 : 1;
    down = current + 1 == previous ? down + 1 : 1;
    longest = std::max({longest, same, up, down});
  }
  return longest;
}

// Neighbours one apart (ab, 21), ignoring ASCII case: few of them keep a
// temporary password far from any sequence.
std::size_t Steps(std::string_view password) {
  const auto points = Decode(password);
  std::size_t steps = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const char32_t previous = FoldCase(points[i - 1]);
    const char32_t current = FoldCase(points[i]);
    if (current == previous + 1 || current + 1 == previous) ++steps;
  }
  return steps;
}

bool IsNameSeparator(char32_t c) {
  return c == ' ' || c == '\t' || c == 0x3000 /* 全角空白 */ || c == 0x30FB /* ・ */ ||
         c == '.' || c == '_' || c == '-' || c == '+' || c == ',' || (c >= '0' && c <= '9');
}

// The parts of a name or of an e-mail's local part that a password may not
// contain: ASCII parts of 3 characters or more, other parts (漢字, かな) of 2
// or more.
std::vector<std::string> NameParts(std::string_view name, std::string_view email) {
  std::vector<std::string> parts;
  const auto split = [&](std::string_view text) {
    const auto points = Decode(text);
    std::string part;
    std::size_t length = 0;
    bool ascii = true;
    const auto flush = [&] {
      if (length >= (ascii ? 3u : 2u)) parts.push_back(part);
      part.clear();
      length = 0;
      ascii = true;
    };
    std::size_t offset = 0;
    for (const char32_t point : points) {
      const std::size_t bytes = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
      if (IsNameSeparator(point)) {
        flush();
      } else {
        part.append(text.substr(offset, bytes));
        ++length;
        ascii = ascii && point < 0x80;
      }
      offset += bytes;
    }
    flush();
  };
  split(name);
  split(email.substr(0, email.find('@')));
  return parts;
}

// Every Argon2id computation runs on a few threads of its own, one per two
// cores, at the lowest CPU priority (nice 19). Each costs 64 MiB and tens of
// milliseconds of CPU: a burst of sign-ins, however many arrive at once,
// queues here instead of taking all memory, and never slows the pages that
// others are reading. Callers wait for their result.
class HashingThreads {
 public:
  static HashingThreads& Instance() {
    static HashingThreads threads(std::max(1U, std::thread::hardware_concurrency() / 2));
    return threads;
  }

  template <typename T>
  T Run(std::function<T()> work) {
    std::packaged_task<T()> task(std::move(work));
    std::future<T> result = task.get_future();
    {
      std::lock_guard lock(mutex_);
      queue_.emplace_back([&task] { task(); });
    }
    ready_.notify_one();
    return result.get();
  }

  HashingThreads(const HashingThreads&) = delete;
  HashingThreads& operator=(const HashingThreads&) = delete;
  ~HashingThreads() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) thread.join();
  }

 private:
  explicit HashingThreads(unsigned count) {
    for (unsigned i = 0; i < count; ++i) threads_.emplace_back([this] { Loop(); });
  }

  void Loop() {
    // Linux applies setpriority to one thread when given its thread id. A
    // failure (a sandbox forbidding it) leaves the normal priority.
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

std::string HashPassword(std::string_view password, const HashCost& cost) {
  if (!internal::SodiumReady()) return {};
  return HashingThreads::Instance().Run<std::string>([password, cost]() -> std::string {
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), cost.ops, cost.mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
      return {};
    }
    return std::string(out.data());
  });
}

bool VerifyPassword(std::string_view stored_hash, std::string_view password) {
  if (!internal::SodiumReady()) return false;
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  // crypto_pwhash_str_verify reads a NUL-terminated string.
  std::array<char, crypto_pwhash_STRBYTES> hash{};
  std::copy(stored_hash.begin(), stored_hash.end(), hash.begin());
  return HashingThreads::Instance().Run<bool>([&hash, password] {
    return crypto_pwhash_str_verify(hash.data(), password.data(), password.size()) == 0;
  });
}

std::string GenerateTemporaryPassword() {
  (void)internal::SodiumReady();
  std::string alphabet;
  alphabet.append(kUpper).append(kLower).append(kDigits);
  const auto has_any = [](const std::string& text, std::string_view of) {
    return text.find_first_of(of) != std::string::npos;
  };
  for (;;) {
    std::string password;
    password.reserve(kTemporaryLength);
    for (std::size_t i = 0; i < kTemporaryLength; ++i) {
      password.push_back(
          alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))]);
    }
    // Drawing again (rather than patching a position) keeps every accepted
    // password equally likely.
    // And nothing the checks of a new password refuse by pattern (runs), so
    // that it is never weaker than one.
    if (has_any(password, kUpper) && has_any(password, kLower) && has_any(password, kDigits) &&
        LongestRun(password) <= kTemporaryMaxRun && Steps(password) <= kTemporaryMaxSteps) {
      return password;
    }
  }
}

int RequiredLength(const policy::PasswordPolicy& policy, bool privileged) {
  int length = policy.min_length;
  if (privileged) length = std::max(length, policy.privileged_min_length);
  return std::max(length, 1);
}

Status CheckPasswordDictionary(const policy::PasswordPolicy& policy) {
  if (!policy.dictionary_check) return OkStatus();
  MAMORI_TRY(const auto dictionary, SharedDictionary());
  (void)dictionary;
  return OkStatus();
}

Status CheckNewPassword(const policy::PasswordPolicy& policy, bool privileged,
                        const PasswordOwner& owner, std::string_view password) {
  const std::string_view login = owner.login;
  std::vector<Diagnostic> problems;
  const auto add = [&](std::string ja, std::string en) {
    problems.push_back(
        Diagnostic{Where{"", 0, "new_password"}, std::move(ja) + "（5.4(2)）", std::move(en)});
  };
  const int required = RequiredLength(policy, privileged);
  const std::string subject_ja = privileged ? "特権IDのパスワード" : "パスワード";
  const std::string subject_en = privileged ? "a privileged ID's new_password" : "new_password";
  const std::string required_ja = subject_ja + "は" + std::to_string(required) + "文字以上" +
                                  std::to_string(kMaxPasswordBytes) +
                                  "バイト以内で設定してください";
  const std::string required_en = " (" + std::to_string(required) + " characters at least, " +
                                  std::to_string(kMaxPasswordBytes) + " bytes at most)";
  if (password.empty()) {
    add(required_ja + "（入力がありません）", subject_en + " is empty" + required_en);
    return Error(ErrorCode::kInvalidArgument, std::move(problems));
  }
  if (password.size() > kMaxPasswordBytes) {
    add(required_ja + "（" + std::to_string(password.size()) + "バイトあります）",
        subject_en + " is " + std::to_string(password.size()) + " bytes, too long" + required_en);
    return Error(ErrorCode::kInvalidArgument, std::move(problems));
  }
  if (!IsValidUtf8(password)) {
    add("パスワードに UTF-8 の文字として読めないバイトがあります",
        "new_password is not valid UTF-8");
    return Error(ErrorCode::kInvalidArgument, std::move(problems));
  }
  if (HasControl(password)) {
    add("パスワードに制御文字（改行・タブ等）は使えません",
        "new_password contains a control character (newline, tab, ...)");
  }
  const std::size_t length = CodePoints(password);
  if (length < static_cast<std::size_t>(required)) {
    add(required_ja + "（" + std::to_string(length) + "文字です）",
        subject_en + " has " + std::to_string(length) + " characters, too short" + required_en);
  }
  if (policy.reject_login_or_name) {
    if (!login.empty() && ContainsIgnoringAsciiCase(password, login)) {
      add("パスワードにログインID「" + std::string(login) +
              "」を含めることはできません（passwords.reject_login_or_name）",
          "new_password must not contain the login (passwords.reject_login_or_name)");
    }
    const auto parts = NameParts(owner.name, owner.email);
    if (std::any_of(parts.begin(), parts.end(), [&](const std::string& part) {
          return ContainsIgnoringAsciiCase(password, part);
        })) {
      add("パスワードに氏名（又はメールアドレス）の一部を含めることはできません"
          "（passwords.reject_login_or_name）",
          "new_password must not contain a part of the person's name or e-mail address "
          "(passwords.reject_login_or_name)");
    }
  }
  if (policy.max_repeat_run > 0 &&
      LongestRun(password) > static_cast<std::size_t>(policy.max_repeat_run)) {
    const std::string limit = std::to_string(policy.max_repeat_run);
    add("同じ文字、又は abc・123・cba のような並びを" + limit +
            "文字を超えて続けることはできません（passwords.max_repeat_run = " + limit + "）",
        "new_password must not repeat one character, nor run an ascending or descending "
        "sequence (abc, 123, cba), for more than " +
            limit + " characters (passwords.max_repeat_run = " + limit + ")");
  }
  bool letters = false;
  bool digits = false;
  bool symbols = false;
  for (const char c : password) {
    const auto byte = static_cast<unsigned char>(c);
    if (IsAsciiLetter(byte)) {
      letters = true;
    } else if (IsAsciiDigit(byte)) {
      digits = true;
    } else {
      symbols = true;  // ASCII symbols, spaces and every non-ASCII character
    }
  }
  if (static_cast<int>(letters) + static_cast<int>(digits) + static_cast<int>(symbols) < 2) {
    add("パスワードには英字・数字・記号のうち2種類以上を混ぜてください",
        "new_password must mix at least two of letters, digits and symbols");
  }
  if (policy.dictionary_check) {
    // Not skipped when the dictionary is missing: that is the server's
    // error, and the password is not accepted meanwhile.
    MAMORI_TRY(const auto dictionary, SharedDictionary());
    if (const auto finding = dictionary->Check(password, login, owner.name)) {
      add("パスワードが推測されやすいものです: " + finding->ja +
              "（passwords.dictionary_check）",
          "new_password " + finding->en + " (passwords.dictionary_check)");
    }
  }
  if (problems.empty()) return OkStatus();
  return Error(ErrorCode::kInvalidArgument, std::move(problems));
}

}  // namespace mamori::auth
