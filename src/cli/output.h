// What every mamori program prints through: its two streams, --json, the
// exit code, and the one way an error is printed (every diagnostic, "where:
// 日本語 / English", or a JSON object with --json).
#pragma once

#include <iosfwd>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"

namespace mamori::cli {

struct Output {
  Output(std::ostream& out_stream, std::ostream& err_stream) : out(out_stream), err(err_stream) {}

  bool json = false;
  std::ostream& out;
  std::ostream& err;
  int exit_code = 0;

  // Prints `error` and sets the exit code: 3 for invalid input or not found,
  // 1 otherwise.
  void Fail(const Error& error);
  // Prints `value` as JSON (one line) — used by --json output.
  void PrintJson(const nlohmann::json& value);
};

}  // namespace mamori::cli
