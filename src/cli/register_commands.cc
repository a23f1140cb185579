#include "cli/ledger_cli.h"

namespace mamori::cli {

void AddRegisterCommands(CLI::App& /*app*/, LedgerCli& /*cli*/) {}

}  // namespace mamori::cli
