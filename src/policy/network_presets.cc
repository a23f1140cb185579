#include "policy/network_presets.h"

#include <array>

namespace mamori::policy {
namespace {

constexpr std::array<std::string_view, 3> kInboundMethods = {"mail_text", "screen_transfer",
                                                             "file_sanitize"};
constexpr std::array<std::string_view, 2> kBetaInboundMethods = {"screen_transfer",
                                                                 "file_sanitize"};
constexpr std::array<std::string_view, 1> kScreen = {"screen_transfer"};
constexpr std::array<std::string_view, 1> kLimited = {"address_and_port_limited"};

constexpr std::string_view kMyNumberNote =
    "原則通信不可。必要な場合は経路（MAC/IPアドレス）とアプリケーションプロトコル（ポート）を限定";

// Common to every model: マイナンバー利用事務系 talks to no other segment but
// through limited paths (3(1)①), and never to the internet.
constexpr std::array<PresetFlow, 4> kMyNumberFlows = {{
    {"mynumber", "lgwan", FlowMode::kRestricted, kLimited, kMyNumberNote},
    {"lgwan", "mynumber", FlowMode::kRestricted, kLimited, kMyNumberNote},
    {"mynumber", "internet", FlowMode::kNever, {}, "インターネットとは接続しない"},
    {"internet", "mynumber", FlowMode::kNever, {}, "インターネットとは接続しない"},
}};

constexpr std::array<PresetFlow, 2> kAlpha = {{
    {"internet", "lgwan", FlowMode::kSanitized, kInboundMethods,
     "メール本文のテキスト化、画面転送、ファイルの無害化を経て取り込む"},
    {"lgwan", "internet", FlowMode::kScreenTransfer, kScreen,
     "LGWAN接続系の端末からのインターネット利用は画面転送による"},
}};

constexpr std::array<PresetFlow, 2> kAlphaPrime = {{
    {"internet", "lgwan", FlowMode::kSanitized, kInboundMethods,
     "メール本文のテキスト化、画面転送、ファイルの無害化を経て取り込む"},
    {"lgwan", "internet", FlowMode::kRestricted, kLimited,
     "指定したインターネット上の業務システムに限り、経路を限定して接続"},
}};

constexpr std::array<PresetFlow, 2> kBeta = {{
    {"internet", "lgwan", FlowMode::kSanitized, kBetaInboundMethods,
     "インターネット接続系の端末からLGWAN接続系へは画面転送、ファイルは無害化して移送"},
    {"lgwan", "internet", FlowMode::kRestricted, kLimited,
     "LGWAN接続系からインターネット接続系へのデータ移送は経路を限定"},
}};

constexpr std::array<NetworkPreset, 5> kPresets = {{
    {"alpha", "αモデル", "LGWAN接続系", kAlpha},
    {"alpha_prime", "α′モデル", "LGWAN接続系（一部業務はインターネット接続系のサービスを利用）",
     kAlphaPrime},
    {"beta", "βモデル", "インターネット接続系", kBeta},
    {"beta_prime", "β′モデル", "インターネット接続系（業務システムもインターネット接続系に配置）",
     kBeta},
    {"custom", "個別構成", "プロファイルで定義", {}},
}};

}  // namespace

std::span<const PresetFlow> MyNumberPresetFlows() { return kMyNumberFlows; }

const NetworkPreset* FindNetworkPreset(std::string_view id) {
  for (const NetworkPreset& preset : kPresets) {
    if (preset.id == id) return &preset;
  }
  return nullptr;
}

std::string_view NetworkPresetIds() { return "alpha, alpha_prime, beta, beta_prime, custom"; }

}  // namespace mamori::policy
