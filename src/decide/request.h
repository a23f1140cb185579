// Request: one handling request (take this asset out, install this software,
// ...) in the form the decision engine evaluates, and its JSON parser.
//
// The JSON shape is the contract shared by the CLI, the HTTP API and the UI
// (docs/decide.md):
//   {"actor": {"id": "u1", "roles": ["staff"], "section": "税務課"},
//    "action": "take_out",
//    "asset": {"kind": "data", "classification": {"importance": "A"}},
//    "context": {"device": "issued", "segment": "lgwan", "emergency": false}}
// Parsing validates every field against the profile (6.3(5) 入力データの正確
// 性): unknown keys, roles, actions, axes, levels, segments and context values
// are errors that name the field. Requests are outside input: sizes and
// nesting are limited before parsing.
//
// Thread safety: value types and pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "policy/model.h"

namespace mamori::decide {

inline constexpr std::uint8_t kAbsent = 0xFF;

struct Request {
  std::string id;  // optional, echoed in the decision
  std::string actor_id;
  policy::RoleMask actor_roles = 0;  // bit per policy::Role (built-in or the profile's own)
  std::string section;
  policy::Action action = policy::Action::kUse;
  bool has_asset = false;
  policy::AssetKind asset_kind = policy::AssetKind::kData;
  // Per profile axis: the highest level the asset holds, or kAbsent when the
  // request does not say (the engine then assumes the highest level).
  std::array<std::uint8_t, policy::kMaxAxes> levels{};
  // Per ContextKey: the value index (segment index for segment keys), or
  // kAbsent. Boolean keys are 0 (false) when absent.
  std::array<std::uint8_t, policy::kContextKeyCount> context{};
};

struct RequestLimits {
  std::size_t max_bytes = std::size_t{64} * 1024;
  int max_depth = 6;
  std::size_t max_string_bytes = 512;
  std::size_t max_array_items = 64;
};

// Parses and validates one JSON request against `profile`. Errors are
// kInvalidArgument (or kLimitExceeded) with the JSON path of the bad field.
Result<Request> ParseRequest(const policy::Profile& profile, std::string_view json,
                             const RequestLimits& limits = {});

}  // namespace mamori::decide
