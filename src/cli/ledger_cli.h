// The ledger's subcommands (`mamori init`, `org`, `register`, `request`,
// `exception`, `incident`, `violation`, `training`, `audit`). Each area adds
// its subcommands to the CLI11 app in its own file; they share LedgerCli for
// the common options (--db, --profile, --json) and for opening the ledger,
// printing errors and choosing exit codes.
//
// A subcommand's callback runs the command and stores the exit code in
// LedgerCli::exit_code; main() returns it. Commands print Japanese text by
// default and JSON with --json.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "cli/output.h"
#include "common/clock.h"
#include "ledger/ledger.h"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}

namespace mamori::cli {

struct LedgerCli : Output {
  LedgerCli(std::ostream& out_stream, std::ostream& err_stream, const Clock& now)
      : Output(out_stream, err_stream), clock(now) {}

  // Common options (on the top-level app: `mamori --db F register list ...`).
  std::string db = "mamori.db";  // or $MAMORI_DB
  std::string key;               // default: <db>.audit-key
  std::string profile;           // override the profile recorded at init

  const Clock& clock;

  ledger::LedgerPaths Paths() const;
  // Opens the ledger; on failure prints the error and sets exit_code.
  std::unique_ptr<ledger::Ledger> Open(bool read_only = false);
  // Runs `body` with an open ledger, prints its error if any, and signs a
  // checkpoint after a successful command.
  void WithLedger(const std::function<Status(ledger::Ledger&)>& body, bool read_only = false);
};

// OK when `actor` (--as) is today the chief officer or the deputy (6.2(1)),
// who administer accounts and keys; otherwise an error on "as" that says
// `what_ja` / `what_en` is theirs to do.
Status RequireChiefOrDeputy(ledger::Ledger& ledger, const std::string& actor,
                            std::string_view what_ja, std::string_view what_en);

// Adds the subcommands of each area to `app`. The callbacks capture `cli`.
void AddLedgerCoreCommands(CLI::App& app, LedgerCli& cli);  // init, org, audit
void AddRegisterCommands(CLI::App& app, LedgerCli& cli);    // register ...
void AddWorkflowCommands(CLI::App& app, LedgerCli& cli);    // request, exception, violation
void AddIncidentCommands(CLI::App& app, LedgerCli& cli);    // incident, training
void AddServeCommands(CLI::App& app, LedgerCli& cli);       // serve, account
void AddKeysCommands(CLI::App& app, LedgerCli& cli);        // keys status, keys rotate
void AddNetcheckCommands(CLI::App& app, LedgerCli& cli);    // netcheck config, eval, flows
void AddStorageCommands(CLI::App& app, LedgerCli& cli);     // migrate, copy
void AddTenantCommands(CLI::App& app, LedgerCli& cli);      // tenant add, list, disable, verify
void AddAssessCommands(CLI::App& app, LedgerCli& cli);      // assess campaign, form, finding, probe
// `mamori batch`: runs one command line per input line (a JSON array of
// arguments), each in its own transaction, printing "ok N" after each commit.
void AddBatchCommand(CLI::App& app, LedgerCli& cli, std::istream& in);

}  // namespace mamori::cli
