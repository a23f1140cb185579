// Internal to src/policy: what one profile file says before `extends` is
// applied (a Layer), and the diagnostics the loader collects. The reader
// (layer_reader.cc, the only user of toml++) produces layers; the builder
// (loader.cc) merges, checks and compiles them into a Profile.
//
// Thread safety: plain values; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.h"
#include "common/file_system.h"
#include "policy/loader.h"
#include "policy/model.h"

namespace mamori::policy::internal {

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

struct RawCheck {
  std::string id;
  Where where;
  Str clause;
  Str question;
  Str answered_by;
  bool priority = false;
  std::vector<Str> methods;
  std::vector<std::string> evidence;
  std::optional<Str> probe;
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
  RoleInfo info;  // info.role is assigned by the builder
  Str id;         // the table's key, [roles.<id>]
  std::optional<Str> scope;
  std::vector<Str> delegates;
  std::vector<Str> substitutes;
};

struct RawFlow {
  int layer = 0;
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


struct Layer {
  std::string file;
  Str id;
  std::string title;
  std::optional<Str> extends;
  std::vector<Str> remove_rules;
  std::vector<Str> remove_checks;
  std::optional<Str> default_effect;
  ScalarMap organization;
  int organization_line = 0;  // line of [organization], 0 if absent
  std::vector<Document> documents;
  std::vector<std::pair<Clause, Str>> clauses;  // clause, its document reference
  std::optional<RawClassification> classification;
  std::vector<RawRole> roles;
  std::optional<Str> network_model;
  std::optional<Str> network_clause;
  std::optional<std::vector<Segment>> segments;
  std::vector<RawFlow> flows;
  ScalarMap passwords;
  ScalarMap auth;
  ScalarMap deadlines;
  ScalarMap sanitize;
  ScalarMap risk;
  std::vector<std::pair<RetentionItem, std::optional<Str>>> retention;
  std::optional<std::vector<std::pair<Threat, std::optional<Str>>>> threats;
  std::optional<std::vector<Str>> separation_of_duties;
  std::vector<RawRule> rules;
  std::vector<RawCheck> checks;
};


struct Chain {
  std::vector<Layer> layers;  // root first
};


// Reads the profile at `path` (or `text`, named `path`, when given) and every
// file its `extends` chain names, root first, into `chain`. Problems go to
// `diagnostics`; `chain` is complete only when none was added.
void ReadChain(Diagnostics& diagnostics, const FileSystem& fs, const LoaderLimits& limits,
               std::string path, std::optional<std::string_view> text, Chain& chain);

}  // namespace mamori::policy::internal
