#include "assess/answers.h"

namespace mamori::assess {

std::string_view Id(Answer answer) {
  switch (answer) {
    case Answer::kYes:
      return "yes";
    case Answer::kNo:
      return "no";
    case Answer::kPartial:
      return "partial";
    case Answer::kNotApplicable:
      return "not_applicable";
  }
  return "";
}

std::string_view TitleJa(Answer answer) {
  switch (answer) {
    case Answer::kYes:
      return "はい";
    case Answer::kNo:
      return "いいえ";
    case Answer::kPartial:
      return "一部";
    case Answer::kNotApplicable:
      return "該当なし";
  }
  return "";
}

std::optional<Answer> ParseAnswer(std::string_view text) {
  for (const Answer answer :
       {Answer::kYes, Answer::kNo, Answer::kPartial, Answer::kNotApplicable}) {
    if (text == Id(answer) || text == TitleJa(answer)) return answer;
  }
  return std::nullopt;
}

int Severity(Answer answer) {
  switch (answer) {
    case Answer::kYes:
      return 0;
    case Answer::kPartial:
      return 1;
    case Answer::kNo:
      return 2;
    case Answer::kNotApplicable:
      return -1;
  }
  return -1;
}

bool NeedsBasis(Answer answer) { return answer == Answer::kNo || answer == Answer::kPartial; }

}  // namespace mamori::assess
