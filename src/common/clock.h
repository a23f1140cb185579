// Time: a Clock interface so that deadlines and overdue checks are testable,
// and the two text forms mamori uses. Times are stored in UTC as
// "YYYY-MM-DDTHH:MM:SSZ" (sorts as text, both SQLite and PostgreSQL read it)
// and shown in JST (UTC+9, no daylight saving) to municipal users.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mamori {

using TimePoint = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

// A clock that says what it is told; for tests and for replaying history.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint now) : now_(now) {}
  TimePoint Now() const override { return now_; }
  void Set(TimePoint now) { now_ = now; }
  void Advance(std::chrono::seconds by) { now_ += by; }

 private:
  TimePoint now_;
};

// "2026-12-01T06:47:28Z"
std::string FormatUtc(TimePoint time);
// "2026-12-01 15:47:28 JST"
std::string FormatJst(TimePoint time);
// Reads FormatUtc's form; also "YYYY-MM-DD" (midnight UTC) and an offset
// ("+09:00") instead of "Z". Errors name `field`.
Result<TimePoint> ParseTime(std::string_view text, std::string_view field);
// "YYYY-MM-DD" only; errors name `field`.
Result<std::chrono::year_month_day> ParseDate(std::string_view text, std::string_view field);
std::string FormatDate(std::chrono::year_month_day date);

}  // namespace mamori
