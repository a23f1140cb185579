#include "cli/ledger_cli.h"

namespace mamori::cli {

void AddIncidentCommands(CLI::App& /*app*/, LedgerCli& /*cli*/) {}

}  // namespace mamori::cli
