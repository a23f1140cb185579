#include "assess/answers.h"

#include <gtest/gtest.h>

namespace mamori::assess {
namespace {

TEST(AnswersTest, ParseTakesTheIdOrTheJapaneseTitle) {
  for (const Answer answer :
       {Answer::kYes, Answer::kNo, Answer::kPartial, Answer::kNotApplicable}) {
    EXPECT_EQ(ParseAnswer(Id(answer)), answer);
    EXPECT_EQ(ParseAnswer(TitleJa(answer)), answer);
  }
  EXPECT_EQ(ParseAnswer("はい"), Answer::kYes);
  EXPECT_EQ(ParseAnswer("該当なし"), Answer::kNotApplicable);
  EXPECT_FALSE(ParseAnswer("").has_value());
  EXPECT_FALSE(ParseAnswer("YES").has_value());
  EXPECT_FALSE(ParseAnswer("はい ").has_value());
}

TEST(AnswersTest, WorstWinsAndNotApplicableIsNeutral) {
  EXPECT_LT(Severity(Answer::kYes), Severity(Answer::kPartial));
  EXPECT_LT(Severity(Answer::kPartial), Severity(Answer::kNo));
  EXPECT_LT(Severity(Answer::kNotApplicable), Severity(Answer::kYes));
  EXPECT_TRUE(NeedsBasis(Answer::kNo));
  EXPECT_TRUE(NeedsBasis(Answer::kPartial));
  EXPECT_FALSE(NeedsBasis(Answer::kYes));
  EXPECT_FALSE(NeedsBasis(Answer::kNotApplicable));
}

}  // namespace
}  // namespace mamori::assess
