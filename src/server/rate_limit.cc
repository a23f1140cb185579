#include "server/rate_limit.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "ledger/ledger.h"

namespace mamori::server {

RateLimiter::RateLimiter(RateLimits limits, std::size_t max_keys)
    : limits_(limits), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

RateLimiter::RateLimiter(RateLimits limits, std::size_t max_keys, std::string name,
                         RateStore store)
    : limits_(limits),
      max_keys_(std::max<std::size_t>(max_keys, 1)),
      name_(std::move(name)),
      store_(std::move(store)) {}

void RateLimiter::Prune(RateState& state, TimePoint now) const {
  while (!state.times.empty() && state.times.front() + limits_.window <= now) {
    state.times.pop_front();
  }
}

void RateLimiter::WithState(Entry& entry, TimePoint now,
                            const std::function<void(RateState&)>& update) {
  if (store_) {
    const Status stored =
        store_(name_, entry.key, now, now - limits_.window - limits_.block, [&](RateState& state) {
      Prune(state, now);
      update(state);
    });
    if (stored.Ok()) return;
  }
  Prune(entry.state, now);
  update(entry.state);
}

RateLimiter::Entry* RateLimiter::Find(const std::string& key, TimePoint now, bool create) {
  const auto it = index_.find(key);
  if (it != index_.end()) {
    entries_.splice(entries_.begin(), entries_, it->second);
  } else {
    if (!create) return nullptr;
    if (entries_.size() >= max_keys_) {
      index_.erase(entries_.back().key);
      entries_.pop_back();
    }
    entries_.push_front(Entry{key, {}, false});
    index_[key] = entries_.begin();
  }
  Entry& entry = entries_.front();
  Prune(entry.state, now);
  return &entry;
}

RateLimiter::Answer RateLimiter::CheckState(const RateState& state, TimePoint now) const {
  const auto at_least_one = [](std::chrono::seconds seconds) {
    return std::max(seconds, std::chrono::seconds(1));
  };
  if (state.blocked_until > now) {
    return {Verdict::kRefuse, at_least_one(std::chrono::ceil<std::chrono::seconds>(
                                  state.blocked_until - now))};
  }
  const auto count = static_cast<int>(state.times.size());
  if (limits_.block.count() == 0 && count >= limits_.block_after) {
    return {Verdict::kRefuse, at_least_one(std::chrono::ceil<std::chrono::seconds>(
                                  state.times.front() + limits_.window - now))};
  }
  if (limits_.delay_after > 0 && count >= limits_.delay_after) {
    return {Verdict::kDelay, {}};
  }
  return {};
}

bool RateLimiter::CountState(RateState& state, TimePoint now) const {
  state.times.push_back(now);
  const auto keep =
      static_cast<std::size_t>(std::max({limits_.delay_after, limits_.block_after, 1}));
  while (state.times.size() > keep) state.times.pop_front();
  if (limits_.block.count() == 0 || state.blocked_until > now ||
      static_cast<int>(state.times.size()) < limits_.block_after) {
    return false;
  }
  // The block replaces the count: once it runs out the address starts afresh.
  state.blocked_until = now + limits_.block;
  state.times.clear();
  return true;
}

RateLimiter::Answer RateLimiter::Check(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  // Shared counts may exist for a key this process has not seen.
  Entry* entry = Find(key, now, static_cast<bool>(store_));
  if (entry == nullptr) return {};
  Answer answer;
  WithState(*entry, now, [&](RateState& state) { answer = CheckState(state, now); });
  if (answer.verdict == Verdict::kDelay) {
    if (entry->delaying) return {Verdict::kRefuse, std::chrono::seconds(1)};
    entry->delaying = true;
  }
  return answer;
}

void RateLimiter::EndDelay(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(key);
  if (it != index_.end()) it->second->delaying = false;
}

bool RateLimiter::Count(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  bool began_block = false;
  WithState(*Find(key, now, true), now,
            [&](RateState& state) { began_block = CountState(state, now); });
  return began_block;
}

RateLimiter::Answer RateLimiter::Take(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  Answer answer;
  WithState(*Find(key, now, true), now, [&](RateState& state) {
    answer = CheckState(state, now);
    if (answer.verdict != Verdict::kRefuse) (void)CountState(state, now);
  });
  return answer.verdict == Verdict::kRefuse ? answer : Answer{};
}

std::size_t RateLimiter::TrackedKeys() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

namespace {

std::int64_t Seconds(TimePoint time) { return time.time_since_epoch().count(); }
TimePoint FromSeconds(std::int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

// "t1,t2,…" (epoch seconds, oldest first).
std::deque<TimePoint> ParseTimes(std::string_view text) {
  std::deque<TimePoint> times;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    std::int64_t value = 0;
    if (std::from_chars(item.data(), item.data() + item.size(), value).ec == std::errc()) {
      times.push_back(FromSeconds(value));
    }
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return times;
}

std::string FormatTimes(const std::deque<TimePoint>& times) {
  std::string text;
  for (const TimePoint time : times) {
    if (!text.empty()) text += ',';
    text += std::to_string(Seconds(time));
  }
  return text;
}

}  // namespace

RateStore LedgerRateStore(LedgerOpener open) {
  auto connection = std::make_shared<std::unique_ptr<ledger::Ledger>>();
  return [open = std::move(open), connection](std::string_view limiter, const std::string& key,
                                              TimePoint now, TimePoint stale_before,
                                              const std::function<void(RateState&)>& update) -> Status {
    if (!*connection) {
      MAMORI_TRY(*connection, open());
    }
    storage::Database& db = (*connection)->Db();
    const std::string name(limiter);
    const auto read = [&]() -> Result<RateState> {
      MAMORI_TRY(const auto rows,
                 db.Query("SELECT times, blocked_until FROM rate_limits WHERE limiter = ? AND "
                          "subject = ?",
                          {name, key}));
      RateState state;
      if (!rows.empty()) {
        state.times = ParseTimes(rows.front().Text(0));
        state.blocked_until = FromSeconds(rows.front().Int(1));
      }
      return state;
    };
    // Most checks change nothing (an address with no failures): answered
    // from a read, without a write transaction.
    {
      MAMORI_TRY(const RateState stored, read());
      RateState state = stored;
      update(state);
      if (state.times == stored.times && state.blocked_until == stored.blocked_until) {
        return OkStatus();
      }
    }
    return db.Transaction([&]() -> Status {
      MAMORI_TRY(RateState state, read());  // again, under the writers' lock
      update(state);
      // What no longer counts is forgotten: this key's, and any key's untouched
      // since both its window and block are over (an address seen once).
      MAMORI_TRY_STATUS(db.Execute("DELETE FROM rate_limits WHERE limiter = ? AND updated < ?",
                                   {name, Seconds(stale_before)}));
      if (state.times.empty() && state.blocked_until <= now) {
        return db.Execute("DELETE FROM rate_limits WHERE limiter = ? AND subject = ?", {name, key});
      }
      return db.Execute(
          "INSERT INTO rate_limits (limiter, subject, times, blocked_until, updated) VALUES (?, ?, "
          "?, ?, ?) ON CONFLICT (limiter, subject) DO UPDATE SET times = excluded.times, "
          "blocked_until = excluded.blocked_until, updated = excluded.updated",
          {name, key, FormatTimes(state.times), Seconds(state.blocked_until), Seconds(now)});
    });
  };
}

std::string AddressKey(const std::string& remote_addr) {
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET6, remote_addr.c_str(), bytes.data()) != 1) return remote_addr;
  const bool mapped = std::all_of(bytes.begin(), bytes.begin() + 10,
                                  [](unsigned char byte) { return byte == 0; }) &&
                      bytes[10] == 0xff && bytes[11] == 0xff;
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (mapped) {
    if (inet_ntop(AF_INET, bytes.data() + 12, text.data(), text.size()) == nullptr) {
      return remote_addr;
    }
    return text.data();
  }
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  if (inet_ntop(AF_INET6, bytes.data(), text.data(), text.size()) == nullptr) return remote_addr;
  return std::string(text.data()) + "/64";
}

}  // namespace mamori::server
