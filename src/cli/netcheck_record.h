// `mamori netcheck config … --record`: the check's run written to the ledger
// (issue 12, "each run is recorded … violations become findings"): one audit
// event "netcheck.run" holding the inputs' SHA-256, the profile and the
// result per zone pair, and a finding in the findings register (source
// netcheck, src/assess/findings.h) for each violation not already open —
// re-running the check every night does not pile up findings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "ledger/ledger.h"
#include "netcheck/check.h"

namespace mamori::cli {

struct NetcheckRecordInput {
  std::vector<std::string> files;  // rule sets and the zones file, as read
  std::string actor;               // who ran the check (--as)
  std::string owner;               // the findings' owner; empty: the actor
};

struct NetcheckRecordResult {
  std::vector<std::int64_t> new_findings;
  std::vector<std::int64_t> open_findings;  // the same violation, already open
};

// One Ledger::Change. Errors: unreadable files (kNotFound), the actor or
// owner not allowed to add findings (kInvalidArgument, from AddFinding);
// nothing is stored then.
Result<NetcheckRecordResult> RecordCheck(ledger::Ledger& ledger, const netcheck::CheckReport& report,
                                         const NetcheckRecordInput& input);

}  // namespace mamori::cli
