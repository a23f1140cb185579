#include "server/rate_limit.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

namespace mamori::server {

RateLimiter::RateLimiter(RateLimits limits, std::size_t max_keys)
    : limits_(limits), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

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
    entries_.push_front(Entry{key, {}, {}, false});
    index_[key] = entries_.begin();
  }
  Entry& entry = entries_.front();
  while (!entry.times.empty() && entry.times.front() + limits_.window <= now) {
    entry.times.pop_front();
  }
  return &entry;
}

RateLimiter::Answer RateLimiter::CheckLocked(Entry& entry, TimePoint now) const {
  const auto at_least_one = [](std::chrono::seconds seconds) {
    return std::max(seconds, std::chrono::seconds(1));
  };
  if (entry.blocked_until > now) {
    return {Verdict::kRefuse, at_least_one(entry.blocked_until - now)};
  }
  const auto count = static_cast<int>(entry.times.size());
  if (limits_.block.count() == 0 && count >= limits_.block_after) {
    return {Verdict::kRefuse, at_least_one(entry.times.front() + limits_.window - now)};
  }
  if (limits_.delay_after > 0 && count >= limits_.delay_after) {
    return {Verdict::kDelay, {}};
  }
  return {};
}

bool RateLimiter::CountLocked(Entry& entry, TimePoint now) {
  entry.times.push_back(now);
  const auto keep =
      static_cast<std::size_t>(std::max({limits_.delay_after, limits_.block_after, 1}));
  while (entry.times.size() > keep) entry.times.pop_front();
  if (limits_.block.count() == 0 || entry.blocked_until > now ||
      static_cast<int>(entry.times.size()) < limits_.block_after) {
    return false;
  }
  // The block replaces the count: once it runs out the address starts afresh.
  entry.blocked_until = now + limits_.block;
  entry.times.clear();
  return true;
}

RateLimiter::Answer RateLimiter::Check(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  Entry* entry = Find(key, now, false);
  if (entry == nullptr) return {};
  Answer answer = CheckLocked(*entry, now);
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
  return CountLocked(*Find(key, now, true), now);
}

RateLimiter::Answer RateLimiter::Take(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  Entry& entry = *Find(key, now, true);
  Answer answer = CheckLocked(entry, now);
  if (answer.verdict == Verdict::kRefuse) return answer;
  (void)CountLocked(entry, now);
  return {};
}

std::size_t RateLimiter::TrackedKeys() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
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
