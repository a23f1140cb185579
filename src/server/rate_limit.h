// Counting events per key (a client's address) in a sliding window, to slow
// down and then refuse whoever causes too many: failed sign-ins by address
// (the profile's [auth], 6.2(1)②) and reports through the residents' form
// (ApiOptions::public_reports_per_hour). One mechanism for both.
//
// Memory is bounded: a key keeps at most max(delay_after, block_after)
// times, and at most `max_keys` keys are tracked; past that the key used
// least recently is forgotten (an attacker who rotates through more
// addresses than that is no longer slowed per address — the per-account
// lockout of [passwords] still holds).
//
// Times come from the caller (the ledger's clock), so tests control them.
//
// Several server processes on one database share the counts through a
// RateStore (the ledger's rate_limits table, Api::Api): an address that
// fails on one server and then another is counted once, in one place. The
// delay slot stays in each process (it limits that process's sleeping
// threads). Should the store fail, the process counts on its own.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/result.h"

namespace mamori::ledger {
class Ledger;
}

namespace mamori::server {

struct RateLimits {
  // Events in the window from which Check answers kDelay; 0: never delays.
  int delay_after = 0;
  // Events in the window at which the key is refused.
  int block_after = 1;
  std::chrono::seconds window{3600};
  // How long a refusal lasts from the event that reached block_after; the
  // events are then forgotten. 0: refused while the window holds
  // block_after events (a plain sliding window).
  std::chrono::seconds block{0};
};

// A key's state as stored: its event times (oldest first) and the end of
// its block.
struct RateState {
  std::deque<TimePoint> times;
  TimePoint blocked_until{};
};

// Shared counts: runs `update` on the stored state of (`limiter`, `key`)
// and stores the result, atomically with respect to every other process.
// States untouched since `stale_before` (window and block both over) may be
// forgotten.
using RateStore =
    std::function<Status(std::string_view limiter, const std::string& key, TimePoint now,
                         TimePoint stale_before, const std::function<void(RateState&)>& update)>;

// A RateStore over the ledger's rate_limits table, on a connection of its
// own opened by `open` when first needed (used under the limiter's lock).
using LedgerOpener = std::function<Result<std::unique_ptr<ledger::Ledger>>()>;
RateStore LedgerRateStore(LedgerOpener open);

class RateLimiter {
 public:
  explicit RateLimiter(RateLimits limits, std::size_t max_keys = 10000);
  // Counts shared through `store` under the name `name` (see above).
  RateLimiter(RateLimits limits, std::size_t max_keys, std::string name, RateStore store);

  enum class Verdict { kAllow, kDelay, kRefuse };
  struct Answer {
    Verdict verdict = Verdict::kAllow;
    // For kRefuse: when to try again (at least 1 s; for Retry-After).
    std::chrono::seconds retry_after{0};
  };

  // What to do with the next event of `key`, without counting it. kDelay
  // takes the key's one delay slot: the caller answers after its delay and
  // then calls EndDelay(key); while the slot is taken, Check answers
  // kRefuse, so one address cannot tie up many server threads sleeping.
  Answer Check(const std::string& key, TimePoint now);
  void EndDelay(const std::string& key);
  // Counts one event of `key`; true when it began a block (block > 0), i.e.
  // once per block, for the audit event.
  bool Count(const std::string& key, TimePoint now);
  // Check and, unless refused, Count at once (no delay phase): the
  // residents' form.
  Answer Take(const std::string& key, TimePoint now);

  std::size_t TrackedKeys() const;
  const RateLimits& Limits() const { return limits_; }

 private:
  struct Entry {
    std::string key;
    RateState state;        // times within the window; here or a copy of the store's
    bool delaying = false;  // the delay slot is taken
  };
  using Entries = std::list<Entry>;  // most recently used first

  // The entry of `key`, made most recently used; created (evicting the
  // least recently used one when full) unless `create` is false.
  Entry* Find(const std::string& key, TimePoint now, bool create);
  void Prune(RateState& state, TimePoint now) const;
  Answer CheckState(const RateState& state, TimePoint now) const;
  bool CountState(RateState& state, TimePoint now) const;
  // Runs `update` on the key's state: the store's when there is one (and it
  // answers), else `entry`'s.
  void WithState(Entry& entry, TimePoint now, const std::function<void(RateState&)>& update);

  const RateLimits limits_;
  const std::size_t max_keys_;
  const std::string name_;
  const RateStore store_;
  mutable std::mutex mutex_;
  Entries entries_;                                           // guarded by mutex_
  std::unordered_map<std::string, Entries::iterator> index_;  // guarded by mutex_
};

// The key of a client address: an IPv6 address counts by its /64 (one
// customer's network, which a single attacker may fill with addresses);
// IPv4 (also IPv4-mapped IPv6) and anything unreadable as it is.
std::string AddressKey(const std::string& remote_addr);

}  // namespace mamori::server
