// The registers (情報資産台帳 and the rest): add, update, retire, get and list
// any register described in spec.h, with the computed parts the policy asks
// for:
//  - an asset's effective classification: a system or medium holding data of
//    several levels is treated at the highest (2.2(1)①, 2.2(4)③), per axis by
//    rank, recomputed whenever a held data asset changes; its effective
//    handling restrictions (取扱制限) are those of its effective levels (2.1(2))
//    plus any given explicitly;
//  - device problems: OS past its end of support (6.4(1)⑦), anti-malware
//    pattern older than N days (6.4(2)②), no MFA in a segment that requires it
//    (3(1)②ア), USB writes not blocked in the マイナンバー利用事務系 (3(1)②イ);
//    software past support or license expiry;
//  - the 8.1(2) contract-clause checklist of each contract;
//  - entry logs of controlled areas (4.2(2)), in entry_log.h.
//
// Values travel as text keyed by column id (spec.h Columns()): a
// classification is given per axis ("importance" = "A"), lists are joined
// with ";". Input is checked before anything is written, and every bad field
// is named (Where.key = the column id). Every add, update and retire is one
// Ledger::Change with an audit event holding the record's full new state.
//
// Thread safety: as Ledger (one thread at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ledger/ledger.h"
#include "ledger/registers/spec.h"

namespace mamori::ledger::registers {

// Column id → canonical text. Booleans are "true"/"false", dates
// YYYY-MM-DD, enums and segments their ids, lists joined with ";".
using Values = std::map<std::string, std::string>;

// A problem found on a record (e.g. a device whose OS is out of support).
struct Flag {
  std::string id;
  std::string clause;
  std::string message_ja;
  std::string message_en;
};

// One 8.1(2) item of a contract's checklist.
struct ChecklistItem {
  std::string id;
  std::string text_ja;
  bool checked = false;  // someone has looked at it
  bool done = false;     // the contract states it
  std::string note;
  std::string checked_by;
  std::string checked_utc;
};

struct Record {
  std::string register_id;
  std::int64_t id = 0;
  std::string code;
  Values values;             // input columns (empty values left out)
  Values computed;           // computed columns
  std::string retired_date;  // empty: in use
  std::string retired_reason;
  std::string created_utc;
  std::string updated_utc;
  std::vector<Flag> flags;               // as of today; not part of the audited state
  std::vector<ChecklistItem> checklist;  // contracts only
};

// Anti-malware pattern files must be kept current (6.4(2)②); the policy
// gives no number, so a pattern older than this many days is flagged.
inline constexpr int kDefaultPatternMaxAgeDays = 7;

struct ReadOptions {
  bool include_retired = false;  // List only
  int pattern_max_age_days = kDefaultPatternMaxAgeDays;
};

// Who may change what, asked by the ledger itself after it has resolved
// labels to column ids and put every value in its canonical form, so that a
// caller's permission check sees exactly what will be written (never the
// text as typed: " zeimu", "所管課室等"). An error refuses the change; the
// functions below pass it on unchanged (import: placed at the row's line).
// Either part may be empty (no check).
struct WriteGuard {
  // May the record as it is now be changed at all (update, retire, a row of
  // an import that names an existing code)? Asked before anything else is
  // checked, so that the answer for a record the caller may not touch tells
  // nothing of its contents.
  std::function<Status(const Record& existing)> may_change;
  // May a record with these canonical values (the full row after the change)
  // be written?
  std::function<Status(const Values& after)> may_write;
};

// Adds a record. `values` are keyed by column id or Japanese label; the code
// is values["code"]. Errors: kInvalidArgument naming every bad field (unknown
// columns, computed columns, missing required values, bad values, a code
// that exists, references to nothing), kNotFound for an unknown register.
Result<Record> Add(Ledger& ledger, const std::string& actor, std::string_view register_id,
                   const Values& values, const WriteGuard& guard = {});
// Changes the given columns of record `code` (an empty value clears an
// optional one); the code itself cannot change. Errors as Add.
Result<Record> Update(Ledger& ledger, const std::string& actor, std::string_view register_id,
                      const std::string& code, const Values& changes,
                      const WriteGuard& guard = {});
// Marks record `code` as no longer in use from `date` (YYYY-MM-DD; empty:
// today JST). Retired records stay, for the history; retired data assets no
// longer raise the level of the systems that held them.
Result<Record> Retire(Ledger& ledger, const std::string& actor, std::string_view register_id,
                      const std::string& code, const std::string& date, const std::string& reason,
                      const WriteGuard& guard = {});

Result<Record> Get(Ledger& ledger, std::string_view register_id, const std::string& code,
                   const ReadOptions& options = {});
// Records in code order (in use only unless options.include_retired).
Result<std::vector<Record>> List(Ledger& ledger, std::string_view register_id,
                                 const ReadOptions& options = {});

// One page of a register for a list screen: filtered in the database, so
// that a register of tens of thousands of records pages quickly.
struct PageQuery {
  // The sections whose records may be listed (a viewer's); nullopt: every
  // section. Registers without a section field ignore it.
  std::optional<std::vector<std::string>> sections;
  std::string section;  // only this section ("" any)
  std::string q;        // a substring of the code or of a one-line text column
  std::size_t offset = 0;
  std::size_t limit = 100;
};
struct Page {
  std::int64_t total = 0;  // records matching, over all pages
  std::vector<Record> records;
};
Result<Page> ListPage(Ledger& ledger, std::string_view register_id, const PageQuery& query,
                      const ReadOptions& options = {});
// Assets in use matching `query` (its sections, section and q; not its
// paging), counted per axis and effective level (2.2(1)①): axis → level →
// count. Levels no asset has are absent.
Result<std::map<std::string, std::map<std::string, std::int64_t>>> CountAssetsByLevel(
    Ledger& ledger, const PageQuery& query);

// Records the 8.1(2) item `item_id` of contract `contract_code` as stated in
// the contract (`done`) or not, with a note. Audited as "contract.clause_check"
// with the contract's full state.
Result<Record> CheckContractClause(Ledger& ledger, const std::string& actor,
                                   const std::string& contract_code, const std::string& item_id,
                                   bool done, const std::string& note);

// The record as JSON: {register, code, values, computed, retired_date,
// retired_reason, flags, checklist} (flags only when `with_flags`). The
// audited state is RecordJson(record, false).
nlohmann::json RecordJson(const Record& record, bool with_flags = true);
// `value` of `column` as a person reads it: enum and segment titles, はい/いいえ.
std::string DisplayValue(const policy::Profile& profile, const Column& column,
                         const std::string& value);

// ---------------------------------------------------------------------------
// Lower-level pieces shared with import (import_export.h). Not for other areas.

// The references a row may point to that are not in the database yet (rows
// earlier or later in the same import file), with the kind of each asset.
struct Pending {
  std::map<std::string, std::map<std::string, std::string>> codes;  // register → code → kind
};

// Checks `values` (keyed by column id) as a full row of `spec` and returns the
// canonical values. `existing`: the record being updated (its code may not
// change), or nullptr for a new record. Every diagnostic's Where.key is a
// column id.
Result<Values> CheckRow(Ledger& ledger, const RegisterSpec& spec, const Values& values,
                        const Record* existing, const Pending& pending);
// Inside Ledger::Change: writes the rows (new when `existing_ids[i]` is 0,
// otherwise updates that id), then their links, recomputes what depends on
// them and records one audit event per row ("<register>.add" /
// ".update") and one "asset.recompute" per other asset whose effective
// classification changed. `written` (when given) receives each row's record
// as its event holds it, in the order of `rows`.
Status WriteRows(Ledger& ledger, const std::string& actor, const RegisterSpec& spec,
                 const std::vector<Values>& rows, const std::vector<std::int64_t>& existing_ids,
                 std::vector<Record>* written = nullptr);
// Resolves keys given as Japanese labels to column ids; unknown or computed
// keys are errors naming them.
Result<Values> ResolveKeys(const std::vector<Column>& columns, const Values& values);
// The canonical form of `text` for `column` (e.g. "はい" → "true",
// "2026/4/1" → "2026-04-01", "重要度Ａ" → "A"); errors name the column.
Result<std::string> Canonical(const policy::Profile& profile, const Column& column,
                              std::string_view text);

}  // namespace mamori::ledger::registers
