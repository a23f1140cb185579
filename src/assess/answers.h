// The four answers of a self-inspection item (自己点検: はい / いいえ / 一部 /
// 該当なし) and how they combine in a roll-up: the worst wins (いいえ over
// 一部 over はい) and 該当なし is neutral.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mamori::assess {

enum class Answer : std::uint8_t {
  kYes,            // はい
  kNo,             // いいえ
  kPartial,        // 一部
  kNotApplicable,  // 該当なし
};

std::string_view Id(Answer answer);       // "yes", "no", "partial", "not_applicable"
std::string_view TitleJa(Answer answer);  // "はい", ...
// The id or the Japanese title; nullopt for anything else.
std::optional<Answer> ParseAnswer(std::string_view text);
// Rank for "worst wins": はい 0 < 一部 1 < いいえ 2; 該当なし -1 (neutral).
int Severity(Answer answer);
// True when a 根拠 (basis) must be given: いいえ and 一部.
bool NeedsBasis(Answer answer);

}  // namespace mamori::assess
