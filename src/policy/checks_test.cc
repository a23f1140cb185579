// Check items (点検項目): reading, validation with file:line, merging across
// extends, and the shipped profiles' checklists and coverage.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "policy/loader.h"
#include "policy/model.h"
#include "policy/vocabulary.h"

namespace mamori::policy {
namespace {

const std::string kSource = MAMORI_SOURCE_DIR;

std::string Policy(const std::string& name) { return kSource + "/policies/" + name; }

const CheckItem* FindCheck(const Profile& profile, const std::string& id) {
  auto it = std::find_if(profile.checks.begin(), profile.checks.end(),
                         [&](const CheckItem& check) { return check.id == id; });
  return it == profile.checks.end() ? nullptr : &*it;
}

// A parent with two clauses, three roles and two checks; children adjust it.
constexpr std::string_view kParent = R"(
[profile]
id = "parent"
[organization]
name = "親"
[documents.d]
title = "文書"
kind = "standards"
public = true
[[clauses]]
id = "1"
title = "持ち出し"
document = "d"
[[clauses]]
id = "2"
title = "廃棄"
document = "d"
[classification]
[[classification.axes]]
id = "importance"
title = "重要度"
[[classification.axes.levels]]
id = "A"
title = "重要度A"
definition = "高"
[roles.staff]
title = "職員"
[roles.manager]
title = "課長"
[roles.chief_officer]
title = "統括"
[passwords]
min_length = 8
[[rules]]
id = "take_out.permission"
action = "take_out"
effect = "approval_required"
approvals = [["manager"]]
clauses = ["1"]
text = "持ち出しには課長の許可が要る。"
[[rules]]
id = "dispose.record"
action = "dispose"
effect = "allow"
obligations = ["record"]
clauses = ["2"]
text = "廃棄を記録する。"

[[checks]]
id = "take_out"
clause = "1"
question = "情報資産の持ち出しについて、管理者の許可を得ているか"
answered_by = "manager"
priority = true
methods = ["inspection", "interview"]
evidence = ["持ち出し許可申請書", "持ち出し管理簿"]

[[checks]]
id = "dispose"
clause = "2"
question = "廃棄の記録を残しているか"
answered_by = "manager"
methods = ["inspection"]
probe = "disposal_records_for_importance_a"
)";

Result<Profile> LoadChild(std::string_view child) {
  MemoryFileSystem fs;
  fs.Put("p/parent.toml", std::string(kParent));
  return LoadProfileFromText(child, "p/child.toml", fs);
}

TEST(ChecksTest, ReadsEveryField) {
  auto profile = LoadChild("[profile]\nid = \"child\"\nextends = \"parent.toml\"\n");
  ASSERT_TRUE(profile.Ok()) << profile.Err().ToString();
  ASSERT_EQ(profile->checks.size(), 2u);
  const CheckItem& check = profile->checks[0];
  EXPECT_EQ(check.id, "take_out");
  EXPECT_EQ(check.clause, "1");
  EXPECT_EQ(check.clause_index, 0);
  EXPECT_EQ(check.question, "情報資産の持ち出しについて、管理者の許可を得ているか");
  EXPECT_EQ(check.answered_by, Role::kManager);
  EXPECT_TRUE(check.priority);
  EXPECT_EQ(check.methods,
            (std::vector<AuditMethod>{AuditMethod::kInspection, AuditMethod::kInterview}));
  EXPECT_EQ(check.evidence, (std::vector<std::string>{"持ち出し許可申請書", "持ち出し管理簿"}));
  EXPECT_TRUE(check.probe.empty());
  EXPECT_EQ(check.where.file, "p/parent.toml");
  const CheckItem& dispose = profile->checks[1];
  EXPECT_FALSE(dispose.priority);
  EXPECT_TRUE(dispose.evidence.empty());
  EXPECT_EQ(dispose.probe, "disposal_records_for_importance_a");
  EXPECT_EQ(dispose.clause_index, 1);
}

TEST(ChecksTest, ChildReplacesRemovesAndAddsById) {
  auto profile = LoadChild(R"([profile]
id = "child"
extends = "parent.toml"
remove_checks = ["dispose"]

[[clauses]]
id = "3"
title = "点検"
document = "d"

[[checks]]
id = "take_out"
clause = "1"
question = "重要度Aの情報資産の持ち出しについて、統括の許可を得ているか"
answered_by = "chief_officer"
methods = ["test"]

[[checks]]
id = "self_inspection"
clause = "3"
question = "対策の実施状況を点検し、統括に報告しているか"
answered_by = "manager"
methods = ["inspection"]
)");
  ASSERT_TRUE(profile.Ok()) << profile.Err().ToString();
  ASSERT_EQ(profile->checks.size(), 2u);
  // Replaced in place: the parent's position, the child's content.
  EXPECT_EQ(profile->checks[0].id, "take_out");
  EXPECT_EQ(profile->checks[0].answered_by, Role::kChiefOfficer);
  EXPECT_FALSE(profile->checks[0].priority);
  EXPECT_EQ(profile->checks[0].methods, std::vector<AuditMethod>{AuditMethod::kTest});
  EXPECT_EQ(profile->checks[0].where.file, "p/child.toml");
  EXPECT_EQ(profile->checks[1].id, "self_inspection");
  EXPECT_EQ(FindCheck(*profile, "dispose"), nullptr);
}

TEST(ChecksTest, CoverageCountsClausesCitedByRules) {
  auto profile = LoadChild(R"([profile]
id = "child"
extends = "parent.toml"
remove_checks = ["dispose"]
)");
  ASSERT_TRUE(profile.Ok()) << profile.Err().ToString();
  const CheckCoverage coverage = profile->Coverage();
  EXPECT_EQ(coverage.checks, 1);
  EXPECT_EQ(coverage.rule_clauses, 2);
  EXPECT_EQ(coverage.covered, 1);
  EXPECT_EQ(coverage.uncovered, std::vector<std::string>{"2"});
}

struct Expected {
  int line;
  std::string key;
  std::string message;
};

// Every problem of `file` is one of `expected`, and each of those is reported.
void ExpectExactly(const std::string& file, const std::vector<Expected>& expected) {
  auto profile = LoadProfile(kSource + "/tests/data/policies/broken/" + file);
  ASSERT_FALSE(profile.Ok());
  const auto& diagnostics = profile.Err().Diagnostics();
  for (const Expected& e : expected) {
    const bool found =
        std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
          return d.where.file.ends_with("broken/" + file) && d.where.line == e.line &&
                 d.where.key == e.key && d.message_en.find(e.message) != std::string::npos &&
                 !d.message_ja.empty();
        });
    EXPECT_TRUE(found) << "expected " << file << ":" << e.line << ": " << e.key << ": " << e.message
                       << "\nbut got:\n"
                       << profile.Err().ToString();
  }
  EXPECT_EQ(diagnostics.size(), expected.size()) << profile.Err().ToString();
}

TEST(ChecksTest, ReportsEveryWrongTypeWithFileAndLine) {
  ExpectExactly("bad_check_types.toml",
                {{10, "checks[take_out.record].priority", "must be a boolean"},
                 {11, "checks[take_out.record].methods", "name at least one audit method"},
                 {12, "checks[take_out.record].evidence[0]", "must be a string"},
                 {13, "checks[take_out.record].probe", "must be a string"}});
}

TEST(ChecksTest, ReportsEveryBadReferenceWithFileAndLine) {
  ExpectExactly(
      "bad_checks.toml",
      {
          {4, "profile.remove_checks[0]", "remove_checks names check \"never.defined\""},
          {15, "checks[take_out.permission].id", "duplicate check id \"take_out.permission\""},
          {8, "checks[take_out.permission].clause", "refers to clause \"9.9\""},
          {10, "checks[take_out.permission].answered_by", "unknown role \"manger\""},
          {11, "checks[take_out.permission].methods[1]", "unknown audit method \"audit_by_drone\""},
          {12, "checks[take_out.permission].probe", "unknown probe \"everything_is_fine\""},
          {24, "checks[take_out.record].question", "must be phrased as a question"},
      });
}

TEST(ChecksTest, EveryShippedCheckCitesAClauseOfItsProfile) {
  for (const char* name : {"base.toml", "hannan.toml", "mine.toml", "koganei.toml", "seihoku5.toml",
                           "kawasaki.toml"}) {
    auto profile = LoadProfile(Policy(name));
    ASSERT_TRUE(profile.Ok()) << name << ":\n" << profile.Err().ToString();
    EXPECT_FALSE(profile->checks.empty()) << name;
    std::set<std::string> ids;
    for (const CheckItem& check : profile->checks) {
      EXPECT_TRUE(ids.insert(check.id).second) << name << ": " << check.id;
      ASSERT_GE(check.clause_index, 0) << name << ": " << check.id;
      EXPECT_EQ(profile->clauses[static_cast<std::size_t>(check.clause_index)].id, check.clause);
      EXPECT_TRUE(check.question.ends_with("か")) << name << ": " << check.id;
      EXPECT_FALSE(check.methods.empty()) << name << ": " << check.id;
      EXPECT_FALSE(check.evidence.empty()) << name << ": " << check.id;
      EXPECT_NE(profile->FindRole(check.answered_by), nullptr) << name << ": " << check.id;
    }
  }
}

struct CoverageCase {
  const char* file;
  int checks;
  int rule_clauses;
  int covered;
};

class ShippedCoverageTest : public ::testing::TestWithParam<CoverageCase> {};

TEST_P(ShippedCoverageTest, EveryClauseWithRulesHasACheck) {
  const CoverageCase& c = GetParam();
  auto profile = LoadProfile(Policy(c.file));
  ASSERT_TRUE(profile.Ok()) << profile.Err().ToString();
  const CheckCoverage coverage = profile->Coverage();
  EXPECT_EQ(coverage.checks, c.checks);
  EXPECT_EQ(coverage.rule_clauses, c.rule_clauses);
  EXPECT_EQ(coverage.covered, c.covered);
  EXPECT_TRUE(coverage.uncovered.empty()) << coverage.uncovered.front();
}

INSTANTIATE_TEST_SUITE_P(Policies, ShippedCoverageTest,
                         ::testing::Values(CoverageCase{"base.toml", 83, 65, 65},
                                           CoverageCase{"hannan.toml", 85, 65, 65},
                                           CoverageCase{"mine.toml", 86, 67, 67},
                                           CoverageCase{"koganei.toml", 86, 67, 67},
                                           CoverageCase{"kawasaki.toml", 86, 67, 67},
                                           CoverageCase{"seihoku5.toml", 85, 67, 67}));

TEST(ChecksTest, BaseMarksTheGuidelinesPriorityAreas) {
  auto profile = LoadProfile(Policy("base.toml"));
  ASSERT_TRUE(profile.Ok()) << profile.Err().ToString();
  for (const char* id :
       {"assets.classification", "access.privileged_ids", "outsourcing.contract_clauses",
        "resilience.mynumber_isolation", "people.incident_reporting", "people.training"}) {
    const CheckItem* check = FindCheck(*profile, id);
    ASSERT_NE(check, nullptr) << id;
    EXPECT_TRUE(check->priority) << id;
  }
  int with_probe = 0;
  for (const CheckItem& check : profile->checks) with_probe += check.probe.empty() ? 0 : 1;
  EXPECT_EQ(with_probe, 5);
}

// Each seed adjusts the inherited checklist where its own text differs.
TEST(ChecksTest, SeedsAdjustTheInheritedChecklist) {
  auto hannan = LoadProfile(Policy("hannan.toml"));
  ASSERT_TRUE(hannan.Ok()) << hannan.Err().ToString();
  const CheckItem* classification = FindCheck(*hannan, "assets.classification");
  ASSERT_NE(classification, nullptr);
  EXPECT_NE(classification->question.find("重要度Ａ・Ｂ・Ｃ"), std::string::npos);
  const CheckItem* self_inspection = FindCheck(*hannan, "review.self_inspection");
  ASSERT_NE(self_inspection, nullptr);
  EXPECT_EQ(self_inspection->clause, "9(3)");
  EXPECT_EQ(self_inspection->answered_by, Role::kManager);
  const CheckItem* training = FindCheck(*hannan, "people.training");  // 5.2(1): the CISO trains
  ASSERT_NE(training, nullptr);
  EXPECT_EQ(training->answered_by, Role::kCiso);
  EXPECT_EQ(hannan->FindClause("5.2")->document, "hannan_standards");
  ASSERT_NE(FindCheck(*hannan, "review.audit"), nullptr);
  EXPECT_EQ(FindCheck(*hannan, "review.audit")->clause, "9(1)");

  for (const char* name : {"mine.toml", "koganei.toml", "kawasaki.toml"}) {
    auto profile = LoadProfile(Policy(name));
    ASSERT_TRUE(profile.Ok()) << name << ":\n" << profile.Err().ToString();
    const CheckItem* cloud = FindCheck(*profile, "resilience.internet_monitoring");
    ASSERT_NE(cloud, nullptr) << name;
    EXPECT_EQ(cloud->clause, "基本方針6(3)③") << name;
    EXPECT_NE(cloud->question.find("自治体情報セキュリティクラウド"), std::string::npos) << name;
    const CheckItem* audit = FindCheck(*profile, "review.audit_and_self_inspection");
    ASSERT_NE(audit, nullptr) << name;
    EXPECT_EQ(audit->clause, "基本方針7") << name;
  }
  auto koganei = LoadProfile(Policy("koganei.toml"));
  ASSERT_TRUE(koganei.Ok());
  // 小金井市 7 puts self-inspection first: 「自己点検及び情報セキュリティに関する監査」.
  EXPECT_NE(FindCheck(*koganei, "review.audit_and_self_inspection")
                ->question.find("自己点検及び情報セキュリティに関する監査"),
            std::string::npos);

  auto seihoku5 = LoadProfile(Policy("seihoku5.toml"));
  ASSERT_TRUE(seihoku5.Ok()) << seihoku5.Err().ToString();
  EXPECT_EQ(FindCheck(*seihoku5, "resilience.lgwan_split"), nullptr);  // 基本方針6(3): no LGWAN
  EXPECT_EQ(FindCheck(*seihoku5, "assets.classification")->clause, "基本方針6(2)");
  EXPECT_EQ(FindCheck(*seihoku5, "organization.separation_audit")->clause, "基本方針1");
}

TEST(ChecksTest, AuditMethodVocabularyRoundTrips) {
  for (int m = 0; m < kAuditMethodCount; ++m) {
    const auto method = static_cast<AuditMethod>(m);
    EXPECT_EQ(ParseAuditMethod(Id(method)), method);
    EXPECT_FALSE(TitleJa(method).empty());
  }
  EXPECT_EQ(TitleJa(AuditMethod::kObservation), "視察");
  EXPECT_TRUE(IsKnownProbe("contract_clauses_checked"));
  EXPECT_FALSE(IsKnownProbe("contract_clauses"));
}

}  // namespace
}  // namespace mamori::policy
