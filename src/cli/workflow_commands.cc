#include "cli/ledger_cli.h"

namespace mamori::cli {

void AddWorkflowCommands(CLI::App& /*app*/, LedgerCli& /*cli*/) {}

}  // namespace mamori::cli
