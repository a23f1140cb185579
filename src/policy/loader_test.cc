#include "policy/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/file_system.h"

namespace mamori::policy {
namespace {

const std::string kSource = MAMORI_SOURCE_DIR;

std::string Policy(const std::string& name) { return kSource + "/policies/" + name; }
std::string Broken(const std::string& name) {
  return kSource + "/tests/data/policies/broken/" + name;
}

TEST(LoaderTest, EveryShippedProfileLoads) {
  for (const char* name : {"base.toml", "hannan.toml", "mine.toml", "koganei.toml",
                           "seihoku5.toml", "kawasaki.toml"}) {
    auto profile = LoadProfile(Policy(name));
    EXPECT_TRUE(profile.Ok()) << name << ":\n" << (profile.Ok() ? "" : profile.Err().ToString());
  }
}

TEST(LoaderTest, MinimalProfileResolves) {
  auto profile = LoadProfile(kSource + "/tests/data/policies/minimal.toml");
  ASSERT_TRUE(profile.Ok()) << profile.Err().ToString();
  EXPECT_EQ(profile->id, "minimal");
  EXPECT_EQ(profile->organization.name, "テスト町");
  ASSERT_EQ(profile->classification.axes.size(), 1u);
  EXPECT_EQ(profile->classification.axes[0].levels.size(), 3u);
  ASSERT_EQ(profile->rules.size(), 1u);
  const Rule& rule = profile->rules[0];
  EXPECT_EQ(rule.effect, Effect::kApprovalRequired);
  // min_level B on an axis A > B > C allows A and B (bits 0 and 1).
  EXPECT_EQ(rule.when.level_axes, 1u);
  EXPECT_EQ(rule.when.level_masks[0], 0b011u);
  EXPECT_EQ(profile->rules_by_action[static_cast<int>(Action::kTakeOut)].size(), 1u);
  EXPECT_EQ(profile->passwords.min_length, 10);
  // Flows not listed are not allowed.
  EXPECT_EQ(profile->network.flows.size(), 1u);
  EXPECT_EQ(profile->network.FindFlow(0, 1), nullptr);
}

// A broken profile, the place its first problem must be reported at, and a
// phrase of the English message.
struct BrokenCase {
  const char* file;
  const char* reported_file;  // file the headline names (suffix match)
  int line;
  const char* key;
  const char* message;
};

class BrokenProfileTest : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenProfileTest, IsRejectedWithFileLineKeyAndReason) {
  const BrokenCase& c = GetParam();
  auto profile = LoadProfile(Broken(c.file));
  ASSERT_FALSE(profile.Ok()) << c.file << " loaded but must not";
  EXPECT_EQ(profile.Err().Code(), ErrorCode::kInvalidProfile);
  bool found = false;
  for (const Diagnostic& diagnostic : profile.Err().Diagnostics()) {
    const std::string& file = diagnostic.where.file;
    const std::string suffix = c.reported_file;
    const bool file_matches =
        file.size() >= suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (file_matches && diagnostic.where.line == c.line && diagnostic.where.key == c.key &&
        diagnostic.message_en.find(c.message) != std::string::npos) {
      found = true;
      // Every diagnostic speaks both languages.
      EXPECT_FALSE(diagnostic.message_ja.empty());
    }
  }
  EXPECT_TRUE(found) << "expected " << c.reported_file << ":" << c.line << ": " << c.key << ": "
                     << c.message << "\nbut got:\n"
                     << profile.Err().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Loader, BrokenProfileTest,
    ::testing::Values(
        BrokenCase{"unknown_key.toml", "broken/unknown_key.toml", 8, "rules[send.encrypt].efect",
                   "unknown key"},
        BrokenCase{"unknown_role.toml", "broken/unknown_role.toml", 9,
                   "rules[send.permission].approvals[0][0]", "unknown role \"manger\""},
        BrokenCase{"undefined_role.toml", "broken/undefined_role.toml", 9,
                   "rules[send.permission].approvals[0][0]",
                   "role \"ciso\" is not defined in this profile"},
        BrokenCase{"unknown_level.toml", "broken/unknown_level.toml", 13,
                   "rules[send.encrypt].when.min_level.importance",
                   "level \"S\" is not a level of axis \"importance\""},
        BrokenCase{"unknown_segment.toml", "broken/unknown_segment.toml", 12,
                   "rules[send.lgwan].when.segment", "value \"lgwan\" is not valid for \"segment\""},
        BrokenCase{"unknown_clause.toml", "broken/unknown_clause.toml", 10,
                   "rules[send.encrypt].clauses[0]", "refers to clause \"9.9(9)\""},
        BrokenCase{"duplicate_rule.toml", "broken/duplicate_rule.toml", 13,
                   "rules[send.encrypt].id", "duplicate rule id \"send.encrypt\""},
        BrokenCase{"cycle_a.toml", "broken/cycle_b.toml", 3, "profile.extends", "extends cycle"},
        BrokenCase{"missing_required.toml", "broken/missing_required.toml", 5,
                   "rules[send.encrypt].text", "required key is missing"},
        BrokenCase{"wrong_type.toml", "broken/wrong_type.toml", 6, "passwords.min_length",
                   "must be an integer"},
        BrokenCase{"syntax_error.toml", "broken/syntax_error.toml", 5, "", "TOML syntax error"},
        BrokenCase{"bad_key_start.toml", "broken/bad_key_start.toml", 7, "",
                   "expected bare key starting character"},
        BrokenCase{"unknown_action.toml", "broken/unknown_action.toml", 7,
                   "rules[teleport.deny].action", "unknown action \"teleport\""},
        BrokenCase{"unmapped_axis.toml", "policies/base.toml", 847,  // a line of base.toml
                   "rules[store.fireproof.confidentiality].when.min_level.confidentiality",
                   "an inherited rule: give each level of [classification] a "
                   "maps_to.confidentiality"},
        BrokenCase{"bad_maps_to.toml", "broken/bad_maps_to.toml", 16,
                   "classification.axes[importance].levels[A].maps_to.confidentiality",
                   "maps_to level \"9\" is not a level of the parent's axis \"confidentiality\""},
        BrokenCase{"missing_parent.toml", "broken/missing_parent.toml", 3, "profile.extends",
                   "cannot read extended file"},
        BrokenCase{"approvals_on_deny.toml", "broken/approvals_on_deny.toml", 6,
                   "rules[send.deny].id", "approvals are only allowed"},
        BrokenCase{"bad_flow_mode.toml", "broken/bad_flow_mode.toml", 8, "network.flows[#1].mode",
                   "unknown flow mode \"sometimes\""},
        BrokenCase{"empty_clauses.toml", "broken/empty_clauses.toml", 6, "rules[send.encrypt].id",
                   "must cite at least one clause"},
        BrokenCase{"bad_date.toml", "broken/bad_date.toml", 6, "organization.effective_date",
                   "an existing date"},
        BrokenCase{"full_width_space.toml", "broken/full_width_space.toml", 6, "",
                   "non-ASCII character outside strings"},
        BrokenCase{"flow_approvals_not_restricted.toml",
                   "broken/flow_approvals_not_restricted.toml", 5, "network.flows[#1]",
                   "only allowed on flows with mode = \"restricted\""},
        BrokenCase{"duplicate_flow.toml", "broken/duplicate_flow.toml", 10, "network.flows[#2]",
                   "duplicate flow inner -> outer"},
        BrokenCase{"bad_sanitize.toml", "broken/bad_sanitize.toml", 6, "sanitize.mail_method",
                   "mail method \"forward_everything\" is not valid"},
        BrokenCase{"bad_sanitize.toml", "broken/bad_sanitize.toml", 7, "sanitize.max_depth",
                   "must be at least 1"}));

TEST(LoaderTest, ReportsEveryProblemNotOnlyTheFirst) {
  auto profile = LoadProfile(Broken("many_problems.toml"));
  ASSERT_FALSE(profile.Ok());
  const auto& diagnostics = profile.Err().Diagnostics();
  ASSERT_EQ(diagnostics.size(), 3u) << profile.Err().ToString();
  EXPECT_EQ(diagnostics[0].where.line, 7);
  EXPECT_EQ(diagnostics[1].where.line, 15);
  EXPECT_EQ(diagnostics[2].where.line, 23);
}

TEST(LoaderTest, BadMapsToDoesNotAlsoClaimTheMappingIsMissing) {
  auto profile = LoadProfile(Broken("bad_maps_to.toml"));
  ASSERT_FALSE(profile.Ok());
  for (const Diagnostic& diagnostic : profile.Err().Diagnostics()) {
    EXPECT_EQ(diagnostic.message_en.find("lacks maps_to"), std::string::npos)
        << diagnostic.ToString();
  }
}

TEST(LoaderTest, ExtendsPathsAreNormalized) {
  auto profile = LoadProfile(Broken("unmapped_axis.toml"));
  ASSERT_FALSE(profile.Ok());
  EXPECT_EQ(profile.Err().Headline().where.file.find(".."), std::string::npos)
      << profile.Err().Headline().where.file;
}

TEST(LoaderTest, InMemoryProfileExtendsThroughTheFileSystemInterface) {
  MemoryFileSystem fs;
  fs.Put("p/parent.toml", R"(
[profile]
id = "parent"
[organization]
name = "親"
[documents.d]
title = "文書"
kind = "standards"
public = false
[[clauses]]
id = "1"
title = "総則"
document = "d"
[classification]
[[classification.axes]]
id = "confidentiality"
title = "機密性"
[[classification.axes.levels]]
id = "3"
title = "機密性3"
definition = "高"
[[classification.axes.levels]]
id = "2"
title = "機密性2"
definition = "中"
[[classification.axes.levels]]
id = "1"
title = "機密性1"
definition = "低"
[roles.staff]
title = "職員"
[roles.manager]
title = "課長"
[passwords]
min_length = 12
[[rules]]
id = "provide.permission"
action = "provide"
effect = "approval_required"
approvals = [["manager"]]
clauses = ["1"]
text = "提供には許可が要る。"
[rules.when]
min_level = { confidentiality = "2" }
)");
  const std::string child = R"(
[profile]
id = "child"
extends = "parent.toml"
[organization]
name = "子"
[classification]
[[classification.axes]]
id = "importance"
title = "重要度"
[[classification.axes.levels]]
id = "A"
title = "重要度A"
definition = "高"
maps_to = { confidentiality = "3" }
[[classification.axes.levels]]
id = "B"
title = "重要度B"
definition = "中"
maps_to = { confidentiality = "2" }
[[classification.axes.levels]]
id = "C"
title = "重要度C"
definition = "低"
maps_to = { confidentiality = "1" }
)";
  auto profile = LoadProfileFromText(child, "p/child.toml", fs);
  ASSERT_TRUE(profile.Ok()) << profile.Err().ToString();
  EXPECT_EQ(profile->organization.name, "子");
  EXPECT_EQ(profile->files, (std::vector<std::string>{"p/child.toml", "p/parent.toml"}));
  ASSERT_EQ(profile->rules.size(), 1u);
  // confidentiality >= 2 means importance A or B through maps_to.
  EXPECT_EQ(profile->rules[0].when.level_masks[0], 0b011u);
  EXPECT_FALSE(profile->documents[0].is_public);
}

TEST(LoaderTest, AuthThrottleHasDefaultsAndIsOverriddenKeyByKey) {
  auto base = LoadProfile(Policy("base.toml"));
  ASSERT_TRUE(base.Ok()) << base.Err().ToString();
  const AuthSettings defaults;
  EXPECT_EQ(base->auth.address_failures_before_delay, defaults.address_failures_before_delay);
  EXPECT_EQ(base->auth.address_failures_before_block, defaults.address_failures_before_block);
  EXPECT_EQ(base->auth.address_block_minutes, defaults.address_block_minutes);
  EXPECT_EQ(base->auth.clauses, (std::vector<std::string>{"6.2(1)②"}));
  RealFileSystem fs;
  auto child = LoadProfileFromText(R"(
[profile]
id = "child"
extends = "base.toml"
[auth]
address_block_minutes = 60
)",
                                   Policy("child.toml"), fs);
  ASSERT_TRUE(child.Ok()) << child.Err().ToString();
  EXPECT_EQ(child->auth.address_block_minutes, 60);
  EXPECT_EQ(child->auth.address_failures_before_block, base->auth.address_failures_before_block);
}

TEST(LoaderTest, AuthThrottleValuesOutOfRangeAreNamed) {
  RealFileSystem fs;
  auto child = LoadProfileFromText(R"(
[profile]
id = "child"
extends = "base.toml"
[auth]
address_failures_before_delay = 30
address_window_minutes = 0
address_delay_seconds = 11
)",
                                   Policy("child.toml"), fs);
  ASSERT_FALSE(child.Ok());
  std::vector<std::string> keys;
  for (const auto& diagnostic : child.Err().Diagnostics()) keys.push_back(diagnostic.where.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"auth.address_window_minutes",
                                            "auth.address_delay_seconds",
                                            "auth.address_failures_before_delay"}))
      << child.Err().ToString();
}

TEST(LoaderTest, ChildRuleWithTheSameIdReplacesTheInheritedOne) {
  auto base = LoadProfile(Policy("base.toml"));
  auto hannan = LoadProfile(Policy("hannan.toml"));
  ASSERT_TRUE(base.Ok() && hannan.Ok());
  auto find = [](const Profile& profile, const std::string& id) -> const Rule* {
    for (const Rule& rule : profile.rules) {
      if (rule.id == id) return &rule;
    }
    return nullptr;
  };
  const Rule* base_rule = find(*base, "transport.permission");
  const Rule* hannan_rule = find(*hannan, "transport.permission");
  ASSERT_NE(base_rule, nullptr);
  ASSERT_NE(hannan_rule, nullptr);
  EXPECT_NE(hannan_rule->text.find("重要度Ａ"), std::string::npos);
  EXPECT_NE(hannan_rule->where.file.find("hannan.toml"), std::string::npos);
  // remove_rules dropped the integrity and availability variants.
  EXPECT_EQ(find(*hannan, "store.fireproof.integrity"), nullptr);
  EXPECT_NE(find(*base, "store.fireproof.integrity"), nullptr);
}

// Builds a one-rule profile on top of minimal.toml, in memory.
Result<Profile> WithRule(const std::string& rule) {
  MemoryFileSystem fs;
  RealFileSystem real;
  fs.Put("t/minimal.toml", *real.ReadFile(kSource + "/tests/data/policies/minimal.toml", 1 << 20));
  return LoadProfileFromText("[profile]\nid = \"t\"\nextends = \"minimal.toml\"\n" + rule, "t/t.toml", fs);
}

TEST(LoaderTest, LevelListsAreAlternativesAndBoundsIntersect) {
  auto either = WithRule(R"(
[[rules]]
id = "send.x"
action = "send"
effect = "deny"
clauses = ["1"]
text = "x"
[rules.when]
level = { importance = ["A", "C"] }
)");
  ASSERT_TRUE(either.Ok()) << either.Err().ToString();
  EXPECT_EQ(either->rules.back().when.level_masks[0], 0b101u);

  auto bounded = WithRule(R"(
[[rules]]
id = "send.x"
action = "send"
effect = "deny"
clauses = ["1"]
text = "x"
[rules.when]
min_level = { importance = "B" }
max_level = { importance = "B" }
)");
  ASSERT_TRUE(bounded.Ok()) << bounded.Err().ToString();
  EXPECT_EQ(bounded->rules.back().when.level_masks[0], 0b010u);

  auto impossible = WithRule(R"(
[[rules]]
id = "send.x"
action = "send"
effect = "deny"
clauses = ["1"]
text = "x"
[rules.when]
min_level = { importance = "B" }
level = { importance = "C" }
)");
  ASSERT_FALSE(impossible.Ok());
  EXPECT_NE(impossible.Err().ToString().find("could never apply"), std::string::npos);
}

TEST(LoaderTest, LevelAlternativesOnDifferentWrittenAxesMustAllHold) {
  // Through maps_to, confidentiality and integrity both land on 阪南市's
  // importance axis; a rule naming both must require both, not either.
  MemoryFileSystem fs;
  RealFileSystem real;
  fs.Put("p/base.toml", *real.ReadFile(Policy("base.toml"), 1 << 22));
  fs.Put("p/hannan.toml", *real.ReadFile(Policy("hannan.toml"), 1 << 22));
  const std::string head = "[profile]\nid = \"t\"\nextends = \"hannan.toml\"\n";
  const std::string rule = R"toml(
[[rules]]
id = "copy.x"
action = "copy"
effect = "deny"
clauses = ["2.1(2)"]
text = "x"
[rules.when]
)toml";
  auto both = LoadProfileFromText(head + rule + R"(level = { confidentiality = "3B", integrity = "2" })",
                                  "p/t.toml", fs);
  ASSERT_TRUE(both.Ok()) << both.Err().ToString();
  EXPECT_EQ(both->rules.back().when.level_masks[0], 0b001u);  // A only (B maps to 2, 2)

  auto contradiction = LoadProfileFromText(
      head + rule + R"(level = { confidentiality = "3B", integrity = "1" })", "p/t.toml", fs);
  ASSERT_FALSE(contradiction.Ok());
  EXPECT_NE(contradiction.Err().ToString().find("could never apply"), std::string::npos);

  // No level of 阪南市 maps to 3A: an error, not a rule that holds for all.
  auto unreachable =
      LoadProfileFromText(head + rule + R"(level = { confidentiality = "3A" })", "p/t.toml", fs);
  ASSERT_FALSE(unreachable.Ok());
  EXPECT_NE(unreachable.Err().ToString().find("could never apply"), std::string::npos);

  auto empty = LoadProfileFromText(head + rule + "level = {}", "p/t.toml", fs);
  ASSERT_FALSE(empty.Ok());
  EXPECT_EQ(empty.Err().Headline().where.key, "rules[copy.x].when.level");
}

TEST(LoaderTest, UnquotedDatesAreCheckedToo) {
  auto profile = WithRule("[organization]\neffective_date = 1800-01-01\n");
  ASSERT_FALSE(profile.Ok());
  EXPECT_EQ(profile.Err().Headline().where.key, "organization.effective_date");
}

TEST(LoaderTest, EmptyConditionListIsAnErrorNotAWildcard) {
  auto profile = WithRule(R"(
[[rules]]
id = "send.x"
action = "send"
effect = "deny"
clauses = ["1"]
text = "x"
[rules.when]
device = []
)");
  ASSERT_FALSE(profile.Ok());
  EXPECT_EQ(profile.Err().Headline().where.key, "rules[send.x].when.device");
}

TEST(LoaderTest, RoleTableThatMisspellsABuiltInIsOneProblemNotANewRole) {
  // A profile may define roles of its own, but "manger" is a typo of
  // "manager", not a post nobody holds.
  auto profile = WithRule("[roles.manger]\ntitle = \"課長\"\nholder = \"課長\"\n");
  ASSERT_FALSE(profile.Ok());
  EXPECT_EQ(profile.Err().Diagnostics().size(), 1u) << profile.Err().ToString();
  EXPECT_NE(profile.Err().Headline().message_en.find("collides with built-in role \"manager\""),
            std::string::npos)
      << profile.Err().ToString();
  EXPECT_EQ(profile.Err().Headline().where.key, "roles.manger");
  EXPECT_EQ(profile.Err().Headline().where.line, 4);
}

// ---------------------------------------------------------------------------
// Roles a profile defines ([roles.<id>] outside the vocabulary)

std::string TestPolicy(const std::string& name) { return kSource + "/tests/data/policies/" + name; }

TEST(LoaderTest, ProfileDefinedRolesGetRoleValuesAfterTheBuiltIns) {
  auto profile = LoadProfile(TestPolicy("system_admin.toml"));
  ASSERT_TRUE(profile.Ok()) << profile.Err().ToString();
  const auto admin = profile->ParseRole("system_admin");
  const auto committee = profile->ParseRole("committee");
  ASSERT_TRUE(admin && committee);
  EXPECT_EQ(static_cast<int>(*admin), kRoleCount);
  EXPECT_EQ(static_cast<int>(*committee), kRoleCount + 1);
  EXPECT_FALSE(IsBuiltIn(*admin));
  const RoleInfo* info = profile->FindRole(*admin);
  ASSERT_NE(info, nullptr);
  EXPECT_TRUE(info->custom);
  EXPECT_EQ(info->id, "system_admin");
  EXPECT_EQ(info->title, "情報システム管理者");
  EXPECT_EQ(info->holder, "所管する情報システムの担当課長");
  EXPECT_EQ(info->clause, "独自1(2)⑥");
  EXPECT_EQ(info->scope, RoleScope::kSection);
  EXPECT_NE(info->where.file.find("system_admin.toml"), std::string::npos);
  EXPECT_EQ(profile->RoleId(*admin), "system_admin");
  EXPECT_EQ(profile->RoleTitle(*admin), "情報システム管理者");
  EXPECT_EQ(profile->ScopeOf(*admin), RoleScope::kSection);
  // Scope defaults to the whole organization; delegates may be built-ins.
  EXPECT_EQ(profile->ScopeOf(*committee), RoleScope::kOrganization);
  ASSERT_EQ(profile->FindRole(*committee)->delegates.size(), 1u);
  EXPECT_EQ(profile->FindRole(*committee)->delegates[0], Role::kChiefOfficer);
  // Built-ins keep their ids, titles from the parents and fixed scopes.
  EXPECT_EQ(profile->ParseRole("manager"), Role::kManager);
  EXPECT_EQ(profile->ScopeOf(Role::kManager), RoleScope::kSection);
  EXPECT_EQ(profile->ScopeOf(Role::kOfficer), RoleScope::kDepartment);
  EXPECT_FALSE(profile->FindRole(Role::kCsirt)->custom);
  EXPECT_FALSE(profile->ParseRole("system_administrator").has_value());
  EXPECT_NE(profile->AllRoleIds().find("system_admin"), std::string::npos);

  // The rule routes change_system to the profile's own role.
  const auto& rules = profile->rules_by_action[static_cast<int>(Action::kChangeSystem)];
  const Rule* routed = nullptr;
  for (std::uint16_t index : rules) {
    if (profile->rules[index].id == "change_system.system_admin") routed = &profile->rules[index];
  }
  ASSERT_NE(routed, nullptr);
  ASSERT_EQ(routed->approvals.size(), 1u);
  EXPECT_EQ(routed->approvals[0], std::vector<Role>{*admin});
}

TEST(LoaderTest, ProfileDefinedRolesCompileIntoConditions) {
  auto profile = WithRule(R"(
[roles.system_admin]
title = "情報システム管理者"
clause = "1"
scope = "section"

[[rules]]
id = "change_system.x"
action = "change_system"
effect = "approval_required"
approvals = [["system_admin"]]
clauses = ["1"]
text = "x"
[rules.when]
unless_roles = ["system_admin", "manager"]
)");
  ASSERT_TRUE(profile.Ok()) << profile.Err().ToString();
  const Rule& rule = profile->rules.back();
  const Role admin = *profile->ParseRole("system_admin");
  EXPECT_EQ(rule.when.unless_roles, RoleBit(admin) | RoleBit(Role::kManager));
  EXPECT_EQ(rule.when.unless_roles >> kRoleCount, 1u);
}

TEST(LoaderTest, UnknownRoleInARuleIsAnErrorNamingFileAndLine) {
  auto profile = WithRule(R"(
[roles.system_admin]
title = "情報システム管理者"
clause = "1"

[[rules]]
id = "change_system.x"
action = "change_system"
effect = "approval_required"
approvals = [["system_admn"]]
clauses = ["1"]
text = "x"
)");
  ASSERT_FALSE(profile.Ok());
  const Diagnostic& headline = profile.Err().Headline();
  EXPECT_EQ(headline.where.file, "t/t.toml");
  EXPECT_EQ(headline.where.line, 13);
  EXPECT_EQ(headline.where.key, "rules[change_system.x].approvals[0][0]");
  EXPECT_NE(headline.message_en.find("unknown role \"system_admn\""), std::string::npos);
  // The message lists the profile's own roles among the valid ids.
  EXPECT_NE(headline.message_en.find("system_admin"), std::string::npos);
  EXPECT_NE(headline.message_ja.find("不明な役割"), std::string::npos);
}

TEST(LoaderTest, RoleIdThatCollidesWithABuiltInIsAnError) {
  for (const char* id : {"chief-officer", "Manager", "auditors"}) {
    auto profile = WithRule(std::string("[roles.") + id + "]\ntitle = \"x\"\nclause = \"1\"\n");
    ASSERT_FALSE(profile.Ok()) << id;
    EXPECT_NE(profile.Err().Headline().message_en.find("collides with built-in role"),
              std::string::npos)
        << profile.Err().ToString();
    EXPECT_EQ(profile.Err().Headline().where.line, 4) << id;
  }
  // A built-in's meaning (its scope) is not the profile's to change.
  auto rescoped = WithRule("[roles.csirt]\ntitle = \"CSIRT\"\nscope = \"section\"\n");
  ASSERT_FALSE(rescoped.Ok());
  EXPECT_EQ(rescoped.Err().Headline().where.key, "roles.csirt.scope");
  EXPECT_NE(rescoped.Err().Headline().message_en.find("scope of built-in role \"csirt\" is fixed"),
            std::string::npos)
      << rescoped.Err().ToString();
}

TEST(LoaderTest, BadRoleScopeIdOrMissingClauseIsAnError) {
  auto scope = WithRule("[roles.system_admin]\ntitle = \"x\"\nclause = \"1\"\nscope = \"department\"\n");
  ASSERT_FALSE(scope.Ok());
  EXPECT_EQ(scope.Err().Headline().where.key, "roles.system_admin.scope");
  EXPECT_EQ(scope.Err().Headline().where.line, 7);
  EXPECT_NE(scope.Err().Headline().message_en.find("scope \"department\" is not valid"),
            std::string::npos);

  auto id = WithRule("[roles.2nd_admin]\ntitle = \"x\"\nclause = \"1\"\n");
  ASSERT_FALSE(id.Ok());
  EXPECT_NE(id.Err().Headline().message_en.find("must start with a-z"), std::string::npos)
      << id.Err().ToString();

  auto clause = WithRule("[roles.system_admin]\ntitle = \"x\"\n");
  ASSERT_FALSE(clause.Ok());
  EXPECT_NE(clause.Err().Headline().message_en.find("needs the clause that establishes it"),
            std::string::npos);
}

TEST(LoaderTest, TooManyProfileDefinedRolesIsAnError) {
  std::string roles;
  for (int i = 0; i < kMaxRoles - kRoleCount; ++i) {
    roles += "[roles.post" + std::to_string(i) + "]\ntitle = \"x\"\nclause = \"1\"\n";
  }
  ASSERT_TRUE(WithRule(roles).Ok());  // exactly at the limit
  auto over = WithRule(roles + "[roles.one_too_many]\ntitle = \"x\"\nclause = \"1\"\n");
  ASSERT_FALSE(over.Ok());
  EXPECT_EQ(over.Err().Headline().where.key, "roles.one_too_many");
  EXPECT_NE(over.Err().Headline().message_en.find("too many roles (at most 64"), std::string::npos);
}

TEST(LoaderTest, ChildProfilesInheritAndAddRolesOfTheirOwn) {
  MemoryFileSystem fs;
  RealFileSystem real;
  fs.Put("t/base.toml", *real.ReadFile(kSource + "/policies/base.toml", 1 << 22));
  fs.Put("t/hannan.toml", *real.ReadFile(kSource + "/policies/hannan.toml", 1 << 22));
  // The test profile extends ../../../policies/hannan.toml; point it at t/.
  std::string parent = *real.ReadFile(TestPolicy("system_admin.toml"), 1 << 20);
  const std::string written = "../../../policies/hannan.toml";
  parent.replace(parent.find(written), written.size(), "hannan.toml");
  fs.Put("t/parent.toml", parent);
  auto child = LoadProfileFromText(R"toml([profile]
id = "child"
extends = "parent.toml"

[roles.system_admin]
title = "システム所管課長"
scope = "section"
clause = "独自1(2)⑥"

[roles.lender]
title = "秘書広聴課長"
clause = "独自1(5)"

[[rules]]
id = "take_out.lender"
action = "take_out"
effect = "approval_required"
approvals = [["lender"], ["system_admin", "committee"]]
clauses = ["独自1(5)"]
text = "x"
)toml",
                                   "t/child.toml", fs);
  ASSERT_TRUE(child.Ok()) << child.Err().ToString();
  // The parent's roles keep their values; a child's re-declaration replaces
  // the definition in place; the child's new role comes after them.
  EXPECT_EQ(child->ParseRole("system_admin"), static_cast<Role>(kRoleCount));
  EXPECT_EQ(child->RoleTitle(static_cast<Role>(kRoleCount)), "システム所管課長");
  EXPECT_EQ(child->ParseRole("committee"), static_cast<Role>(kRoleCount + 1));
  EXPECT_EQ(child->ParseRole("lender"), static_cast<Role>(kRoleCount + 2));
  const Rule& rule = child->rules.back();
  ASSERT_EQ(rule.approvals.size(), 2u);
  EXPECT_EQ(rule.approvals[0][0], static_cast<Role>(kRoleCount + 2));
  EXPECT_EQ(rule.approvals[1][1], static_cast<Role>(kRoleCount + 1));
}

TEST(LoaderTest, ParentFlowsSurviveAChildsSegmentsWhereTheSegmentsStillExist) {
  // 美祢市 re-declares the three segments with its own definitions: the
  // base's approvers for the restricted My Number flows must still apply.
  auto mine = LoadProfile(Policy("mine.toml"));
  ASSERT_TRUE(mine.Ok()) << mine.Err().ToString();
  const auto from = mine->network.SegmentIndex("mynumber");
  const auto to = mine->network.SegmentIndex("lgwan");
  ASSERT_TRUE(from && to);
  const Flow* flow = mine->network.FindFlow(*from, *to);
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(flow->mode, FlowMode::kRestricted);
  EXPECT_FALSE(flow->approvals.empty());
  // 西北五 has no LGWAN segment: the base's flows to it are gone, not errors.
  auto seihoku = LoadProfile(Policy("seihoku5.toml"));
  ASSERT_TRUE(seihoku.Ok()) << seihoku.Err().ToString();
  EXPECT_FALSE(seihoku->network.SegmentIndex("lgwan").has_value());
}

TEST(LoaderTest, FileLargerThanTheLimitIsRefused) {
  LoaderLimits limits;
  limits.max_file_bytes = 100;
  RealFileSystem fs;
  auto profile = LoadProfile(Policy("base.toml"), fs, limits);
  ASSERT_FALSE(profile.Ok());
  EXPECT_NE(profile.Err().ToString().find("too large"), std::string::npos);
}

}  // namespace
}  // namespace mamori::policy

namespace mamori::policy {
namespace {

// Regression: toml++ 3.3.0 reached an unreachable point (undefined behaviour)
// for a multi-line string whose continued line starts with hiragana.
TEST(LoaderTest, RegressionJapaneseAfterLineEndingBackslash) {
  MemoryFileSystem fs;
  auto profile = LoadProfileFromText("[profile]\nid = \"x\"\ntitle = \"\"\"\\\n  こんにちは\"\"\"\n",
                                     "x.toml", fs);
  ASSERT_FALSE(profile.Ok());  // it lacks everything else, but parses
  EXPECT_EQ(profile.Err().ToString().find("syntax"), std::string::npos) << profile.Err().ToString();
  auto crash_input = LoadProfileFromText("s = \"\"\"\\\n\xc2\xa7\"\"\"\n", "y.toml", fs);
  EXPECT_FALSE(crash_input.Ok());
}

}  // namespace
}  // namespace mamori::policy

namespace mamori::policy {
namespace {

// 5.4(2): the password-strength keys — defaults in code and in base.toml,
// overridable, 1 refused for max_repeat_run.
TEST(LoaderTest, PasswordStrengthKeys) {
  auto minimal = LoadProfile(kSource + "/tests/data/policies/minimal.toml");
  ASSERT_TRUE(minimal.Ok()) << minimal.Err().ToString();
  EXPECT_TRUE(minimal->passwords.reject_login_or_name);  // code defaults
  EXPECT_TRUE(minimal->passwords.dictionary_check);
  EXPECT_EQ(minimal->passwords.max_repeat_run, 3);
  auto hannan = LoadProfile(kSource + "/policies/hannan.toml");  // through base.toml
  ASSERT_TRUE(hannan.Ok());
  EXPECT_TRUE(hannan->passwords.dictionary_check);
  EXPECT_EQ(hannan->passwords.max_repeat_run, 3);

  auto relaxed = WithRule("[passwords]\nreject_login_or_name = false\ndictionary_check = false\n"
                          "max_repeat_run = 0\n");
  ASSERT_TRUE(relaxed.Ok()) << relaxed.Err().ToString();
  EXPECT_FALSE(relaxed->passwords.reject_login_or_name);
  EXPECT_FALSE(relaxed->passwords.dictionary_check);
  EXPECT_EQ(relaxed->passwords.max_repeat_run, 0);

  auto one = WithRule("[passwords]\nmax_repeat_run = 1\n");
  ASSERT_FALSE(one.Ok());
  EXPECT_NE(one.Err().Headline().message_en.find("max_repeat_run"), std::string::npos);
  EXPECT_EQ(one.Err().Headline().where.line, 5);
  auto wrong_type = WithRule("[passwords]\ndictionary_check = \"yes\"\n");
  EXPECT_FALSE(wrong_type.Ok());
}

TEST(LoaderTest, RiskScalesHaveDefaultsCitingTheirClauseAndChildrenOverrideThem) {
  auto base = LoadProfile(Policy("base.toml"));
  ASSERT_TRUE(base.Ok()) << base.Err().ToString();
  EXPECT_EQ(base->risk.threat_default, 2);
  EXPECT_EQ(base->risk.high_from, 12);
  EXPECT_EQ(base->risk.medium_from, 4);
  EXPECT_EQ(base->risk.accepted_by, (std::vector<Role>{Role::kCiso}));
  EXPECT_EQ(base->risk.acceptable_levels, (std::vector<std::string>{"low", "medium"}));
  EXPECT_EQ(base->risk.clauses, (std::vector<std::string>{"9(2)"}));
  auto hannan = LoadProfile(Policy("hannan.toml"));
  ASSERT_TRUE(hannan.Ok()) << hannan.Err().ToString();
  EXPECT_EQ(hannan->risk.importance_high, (std::vector<std::string>{"importance:A"}));
  EXPECT_EQ(hannan->risk.acceptance_max_days, 365);
}

TEST(LoaderTest, RiskValuesOutOfScaleAndWrongRolesAreNamedWithTheirLine) {
  RealFileSystem fs;
  auto child = LoadProfileFromText(R"(
[profile]
id = "child"
extends = "base.toml"
[risk]
threat_default = 4
importance_high = ["confidentiality:9Z"]
accepted_by = ["manager"]
acceptable_levels = ["whatever"]
)",
                                   Policy("child.toml"), fs);
  ASSERT_FALSE(child.Ok());
  std::vector<std::pair<std::string, int>> keys;
  for (const auto& diagnostic : child.Err().Diagnostics()) {
    keys.emplace_back(diagnostic.where.key, diagnostic.where.line);
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::pair<std::string, int>>{{"risk.acceptable_levels[0]", 9},
                                                            {"risk.accepted_by[0]", 8},
                                                            {"risk.importance_high[0]", 7},
                                                            {"risk.threat_default", 6}}))
      << child.Err().ToString();
}

TEST(LoaderTest, UnknownRiskKeyIsNamedWithItsLine) {
  RealFileSystem fs;
  auto child = LoadProfileFromText(R"(
[profile]
id = "child"
extends = "base.toml"
[risk]
likelihood_formula = "sum"
)",
                                   Policy("child.toml"), fs);
  ASSERT_FALSE(child.Ok());
  ASSERT_EQ(child.Err().Diagnostics().size(), 1u) << child.Err().ToString();
  EXPECT_EQ(child.Err().Diagnostics()[0].where.key, "risk.likelihood_formula");
  EXPECT_EQ(child.Err().Diagnostics()[0].where.line, 6);
}

}  // namespace
}  // namespace mamori::policy
