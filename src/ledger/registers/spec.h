// The registers as data. Each register the policy asks for (情報資産台帳,
// パソコン等, 記録媒体, ソフトウェア, 外部委託事業者, 委託契約, 外部サービス,
// ソーシャルメディア, 外部ネットワーク接続, 管理区域) is described once here: its
// table, its fields with their type, whether they are required, their
// allowed values, the register or organization object they refer to, their
// Japanese label, their length limit and the policy clause they serve. The
// generic code in registers.cc adds, updates, retires, lists, imports and
// exports every register from these descriptions; only the computed parts
// (the highest level of 2.2(1)①, device problems, the 8.1(2) checklist, entry
// logs) have their own code.
//
// A register's table form ("columns") depends on the profile: a
// classification field becomes one column per classification axis of the
// profile (id = the axis id, label = the axis title), and computed values
// appear as read-only columns.
//
// Thread safety: immutable tables; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "policy/model.h"

namespace mamori::ledger::registers {

enum class FieldType {
  kCode,            // letters, digits, - _ . (the record's code, references)
  kText,            // one line of text, at most max_bytes
  kLongText,        // free text, may hold newlines
  kDate,            // YYYY-MM-DD (also read: 2026/4/1, an Excel date serial)
  kBool,            // true/false (also read: はい/いいえ, 1/0, ○/×, 有/無, 済/未)
  kCount,           // a non-negative integer
  kEnum,            // one of `choices` (id or Japanese label)
  kSegment,         // a network segment of the profile (id or title)
  kSection,         // a 課室等 code
  kPerson,          // a person's code
  kRecord,          // the code of a record in register `target`
  kRecordList,      // codes of records in register `target` (of kind `target_kind`)
  kClassification,  // a level on each of the profile's classification axes
  kHandlingList,    // handling restrictions (取扱制限) of the profile
};

struct Choice {
  std::string_view id;
  std::string_view label_ja;
};

// A flag raised when a date field lies before today (e.g. support ended).
struct PastDateFlag {
  std::string_view id;  // empty: none
  std::string_view clause;
  std::string_view message_ja;
  std::string_view message_en;
};

struct FieldSpec {
  std::string_view id;  // also the table column (kRecordList: the link field)
  std::string_view label_ja;
  FieldType type = FieldType::kText;
  bool required = false;
  std::size_t max_bytes = 200;
  std::vector<Choice> choices;   // kEnum
  std::string_view target;       // kRecord, kRecordList: register id
  std::string_view target_kind;  // kRecordList: the `kind` the target must have
  std::string_view clause;       // the policy clause the field serves
  PastDateFlag past_flag;        // kDate only
};

struct RegisterSpec {
  std::string_view id;  // "asset": the CLI name and the audit object_type
  std::string_view table;
  std::string_view label_ja;
  std::string_view label_en;
  std::vector<std::string_view> clauses;
  std::vector<FieldSpec> fields;  // fields[0] is the code

  const FieldSpec* Field(std::string_view field_id) const;
};

// Every register, in the order the CLI and docs list them.
const std::vector<RegisterSpec>& Registers();
// By id ("asset") or Japanese label ("情報資産台帳"); nullptr when unknown.
const RegisterSpec* FindRegister(std::string_view name);
// "asset, device, ...": for error messages.
std::string RegisterIds();

// One column of a register's table form for `profile`.
struct Column {
  std::string id;                    // field id, axis id (classification), or computed id
  std::string label_ja;              // the header Excel users see
  const FieldSpec* field = nullptr;  // the field it reads or writes
  int axis = -1;                     // classification axis index, or -1
  bool computed = false;             // shown, never typed in (import ignores it)
};

// The columns of `spec` for `profile`: input columns first in field order,
// then the computed ones.
std::vector<Column> Columns(const policy::Profile& profile, const RegisterSpec& spec);
// The column `name` (a column id or its Japanese label, surrounding spaces
// ignored); nullptr when none.
const Column* FindColumn(const std::vector<Column>& columns, std::string_view name);

// The 8.1(2) 契約項目: what a contract with a vendor must state.
struct ContractClauseItem {
  std::string_view id;
  std::string_view text_ja;
};
const std::vector<ContractClauseItem>& ContractClauseItems();

// The computed column ids.
inline constexpr std::string_view kEffectivePrefix = "effective_";  // + axis id
inline constexpr std::string_view kEffectiveHandling = "effective_handling";
inline constexpr std::string_view kContractMissing = "contract_clauses_missing";

}  // namespace mamori::ledger::registers
