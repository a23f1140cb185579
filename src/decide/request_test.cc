#include "decide/request.h"

#include <gtest/gtest.h>

#include <string>

#include "policy/loader.h"

namespace mamori::decide {
namespace {

class RequestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = policy::LoadProfile(std::string(MAMORI_SOURCE_DIR) + "/policies/hannan.toml");
    ASSERT_TRUE(loaded.Ok()) << loaded.Err().ToString();
    profile_ = new policy::Profile(std::move(loaded).Value());
  }
  static void TearDownTestSuite() {
    delete profile_;
    profile_ = nullptr;
  }
  static policy::Profile* profile_;
};

policy::Profile* RequestTest::profile_ = nullptr;

TEST_F(RequestTest, ParsesTheContractExample) {
  auto request = ParseRequest(*profile_, R"({"actor": {"id": "u1", "roles": ["staff"], "section": "税務課"},
   "action": "take_out",
   "asset": {"kind": "data", "classification": {"importance": "A"}},
   "context": {"device": "issued", "destination": "external", "segment": "lgwan",
               "media": "authorized", "emergency": false, "offsite": true}})");
  ASSERT_TRUE(request.Ok()) << request.Err().ToString();
  EXPECT_EQ(request->actor_id, "u1");
  EXPECT_EQ(request->section, "税務課");
  EXPECT_EQ(request->action, policy::Action::kTakeOut);
  EXPECT_TRUE(request->has_asset);
  EXPECT_EQ(request->levels[0], 0);  // A is the highest level
  EXPECT_EQ(request->context[static_cast<int>(policy::ContextKey::kOffsite)], 1);
  EXPECT_EQ(request->context[static_cast<int>(policy::ContextKey::kSegment)],
            *profile_->network.SegmentIndex("lgwan"));
}

struct BadRequest {
  const char* json;
  const char* field;    // the JSON path the error must name
  const char* message;  // a phrase of the English message
};

class BadRequestTest : public RequestTest, public ::testing::WithParamInterface<BadRequest> {};

TEST_P(BadRequestTest, IsRejectedNamingTheField) {
  const BadRequest& c = GetParam();
  auto request = ParseRequest(*profile_, c.json);
  ASSERT_FALSE(request.Ok()) << c.json;
  EXPECT_EQ(request.Err().Headline().where.key, c.field) << request.Err().ToString();
  EXPECT_NE(request.Err().Headline().message_en.find(c.message), std::string::npos)
      << request.Err().ToString();
  EXPECT_FALSE(request.Err().Headline().message_ja.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Request, BadRequestTest,
    ::testing::Values(
        BadRequest{R"([1,2])", "", "must be a JSON object"},
        BadRequest{R"({"action":"take_out"})", "actor", "required"},
        BadRequest{R"({"actor":{"id":"u","roles":[]},"action":"use_free_service"})", "actor.roles",
                   "non-empty array"},
        BadRequest{R"({"actor":{"id":"u","roles":["mayor"]},"action":"use_free_service"})",
                   "actor.roles[0]", "unknown role \"mayor\""},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"],"age":3},"action":"use_free_service"})",
                   "actor.age", "unknown key"},
        BadRequest{R"({"actor":{"id":"","roles":["staff"]},"action":"use_free_service"})", "actor.id",
                   "must not be empty"},
        BadRequest{R"({"actor":{"id":"u\u0001","roles":["staff"]},"action":"use_free_service"})",
                   "actor.id", "control characters"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"teleport"})", "action",
                   "unknown action"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out"})", "asset",
                   "needs an asset"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"paper"}})",
                   "asset.kind", "unknown asset kind"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"data","classification":{"confidentiality":"3"}}})",
                   "asset.classification.confidentiality", "not an axis of this profile"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"take_out","asset":{"kind":"data","classification":{"importance":["A","D"]}}})",
                   "asset.classification.importance[1]", "unknown level \"D\""},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"use_free_service","context":{"weather":"fine"}})",
                   "context.weather", "unknown context key"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"use_free_service","context":{"device":"borrowed"}})",
                   "context.device", "not valid (issued, non_issued)"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"use_free_service","context":{"segment":"dmz"}})",
                   "context.segment", "not valid (mynumber, lgwan, internet)"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"use_free_service","context":{"emergency":"yes"}})",
                   "context.emergency", "true or false"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"segment_transfer","context":{"segment":"lgwan"}})",
                   "context.to_segment", "source and target"},
        BadRequest{R"({"actor":{"id":"u","roles":["staff"]},"action":"segment_transfer","context":{"segment":"lgwan","to_segment":"lgwan"}})",
                   "context.to_segment", "must differ from the source"}));

TEST_F(RequestTest, MalformedJsonIsAClearError) {
  auto request = ParseRequest(*profile_, R"({"actor": )");
  ASSERT_FALSE(request.Ok());
  EXPECT_NE(request.Err().Headline().message_en.find("not valid JSON"), std::string::npos);
}

TEST_F(RequestTest, OversizedAndDeeplyNestedRequestsAreRefusedBeforeParsing) {
  RequestLimits limits;
  limits.max_bytes = 64;
  auto big = ParseRequest(*profile_, std::string(100, ' '), limits);
  ASSERT_FALSE(big.Ok());
  EXPECT_EQ(big.Err().Code(), ErrorCode::kLimitExceeded);

  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  auto nested = ParseRequest(*profile_, deep);
  ASSERT_FALSE(nested.Ok());
  EXPECT_EQ(nested.Err().Code(), ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace mamori::decide
