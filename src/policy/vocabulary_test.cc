#include "policy/vocabulary.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mamori::policy {
namespace {

TEST(VocabularyTest, EveryActionRoundTripsAndHasAJapaneseTitle) {
  std::set<std::string> ids;
  for (int a = 0; a < kActionCount; ++a) {
    const auto action = static_cast<Action>(a);
    const std::string id(Id(action));
    EXPECT_TRUE(ids.insert(id).second) << "duplicate action id " << id;
    EXPECT_EQ(ParseAction(id), action);
    EXPECT_FALSE(TitleJa(action).empty());
  }
  EXPECT_FALSE(ParseAction("teleport").has_value());
}

TEST(VocabularyTest, ObligationsIncludeTheDocumentedMinimum) {
  for (const char* id : {"encrypt_or_password", "locked_case", "record", "erase_irrecoverably",
                         "two_person", "report_afterwards", "virus_check", "mfa", "escort",
                         "time_limited"}) {
    EXPECT_TRUE(ParseObligation(id).has_value()) << id;
  }
  static_assert(kObligationCount <= 64, "obligations are a 64-bit mask");
}

TEST(VocabularyTest, RolesAreTheGlossaryIds) {
  for (const char* id : {"ciso", "chief_officer", "deputy_chief_officer", "officer", "manager",
                         "liaison", "staff", "contractor", "csirt", "auditor"}) {
    auto role = ParseRole(id);
    ASSERT_TRUE(role.has_value()) << id;
    EXPECT_EQ(Id(*role), id);
  }
  EXPECT_FALSE(ParseRole("manger").has_value());
}

TEST(VocabularyTest, ContextValuesAreChecked) {
  EXPECT_EQ(ParseContextValue(ContextKey::kDevice, "non_issued"), 1);
  EXPECT_FALSE(ParseContextValue(ContextKey::kDevice, "borrowed").has_value());
  EXPECT_EQ(Info(ContextKey::kEmergency).kind, ContextKind::kBoolean);
  EXPECT_EQ(Info(ContextKey::kSegment).kind, ContextKind::kSegment);
}

}  // namespace
}  // namespace mamori::policy
