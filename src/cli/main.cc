// mamori: the command-line front door. This is one of the two places that
// catch exceptions (the server's dispatcher is the other).
#include <exception>
#include <iostream>

#include "cli/app.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const mamori::SystemClock clock;
    return mamori::cli::RunMamori(args, std::cin, std::cout, std::cerr, clock);
  } catch (const std::exception& error) {
    std::cerr << "内部エラー / internal error: " << error.what() << "\n";
  } catch (...) {
    std::cerr << "内部エラー / internal error\n";
  }
  return mamori::cli::kExitInternal;
}
