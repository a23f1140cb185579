// The sanitizing gateway (3(2)① ウ): watches an inbox on the internet side,
// writes sanitized files to the LGWAN side and moves refused ones to
// quarantine with their report.
//
// Crash safety — the gateway may be killed at any moment (SIGKILL, power
// loss) and, once restarted, neither loses nor duplicates a file:
//   1. claim:   rename inbox/F → inbox/.mamori-work/<id> (atomic, same
//               filesystem); a file is only ever processed from the work dir;
//   2. process: sanitize in a child process (hard memory and time limits;
//               a crash of a parser library is a refusal, not a gateway crash);
//               the output goes to out/.mamori-tmp-<id>, fsynced;
//   3. decide:  the result (verdict, final name) is written to
//               .mamori-work/<id>.result and fsynced — the point of no return;
//   4. publish: rename the output to its final name in out/ (or the input and
//               its report into quarantine/); the name was chosen in step 3,
//               so repeating this step after a crash overwrites nothing else;
//   5. record:  one event per file (the ledger's audit log, or a JSON line);
//               the event's key is <id>, so a repeated step 5 is recognized;
//   6. forget:  remove .mamori-work/<id> and <id>.result.
// On start, unfinished work items are completed from the step their files
// show. Only one gateway may use an inbox at a time (a lock file).
//
// Writers must put files into the inbox atomically (write elsewhere on the
// same filesystem, then rename); names starting with '.' or ending in
// ".part", ".tmp" or ".crdownload" are ignored as incomplete.
#pragma once

#include <functional>
#include <string>

#include "common/result.h"
#include "sanitize/sanitize.h"

namespace mamori::gateway {

struct Options {
  std::string inbox;
  std::string outbox;
  std::string quarantine;
  sanitize::Settings settings;
  bool isolate = true;  // sanitize each file in a child process
};

// What happened to one file, for the event log.
struct FileEvent {
  std::string id;           // the work item id (unique per claimed file)
  std::string name;         // the name it arrived with
  std::string verdict;      // sanitized | clean | refused
  std::string destination;  // the path it was written to
  std::string report_json;  // the sanitizer's report
};

// Called once per finished file (step 5). It must be idempotent for the same
// FileEvent::id: after a crash it may be called again for the same file.
using EventSink = std::function<Status(const FileEvent&)>;

class Gateway {
 public:
  Gateway(Options options, EventSink sink);

  // Takes the lock and finishes any work items a previous run left.
  Status Start();
  // Processes every complete file now in the inbox; returns how many.
  Result<int> ProcessInbox();

 private:
  Status Finish(const std::string& id);
  Status Process(const std::string& id, const std::string& original_name);

  Options options_;
  EventSink sink_;
  std::string work_;
  int lock_fd_ = -1;
};

}  // namespace mamori::gateway
