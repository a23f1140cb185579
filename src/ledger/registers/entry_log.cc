#include "ledger/registers/entry_log.h"

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "ledger/org.h"
#include "ledger/validate.h"

namespace mamori::ledger::registers {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kEntrySelect =
    "SELECT e.id, a.code, coalesce(e.person, ''), coalesce(e.visitor_name, ''), "
    "coalesce(e.visitor_organization, ''), e.purpose, coalesce(e.escort, ''), e.id_checked, "
    "e.entered_utc, coalesce(e.exited_utc, ''), e.recorded_by FROM area_entries e JOIN "
    "controlled_areas a ON a.id = e.area_id";

Entry EntryFromRow(const storage::Row& row) {
  return Entry{row.Int(0),  row.Text(1),     row.Text(2), row.Text(3), row.Text(4), row.Text(5),
               row.Text(6), row.Int(7) != 0, row.Text(8), row.Text(9), row.Text(10)};
}

Result<Entry> FindEntry(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(std::string(kEntrySelect) + " WHERE e.id = ?", {id}));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound, "入退室記録 " + std::to_string(id) + " はありません",
                 "no entry " + std::to_string(id), {"", 0, "entry"});
  }
  return EntryFromRow(rows[0]);
}

Result<std::string> TimeOrNow(Ledger& ledger, const std::string& text, std::string_view field) {
  if (text.empty()) return FormatUtc(ledger.Now());
  MAMORI_TRY(const auto time, ParseTime(text, field));
  return FormatUtc(time);
}

Result<bool> PersonExists(Ledger& ledger, const std::string& code) {
  MAMORI_TRY(const auto count,
             ledger.Db().QueryInt("SELECT count(*) FROM people WHERE code = ?", {code}));
  return count > 0;
}

}  // namespace

Result<Entry> RecordEntry(Ledger& ledger, const std::string& actor, const EntryInput& input) {
  Checks checks;
  checks.Add(CheckCode(actor, "actor"));
  checks.Add(CheckCode(input.area, "area"));
  checks.Add(CheckText(input.purpose, "purpose", kMaxName));  // 4.2(2)①
  const bool visitor = input.person.empty();
  if (visitor == input.visitor_name.empty()) {
    checks.Add(FieldError("person",
                          "入室者（職員コード）か訪問者の氏名のどちらか一方を指定してください",
                          "give either a person code or a visitor's name, not both"));
  } else if (!visitor) {
    checks.Add(CheckCode(input.person, "person"));
  } else {
    checks.Add(CheckText(input.visitor_name, "visitor_name", kMaxName));
    checks.Add(CheckText(input.visitor_organization, "visitor_organization", kMaxName, true));
    // 4.2(2)③: visitors are escorted by a person allowed to enter.
    if (input.escort.empty()) {
      checks.Add(FieldError("escort", "訪問者には付き添う職員が必要です（4.2(2)③）",
                            "a visitor must be escorted (4.2(2)③)"));
    }
  }
  if (!input.escort.empty()) checks.Add(CheckCode(input.escort, "escort"));
  auto entered = TimeOrNow(ledger, input.entered, "entered");
  if (!entered.Ok()) checks.Add(entered.Err());
  MAMORI_TRY_STATUS(checks.Done());

  MAMORI_TRY(const auto areas,
             ledger.Db().Query("SELECT id, retired_date FROM controlled_areas WHERE code = ?",
                               {input.area}));
  Checks references;
  if (areas.empty()) {
    references.Add(FieldError("area", "管理区域「" + input.area + "」は登録されていません",
                              "no controlled area \"" + input.area + "\""));
  } else if (!areas[0].IsNull(1)) {
    references.Add(FieldError("area", "管理区域「" + input.area + "」は廃止済みです",
                              "controlled area \"" + input.area + "\" is retired"));
  }
  for (const auto& [field, code] :
       {std::pair<std::string, std::string>{"person", input.person}, {"escort", input.escort}}) {
    if (code.empty()) continue;
    MAMORI_TRY(const bool found, PersonExists(ledger, code));
    if (!found) {
      references.Add(FieldError(field, "職員「" + code + "」は登録されていません",
                                "no person \"" + code + "\""));
    }
  }
  if (!input.escort.empty() && input.escort == input.person) {
    references.Add(
        FieldError("escort", "本人は付添者になれません", "a person cannot escort themself"));
  }
  if (!areas.empty() && !visitor) {
    MAMORI_TRY(const auto inside,
               ledger.Db().QueryInt("SELECT count(*) FROM area_entries WHERE area_id = ? AND "
                                    "person = ? AND exited_utc IS NULL",
                                    {areas[0].Int(0), input.person}));
    if (inside > 0) {
      references.Add(FieldError(
          "person", "「" + input.person + "」は既に入室中です（退室が記録されていません）",
          "\"" + input.person + "\" is already inside (no exit recorded)"));
    }
  }
  MAMORI_TRY_STATUS(references.Done());

  std::int64_t id = 0;
  auto value_or_null = [](const std::string& text) {
    return text.empty() ? storage::Null() : storage::Value(text);
  };
  // A named body: MAMORI_TRY_STATUS around a lambda that uses it again would
  // shadow its own variable (-Wshadow).
  const auto write = [&]() -> Status {
    MAMORI_TRY(
        id,
        ledger.Db().QueryInt(
            "INSERT INTO area_entries (area_id, person, visitor_name, "
            "visitor_organization, purpose, escort, id_checked, entered_utc, "
            "recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {areas[0].Int(0), value_or_null(input.person), value_or_null(input.visitor_name),
             value_or_null(input.visitor_organization), input.purpose, value_or_null(input.escort),
             std::int64_t{input.id_checked ? 1 : 0}, *entered, actor}));
    MAMORI_TRY(const auto entry, FindEntry(ledger, id));
    return ledger.Record(
        {actor, "area_entry.enter", "area_entry", std::to_string(id), EntryJson(entry).dump()});
  };
  MAMORI_TRY_STATUS(ledger.Change(write));
  return FindEntry(ledger, id);
}

Result<Entry> RecordExit(Ledger& ledger, const std::string& actor, std::int64_t entry_id,
                         const std::string& exited) {
  MAMORI_TRY_STATUS(CheckCode(actor, "actor"));
  MAMORI_TRY(const auto time, TimeOrNow(ledger, exited, "exited"));
  MAMORI_TRY(const auto entry, FindEntry(ledger, entry_id));
  if (!entry.exited_utc.empty()) {
    return FieldError("entry", "退室は既に記録されています（" + entry.exited_utc + "）",
                      "the exit is already recorded (" + entry.exited_utc + ")");
  }
  if (time < entry.entered_utc) {
    return FieldError("exited", "退室時刻が入室時刻より前です", "exit is before the entry");
  }
  // A named body: MAMORI_TRY_STATUS around a lambda that uses it again would
  // shadow its own variable (-Wshadow).
  const auto write = [&]() -> Status {
    MAMORI_TRY_STATUS(ledger.Db().Execute("UPDATE area_entries SET exited_utc = ? WHERE id = ?",
                                          {time, entry_id}));
    MAMORI_TRY(const auto updated, FindEntry(ledger, entry_id));
    return ledger.Record({actor, "area_entry.exit", "area_entry", std::to_string(entry_id),
                          EntryJson(updated).dump()});
  };
  MAMORI_TRY_STATUS(ledger.Change(write));
  return FindEntry(ledger, entry_id);
}

Result<std::vector<Entry>> ListEntries(Ledger& ledger, const std::string& area,
                                       const std::string& from, const std::string& to) {
  std::string where = " WHERE 1 = 1";
  storage::Params params;
  if (!area.empty()) {
    where += " AND a.code = ?";
    params.emplace_back(area);
  }
  if (!from.empty()) {
    where += " AND e.entered_utc >= ?";
    params.emplace_back(from);
  }
  if (!to.empty()) {
    where += " AND e.entered_utc < ?";
    params.emplace_back(to);
  }
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(std::string(kEntrySelect) + where + " ORDER BY e.entered_utc, e.id",
                               params));
  std::vector<Entry> entries;
  entries.reserve(rows.size());
  for (const auto& row : rows) entries.push_back(EntryFromRow(row));
  return entries;
}

Json EntryJson(const Entry& entry) {
  return Json{{"id", entry.id},
              {"area", entry.area},
              {"person", entry.person},
              {"visitor_name", entry.visitor_name},
              {"visitor_organization", entry.visitor_organization},
              {"purpose", entry.purpose},
              {"escort", entry.escort},
              {"id_checked", entry.id_checked},
              {"entered_utc", entry.entered_utc},
              {"exited_utc", entry.exited_utc},
              {"recorded_by", entry.recorded_by}};
}

}  // namespace mamori::ledger::registers
