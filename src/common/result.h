// Result<T>: a value or an Error. Errors are values, and ignoring one does not
// compile (leveldb Status, abseil StatusOr, SerenityOS ErrorOr + TRY).
//
// This is the only header that names tl::expected (Debian libexpected-dev):
// g++ 12 has no std::expected in C++20.
//
//   Result<Profile> LoadProfile(...);
//   MAMORI_TRY(auto profile, LoadProfile(path));   // returns the error upward
//   Status Save(...);                               // Status = Result<void>
#pragma once

#include <tl/expected.hpp>
#include <utility>

#include "common/error.h"

namespace mamori {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : inner_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : inner_(tl::unexpect, std::move(error)) {}  // NOLINT

  bool Ok() const { return inner_.has_value(); }
  explicit operator bool() const { return Ok(); }

  T& Value() & { return *inner_; }
  const T& Value() const& { return *inner_; }
  T&& Value() && { return std::move(*inner_); }
  T* operator->() { return &*inner_; }
  const T* operator->() const { return &*inner_; }
  T& operator*() & { return *inner_; }
  const T& operator*() const& { return *inner_; }

  const Error& Err() const& { return inner_.error(); }
  Error&& Err() && { return std::move(inner_.error()); }

 private:
  tl::expected<T, Error> inner_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : inner_(tl::unexpect, std::move(error)) {}  // NOLINT

  bool Ok() const { return inner_.has_value(); }
  explicit operator bool() const { return Ok(); }
  const Error& Err() const& { return inner_.error(); }
  Error&& Err() && { return std::move(inner_.error()); }

 private:
  tl::expected<void, Error> inner_;
};

using Status = Result<void>;

inline Status OkStatus() { return {}; }

}  // namespace mamori

#define MAMORI_CONCAT_INNER(a, b) a##b
#define MAMORI_CONCAT(a, b) MAMORI_CONCAT_INNER(a, b)

// MAMORI_TRY(decl, expr): evaluates `expr` (a Result<T>); on error returns the
// error from the enclosing function, otherwise declares `decl` = the value.
#define MAMORI_TRY(decl, expr) \
  MAMORI_TRY_IMPL(MAMORI_CONCAT(mamori_try_result_, __COUNTER__), decl, expr)
// `decl` is a declaration and `tmp` a name: neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define MAMORI_TRY_IMPL(tmp, decl, expr)        \
  auto tmp = (expr);                            \
  if (!tmp.Ok()) return std::move(tmp).Err();   \
  decl = std::move(tmp).Value()

// MAMORI_TRY_STATUS(expr): for a Status; returns its error if any. A unique
// name per use, so that a lambda inside `expr` may use it again (-Wshadow).
#define MAMORI_TRY_STATUS(expr) \
  MAMORI_TRY_STATUS_IMPL(MAMORI_CONCAT(mamori_try_status_, __COUNTER__), expr)
#define MAMORI_TRY_STATUS_IMPL(tmp, expr)             \
  do {                                                \
    auto tmp = (expr);                                \
    if (!tmp.Ok()) return std::move(tmp).Err();       \
  } while (false)
// NOLINTEND(bugprone-macro-parentheses)
