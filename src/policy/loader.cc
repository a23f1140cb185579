#include "policy/loader.h"

// toml++ is used header-only and without exceptions, in this file only.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#define TOML_ENABLE_FORMATTERS 0

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <toml++/toml.h>
#include <utility>
#include <variant>
#include <vector>

#include "policy/network_presets.h"

namespace mamori::policy {
namespace {

// ---------------------------------------------------------------------------
// Diagnostics

// Collects every problem found; the loader fails at the end if there is any.
class Diagnostics {
 public:
  explicit Diagnostics(int max) : max_(max) {}

  void Add(Where where, std::string ja, std::string en) {
    if (static_cast<int>(items_.size()) < max_) {
      items_.push_back({std::move(where), std::move(ja), std::move(en)});
    } else {
      truncated_ = true;
    }
  }
  bool Any() const { return !items_.empty(); }
  std::size_t Count() const { return items_.size(); }

  Error ToError() && {
    if (truncated_) {
      items_.push_back({{},
                        "問題が多いため、以降の報告を省略しました",
                        "too many problems; the rest were not reported"});
    }
    return Error(ErrorCode::kInvalidProfile, std::move(items_));
  }

 private:
  int max_;
  bool truncated_ = false;
  std::vector<Diagnostic> items_;
};

// A string read from a profile, with where it was written.
struct Str {
  std::string value;
  Where where;
};

int LineOf(const toml::node& node) { return static_cast<int>(node.source().begin.line); }
int LineOf(const toml::key& key) { return static_cast<int>(key.source().begin.line); }

std::string Join(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  return std::string(prefix) + "." + std::string(key);
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
    if (const auto* date = node->as_date()) {
      const toml::date& d = date->get();
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "%04u-%02u-%02u", static_cast<unsigned>(d.year),
                    static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
      return Str{buffer, At(key)};
    }
    if (const auto* value = node->as_string()) {
      const std::string& text = value->get();
      const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                          std::all_of(text.begin(), text.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
      if (shaped) return Str{text, At(key)};
    }
    WrongType(key, "日付（YYYY-MM-DD）", "a date (YYYY-MM-DD)");
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

// ---------------------------------------------------------------------------
// Layer: what one file says, before `extends` is applied.

struct RawLevelRef {
  Str axis;
  Str level;
  enum class Op { kMin, kMax, kAny } op = Op::kAny;
};

struct RawContext {
  Str key;
  std::vector<Str> values;  // booleans as "true"/"false"
};

struct RawRule {
  std::string id;
  Where where;
  Str action;
  Str effect;
  std::vector<std::vector<Str>> approvals;
  std::vector<Str> obligations;
  std::vector<Str> clauses;
  std::string text;
  std::string text_en;
  std::string condition_text;
  std::vector<RawContext> context;
  std::vector<RawLevelRef> levels;
  std::vector<Str> asset_kinds;
  std::vector<Str> actor_roles;
  std::vector<Str> unless_roles;
  int layer = 0;  // index of the layer that wrote it (0 = root)
};

struct RawLevel {
  Level level;
  std::vector<Str> restrictions;
  std::vector<std::pair<Str, Str>> maps_to;  // axis, level
};

struct RawAxis {
  Axis axis;  // without levels
  std::vector<RawLevel> levels;
};

struct RawClassification {
  std::vector<RawAxis> axes;
  std::vector<HandlingRestriction> restrictions;
  std::string clause;
  Where where;
};

struct RawRole {
  RoleInfo info;
  std::vector<Str> delegates;
  std::vector<Str> substitutes;
};

struct RawFlow {
  Str from;
  Str to;
  Str mode;
  std::vector<std::string> methods;
  std::vector<std::vector<Str>> approvals;
  std::optional<Str> clause;
  std::string note;
  Where where;
};

// A scalar read from a fixed-schema section (organization, passwords, ...).
struct Scalar {
  std::variant<std::string, std::int64_t, bool, std::vector<Str>> value;
  Where where;
};
using ScalarMap = std::map<std::string, Scalar>;

enum class ScalarType { kString, kDate, kCount, kBool, kStringList };
struct ScalarSpec {
  std::string_view key;
  ScalarType type;
};

struct Layer {
  std::string file;
  Str id;
  std::string title;
  std::optional<Str> extends;
  std::vector<Str> remove_rules;
  std::optional<Str> default_effect;
  ScalarMap organization;
  std::vector<Document> documents;
  std::vector<std::pair<Clause, Str>> clauses;  // clause, its document reference
  std::optional<RawClassification> classification;
  std::vector<RawRole> roles;
  std::optional<Str> network_model;
  std::optional<Str> network_clause;
  std::optional<std::vector<Segment>> segments;
  std::vector<RawFlow> flows;
  ScalarMap passwords;
  ScalarMap deadlines;
  std::vector<std::pair<RetentionItem, std::optional<Str>>> retention;
  std::optional<std::vector<std::pair<Threat, std::optional<Str>>>> threats;
  std::optional<std::vector<Str>> separation_of_duties;
  std::vector<RawRule> rules;
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
      context.values = std::move(*values);
    }
    if (!context.values.empty()) rule.context.push_back(std::move(context));
  }
  if (auto kinds = when.StringList("asset_kind", false)) rule.asset_kinds = std::move(*kinds);
  if (auto roles = when.StringList("actor_roles", false)) rule.actor_roles = std::move(*roles);
  if (auto roles = when.StringList("unless_roles", false)) rule.unless_roles = std::move(*roles);

  const std::pair<std::string_view, RawLevelRef::Op> level_keys[] = {
      {"min_level", RawLevelRef::Op::kMin},
      {"max_level", RawLevelRef::Op::kMax},
      {"level", RawLevelRef::Op::kAny},
  };
  for (const auto& [level_key, op] : level_keys) {
    const toml::table* table = when.Table(level_key, false);
    if (table == nullptr) continue;
    TableReader levels(when.Diag(), when.File(), *table, Join(when.Prefix(), level_key));
    for (auto&& [axis_key, axis_node] : *table) {
      const std::string axis(axis_key.str());
      auto values = levels.StringList(axis, true);
      if (!values) continue;
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
    layer.default_effect = p.String("default_effect", false);
    (void)p.Integer("format", 1, 1);  // the only format so far; problems are reported
  }
  if (const toml::table* organization = top.Table("organization", false)) {
    TableReader o(diagnostics, layer.file, *organization, "organization");
    ReadScalars(o, kOrganizationSpec, layer.organization);
  }
  if (const toml::table* documents = top.Table("documents", false)) {
    TableReader d(diagnostics, layer.file, *documents, "documents");
    for (auto&& [key, node] : *documents) {
      const std::string id(key.str());
      const toml::table* table = d.Table(id, true);
      if (table == nullptr) continue;
      TableReader doc(diagnostics, layer.file, *table, "documents." + id);
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
    }
  }
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
  if (const toml::table* roles = top.Table("roles", false)) {
    TableReader r(diagnostics, layer.file, *roles, "roles");
    for (auto&& [key, node] : *roles) {
      const std::string id(key.str());
      const toml::table* table = r.Table(id, true);
      if (table == nullptr) continue;
      TableReader role(diagnostics, layer.file, *table, "roles." + id);
      RawRole raw;
      raw.info.where = role.Self();
      if (auto parsed = ParseRole(id)) {
        raw.info.role = *parsed;
      } else {
        diagnostics.Add(role.Self(), "不明な役割 id です（使用できる id: " + AllRoleIds() + "）",
                        "unknown role id (known: " + AllRoleIds() + ")");
        continue;
      }
      if (auto title = role.String("title", true)) raw.info.title = title->value;
      if (auto holder = role.String("holder", false)) raw.info.holder = holder->value;
      if (auto duties = role.String("duties", false)) raw.info.duties = duties->value;
      if (auto clause = role.String("clause", false)) raw.info.clause = clause->value;
      if (auto delegates = role.StringList("delegates", false)) raw.delegates = std::move(*delegates);
      if (auto substitutes = role.StringList("substitutes", false)) {
        raw.substitutes = std::move(*substitutes);
      }
      layer.roles.push_back(std::move(raw));
    }
  }
  if (const toml::table* network = top.Table("network", false)) {
    TableReader n(diagnostics, layer.file, *network, "network");
    ReadNetwork(n, layer);
  }
  if (const toml::table* passwords = top.Table("passwords", false)) {
    TableReader p(diagnostics, layer.file, *passwords, "passwords");
    ReadScalars(p, kPasswordSpec, layer.passwords);
  }
  if (const toml::table* deadlines = top.Table("deadlines", false)) {
    TableReader d(diagnostics, layer.file, *deadlines, "deadlines");
    ReadScalars(d, kDeadlineSpec, layer.deadlines);
  }
  if (const toml::table* retention = top.Table("retention", false)) {
    TableReader r(diagnostics, layer.file, *retention, "retention");
    for (auto&& [key, node] : *retention) {
      const std::string id(key.str());
      const toml::table* table = r.Table(id, true);
      if (table == nullptr) continue;
      TableReader item(diagnostics, layer.file, *table, "retention." + id);
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
    }
  }
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
      threats.push_back({std::move(threat), clause});
    }
    layer.threats = std::move(threats);
  } else {
    top.Get("threats");
  }
  if (const toml::table* sod = top.Table("separation_of_duties", false)) {
    TableReader s(diagnostics, layer.file, *sod, "separation_of_duties");
    layer.separation_of_duties = s.StringList("clauses", true);
  }
  const auto rules = top.Tables("rules");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    TableReader r(diagnostics, layer.file, *rules[i], ElementPrefix("rules", *rules[i], i));
    RawRule rule;
    ReadRule(r, rule);
    layer.rules.push_back(std::move(rule));
  }
  return layer;
}

// ---------------------------------------------------------------------------
// Reading the extends chain

struct Chain {
  std::vector<Layer> layers;  // root first
};

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

// ---------------------------------------------------------------------------
// Merging layers and compiling the result

class Builder {
 public:
  Builder(Diagnostics& diagnostics, const LoaderLimits& limits)
      : diagnostics_(diagnostics), limits_(limits) {}

  Profile Build(Chain& chain) {
    for (std::size_t i = 0; i < chain.layers.size(); ++i) {
      Merge(chain.layers[i], static_cast<int>(i));
    }
    profile_.files.clear();
    for (auto it = chain.layers.rbegin(); it != chain.layers.rend(); ++it) {
      profile_.files.push_back(it->file);
    }
    Finish();
    return std::move(profile_);
  }

 private:
  void Fail(const Where& where, std::string ja, std::string en) {
    diagnostics_.Add(where, std::move(ja), std::move(en));
  }

  void Merge(Layer& layer, int index) {
    profile_.id = layer.id.value;
    if (!layer.title.empty()) profile_.title = layer.title;
    if (layer.default_effect) default_effect_ = layer.default_effect;
    for (const auto& [key, value] : layer.organization) organization_[key] = value;
    for (const auto& [key, value] : layer.passwords) passwords_[key] = value;
    for (const auto& [key, value] : layer.deadlines) deadlines_[key] = value;

    for (Document& document : layer.documents) {
      Upsert(profile_.documents, std::move(document),
             [](const Document& a, const Document& b) { return a.id == b.id; });
    }
    std::set<std::string> layer_clauses;
    for (auto& [clause, document] : layer.clauses) {
      if (!layer_clauses.insert(clause.id).second) {
        Fail(clause.where, "条項 id「" + clause.id + "」が重複しています",
             "duplicate clause id \"" + clause.id + "\"");
        continue;
      }
      clause.document = document.value;
      clause_documents_[clause.id] = document;
      Upsert(profile_.clauses, std::move(clause),
             [](const Clause& a, const Clause& b) { return a.id == b.id; });
    }
    if (layer.classification) {
      if (classification_) previous_schemes_.push_back(std::move(*classification_));
      classification_ = std::move(layer.classification);
      classification_layer_ = index;
    }
    for (RawRole& role : layer.roles) {
      roles_[static_cast<std::size_t>(role.info.role)] = std::move(role);
    }
    if (layer.network_model) network_model_ = layer.network_model;
    if (layer.network_clause) profile_.network.clause = layer.network_clause->value;
    if (layer.segments) {
      profile_.network.segments = std::move(*layer.segments);
      flows_.clear();  // flows of the parent spoke of the parent's segments
    }
    for (RawFlow& flow : layer.flows) flows_.push_back(std::move(flow));
    for (auto& [item, clause] : layer.retention) {
      retention_[item.id] = {item, clause};
    }
    if (layer.threats) threats_ = std::move(*layer.threats);
    if (layer.separation_of_duties) separation_of_duties_ = std::move(*layer.separation_of_duties);

    // Rules: a rule with an id already defined by a parent replaces it in
    // place; remove_rules drops inherited rules; duplicates within one file
    // are an error.
    for (const Str& removed : layer.remove_rules) {
      auto it = std::find_if(rules_.begin(), rules_.end(),
                             [&](const RawRule& rule) { return rule.id == removed.value; });
      if (it == rules_.end()) {
        Fail(removed.where, "remove_rules で指定した規則「" + removed.value + "」は継承元にありません",
             "remove_rules names rule \"" + removed.value + "\" that no parent defines");
      } else {
        rules_.erase(it);
      }
    }
    std::map<std::string, Where> seen;
    for (RawRule& rule : layer.rules) {
      rule.layer = index;
      if (rule.id.empty()) continue;  // already reported as missing
      auto [previous, inserted] = seen.emplace(rule.id, rule.where);
      if (!inserted) {
        Fail(rule.where,
             "規則 id「" + rule.id + "」が重複しています（最初の定義: " +
                 previous->second.ToString() + "）",
             "duplicate rule id \"" + rule.id + "\" (first defined at " +
                 previous->second.ToString() + ")");
        continue;
      }
      auto it = std::find_if(rules_.begin(), rules_.end(),
                             [&](const RawRule& existing) { return existing.id == rule.id; });
      if (it != rules_.end()) {
        *it = std::move(rule);
      } else {
        rules_.push_back(std::move(rule));
      }
    }
  }

  template <typename T, typename Same>
  static void Upsert(std::vector<T>& items, T item, Same same) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return same(x, item); });
    if (it != items.end()) {
      *it = std::move(item);
    } else {
      items.push_back(std::move(item));
    }
  }

  // -- scalar sections

  const Scalar* Get(const ScalarMap& map, const std::string& key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }
  std::string GetString(const ScalarMap& map, const std::string& key) {
    const Scalar* scalar = Get(map, key);
    return scalar != nullptr ? std::get<std::string>(scalar->value) : std::string();
  }
  int GetInt(const ScalarMap& map, const std::string& key) {
    const Scalar* scalar = Get(map, key);
    return scalar != nullptr ? static_cast<int>(std::get<std::int64_t>(scalar->value)) : 0;
  }
  std::optional<bool> GetBool(const ScalarMap& map, const std::string& key) {
    const Scalar* scalar = Get(map, key);
    if (scalar == nullptr) return std::nullopt;
    return std::get<bool>(scalar->value);
  }
  std::vector<Str> GetList(const ScalarMap& map, const std::string& key) {
    const Scalar* scalar = Get(map, key);
    return scalar != nullptr ? std::get<std::vector<Str>>(scalar->value) : std::vector<Str>();
  }

  // -- references

  bool CheckClause(const Str& reference, std::string_view what_ja, std::string_view what_en) {
    if (reference.value.empty()) return false;
    if (profile_.FindClause(reference.value) != nullptr) return true;
    Fail(reference.where,
         std::string(what_ja) + "が参照する条項「" + reference.value +
             "」が [[clauses]] にありません",
         std::string(what_en) + " refers to clause \"" + reference.value +
             "\", which no [[clauses]] entry defines");
    return false;
  }

  std::optional<Role> CheckRole(const Str& reference, bool must_be_defined = true) {
    auto role = ParseRole(reference.value);
    if (!role) {
      Fail(reference.where,
           "不明な役割「" + reference.value + "」です（使用できる id: " + AllRoleIds() + "）",
           "unknown role \"" + reference.value + "\" (known: " + AllRoleIds() + ")");
      return std::nullopt;
    }
    if (must_be_defined && !profile_.roles[static_cast<std::size_t>(*role)]) {
      Fail(reference.where,
           "役割「" + reference.value + "」はこのプロファイルの [roles] に定義されていません",
           "role \"" + reference.value + "\" is not defined in this profile's [roles]");
      return std::nullopt;
    }
    return role;
  }

  std::optional<std::vector<std::vector<Role>>> CheckSteps(
      const std::vector<std::vector<Str>>& steps) {
    std::vector<std::vector<Role>> out;
    bool ok = true;
    for (const auto& step : steps) {
      std::vector<Role> roles;
      for (const Str& reference : step) {
        if (auto role = CheckRole(reference)) {
          roles.push_back(*role);
        } else {
          ok = false;
        }
      }
      out.push_back(std::move(roles));
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // -- classification

  void FinishClassification() {
    if (!classification_) {
      Fail({profile_.files.empty() ? "" : profile_.files.front(), 0, "classification"},
           "分類（[classification]）が定義されていません",
           "no classification ([classification]) is defined");
      return;
    }
    Classification& out = profile_.classification;
    out.clause = classification_->clause;
    out.where = classification_->where;
    out.handling_restrictions = classification_->restrictions;
    if (classification_->axes.size() > static_cast<std::size_t>(kMaxAxes)) {
      Fail(classification_->where, "分類軸が多すぎます（上限 " + std::to_string(kMaxAxes) + "）",
           "too many axes (limit " + std::to_string(kMaxAxes) + ")");
      return;
    }
    std::set<std::string> axis_ids;
    for (RawAxis& raw_axis : classification_->axes) {
      Axis axis = raw_axis.axis;
      if (!axis_ids.insert(axis.id).second) {
        Fail(axis.where, "分類軸 id「" + axis.id + "」が重複しています",
             "duplicate axis id \"" + axis.id + "\"");
      }
      if (!axis.clause.empty()) CheckClause({axis.clause, axis.where}, "分類軸", "axis");
      std::set<std::string> level_ids;
      for (RawLevel& raw_level : raw_axis.levels) {
        Level level = raw_level.level;
        if (!level_ids.insert(level.id).second) {
          Fail(level.where, "水準 id「" + level.id + "」が重複しています",
               "duplicate level id \"" + level.id + "\"");
        }
        for (const Str& restriction : raw_level.restrictions) {
          const bool known = std::any_of(
              out.handling_restrictions.begin(), out.handling_restrictions.end(),
              [&](const HandlingRestriction& r) { return r.id == restriction.value; });
          if (!known) {
            Fail(restriction.where,
                 "取扱制限「" + restriction.value +
                     "」が [classification.handling_restrictions] にありません",
                 "handling restriction \"" + restriction.value +
                     "\" is not in [classification.handling_restrictions]");
          }
          level.handling_restrictions.push_back(restriction.value);
        }
        for (const auto& [target_axis, target_level] : raw_level.maps_to) {
          const Axis* previous = FindPreviousAxis(target_axis.value);
          if (previous == nullptr) {
            Fail(target_axis.where,
                 "maps_to の分類軸「" + target_axis.value + "」は継承元の分類にありません",
                 "maps_to axis \"" + target_axis.value +
                     "\" is not an axis of the parent's classification");
            continue;
          }
          if (!previous->IndexOf(target_level.value)) {
            Fail(target_level.where,
                 "maps_to の水準「" + target_level.value + "」は継承元の分類軸「" +
                     target_axis.value + "」にありません",
                 "maps_to level \"" + target_level.value + "\" is not a level of the parent's axis \"" +
                     target_axis.value + "\"");
            continue;
          }
          level.maps_to[target_axis.value] = target_level.value;
        }
        axis.levels.push_back(std::move(level));
      }
      // A level that maps an axis while its sibling does not would leave
      // inherited rules undefined for the sibling.
      std::set<std::string> mapped;
      for (const RawLevel& level : raw_axis.levels) {
        for (const auto& [target, unused] : level.maps_to) mapped.insert(target.value);
      }
      for (const std::string& target : mapped) {
        for (const RawLevel& raw_level : raw_axis.levels) {
          const Level& level = raw_level.level;
          const bool has = std::any_of(raw_level.maps_to.begin(), raw_level.maps_to.end(),
                                       [&](const auto& entry) { return entry.first.value == target; });
          if (!has) {
            Fail(level.where,
                 "水準「" + level.id + "」に maps_to." + target +
                     " がありません（同じ軸の他の水準は対応付けています）",
                 "level \"" + level.id + "\" lacks maps_to." + target +
                     " while other levels of its axis map it");
          }
        }
      }
      out.axes.push_back(std::move(axis));
    }
  }

  const Axis* FindPreviousAxis(const std::string& id) {
    for (auto it = previous_axes_.rbegin(); it != previous_axes_.rend(); ++it) {
      if (it->id == id) return &*it;
    }
    return nullptr;
  }

  // Builds the axes of every scheme replaced along the chain, so maps_to can
  // be checked against them. Their own validity was reported when they were
  // current, so only ids and level order are taken.
  void CollectPreviousAxes() {
    for (const RawClassification& scheme : previous_schemes_) {
      for (const RawAxis& raw_axis : scheme.axes) {
        Axis axis = raw_axis.axis;
        for (const RawLevel& level : raw_axis.levels) axis.levels.push_back(level.level);
        previous_axes_.push_back(std::move(axis));
      }
    }
  }

  // Compiles a level reference to (native axis index, allowed level mask).
  std::optional<std::pair<int, std::uint32_t>> CompileLevel(const RawLevelRef& reference,
                                                            const RawRule& rule) {
    const auto& axes = profile_.classification.axes;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      if (axes[a].id != reference.axis.value) continue;
      auto index = axes[a].IndexOf(reference.level.value);
      if (!index) {
        Fail(reference.level.where,
             "水準「" + reference.level.value + "」は分類軸「" + reference.axis.value +
                 "」にありません",
             "level \"" + reference.level.value + "\" is not a level of axis \"" +
                 reference.axis.value + "\"");
        return std::nullopt;
      }
      return std::make_pair(static_cast<int>(a), Mask(reference.op, *index, axes[a].levels.size()));
    }
    // Not a native axis: an inherited rule written against a parent's scheme,
    // reached through maps_to.
    const Axis* foreign = FindPreviousAxis(reference.axis.value);
    if (foreign != nullptr) {
      auto foreign_index = foreign->IndexOf(reference.level.value);
      if (!foreign_index) {
        Fail(reference.level.where,
             "水準「" + reference.level.value + "」は分類軸「" + reference.axis.value +
                 "」にありません",
             "level \"" + reference.level.value + "\" is not a level of axis \"" +
                 reference.axis.value + "\"");
        return std::nullopt;
      }
      for (std::size_t a = 0; a < axes.size(); ++a) {
        if (axes[a].levels.empty() || axes[a].levels[0].maps_to.count(reference.axis.value) == 0) {
          continue;
        }
        std::uint32_t mask = 0;
        for (std::size_t l = 0; l < axes[a].levels.size(); ++l) {
          const auto& maps = axes[a].levels[l].maps_to;
          auto target = maps.find(reference.axis.value);
          if (target == maps.end()) continue;  // reported in FinishClassification
          const int mapped = foreign->IndexOf(target->second).value_or(0);
          bool allowed = false;
          switch (reference.op) {
            case RawLevelRef::Op::kMin:
              allowed = mapped <= *foreign_index;
              break;
            case RawLevelRef::Op::kMax:
              allowed = mapped >= *foreign_index;
              break;
            case RawLevelRef::Op::kAny:
              allowed = mapped == *foreign_index;
              break;
          }
          if (allowed) mask |= 1u << l;
        }
        return std::make_pair(static_cast<int>(a), mask);
      }
    }
    const bool inherited = rule.layer < classification_layer_;
    Fail(reference.axis.where,
         "分類軸「" + reference.axis.value + "」はこのプロファイルの分類にありません" +
             (inherited ? "（継承した規則です。[classification] の各水準に maps_to." +
                              reference.axis.value + " を指定してください）"
                        : std::string()),
         "axis \"" + reference.axis.value + "\" is not in this profile's classification" +
             (inherited ? " (an inherited rule: give each level of [classification] a maps_to." +
                              reference.axis.value + ")"
                        : std::string()));
    return std::nullopt;
  }

  static std::uint32_t Mask(RawLevelRef::Op op, int index, std::size_t count) {
    std::uint32_t mask = 0;
    for (std::size_t l = 0; l < count; ++l) {
      const int level = static_cast<int>(l);
      const bool allowed = op == RawLevelRef::Op::kMin   ? level <= index
                           : op == RawLevelRef::Op::kMax ? level >= index
                                                         : level == index;
      if (allowed) mask |= 1u << l;
    }
    return mask;
  }

  // -- rules

  void CompileRule(const RawRule& raw) {
    Rule rule;
    rule.id = raw.id;
    rule.where = raw.where;
    rule.text = raw.text;
    rule.text_en = raw.text_en;
    rule.condition_text = raw.condition_text;
    bool ok = !raw.id.empty();

    if (auto action = ParseAction(raw.action.value)) {
      rule.action = *action;
    } else {
      if (!raw.action.value.empty()) {
        Fail(raw.action.where,
             "不明な行為「" + raw.action.value + "」です（使用できる id: " + AllActionIds() + "）",
             "unknown action \"" + raw.action.value + "\" (known: " + AllActionIds() + ")");
      }
      ok = false;
    }
    if (auto effect = ParseEffect(raw.effect.value)) {
      rule.effect = *effect;
    } else {
      if (!raw.effect.value.empty()) {
        Fail(raw.effect.where,
             "不明な効果「" + raw.effect.value + "」です（allow, approval_required, deny）",
             "unknown effect \"" + raw.effect.value + "\" (allow, approval_required, deny)");
      }
      ok = false;
    }
    if (auto steps = CheckSteps(raw.approvals)) {
      rule.approvals = std::move(*steps);
    } else {
      ok = false;
    }
    if (ok && rule.effect == Effect::kApprovalRequired && rule.approvals.empty()) {
      Fail(raw.where, "effect = \"approval_required\" の規則には approvals が必要です",
           "a rule with effect = \"approval_required\" needs approvals");
      ok = false;
    }
    if (ok && rule.effect != Effect::kApprovalRequired && !rule.approvals.empty()) {
      Fail(raw.where, "approvals は effect = \"approval_required\" の規則にだけ指定できます",
           "approvals are only allowed on rules with effect = \"approval_required\"");
      ok = false;
    }
    for (const Str& obligation : raw.obligations) {
      if (auto parsed = ParseObligation(obligation.value)) {
        rule.obligations |= std::uint64_t{1} << static_cast<int>(*parsed);
      } else {
        Fail(obligation.where,
             "不明な義務「" + obligation.value + "」です（使用できる id: " + AllObligationIds() +
                 "）",
             "unknown obligation \"" + obligation.value + "\" (known: " + AllObligationIds() + ")");
        ok = false;
      }
    }
    for (const Str& clause : raw.clauses) {
      if (CheckClause(clause, "規則", "rule")) {
        rule.clauses.push_back(clause.value);
      } else {
        ok = false;
      }
    }

    CompiledCondition& when = rule.when;
    for (const RawContext& context : raw.context) {
      const ContextKey key = *ParseContextKey(context.key.value);
      const int k = static_cast<int>(key);
      std::uint64_t allowed = 0;
      for (const Str& value : context.values) {
        std::optional<int> index;
        switch (Info(key).kind) {
          case ContextKind::kBoolean:
            index = value.value == "true" ? 1 : 0;
            break;
          case ContextKind::kEnumerated:
            if (auto parsed = ParseContextValue(key, value.value)) index = *parsed;
            break;
          case ContextKind::kSegment:
            index = profile_.network.SegmentIndex(value.value);
            break;
        }
        if (!index) {
          std::string known;
          if (Info(key).kind == ContextKind::kSegment) {
            for (const Segment& segment : profile_.network.segments) {
              known += (known.empty() ? "" : ", ") + segment.id;
            }
          } else {
            for (std::string_view v : Info(key).values) {
              known += (known.empty() ? "" : ", ") + std::string(v);
            }
          }
          Fail(value.where,
               "「" + context.key.value + "」の値「" + value.value + "」は使用できません（" +
                   known + "）",
               "value \"" + value.value + "\" is not valid for \"" + context.key.value + "\" (" +
                   known + ")");
          ok = false;
          continue;
        }
        allowed |= std::uint64_t{1} << *index;
      }
      when.context_keys |= 1u << k;
      when.context_values[static_cast<std::size_t>(k)] |= allowed;
    }
    for (const Str& kind : raw.asset_kinds) {
      if (auto parsed = ParseAssetKind(kind.value)) {
        when.asset_kinds |= 1u << static_cast<int>(*parsed);
      } else {
        Fail(kind.where,
             "不明な資産の種類「" + kind.value + "」です（system, media, device, data, document）",
             "unknown asset kind \"" + kind.value + "\" (system, media, device, data, document)");
        ok = false;
      }
    }
    for (const Str& reference : raw.actor_roles) {
      if (auto role = CheckRole(reference, false)) {
        when.actor_roles |= 1u << static_cast<int>(*role);
      } else {
        ok = false;
      }
    }
    for (const Str& reference : raw.unless_roles) {
      if (auto role = CheckRole(reference, false)) {
        when.unless_roles |= 1u << static_cast<int>(*role);
      } else {
        ok = false;
      }
    }
    for (const RawLevelRef& reference : raw.levels) {
      auto compiled = CompileLevel(reference, raw);
      if (!compiled) {
        ok = false;
        continue;
      }
      const auto [axis, mask] = *compiled;
      const auto a = static_cast<std::size_t>(axis);
      if ((when.level_axes & (1u << axis)) != 0) {
        when.level_masks[a] &= mask;  // several constraints on one axis: all hold
      } else {
        when.level_axes |= 1u << axis;
        when.level_masks[a] = mask;
      }
    }
    for (const std::string& clause : rule.clauses) {
      for (std::size_t c = 0; c < profile_.clauses.size(); ++c) {
        if (profile_.clauses[c].id == clause) {
          rule.clause_indices.push_back(static_cast<std::uint16_t>(c));
        }
      }
    }
    if (ok) profile_.rules.push_back(std::move(rule));
  }

  // -- network

  void FinishNetwork() {
    Network& network = profile_.network;
    if (network.segments.size() > static_cast<std::size_t>(kMaxSegments)) {
      Fail({profile_.files.front(), 0, "network.segments"}, "領域が多すぎます",
           "too many segments");
      return;
    }
    std::set<std::string> ids;
    for (const Segment& segment : network.segments) {
      if (!ids.insert(segment.id).second) {
        Fail(segment.where, "領域 id「" + segment.id + "」が重複しています",
             "duplicate segment id \"" + segment.id + "\"");
      }
    }
    network.model = network_model_ ? network_model_->value : "custom";
    const NetworkPreset* preset = FindNetworkPreset(network.model);
    if (preset == nullptr) {
      Fail(network_model_->where,
           "不明なネットワークモデル「" + network.model + "」です（" +
               std::string(NetworkPresetIds()) + "）",
           "unknown network model \"" + network.model + "\" (" +
               std::string(NetworkPresetIds()) + ")");
      return;
    }
    if (network.model != "custom") {
      for (std::string_view required : {"mynumber", "lgwan", "internet"}) {
        if (!network.SegmentIndex(std::string(required))) {
          Fail(network_model_->where,
               "モデル「" + network.model + "」には領域「" + std::string(required) +
                   "」が必要です（領域が異なる場合は model = \"custom\"）",
               "model \"" + network.model + "\" needs segment \"" + std::string(required) +
                   "\" (use model = \"custom\" for other segments)");
          return;
        }
      }
      auto add_preset = [&](const PresetFlow& preset_flow) {
        Flow flow;
        flow.from = *network.SegmentIndex(std::string(preset_flow.from));
        flow.to = *network.SegmentIndex(std::string(preset_flow.to));
        flow.mode = preset_flow.mode;
        for (std::string_view method : preset_flow.methods) flow.methods.emplace_back(method);
        flow.note = std::string(preset_flow.note);
        flow.clause = network.clause;
        flow.from_preset = true;
        network.flows.push_back(std::move(flow));
      };
      for (const PresetFlow& flow : MyNumberPresetFlows()) add_preset(flow);
      for (const PresetFlow& flow : preset->flows) add_preset(flow);
    }
    for (const RawFlow& raw : flows_) {
      Flow flow;
      flow.where = raw.where;
      bool ok = true;
      auto segment = [&](const Str& reference) -> int {
        auto index = network.SegmentIndex(reference.value);
        if (!index) {
          Fail(reference.where, "領域「" + reference.value + "」は [[network.segments]] にありません",
               "segment \"" + reference.value + "\" is not in [[network.segments]]");
          ok = false;
          return 0;
        }
        return *index;
      };
      flow.from = segment(raw.from);
      flow.to = segment(raw.to);
      if (auto mode = ParseFlowMode(raw.mode.value)) {
        flow.mode = *mode;
      } else if (!raw.mode.value.empty()) {
        Fail(raw.mode.where,
             "不明な通信方式「" + raw.mode.value +
                 "」です（direct, restricted, sanitized, screen_transfer, never）",
             "unknown flow mode \"" + raw.mode.value +
                 "\" (direct, restricted, sanitized, screen_transfer, never)");
        ok = false;
      }
      if (ok && flow.from == flow.to) {
        Fail(raw.where, "同じ領域の間の通信は指定できません",
             "a flow must connect two different segments");
        ok = false;
      }
      flow.methods = raw.methods;
      flow.note = raw.note;
      if (auto steps = CheckSteps(raw.approvals)) {
        flow.approvals = std::move(*steps);
      } else {
        ok = false;
      }
      if (raw.clause) {
        if (CheckClause(*raw.clause, "通信", "flow")) flow.clause = raw.clause->value;
      } else {
        flow.clause = network.clause;
      }
      if (!ok) continue;
      auto existing = std::find_if(network.flows.begin(), network.flows.end(), [&](const Flow& f) {
        return f.from == flow.from && f.to == flow.to;
      });
      if (existing != network.flows.end()) {
        *existing = std::move(flow);
      } else {
        network.flows.push_back(std::move(flow));
      }
    }
    if (!network.clause.empty()) {
      CheckClause({network.clause, {profile_.files.front(), 0, "network.clause"}}, "ネットワーク",
                  "network");
    }
  }

  void Finish() {
    const std::string& top_file = profile_.files.front();
    // organization
    Organization& organization = profile_.organization;
    organization.name = GetString(organization_, "name");
    if (organization.name.empty()) {
      Fail({top_file, 1, "organization.name"}, "団体名（organization.name）が必要です",
           "organization.name is required");
    }
    organization.kind = GetString(organization_, "kind");
    for (const Str& body : GetList(organization_, "bodies")) organization.bodies.push_back(body.value);
    organization.bodies_clause = GetString(organization_, "bodies_clause");
    organization.scope = GetString(organization_, "scope");
    organization.effective_date = GetString(organization_, "effective_date");
    organization.revision = GetString(organization_, "revision");
    if (default_effect_) {
      if (auto effect = ParseEffect(default_effect_->value); effect && *effect != Effect::kApprovalRequired) {
        profile_.default_effect = *effect;
      } else {
        Fail(default_effect_->where, "default_effect は allow 又は deny です",
             "default_effect must be allow or deny");
      }
    }

    // documents and clauses
    for (const Document& document : profile_.documents) {
      static constexpr std::string_view kKinds[] = {"basic_policy", "standards", "procedures",
                                                    "other"};
      if (std::find(std::begin(kKinds), std::end(kKinds), document.kind) == std::end(kKinds)) {
        Fail(document.where,
             "文書の種類「" + document.kind + "」は使用できません（basic_policy, standards, "
             "procedures, other）",
             "document kind \"" + document.kind +
                 "\" is not valid (basic_policy, standards, procedures, other)");
      }
    }
    if (profile_.clauses.size() > static_cast<std::size_t>(limits_.max_clauses)) {
      Fail({top_file, 0, "clauses"}, "条項が多すぎます", "too many clauses");
    }
    for (const Clause& clause : profile_.clauses) {
      const Str& document = clause_documents_[clause.id];
      if (!document.value.empty() && profile_.FindDocument(document.value) == nullptr) {
        Fail(document.where,
             "条項「" + clause.id + "」の文書「" + document.value + "」が [documents] にありません",
             "clause \"" + clause.id + "\" names document \"" + document.value +
                 "\", which is not in [documents]");
      }
    }

    // roles
    for (auto& slot : roles_) {
      if (slot) profile_.roles[static_cast<std::size_t>(slot->info.role)] = slot->info;
    }
    for (auto& slot : roles_) {
      if (!slot) continue;
      RoleInfo& info = *profile_.roles[static_cast<std::size_t>(slot->info.role)];
      for (const Str& delegate : slot->delegates) {
        if (auto role = CheckRole(delegate)) info.delegates.push_back(*role);
      }
      for (const Str& substitute : slot->substitutes) {
        if (auto role = CheckRole(substitute)) info.substitutes.push_back(*role);
      }
      if (!info.clause.empty()) CheckClause({info.clause, info.where}, "役割", "role");
    }
    for (Role required : {Role::kStaff, Role::kManager}) {
      if (!profile_.roles[static_cast<std::size_t>(required)]) {
        Fail({top_file, 0, "roles." + std::string(Id(required))},
             "役割「" + std::string(Id(required)) + "」が定義されていません",
             "role \"" + std::string(Id(required)) + "\" is not defined");
      }
    }

    CollectPreviousAxes();
    FinishClassification();
    FinishNetwork();

    // passwords and authentication
    PasswordPolicy& passwords = profile_.passwords;
    passwords.min_length = GetInt(passwords_, "min_length");
    passwords.history = GetInt(passwords_, "history");
    passwords.max_age_days = GetInt(passwords_, "max_age_days");
    passwords.lockout_threshold = GetInt(passwords_, "lockout_threshold");
    passwords.lockout_minutes = GetInt(passwords_, "lockout_minutes");
    passwords.temporary_must_change = GetBool(passwords_, "temporary_must_change").value_or(true);
    passwords.privileged_min_length = GetInt(passwords_, "privileged_min_length");
    passwords.privileged_max_age_days = GetInt(passwords_, "privileged_max_age_days");
    passwords.privileged_lockout_threshold = GetInt(passwords_, "privileged_lockout_threshold");
    passwords.privileged_session_minutes = GetInt(passwords_, "privileged_session_minutes");
    passwords.mfa_privileged = GetBool(passwords_, "mfa_privileged").value_or(false);
    if (passwords.min_length < 8) {
      const Scalar* where = Get(passwords_, "min_length");
      Fail(where != nullptr ? where->where : Where{top_file, 0, "passwords.min_length"},
           "パスワードの最小長（passwords.min_length）は8以上が必要です",
           "passwords.min_length must be at least 8");
    }
    if (passwords.privileged_min_length != 0 && passwords.privileged_min_length < passwords.min_length) {
      Fail(Get(passwords_, "privileged_min_length")->where,
           "特権IDのパスワード長は一般の最小長以上にします（6.2(1)③オ）",
           "privileged_min_length must not be below min_length (privileged IDs are stricter)");
    }
    for (const Str& reference : GetList(passwords_, "mfa_roles")) {
      if (auto role = CheckRole(reference)) passwords.mfa_roles.push_back(*role);
    }
    for (const Str& segment : GetList(passwords_, "mfa_segments")) {
      if (profile_.network.SegmentIndex(segment.value)) {
        passwords.mfa_segments.push_back(segment.value);
      } else {
        Fail(segment.where, "領域「" + segment.value + "」は [[network.segments]] にありません",
             "segment \"" + segment.value + "\" is not in [[network.segments]]");
      }
    }
    for (const Str& clause : GetList(passwords_, "clauses")) {
      if (CheckClause(clause, "パスワード規定", "password policy")) passwords.clauses.push_back(clause.value);
    }

    Deadlines& deadlines = profile_.deadlines;
    deadlines.emergency_exception_report_days = GetInt(deadlines_, "emergency_exception_report_days");
    deadlines.personal_data_prompt_report_days = GetInt(deadlines_, "personal_data_prompt_report_days");
    deadlines.personal_data_final_report_days = GetInt(deadlines_, "personal_data_final_report_days");
    deadlines.personal_data_final_report_days_malicious =
        GetInt(deadlines_, "personal_data_final_report_days_malicious");
    deadlines.request_expiry_days = GetInt(deadlines_, "request_expiry_days");
    for (const Str& clause : GetList(deadlines_, "clauses")) {
      if (CheckClause(clause, "期限", "deadline")) deadlines.clauses.push_back(clause.value);
    }

    for (auto& [id, entry] : retention_) {
      if (entry.second) CheckClause(*entry.second, "保存期間", "retention");
      profile_.retention.push_back(entry.first);
    }
    for (auto& [threat, clause] : threats_) {
      if (clause) CheckClause(*clause, "脅威", "threat");
      profile_.threats.push_back(threat);
    }
    for (const Str& clause : separation_of_duties_) {
      if (CheckClause(clause, "兼務の禁止", "separation of duties")) {
        profile_.separation_of_duties_clauses.push_back(clause.value);
      }
    }

    // rules
    if (rules_.size() > static_cast<std::size_t>(limits_.max_rules)) {
      Fail({top_file, 0, "rules"}, "規則が多すぎます（上限 " + std::to_string(limits_.max_rules) + "）",
           "too many rules (limit " + std::to_string(limits_.max_rules) + ")");
      return;
    }
    for (const RawRule& raw : rules_) CompileRule(raw);
    for (std::size_t i = 0; i < profile_.rules.size(); ++i) {
      profile_.rules_by_action[static_cast<std::size_t>(profile_.rules[i].action)].push_back(
          static_cast<std::uint16_t>(i));
    }
  }

  Diagnostics& diagnostics_;
  const LoaderLimits& limits_;
  Profile profile_;
  std::optional<Str> default_effect_;
  ScalarMap organization_;
  ScalarMap passwords_;
  ScalarMap deadlines_;
  std::map<std::string, Str> clause_documents_;
  std::optional<RawClassification> classification_;
  int classification_layer_ = 0;
  std::vector<RawClassification> previous_schemes_;
  std::vector<Axis> previous_axes_;
  std::array<std::optional<RawRole>, kRoleCount> roles_;
  std::optional<Str> network_model_;
  std::vector<RawFlow> flows_;
  std::map<std::string, std::pair<RetentionItem, std::optional<Str>>> retention_;
  std::vector<std::pair<Threat, std::optional<Str>>> threats_;
  std::vector<Str> separation_of_duties_;
  std::vector<RawRule> rules_;
};

Result<Profile> Load(const std::string& path, std::optional<std::string_view> text,
                     const FileSystem& fs, const LoaderLimits& limits) {
  Diagnostics diagnostics(limits.max_diagnostics);
  Chain chain;
  ReadChain(diagnostics, fs, limits, path, text, chain);
  if (diagnostics.Any()) return std::move(diagnostics).ToError();
  Builder builder(diagnostics, limits);
  Profile profile = builder.Build(chain);
  if (diagnostics.Any()) return std::move(diagnostics).ToError();
  return profile;
}

}  // namespace

Result<Profile> LoadProfile(const std::string& path, const FileSystem& fs,
                            const LoaderLimits& limits) {
  return Load(path, std::nullopt, fs, limits);
}

Result<Profile> LoadProfile(const std::string& path) {
  static const RealFileSystem kRealFileSystem;
  return LoadProfile(path, kRealFileSystem);
}

Result<Profile> LoadProfileFromText(std::string_view text, const std::string& name,
                                    const FileSystem& fs, const LoaderLimits& limits) {
  return Load(name, text, fs, limits);
}

}  // namespace mamori::policy
