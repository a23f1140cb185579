// Entry logs of controlled areas (管理区域の入退室記録), 4.2(2):
//  ① who entered, when they came in and went out, and why;
//  ② that they carried identification (身分証明書等);
//  ③ a visitor from outside is escorted by a person allowed to enter.
// Staff and contractors are named by their person code; a visitor by name and
// organization, and must have an escort. Each entry and exit is an audited
// change ("area_entry.enter" / "area_entry.exit").
//
// Thread safety: as Ledger.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ledger/ledger.h"

namespace mamori::ledger::registers {

struct EntryInput {
  std::string area;                  // controlled_area code
  std::string person;                // people code (staff, contractors); or empty
  std::string visitor_name;          // a visitor (empty when `person` is given)
  std::string visitor_organization;  // the visitor's company or body
  std::string purpose;               // required (4.2(2)①)
  std::string escort;                // people code; required for visitors (4.2(2)③)
  bool id_checked = false;           // identification carried (4.2(2)②)
  std::string entered;               // time (ParseTime forms); empty: now
};

struct Entry {
  std::int64_t id = 0;
  std::string area;
  std::string person;
  std::string visitor_name;
  std::string visitor_organization;
  std::string purpose;
  std::string escort;
  bool id_checked = false;
  std::string entered_utc;
  std::string exited_utc;  // empty: still inside
  std::string recorded_by;
};

// Records an entry. Errors name every bad field: an unknown or retired area,
// unknown people, neither or both of person and visitor_name, no purpose, a
// visitor without an escort, a person escorting themself, a person already
// inside the area.
Result<Entry> RecordEntry(Ledger& ledger, const std::string& actor, const EntryInput& input);
// Records that entry `entry_id` left at `exited` (empty: now); refuses a
// second exit or one before the entry.
Result<Entry> RecordExit(Ledger& ledger, const std::string& actor, std::int64_t entry_id,
                         const std::string& exited);
// Entries of `area` (all areas when empty) that began in [from, to) (UTC
// times, each may be empty), oldest first.
Result<std::vector<Entry>> ListEntries(Ledger& ledger, const std::string& area,
                                       const std::string& from, const std::string& to);

nlohmann::json EntryJson(const Entry& entry);

}  // namespace mamori::ledger::registers
