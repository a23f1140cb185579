// Roles a profile defines (tests/data/policies/system_admin.toml adds
// 情報システム管理者, per section, and routes change_system to it): the
// approval inbox shows the request to the role's holder with the role's
// title, and the profile, the session and the role register name it.
#include <gtest/gtest.h>

#include <string>

#include "server/api_test_support.h"

namespace mamori::server::testing {
namespace {

class RolesTest : public ApiTest {
 protected:
  std::string ProfilePath() const override {
    return MAMORI_SOURCE_DIR "/tests/data/policies/system_admin.toml";
  }

  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    auto must = [](const auto& result) { ASSERT_TRUE(result.Ok()) << result.Err().ToString(); };
    // 情報システム管理者 of 税務課 (sa1) and of 介護保険課 (sa2).
    for (const auto& [code, section] : {std::pair{"sa1", "zeimu"}, std::pair{"sa2", "kaigo"}}) {
      must(ledger::AddPerson(**ledger_, "system",
                             {code, std::string("システム管理 ") + code, section, "staff", "",
                              "2020-04-01", ""}));
      must(ledger::AssignRole(**ledger_, "system", code, "system_admin", section, "2020-04-01"));
      auto password = auth::CreateAccount(**ledger_, "c1", code, auth_);
      ASSERT_TRUE(password.Ok()) << password.Err().ToString();
      temporary_[code] = *password;
    }
  }
};

TEST_F(RolesTest, InboxShowsARequestWaitingOnAProfileRoleToItsHolderWithItsTitle) {
  Agent staff = SignedIn("s1");
  auto [status, request] = Call(staff, "POST", "/requests",
                                {{"request", {{"action", "change_system"}, {"asset", {{"kind", "system"}}}}},
                                 {"purpose", "税務システムの設定変更"}});
  ASSERT_EQ(status, 201) << request.dump();
  const std::string id = std::to_string(request["id"].get<int>());
  EXPECT_EQ(request["status"], "pending");
  EXPECT_EQ(request["steps"][0]["roles"], Json::array({"system_admin"}));
  ASSERT_EQ(request["current_approvers"].size(), 1u) << request.dump();
  EXPECT_EQ(request["current_approvers"][0]["code"], "sa1");
  EXPECT_EQ(request["current_step_roles"],
            Json::parse(R"([{"id":"system_admin","title":"情報システム管理者"}])"));
  EXPECT_NE(request["decision"]["explanation"].get<std::string>().find("情報システム管理者"),
            std::string::npos);

  // The holder for the requester's section sees it, with the role's title.
  Agent admin = SignedIn("sa1");
  auto inbox = Call(admin, "GET", "/inbox");
  ASSERT_EQ(inbox.first, 200) << inbox.second.dump();
  ASSERT_EQ(inbox.second.size(), 1u) << inbox.second.dump();
  EXPECT_EQ(inbox.second[0]["id"], request["id"]);
  EXPECT_EQ(inbox.second[0]["current_step_roles"][0]["title"], "情報システム管理者");
  // The other section's holder, the section's manager and the requester do not.
  Agent other = SignedIn("sa2");
  EXPECT_TRUE(Call(other, "GET", "/inbox").second.empty());
  Agent manager = SignedIn("m1");
  EXPECT_TRUE(Call(manager, "GET", "/inbox").second.empty());
  EXPECT_TRUE(Call(staff, "GET", "/inbox").second.empty());
  EXPECT_EQ(Call(other, "POST", "/requests/" + id + "/approve", {{"comment", "ok"}}).first, 404);
  EXPECT_EQ(Call(manager, "POST", "/requests/" + id + "/approve", {{"comment", "ok"}}).first, 403);

  auto approved = Call(admin, "POST", "/requests/" + id + "/approve", {{"comment", "確認済み"}});
  ASSERT_EQ(approved.first, 200) << approved.second.dump();
  EXPECT_EQ(approved.second["status"], "approved");
  EXPECT_EQ(approved.second["actions"][0]["role"], "system_admin");
  EXPECT_TRUE(Call(admin, "GET", "/inbox").second.empty());
}

TEST_F(RolesTest, ProfileSessionAndRoleRegisterNameTheProfileRole) {
  Agent admin = SignedIn("sa1");
  auto profile = Call(admin, "GET", "/profile");
  ASSERT_EQ(profile.first, 200);
  bool listed = false;
  for (const auto& role : profile.second["roles"]) {
    if (role["id"] == "system_admin") {
      listed = true;
      EXPECT_EQ(role["title"], "情報システム管理者");
    }
  }
  EXPECT_TRUE(listed) << profile.second["roles"].dump();

  auto session = Call(admin, "GET", "/auth/session");
  ASSERT_EQ(session.first, 200);
  bool held = false;
  for (const auto& role : session.second["session"]["roles"]) {
    if (role["role"] == "system_admin") {
      held = true;
      EXPECT_EQ(role["title"], "情報システム管理者");
      EXPECT_EQ(role["section"], "zeimu");
    }
  }
  EXPECT_TRUE(held) << session.second.dump();

  // The decide page's actor comes from the register: a system admin's own
  // change needs another holder (兼務の禁止 noted).
  auto decided = Call(admin, "POST", "/decide", {{"action", "change_system"}});
  ASSERT_EQ(decided.first, 200) << decided.second.dump();
  ASSERT_TRUE(decided.second.contains("separation_of_duties")) << decided.second.dump();
  EXPECT_EQ(decided.second["separation_of_duties"][0]["role"], "system_admin");
}

}  // namespace
}  // namespace mamori::server::testing
