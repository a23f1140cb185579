#include "ledger/registers/registers.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "common/clock.h"
#include "ledger/org.h"
#include "ledger/registers/text.h"
#include "ledger/validate.h"

namespace mamori::ledger::registers {
namespace {

using Json = nlohmann::json;

Error ColumnError(const Column& column, const std::string& ja, const std::string& en) {
  return FieldError(column.id, column.label_ja + ": " + ja, en);
}

// --- storage helpers ---------------------------------------------------------

bool Stored(const FieldSpec& field) { return field.type != FieldType::kRecordList; }

std::string TableOfTarget(std::string_view target) {
  const RegisterSpec* spec = FindRegister(target);
  return spec != nullptr ? std::string(spec->table) : std::string();
}

std::string ClassificationJson(const policy::Profile& profile, const Values& values) {
  Json object = Json::object();
  for (const auto& axis : profile.classification.axes) {
    auto it = values.find(axis.id);
    if (it != values.end() && !it->second.empty()) object[axis.id] = it->second;
  }
  return object.empty() ? std::string() : object.dump();
}

std::map<std::string, std::string> ParseClassification(const std::string& text) {
  std::map<std::string, std::string> levels;
  if (text.empty()) return levels;
  const Json object = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return levels;
  for (const auto& [axis, level] : object.items()) {
    if (level.is_string()) levels[axis] = level.get<std::string>();
  }
  return levels;
}

storage::Value ToDb(const policy::Profile& profile, const FieldSpec& field, const Values& values) {
  if (field.type == FieldType::kClassification) {
    const std::string text = ClassificationJson(profile, values);
    return text.empty() ? storage::Null() : storage::Value(text);
  }
  auto it = values.find(std::string(field.id));
  if (it == values.end() || it->second.empty()) return storage::Null();
  if (field.type == FieldType::kBool) return std::int64_t{it->second == "true" ? 1 : 0};
  if (field.type == FieldType::kCount) return static_cast<std::int64_t>(std::stoll(it->second));
  return it->second;
}

Error UnknownRegister(std::string_view name) {
  return Error(ErrorCode::kNotFound,
               "台帳「" + std::string(name) + "」はありません（" + RegisterIds() + "）",
               "no register \"" + std::string(name) + "\" (one of " + RegisterIds() + ")",
               {"", 0, "register"});
}

Result<const RegisterSpec*> SpecOf(std::string_view name) {
  const RegisterSpec* spec = FindRegister(name);
  if (spec == nullptr) return UnknownRegister(name);
  return spec;
}

// Whether each (table, code) exists, in one statement: a row's checks ask
// for its own code and every section, person and record it refers to.
Result<std::vector<bool>> CodesExist(
    Ledger& ledger, const std::vector<std::pair<std::string, std::string>>& lookups) {
  std::vector<bool> found;
  if (lookups.empty()) return found;
  std::string sql = "SELECT ";
  storage::Params params;
  for (const auto& [table, code] : lookups) {
    sql += (params.empty() ? "" : ", ") + ("EXISTS (SELECT 1 FROM " + table + " WHERE code = ?)");
    params.emplace_back(code);
  }
  MAMORI_TRY(const auto row, ledger.Db().QueryOne(sql, params));
  for (std::size_t i = 0; i < lookups.size(); ++i) found.push_back(row.Int(i) != 0);
  return found;
}

// --- reading -------------------------------------------------------------------

std::string TodayOf(Ledger& ledger) { return TodayJst(ledger); }

std::chrono::sys_days DaysOf(const std::string& date) {
  auto parsed = ParseDate(date, "date");
  if (!parsed.Ok()) return std::chrono::sys_days{};
  return std::chrono::sys_days(*parsed);
}

void AddFlags(const policy::Profile& profile, const RegisterSpec& spec, const ReadOptions& options,
              const std::string& today, Record& record) {
  if (!record.retired_date.empty()) return;
  auto value = [&](std::string_view id) {
    auto it = record.values.find(std::string(id));
    return it == record.values.end() ? std::string() : it->second;
  };
  for (const auto& field : spec.fields) {
    if (field.type != FieldType::kDate || field.past_flag.id.empty()) continue;
    const std::string date = value(field.id);
    if (!date.empty() && date < today) {
      record.flags.push_back({std::string(field.past_flag.id), std::string(field.past_flag.clause),
                              std::string(field.past_flag.message_ja) + "（" + date + "）",
                              std::string(field.past_flag.message_en) + " (" + date + ")"});
    }
  }
  if (spec.id != "device") return;
  // 6.4(2)② パターンファイルは常に最新の状態に保つ.
  const std::string pattern = value("antimalware_pattern_date");
  if (!pattern.empty() &&
      DaysOf(pattern) + std::chrono::days(options.pattern_max_age_days) < DaysOf(today)) {
    record.flags.push_back(
        {"pattern_outdated", "6.4(2)②",
         "不正プログラム対策のパターンファイルが " + std::to_string(options.pattern_max_age_days) +
             " 日より古くなっています（" + pattern + "）",
         "the anti-malware pattern file is older than " +
             std::to_string(options.pattern_max_age_days) + " days (" + pattern + ")"});
  }
  // 3(1)②ア: the profile's segments that require multi-factor authentication.
  const std::string segment = value("segment");
  const auto& mfa_segments = profile.passwords.mfa_segments;
  if (std::find(mfa_segments.begin(), mfa_segments.end(), segment) != mfa_segments.end() &&
      value("mfa") != "true") {
    record.flags.push_back(
        {"mfa_missing", "3(1)②ア",
         "多要素認証が必要な領域（" + segment + "）の端末に多要素認証がありません",
         "no multi-factor authentication on a device in segment " + segment +
             ", which requires it"});
  }
  // 3(1)②イ: no taking data out of マイナンバー利用事務系 terminals.
  if (segment == "mynumber" && value("usb_write_block") != "true") {
    record.flags.push_back({"usb_write_not_blocked", "3(1)②イ",
                            "マイナンバー利用事務系の端末で記録媒体への書込みが制御されていません",
                            "writing to removable media is not blocked on a マイナンバー利用事務系 "
                            "device"});
  }
}

// `where` (with `params`) selects the rows; `tail` follows ORDER BY code
// (LIMIT/OFFSET). With an empty `where` retired records are left out unless
// options.include_retired.
Result<std::vector<Record>> Load(Ledger& ledger, const RegisterSpec& spec, const std::string& where,
                                 const storage::Params& params, const ReadOptions& options,
                                 const std::string& tail = "") {
  const auto& profile = ledger.Profile();
  std::string sql = "SELECT id, code, retired_date, retired_reason, created_utc, updated_utc";
  std::vector<const FieldSpec*> stored;
  for (const auto& field : spec.fields) {
    if (!Stored(field) || field.id == "code") continue;
    stored.push_back(&field);
    sql += ", " + std::string(field.id);
  }
  const bool asset = spec.id == "asset";
  if (asset) sql += ", effective_classification, effective_handling";
  sql += " FROM " + std::string(spec.table) + where + " ORDER BY code" + tail;
  MAMORI_TRY(const auto rows, ledger.Db().Query(sql, params));

  std::map<std::int64_t, std::map<std::string, std::vector<std::string>>> links;
  const bool has_links = std::any_of(spec.fields.begin(), spec.fields.end(),
                                     [](const FieldSpec& f) { return !Stored(f); });
  if (has_links && !rows.empty()) {
    // A few records (one, a page): only their links; otherwise all of them.
    std::string link_sql = "SELECT record_id, field, target FROM register_links WHERE register = ?";
    storage::Params link_params{std::string(spec.id)};
    if (rows.size() <= 500) {
      link_sql += " AND record_id IN (";
      for (std::size_t i = 0; i < rows.size(); ++i) {
        link_sql += i == 0 ? "?" : ", ?";
        link_params.emplace_back(rows[i].Int(0));
      }
      link_sql += ")";
    }
    MAMORI_TRY(const auto link_rows,
               ledger.Db().Query(link_sql + " ORDER BY record_id, field, position", link_params));
    for (const auto& row : link_rows) links[row.Int(0)][row.Text(1)].push_back(row.Text(2));
  }

  const std::string today = TodayOf(ledger);
  std::vector<Record> records;
  for (const auto& row : rows) {
    Record record;
    record.register_id = std::string(spec.id);
    record.id = row.Int(0);
    record.code = row.Text(1);
    record.retired_date = row.Text(2);
    record.retired_reason = row.Text(3);
    record.created_utc = row.Text(4);
    record.updated_utc = row.Text(5);
    if (!record.retired_date.empty() && !options.include_retired && where.empty()) continue;
    record.values["code"] = record.code;
    std::size_t column = 6;
    for (const FieldSpec* field : stored) {
      const std::size_t at = column++;
      if (row.IsNull(at)) continue;
      switch (field->type) {
        case FieldType::kClassification:
          for (const auto& [axis, level] : ParseClassification(row.Text(at))) {
            record.values[axis] = level;
          }
          break;
        case FieldType::kBool:
          record.values[std::string(field->id)] = row.Int(at) != 0 ? "true" : "false";
          break;
        default:
          record.values[std::string(field->id)] = row.Text(at);
      }
    }
    if (auto it = links.find(record.id); it != links.end()) {
      for (const auto& [field, targets] : it->second) record.values[field] = Join(targets, ";");
    }
    if (asset) {
      for (const auto& [axis, level] : ParseClassification(row.Text(column))) {
        record.computed[std::string(kEffectivePrefix) + axis] = level;
      }
      if (!row.Text(column + 1).empty()) {
        record.computed[std::string(kEffectiveHandling)] = row.Text(column + 1);
      }
    }
    if (spec.id == "contract") {
      MAMORI_TRY(const auto checks,
                 ledger.Db().Query("SELECT item, done, note, checked_by, checked_utc FROM "
                                   "contract_clause_checks WHERE contract_id = ?",
                                   {record.id}));
      std::vector<std::string> missing;
      for (const auto& item : ContractClauseItems()) {
        ChecklistItem entry;
        entry.id = std::string(item.id);
        entry.text_ja = std::string(item.text_ja);
        for (const auto& check : checks) {
          if (check.Text(0) != item.id) continue;
          entry.checked = true;
          entry.done = check.Int(1) != 0;
          entry.note = check.Text(2);
          entry.checked_by = check.Text(3);
          entry.checked_utc = check.Text(4);
        }
        if (!entry.done) missing.emplace_back(item.text_ja);
        record.checklist.push_back(std::move(entry));
      }
      if (!missing.empty()) record.computed[std::string(kContractMissing)] = Join(missing, "\n");
    }
    AddFlags(profile, spec, options, today, record);
    records.push_back(std::move(record));
  }
  return records;
}

Result<Record> LoadOne(Ledger& ledger, const RegisterSpec& spec, const std::string& code,
                       const ReadOptions& options = {}) {
  MAMORI_TRY(auto records, Load(ledger, spec, " WHERE code = ?", {code}, options));
  if (records.empty()) {
    return Error(ErrorCode::kNotFound,
                 std::string(spec.label_ja) + "に「" + code + "」は登録されていません",
                 "no " + std::string(spec.id) + " \"" + code + "\"", {"", 0, "code"});
  }
  return std::move(records.front());
}

// --- the highest level (2.2(1)①, 2.2(4)③) ------------------------------------

// The effective classification (JSON, as stored) and handling restrictions
// (";"-joined, in the profile's order) of an asset: per axis the best
// (lowest) rank of `classifications` — the asset's own levels first, then
// those of the data it holds when it is a system or a medium — and the
// asset's own restrictions plus those of every effective level (2.1(2)).
struct Effective {
  std::string classification;
  std::string handling;
};

Effective EffectiveOf(const policy::Profile& profile,
                      const std::vector<std::map<std::string, std::string>>& classifications,
                      const std::string& own_handling) {
  std::vector<int> best(profile.classification.axes.size(), -1);
  for (const auto& levels : classifications) {
    for (const auto& [axis_id, level_id] : levels) {
      for (std::size_t a = 0; a < profile.classification.axes.size(); ++a) {
        const auto& axis = profile.classification.axes[a];
        if (axis.id != axis_id) continue;
        const auto rank = axis.IndexOf(level_id);
        if (rank && (best[a] < 0 || *rank < best[a])) best[a] = *rank;
      }
    }
  }
  Values effective;
  std::set<std::string> handling;
  for (const auto& restriction : SplitList(own_handling)) handling.insert(restriction);
  for (std::size_t a = 0; a < best.size(); ++a) {
    if (best[a] < 0) continue;
    const auto& level = profile.classification.axes[a].levels[static_cast<std::size_t>(best[a])];
    effective[profile.classification.axes[a].id] = level.id;
    // 2.1(2): the level's handling restrictions apply.
    for (const auto& restriction : level.handling_restrictions) handling.insert(restriction);
  }
  std::vector<std::string> ordered;  // in the profile's order
  for (const auto& restriction : profile.classification.handling_restrictions) {
    if (handling.count(restriction.id) > 0) ordered.push_back(restriction.id);
  }
  return {ClassificationJson(profile, effective), Join(ordered, ";")};
}

// Only systems and media take levels from other assets (the data they hold,
// 2.2(1)①, 2.2(4)③); every other asset's effective levels follow from its
// own values alone.
bool HoldsData(const std::string& kind) { return kind == "system" || kind == "media"; }

// The effective levels of an asset that holds no data, from its canonical
// values (as CheckRow returns them).
Effective OwnEffective(const policy::Profile& profile, const Values& values) {
  std::map<std::string, std::string> own;
  for (const auto& axis : profile.classification.axes) {
    auto it = values.find(axis.id);
    if (it != values.end() && !it->second.empty()) own[axis.id] = it->second;
  }
  const auto handling = values.find("handling_restrictions");
  return EffectiveOf(profile, {own}, handling == values.end() ? std::string() : handling->second);
}

// Recomputes the effective classification and handling restrictions of asset
// `code`; returns true when they changed.
Result<bool> RecomputeAsset(Ledger& ledger, const std::string& code) {
  const auto& profile = ledger.Profile();
  MAMORI_TRY(const auto row,
             ledger.Db().QueryOne("SELECT id, kind, classification, handling_restrictions, "
                                  "effective_classification, effective_handling FROM assets "
                                  "WHERE code = ?",
                                  {code}));
  std::vector<std::map<std::string, std::string>> classifications{ParseClassification(row.Text(2))};
  if (HoldsData(row.Text(1))) {
    MAMORI_TRY(const auto held,
               ledger.Db().Query("SELECT a.classification FROM register_links l JOIN assets a ON "
                                 "a.code = l.target WHERE l.register = 'asset' AND l.field = "
                                 "'holds' AND l.record_id = ? AND a.kind = 'data' AND "
                                 "a.retired_date IS NULL",
                                 {row.Int(0)}));
    for (const auto& data : held) classifications.push_back(ParseClassification(data.Text(0)));
  }
  const Effective effective = EffectiveOf(profile, classifications, row.Text(3));
  if (effective.classification == row.Text(4) && effective.handling == row.Text(5)) return false;
  MAMORI_TRY_STATUS(ledger.Db().Execute(
      "UPDATE assets SET effective_classification = ?, effective_handling = ? WHERE id = ?",
      {effective.classification.empty() ? storage::Null() : storage::Value(effective.classification),
       effective.handling.empty() ? storage::Null() : storage::Value(effective.handling), row.Int(0)}));
  return true;
}

// Recomputes `codes` and every system or medium holding one of them; returns
// the holders (not in `codes`) whose effective classification changed.
// `settled`: those of `codes` whose effective levels were written with their
// row (assets that hold no data: OwnEffective), not computed again.
Result<std::vector<std::string>> RecomputeAround(Ledger& ledger,
                                                 const std::vector<std::string>& codes,
                                                 const std::set<std::string>& settled = {}) {
  std::set<std::string> direct(codes.begin(), codes.end());
  std::set<std::string> holders;
  for (const auto& code : codes) {
    if (settled.count(code) == 0) {
      MAMORI_TRY(const bool changed_itself, RecomputeAsset(ledger, code));
      (void)changed_itself;  // its own event follows in WriteRows / Retire
    }
    MAMORI_TRY(const auto rows,
               ledger.Db().Query("SELECT a.code FROM register_links l JOIN assets a ON a.id = "
                                 "l.record_id WHERE l.register = 'asset' AND l.field = 'holds' "
                                 "AND l.target = ?",
                                 {code}));
    for (const auto& row : rows) {
      if (direct.count(row.Text(0)) == 0) holders.insert(row.Text(0));
    }
  }
  std::vector<std::string> changed;
  for (const auto& holder : holders) {
    MAMORI_TRY(const bool did, RecomputeAsset(ledger, holder));
    if (did) changed.push_back(holder);
  }
  return changed;
}

// Records `record`'s state (RecordJson without flags) as a "<register>.<verb>"
// event.
Status RecordRecord(Ledger& ledger, const std::string& actor, const RegisterSpec& spec,
                    const Record& record, const std::string& verb) {
  return ledger.Record({actor, std::string(spec.id) + "." + verb, std::string(spec.id), record.code,
                        RecordJson(record, /*with_flags=*/false).dump()});
}

// Reads `code` back and records its state; returns the record as read.
Result<Record> RecordState(Ledger& ledger, const std::string& actor, const RegisterSpec& spec,
                           const std::string& code, const std::string& verb) {
  MAMORI_TRY(auto record, LoadOne(ledger, spec, code));
  MAMORI_TRY_STATUS(RecordRecord(ledger, actor, spec, record, verb));
  return record;
}

// The record just inserted with canonical `values` (as CheckRow returns them:
// no empty values) and id `id` at `now`, as LoadOne would read it back in the
// same transaction: the stored columns read back are the canonical values
// (ToDb / Load are inverses on them), links in their written order. Only for
// registers whose records carry nothing from other tables (not contracts: their
// clause checks).
Record NewRecord(Ledger& ledger, const RegisterSpec& spec, const Values& values, std::int64_t id,
                 const std::string& now, const Effective* effective) {
  Record record;
  record.register_id = std::string(spec.id);
  record.id = id;
  record.code = values.at("code");
  record.created_utc = now;
  record.updated_utc = now;
  record.values = values;
  if (effective != nullptr) {
    for (const auto& [axis, level] : ParseClassification(effective->classification)) {
      record.computed[std::string(kEffectivePrefix) + axis] = level;
    }
    if (!effective->handling.empty()) {
      record.computed[std::string(kEffectiveHandling)] = effective->handling;
    }
  }
  AddFlags(ledger.Profile(), spec, {}, TodayOf(ledger), record);
  return record;
}

Status RecordRecomputed(Ledger& ledger, const std::vector<std::string>& holders) {
  const RegisterSpec& asset = *FindRegister("asset");
  // The system derived the new level (2.2(1)①); the actor is "system".
  for (const auto& code : holders) {
    MAMORI_TRY(const auto record, RecordState(ledger, "system", asset, code, "recompute"));
    (void)record;
  }
  return OkStatus();
}

}  // namespace

// --- canonical values -------------------------------------------------------------

Result<std::string> Canonical(const policy::Profile& profile, const Column& column,
                              std::string_view input) {
  const FieldSpec& field = *column.field;
  const std::string_view trimmed = field.type == FieldType::kLongText ? input : TrimView(input);
  if (TrimView(trimmed).empty()) return std::string();
  const std::string text(trimmed);
  switch (field.type) {
    case FieldType::kCode:
    case FieldType::kSection:
    case FieldType::kPerson:
    case FieldType::kRecord: {
      MAMORI_TRY_STATUS(CheckCode(text, column.id));
      return text;
    }
    case FieldType::kText:
    case FieldType::kLongText: {
      MAMORI_TRY_STATUS(CheckText(text, column.id, field.max_bytes, /*optional=*/true,
                                  field.type == FieldType::kLongText));
      return text;
    }
    case FieldType::kDate: {
      const std::string date = NormalizeDate(HalfWidth(text));
      if (!ParseDate(date, column.id).Ok()) {
        return ColumnError(column, "日付は YYYY-MM-DD で書いてください: \"" + text + "\"",
                           "not a date (YYYY-MM-DD): \"" + text + "\"");
      }
      return date;
    }
    case FieldType::kBool: {
      static const std::vector<std::string> kYes{"true", "TRUE", "True", "1",  "yes", "Yes", "YES",
                                                 "はい", "有",   "あり", "済", "○",   "〇",  "◯"};
      static const std::vector<std::string> kNo{"false",  "FALSE", "False", "0",  "no", "No", "NO",
                                                "いいえ", "無",    "なし",  "未", "×",  "✕"};
      const std::string value = HalfWidth(text);
      if (std::find(kYes.begin(), kYes.end(), value) != kYes.end()) return std::string("true");
      if (std::find(kNo.begin(), kNo.end(), value) != kNo.end()) return std::string("false");
      return ColumnError(column, "はい／いいえ（true/false）で書いてください: \"" + text + "\"",
                         "not a yes/no value (true/false): \"" + text + "\"");
    }
    case FieldType::kCount: {
      const std::string value = HalfWidth(text);
      const bool digits = value.size() <= 9 && std::all_of(value.begin(), value.end(), [](char c) {
                            return c >= '0' && c <= '9';
                          });
      if (!digits) {
        return ColumnError(column, "0 以上の整数で書いてください: \"" + text + "\"",
                           "not a non-negative whole number: \"" + text + "\"");
      }
      return std::to_string(std::stoll(value));
    }
    case FieldType::kEnum: {
      const std::string value = HalfWidth(text);
      std::string list;
      for (const auto& choice : field.choices) {
        if (choice.id == value || choice.label_ja == text) return std::string(choice.id);
        list += (list.empty() ? "" : ", ") + std::string(choice.id) + "（" +
                std::string(choice.label_ja) + "）";
      }
      return ColumnError(column, "「" + text + "」は使用できません（" + list + " のいずれか）",
                         "\"" + text + "\" is not one of: " + list);
    }
    case FieldType::kSegment: {
      std::string list;
      for (const auto& segment : profile.network.segments) {
        if (segment.id == text || segment.title == text) return segment.id;
        list += (list.empty() ? "" : ", ") + segment.id + "（" + segment.title + "）";
      }
      return ColumnError(
          column, "ネットワーク領域「" + text + "」はこのポリシーにありません（" + list + "）",
          "segment \"" + text + "\" is not in this profile (" + list + ")");
    }
    case FieldType::kClassification: {
      const auto& axis = profile.classification.axes.at(static_cast<std::size_t>(column.axis));
      const std::string value = HalfWidth(text);
      std::string list;
      for (const auto& level : axis.levels) {
        if (level.id == value || level.title == text || HalfWidth(level.title) == value) {
          return level.id;
        }
        list += (list.empty() ? "" : ", ") + level.id;
      }
      return ColumnError(column,
                         "「" + text + "」は" + axis.title + "の区分にありません（" + list + "）",
                         "\"" + text + "\" is not a level of axis " + axis.id + " (" + list + ")");
    }
    case FieldType::kHandlingList: {
      std::set<std::string> chosen;
      for (const auto& item : SplitList(text)) {
        bool found = false;
        for (const auto& restriction : profile.classification.handling_restrictions) {
          if (restriction.id == item || restriction.title == item) {
            chosen.insert(restriction.id);
            found = true;
          }
        }
        if (!found) {
          return ColumnError(column, "取扱制限「" + item + "」はこのポリシーにありません",
                             "handling restriction \"" + item + "\" is not in this profile");
        }
      }
      std::vector<std::string> ordered;
      for (const auto& restriction : profile.classification.handling_restrictions) {
        if (chosen.count(restriction.id) > 0) ordered.push_back(restriction.id);
      }
      return Join(ordered, ";");
    }
    case FieldType::kRecordList: {
      std::vector<std::string> codes;
      for (const auto& item : SplitList(text)) {
        MAMORI_TRY_STATUS(CheckCode(item, column.id));
        if (std::find(codes.begin(), codes.end(), item) == codes.end()) codes.push_back(item);
      }
      if (text.size() > field.max_bytes) {
        return ColumnError(column, "長すぎます", "too long");
      }
      return Join(codes, ";");
    }
  }
  return std::string();
}

std::string DisplayValue(const policy::Profile& profile, const Column& column,
                         const std::string& value) {
  if (value.empty() || column.field == nullptr) return value;
  switch (column.field->type) {
    case FieldType::kBool:
      return value == "true" ? "はい" : "いいえ";
    case FieldType::kEnum:
      for (const auto& choice : column.field->choices) {
        if (choice.id == value) return std::string(choice.label_ja);
      }
      return value;
    case FieldType::kSegment:
      for (const auto& segment : profile.network.segments) {
        if (segment.id == value) return segment.title;
      }
      return value;
    case FieldType::kHandlingList: {
      std::vector<std::string> titles;
      for (const auto& id : SplitList(value)) {
        std::string title = id;
        for (const auto& restriction : profile.classification.handling_restrictions) {
          if (restriction.id == id) title = restriction.title;
        }
        titles.push_back(title);
      }
      return Join(titles, "\n");
    }
    default:
      return value;
  }
}

Result<Values> ResolveKeys(const std::vector<Column>& columns, const Values& values) {
  Values resolved;
  Checks checks;
  for (const auto& [key, value] : values) {
    const Column* column = FindColumn(columns, key);
    if (column == nullptr) {
      std::string list;
      for (const auto& c : columns) {
        if (!c.computed) list += (list.empty() ? "" : ", ") + c.id;
      }
      checks.Add(FieldError(key, "項目「" + key + "」はこの台帳にありません（" + list + "）",
                            "no column \"" + key + "\" in this register (" + list + ")"));
      continue;
    }
    if (column->computed) {
      checks.Add(FieldError(column->id, column->label_ja + "は自動で計算されます（入力できません）",
                            column->id + " is computed and cannot be given"));
      continue;
    }
    resolved[column->id] = value;
  }
  MAMORI_TRY_STATUS(checks.Done());
  return resolved;
}

// --- checking a row -----------------------------------------------------------------

Result<Values> CheckRow(Ledger& ledger, const RegisterSpec& spec, const Values& values,
                        const Record* existing, const Pending& pending) {
  const auto& profile = ledger.Profile();
  const auto columns = Columns(profile, spec);
  Checks checks;
  Values merged = existing != nullptr ? existing->values : Values{};
  std::set<std::string> bad;  // columns already reported
  for (const auto& [key, text] : values) {
    const Column* column = FindColumn(columns, key);
    if (column == nullptr || column->computed) continue;  // ResolveKeys reported it
    auto canonical = Canonical(profile, *column, text);
    if (!canonical.Ok()) {
      checks.Add(std::move(canonical).Err());
      bad.insert(column->id);
      merged.erase(column->id);
      continue;
    }
    if (existing != nullptr && column->id == "code" && *canonical != existing->code) {
      checks.Add(ColumnError(*column, "変更できません", "the code cannot be changed"));
      continue;
    }
    merged[column->id] = *canonical;
  }
  auto value = [&](const std::string& id) {
    auto it = merged.find(id);
    return it == merged.end() ? std::string() : it->second;
  };
  // Required values, each named.
  for (const auto& column : columns) {
    if (column.computed || column.field->type == FieldType::kClassification) continue;
    if (column.field->required && value(column.id).empty() && bad.count(column.id) == 0) {
      checks.Add(
          ColumnError(column, "必須項目です（空にはできません）", "required (must not be empty)"));
    }
  }
  // Asset rules: data and documents are classified on every axis (2.1(1),
  // 2.2(2)②); only systems and media hold data (2.2(1)①, 2.2(4)③).
  if (spec.id == "asset") {
    const std::string kind = value("kind");
    if (kind == "data" || kind == "document") {
      for (const auto& column : columns) {
        if (column.axis >= 0 && !column.computed && value(column.id).empty() &&
            bad.count(column.id) == 0) {
          checks.Add(ColumnError(column, "電子データ・文書は分類が必須です（2.1(1)）",
                                 "data and documents must be classified (2.1(1))"));
        }
      }
    }
    if (!value("holds").empty() && kind != "system" && kind != "media") {
      checks.Add(FieldError("holds",
                            "保有データ: 保有データを持てるのは情報システムと記録媒体だけです",
                            "only systems and media hold data assets"));
    }
  }
  // The code (new records need a new one) and the sections, people and
  // records referred to: looked up together, reported in column order.
  const std::string code = value("code");
  const bool new_code = existing == nullptr && !code.empty() && CheckCode(code, "code").Ok();
  std::vector<std::pair<std::string, std::string>> lookups;
  if (new_code) lookups.emplace_back(std::string(spec.table), code);
  for (const auto& column : columns) {
    if (column.computed) continue;
    const std::string text = value(column.id);
    if (text.empty()) continue;  // merged values are canonical (bad ones were reported)
    switch (column.field->type) {
      case FieldType::kSection:
        lookups.emplace_back("sections", text);
        break;
      case FieldType::kPerson:
        lookups.emplace_back("people", text);
        break;
      case FieldType::kRecord:
        lookups.emplace_back(TableOfTarget(column.field->target), text);
        break;
      default:
        break;
    }
  }
  MAMORI_TRY(const auto exists, CodesExist(ledger, lookups));
  std::size_t next = 0;
  if (new_code && exists[next++]) {
    checks.Add(FieldError(
        "code", std::string(spec.fields[0].label_ja) + ": 「" + code + "」は既に登録されています",
        "\"" + code + "\" already exists"));
  }
  // References, each named.
  auto pending_has = [&](std::string_view target, const std::string& target_code) {
    auto it = pending.codes.find(std::string(target));
    return it != pending.codes.end() && it->second.count(target_code) > 0;
  };
  for (const auto& column : columns) {
    if (column.computed) continue;
    const std::string text = value(column.id);
    if (text.empty()) continue;
    switch (column.field->type) {
      case FieldType::kSection: {
        if (!exists[next++]) {
          checks.Add(ColumnError(column, "課室等「" + text + "」は登録されていません",
                                 "no section \"" + text + "\""));
        }
        break;
      }
      case FieldType::kPerson: {
        if (!exists[next++] && !pending_has("person", text)) {
          checks.Add(ColumnError(column, "職員「" + text + "」は登録されていません",
                                 "no person \"" + text + "\""));
        }
        break;
      }
      case FieldType::kRecord: {
        if (!exists[next++] && !pending_has(column.field->target, text)) {
          checks.Add(ColumnError(column, "「" + text + "」は登録されていません",
                                 "no " + std::string(column.field->target) + " \"" + text + "\""));
        }
        break;
      }
      case FieldType::kRecordList: {
        const std::string table = TableOfTarget(column.field->target);
        for (const auto& target : SplitList(text)) {
          std::string kind;
          bool found = false;
          if (auto it = pending.codes.find(std::string(column.field->target));
              it != pending.codes.end() && it->second.count(target) > 0) {
            found = true;
            kind = it->second.at(target);
          } else {
            MAMORI_TRY(
                const auto rows,
                ledger.Db().Query(
                    "SELECT " + std::string(column.field->target_kind.empty() ? "code" : "kind") +
                        " FROM " + table + " WHERE code = ?",
                    {target}));
            found = !rows.empty();
            if (found) kind = rows[0].Text(0);
          }
          if (!found) {
            checks.Add(
                ColumnError(column, "「" + target + "」は登録されていません",
                            "no " + std::string(column.field->target) + " \"" + target + "\""));
          } else if (!column.field->target_kind.empty() && kind != column.field->target_kind) {
            checks.Add(ColumnError(
                column, "「" + target + "」は電子データではありません（種別 " + kind + "）",
                "\"" + target + "\" is not a " + std::string(column.field->target_kind) +
                    " asset (kind " + kind + ")"));
          }
        }
        break;
      }
      default:
        break;
    }
  }
  MAMORI_TRY_STATUS(checks.Done());
  for (auto it = merged.begin(); it != merged.end();) {
    it = it->second.empty() ? merged.erase(it) : std::next(it);
  }
  return merged;
}

// --- writing ----------------------------------------------------------------------

Status WriteRows(Ledger& ledger, const std::string& actor, const RegisterSpec& spec,
                 const std::vector<Values>& rows, const std::vector<std::int64_t>& existing_ids,
                 std::vector<Record>* written) {
  const auto& profile = ledger.Profile();
  const std::string now = FormatUtc(ledger.Now());
  const bool asset = spec.id == "asset";
  // The statements' texts are the same for every row (prepared once, kept by
  // the database).
  std::string columns;
  std::string marks;
  std::string sets;
  for (const auto& field : spec.fields) {
    if (!Stored(field) || field.id == "code") continue;
    columns += ", " + std::string(field.id);
    marks += ", ?";
    sets += (sets.empty() ? "" : ", ") + std::string(field.id) + " = ?";
  }
  if (asset) {
    // The effective levels of an asset that holds no data follow from its
    // own values: written with the row instead of read back and updated.
    columns += ", effective_classification, effective_handling";
    marks += ", ?, ?";
    sets += ", effective_classification = ?, effective_handling = ?";
  }
  const std::string insert = "INSERT INTO " + std::string(spec.table) + " (code" + columns +
                             ", created_utc, updated_utc) VALUES (?" + marks +
                             ", ?, ?) RETURNING id";
  const std::string update =
      "UPDATE " + std::string(spec.table) + " SET " + sets + ", updated_utc = ? WHERE id = ?";
  std::vector<std::string> codes;
  std::vector<std::int64_t> ids;
  std::vector<std::optional<Effective>> effective(rows.size());
  std::set<std::string> settled;
  // Rows first, then links: a row may hold data added later in the same file.
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Values& values = rows[i];
    storage::Params params;
    for (const auto& field : spec.fields) {
      if (!Stored(field) || field.id == "code") continue;
      params.push_back(ToDb(profile, field, values));
    }
    const std::string code = values.at("code");
    if (asset) {
      const auto kind = values.find("kind");
      if (!HoldsData(kind == values.end() ? std::string() : kind->second)) {
        effective[i] = OwnEffective(profile, values);
        settled.insert(code);
      }
      // A system's or medium's levels are computed below, once its links are
      // written (RecomputeAsset); NULL until then, as before.
      const auto text = [](const std::string& value) {
        return value.empty() ? storage::Null() : storage::Value(value);
      };
      params.push_back(effective[i] ? text(effective[i]->classification) : storage::Null());
      params.push_back(effective[i] ? text(effective[i]->handling) : storage::Null());
    }
    std::int64_t id = existing_ids[i];
    if (id == 0) {
      params.insert(params.begin(), storage::Value(code));
      params.emplace_back(now);
      params.emplace_back(now);
      MAMORI_TRY(id, ledger.Db().QueryInt(insert, params));
    } else {
      params.emplace_back(now);
      params.emplace_back(id);
      MAMORI_TRY_STATUS(ledger.Db().Execute(update, params));
    }
    codes.push_back(code);
    ids.push_back(id);
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (const auto& field : spec.fields) {
      if (Stored(field)) continue;
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "DELETE FROM register_links WHERE register = ? AND record_id = ? AND field = ?",
          {std::string(spec.id), ids[i], std::string(field.id)}));
      auto it = rows[i].find(std::string(field.id));
      if (it == rows[i].end()) continue;
      std::int64_t position = 0;
      for (const auto& target : SplitList(it->second)) {
        MAMORI_TRY_STATUS(ledger.Db().Execute(
            "INSERT INTO register_links (register, record_id, field, position, target) VALUES "
            "(?, ?, ?, ?, ?)",
            {std::string(spec.id), ids[i], std::string(field.id), position++, target}));
      }
    }
  }
  std::vector<std::string> recomputed;
  if (asset) {
    MAMORI_TRY(recomputed, RecomputeAround(ledger, codes, settled));
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string verb = existing_ids[i] == 0 ? "add" : "update";
    // A new record whose stored state is all in `rows[i]` is not read back;
    // an updated one is (its creation time, what the update left alone), as
    // is a system or medium (levels from the data it holds) and a contract
    // (its clause checks).
    if (existing_ids[i] == 0 && spec.id != "contract" && (!asset || effective[i])) {
      Record record =
          NewRecord(ledger, spec, rows[i], ids[i], now, effective[i] ? &*effective[i] : nullptr);
      MAMORI_TRY_STATUS(RecordRecord(ledger, actor, spec, record, verb));
      if (written != nullptr) written->push_back(std::move(record));
    } else {
      MAMORI_TRY(auto record, RecordState(ledger, actor, spec, codes[i], verb));
      if (written != nullptr) written->push_back(std::move(record));
    }
  }
  return RecordRecomputed(ledger, recomputed);
}

// --- the public functions ------------------------------------------------------------

Result<Record> Add(Ledger& ledger, const std::string& actor, std::string_view register_id,
                   const Values& values, const WriteGuard& guard) {
  MAMORI_TRY(const RegisterSpec* spec, SpecOf(register_id));
  MAMORI_TRY_STATUS(CheckCode(actor, "actor"));
  MAMORI_TRY(const auto resolved, ResolveKeys(Columns(ledger.Profile(), *spec), values));
  MAMORI_TRY(const auto row, CheckRow(ledger, *spec, resolved, nullptr, {}));
  if (guard.may_write) MAMORI_TRY_STATUS(guard.may_write(row));
  // The record as the change wrote it (what its audit event holds), not read
  // again after the commit.
  std::vector<Record> written;
  MAMORI_TRY_STATUS(ledger.Change([&]() {
    written.clear();
    return WriteRows(ledger, actor, *spec, {row}, {0}, &written);
  }));
  return std::move(written.front());
}

Result<Record> Update(Ledger& ledger, const std::string& actor, std::string_view register_id,
                      const std::string& code, const Values& changes, const WriteGuard& guard) {
  MAMORI_TRY(const RegisterSpec* spec, SpecOf(register_id));
  MAMORI_TRY_STATUS(CheckCode(actor, "actor"));
  MAMORI_TRY(const auto existing, LoadOne(ledger, *spec, code));
  if (guard.may_change) MAMORI_TRY_STATUS(guard.may_change(existing));
  MAMORI_TRY(const auto resolved, ResolveKeys(Columns(ledger.Profile(), *spec), changes));
  if (!existing.retired_date.empty()) {
    return FieldError("code", "「" + code + "」は廃止済みです（変更できません）",
                      "\"" + code + "\" is retired and cannot be changed");
  }
  MAMORI_TRY(const auto row, CheckRow(ledger, *spec, resolved, &existing, {}));
  if (guard.may_write) MAMORI_TRY_STATUS(guard.may_write(row));
  std::vector<Record> written;
  MAMORI_TRY_STATUS(ledger.Change([&]() {
    written.clear();
    return WriteRows(ledger, actor, *spec, {row}, {existing.id}, &written);
  }));
  return std::move(written.front());
}

Result<Record> Retire(Ledger& ledger, const std::string& actor, std::string_view register_id,
                      const std::string& code, const std::string& date, const std::string& reason,
                      const WriteGuard& guard) {
  MAMORI_TRY(const RegisterSpec* spec, SpecOf(register_id));
  const std::string when = date.empty() ? TodayJst(ledger) : date;
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(actor, "actor"))
                        .Add(CheckDate(when, "date"))
                        .Add(CheckText(reason, "reason", kMaxText, true, true))
                        .Done());
  MAMORI_TRY(const auto existing, LoadOne(ledger, *spec, code));
  if (guard.may_change) MAMORI_TRY_STATUS(guard.may_change(existing));
  if (!existing.retired_date.empty()) {
    return FieldError("code", "「" + code + "」は既に廃止済みです（" + existing.retired_date + "）",
                      "\"" + code + "\" is already retired (" + existing.retired_date + ")");
  }
  Record retired;  // as the change wrote it (what its audit event holds)
  // A named body: MAMORI_TRY_STATUS around a lambda that uses it again would
  // shadow its own variable (-Wshadow).
  const auto write = [&]() -> Status {
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE " + std::string(spec->table) +
            " SET retired_date = ?, retired_reason = ?, updated_utc = ? WHERE id = ?",
        {when, reason, FormatUtc(ledger.Now()), existing.id}));
    std::vector<std::string> recomputed;
    if (spec->id == "asset") {
      MAMORI_TRY(recomputed, RecomputeAround(ledger, {code}));
    }
    MAMORI_TRY(retired, RecordState(ledger, actor, *spec, code, "retire"));
    return RecordRecomputed(ledger, recomputed);
  };
  MAMORI_TRY_STATUS(ledger.Change(write));
  return retired;
}

Result<Record> Get(Ledger& ledger, std::string_view register_id, const std::string& code,
                   const ReadOptions& options) {
  MAMORI_TRY(const RegisterSpec* spec, SpecOf(register_id));
  return LoadOne(ledger, *spec, code, options);
}

Result<std::vector<Record>> List(Ledger& ledger, std::string_view register_id,
                                 const ReadOptions& options) {
  MAMORI_TRY(const RegisterSpec* spec, SpecOf(register_id));
  return Load(ledger, *spec, "", {}, options);
}

namespace {

// The WHERE clause (and its parameters) of a page query, without paging.
void PageWhere(const RegisterSpec& spec, const PageQuery& query, bool include_retired,
               std::string& where, storage::Params& params) {
  where = " WHERE 1 = 1";
  if (!include_retired) where += " AND (retired_date IS NULL OR retired_date = '')";
  const FieldSpec* section_field = nullptr;
  for (const auto& field : spec.fields) {
    if (field.type == FieldType::kSection && section_field == nullptr) section_field = &field;
  }
  if (section_field != nullptr) {
    const std::string column(section_field->id);
    if (query.sections && query.sections->empty()) {
      where += " AND 1 = 0";
    } else if (query.sections && query.sections->size() == 1) {
      // One section (a manager's): the section index gives code order.
      where += " AND " + column + " = ?";
      params.emplace_back(query.sections->front());
    } else if (query.sections) {
      where += " AND " + column + " IN (";
      for (std::size_t i = 0; i < query.sections->size(); ++i) {
        where += i == 0 ? "?" : ", ?";
        params.emplace_back((*query.sections)[i]);
      }
      where += ")";
    }
    if (!query.section.empty()) {
      where += " AND " + column + " = ?";
      params.emplace_back(query.section);
    }
  }
  if (!query.q.empty()) {
    // A substring of the code or of any one-line text column.
    const std::string pattern = storage::LikeContaining(query.q);
    where += " AND (lower(code) LIKE lower(?) ESCAPE '\\'";
    params.emplace_back(pattern);
    for (const auto& field : spec.fields) {
      if (field.type != FieldType::kText) continue;
      where += " OR lower(" + std::string(field.id) + ") LIKE lower(?) ESCAPE '\\'";
      params.emplace_back(pattern);
    }
    where += ")";
  }
}

}  // namespace

Result<Page> ListPage(Ledger& ledger, std::string_view register_id, const PageQuery& query,
                      const ReadOptions& options) {
  MAMORI_TRY(const RegisterSpec* spec, SpecOf(register_id));
  std::string where;
  storage::Params params;
  PageWhere(*spec, query, options.include_retired, where, params);
  Page page;
  MAMORI_TRY(page.total, ledger.CachedCount(
                             "SELECT COUNT(*) FROM " + std::string(spec->table) + where, params));
  storage::Params page_params = params;
  page_params.emplace_back(static_cast<std::int64_t>(query.limit));
  page_params.emplace_back(static_cast<std::int64_t>(query.offset));
  MAMORI_TRY(page.records, Load(ledger, *spec, where, page_params, options, " LIMIT ? OFFSET ?"));
  return page;
}

Result<std::map<std::string, std::map<std::string, std::int64_t>>> CountAssetsByLevel(
    Ledger& ledger, const PageQuery& query) {
  std::string where;
  storage::Params params;
  PageWhere(*FindRegister("asset"), query, false, where, params);
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT effective_classification, COUNT(*) FROM assets" + where +
                                   " GROUP BY effective_classification",
                               params));
  std::map<std::string, std::map<std::string, std::int64_t>> counts;
  for (const auto& row : rows) {
    for (const auto& [axis, level] : ParseClassification(row.Text(0))) {
      counts[axis][level] += row.Int(1);
    }
  }
  return counts;
}

Result<Record> CheckContractClause(Ledger& ledger, const std::string& actor,
                                   const std::string& contract_code, const std::string& item_id,
                                   bool done, const std::string& note) {
  const RegisterSpec& spec = *FindRegister("contract");
  std::vector<std::string> items;
  for (const auto& item : ContractClauseItems()) items.emplace_back(item.id);
  MAMORI_TRY_STATUS(Checks()
                        .Add(CheckCode(actor, "actor"))
                        .Add(CheckOneOf(item_id, "item", items))
                        .Add(CheckText(note, "note", kMaxText, true, true))
                        .Done());
  MAMORI_TRY(const auto contract, LoadOne(ledger, spec, contract_code));
  Record checked;  // as the change wrote it (what its audit event holds)
  // A named body: MAMORI_TRY_STATUS around a lambda that uses it again would
  // shadow its own variable (-Wshadow).
  const auto write = [&]() -> Status {
    MAMORI_TRY_STATUS(
        ledger.Db().Execute("DELETE FROM contract_clause_checks WHERE contract_id = ? AND item = ?",
                            {contract.id, item_id}));
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "INSERT INTO contract_clause_checks (contract_id, item, done, note, checked_by, "
        "checked_utc) VALUES (?, ?, ?, ?, ?, ?)",
        {contract.id, item_id, std::int64_t{done ? 1 : 0}, note, actor, FormatUtc(ledger.Now())}));
    MAMORI_TRY(checked, RecordState(ledger, actor, spec, contract_code, "clause_check"));
    return OkStatus();
  };
  MAMORI_TRY_STATUS(ledger.Change(write));
  return checked;
}

Json RecordJson(const Record& record, bool with_flags) {
  Json json{{"register", record.register_id},
            {"code", record.code},
            {"values", record.values},
            {"computed", record.computed},
            {"retired_date", record.retired_date},
            {"retired_reason", record.retired_reason}};
  if (!record.checklist.empty()) {
    Json items = Json::array();
    for (const auto& item : record.checklist) {
      items.push_back({{"id", item.id},
                       {"text", item.text_ja},
                       {"checked", item.checked},
                       {"done", item.done},
                       {"note", item.note},
                       {"checked_by", item.checked_by},
                       {"checked_utc", item.checked_utc}});
    }
    json["checklist"] = items;
  }
  if (with_flags) {
    Json flags = Json::array();
    for (const auto& flag : record.flags) {
      flags.push_back({{"id", flag.id},
                       {"clause", flag.clause},
                       {"message_ja", flag.message_ja},
                       {"message_en", flag.message_en}});
    }
    json["flags"] = flags;
  }
  return json;
}

}  // namespace mamori::ledger::registers
