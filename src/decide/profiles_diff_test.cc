// How the profiles written from a 基本方針 alone (美祢市, 小金井市,
// 西北五広域福祉事務組合, 川崎町) differ from 阪南市's, whose full policy
// (基本方針 + 対策基準) is at hand: which bodies and documents each text names,
// which of its documents are non-public, which threats it lists, how it
// classifies, which network segments it has, and which document a decision
// cites. Every expectation below is a place where the profiles could drift
// from their texts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "decide/decision_json.h"
#include "decide/engine.h"
#include "decide/request.h"
#include "policy/loader.h"

namespace mamori {
namespace {

using Json = nlohmann::json;
using policy::Effect;
using policy::Obligation;
using policy::Role;

// The four profiles written from a 基本方針 alone.
const char* const kBasicPolicyProfiles[] = {"mine", "koganei", "seihoku5", "kawasaki"};
// The three of them whose 6(3) describes the three-tier (LGWAN) model.
const char* const kThreeTierProfiles[] = {"mine", "koganei", "kawasaki"};

constexpr const char* kGuidelineStandardsTitle =
    "情報セキュリティ対策基準（ガイドライン準拠の標準）";

// Loads policies/<name>.toml once per test binary.
const policy::Profile& Load(const std::string& name) {
  static auto* cache = new std::map<std::string, policy::Profile>();
  if (auto it = cache->find(name); it != cache->end()) return it->second;
  auto loaded = policy::LoadProfile(std::string(MAMORI_SOURCE_DIR) + "/policies/" + name + ".toml");
  if (!loaded.Ok()) {
    ADD_FAILURE() << name << ": " << loaded.Err().ToString();
    return cache->emplace(name, policy::Profile()).first->second;
  }
  return cache->emplace(name, std::move(loaded).Value()).first->second;
}

struct Outcome {
  decide::Decision decision;
  std::vector<std::string> clause_ids;  // as cited, in decision order
  std::vector<std::string> documents;   // the cited clauses' document titles
};

Outcome DecideOn(const policy::Profile& profile, const std::string& request_json) {
  Outcome outcome;
  auto request = decide::ParseRequest(profile, request_json);
  EXPECT_TRUE(request.Ok()) << profile.id << ": " << request.Err().ToString();
  if (!request.Ok()) return outcome;
  outcome.decision = decide::Decide(profile, *request);
  for (std::uint16_t index : outcome.decision.clauses) {
    const policy::Clause& clause = profile.clauses[index];
    outcome.clause_ids.push_back(clause.id);
    const policy::Document* document = profile.FindDocument(clause.document);
    outcome.documents.push_back(document != nullptr ? document->title : "");
  }
  // The shared JSON contract renders the same decision without trouble.
  const Json rendered = Json::parse(
      decide::DecisionToJson(profile, *request, outcome.decision, decide::Detail::kContract));
  EXPECT_EQ(rendered["clauses"].size(), outcome.clause_ids.size());
  return outcome;
}

std::string Transfer(const std::string& from, const std::string& to) {
  return R"({"actor":{"id":"u1","roles":["staff"]},"action":"segment_transfer",)"
         R"("context":{"segment":")" +
         from + R"(","to_segment":")" + to + R"("}})";
}

std::string AssetRequest(const std::string& action, const std::string& axis,
                         const std::string& level, const std::string& context = "{}") {
  return R"({"actor":{"id":"u1","roles":["staff"]},"action":")" + action +
         R"(","asset":{"kind":"data","classification":{")" + axis + R"(":")" + level +
         R"("}},"context":)" + context + "}";
}

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

bool Has(std::uint64_t obligations, Obligation obligation) {
  return (obligations & (std::uint64_t{1} << static_cast<int>(obligation))) != 0;
}

std::vector<std::string> SegmentIds(const policy::Profile& profile) {
  std::vector<std::string> ids;
  for (const policy::Segment& segment : profile.network.segments) ids.push_back(segment.id);
  return ids;
}

std::vector<std::string> AxisIds(const policy::Profile& profile) {
  std::vector<std::string> ids;
  for (const policy::Axis& axis : profile.classification.axes) ids.push_back(axis.id);
  return ids;
}

// The kinds of the documents a profile declares non-public.
std::set<std::string> NonPublicKinds(const policy::Profile& profile) {
  std::set<std::string> kinds;
  for (const policy::Document& document : profile.documents) {
    if (!document.is_public) kinds.insert(document.kind);
  }
  return kinds;
}

const policy::Document* BasicPolicy(const policy::Profile& profile) {
  for (const policy::Document& document : profile.documents) {
    if (document.kind == "basic_policy") return &document;
  }
  return nullptr;
}

TEST(ProfilesDiffTest, EachProfileExtendsTheBase) {
  for (const char* name : kBasicPolicyProfiles) {
    const policy::Profile& profile = Load(name);
    EXPECT_EQ(profile.id, name);
    ASSERT_EQ(profile.files.size(), 2u) << name;
    EXPECT_TRUE(profile.files.back().ends_with("/policies/base.toml")) << profile.files.back();
  }
}

TEST(ProfilesDiffTest, BodiesFollowEachText) {
  // 美祢市 4(1): the 実施機関 as listed.
  EXPECT_EQ(Load("mine").organization.bodies,
            (std::vector<std::string>{
                "市長（水道事業及び公共下水道事業の管理者の権限を行う市長を含む。）", "教育委員会",
                "選挙管理委員会", "監査委員", "農業委員会", "固定資産評価審査委員会",
                "病院事業管理者", "消防長", "議会"}));
  // 小金井市 4(1) names no body: it refers to the 情報公開条例 and excludes the
  // scope of the 教育情報セキュリティ基本方針.
  const auto& koganei = Load("koganei").organization.bodies;
  ASSERT_EQ(koganei.size(), 1u);
  EXPECT_NE(
      koganei[0].find("小金井市情報公開条例（平成14年条例第31号）第2条第1号に規定する実施機関"),
      std::string::npos);
  EXPECT_NE(koganei[0].find(
                "小金井市教育情報セキュリティ基本方針（令和2年10月全面改訂）の適用範囲を除く"),
            std::string::npos);
  // 西北五 3(1), and the 議会 and 監査委員 whose policy it doubles as (1).
  EXPECT_EQ(Load("seihoku5").organization.bodies,
            (std::vector<std::string>{"事務局", "森田学園", "ステップアップセンターもりた",
                                      "相談支援事業所もりた", "議会", "監査委員"}));
  // 川崎町 4(1).
  EXPECT_EQ(
      Load("kawasaki").organization.bodies,
      (std::vector<std::string>{"町長", "教育委員会", "選挙管理委員会", "監査委員", "農業委員会",
                                "固定資産評価審査委員会", "地方公営企業", "議会"}));
  // 阪南市 lists departments, not 実施機関.
  EXPECT_EQ(Load("hannan").organization.bodies.front(), "市長部局");

  for (const char* name : kBasicPolicyProfiles) {
    const policy::Profile& profile = Load(name);
    const policy::Clause* clause = profile.FindClause(profile.organization.bodies_clause);
    ASSERT_NE(clause, nullptr) << name << ": " << profile.organization.bodies_clause;
    EXPECT_EQ(clause->document, BasicPolicy(profile)->id) << name;
  }
}

TEST(ProfilesDiffTest, KindsAndEffectiveDates) {
  EXPECT_EQ(Load("mine").organization.kind, "municipality");
  EXPECT_EQ(Load("koganei").organization.kind, "municipality");
  EXPECT_EQ(Load("seihoku5").organization.kind, "union");
  EXPECT_EQ(Load("kawasaki").organization.kind, "town");
  EXPECT_EQ(Load("hannan").organization.kind, "municipality");

  EXPECT_EQ(Load("mine").organization.effective_date, "2026-02-01");  // 令和8年2月 (no day)
  EXPECT_EQ(Load("koganei").organization.effective_date, "2026-04-01");
  EXPECT_EQ(Load("seihoku5").organization.effective_date, "2026-03-25");
  EXPECT_EQ(Load("kawasaki").organization.effective_date, "2026-04-01");
  EXPECT_EQ(Load("hannan").organization.effective_date, "2022-07-01");
}

TEST(ProfilesDiffTest, OnlyKoganeiKeepsItsStandardsNonPublic) {
  EXPECT_EQ(NonPublicKinds(Load("koganei")), (std::set<std::string>{"procedures", "standards"}));
  for (const char* name : {"mine", "seihoku5", "kawasaki", "hannan"}) {
    EXPECT_EQ(NonPublicKinds(Load(name)), (std::set<std::string>{"procedures"})) << name;
  }
  for (const char* name : kBasicPolicyProfiles) {
    const policy::Document* basic = BasicPolicy(Load(name));
    ASSERT_NE(basic, nullptr) << name;
    EXPECT_TRUE(basic->is_public) << name;
    for (const policy::Document& document : Load(name).documents) {
      if (!document.is_public) {
        EXPECT_FALSE(document.note.empty()) << name << ": " << document.id;
      }
    }
  }
}

TEST(ProfilesDiffTest, DocumentsEachTextNames) {
  // 美祢市 2(4): the 教育委員会 has its own 教育情報セキュリティ対策基準.
  const policy::Document* education = Load("mine").FindDocument("mine_education_standards");
  ASSERT_NE(education, nullptr);
  EXPECT_EQ(education->kind, "standards");
  EXPECT_NE(education->title.find("教育情報セキュリティ対策基準"), std::string::npos);
  // 小金井市 2(14): the 規程 is part of its 情報セキュリティポリシー.
  const policy::Document* regulation = Load("koganei").FindDocument("koganei_regulation");
  ASSERT_NE(regulation, nullptr);
  EXPECT_NE(regulation->title.find("電子情報資産の安全管理対策に関する規程"), std::string::npos);

  // The guideline-structured standards stay where the own standards are not
  // at hand; 阪南市 re-declares every clause for its own 対策基準, so the
  // loader drops them there.
  for (const char* name : kBasicPolicyProfiles) {
    EXPECT_NE(Load(name).FindDocument("guideline_standards"), nullptr) << name;
  }
  EXPECT_EQ(Load("hannan").FindDocument("guideline_standards"), nullptr);
}

TEST(ProfilesDiffTest, BasicPolicyClausesLiveInTheBasicPolicy) {
  for (const char* name : kBasicPolicyProfiles) {
    const policy::Profile& profile = Load(name);
    const std::string basic = BasicPolicy(profile)->id;
    int own = 0;
    for (const policy::Clause& clause : profile.clauses) {
      if (clause.id.rfind("基本方針", 0) == 0) {
        ++own;
        EXPECT_EQ(clause.document, basic) << name << ": " << clause.id;
      } else {
        EXPECT_EQ(clause.document, "guideline_standards") << name << ": " << clause.id;
      }
    }
    EXPECT_GE(own, 5) << name;
  }
}

TEST(ProfilesDiffTest, ThreatsAreTheTextsOwn) {
  EXPECT_EQ(Load("seihoku5").threats.size(), 4u);
  for (const char* name : {"mine", "koganei", "kawasaki"}) {
    EXPECT_EQ(Load(name).threats.size(), 5u) << name;
  }
  for (const policy::Threat& threat : Load("seihoku5").threats)
    EXPECT_EQ(threat.clause, "基本方針5");
  for (const char* name : kThreeTierProfiles) {
    for (const policy::Threat& threat : Load(name).threats)
      EXPECT_EQ(threat.clause, "基本方針3") << name;
  }
  // 西北五 (4) merges the infrastructure and the pandemic threats.
  const std::string& merged = Load("seihoku5").threats.back().text;
  EXPECT_NE(merged.find("インフラの障害"), std::string::npos);
  EXPECT_NE(merged.find("疾病"), std::string::npos);
  // 小金井市 (2) speaks of 職員等; the base's example text does not.
  EXPECT_EQ(Load("koganei").threats[1].text.rfind("職員等による", 0), 0u);
  // 阪南市's 基本方針 lists no threats, and its profile says so (threats = []).
  EXPECT_TRUE(Load("hannan").threats.empty());
  EXPECT_EQ(Load("base").threats.size(), 5u);
}

TEST(ProfilesDiffTest, SeihokuClassifiesByImportanceWhileMineUsesThreeAxes) {
  EXPECT_EQ(AxisIds(Load("seihoku5")), (std::vector<std::string>{"importance"}));
  for (const char* name : kThreeTierProfiles) {
    EXPECT_EQ(AxisIds(Load(name)),
              (std::vector<std::string>{"confidentiality", "integrity", "availability"}))
        << name;
  }
  EXPECT_EQ(AxisIds(Load("hannan")), (std::vector<std::string>{"importance"}));
  EXPECT_EQ(Load("seihoku5").classification.clause, "基本方針6(2)");

  // A request speaks the profile's own scheme.
  EXPECT_FALSE(
      decide::ParseRequest(Load("seihoku5"), AssetRequest("take_out", "confidentiality", "2"))
          .Ok());
  EXPECT_FALSE(
      decide::ParseRequest(Load("mine"), AssetRequest("take_out", "importance", "B")).Ok());
}

TEST(ProfilesDiffTest, SeihokuImportanceKeepsInheritedRulesMeaningful) {
  // 8.2(1): no confidentiality 2+ data in terms-of-service services.
  const Outcome b =
      DecideOn(Load("seihoku5"), AssetRequest("use_terms_service", "importance", "B"));
  EXPECT_EQ(b.decision.effect, Effect::kDeny);
  EXPECT_TRUE(Contains(b.clause_ids, "8.2(1)"));
  const Outcome c =
      DecideOn(Load("seihoku5"), AssetRequest("use_terms_service", "importance", "C"));
  EXPECT_EQ(c.decision.effect, Effect::kApprovalRequired);
  // The same in 美祢市, on its confidentiality axis.
  EXPECT_EQ(DecideOn(Load("mine"), AssetRequest("use_terms_service", "confidentiality", "2"))
                .decision.effect,
            Effect::kDeny);
  EXPECT_EQ(DecideOn(Load("mine"), AssetRequest("use_terms_service", "confidentiality", "1"))
                .decision.effect,
            Effect::kApprovalRequired);
  // Importance A counts as confidentiality 3: never on a non-issued device.
  EXPECT_EQ(DecideOn(Load("seihoku5"), AssetRequest("use_non_issued_device", "importance", "A"))
                .decision.effect,
            Effect::kDeny);
}

TEST(ProfilesDiffTest, SeihokuHasNoLgwanSegment) {
  const policy::Profile& seihoku = Load("seihoku5");
  EXPECT_EQ(seihoku.network.model, "custom");
  EXPECT_EQ(SegmentIds(seihoku), (std::vector<std::string>{"mynumber", "internet"}));
  EXPECT_FALSE(seihoku.network.SegmentIndex("lgwan").has_value());

  auto rejected = decide::ParseRequest(seihoku, Transfer("lgwan", "internet"));
  ASSERT_FALSE(rejected.Ok());
  EXPECT_EQ(rejected.Err().Code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(rejected.Err().Headline().where.key, "context.segment");
  // 阪南市 has the segment.
  EXPECT_TRUE(decide::ParseRequest(Load("hannan"), Transfer("lgwan", "internet")).Ok());
}

TEST(ProfilesDiffTest, ThreeTierProfilesRedeclareTheirOwnSegments) {
  for (const char* name : kThreeTierProfiles) {
    const policy::Profile& profile = Load(name);
    EXPECT_EQ(profile.network.model, "alpha") << name;
    EXPECT_EQ(SegmentIds(profile), (std::vector<std::string>{"mynumber", "lgwan", "internet"}))
        << name;
    EXPECT_EQ(profile.network.clause, "基本方針6(3)") << name;
  }
  // 小金井市 2(10) defines the internet segment without naming the systems.
  const auto definition = [](const char* name) {
    const policy::Profile& profile = Load(name);
    return profile.network
        .segments[static_cast<std::size_t>(*profile.network.SegmentIndex("internet"))]
        .definition;
  };
  EXPECT_EQ(definition("koganei").find("ホームページ管理システム"), std::string::npos);
  EXPECT_NE(definition("mine").find("ホームページ管理システム"), std::string::npos);
  EXPECT_NE(definition("kawasaki").find("ホームページ管理システム"), std::string::npos);
  EXPECT_NE(definition("seihoku5").find("他システム"), std::string::npos);
}

TEST(ProfilesDiffTest, SeihokuDeniesInternetToMyNumberCitingItsOwnClause) {
  const policy::Profile& seihoku = Load("seihoku5");
  const Outcome outcome = DecideOn(seihoku, Transfer("internet", "mynumber"));
  EXPECT_EQ(outcome.decision.effect, Effect::kDeny);
  EXPECT_FALSE(outcome.decision.flow_missing);
  EXPECT_EQ(outcome.clause_ids, (std::vector<std::string>{"基本方針6(3)①"}));
  EXPECT_EQ(outcome.documents,
            (std::vector<std::string>{"西北五広域福祉事務組合情報セキュリティ基本方針"}));

  const Outcome hannan = DecideOn(Load("hannan"), Transfer("internet", "mynumber"));
  EXPECT_EQ(hannan.decision.effect, Effect::kDeny);
  EXPECT_EQ(hannan.clause_ids, (std::vector<std::string>{"3(1)①"}));
}

TEST(ProfilesDiffTest, SanitizedInboundCitesTheBasicPolicy) {
  for (const char* name : kThreeTierProfiles) {
    const Outcome outcome = DecideOn(Load(name), Transfer("internet", "lgwan"));
    EXPECT_EQ(outcome.decision.effect, Effect::kAllow) << name;
    EXPECT_TRUE(Has(outcome.decision.obligations, Obligation::kSanitize)) << name;
    EXPECT_EQ(outcome.clause_ids, (std::vector<std::string>{"基本方針6(3)②"})) << name;
    EXPECT_EQ(outcome.documents[0], BasicPolicy(Load(name))->title) << name;
  }
  const Outcome hannan = DecideOn(Load("hannan"), Transfer("internet", "lgwan"));
  EXPECT_TRUE(Has(hannan.decision.obligations, Obligation::kSanitize));
  EXPECT_EQ(hannan.clause_ids, (std::vector<std::string>{"3(2)①"}));
}

TEST(ProfilesDiffTest, MyNumberToLgwanStillNeedsTheBasesApprovers) {
  // Re-declaring the segments drops the base's flows; the profiles restate
  // the approvers, so a restricted flow is not silently allowed.
  const Outcome hannan = DecideOn(Load("hannan"), Transfer("mynumber", "lgwan"));
  ASSERT_EQ(hannan.decision.effect, Effect::kApprovalRequired);
  for (const char* name : kThreeTierProfiles) {
    for (const auto& [from, to] :
         {std::pair{"mynumber", "lgwan"}, std::pair{"lgwan", "mynumber"}}) {
      const Outcome outcome = DecideOn(Load(name), Transfer(from, to));
      EXPECT_EQ(outcome.decision.effect, Effect::kApprovalRequired) << name << " " << from;
      EXPECT_EQ(outcome.decision.approvals, hannan.decision.approvals) << name << " " << from;
      EXPECT_TRUE(Has(outcome.decision.obligations, Obligation::kRestrictedPath)) << name;
      EXPECT_EQ(outcome.clause_ids, (std::vector<std::string>{"基本方針6(3)①"})) << name;
    }
  }
  // 西北五 has no LGWAN segment to talk to; between its two segments nothing flows.
  EXPECT_EQ(DecideOn(Load("seihoku5"), Transfer("mynumber", "internet")).decision.effect,
            Effect::kDeny);
}

TEST(ProfilesDiffTest, HannanCitesItsOwnStandardsWhileMineCitesTheGuideline) {
  const Outcome mine = DecideOn(Load("mine"), AssetRequest("take_out", "confidentiality", "2"));
  EXPECT_EQ(mine.decision.effect, Effect::kApprovalRequired);
  EXPECT_EQ(mine.decision.approvals, (std::vector<std::vector<Role>>{{Role::kManager}}));
  ASSERT_TRUE(Contains(mine.clause_ids, "5.1(1)③ア"));
  for (const std::string& document : mine.documents) EXPECT_EQ(document, kGuidelineStandardsTitle);

  const Outcome hannan = DecideOn(Load("hannan"), AssetRequest("take_out", "importance", "B"));
  EXPECT_EQ(hannan.decision.effect, Effect::kApprovalRequired);
  EXPECT_EQ(hannan.decision.approvals, mine.decision.approvals);
  ASSERT_TRUE(Contains(hannan.clause_ids, "5.1(1)③ア"));
  for (const std::string& document : hannan.documents) {
    EXPECT_EQ(document.rfind("阪南市情報セキュリティポリシー", 0), 0u) << document;
  }
}

TEST(ProfilesDiffTest, TransportOfLevelTwoNeedsPermissionUnlikeHannanImportanceB) {
  // The guideline (2.2(7)②) asks permission from 機密性2; 阪南市 only for 重要度Ａ.
  const Outcome mine = DecideOn(Load("mine"), AssetRequest("transport", "confidentiality", "2"));
  EXPECT_EQ(mine.decision.effect, Effect::kApprovalRequired);
  EXPECT_TRUE(Contains(mine.clause_ids, "2.2(7)②"));
  EXPECT_TRUE(Has(mine.decision.obligations, Obligation::kLockedCase));

  const Outcome seihoku = DecideOn(Load("seihoku5"), AssetRequest("transport", "importance", "B"));
  EXPECT_EQ(seihoku.decision.effect, Effect::kApprovalRequired);
  EXPECT_TRUE(Contains(seihoku.clause_ids, "2.2(7)②"));

  const Outcome hannan = DecideOn(Load("hannan"), AssetRequest("transport", "importance", "B"));
  EXPECT_EQ(hannan.decision.effect, Effect::kAllow);
  EXPECT_FALSE(Has(hannan.decision.obligations, Obligation::kLockedCase));
}

TEST(ProfilesDiffTest, MyNumberMediaTakeOutCitesTheBasicPolicy) {
  const std::string request = AssetRequest("take_out", "confidentiality", "3B",
                                           R"({"segment":"mynumber","channel":"media"})");
  for (const char* name : kBasicPolicyProfiles) {
    const std::string own = std::string(name) == "seihoku5"
                                ? AssetRequest("take_out", "importance", "A",
                                               R"({"segment":"mynumber","channel":"media"})")
                                : request;
    const Outcome outcome = DecideOn(Load(name), own);
    EXPECT_EQ(outcome.decision.effect, Effect::kDeny) << name;
    EXPECT_EQ(outcome.clause_ids, (std::vector<std::string>{"3(1)②イ", "基本方針6(3)①"})) << name;
    EXPECT_EQ(outcome.documents,
              (std::vector<std::string>{kGuidelineStandardsTitle, BasicPolicy(Load(name))->title}))
        << name;
  }
  const Outcome hannan = DecideOn(
      Load("hannan"),
      AssetRequest("take_out", "importance", "A", R"({"segment":"mynumber","channel":"media"})"));
  EXPECT_EQ(hannan.decision.effect, Effect::kDeny);
  EXPECT_EQ(hannan.clause_ids, (std::vector<std::string>{"3(1)②イ"}));

  // 6(3)① also asks for multi-factor authentication on the terminals.
  const Outcome mfa = DecideOn(
      Load("kawasaki"), AssetRequest("use", "confidentiality", "3B", R"({"segment":"mynumber"})"));
  EXPECT_TRUE(Has(mfa.decision.obligations, Obligation::kMfa));
  EXPECT_TRUE(Contains(mfa.clause_ids, "基本方針6(3)①"));
}

TEST(ProfilesDiffTest, SocialMediaAccountCitesSection6Paragraph8) {
  constexpr const char* kRequest =
      R"({"actor":{"id":"u1","roles":["staff"]},"action":"open_social_media_account"})";
  for (const char* name : kBasicPolicyProfiles) {
    const Outcome outcome = DecideOn(Load(name), kRequest);
    EXPECT_EQ(outcome.decision.effect, Effect::kApprovalRequired) << name;
    EXPECT_TRUE(Contains(outcome.clause_ids, "8.3③")) << name;  // サービスごとの責任者
    EXPECT_TRUE(Contains(outcome.clause_ids, "基本方針6(8)")) << name;
  }
  const Outcome hannan = DecideOn(Load("hannan"), kRequest);
  EXPECT_TRUE(Contains(hannan.clause_ids, "8.3③"));
  EXPECT_FALSE(Contains(hannan.clause_ids, "基本方針6(8)"));
}

}  // namespace
}  // namespace mamori
