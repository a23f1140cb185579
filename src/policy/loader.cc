#include "policy/loader.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "policy/layer.h"
#include "policy/network_presets.h"

namespace mamori::policy {
namespace {

using internal::Chain;
using internal::Diagnostics;
using internal::Layer;
using internal::RawAxis;
using internal::RawCheck;
using internal::RawClassification;
using internal::RawContext;
using internal::RawFlow;
using internal::RawLevel;
using internal::RawLevelRef;
using internal::RawRole;
using internal::RawRule;
using internal::Scalar;
using internal::ScalarMap;
using internal::Str;

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
    organization_table_line_ = std::max(1, chain.layers.back().organization_line);
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
    for (const auto& [key, value] : layer.auth) auth_[key] = value;
    for (const auto& [key, value] : layer.deadlines) deadlines_[key] = value;
    for (const auto& [key, value] : layer.sanitize) sanitize_[key] = value;
    for (const auto& [key, value] : layer.risk) risk_[key] = value;

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
    // Roles merge by id: a child re-declaring a role replaces it in place,
    // a new id is appended (profile-defined roles keep the order the chain
    // declares them, root first and in file order, which fixes their Role
    // values; the TOML reader hands tables over in key order).
    std::stable_sort(layer.roles.begin(), layer.roles.end(), [](const RawRole& a, const RawRole& b) {
      return a.info.where.line < b.info.where.line;
    });
    for (RawRole& role : layer.roles) {
      auto it = std::find_if(roles_.begin(), roles_.end(),
                             [&](const RawRole& r) { return r.id.value == role.id.value; });
      if (it != roles_.end()) {
        *it = std::move(role);
      } else {
        roles_.push_back(std::move(role));
      }
    }
    if (layer.network_model) network_model_ = layer.network_model;
    if (layer.network_clause) profile_.network.clause = layer.network_clause->value;
    if (layer.segments) {
      profile_.network.segments = std::move(*layer.segments);
      segments_layer_ = index;
    }
    for (RawFlow& flow : layer.flows) {
      flow.layer = index;
      flows_.push_back(std::move(flow));
    }
    for (auto& [item, clause] : layer.retention) {
      retention_[item.id] = {item, clause};
    }
    if (layer.threats) threats_ = std::move(*layer.threats);
    if (layer.separation_of_duties) separation_of_duties_ = std::move(*layer.separation_of_duties);

    for (RawRule& rule : layer.rules) rule.layer = index;
    MergeById(rules_, layer.remove_rules, layer.rules, {"remove_rules", "規則", "rule"});
    MergeById(checks_, layer.remove_checks, layer.checks, {"remove_checks", "点検項目", "check"});
  }

  struct ItemNoun {
    std::string_view remove_key;
    std::string_view ja;
    std::string_view en;
  };

  // Rules and check items: an item with an id already defined by a parent
  // replaces it in place; `removed` drops inherited items; duplicates within
  // one file are an error.
  template <typename Raw>
  void MergeById(std::vector<Raw>& merged, const std::vector<Str>& removed, std::vector<Raw>& added,
                 const ItemNoun& noun) {
    const std::string key(noun.remove_key);
    const std::string ja(noun.ja);
    const std::string en(noun.en);
    for (const Str& remove : removed) {
      auto it = std::find_if(merged.begin(), merged.end(),
                             [&](const Raw& item) { return item.id == remove.value; });
      if (it == merged.end()) {
        Fail(remove.where, key + " で指定した" + ja + "「" + remove.value + "」は継承元にありません",
             key + " names " + en + " \"" + remove.value + "\" that no parent defines");
      } else {
        merged.erase(it);
      }
    }
    std::map<std::string, Where> seen;
    for (Raw& item : added) {
      if (item.id.empty()) continue;  // already reported as missing
      auto [previous, inserted] = seen.emplace(item.id, item.where);
      if (!inserted) {
        Fail(item.where,
             ja + " id「" + item.id + "」が重複しています（最初の定義: " +
                 previous->second.ToString() + "）",
             "duplicate " + en + " id \"" + item.id + "\" (first defined at " +
                 previous->second.ToString() + ")");
        continue;
      }
      auto it = std::find_if(merged.begin(), merged.end(),
                             [&](const Raw& existing) { return existing.id == item.id; });
      if (it != merged.end()) {
        *it = std::move(item);
      } else {
        merged.push_back(std::move(item));
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

  // A built-in role, or one of the profile's own (which are always defined).
  std::optional<Role> CheckRole(const Str& reference, bool must_be_defined = true) {
    auto role = profile_.ParseRole(reference.value);
    if (!role) {
      const std::string known = profile_.AllRoleIds();
      Fail(reference.where,
           "不明な役割「" + reference.value + "」です（使用できる id: " + known + "）",
           "unknown role \"" + reference.value + "\" (known: " + known + ")");
      return std::nullopt;
    }
    if (must_be_defined && profile_.FindRole(*role) == nullptr) {
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

  // -- roles

  void FinishRoles(const std::string& top_file) {
    profile_.roles.assign(kRoleCount, std::nullopt);
    for (RawRole& raw : roles_) {
      RoleInfo& info = raw.info;
      info.id = raw.id.value;
      if (auto built_in = ParseRole(raw.id.value)) {
        info.role = *built_in;
        info.custom = false;
        info.scope = BuiltInScope(*built_in);
        profile_.roles[static_cast<std::size_t>(*built_in)] = info;
        continue;
      }
      if (profile_.roles.size() >= static_cast<std::size_t>(kMaxRoles)) {
        Fail(raw.id.where,
             "組織独自の役割が多すぎます（組込みを含め " + std::to_string(kMaxRoles) + " まで）",
             "too many roles (at most " + std::to_string(kMaxRoles) + ", built-in roles included)");
        continue;
      }
      info.role = static_cast<Role>(profile_.roles.size());
      info.custom = true;
      info.scope = RoleScope::kOrganization;
      if (raw.scope && raw.scope->value == "section") info.scope = RoleScope::kSection;
      profile_.roles.push_back(info);
    }
    for (RawRole& raw : roles_) {
      const auto role = profile_.ParseRole(raw.id.value);
      if (!role || profile_.FindRole(*role) == nullptr) continue;
      RoleInfo& info = *profile_.roles[static_cast<std::size_t>(*role)];
      if (info.id != raw.id.value) continue;
      for (const Str& delegate : raw.delegates) {
        if (auto found = CheckRole(delegate)) info.delegates.push_back(*found);
      }
      for (const Str& substitute : raw.substitutes) {
        if (auto found = CheckRole(substitute)) info.substitutes.push_back(*found);
      }
      if (!info.clause.empty()) CheckClause({info.clause, info.where}, "役割", "role");
    }
    for (Role required : {Role::kStaff, Role::kManager}) {
      if (profile_.FindRole(required) == nullptr) {
        Fail({top_file, 0, "roles." + std::string(Id(required))},
             "役割「" + std::string(Id(required)) + "」が定義されていません",
             "role \"" + std::string(Id(required)) + "\" is not defined");
      }
    }
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
    if (!out.clause.empty()) {
      CheckClause({out.clause, classification_->where}, "分類", "classification");
    }
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
    // Each parent axis may be reached from one axis only, or a rule on it
    // would be ambiguous.
    std::map<std::string, std::string> mapped_from;
    for (const Axis& axis : out.axes) {
      std::set<std::string> targets;
      for (const Level& level : axis.levels) {
        for (const auto& [target, unused] : level.maps_to) targets.insert(target);
      }
      for (const std::string& target : targets) {
        auto [previous, inserted] = mapped_from.emplace(target, axis.id);
        if (!inserted) {
          Fail(axis.where,
               "分類軸「" + axis.id + "」と「" + previous->second + "」が同じ継承元の軸「" + target +
                   "」に対応付けられています",
               "axes \"" + axis.id + "\" and \"" + previous->second + "\" both map parent axis \"" +
                   target + "\"");
        }
      }
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
        const bool reaches = std::any_of(axes[a].levels.begin(), axes[a].levels.end(), [&](const Level& l) {
          return l.maps_to.count(reference.axis.value) != 0;
        });
        if (!reaches) continue;
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
    if (raw.clauses.empty() && !raw.id.empty()) {
      Fail(raw.where, "規則は1つ以上の条項（clauses）を引用する必要があります",
           "a rule must cite at least one clause (clauses)");
      ok = false;
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
        when.actor_roles |= RoleBit(*role);
      } else {
        ok = false;
      }
    }
    for (const Str& reference : raw.unless_roles) {
      if (auto role = CheckRole(reference, false)) {
        when.unless_roles |= RoleBit(*role);
      } else {
        ok = false;
      }
    }
    // `level = { axis = [...] }` lists alternatives on the axis it names;
    // every named axis, and every min_level/max_level bound, must hold.
    // Several named axes may land on one axis of this profile (through
    // maps_to), so alternatives are grouped by the axis as written.
    std::map<std::string, std::pair<int, std::uint32_t>> alternatives;
    std::array<std::uint32_t, kMaxAxes> bounds;
    bounds.fill(~0u);
    for (const RawLevelRef& reference : raw.levels) {
      auto compiled = CompileLevel(reference, raw);
      if (!compiled) {
        ok = false;
        continue;
      }
      const auto [axis, mask] = *compiled;
      when.level_axes |= 1u << axis;
      if (reference.op == RawLevelRef::Op::kAny) {
        auto& [group_axis, group_mask] = alternatives[reference.axis.value];
        group_axis = axis;
        group_mask |= mask;
      } else {
        bounds[static_cast<std::size_t>(axis)] &= mask;
      }
    }
    for (const auto& [written_axis, group] : alternatives) {
      bounds[static_cast<std::size_t>(group.first)] &= group.second;
    }
    for (std::size_t a = 0; a < static_cast<std::size_t>(kMaxAxes); ++a) {
      if ((when.level_axes & (1u << a)) == 0) continue;
      when.level_masks[a] = bounds[a];
      if (when.level_masks[a] == 0) {
        Fail(raw.where, "分類の条件を満たす水準がありません（規則が決して適用されません）",
             "no level satisfies the level conditions (the rule could never apply)");
        ok = false;
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
      // A flow a parent wrote between segments that a child's [[network.segments]]
      // no longer has went away with the segment; the parent's other flows stay.
      if (raw.layer < segments_layer_ && (!network.SegmentIndex(raw.from.value) ||
                                          !network.SegmentIndex(raw.to.value))) {
        continue;
      }
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
      if (ok && !flow.approvals.empty() && flow.mode != FlowMode::kRestricted) {
        Fail(raw.where, "approvals は mode = \"restricted\" の通信にだけ指定できます",
             "approvals are only allowed on flows with mode = \"restricted\"");
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

  // [auth]: each value as written or the default of AuthSettings, checked
  // against a range that keeps the throttle meaningful.
  void FinishAuth() {
    AuthSettings& auth = profile_.auth;
    struct Limit {
      const char* key;
      int* field;
      int min, max;
    };
    const Limit limits[] = {
        {"address_failures_before_delay", &auth.address_failures_before_delay, 1, 1000},
        {"address_failures_before_block", &auth.address_failures_before_block, 1, 1000},
        {"address_window_minutes", &auth.address_window_minutes, 1, 1440},
        {"address_block_minutes", &auth.address_block_minutes, 1, 1440},
        {"address_delay_seconds", &auth.address_delay_seconds, 0, 10}};
    for (const auto& limit : limits) {
      const Scalar* scalar = Get(auth_, limit.key);
      if (scalar == nullptr) continue;
      const int value = GetInt(auth_, limit.key);
      if (value < limit.min || value > limit.max) {
        Fail(scalar->where,
             "auth." + std::string(limit.key) + " は " + std::to_string(limit.min) + " から " +
                 std::to_string(limit.max) + " の範囲にしてください",
             "auth." + std::string(limit.key) + " must be between " + std::to_string(limit.min) +
                 " and " + std::to_string(limit.max));
      } else {
        *limit.field = value;
      }
    }
    if (auth.address_failures_before_delay > auth.address_failures_before_block) {
      const Scalar* where = Get(auth_, "address_failures_before_delay");
      if (where == nullptr) where = Get(auth_, "address_failures_before_block");
      Fail(where != nullptr ? where->where
                            : Where{profile_.files.front(), 0, "auth.address_failures_before_delay"},
           "auth.address_failures_before_delay は address_failures_before_block 以下にしてください"
           "（遅延の後に拒否します）",
           "auth.address_failures_before_delay must not exceed address_failures_before_block "
           "(delay comes before refusal)");
    }
    for (const Str& clause : GetList(auth_, "clauses")) {
      if (CheckClause(clause, "サインインの制限", "sign-in throttling")) {
        auth.clauses.push_back(clause.value);
      }
    }
  }

  void FinishSanitize() {
    SanitizeSettings& sanitize = profile_.sanitize;
    if (const Scalar* method = Get(sanitize_, "mail_method")) {
      const auto& value = std::get<std::string>(method->value);
      if (value == "text_only") {
        sanitize.mail_method = SanitizeSettings::MailMethod::kTextOnly;
      } else if (value == "sanitize_attachments") {
        sanitize.mail_method = SanitizeSettings::MailMethod::kSanitizeAttachments;
      } else {
        Fail(method->where,
             "メールの無害化方式「" + value +
                 "」は使用できません（text_only: 本文のテキスト化（ア）, sanitize_attachments: "
                 "添付ファイルのサニタイズ（ウ））",
             "mail method \"" + value + "\" is not valid (text_only, sanitize_attachments)");
      }
    }
    if (const Scalar* legacy = Get(sanitize_, "legacy_office")) {
      const auto& value = std::get<std::string>(legacy->value);
      if (value == "refuse" || value == "pass_unsanitized") {
        sanitize.refuse_legacy_office = value == "refuse";
      } else {
        Fail(legacy->where,
             "旧形式 Office 文書の扱い「" + value + "」は使用できません（refuse, pass_unsanitized）",
             "legacy_office \"" + value + "\" is not valid (refuse, pass_unsanitized)");
      }
    }
    sanitize.remove_uri_links = GetBool(sanitize_, "remove_uri_links").value_or(false);
    sanitize.remove_metadata = GetBool(sanitize_, "remove_metadata").value_or(true);
    const std::pair<const char*, int*> limits[] = {
        {"max_input_mib", &sanitize.max_input_mib},
        {"max_expanded_mib", &sanitize.max_expanded_mib},
        {"max_expansion_ratio", &sanitize.max_expansion_ratio},
        {"max_depth", &sanitize.max_depth},
        {"max_seconds_per_file", &sanitize.max_seconds_per_file},
        {"max_memory_mib", &sanitize.max_memory_mib},
        {"max_megapixels", &sanitize.max_megapixels}};
    for (const auto& [key, field] : limits) {
      const Scalar* scalar = Get(sanitize_, key);
      if (scalar == nullptr) continue;
      const int value = GetInt(sanitize_, key);
      if (value < 1) {
        Fail(scalar->where, std::string(key) + " は 1 以上にしてください",
             std::string(key) + " must be at least 1");
      } else {
        *field = value;
      }
    }
    for (const Str& clause : GetList(sanitize_, "clauses")) {
      if (CheckClause(clause, "無害化設定", "sanitize settings")) {
        sanitize.clauses.push_back(clause.value);
      }
    }
  }

  // [risk] (9(2) リスク分析): every value within its scale; the importance
  // lists name axis:level pairs of the classification; acceptance is by
  // organization-wide roles.
  void FinishRisk() {
    RiskSettings& risk = profile_.risk;
    const std::pair<const char*, int*> scales[] = {
        {"threat_default", &risk.threat_default},
        {"vulnerability_default", &risk.vulnerability_default},
        {"vulnerability_on_partial", &risk.vulnerability_on_partial},
        {"vulnerability_on_no", &risk.vulnerability_on_no}};
    for (const auto& [key, field] : scales) {
      const Scalar* scalar = Get(risk_, key);
      if (scalar == nullptr) continue;
      const int value = GetInt(risk_, key);
      if (value < 1 || value > 3) {
        Fail(scalar->where, std::string(key) + " は 1〜3 にしてください（" +
                                std::to_string(value) + "）",
             std::string(key) + " must be 1..3 (is " + std::to_string(value) + ")");
      } else {
        *field = value;
      }
    }
    const std::pair<const char*, int*> days[] = {
        {"high_from", &risk.high_from}, {"medium_from", &risk.medium_from},
        {"acceptance_max_days", &risk.acceptance_max_days}, {"review_days", &risk.review_days}};
    for (const auto& [key, field] : days) {
      const Scalar* scalar = Get(risk_, key);
      if (scalar == nullptr) continue;
      const int value = GetInt(risk_, key);
      const int most = std::string_view(key).ends_with("_from") ? 27 : 3660;
      if (value < 1 || value > most) {
        Fail(scalar->where,
             std::string(key) + " は 1〜" + std::to_string(most) + " にしてください（" +
                 std::to_string(value) + "）",
             std::string(key) + " must be 1.." + std::to_string(most) + " (is " +
                 std::to_string(value) + ")");
      } else {
        *field = value;
      }
    }
    if (risk.medium_from > risk.high_from) {
      const Scalar* scalar = Get(risk_, "medium_from");
      if (scalar == nullptr) scalar = Get(risk_, "high_from");
      if (scalar != nullptr) {
        Fail(scalar->where, "medium_from は high_from 以下にしてください",
             "medium_from must not exceed high_from");
      }
    }
    const auto importance = [&](const char* key, std::vector<std::string>& out) {
      for (const Str& entry : GetList(risk_, key)) {
        const auto colon = entry.value.find(':');
        const Axis* axis = nullptr;
        if (colon != std::string::npos) {
          const std::string axis_id = entry.value.substr(0, colon);
          for (const Axis& candidate : profile_.classification.axes) {
            if (candidate.id == axis_id) axis = &candidate;
          }
        }
        if (axis == nullptr || !axis->IndexOf(entry.value.substr(colon + 1))) {
          Fail(entry.where,
               std::string(key) + " の「" + entry.value +
                   "」は分類の「軸:区分」ではありません（例 confidentiality:3A）",
               std::string(key) + " entry \"" + entry.value +
                   "\" is not an axis:level of the classification");
          continue;
        }
        out.push_back(entry.value);
      }
    };
    if (Get(risk_, "importance_high") != nullptr) {
      risk.importance_high.clear();
      importance("importance_high", risk.importance_high);
    }
    if (Get(risk_, "importance_medium") != nullptr) {
      risk.importance_medium.clear();
      importance("importance_medium", risk.importance_medium);
    }
    if (Get(risk_, "acceptable_levels") != nullptr) {
      risk.acceptable_levels.clear();
      for (const Str& level : GetList(risk_, "acceptable_levels")) {
        if (level.value != "low" && level.value != "medium" && level.value != "high") {
          Fail(level.where, "受容できる水準「" + level.value + "」は使用できません（low, medium, high）",
               "acceptable level \"" + level.value + "\" is not valid (low, medium, high)");
        } else {
          risk.acceptable_levels.push_back(level.value);
        }
      }
    }
    if (const Scalar* accepted = Get(risk_, "accepted_by")) {
      risk.accepted_by.clear();
      for (const Str& role_id : GetList(risk_, "accepted_by")) {
        const auto role = profile_.ParseRole(role_id.value);
        if (!role) {
          Fail(role_id.where, "役割「" + role_id.value + "」はありません（" + profile_.AllRoleIds() + "）",
               "no role \"" + role_id.value + "\" (" + profile_.AllRoleIds() + ")");
        } else if (profile_.ScopeOf(*role) != RoleScope::kOrganization) {
          Fail(role_id.where,
               "リスク受容の承認者「" + role_id.value + "」は組織全体の役割にしてください",
               "risk acceptance approver \"" + role_id.value +
                   "\" must be an organization-wide role");
        } else {
          risk.accepted_by.push_back(*role);
        }
      }
      if (GetList(risk_, "accepted_by").empty()) {
        Fail(accepted->where, "accepted_by に承認者を 1 つ以上指定してください",
             "accepted_by needs at least one role");
      }
    }
    for (const Str& clause : GetList(risk_, "clauses")) {
      if (CheckClause(clause, "リスク分析設定", "risk settings")) risk.clauses.push_back(clause.value);
    }
  }

  void Finish() {
    const std::string& top_file = profile_.files.front();
    // organization
    Organization& organization = profile_.organization;
    organization.name = GetString(organization_, "name");
    if (organization.name.empty()) {
      Fail({top_file, organization_table_line_, "organization.name"}, "団体名（organization.name）が必要です",
           "organization.name is required");
    }
    organization.kind = GetString(organization_, "kind");
    if (const Scalar* kind = Get(organization_, "kind")) {
      static constexpr std::string_view kKinds[] = {"municipality", "town",       "village",
                                                    "union",        "prefecture", "other"};
      if (std::find(std::begin(kKinds), std::end(kKinds), organization.kind) == std::end(kKinds)) {
        Fail(kind->where,
             "団体の種類「" + organization.kind +
                 "」は使用できません（municipality, town, village, union, prefecture, other）",
             "organization kind \"" + organization.kind +
                 "\" is not valid (municipality, town, village, union, prefecture, other)");
      }
    }
    for (const Str& body : GetList(organization_, "bodies")) organization.bodies.push_back(body.value);
    organization.bodies_clause = GetString(organization_, "bodies_clause");
    if (const Scalar* clause = Get(organization_, "bodies_clause")) {
      CheckClause({organization.bodies_clause, clause->where}, "実施機関", "bodies_clause");
    }
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
    // An inherited document that no clause cites any more (every clause was
    // re-declared for the child's own documents) is not part of the policy.
    std::erase_if(profile_.documents, [&](const Document& document) {
      const bool cited = std::any_of(profile_.clauses.begin(), profile_.clauses.end(),
                                     [&](const Clause& clause) { return clause.document == document.id; });
      return !cited && document.where.file != top_file;
    });
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

    FinishRoles(top_file);

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
    passwords.reject_login_or_name = GetBool(passwords_, "reject_login_or_name").value_or(true);
    passwords.dictionary_check = GetBool(passwords_, "dictionary_check").value_or(true);
    passwords.max_repeat_run =
        Get(passwords_, "max_repeat_run") != nullptr ? GetInt(passwords_, "max_repeat_run") : 3;
    if (passwords.max_repeat_run == 1) {
      Fail(Get(passwords_, "max_repeat_run")->where,
           "passwords.max_repeat_run は 2 以上（0 は制限なし）です。1 では同じ文字を2つ並べることも"
           "できません",
           "passwords.max_repeat_run must be 2 or more (0: no limit); 1 would forbid any "
           "character twice in a row");
    }
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

    FinishSanitize();
    FinishRisk();
    FinishAuth();

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
    FinishChecks(top_file);
    ResolveClauseIndices();
  }

  // -- check items (点検項目)

  void FinishChecks(const std::string& top_file) {
    if (checks_.size() > static_cast<std::size_t>(limits_.max_checks)) {
      Fail({top_file, 0, "checks"},
           "点検項目が多すぎます（上限 " + std::to_string(limits_.max_checks) + "）",
           "too many check items (limit " + std::to_string(limits_.max_checks) + ")");
      return;
    }
    for (const RawCheck& raw : checks_) {
      CheckItem check;
      check.id = raw.id;
      check.where = raw.where;
      check.question = raw.question.value;
      check.priority = raw.priority;
      check.evidence = raw.evidence;
      bool ok = CheckClause(raw.clause, "点検項目", "check item");
      check.clause = raw.clause.value;
      if (!check.question.empty() && !check.question.ends_with("か")) {
        Fail(raw.question.where,
             "点検項目「" + raw.id + "」の question は「…しているか」のように問いの形で書きます",
             "check item \"" + raw.id + "\": the question must be phrased as a question ending in か");
        ok = false;
      }
      if (!raw.answered_by.value.empty()) {
        if (auto role = CheckRole(raw.answered_by)) {
          check.answered_by = *role;
        } else {
          ok = false;
        }
      }
      for (const Str& method : raw.methods) {
        if (auto parsed = ParseAuditMethod(method.value)) {
          const bool repeated =
              std::find(check.methods.begin(), check.methods.end(), *parsed) != check.methods.end();
          if (!repeated) check.methods.push_back(*parsed);
        } else {
          std::string known_ja;
          for (int m = 0; m < kAuditMethodCount; ++m) {
            const auto known = static_cast<AuditMethod>(m);
            known_ja += (m == 0 ? "" : ", ") + std::string(Id(known)) + ": " +
                        std::string(TitleJa(known));
          }
          Fail(method.where, "不明な監査の方法「" + method.value + "」です（" + known_ja + "）",
               "unknown audit method \"" + method.value + "\" (" + AllAuditMethodIds() + ")");
          ok = false;
        }
      }
      if (raw.probe) {
        if (IsKnownProbe(raw.probe->value)) {
          check.probe = raw.probe->value;
        } else {
          const std::string known = AllProbeIds();
          Fail(raw.probe->where,
               "不明なプローブ「" + raw.probe->value + "」です（使用できる名前: " + known + "）",
               "unknown probe \"" + raw.probe->value + "\" (known: " + known + ")");
          ok = false;
        }
      }
      if (ok) profile_.checks.push_back(std::move(check));
    }
  }

  // Clause ids, already checked, become indices so that deciding never
  // compares strings.
  void ResolveClauseIndices() {
    std::map<std::string, std::uint16_t> index;
    for (std::size_t c = 0; c < profile_.clauses.size(); ++c) {
      index.emplace(profile_.clauses[c].id, static_cast<std::uint16_t>(c));
    }
    auto find = [&index](const std::string& id) -> int {
      auto it = index.find(id);
      return it == index.end() ? -1 : it->second;
    };
    for (Rule& rule : profile_.rules) {
      for (const std::string& clause : rule.clauses) {
        if (const int c = find(clause); c >= 0) rule.clause_indices.push_back(static_cast<std::uint16_t>(c));
      }
    }
    profile_.network.clause_index = find(profile_.network.clause);
    for (Flow& flow : profile_.network.flows) flow.clause_index = find(flow.clause);
    for (CheckItem& check : profile_.checks) check.clause_index = find(check.clause);
    for (const std::string& clause : profile_.separation_of_duties_clauses) {
      if (const int c = find(clause); c >= 0) {
        profile_.separation_of_duties_clause_indices.push_back(static_cast<std::uint16_t>(c));
      }
    }
  }

  Diagnostics& diagnostics_;
  const LoaderLimits& limits_;
  Profile profile_;
  int organization_table_line_ = 1;
  std::optional<Str> default_effect_;
  ScalarMap organization_;
  ScalarMap passwords_;
  ScalarMap deadlines_;
  ScalarMap sanitize_;
  ScalarMap risk_;
  ScalarMap auth_;
  std::map<std::string, Str> clause_documents_;
  std::optional<RawClassification> classification_;
  int classification_layer_ = 0;
  std::vector<RawClassification> previous_schemes_;
  std::vector<Axis> previous_axes_;
  std::vector<RawRole> roles_;  // built-in and profile-defined, by id
  std::optional<Str> network_model_;
  int segments_layer_ = 0;
  std::vector<RawFlow> flows_;
  std::map<std::string, std::pair<RetentionItem, std::optional<Str>>> retention_;
  std::vector<std::pair<Threat, std::optional<Str>>> threats_;
  std::vector<Str> separation_of_duties_;
  std::vector<RawRule> rules_;
  std::vector<RawCheck> checks_;
};

Result<Profile> Load(const std::string& path, std::optional<std::string_view> text,
                     const FileSystem& fs, const LoaderLimits& limits) {
  Diagnostics diagnostics(limits.max_diagnostics);
  Chain chain;
  internal::ReadChain(diagnostics, fs, limits, path, text, chain);
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
