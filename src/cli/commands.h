// The `mamori` command's subcommands, as functions over streams so that tests
// can run them without spawning a process. main.cc only parses arguments.
//
// Exit codes (docs/cli.md):
//   0  success; every request decided and none denied
//   1  internal error
//   2  usage error (bad flags)
//   3  invalid input: a profile failed to load or a request was invalid
//   4  decide: at least one request was denied (and none invalid)
//   5  audit verify: the audit log or its checkpoints do not verify
//   6  sanitize, sanitize-mail, mamori-sanitize: the file was refused
//   7  netcheck config: at least one violation of the profile's flows,
//      definite or possible (netcheck_commands.cc)
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mamori::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,
  kExitUsage = 2,
  kExitInvalidInput = 3,
  kExitDenied = 4,
  kExitVerifyFailed = 5,
  kExitRefused = 6,
  kExitViolation = 7,
};

enum class OutputFormat { kJson, kText };

struct DecideOptions {
  std::string profile_path;
  bool explain = false;
  OutputFormat format = OutputFormat::kJson;
};

// `mamori policy check FILE... [--json]`: loads each profile; prints "OK"
// lines with the checklist's coverage (点検項目 N 件、対策基準の条項 M 件中 K 件
// を網羅) and the clauses that have rules but no check item, as a warning, to
// `out`; every diagnostic to `err`. With kJson, `out` gets one JSON object
// {"profiles": [...]} instead of the text lines.
int PolicyCheck(const std::vector<std::string>& files, std::ostream& out, std::ostream& err,
                OutputFormat format = OutputFormat::kText);

// `mamori policy show FILE`: the Japanese summary of the resolved profile.
int PolicyShow(const std::string& file, std::ostream& out, std::ostream& err);

// `mamori netcheck config FILE... --zones FILE [--vendor V] [--profile P]`:
// reads the rule sets (vendor auto: nft -j JSON, iptables-save, FortiGate,
// PAN-OS XML or YAMAHA RTX, told apart by their content), the
// address plan and the profile, and checks the forward path against the
// profile's flows (src/netcheck/check.h). Prints the Japanese report, or
// JSON with `json`. Exit 0 (no violation), 7 (a violation), 3 (invalid
// input: a rule set, the zones or the profile), 2 (unknown vendor).
struct NetcheckOptions {
  std::vector<std::string> configs;
  std::string zones;
  std::string vendor = "auto";  // auto | nft | iptables | fortigate | panos | rtx
  std::string profile;
  bool json = false;
};
int NetcheckConfig(const NetcheckOptions& options, std::ostream& out, std::ostream& err);

// `mamori netcheck eval FILE... --packets FILE [--vendor V] [--json]`: each
// packet of the JSON Lines file through the rule sets' forward path
// (netcheck::EvaluateForward), one line out per packet: accept / drop /
// reject, the deciding rule (file:line) and whether a rule not modelled
// exactly makes it only "possible". Exit 0; 3 for invalid input, every bad
// line named.
struct NetcheckEvalOptions {
  std::vector<std::string> configs;
  std::string packets;
  std::string vendor = "auto";
  bool json = false;
};
int NetcheckEval(const NetcheckEvalOptions& options, std::ostream& out, std::ostream& err);

// `mamori netcheck flows FILE... --zones Z [--format F] [--config RULESET...
// --vendor V] [--json]`: flow logs (nfdump CSV, Zeek conn.log TSV / JSON,
// FortiGate or PAN-OS traffic logs; src/netcheck/flows.h), each flow placed
// in its zones and judged against the profile's flows; with rule sets, each
// violation also through the firewall's forward path. Streams the logs.
// Exit 0 (no violation), 7 (a violation), 3 (invalid input).
struct NetcheckFlowsOptions {
  std::vector<std::string> logs;
  std::string zones;
  std::string format = "auto";  // auto | nfdump | zeek | fortigate | panos
  std::vector<std::string> configs;
  std::string vendor = "auto";
  std::string profile;
  bool json = false;
};
int NetcheckFlows(const NetcheckFlowsOptions& options, std::ostream& out, std::ostream& err);

// `mamori netcheck listen`: the live collector (IPFIX or NetFlow v9 over UDP).
struct NetcheckListenOptions {
  std::string ipfix;       // ADDRESS:PORT
  std::string netflow_v9;  // ADDRESS:PORT
  std::string zones;
  std::vector<std::string> configs;
  std::string vendor = "auto";
  std::string profile;
  bool json = false;
  int alert_interval = 3600;     // seconds between two alerts of one violation group
  int max_alerts_per_hour = 20;  // over all groups
  std::string incident_as;       // record each alert as an incident reported by this person
  std::uint64_t max_flows = 0;   // stop after this many flows; 0: until a signal
  int receive_buffer = 4 << 20;  // SO_RCVBUF, bytes; 0: the system's default
};

// `mamori decide --profile FILE`: reads one JSON request, or JSON Lines, from
// `in`; writes one decision (or error object) per request to `out`.
int Decide(const DecideOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace mamori::cli
