#include "auth/password_dictionary.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

// libcrack2 (Debian libcrack2-dev). packer.h declares FindPW and
// FascistLookUser, which take an open dictionary: FascistCheck would open it
// on every call and exit() the process when it cannot (Debian #682735).
#include <crack.h>
extern "C" {
#include <packer.h>
}

#include "auth/internal.h"

namespace mamori::auth {
namespace {

constexpr std::size_t kMinWordLength = 4;  // shorter cores are not looked up

PWDICT* Handle(void* handle) { return static_cast<PWDICT*>(handle); }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsLetter(char c) { return c >= 'a' && c <= 'z'; }

// Look-alike characters people put in place of letters.
char Unleet(char c, char one) {
  switch (c) {
    case '@':
    case '4':
      return 'a';
    case '0':
      return 'o';
    case '1':
    case '!':
    case '|':
      return one;
    case '3':
      return 'e';
    case '$':
    case '5':
      return 's';
    case '7':
    case '+':
      return 't';
    case '9':
      return 'g';
    default:
      return c;
  }
}

// The words to look up for `password`: lower-cased, with look-alikes
// undone, and the same with the digits and symbols at either end stripped.
std::vector<std::string> Candidates(std::string_view password) {
  std::string lower(password);
  for (char& c : lower) c = Lower(c);
  std::vector<std::string> words;
  const auto add = [&](std::string word) {
    if (word.size() >= kMinWordLength && std::find(words.begin(), words.end(), word) == words.end()) {
      words.push_back(std::move(word));
    }
  };
  // The core: from the first to the last letter, ends stripped.
  std::size_t first = 0;
  while (first < lower.size() && !IsLetter(lower[first])) ++first;
  std::size_t last = lower.size();
  while (last > first && !IsLetter(lower[last - 1])) --last;
  const std::string core = lower.substr(first, last - first);
  for (const char one : {'i', 'l'}) {
    std::string unleet_core = core;
    for (char& c : unleet_core) c = Unleet(c, one);
    add(unleet_core);
    // Look-alikes at the ends too (p@ssw0rd → password needs the core first,
    // "4dmin" needs the whole).
    std::string unleet_whole = lower;
    for (char& c : unleet_whole) c = Unleet(c, one);
    std::size_t begin = 0;
    while (begin < unleet_whole.size() && !IsLetter(unleet_whole[begin])) ++begin;
    std::size_t end = unleet_whole.size();
    while (end > begin && !IsLetter(unleet_whole[end - 1])) --end;
    add(unleet_whole.substr(begin, end - begin));
  }
  add(core);
  internal::Wipe(lower);
  return words;
}

// cracklib's reasons (English, as libcrack2 returns them in the C locale),
// in the house's bilingual form. nullopt: a reason covered elsewhere (length).
std::optional<PasswordDictionary::Finding> Translate(std::string_view reason) {
  using Finding = PasswordDictionary::Finding;
  if (reason.find("dictionary word") != std::string_view::npos) {
    return Finding{"よく使われるパスワード又は辞書の語に基づいています",
                   "is based on a common password or a dictionary word"};
  }
  if (reason.find("too short") != std::string_view::npos) return std::nullopt;  // min_length
  if (reason.find("DIFFERENT characters") != std::string_view::npos) {
    return Finding{"使われている文字の種類が少なすぎます（5種類以上にしてください）",
                   "uses too few different characters (5 at least)"};
  }
  // "too simplistic/systematic" counts every pair of neighbours one apart
  // anywhere in the password (more than 4 refuses), which refuses long random
  // passwords by chance; passwords.max_repeat_run is the rule for runs.
  if (reason.find("simplistic") != std::string_view::npos) return std::nullopt;
  if (reason.find("username") != std::string_view::npos ||
      reason.find("password entry") != std::string_view::npos) {
    return Finding{"ログインID又は氏名に基づいています", "is based on the login or the name"};
  }
  if (reason.find("whitespace") != std::string_view::npos) {
    return Finding{"空白だけでできています", "is all whitespace"};
  }
  if (reason.find("National Insurance") != std::string_view::npos) return std::nullopt;  // UK only
  return Finding{"推測されやすいパスワードです（cracklib: " + std::string(reason) + "）",
                 "is easy to guess (cracklib: " + std::string(reason) + ")"};
}

}  // namespace

std::string DefaultDictionaryPath() {
  if (const char* from_environment = std::getenv("MAMORI_PASSWORD_DICTIONARY");
      from_environment != nullptr && *from_environment != '\0') {
    return from_environment;
  }
  return GetDefaultCracklibDict();
}

PasswordDictionary::PasswordDictionary(std::string prefix, void* handle, unsigned not_found)
    : prefix_(std::move(prefix)), handle_(handle), not_found_(not_found) {}

PasswordDictionary::~PasswordDictionary() { PWClose(Handle(handle_)); }

Result<std::unique_ptr<PasswordDictionary>> PasswordDictionary::Open(const std::string& prefix) {
  // Checked first: PWOpen reports a missing file on stderr by itself.
  for (const char* suffix : {".pwd", ".pwi", ".hwm"}) {
    const std::string file = prefix + suffix;
    if (::access(file.c_str(), R_OK) != 0) {
      return Error(ErrorCode::kNotFound,
                   "パスワードの辞書チェック（passwords.dictionary_check、5.4(2)）に使う辞書 " +
                       file +
                       " を読めません。Debian パッケージ cracklib-runtime を入れてください"
                       "（scripts/install-deps.sh）。辞書の場所は $MAMORI_PASSWORD_DICTIONARY "
                       "で変えられます",
                   "cannot read " + file +
                       ", the dictionary of the password check (passwords.dictionary_check, "
                       "5.4(2)); install the Debian package cracklib-runtime "
                       "(scripts/install-deps.sh), or point $MAMORI_PASSWORD_DICTIONARY at it",
                   Where{file, 0, ""});
    }
  }
  char mode[] = "r";
  PWDICT* handle = PWOpen(prefix.c_str(), mode);
  if (handle == nullptr) {
    return Error(ErrorCode::kIo,
                 "パスワードの辞書 " + prefix + " を開けません（壊れているか、既に別の辞書を"
                 "開いています）。update-cracklib で作り直してください",
                 "cannot open the password dictionary " + prefix +
                     " (damaged, or another one is open already); rebuild it with update-cracklib",
                 Where{prefix, 0, ""});
  }
  // FindPW answers the number of words for a word it does not hold; a
  // control character is in no word list.
  char none[] = "\x01";
  const unsigned not_found = FindPW(handle, none);
  return std::unique_ptr<PasswordDictionary>(new PasswordDictionary(prefix, handle, not_found));
}

bool PasswordDictionary::Contains(const std::string& word) const {
  std::string buffer = word;
  const bool found = FindPW(Handle(handle_), buffer.data()) != not_found_;
  internal::Wipe(buffer);
  return found;
}

std::optional<PasswordDictionary::Finding> PasswordDictionary::Check(
    std::string_view password, std::string_view login, std::string_view name) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  std::string buffer(password);
  const std::string user(login);
  const std::string gecos(name);
  // A gecos (even empty) keeps cracklib from looking the login up in the
  // system's password file.
  const char* reason = FascistLookUser(Handle(handle_), buffer.data(), user.c_str(), gecos.c_str());
  internal::Wipe(buffer);
  if (reason != nullptr) {
    if (auto finding = Translate(reason)) return finding;
  }
  auto candidates = Candidates(password);
  bool found = false;
  for (auto& word : candidates) {
    found = found || Contains(word);
    internal::Wipe(word);
  }
  if (found) {
    return Finding{"よく使われるパスワード又は辞書の語に基づいています（前後の数字・記号や "
                   "@→a のような置き換えを除くと辞書の語です）",
                   "is based on a common password or a dictionary word (once the digits and "
                   "symbols around it and look-alikes such as @ for a are taken away)"};
  }
  return std::nullopt;
}

Result<const PasswordDictionary*> SharedDictionary() {
  static std::mutex mutex;
  static std::unique_ptr<PasswordDictionary> shared;  // guarded by mutex; never replaced
  const std::lock_guard<std::mutex> lock(mutex);
  if (!shared) {
    MAMORI_TRY(shared, PasswordDictionary::Open(DefaultDictionaryPath()));
  }
  return static_cast<const PasswordDictionary*>(shared.get());
}

}  // namespace mamori::auth
