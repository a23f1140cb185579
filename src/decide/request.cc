#include "decide/request.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

namespace mamori::decide {
namespace {

using Json = nlohmann::json;

Error Invalid(const std::string& path, std::string ja, std::string en) {
  return Error(ErrorCode::kInvalidArgument, std::move(ja), std::move(en), {"", 0, path});
}

// Nesting depth of a JSON text, counted outside strings; run before parsing so
// that a deeply nested request cannot exhaust the parser's stack.
int NestingDepth(std::string_view text) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

// The request is read in one pass of SAX events, without building a JSON
// tree: each field a request may hold has a slot below that records what its
// value was, and Reader::Finish() checks the slots once the whole text has
// parsed. The errors are those of walking nlohmann's JSON tree in a fixed
// order, which is what callers have always seen:
//  - a syntax error anywhere wins over any field error;
//  - keys may come in any order, yet fields are checked in a fixed order
//    (unknown top-level keys, id, actor, action, asset, context), and the asset
//    and context checks depend on the action;
//  - the tree's objects are std::maps, visited in key order, so of several bad
//    keys in one object the smallest is the one reported;
//  - a duplicate key's last value replaces the earlier one, whole.
// Paths and messages are built only when an error is reported: a valid request
// costs no allocation of ours beyond the Request's own strings (the library's
// lexer keeps its own buffers).

// What a field that must be a string held, in the order the checks run.
enum class Text : std::uint8_t { kOk, kNotString, kEmpty, kTooLong, kControl };

// The kind of one JSON value as a slot sees it.
enum class Kind : std::uint8_t { kString, kFalse, kTrue, kObject, kArray, kOther };

Text CheckText(Kind kind, const std::string* text, std::size_t max_bytes) {
  if (kind != Kind::kString || text == nullptr) return Text::kNotString;
  if (text->empty()) return Text::kEmpty;
  if (text->size() > max_bytes) return Text::kTooLong;
  for (const char c : *text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return Text::kControl;
  }
  return Text::kOk;
}

Error TextError(Text text, const std::string& path, std::size_t max_bytes) {
  switch (text) {
    case Text::kOk:
    case Text::kNotString:
      break;
    case Text::kEmpty:
      return Invalid(path, "空にはできません", "must not be empty");
    case Text::kTooLong:
      return Invalid(path, "長すぎます（上限 " + std::to_string(max_bytes) + " バイト）",
                     "too long (limit " + std::to_string(max_bytes) + " bytes)");
    case Text::kControl:
      return Invalid(path, "制御文字は使用できません", "control characters are not allowed");
  }
  return Invalid(path, "文字列である必要があります", "must be a string");
}

std::string ItemPath(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

// A string kept for an error message: a span of Reader::texts_. Slots hold
// these rather than std::strings so that they stay trivial to reset, and a
// request without errors copies no text into them.
struct TextRef {
  std::size_t offset = 0;
  std::size_t size = 0;
};

// The smallest unknown key of one object (see the order note above).
struct UnknownKey {
  bool present = false;
  TextRef key;
};

struct StringField {
  bool present = false;
  Text text = Text::kOk;
};

struct Roles {
  bool present = false;
  bool is_array = false;
  std::size_t count = 0;
  policy::RoleMask mask = 0;
  // The first item that failed; bad_text kOk means a string that is no role id.
  bool has_bad = false;
  std::size_t bad_index = 0;
  Text bad_text = Text::kOk;
  TextRef bad_role;
};

struct Actor {
  bool present = false;
  bool is_object = false;
  UnknownKey unknown;
  StringField id;
  StringField section;
  Roles roles;
};

// One classification axis: a level id, or an array of them (the highest wins).
// Every item is checked as a string before any is looked up as a level, so a
// string error is reported before a level error even when it comes later.
struct AxisValue {
  bool present = false;
  bool is_array = false;
  std::size_t count = 0;
  bool has_text_error = false;
  std::size_t text_error_index = 0;
  Text text_error = Text::kOk;
  bool has_level_error = false;
  std::size_t level_error_index = 0;
  TextRef level_error;
  std::uint8_t highest = kAbsent;

  bool Bad(std::size_t max_items) const {
    return (is_array && (count == 0 || count > max_items)) || has_text_error || has_level_error;
  }
};

struct Classification {
  bool present = false;
  bool is_object = false;
  UnknownKey unknown;
  std::array<AxisValue, policy::kMaxAxes> axes;  // by profile axis index
};

struct Asset {
  bool present = false;
  bool is_object = false;
  UnknownKey unknown;
  StringField id;
  StringField kind;
  std::optional<policy::AssetKind> kind_value;
  TextRef unknown_kind;  // the text, when it is no asset kind
  Classification classification;
};

struct ContextValue {
  bool present = false;
  bool not_boolean = false;  // a boolean key given something else
  Text text = Text::kOk;     // other keys
  bool unknown_value = false;
  TextRef value_text;        // the text, when unknown_value
  std::uint8_t value = 0;

  bool Bad() const { return not_boolean || text != Text::kOk || unknown_value; }
};

struct Context {
  bool present = false;
  bool is_object = false;
  UnknownKey unknown;
  std::array<ContextValue, policy::kContextKeyCount> keys;  // by ContextKey
};

// The context of a request that gives none: boolean keys false, the others
// absent. Computed once, as every request starts from it.
const std::array<std::uint8_t, policy::kContextKeyCount>& DefaultContext() {
  static const std::array<std::uint8_t, policy::kContextKeyCount> kDefault = [] {
    std::array<std::uint8_t, policy::kContextKeyCount> result;
    result.fill(kAbsent);
    for (int k = 0; k < policy::kContextKeyCount; ++k) {
      if (policy::Info(static_cast<policy::ContextKey>(k)).kind == policy::ContextKind::kBoolean) {
        result[static_cast<std::size_t>(k)] = 0;
      }
    }
    return result;
  }();
  return kDefault;
}

// nlohmann::json SAX handler (the member names are the library's) that fills
// the slots; Finish() then checks them and builds the Request. Every event
// returns true except parse_error, so parsing runs to the end of the text or to
// its first syntax error.
class Reader {
 public:
  Reader(const policy::Profile& profile, const RequestLimits& limits)
      : profile_(profile), limits_(limits) {
    request_.levels.fill(kAbsent);
    request_.context = DefaultContext();
  }

  // NOLINTBEGIN(readability-identifier-naming): nlohmann's SAX interface
  bool null() { return Value(Kind::kOther, nullptr); }
  bool boolean(bool value) { return Value(value ? Kind::kTrue : Kind::kFalse, nullptr); }
  bool number_integer(Json::number_integer_t /*value*/) { return Value(Kind::kOther, nullptr); }
  bool number_unsigned(Json::number_unsigned_t /*value*/) { return Value(Kind::kOther, nullptr); }
  bool number_float(Json::number_float_t /*value*/, const Json::string_t& /*text*/) {
    return Value(Kind::kOther, nullptr);
  }
  bool string(Json::string_t& value) { return Value(Kind::kString, &value); }
  bool binary(Json::binary_t& /*value*/) { return Value(Kind::kOther, nullptr); }
  bool start_object(std::size_t /*elements*/) { return Value(Kind::kObject, nullptr); }
  bool start_array(std::size_t /*elements*/) { return Value(Kind::kArray, nullptr); }
  bool end_object() { return End(); }
  bool end_array() { return End(); }
  bool key(Json::string_t& key);
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const Json::exception& error) {
    syntax_error_ = error.what();
    return false;
  }
  // NOLINTEND(readability-identifier-naming)

  const std::string& SyntaxError() const { return syntax_error_; }

  // Checks the slots in the order described above; call once, after a
  // successful parse.
  Result<Request> Finish();

 private:
  // Containers whose keys or items are read. A request nests them at most
  // root > asset > classification > levels deep; anything deeper is inside a
  // value that is only counted (skipped_).
  enum class Frame : std::uint8_t { kRoot, kActor, kRoles, kAsset, kClassification, kLevels, kContext };
  static constexpr int kMaxFrames = 4;

  // What the next value is.
  enum class Slot : std::uint8_t {
    kIgnore,  // the value of an unknown key
    kRoot,
    kId,
    kActor,
    kAction,
    kAsset,
    kContext,
    kActorId,
    kActorRoles,
    kActorSection,
    kRoleItem,
    kAssetId,
    kAssetKind,
    kClassification,
    kAxis,  // of axis axis_
    kLevelItem,
    kContextValue,  // of key context_key_
  };

  Slot Next() const {
    if (depth_ == 0) return Slot::kRoot;
    switch (frames_[static_cast<std::size_t>(depth_ - 1)]) {
      case Frame::kRoles:
        return Slot::kRoleItem;
      case Frame::kLevels:
        return Slot::kLevelItem;
      default:
        return next_;
    }
  }

  bool Value(Kind kind, const std::string* text);
  bool End() {
    if (skipped_ > 0) {
      --skipped_;
    } else {
      --depth_;
    }
    return true;
  }
  void Push(Frame frame) { frames_[static_cast<std::size_t>(depth_++)] = frame; }

  TextRef Keep(const std::string& text) {
    const TextRef ref{texts_.size(), text.size()};
    texts_ += text;
    return ref;
  }
  std::string_view View(TextRef ref) const {
    return std::string_view(texts_).substr(ref.offset, ref.size);
  }
  std::string Kept(TextRef ref) const { return std::string(View(ref)); }
  void NoteUnknown(UnknownKey& unknown, const std::string& key) {
    if (!unknown.present || std::string_view(key) < View(unknown.key)) {
      unknown.key = Keep(key);
      unknown.present = true;
    }
  }

  void SetText(StringField& field, Kind kind, const std::string* text, std::string* out) {
    field.present = true;
    field.text = CheckText(kind, text, limits_.max_string_bytes);
    if (field.text == Text::kOk && out != nullptr && text != nullptr) *out = *text;
  }
  void RoleItem(Kind kind, const std::string* text);
  void LevelItem(Kind kind, const std::string* text);
  void ContextItem(Kind kind, const std::string* text);

  Status CheckActor();
  Status CheckAction();
  Status CheckAsset();
  Error AxisError(std::size_t a) const;
  Status CheckContext();
  Error ContextError(policy::ContextKey key) const;

  const policy::Profile& profile_;
  const RequestLimits& limits_;
  Request request_;
  std::string syntax_error_;
  std::string texts_;  // see TextRef

  std::array<Frame, kMaxFrames> frames_{};
  int depth_ = 0;
  int skipped_ = 0;  // depth inside a value that is not read
  Slot next_ = Slot::kIgnore;
  std::size_t axis_ = 0;
  std::size_t context_key_ = 0;

  bool root_is_object_ = false;
  UnknownKey unknown_;
  StringField id_;
  Actor actor_;
  StringField action_;
  std::optional<policy::Action> action_value_;
  TextRef unknown_action_;  // the text, when it is no action id
  Asset asset_;
  Context context_;
};

bool Reader::key(Json::string_t& key) {
  if (skipped_ > 0) return true;
  const std::string_view word(key);  // compares by size first, without strlen
  // Only object frames get keys: arrays' objects are skipped values.
  switch (frames_[static_cast<std::size_t>(depth_ - 1)]) {
    case Frame::kRoot:
      if (word == "id") {
        next_ = Slot::kId;
      } else if (word == "actor") {
        next_ = Slot::kActor;
      } else if (word == "action") {
        next_ = Slot::kAction;
      } else if (word == "asset") {
        next_ = Slot::kAsset;
      } else if (word == "context") {
        next_ = Slot::kContext;
      } else {
        NoteUnknown(unknown_, key);
        next_ = Slot::kIgnore;
      }
      break;
    case Frame::kActor:
      if (word == "id") {
        next_ = Slot::kActorId;
      } else if (word == "roles") {
        next_ = Slot::kActorRoles;
      } else if (word == "section") {
        next_ = Slot::kActorSection;
      } else {
        NoteUnknown(actor_.unknown, key);
        next_ = Slot::kIgnore;
      }
      break;
    case Frame::kAsset:
      if (word == "id") {
        next_ = Slot::kAssetId;
      } else if (word == "kind") {
        next_ = Slot::kAssetKind;
      } else if (word == "classification") {
        next_ = Slot::kClassification;
      } else {
        NoteUnknown(asset_.unknown, key);
        next_ = Slot::kIgnore;
      }
      break;
    case Frame::kClassification: {
      const auto& axes = profile_.classification.axes;
      std::size_t axis_index = axes.size();
      for (std::size_t a = 0; a < axes.size(); ++a) {
        if (axes[a].id == key) axis_index = a;
      }
      if (axis_index == axes.size()) {
        NoteUnknown(asset_.classification.unknown, key);
        next_ = Slot::kIgnore;
      } else {
        axis_ = axis_index;
        next_ = Slot::kAxis;
      }
      break;
    }
    case Frame::kContext:
      if (auto context_key = policy::ParseContextKey(key)) {
        context_key_ = static_cast<std::size_t>(*context_key);
        next_ = Slot::kContextValue;
      } else {
        NoteUnknown(context_.unknown, key);
        next_ = Slot::kIgnore;
      }
      break;
    case Frame::kRoles:
    case Frame::kLevels:
      break;
  }
  return true;
}

bool Reader::Value(Kind kind, const std::string* text) {
  const bool container = kind == Kind::kObject || kind == Kind::kArray;
  if (skipped_ > 0) {
    if (container) ++skipped_;
    return true;
  }
  switch (Next()) {
    case Slot::kIgnore:
      break;
    case Slot::kRoot:
      if (kind == Kind::kObject) {
        root_is_object_ = true;
        Push(Frame::kRoot);
        return true;
      }
      break;
    case Slot::kId:
      SetText(id_, kind, text, &request_.id);
      break;
    case Slot::kActor:
      actor_ = Actor{};
      actor_.present = true;
      request_.actor_id.clear();
      request_.section.clear();
      if (kind == Kind::kObject) {
        actor_.is_object = true;
        Push(Frame::kActor);
        return true;
      }
      break;
    case Slot::kAction:
      SetText(action_, kind, text, nullptr);
      action_value_.reset();
      if (action_.text == Text::kOk) {
        action_value_ = policy::ParseAction(*text);
        if (!action_value_) unknown_action_ = Keep(*text);
      }
      break;
    case Slot::kAsset:
      asset_ = Asset{};
      asset_.present = true;
      if (kind == Kind::kObject) {
        asset_.is_object = true;
        Push(Frame::kAsset);
        return true;
      }
      break;
    case Slot::kContext:
      context_ = Context{};
      context_.present = true;
      if (kind == Kind::kObject) {
        context_.is_object = true;
        Push(Frame::kContext);
        return true;
      }
      break;
    case Slot::kActorId:
      SetText(actor_.id, kind, text, &request_.actor_id);
      break;
    case Slot::kActorRoles:
      actor_.roles = Roles{};
      actor_.roles.present = true;
      if (kind == Kind::kArray) {
        actor_.roles.is_array = true;
        Push(Frame::kRoles);
        return true;
      }
      break;
    case Slot::kActorSection:
      SetText(actor_.section, kind, text, &request_.section);
      break;
    case Slot::kRoleItem:
      RoleItem(kind, text);
      break;
    case Slot::kAssetId:
      SetText(asset_.id, kind, text, nullptr);
      break;
    case Slot::kAssetKind:
      SetText(asset_.kind, kind, text, nullptr);
      asset_.kind_value.reset();
      if (asset_.kind.text == Text::kOk) {
        asset_.kind_value = policy::ParseAssetKind(*text);
        if (!asset_.kind_value) asset_.unknown_kind = Keep(*text);
      }
      break;
    case Slot::kClassification:
      asset_.classification = Classification{};
      asset_.classification.present = true;
      if (kind == Kind::kObject) {
        asset_.classification.is_object = true;
        Push(Frame::kClassification);
        return true;
      }
      break;
    case Slot::kAxis:
      asset_.classification.axes[axis_] = AxisValue{};
      asset_.classification.axes[axis_].present = true;
      if (kind == Kind::kArray) {
        asset_.classification.axes[axis_].is_array = true;
        Push(Frame::kLevels);
        return true;
      }
      LevelItem(kind, text);
      break;
    case Slot::kLevelItem:
      LevelItem(kind, text);
      break;
    case Slot::kContextValue:
      ContextItem(kind, text);
      break;
  }
  if (container) ++skipped_;
  return true;
}

void Reader::RoleItem(Kind kind, const std::string* text) {
  Roles& roles = actor_.roles;
  const std::size_t index = roles.count++;
  if (roles.has_bad) return;
  const Text checked = CheckText(kind, text, limits_.max_string_bytes);
  std::optional<policy::Role> role;
  if (checked == Text::kOk && text != nullptr) role = profile_.ParseRole(*text);
  if (!role) {
    roles.has_bad = true;
    roles.bad_index = index;
    roles.bad_text = checked;
    if (checked == Text::kOk && text != nullptr) roles.bad_role = Keep(*text);
    return;
  }
  roles.mask |= policy::RoleBit(*role);
}

void Reader::LevelItem(Kind kind, const std::string* text) {
  AxisValue& value = asset_.classification.axes[axis_];
  const std::size_t index = value.count++;
  const Text checked = CheckText(kind, text, limits_.max_string_bytes);
  if (checked != Text::kOk || text == nullptr) {
    if (!value.has_text_error) {
      value.has_text_error = true;
      value.text_error_index = index;
      value.text_error = checked;
    }
    return;
  }
  if (value.has_text_error || value.has_level_error) return;
  // A medium or system holding data of several levels is handled at the
  // highest of them (2.2(1)①, 2.2(4)③): an array keeps the highest.
  const auto level = profile_.classification.axes[axis_].IndexOf(*text);
  if (!level) {
    value.has_level_error = true;
    value.level_error_index = index;
    value.level_error = Keep(*text);
    return;
  }
  value.highest = std::min(value.highest, static_cast<std::uint8_t>(*level));
}

void Reader::ContextItem(Kind kind, const std::string* text) {
  ContextValue& value = context_.keys[context_key_];
  value = ContextValue{};
  value.present = true;
  const auto key = static_cast<policy::ContextKey>(context_key_);
  const policy::ContextKeyInfo& info = policy::Info(key);
  if (info.kind == policy::ContextKind::kBoolean) {
    if (kind == Kind::kTrue || kind == Kind::kFalse) {
      value.value = kind == Kind::kTrue ? 1 : 0;
    } else {
      value.not_boolean = true;
    }
    return;
  }
  value.text = CheckText(kind, text, limits_.max_string_bytes);
  if (value.text != Text::kOk || text == nullptr) return;
  std::optional<int> index;
  if (info.kind == policy::ContextKind::kSegment) {
    index = profile_.network.SegmentIndex(*text);
  } else if (auto parsed = policy::ParseContextValue(key, *text)) {
    index = *parsed;
  }
  if (!index) {
    value.unknown_value = true;
    value.value_text = Keep(*text);
    return;
  }
  value.value = static_cast<std::uint8_t>(*index);
}

Result<Request> Reader::Finish() {
  if (!root_is_object_) {
    return Invalid("", "リクエストは JSON オブジェクトである必要があります",
                   "a request must be a JSON object");
  }
  if (unknown_.present) {
    return Invalid(Kept(unknown_.key), "不明なキーです（id, actor, action, asset, context）",
                   "unknown key (id, actor, action, asset, context)");
  }
  if (id_.present && id_.text != Text::kOk) {
    return TextError(id_.text, "id", limits_.max_string_bytes);
  }
  MAMORI_TRY_STATUS(CheckActor());
  MAMORI_TRY_STATUS(CheckAction());
  MAMORI_TRY_STATUS(CheckAsset());
  MAMORI_TRY_STATUS(CheckContext());
  return std::move(request_);
}

Status Reader::CheckActor() {
  if (!actor_.present) return Invalid("actor", "必須です", "required");
  if (!actor_.is_object) return Invalid("actor", "オブジェクトである必要があります", "must be an object");
  if (actor_.unknown.present) {
    return Invalid("actor." + Kept(actor_.unknown.key), "不明なキーです（id, roles, section）",
                   "unknown key (id, roles, section)");
  }
  if (!actor_.id.present) return Invalid("actor.id", "必須です", "required");
  if (actor_.id.text != Text::kOk) {
    return TextError(actor_.id.text, "actor.id", limits_.max_string_bytes);
  }
  if (actor_.section.present && actor_.section.text != Text::kOk) {
    return TextError(actor_.section.text, "actor.section", limits_.max_string_bytes);
  }
  const Roles& roles = actor_.roles;
  if (!roles.present) return Invalid("actor.roles", "必須です", "required");
  if (!roles.is_array || roles.count == 0) {
    return Invalid("actor.roles", "役割 id の空でない配列である必要があります",
                   "must be a non-empty array of role ids");
  }
  if (roles.count > limits_.max_array_items) {
    return Invalid("actor.roles", "要素が多すぎます", "too many items");
  }
  if (roles.has_bad) {
    const std::string path = ItemPath("actor.roles", roles.bad_index);
    if (roles.bad_text != Text::kOk) return TextError(roles.bad_text, path, limits_.max_string_bytes);
    const std::string known = profile_.AllRoleIds();
    return Invalid(path, "不明な役割「" + Kept(roles.bad_role) + "」です（" + known + "）",
                   "unknown role \"" + Kept(roles.bad_role) + "\" (" + known + ")");
  }
  request_.actor_roles = roles.mask;
  return OkStatus();
}

Status Reader::CheckAction() {
  if (!action_.present) return Invalid("action", "必須です", "required");
  if (action_.text != Text::kOk) return TextError(action_.text, "action", limits_.max_string_bytes);
  if (!action_value_) {
    return Invalid("action",
                   "不明な行為「" + Kept(unknown_action_) + "」です（" + policy::AllActionIds() + "）",
                   "unknown action \"" + Kept(unknown_action_) + "\" (" + policy::AllActionIds() + ")");
  }
  request_.action = *action_value_;
  return OkStatus();
}

Status Reader::CheckAsset() {
  if (!asset_.present) {
    if (policy::Info(request_.action).needs_asset) {
      return Invalid("asset", "この行為には asset（対象の情報資産）が必要です",
                     "this action needs an asset");
    }
    return OkStatus();
  }
  if (!asset_.is_object) return Invalid("asset", "オブジェクトである必要があります", "must be an object");
  if (asset_.unknown.present) {
    return Invalid("asset." + Kept(asset_.unknown.key), "不明なキーです（id, kind, classification）",
                   "unknown key (id, kind, classification)");
  }
  if (asset_.id.present && asset_.id.text != Text::kOk) {
    return TextError(asset_.id.text, "asset.id", limits_.max_string_bytes);
  }
  if (!asset_.kind.present) return Invalid("asset.kind", "必須です", "required");
  if (asset_.kind.text != Text::kOk) {
    return TextError(asset_.kind.text, "asset.kind", limits_.max_string_bytes);
  }
  if (!asset_.kind_value) {
    return Invalid("asset.kind",
                   "不明な資産の種類「" + Kept(asset_.unknown_kind) +
                       "」です（system, media, device, data, document）",
                   "unknown asset kind \"" + Kept(asset_.unknown_kind) +
                       "\" (system, media, device, data, document)");
  }
  request_.has_asset = true;
  request_.asset_kind = *asset_.kind_value;
  const Classification& classification = asset_.classification;
  if (!classification.present) return OkStatus();
  if (!classification.is_object) {
    return Invalid("asset.classification", "オブジェクトである必要があります", "must be an object");
  }
  const auto& axes = profile_.classification.axes;
  // The smallest bad key is the one reported (see the order note above).
  std::optional<std::string_view> first;
  if (classification.unknown.present) first = View(classification.unknown.key);
  std::size_t first_axis = axes.size();
  for (std::size_t a = 0; a < axes.size(); ++a) {
    const AxisValue& value = classification.axes[a];
    if (value.present && value.Bad(limits_.max_array_items) &&
        (!first || std::string_view(axes[a].id) < *first)) {
      first = axes[a].id;
      first_axis = a;
    }
  }
  if (first_axis < axes.size()) return AxisError(first_axis);
  if (first) {
    std::string known;
    for (const auto& axis : axes) known += (known.empty() ? "" : ", ") + axis.id;
    return Invalid("asset.classification." + Kept(classification.unknown.key),
                   "このプロファイルの分類軸ではありません（" + known + "）",
                   "not an axis of this profile (" + known + ")");
  }
  for (std::size_t a = 0; a < axes.size(); ++a) {
    if (classification.axes[a].present) request_.levels[a] = classification.axes[a].highest;
  }
  return OkStatus();
}

Error Reader::AxisError(std::size_t a) const {
  const AxisValue& value = asset_.classification.axes[a];
  const policy::Axis& axis = profile_.classification.axes[a];
  const std::string path = "asset.classification." + axis.id;
  if (value.is_array && (value.count == 0 || value.count > limits_.max_array_items)) {
    return Invalid(path, "水準の配列は1〜" + std::to_string(limits_.max_array_items) + "個です",
                   "an array of 1 to " + std::to_string(limits_.max_array_items) + " levels");
  }
  if (value.has_text_error) {
    return TextError(value.text_error,
                     value.is_array ? ItemPath(path, value.text_error_index) : path,
                     limits_.max_string_bytes);
  }
  std::string known;
  for (const auto& l : axis.levels) known += (known.empty() ? "" : ", ") + l.id;
  return Invalid(value.is_array ? ItemPath(path, value.level_error_index) : path,
                 "不明な水準「" + Kept(value.level_error) + "」です（" + known + "）",
                 "unknown level \"" + Kept(value.level_error) + "\" (" + known + ")");
}

Status Reader::CheckContext() {
  if (context_.present) {
    if (!context_.is_object) {
      return Invalid("context", "オブジェクトである必要があります", "must be an object");
    }
    // The smallest bad key is the one reported (see the order note above).
    std::optional<std::string_view> first;
    if (context_.unknown.present) first = View(context_.unknown.key);
    int first_key = -1;
    for (int k = 0; k < policy::kContextKeyCount; ++k) {
      const ContextValue& value = context_.keys[static_cast<std::size_t>(k)];
      if (!value.present || !value.Bad()) continue;
      const std::string_view id = policy::Id(static_cast<policy::ContextKey>(k));
      if (!first || id < *first) {
        first = id;
        first_key = k;
      }
    }
    if (first_key >= 0) return ContextError(static_cast<policy::ContextKey>(first_key));
    if (first) {
      std::string known;
      for (int k = 0; k < policy::kContextKeyCount; ++k) {
        known += (known.empty() ? "" : ", ") +
                 std::string(policy::Id(static_cast<policy::ContextKey>(k)));
      }
      return Invalid("context." + Kept(context_.unknown.key), "不明な状況キーです（" + known + "）",
                     "unknown context key (" + known + ")");
    }
    for (std::size_t k = 0; k < context_.keys.size(); ++k) {
      if (context_.keys[k].present) request_.context[k] = context_.keys[k].value;
    }
  }
  if (request_.action == policy::Action::kSegmentTransfer) {
    for (policy::ContextKey key : {policy::ContextKey::kSegment, policy::ContextKey::kToSegment}) {
      if (request_.context[static_cast<std::size_t>(key)] == kAbsent) {
        return Invalid("context." + std::string(policy::Id(key)),
                       "segment_transfer には移送元と移送先の領域が必要です",
                       "segment_transfer needs the source and target segments");
      }
    }
    if (request_.context[static_cast<std::size_t>(policy::ContextKey::kSegment)] ==
        request_.context[static_cast<std::size_t>(policy::ContextKey::kToSegment)]) {
      return Invalid("context.to_segment", "移送先は移送元と異なる領域である必要があります",
                     "the target segment must differ from the source segment");
    }
  }
  return OkStatus();
}

Error Reader::ContextError(policy::ContextKey key) const {
  const ContextValue& value = context_.keys[static_cast<std::size_t>(key)];
  const policy::ContextKeyInfo& info = policy::Info(key);
  const std::string path = "context." + std::string(policy::Id(key));
  if (value.not_boolean) return Invalid(path, "true 又は false です", "must be true or false");
  if (value.text != Text::kOk) return TextError(value.text, path, limits_.max_string_bytes);
  std::string known;
  if (info.kind == policy::ContextKind::kSegment) {
    for (const auto& segment : profile_.network.segments) {
      known += (known.empty() ? "" : ", ") + segment.id;
    }
  } else {
    for (std::string_view v : info.values) known += (known.empty() ? "" : ", ") + std::string(v);
  }
  return Invalid(path, "値「" + Kept(value.value_text) + "」は使用できません（" + known + "）",
                 "value \"" + Kept(value.value_text) + "\" is not valid (" + known + ")");
}

}  // namespace

Result<Request> ParseRequest(const policy::Profile& profile, std::string_view json,
                             const RequestLimits& limits) {
  if (json.size() > limits.max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "リクエストが大きすぎます（上限 " + std::to_string(limits.max_bytes) + " バイト）",
                 "request too large (limit " + std::to_string(limits.max_bytes) + " bytes)");
  }
  if (NestingDepth(json) > limits.max_depth) {
    return Error(ErrorCode::kLimitExceeded,
                 "リクエストの入れ子が深すぎます（上限 " + std::to_string(limits.max_depth) + "）",
                 "request nested too deeply (limit " + std::to_string(limits.max_depth) + ")");
  }
  Reader reader(profile, limits);
  // Syntax errors come to Reader::parse_error, which stops the parse; with a
  // handler the parser throws nothing itself (only allocation can fail).
  if (!Json::sax_parse(json, &reader, Json::input_format_t::json, /*strict=*/true)) {
    return Error(ErrorCode::kInvalidArgument,
                 "JSON として読めません: " + reader.SyntaxError(),
                 "not valid JSON: " + reader.SyntaxError());
  }
  return reader.Finish();
}

}  // namespace mamori::decide
