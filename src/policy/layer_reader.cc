#include "policy/layer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/toml_library.h"
#include "common/toml_text.h"

namespace mamori::policy::internal {
namespace {

// The built-in role `id` would be mistaken for: the same id spelled with
// capitals or '-', or one character inserted, deleted or replaced
// ("manger", "Manager", "chief-officer", "auditors"). A profile may not use
// such an id for a role of its own, so that a typo never becomes a post
// nobody holds. nullopt for a built-in id itself and for unrelated ids.
std::optional<Role> BuiltInRoleNear(std::string_view id) {
  if (ParseRole(id)) return std::nullopt;
  std::string normalized;
  for (char c : id) {
    if (c == '-') c = '_';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    normalized += c;
  }
  for (int r = 0; r < kRoleCount; ++r) {
    const Role role = static_cast<Role>(r);
    const std::string_view built_in = Id(role);
    if (normalized == built_in) return role;
    // One edit apart: the common prefix and suffix cover all but one
    // character of the longer id.
    const std::size_t a = normalized.size();
    const std::size_t b = built_in.size();
    if ((a > b ? a - b : b - a) > 1) continue;
    std::size_t prefix = 0;
    while (prefix < a && prefix < b && normalized[prefix] == built_in[prefix]) ++prefix;
    std::size_t suffix = 0;
    while (suffix < a - prefix && suffix < b - prefix &&
           normalized[a - 1 - suffix] == built_in[b - 1 - suffix]) {
      ++suffix;
    }
    if (prefix + suffix + 1 >= std::max(a, b)) return role;
  }
  return std::nullopt;
}

// A profile's own role id: a-z first, then a-z, 0-9 and _, at most 40.
bool IsRoleId(const std::string& id) {
  if (id.empty() || id.size() > 40 || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

int LineOf(const toml::node& node) { return static_cast<int>(node.source().begin.line); }
int LineOf(const toml::key& key) { return static_cast<int>(key.source().begin.line); }

std::string Join(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  return std::string(prefix) + "." + std::string(key);
}

// "YYYY-MM-DD" naming a day that exists.
bool IsCalendarDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int year = std::stoi(text.substr(0, 4));
  const int month = std::stoi(text.substr(5, 2));
  const int day = std::stoi(text.substr(8, 2));
  if (year < 1868 || month < 1 || month > 12 || day < 1) return false;  // 明治 onwards
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// ---------------------------------------------------------------------------
// TableReader: typed access to one TOML table that remembers which keys were
// read, so that every key nobody asked for is reported as unknown.

class TableReader {
 public:
  TableReader(Diagnostics& diagnostics, const std::string& file, const toml::table& table,
              std::string prefix)
      : diagnostics_(diagnostics), file_(file), table_(table), prefix_(std::move(prefix)) {}

  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;
  ~TableReader() { ReportUnknownKeys(); }

  Where At(std::string_view key) const {
    const toml::node* node = table_.get(key);
    const int line = node != nullptr ? LineOf(*node) : LineOf(table_);
    return {file_, line, Join(prefix_, key)};
  }
  Where Self() const { return {file_, LineOf(table_), prefix_}; }
  const std::string& Prefix() const { return prefix_; }
  const std::string& File() const { return file_; }
  bool Has(std::string_view key) const { return table_.contains(key); }

  const toml::node* Get(std::string_view key) {
    used_.insert(std::string(key));
    return table_.get(key);
  }

  void Missing(std::string_view key) {
    diagnostics_.Add(At(key), "必須のキーがありません", "required key is missing");
  }
  void WrongType(std::string_view key, std::string_view expected_ja,
                 std::string_view expected_en) {
    diagnostics_.Add(At(key), std::string(expected_ja) + "である必要があります",
                     "must be " + std::string(expected_en));
  }

  std::optional<Str> String(std::string_view key, bool required) {
    const toml::node* node = Get(key);
    if (node == nullptr) {
      if (required) Missing(key);
      return std::nullopt;
    }
    if (const auto* value = node->as_string()) {
      if (value->get().empty() && required) {
        diagnostics_.Add(At(key), "空の文字列は指定できません", "must not be empty");
        return std::nullopt;
      }
      return Str{value->get(), At(key)};
    }
    WrongType(key, "文字列", "a string");
    return std::nullopt;
  }

  // A date written as a TOML local date (2022-07-01) or as a string.
  std::optional<Str> Date(std::string_view key) {
    const toml::node* node = Get(key);
    if (node == nullptr) return std::nullopt;
    std::string text;
    if (const auto* date = node->as_date()) {
      const toml::date& d = date->get();
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%04u-%02u-%02u", static_cast<unsigned>(d.year),
                    static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
      text = buffer;
    } else if (const auto* value = node->as_string()) {
      text = value->get();
    }
    if (IsCalendarDate(text)) return Str{text, At(key)};
    WrongType(key, "実在する日付（YYYY-MM-DD）", "an existing date (YYYY-MM-DD)");
    return std::nullopt;
  }

  std::optional<std::int64_t> Integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const toml::node* node = Get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_integer();
    if (value == nullptr) {
      WrongType(key, "整数", "an integer");
      return std::nullopt;
    }
    const std::int64_t number = value->get();
    if (number < min || number > max) {
      diagnostics_.Add(At(key),
                       "値は " + std::to_string(min) + " 以上 " + std::to_string(max) +
                           " 以下である必要があります",
                       "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return std::nullopt;
    }
    return number;
  }

  std::optional<bool> Boolean(std::string_view key) {
    const toml::node* node = Get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* value = node->as_boolean()) return value->get();
    WrongType(key, "真偽値（true/false）", "a boolean (true/false)");
    return std::nullopt;
  }

  // A string or an array of strings; each element keeps its own line.
  std::optional<std::vector<Str>> StringList(std::string_view key, bool required) {
    const toml::node* node = Get(key);
    if (node == nullptr) {
      if (required) Missing(key);
      return std::nullopt;
    }
    if (const auto* value = node->as_string()) {
      return std::vector<Str>{{value->get(), At(key)}};
    }
    const auto* array = node->as_array();
    if (array == nullptr) {
      WrongType(key, "文字列又は文字列の配列", "a string or an array of strings");
      return std::nullopt;
    }
    std::vector<Str> out;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      const std::string element_key = Join(prefix_, key) + "[" + std::to_string(i) + "]";
      if (const auto* text = element.as_string()) {
        out.push_back({text->get(), {file_, LineOf(element), element_key}});
      } else {
        diagnostics_.Add({file_, LineOf(element), element_key}, "文字列である必要があります",
                         "must be a string");
      }
    }
    return out;
  }

  const toml::table* Table(std::string_view key, bool required) {
    const toml::node* node = Get(key);
    if (node == nullptr) {
      if (required) Missing(key);
      return nullptr;
    }
    if (const auto* table = node->as_table()) return table;
    WrongType(key, "テーブル", "a table");
    return nullptr;
  }

  // An array of tables ([[key]]).
  std::vector<const toml::table*> Tables(std::string_view key) {
    std::vector<const toml::table*> out;
    const toml::node* node = Get(key);
    if (node == nullptr) return out;
    const auto* array = node->as_array();
    if (array == nullptr) {
      WrongType(key, "テーブルの配列（[[" + std::string(key) + "]]）",
                "an array of tables ([[" + std::string(key) + "]])");
      return out;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      if (const auto* table = element.as_table()) {
        out.push_back(table);
      } else {
        diagnostics_.Add({file_, LineOf(element), Join(prefix_, key) + "[" + std::to_string(i) + "]"},
                         "テーブルである必要があります", "must be a table");
      }
    }
    return out;
  }

  // Approval steps: [["a"], ["b", "c"]] — each step any one of its roles.
  std::optional<std::vector<std::vector<Str>>> Steps(std::string_view key) {
    const toml::node* node = Get(key);
    if (node == nullptr) return std::nullopt;
    const auto* array = node->as_array();
    if (array == nullptr) {
      WrongType(key, "役割 id の配列の配列（例: [[\"manager\"]]）",
                "an array of arrays of role ids (e.g. [[\"manager\"]])");
      return std::nullopt;
    }
    std::vector<std::vector<Str>> steps;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& step_node = *array->get(i);
      const std::string step_key = Join(prefix_, key) + "[" + std::to_string(i) + "]";
      const auto* step = step_node.as_array();
      if (step == nullptr || step->empty()) {
        diagnostics_.Add({file_, LineOf(step_node), step_key},
                         "各段階は役割 id の空でない配列である必要があります",
                         "each step must be a non-empty array of role ids");
        continue;
      }
      std::vector<Str> roles;
      for (std::size_t j = 0; j < step->size(); ++j) {
        const toml::node& role_node = *step->get(j);
        const std::string role_key = step_key + "[" + std::to_string(j) + "]";
        if (const auto* text = role_node.as_string()) {
          roles.push_back({text->get(), {file_, LineOf(role_node), role_key}});
        } else {
          diagnostics_.Add({file_, LineOf(role_node), role_key}, "文字列である必要があります",
                           "must be a string");
        }
      }
      steps.push_back(std::move(roles));
    }
    return steps;
  }

  // Calls fn(id, reader) for every sub-table of the table at `key`
  // ([documents.<id>], [roles.<id>], ...); absent `key` calls nothing.
  template <typename Fn>
  void ForEachTable(std::string_view key, Fn fn) {
    const toml::table* outer = Table(key, false);
    if (outer == nullptr) return;
    TableReader outer_reader(diagnostics_, file_, *outer, Join(prefix_, key));
    for (auto&& [id_key, node] : *outer) {
      const std::string id(id_key.str());
      const toml::table* inner = outer_reader.Table(id, true);
      if (inner == nullptr) continue;
      TableReader inner_reader(diagnostics_, file_, *inner, Join(outer_reader.Prefix(), id));
      fn(id, inner_reader);
    }
  }

  const toml::table& Raw() const { return table_; }
  Diagnostics& Diag() { return diagnostics_; }

 private:
  void ReportUnknownKeys() {
    for (auto&& [key, node] : table_) {
      if (used_.count(std::string(key.str())) == 0) {
        diagnostics_.Add({file_, LineOf(key), Join(prefix_, key.str())}, "不明なキーです",
                         "unknown key");
      }
    }
  }

  Diagnostics& diagnostics_;
  const std::string& file_;
  const toml::table& table_;
  std::string prefix_;
  std::set<std::string> used_;
};


enum class ScalarType { kString, kDate, kCount, kBool, kStringList };
struct ScalarSpec {
  std::string_view key;
  ScalarType type;
};


constexpr ScalarSpec kOrganizationSpec[] = {
    {"name", ScalarType::kString},          {"kind", ScalarType::kString},
    {"bodies", ScalarType::kStringList},    {"bodies_clause", ScalarType::kString},
    {"scope", ScalarType::kString},         {"effective_date", ScalarType::kDate},
    {"revision", ScalarType::kString},
};

constexpr ScalarSpec kPasswordSpec[] = {
    {"min_length", ScalarType::kCount},
    {"history", ScalarType::kCount},
    {"max_age_days", ScalarType::kCount},
    {"lockout_threshold", ScalarType::kCount},
    {"lockout_minutes", ScalarType::kCount},
    {"temporary_must_change", ScalarType::kBool},
    {"privileged_min_length", ScalarType::kCount},
    {"privileged_max_age_days", ScalarType::kCount},
    {"privileged_lockout_threshold", ScalarType::kCount},
    {"privileged_session_minutes", ScalarType::kCount},
    {"mfa_roles", ScalarType::kStringList},
    {"mfa_segments", ScalarType::kStringList},
    {"mfa_privileged", ScalarType::kBool},
    {"reject_login_or_name", ScalarType::kBool},
    {"dictionary_check", ScalarType::kBool},
    {"max_repeat_run", ScalarType::kCount},
    {"clauses", ScalarType::kStringList},
};

constexpr ScalarSpec kAuthSpec[] = {
    {"address_failures_before_delay", ScalarType::kCount},
    {"address_failures_before_block", ScalarType::kCount},
    {"address_window_minutes", ScalarType::kCount},
    {"address_block_minutes", ScalarType::kCount},
    {"address_delay_seconds", ScalarType::kCount},
    {"clauses", ScalarType::kStringList},
};

constexpr ScalarSpec kDeadlineSpec[] = {
    {"emergency_exception_report_days", ScalarType::kCount},
    {"personal_data_prompt_report_days", ScalarType::kCount},
    {"personal_data_final_report_days", ScalarType::kCount},
    {"personal_data_final_report_days_malicious", ScalarType::kCount},
    {"request_expiry_days", ScalarType::kCount},
    {"clauses", ScalarType::kStringList},
};

constexpr ScalarSpec kSanitizeSpec[] = {
    {"mail_method", ScalarType::kString},
    {"remove_uri_links", ScalarType::kBool},
    {"remove_metadata", ScalarType::kBool},
    {"legacy_office", ScalarType::kString},
    {"max_input_mib", ScalarType::kCount},
    {"max_expanded_mib", ScalarType::kCount},
    {"max_expansion_ratio", ScalarType::kCount},
    {"max_depth", ScalarType::kCount},
    {"max_seconds_per_file", ScalarType::kCount},
    {"max_memory_mib", ScalarType::kCount},
    {"max_megapixels", ScalarType::kCount},
    {"clauses", ScalarType::kStringList},
};

constexpr ScalarSpec kRiskSpec[] = {
    {"threat_default", ScalarType::kCount},
    {"vulnerability_default", ScalarType::kCount},
    {"vulnerability_on_partial", ScalarType::kCount},
    {"vulnerability_on_no", ScalarType::kCount},
    {"importance_high", ScalarType::kStringList},
    {"importance_medium", ScalarType::kStringList},
    {"high_from", ScalarType::kCount},
    {"medium_from", ScalarType::kCount},
    {"acceptable_levels", ScalarType::kStringList},
    {"accepted_by", ScalarType::kStringList},
    {"acceptance_max_days", ScalarType::kCount},
    {"review_days", ScalarType::kCount},
    {"clauses", ScalarType::kStringList},
};

constexpr std::int64_t kMaxCount = 100000;

void ReadScalars(TableReader& reader, std::span<const ScalarSpec> specs, ScalarMap& out) {
  for (const ScalarSpec& spec : specs) {
    if (!reader.Has(spec.key)) {
      reader.Get(spec.key);  // mark as known even when absent
      continue;
    }
    const Where where = reader.At(spec.key);
    switch (spec.type) {
      case ScalarType::kString:
        if (auto value = reader.String(spec.key, true)) out[std::string(spec.key)] = {value->value, where};
        break;
      case ScalarType::kDate:
        if (auto value = reader.Date(spec.key)) out[std::string(spec.key)] = {value->value, where};
        break;
      case ScalarType::kCount:
        if (auto value = reader.Integer(spec.key, 0, kMaxCount)) out[std::string(spec.key)] = {*value, where};
        break;
      case ScalarType::kBool:
        if (auto value = reader.Boolean(spec.key)) out[std::string(spec.key)] = {*value, where};
        break;
      case ScalarType::kStringList:
        if (auto value = reader.StringList(spec.key, true)) out[std::string(spec.key)] = {*value, where};
        break;
    }
  }
}

// Renders the `when` table as "key=value, ..." for --explain output.
std::string RenderNode(const toml::node& node) {
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* flag = node.as_boolean()) return flag->get() ? "true" : "false";
  if (const auto* number = node.as_integer()) return std::to_string(number->get());
  if (const auto* array = node.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (i > 0) out += ",";
      out += RenderNode(*array->get(i));
    }
    return out + "]";
  }
  if (const auto* table = node.as_table()) {
    std::string out = "{";
    bool first = true;
    for (auto&& [key, value] : *table) {
      if (!first) out += ",";
      first = false;
      out += std::string(key.str()) + "=" + RenderNode(value);
    }
    return out + "}";
  }
  return "?";
}

void ReadCondition(TableReader& when, RawRule& rule) {
  std::string rendered;
  for (auto&& [key, value] : when.Raw()) {
    if (!rendered.empty()) rendered += ", ";
    rendered += std::string(key.str()) + "=" + RenderNode(value);
  }
  rule.condition_text = rendered;

  for (int k = 0; k < kContextKeyCount; ++k) {
    const auto key = static_cast<ContextKey>(k);
    const std::string_view id = Id(key);
    if (!when.Has(id)) {
      when.Get(id);
      continue;
    }
    RawContext context{{std::string(id), when.At(id)}, {}};
    if (Info(key).kind == ContextKind::kBoolean) {
      if (auto flag = when.Boolean(id)) context.values.push_back({*flag ? "true" : "false", when.At(id)});
    } else if (auto values = when.StringList(id, true)) {
      if (values->empty()) {
        when.Diag().Add(when.At(id), "空の配列は指定できません（条件を外すにはキーを削除します）",
                        "must not be an empty array (remove the key to drop the condition)");
      }
      context.values = std::move(*values);
    }
    if (!context.values.empty()) rule.context.push_back(std::move(context));
  }
  auto non_empty = [&when](std::string_view key, std::vector<Str>& into) {
    if (auto values = when.StringList(key, false)) {
      if (values->empty()) {
        when.Diag().Add(when.At(key), "空の配列は指定できません（条件を外すにはキーを削除します）",
                        "must not be an empty array (remove the key to drop the condition)");
      }
      into = std::move(*values);
    }
  };
  non_empty("asset_kind", rule.asset_kinds);
  non_empty("actor_roles", rule.actor_roles);
  non_empty("unless_roles", rule.unless_roles);

  const std::pair<std::string_view, RawLevelRef::Op> level_keys[] = {
      {"min_level", RawLevelRef::Op::kMin},
      {"max_level", RawLevelRef::Op::kMax},
      {"level", RawLevelRef::Op::kAny},
  };
  for (const auto& [level_key, op] : level_keys) {
    const toml::table* table = when.Table(level_key, false);
    if (table == nullptr) continue;
    if (table->empty()) {
      when.Diag().Add(when.At(level_key), "空のテーブルは指定できません（条件を外すにはキーを削除します）",
                      "must not be an empty table (remove the key to drop the condition)");
      continue;
    }
    TableReader levels(when.Diag(), when.File(), *table, Join(when.Prefix(), level_key));
    for (auto&& [axis_key, axis_node] : *table) {
      const std::string axis(axis_key.str());
      auto values = levels.StringList(axis, true);
      if (!values) continue;
      if (values->empty()) {
        when.Diag().Add(levels.At(axis), "空の配列は指定できません（条件を外すにはキーを削除します）",
                        "must not be an empty array (remove the key to drop the condition)");
        continue;
      }
      if (op != RawLevelRef::Op::kAny && values->size() != 1) {
        when.Diag().Add(levels.At(axis), "min_level/max_level には水準を1つだけ指定します",
                        "min_level/max_level take exactly one level");
        continue;
      }
      for (Str& level : *values) {
        rule.levels.push_back({{axis, levels.At(axis)}, std::move(level), op});
      }
    }
  }
}

void ReadRule(TableReader& reader, RawRule& rule) {
  auto id = reader.String("id", true);
  if (id) rule.id = id->value;
  rule.where = id ? id->where : reader.Self();
  if (auto action = reader.String("action", true)) rule.action = *action;
  if (auto effect = reader.String("effect", true)) rule.effect = *effect;
  if (auto steps = reader.Steps("approvals")) rule.approvals = std::move(*steps);
  if (auto obligations = reader.StringList("obligations", false)) {
    rule.obligations = std::move(*obligations);
  }
  if (auto clauses = reader.StringList("clauses", true)) rule.clauses = std::move(*clauses);
  if (auto text = reader.String("text", true)) rule.text = text->value;
  if (auto text_en = reader.String("text_en", false)) rule.text_en = text_en->value;
  if (const toml::table* when_table = reader.Table("when", false)) {
    TableReader when(reader.Diag(), reader.File(), *when_table, Join(reader.Prefix(), "when"));
    ReadCondition(when, rule);
  }
}

void ReadCheck(TableReader& reader, RawCheck& check) {
  auto id = reader.String("id", true);
  if (id) check.id = id->value;
  check.where = id ? id->where : reader.Self();
  if (auto clause = reader.String("clause", true)) check.clause = *clause;
  if (auto question = reader.String("question", true)) check.question = *question;
  if (auto answered_by = reader.String("answered_by", true)) check.answered_by = *answered_by;
  if (auto priority = reader.Boolean("priority")) check.priority = *priority;
  if (auto methods = reader.StringList("methods", true)) {
    if (methods->empty()) {
      reader.Diag().Add(reader.At("methods"), "監査の方法を1つ以上指定します",
                        "name at least one audit method");
    }
    check.methods = std::move(*methods);
  }
  if (auto evidence = reader.StringList("evidence", false)) {
    for (Str& item : *evidence) check.evidence.push_back(std::move(item.value));
  }
  check.probe = reader.String("probe", false);
}

// Element prefix for an array of tables: rules[take_out.permission] when the
// element has an id, rules[#3] otherwise.
std::string ElementPrefix(std::string_view array_key, const toml::table& table, std::size_t index,
                          std::string_view id_key = "id") {
  if (const toml::node* id = table.get(id_key)) {
    if (const auto* text = id->as_string()) {
      return std::string(array_key) + "[" + text->get() + "]";
    }
  }
  return std::string(array_key) + "[#" + std::to_string(index + 1) + "]";
}

void ReadClassification(TableReader& reader, RawClassification& out) {
  out.where = reader.Self();
  if (auto clause = reader.String("clause", false)) out.clause = clause->value;
  if (const toml::table* restrictions = reader.Table("handling_restrictions", false)) {
    TableReader r(reader.Diag(), reader.File(), *restrictions,
                  Join(reader.Prefix(), "handling_restrictions"));
    for (auto&& [key, node] : *restrictions) {
      const std::string id(key.str());
      if (auto title = r.String(id, true)) out.restrictions.push_back({id, title->value});
    }
  }
  const auto axes = reader.Tables("axes");
  if (axes.empty()) {
    reader.Diag().Add(reader.At("axes"), "分類軸（[[classification.axes]]）が1つ以上必要です",
                      "at least one axis ([[classification.axes]]) is required");
  }
  for (std::size_t a = 0; a < axes.size(); ++a) {
    TableReader axis_reader(reader.Diag(), reader.File(), *axes[a],
                            Join(reader.Prefix(), ElementPrefix("axes", *axes[a], a)));
    RawAxis axis;
    axis.axis.where = axis_reader.Self();
    if (auto id = axis_reader.String("id", true)) axis.axis.id = id->value;
    if (auto title = axis_reader.String("title", true)) axis.axis.title = title->value;
    if (auto clause = axis_reader.String("clause", false)) axis.axis.clause = clause->value;
    const auto levels = axis_reader.Tables("levels");
    if (levels.empty() || levels.size() > static_cast<std::size_t>(kMaxLevels)) {
      reader.Diag().Add(axis_reader.At("levels"),
                        "水準（levels）は1〜" + std::to_string(kMaxLevels) + "個必要です",
                        "an axis needs 1 to " + std::to_string(kMaxLevels) + " levels");
    }
    for (std::size_t l = 0; l < levels.size() && l < static_cast<std::size_t>(kMaxLevels); ++l) {
      TableReader level_reader(reader.Diag(), reader.File(), *levels[l],
                               Join(axis_reader.Prefix(), ElementPrefix("levels", *levels[l], l)));
      RawLevel level;
      level.level.where = level_reader.Self();
      if (auto id = level_reader.String("id", true)) level.level.id = id->value;
      if (auto title = level_reader.String("title", true)) level.level.title = title->value;
      if (auto definition = level_reader.String("definition", true)) {
        level.level.definition = definition->value;
      }
      if (auto restrictions = level_reader.StringList("handling_restrictions", false)) {
        level.restrictions = std::move(*restrictions);
      }
      if (const toml::table* maps = level_reader.Table("maps_to", false)) {
        TableReader maps_reader(reader.Diag(), reader.File(), *maps,
                                Join(level_reader.Prefix(), "maps_to"));
        for (auto&& [key, node] : *maps) {
          const std::string target_axis(key.str());
          if (auto target = maps_reader.String(target_axis, true)) {
            level.maps_to.push_back({{target_axis, maps_reader.At(target_axis)}, *target});
          }
        }
      }
      axis.levels.push_back(std::move(level));
    }
    out.axes.push_back(std::move(axis));
  }
}

void ReadNetwork(TableReader& reader, Layer& layer) {
  layer.network_model = reader.String("model", false);
  layer.network_clause = reader.String("clause", false);
  if (reader.Has("segments")) {
    std::vector<Segment> segments;
    const auto tables = reader.Tables("segments");
    for (std::size_t i = 0; i < tables.size(); ++i) {
      TableReader s(reader.Diag(), layer.file, *tables[i],
                    Join(reader.Prefix(), ElementPrefix("segments", *tables[i], i)));
      Segment segment;
      segment.where = s.Self();
      if (auto id = s.String("id", true)) segment.id = id->value;
      if (auto title = s.String("title", true)) segment.title = title->value;
      if (auto definition = s.String("definition", false)) segment.definition = definition->value;
      segments.push_back(std::move(segment));
    }
    layer.segments = std::move(segments);
  } else {
    reader.Get("segments");
  }
  const auto flows = reader.Tables("flows");
  std::map<std::pair<std::string, std::string>, Where> seen_pairs;
  for (std::size_t i = 0; i < flows.size(); ++i) {
    TableReader f(reader.Diag(), layer.file, *flows[i],
                  Join(reader.Prefix(), "flows[#" + std::to_string(i + 1) + "]"));
    RawFlow flow;
    flow.where = f.Self();
    if (auto from = f.String("from", true)) flow.from = *from;
    if (auto to = f.String("to", true)) flow.to = *to;
    if (auto mode = f.String("mode", true)) flow.mode = *mode;
    if (auto methods = f.StringList("methods", false)) {
      for (Str& method : *methods) flow.methods.push_back(std::move(method.value));
    }
    if (auto steps = f.Steps("approvals")) flow.approvals = std::move(*steps);
    flow.clause = f.String("clause", false);
    if (auto note = f.String("note", false)) flow.note = note->value;
    auto [previous, inserted] =
        seen_pairs.emplace(std::make_pair(flow.from.value, flow.to.value), flow.where);
    if (!inserted) {
      reader.Diag().Add(flow.where,
                        "同じ領域の組（" + flow.from.value + " → " + flow.to.value +
                            "）の通信が重複しています（最初の定義: " + previous->second.ToString() + "）",
                        "duplicate flow " + flow.from.value + " -> " + flow.to.value +
                            " (first defined at " + previous->second.ToString() + ")");
      continue;
    }
    layer.flows.push_back(std::move(flow));
  }
}

// Parses one file into a Layer. Problems go to `diagnostics`.
Layer ReadLayer(Diagnostics& diagnostics, const std::string& file, const toml::table& root) {
  Layer layer;
  layer.file = file;
  TableReader top(diagnostics, layer.file, root, "");

  if (const toml::table* profile = top.Table("profile", true)) {
    TableReader p(diagnostics, layer.file, *profile, "profile");
    if (auto id = p.String("id", true)) layer.id = *id;
    if (auto title = p.String("title", false)) layer.title = title->value;
    layer.extends = p.String("extends", false);
    if (auto remove = p.StringList("remove_rules", false)) layer.remove_rules = std::move(*remove);
    if (auto remove = p.StringList("remove_checks", false)) {
      layer.remove_checks = std::move(*remove);
    }
    layer.default_effect = p.String("default_effect", false);
    (void)p.Integer("format", 1, 1);  // the only format so far; problems are reported
  }
  if (const toml::table* organization = top.Table("organization", false)) {
    TableReader o(diagnostics, layer.file, *organization, "organization");
    layer.organization_line = o.Self().line;
    ReadScalars(o, kOrganizationSpec, layer.organization);
  }
  top.ForEachTable("documents", [&](const std::string& id, TableReader& doc) {
    Document document;
    document.id = id;
    document.where = doc.Self();
    if (auto title = doc.String("title", true)) document.title = title->value;
    if (auto kind = doc.String("kind", true)) document.kind = kind->value;
    if (auto is_public = doc.Boolean("public")) {
      document.is_public = *is_public;
    } else if (!doc.Has("public")) {
      doc.Missing("public");
    }
    if (auto note = doc.String("note", false)) document.note = note->value;
    layer.documents.push_back(std::move(document));
  });
  const auto clauses = top.Tables("clauses");
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    TableReader c(diagnostics, layer.file, *clauses[i], ElementPrefix("clauses", *clauses[i], i));
    Clause clause;
    clause.where = c.Self();
    if (auto id = c.String("id", true)) clause.id = id->value;
    if (auto title = c.String("title", true)) clause.title = title->value;
    auto document = c.String("document", true);
    layer.clauses.push_back({std::move(clause), document.value_or(Str{})});
  }
  if (const toml::table* classification = top.Table("classification", false)) {
    TableReader c(diagnostics, layer.file, *classification, "classification");
    RawClassification raw;
    ReadClassification(c, raw);
    layer.classification = std::move(raw);
  }
  // [roles.<id>]: a built-in role (its title and holder in this
  // organization) or, for an id outside the vocabulary, a post the profile
  // defines itself. The builder checks ids against the built-ins.
  top.ForEachTable("roles", [&](const std::string& id, TableReader& role) {
    RawRole raw;
    raw.info.where = role.Self();
    raw.id = {id, role.Self()};
    raw.info.id = id;
    const bool built_in = ParseRole(id).has_value();
    bool usable = true;
    if (auto near = BuiltInRoleNear(id)) {
      const std::string known(Id(*near));
      diagnostics.Add(role.Self(),
                      "役割 id「" + id + "」は組込みの役割「" + known +
                          "」と紛らわしいため使えません（組込みの役割ならその id で、独自の役割なら別の id "
                          "で定義してください）",
                      "role id \"" + id + "\" collides with built-in role \"" + known +
                          "\" (use that id for the built-in role, or another id for a role of your own)");
      usable = false;
    } else if (!built_in && !IsRoleId(id)) {
      diagnostics.Add(role.Self(),
                      "役割 id「" + id + "」は英小文字で始まり英小文字・数字・_ だけの40文字以内で書きます",
                      "role id \"" + id +
                          "\" must start with a-z and use only a-z, 0-9 and _ (at most 40 characters)");
      usable = false;
    }

    if (auto title = role.String("title", true)) raw.info.title = title->value;
    if (auto holder = role.String("holder", false)) raw.info.holder = holder->value;
    if (auto duties = role.String("duties", false)) raw.info.duties = duties->value;
    if (auto clause = role.String("clause", false)) {
      raw.info.clause = clause->value;
    } else if (!built_in && usable) {
      diagnostics.Add(role.Self(),
                      "組織独自の役割「" + id + "」には根拠となる条項（clause）が必要です",
                      "role \"" + id + "\" is the profile's own and needs the clause that establishes it");
    }
    if (auto scope = role.String("scope", false)) {
      if (built_in) {
        diagnostics.Add(scope->where,
                        "組込みの役割「" + id +
                            "」の scope は変更できません（サインイン、監査、CSIRT 等の動作が前提とする意味を"
                            "保つため）。別の id で組織独自の役割を定義してください",
                        "the scope of built-in role \"" + id +
                            "\" is fixed (sign-in, audit and CSIRT behaviour rely on it); define a role "
                            "of your own under another id");
      } else if (scope->value != "section" && scope->value != "organization") {
        diagnostics.Add(scope->where,
                        "scope「" + scope->value +
                            "」は使用できません（section: 課室等ごと、organization: 組織全体）",
                        "scope \"" + scope->value + "\" is not valid (section, organization)");
      } else {
        raw.scope = std::move(*scope);
      }
    }
    if (auto delegates = role.StringList("delegates", false)) raw.delegates = std::move(*delegates);
    if (auto substitutes = role.StringList("substitutes", false)) {
      raw.substitutes = std::move(*substitutes);
    }
    // Its keys were read all the same: one problem for the table, not one
    // per key.
    if (usable) layer.roles.push_back(std::move(raw));
  });
  if (const toml::table* network = top.Table("network", false)) {
    TableReader n(diagnostics, layer.file, *network, "network");
    ReadNetwork(n, layer);
  }
  if (const toml::table* passwords = top.Table("passwords", false)) {
    TableReader p(diagnostics, layer.file, *passwords, "passwords");
    ReadScalars(p, kPasswordSpec, layer.passwords);
  }
  if (const toml::table* auth = top.Table("auth", false)) {
    TableReader a(diagnostics, layer.file, *auth, "auth");
    ReadScalars(a, kAuthSpec, layer.auth);
  }
  if (const toml::table* deadlines = top.Table("deadlines", false)) {
    TableReader d(diagnostics, layer.file, *deadlines, "deadlines");
    ReadScalars(d, kDeadlineSpec, layer.deadlines);
  }
  if (const toml::table* sanitize = top.Table("sanitize", false)) {
    TableReader z(diagnostics, layer.file, *sanitize, "sanitize");
    ReadScalars(z, kSanitizeSpec, layer.sanitize);
  }
  if (const toml::table* risk = top.Table("risk", false)) {
    TableReader r(diagnostics, layer.file, *risk, "risk");
    ReadScalars(r, kRiskSpec, layer.risk);
  }
  top.ForEachTable("retention", [&](const std::string& id, TableReader& item) {
    RetentionItem retention_item;
    retention_item.id = id;
    if (auto title = item.String("title", true)) retention_item.title = title->value;
    if (auto days = item.Integer("days", 1, 36500)) {
      retention_item.days = static_cast<int>(*days);
    } else if (!item.Has("days")) {
      item.Missing("days");
    }
    auto clause = item.String("clause", false);
    if (clause) retention_item.clause = clause->value;
    layer.retention.push_back({std::move(retention_item), clause});
  });
  if (top.Has("threats")) {
    std::vector<std::pair<Threat, std::optional<Str>>> threats;
    const auto tables = top.Tables("threats");
    for (std::size_t i = 0; i < tables.size(); ++i) {
      TableReader t(diagnostics, layer.file, *tables[i], ElementPrefix("threats", *tables[i], i));
      Threat threat;
      threat.defined_in = layer.file;
      if (auto id = t.String("id", true)) threat.id = id->value;
      if (auto text = t.String("text", true)) threat.text = text->value;
      auto clause = t.String("clause", false);
      if (clause) threat.clause = clause->value;
      const bool duplicate = std::any_of(threats.begin(), threats.end(), [&](const auto& other) {
        return !threat.id.empty() && other.first.id == threat.id;
      });
      if (duplicate) {
        diagnostics.Add(t.At("id"), "脅威 id「" + threat.id + "」が重複しています",
                        "duplicate threat id \"" + threat.id + "\"");
        continue;
      }
      threats.push_back({std::move(threat), clause});
    }
    layer.threats = std::move(threats);
  } else {
    top.Get("threats");
  }
  if (const toml::table* sod = top.Table("separation_of_duties", false)) {
    TableReader s(diagnostics, layer.file, *sod, "separation_of_duties");
    layer.separation_of_duties = s.StringList("clauses", true);
    if (layer.separation_of_duties && layer.separation_of_duties->empty()) {
      diagnostics.Add(s.At("clauses"), "兼務の禁止の条項を1つ以上指定します",
                      "name at least one clause for separation of duties");
    }
  }
  const auto rules = top.Tables("rules");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    TableReader r(diagnostics, layer.file, *rules[i], ElementPrefix("rules", *rules[i], i));
    RawRule rule;
    ReadRule(r, rule);
    layer.rules.push_back(std::move(rule));
  }
  const auto checks = top.Tables("checks");
  for (std::size_t i = 0; i < checks.size(); ++i) {
    TableReader c(diagnostics, layer.file, *checks[i], ElementPrefix("checks", *checks[i], i));
    RawCheck check;
    ReadCheck(c, check);
    layer.checks.push_back(std::move(check));
  }
  return layer;
}


// ---------------------------------------------------------------------------
// Reading the extends chain



}  // namespace

void ReadChain(Diagnostics& diagnostics, const FileSystem& fs, const LoaderLimits& limits,
               std::string path, std::optional<std::string_view> text, Chain& chain) {
  std::vector<Layer> reversed;  // the loaded file first
  std::vector<std::string> seen;
  std::optional<std::string> owned_text;
  Where reference;  // where the current file was named (extends)
  while (true) {
    if (std::find(seen.begin(), seen.end(), path) != seen.end()) {
      std::string cycle;
      for (const std::string& file : seen) cycle += file + " → ";
      diagnostics.Add(reference, "extends が循環しています: " + cycle + path,
                      "extends cycle: " + cycle + path);
      return;
    }
    if (static_cast<int>(seen.size()) >= limits.max_extends_depth) {
      diagnostics.Add(reference,
                      "extends の階層が深すぎます（上限 " +
                          std::to_string(limits.max_extends_depth) + "）",
                      "extends chain too deep (limit " +
                          std::to_string(limits.max_extends_depth) + ")");
      return;
    }
    seen.push_back(path);
    if (!text) {
      auto contents = fs.ReadFile(path, limits.max_file_bytes);
      if (!contents.Ok()) {
        Diagnostic problem = contents.Err().Headline();
        if (!reference.Empty()) {
          problem.message_ja = "extends で指定したファイル " + path + " を読めません: " +
                               problem.message_ja;
          problem.message_en =
              "cannot read extended file " + path + ": " + problem.message_en;
          problem.where = reference;
        }
        diagnostics.Add(problem.where, problem.message_ja, problem.message_en);
        return;
      }
      owned_text = std::move(contents).Value();
      text = *owned_text;
    }
    if (const int line = LineOfNonAsciiOutsideStrings(*text); line != 0) {
      diagnostics.Add({path, line, ""},
                      "文字列とコメントの外に ASCII 以外の文字があります（全角の空白や記号を確認してください）",
                      "a non-ASCII character outside strings and comments (check for full-width "
                      "spaces or symbols)");
      return;
    }
    toml::parse_result parsed = toml::parse(*text, path);
    text.reset();
    if (!parsed) {
      const toml::parse_error& error = parsed.error();
      diagnostics.Add({path, static_cast<int>(error.source().begin.line), ""},
                      "TOML の構文エラー: " + std::string(error.description()),
                      "TOML syntax error: " + std::string(error.description()));
      return;
    }
    reversed.push_back(ReadLayer(diagnostics, path, parsed.table()));
    const Layer& layer = reversed.back();
    if (!layer.extends) break;
    reference = layer.extends->where;
    path = ResolveRelativeTo(path, layer.extends->value);
  }
  chain.layers.assign(std::make_move_iterator(reversed.rbegin()),
                      std::make_move_iterator(reversed.rend()));
}


}  // namespace mamori::policy::internal
