// The national guideline's three-layer models (α, α′, β, β′) as flow presets.
//
// A profile picks one with `network.model` and may adjust single flows with
// [[network.flows]]; flows it does not list, and that the preset does not
// list, are not allowed. The presets require the segments mynumber, lgwan and
// internet; an organization with other segments uses model = "custom".
//
// Thread safety: immutable tables.
#pragma once

#include <span>
#include <string_view>

#include "policy/vocabulary.h"

namespace mamori::policy {

struct PresetFlow {
  std::string_view from;
  std::string_view to;
  FlowMode mode;
  std::span<const std::string_view> methods;
  std::string_view note;
};

struct NetworkPreset {
  std::string_view id;
  std::string_view title_ja;
  std::string_view terminals_ja;  // where the staff terminals sit
  std::span<const PresetFlow> flows;  // in addition to MyNumberPresetFlows()
};

// The flows every model shares: the マイナンバー利用事務系 isolation.
std::span<const PresetFlow> MyNumberPresetFlows();

// nullptr for an unknown id. "custom" has no flows and no common flows.
const NetworkPreset* FindNetworkPreset(std::string_view id);
// "alpha, alpha_prime, beta, beta_prime, custom"
std::string_view NetworkPresetIds();

}  // namespace mamori::policy
