#include "decide/request.h"

#include <nlohmann/json.hpp>
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

class Parser {
 public:
  Parser(const policy::Profile& profile, const RequestLimits& limits)
      : profile_(profile), limits_(limits) {}

  Result<Request> Parse(const Json& root) {
    Request request;
    request.levels.fill(kAbsent);
    request.context.fill(kAbsent);
    for (int k = 0; k < policy::kContextKeyCount; ++k) {
      if (policy::Info(static_cast<policy::ContextKey>(k)).kind == policy::ContextKind::kBoolean) {
        request.context[static_cast<std::size_t>(k)] = 0;
      }
    }
    if (!root.is_object()) {
      return Invalid("", "リクエストは JSON オブジェクトである必要があります",
                     "a request must be a JSON object");
    }
    for (const auto& [key, value] : root.items()) {
      if (key != "id" && key != "actor" && key != "action" && key != "asset" && key != "context") {
        return Invalid(key, "不明なキーです（id, actor, action, asset, context）",
                       "unknown key (id, actor, action, asset, context)");
      }
    }
    if (root.contains("id")) {
      MAMORI_TRY(request.id, String(root["id"], "id"));
    }
    MAMORI_TRY_STATUS(ParseActor(root, request));
    MAMORI_TRY_STATUS(ParseAction(root, request));
    MAMORI_TRY_STATUS(ParseAsset(root, request));
    MAMORI_TRY_STATUS(ParseContext(root, request));
    return request;
  }

 private:
  Result<std::string> String(const Json& value, const std::string& path) {
    if (!value.is_string()) {
      return Invalid(path, "文字列である必要があります", "must be a string");
    }
    const auto& text = value.get_ref<const std::string&>();
    if (text.empty()) return Invalid(path, "空にはできません", "must not be empty");
    if (text.size() > limits_.max_string_bytes) {
      return Invalid(path,
                     "長すぎます（上限 " + std::to_string(limits_.max_string_bytes) + " バイト）",
                     "too long (limit " + std::to_string(limits_.max_string_bytes) + " bytes)");
    }
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte == 0x7F) {
        return Invalid(path, "制御文字は使用できません", "control characters are not allowed");
      }
    }
    return text;
  }

  Status ParseActor(const Json& root, Request& request) {
    if (!root.contains("actor")) return Invalid("actor", "必須です", "required");
    const Json& actor = root["actor"];
    if (!actor.is_object()) return Invalid("actor", "オブジェクトである必要があります", "must be an object");
    for (const auto& [key, value] : actor.items()) {
      if (key != "id" && key != "roles" && key != "section") {
        return Invalid("actor." + key, "不明なキーです（id, roles, section）",
                       "unknown key (id, roles, section)");
      }
    }
    if (!actor.contains("id")) return Invalid("actor.id", "必須です", "required");
    MAMORI_TRY(request.actor_id, String(actor["id"], "actor.id"));
    if (actor.contains("section")) {
      MAMORI_TRY(request.section, String(actor["section"], "actor.section"));
    }
    if (!actor.contains("roles")) return Invalid("actor.roles", "必須です", "required");
    const Json& roles = actor["roles"];
    if (!roles.is_array() || roles.empty()) {
      return Invalid("actor.roles", "役割 id の空でない配列である必要があります",
                     "must be a non-empty array of role ids");
    }
    if (roles.size() > limits_.max_array_items) {
      return Invalid("actor.roles", "要素が多すぎます", "too many items");
    }
    for (std::size_t i = 0; i < roles.size(); ++i) {
      const std::string path = "actor.roles[" + std::to_string(i) + "]";
      MAMORI_TRY(std::string id, String(roles[i], path));
      auto role = policy::ParseRole(id);
      if (!role) {
        return Invalid(path,
                       "不明な役割「" + id + "」です（" + policy::AllRoleIds() + "）",
                       "unknown role \"" + id + "\" (" + policy::AllRoleIds() + ")");
      }
      request.actor_roles |= 1u << static_cast<int>(*role);
    }
    return OkStatus();
  }

  Status ParseAction(const Json& root, Request& request) {
    if (!root.contains("action")) return Invalid("action", "必須です", "required");
    MAMORI_TRY(std::string id, String(root["action"], "action"));
    auto action = policy::ParseAction(id);
    if (!action) {
      return Invalid("action", "不明な行為「" + id + "」です（" + policy::AllActionIds() + "）",
                     "unknown action \"" + id + "\" (" + policy::AllActionIds() + ")");
    }
    request.action = *action;
    return OkStatus();
  }

  Status ParseAsset(const Json& root, Request& request) {
    if (!root.contains("asset")) {
      if (policy::Info(request.action).needs_asset) {
        return Invalid("asset", "この行為には asset（対象の情報資産）が必要です",
                       "this action needs an asset");
      }
      return OkStatus();
    }
    const Json& asset = root["asset"];
    if (!asset.is_object()) return Invalid("asset", "オブジェクトである必要があります", "must be an object");
    for (const auto& [key, value] : asset.items()) {
      if (key != "id" && key != "kind" && key != "classification") {
        return Invalid("asset." + key, "不明なキーです（id, kind, classification）",
                       "unknown key (id, kind, classification)");
      }
    }
    if (asset.contains("id")) {
      MAMORI_TRY(std::string unused, String(asset["id"], "asset.id"));
      (void)unused;
    }
    if (!asset.contains("kind")) return Invalid("asset.kind", "必須です", "required");
    MAMORI_TRY(std::string kind_id, String(asset["kind"], "asset.kind"));
    auto kind = policy::ParseAssetKind(kind_id);
    if (!kind) {
      return Invalid("asset.kind",
                     "不明な資産の種類「" + kind_id + "」です（system, media, device, data, document）",
                     "unknown asset kind \"" + kind_id + "\" (system, media, device, data, document)");
    }
    request.has_asset = true;
    request.asset_kind = *kind;
    if (!asset.contains("classification")) return OkStatus();
    const Json& classification = asset["classification"];
    if (!classification.is_object()) {
      return Invalid("asset.classification", "オブジェクトである必要があります", "must be an object");
    }
    const auto& axes = profile_.classification.axes;
    for (const auto& [axis_id, value] : classification.items()) {
      const std::string path = "asset.classification." + axis_id;
      std::size_t axis_index = axes.size();
      for (std::size_t a = 0; a < axes.size(); ++a) {
        if (axes[a].id == axis_id) axis_index = a;
      }
      if (axis_index == axes.size()) {
        std::string known;
        for (const auto& axis : axes) known += (known.empty() ? "" : ", ") + axis.id;
        return Invalid(path, "このプロファイルの分類軸ではありません（" + known + "）",
                       "not an axis of this profile (" + known + ")");
      }
      // A medium or system holding data of several levels is handled at the
      // highest of them (2.2(1)①, 2.2(4)③): an array keeps the highest.
      std::vector<std::pair<std::string, std::string>> levels;  // level, path
      if (value.is_array()) {
        if (value.empty() || value.size() > limits_.max_array_items) {
          return Invalid(path, "水準の配列は1〜" + std::to_string(limits_.max_array_items) + "個です",
                         "an array of 1 to " + std::to_string(limits_.max_array_items) + " levels");
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
          const std::string item_path = path + "[" + std::to_string(i) + "]";
          MAMORI_TRY(std::string level, String(value[i], item_path));
          levels.emplace_back(std::move(level), item_path);
        }
      } else {
        MAMORI_TRY(std::string level, String(value, path));
        levels.emplace_back(std::move(level), path);
      }
      std::uint8_t highest = kAbsent;
      for (const auto& [level, level_path] : levels) {
        auto index = axes[axis_index].IndexOf(level);
        if (!index) {
          std::string known;
          for (const auto& l : axes[axis_index].levels) known += (known.empty() ? "" : ", ") + l.id;
          return Invalid(level_path, "不明な水準「" + level + "」です（" + known + "）",
                         "unknown level \"" + level + "\" (" + known + ")");
        }
        highest = std::min(highest, static_cast<std::uint8_t>(*index));
      }
      request.levels[axis_index] = highest;
    }
    return OkStatus();
  }

  Status ParseContext(const Json& root, Request& request) {
    if (root.contains("context")) {
      const Json& context = root["context"];
      if (!context.is_object()) {
        return Invalid("context", "オブジェクトである必要があります", "must be an object");
      }
      for (const auto& [key_id, value] : context.items()) {
        const std::string path = "context." + key_id;
        auto key = policy::ParseContextKey(key_id);
        if (!key) {
          std::string known;
          for (int k = 0; k < policy::kContextKeyCount; ++k) {
            known += (known.empty() ? "" : ", ") +
                     std::string(policy::Id(static_cast<policy::ContextKey>(k)));
          }
          return Invalid(path, "不明な状況キーです（" + known + "）", "unknown context key (" + known + ")");
        }
        const auto k = static_cast<std::size_t>(*key);
        const policy::ContextKeyInfo& info = policy::Info(*key);
        if (info.kind == policy::ContextKind::kBoolean) {
          if (!value.is_boolean()) return Invalid(path, "true 又は false です", "must be true or false");
          request.context[k] = value.get<bool>() ? 1 : 0;
          continue;
        }
        MAMORI_TRY(std::string text, String(value, path));
        std::optional<int> index;
        if (info.kind == policy::ContextKind::kSegment) {
          index = profile_.network.SegmentIndex(text);
        } else if (auto parsed = policy::ParseContextValue(*key, text)) {
          index = *parsed;
        }
        if (!index) {
          std::string known;
          if (info.kind == policy::ContextKind::kSegment) {
            for (const auto& segment : profile_.network.segments) {
              known += (known.empty() ? "" : ", ") + segment.id;
            }
          } else {
            for (std::string_view v : info.values) known += (known.empty() ? "" : ", ") + std::string(v);
          }
          return Invalid(path, "値「" + text + "」は使用できません（" + known + "）",
                         "value \"" + text + "\" is not valid (" + known + ")");
        }
        request.context[k] = static_cast<std::uint8_t>(*index);
      }
    }
    if (request.action == policy::Action::kSegmentTransfer) {
      for (policy::ContextKey key : {policy::ContextKey::kSegment, policy::ContextKey::kToSegment}) {
        if (request.context[static_cast<std::size_t>(key)] == kAbsent) {
          return Invalid("context." + std::string(policy::Id(key)),
                         "segment_transfer には移送元と移送先の領域が必要です",
                         "segment_transfer needs the source and target segments");
        }
      }
      if (request.context[static_cast<std::size_t>(policy::ContextKey::kSegment)] ==
          request.context[static_cast<std::size_t>(policy::ContextKey::kToSegment)]) {
        return Invalid("context.to_segment", "移送先は移送元と異なる領域である必要があります",
                       "the target segment must differ from the source segment");
      }
    }
    return OkStatus();
  }

  const policy::Profile& profile_;
  const RequestLimits& limits_;
};

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
  Json root;
  try {
    root = Json::parse(json);
  } catch (const Json::exception& error) {
    // nlohmann reports syntax errors by exception; this is where it is caught.
    return Error(ErrorCode::kInvalidArgument, std::string("JSON として読めません: ") + error.what(),
                 std::string("not valid JSON: ") + error.what());
  }
  Parser parser(profile, limits);
  return parser.Parse(root);
}

}  // namespace mamori::decide
