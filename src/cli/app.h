// The whole `mamori` command line as a function, so that main(), `mamori
// batch` and tests run the same code.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "common/clock.h"

namespace mamori::cli {

// Runs one command line (`args` without the program name). `in` is standard
// input for commands that read it.
int RunMamori(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
              std::ostream& err, const Clock& clock);

}  // namespace mamori::cli
