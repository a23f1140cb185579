// The common-password check of 5.4(2) パスワードの取扱い (dictionary_check):
// cracklib's packed dictionary from Debian's cracklib-runtime
// (/var/cache/cracklib/cracklib_dict.{pwd,pwi,hwm}, built from
// /usr/share/dict/cracklib-small and any other word list installed), looked
// up through libcrack2:
//   - FascistLookUser: cracklib's own checks — the word and its usual
//     manglings (reversed, pluralised, capitalised, ...) in the dictionary,
//     too few different characters (its "too systematic" is left to
//     passwords.max_repeat_run);
//   - and the password's core, with the digits and symbols around it
//     stripped and look-alike substitutions undone (P@ssw0rd2026 →
//     password), which cracklib's rules do not try.
// A missing dictionary is an error (never a silent pass): the server checks
// it at start-up (CheckDictionaryAvailable).
//
// Thread safety: a dictionary serializes its look-ups with a mutex
// (libcrack2's look-up keeps state in the open dictionary).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mamori::auth {

// $MAMORI_PASSWORD_DICTIONARY when set and not empty, else cracklib's
// compiled-in default (/var/cache/cracklib/cracklib_dict): the path prefix
// of the .pwd/.pwi/.hwm files.
std::string DefaultDictionaryPath();

class PasswordDictionary {
 public:
  // Opens the dictionary at `prefix`. libcrack2 holds one open dictionary
  // per process: use SharedDictionary, and Open only where none is open.
  // Errors (kNotFound naming the files, in Japanese and English, with the
  // Debian package to install; kIo when libcrack2 refuses to open it).
  static Result<std::unique_ptr<PasswordDictionary>> Open(const std::string& prefix);
  ~PasswordDictionary();
  PasswordDictionary(const PasswordDictionary&) = delete;
  PasswordDictionary& operator=(const PasswordDictionary&) = delete;

  struct Finding {
    std::string ja;  // what is wrong, never quoting the password
    std::string en;
  };
  // Why `password` is guessable, or nullopt. `login` and `name` are given to
  // cracklib's user checks.
  std::optional<Finding> Check(std::string_view password, std::string_view login,
                               std::string_view name) const;

  const std::string& Prefix() const { return prefix_; }

 private:
  PasswordDictionary(std::string prefix, void* handle, unsigned not_found);
  bool Contains(const std::string& word) const;  // with mutex_ held

  std::string prefix_;
  void* handle_;         // PWDICT*; look-ups under mutex_
  unsigned not_found_;   // what FindPW answers for a word it does not hold
  mutable std::mutex mutex_;
};

// The process's dictionary at DefaultDictionaryPath(), opened on first use
// and kept (a failure is not kept: the next call tries again).
Result<const PasswordDictionary*> SharedDictionary();

}  // namespace mamori::auth
