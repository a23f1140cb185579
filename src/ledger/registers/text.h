// Text helpers for cells as municipal staff type them in Excel: surrounding
// spaces (also the ideographic space U+3000), full-width ASCII, dates as
// 2026/4/1 or as an Excel date serial, lists in one cell. Internal to the
// registers folder.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mamori::ledger::registers {

// Without surrounding spaces, tabs, line breaks and U+3000.
std::string_view TrimView(std::string_view text);
// Full-width ASCII (U+FF01..U+FF5E, as typed in Japanese input mode) to
// ASCII: "Ａ" → "A", "２０２６" → "2026". Other characters are kept.
std::string HalfWidth(std::string_view text);
// 2026-04-01, 2026/4/1, 2026-4-1 or an Excel date serial (what an XLSX date
// cell holds: serials count from 1899-12-30 because of Excel's 1900 leap-year
// bug) → "YYYY-MM-DD". Anything else is returned unchanged (for the caller's
// date check to reject).
std::string NormalizeDate(const std::string& text);
// Items of a list cell, trimmed, empty ones dropped: separated by ';', '；' or
// line breaks (not '、', which handling-restriction titles contain).
std::vector<std::string> SplitList(std::string_view text);
std::string Join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace mamori::ledger::registers
