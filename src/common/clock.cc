#include "common/clock.h"

#include <charconv>
#include <cstdio>

namespace mamori {
namespace {

constexpr auto kJstOffset = std::chrono::hours(9);

Error BadTime(std::string_view field, std::string_view text) {
  return Error(ErrorCode::kInvalidArgument,
               "日時の形式が不正です（YYYY-MM-DDTHH:MM:SSZ 又は YYYY-MM-DD）: \"" +
                   std::string(text) + "\"",
               "malformed time (expected YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD): \"" +
                   std::string(text) + "\"",
               {"", 0, std::string(field)});
}

// Reads exactly `width` digits at `pos`.
bool Digits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > text.size()) return false;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const auto* begin = text.data() + pos;
  return std::from_chars(begin, begin + width, out).ec == std::errc();
}

std::string Format(TimePoint time, const char* pattern, const char* suffix) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{time - day};
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, pattern, static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()), suffix);
  return buffer;
}

}  // namespace

TimePoint SystemClock::Now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string FormatUtc(TimePoint time) { return Format(time, "%04d-%02u-%02uT%02d:%02d:%02d%s", "Z"); }

std::string FormatJst(TimePoint time) {
  return Format(time + kJstOffset, "%04d-%02u-%02u %02d:%02d:%02d%s", " JST");
}

Result<std::chrono::year_month_day> ParseDate(std::string_view text, std::string_view field) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (text.size() != 10 || !Digits(text, 0, 4, year) || text[4] != '-' ||
      !Digits(text, 5, 2, month) || text[7] != '-' || !Digits(text, 8, 2, day)) {
    return BadTime(field, text);
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) {
    return Error(ErrorCode::kInvalidArgument, "存在しない日付です: \"" + std::string(text) + "\"",
                 "no such date: \"" + std::string(text) + "\"", {"", 0, std::string(field)});
  }
  return date;
}

std::string FormatDate(std::chrono::year_month_day date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

Result<TimePoint> ParseTime(std::string_view text, std::string_view field) {
  MAMORI_TRY(const auto date, ParseDate(text.substr(0, std::min<std::size_t>(10, text.size())), field));
  TimePoint time{std::chrono::sys_days(date)};
  if (text.size() == 10) return time;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (text.size() < 20 || text[10] != 'T' || !Digits(text, 11, 2, hour) || text[13] != ':' ||
      !Digits(text, 14, 2, minute) || text[16] != ':' || !Digits(text, 17, 2, second) ||
      hour > 23 || minute > 59 || second > 59) {
    return BadTime(field, text);
  }
  time += std::chrono::hours(hour) + std::chrono::minutes(minute) + std::chrono::seconds(second);
  const std::string_view zone = text.substr(19);
  if (zone == "Z") return time;
  int offset_hours = 0;
  int offset_minutes = 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !Digits(zone, 1, 2, offset_hours) ||
      zone[3] != ':' || !Digits(zone, 4, 2, offset_minutes) || offset_hours > 14 ||
      offset_minutes > 59) {
    return BadTime(field, text);
  }
  const auto offset = std::chrono::hours(offset_hours) + std::chrono::minutes(offset_minutes);
  return zone[0] == '+' ? time - offset : time + offset;
}

}  // namespace mamori
