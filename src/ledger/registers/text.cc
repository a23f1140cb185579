#include "ledger/registers/text.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/clock.h"

namespace mamori::ledger::registers {

std::string_view TrimView(std::string_view text) {
  for (;;) {
    const std::size_t before = text.size();
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' ||
                             text.front() == '\n')) {
      text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                             text.back() == '\n')) {
      text.remove_suffix(1);
    }
    // U+3000 IDEOGRAPHIC SPACE, which Japanese input methods type.
    if (text.size() >= 3 && text.substr(0, 3) == "\xE3\x80\x80") text.remove_prefix(3);
    if (text.size() >= 3 && text.substr(text.size() - 3) == "\xE3\x80\x80") text.remove_suffix(3);
    if (text.size() == before) return text;
  }
}

// Full-width ASCII (U+FF01..U+FF5E, as typed in Japanese input mode) to
// ASCII, for values that are ids, numbers or dates: "Ａ" → "A", "２０２６" → "2026".
std::string HalfWidth(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 == 0xEF && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      const unsigned code = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 && code >= 0xFF01 && code <= 0xFF5E) {
        out.push_back(static_cast<char>(code - 0xFF01 + 0x21));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// Items of a list cell: separated by ';', '；' or line breaks (not '、',
// which handling-restriction titles contain).
std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  std::string current;
  auto flush = [&] {
    const auto item = TrimView(current);
    if (!item.empty()) items.emplace_back(item);
    current.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ';' || text[i] == '\n' || text[i] == '\r') {
      flush();
    } else if (text.substr(i, 3) == "\xEF\xBC\x9B") {  // ；
      flush();
      i += 2;
    } else {
      current.push_back(text[i]);
    }
  }
  flush();
  return items;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// Dates as Excel users write them: 2026-04-01, 2026/4/1, or an Excel date
// serial (what an XLSX date cell holds; day 1 = 1900-01-01, with Excel's
// 1900 leap-year bug, so serials count from 1899-12-30).
std::string NormalizeDate(const std::string& text) {
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
  if (digits && text.size() <= 7) {
    const long serial = std::stol(text);
    if (serial >= 1 && serial <= 2958465) {
      const auto day =
          std::chrono::sys_days(std::chrono::year(1899) / 12 / 30) + std::chrono::days(serial);
      return FormatDate(std::chrono::year_month_day(day));
    }
    return text;
  }
  // Y/M/D or Y-M-D with one- or two-digit month and day.
  int parts[3] = {0, 0, 0};
  int part = 0;
  int length = 0;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      parts[part] = parts[part] * 10 + (c - '0');
      if (++length > 4) return text;
    } else if ((c == '/' || c == '-') && part < 2 && length > 0) {
      ++part;
      length = 0;
    } else {
      return text;
    }
  }
  if (part != 2 || length == 0 || parts[0] < 1000) return text;
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", parts[0], parts[1], parts[2]);
  return buffer;
}

}  // namespace mamori::ledger::registers
