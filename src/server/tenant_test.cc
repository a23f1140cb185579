// Tenants of one installation behind one server (tenant_router.h): each is
// reached by /t/<id>/ and by its host names, with its own sessions and
// cookie; a session of tenant B gets nothing of tenant A from any route of
// the API — the routes are taken from the route table itself, so a route
// added later is tried too. On SQLite, and on PostgreSQL when
// $MAMORI_TEST_POSTGRES_URL is set (scripts/run-postgres-tests.sh).
#include <httplib.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "auth/accounts.h"
#include "auth/totp.h"
#include "ledger/registers/registers.h"
#include "ledger/test_support.h"
#include "server/server.h"
#include "server/tenant_router.h"
#include "storage/open.h"
#include "tenancy/registry.h"

namespace mamori::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kProfile = MAMORI_SOURCE_DIR "/policies/hannan.toml";
constexpr const char* kNewPassword = "Kaikei-2026-Zeimu!";
constexpr const char* kPrivilegedPassword = "Tokken-Kanri-2026-Pass!";
// What only tenant A holds: an asset's name and code.
constexpr const char* kSecretName = "甲テナント機密台帳";
constexpr const char* kSecretCode = "a-only-asset";

struct Agent {
  std::string cookie = {};  // "name=token"
  std::string csrf = {};
  std::string host = {};    // Host header; "" for 127.0.0.1
  std::string prefix = {};  // "/t/<id>" or ""
};

struct Answer {
  int status = -1;
  std::string body;
  std::string set_cookie;
};

class TenantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = fs::temp_directory_path() / ("mamori_tenants_" + name);
    fs::remove_all(dir_);
    // Ids of their own per test: on PostgreSQL they name schemas of a shared cluster.
    const std::string tag = std::to_string(std::hash<std::string>{}(name) % 100000);
    a_ = "ta" + tag;
    b_ = "tb" + tag;
    if (const char* url = std::getenv("MAMORI_TEST_POSTGRES_URL"); url != nullptr) {
      postgres_ = url;
      for (const auto& id : {a_, b_}) {
        auto admin = storage::Open(postgres_, {});
        ASSERT_TRUE(admin.Ok()) << admin.Err().ToString();
        ASSERT_TRUE((*admin)->ExecuteScript("DROP SCHEMA IF EXISTS " + id + " CASCADE").Ok());
        ASSERT_TRUE((*admin)->ExecuteScript("DROP ROLE IF EXISTS mamori_t_" + id).Ok());
      }
    }
    auth_.cost = auth::HashCost::Fast();
    auto registry =
        tenancy::Registry::Open(dir_.string(), clock_, tenancy::Registry::Mode::kCreateIfMissing);
    ASSERT_TRUE(registry.Ok()) << registry.Err().ToString();
    registry_ = std::move(registry).Value();
    for (const auto& id : {a_, b_}) {
      auto added = tenancy::AddTenant(*registry_, "operator1",
                                      {.id = id,
                                       .name = id + "町",
                                       .profile = kProfile,
                                       .postgres = postgres_,
                                       .hosts = {id + ".example.jp"}},
                                      clock_, {.durable = false});
      ASSERT_TRUE(added.Ok()) << added.Err().ToString();
      auto ledger = ledger::Ledger::Open(registry_->PathsOf(*added), clock_, {.durable = false});
      ASSERT_TRUE(ledger.Ok()) << ledger.Err().ToString();
      ledger::testing::SeedOrganization(**ledger);
      const bool is_a = id == a_;
      auto asset = ledger::registers::Add(**ledger, "m1", "asset",
                                          {{"code", is_a ? kSecretCode : "b-asset"},
                                           {"name", is_a ? kSecretName : "乙の台帳"},
                                           {"kind", "data"},
                                           {"importance", "A"},
                                           {"owner_section", "zeimu"},
                                           {"manager", "m1"}});
      ASSERT_TRUE(asset.Ok()) << asset.Err().ToString();
      for (const char* person : {"c1", "x1", "s1"}) {
        auto password = auth::CreateAccount(**ledger, "c1", person, auth_);
        ASSERT_TRUE(password.Ok()) << password.Err().ToString();
        temporary_[id][person] = *password;
      }
      ASSERT_TRUE((*ledger)->Checkpoint().Ok());
    }
    ApiOptions api;
    api.auth = auth_;
    api.readers = 2;
    api.writers = 2;
    auto router = InstallationRouter::Create(dir_.string(), clock_, api);
    ASSERT_TRUE(router.Ok()) << router.Err().ToString();
    router_ = std::move(router).Value();
    auto opened = router_->OpenAll();
    ASSERT_TRUE(opened.Ok()) << opened.Err().ToString();
    ASSERT_EQ(opened->size(), 2U);
    ServeOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(*router_, options);
    auto port = server_->Bind();
    ASSERT_TRUE(port.Ok()) << port.Err().ToString();
    port_ = *port;
    thread_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_) {
      server_->Stop();
      thread_.join();
    }
    server_.reset();
    router_.reset();
    registry_.reset();
    fs::remove_all(dir_);
    if (!postgres_.empty()) {
      auto admin = storage::Open(postgres_, {});
      if (admin.Ok()) {
        for (const auto& id : {a_, b_}) {
          (void)(*admin)->ExecuteScript("DROP SCHEMA IF EXISTS " + id + " CASCADE");
          (void)(*admin)->ExecuteScript("DROP ROLE IF EXISTS mamori_t_" + id);
        }
      }
    }
  }

  // One request as a browser sends it: the agent's cookie, CSRF token and Host.
  Answer Send(const Agent& agent, const std::string& method, const std::string& path,
              const std::string& body = "", const std::string& type = "application/json") {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    httplib::Headers headers;
    if (!agent.cookie.empty()) headers.emplace("Cookie", agent.cookie);
    if (!agent.csrf.empty()) headers.emplace("X-CSRF-Token", agent.csrf);
    if (!agent.host.empty()) headers.emplace("Host", agent.host);
    const std::string url = agent.prefix + path;
    httplib::Result result = method == "GET"    ? client.Get(url, headers)
                             : method == "POST" ? client.Post(url, headers, body, type)
                                                : client.Patch(url, headers, body, type);
    if (!result) return {};
    return {result->status, result->body, result->get_header_value("Set-Cookie")};
  }

  Json SendJson(const Agent& agent, const std::string& method, const std::string& path,
                const Json& body, int expected) {
    const Answer answer = Send(agent, method, path, body.is_null() ? "" : body.dump());
    EXPECT_EQ(answer.status, expected)
        << method << " " << agent.prefix << path << ": " << answer.body;
    return Json::parse(answer.body, nullptr, false);
  }

  std::string TotpNow(const std::string& secret) {
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
    return *auth::TotpCode(secret, seconds);
  }

  // `person` of `tenant` signed in through `via` (its prefix or host), with
  // the password changed and TOTP enrolled where required.
  Agent SignedIn(const std::string& tenant, const std::string& person, Agent via) {
    const Answer answer =
        Send(via, "POST", "/api/v1/auth/sign-in",
             Json{{"login", person}, {"password", temporary_[tenant][person]}}.dump());
    EXPECT_EQ(answer.status, 200) << answer.body;
    const Json json = Json::parse(answer.body, nullptr, false);
    via.cookie = answer.set_cookie.substr(0, answer.set_cookie.find(';'));
    via.csrf = json["session"]["csrf_token"];
    const bool privileged = json["session"]["privileged"].get<bool>();
    SendJson(via, "POST", "/api/v1/auth/password",
             {{"current_password", temporary_[tenant][person]},
              {"new_password", privileged ? kPrivilegedPassword : kNewPassword}},
             204);
    const Json session = SendJson(via, "GET", "/api/v1/auth/session", nullptr, 200);
    if (session["session"]["must_enroll_totp"].get<bool>()) {
      const Json setup = SendJson(via, "POST", "/api/v1/auth/totp/setup", nullptr, 200);
      SendJson(via, "POST", "/api/v1/auth/totp/enable",
               {{"code", TotpNow(setup["secret"].get<std::string>())}}, 204);
      clock_.Advance(std::chrono::seconds(30));
    }
    return via;
  }

  // A route's path with its parameters filled with what exists in tenant A
  // (so that without isolation the call would find A's records).
  static std::string Concrete(const std::string& path) {
    static const std::map<std::string, std::string> kValues = {{"{person}", "s1"},
                                                               {"{register}", "asset"},
                                                               {"{code}", kSecretCode},
                                                               {"{id}", "1"},
                                                               {"{obligation}", "1"}};
    std::string out = path;
    for (const auto& [name, value] : kValues) {
      for (std::size_t at = out.find(name); at != std::string::npos; at = out.find(name)) {
        out.replace(at, name.size(), value);
      }
    }
    EXPECT_EQ(out.find('{'), std::string::npos) << "a parameter without a value: " << path;
    return out;
  }

  // Every route of A's route table, called by each of `attackers`: the
  // non-public ones answer 401/403/404, none answers with A's data or sets a
  // cookie.
  void ExpectNothingOfA(const std::vector<Agent>& attackers) {
    Api* api = router_->ApiOf(a_);
    ASSERT_NE(api, nullptr);
    int tried = 0;
    for (const Route& route : api->Routes()) {
      const std::string path = "/api/v1" + Concrete(route.path);
      const std::string body = route.raw_body ? "code,name\nx,y\n" : "{}";
      const std::string type = route.raw_body ? "text/csv" : "application/json";
      for (const Agent& attacker : attackers) {
        const Answer answer = Send(attacker, route.method, path, body, type);
        const std::string what = route.method + " " + attacker.host + attacker.prefix + path +
                                 " (" + attacker.cookie.substr(0, attacker.cookie.find('=')) + ")";
        EXPECT_EQ(answer.body.find(kSecretName), std::string::npos) << what << ": " << answer.body;
        EXPECT_EQ(answer.body.find(kSecretCode + std::string("\"")), std::string::npos)
            << what << ": " << answer.body;
        EXPECT_TRUE(answer.set_cookie.empty()) << what << ": " << answer.set_cookie;
        if (route.access != Access::kPublic) {
          EXPECT_TRUE(answer.status == 401 || answer.status == 403 || answer.status == 404)
              << what << ": " << answer.status << " " << answer.body;
        }
        ++tried;
      }
    }
    EXPECT_GT(api->Routes().size(), 40U);
    EXPECT_EQ(tried, static_cast<int>(api->Routes().size() * attackers.size()));
  }

  fs::path dir_;
  std::string a_;
  std::string b_;
  std::string postgres_;
  FixedClock clock_{ParseTime("2026-12-01T00:00:00Z", "now").Value()};
  auth::Options auth_;
  std::map<std::string, std::map<std::string, std::string>> temporary_;
  std::unique_ptr<tenancy::Registry> registry_;
  std::unique_ptr<InstallationRouter> router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(TenantTest, EachTenantIsServedByPathAndHostWithItsOwnCookie) {
  const Agent by_path = SignedIn(a_, "x1", {.prefix = "/t/" + a_});
  EXPECT_EQ(by_path.cookie.rfind(InstallationRouter::CookieName(a_) + "=", 0), 0U)
      << by_path.cookie;
  // The data of A through A's own session, by path and by host name: the
  // isolation test below could fail.
  const Answer listed = Send(by_path, "GET", "/api/v1/registers/asset");
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find(kSecretName), std::string::npos);
  const Agent by_host = SignedIn(a_, "s1", {.host = a_ + ".example.jp"});
  EXPECT_EQ(Send(by_host, "GET", "/api/v1/auth/session").status, 200);

  // The OpenAPI document names the tenant's cookie.
  const Answer openapi = Send({.prefix = "/t/" + a_}, "GET", "/api/v1/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  EXPECT_EQ(Json::parse(openapi.body)["components"]["securitySchemes"]["session"]["name"],
            InstallationRouter::CookieName(a_));

  // The cookie's Path keeps it below the tenant's prefix.
  const Answer sign_in = Send({.prefix = "/t/" + b_}, "POST", "/api/v1/auth/sign-in",
                              Json{{"login", "s1"}, {"password", temporary_[b_]["s1"]}}.dump());
  ASSERT_EQ(sign_in.status, 200) << sign_in.body;
  EXPECT_NE(sign_in.set_cookie.find("Path=/t/" + b_ + "/;"), std::string::npos)
      << sign_in.set_cookie;
  const Answer on_host = Send({.host = b_ + ".example.jp"}, "POST", "/api/v1/auth/sign-in",
                              Json{{"login", "x1"}, {"password", temporary_[b_]["x1"]}}.dump());
  ASSERT_EQ(on_host.status, 200) << on_host.body;
  EXPECT_NE(on_host.set_cookie.find("Path=/;"), std::string::npos) << on_host.set_cookie;
}

TEST_F(TenantTest, UnknownDisabledAndMissingTenantsAre404WithAMessage) {
  const auto expect_404 = [this](const Agent& agent, const std::string& path,
                                 const std::string& says) {
    const Answer answer = Send(agent, "GET", path);
    EXPECT_EQ(answer.status, 404) << path << ": " << answer.body;
    EXPECT_NE(answer.body.find(says), std::string::npos) << answer.body;
  };
  expect_404({}, "/api/v1/health", "テナントが指定されていません");
  expect_404({.prefix = "/t/nowhere"}, "/api/v1/health", "テナント \\\"nowhere\\\" はありません");
  expect_404({.host = "unknown.example.jp"}, "/api/v1/health", "テナントが指定されていません");
  // On B's host name, A is not served by path.
  expect_404({.host = b_ + ".example.jp", .prefix = "/t/" + a_}, "/api/v1/health", "専用です");

  const Agent b_session = SignedIn(b_, "x1", {.prefix = "/t/" + b_});
  EXPECT_EQ(Send(b_session, "GET", "/api/v1/auth/session").status, 200);
  // Disabled by another connection (as `mamori tenant disable` does from
  // another process): the running server stops serving it at once, by path
  // and by host, and its data stays.
  {
    FixedClock clock(clock_.Now());
    auto other = tenancy::Registry::Open(dir_.string(), clock, tenancy::Registry::Mode::kExisting);
    ASSERT_TRUE(other.Ok());
    ASSERT_TRUE((*other)->Disable("operator1", b_).Ok());
  }
  expect_404(b_session, "/api/v1/auth/session", "停止されています");
  expect_404({.host = b_ + ".example.jp"}, "/api/v1/health", "停止されています");
  expect_404({.prefix = "/t/" + b_}, "/", "停止されています");
  // A is still served.
  EXPECT_EQ(Send({.prefix = "/t/" + a_}, "GET", "/api/v1/health").status, 200);
  auto b = registry_->Find(b_);
  ASSERT_TRUE(b.Ok() && b->has_value());
  EXPECT_TRUE(ledger::Ledger::Open(registry_->PathsOf(**b), clock_, {}).Ok());
}

// Every route of the API, with a session of tenant B (its chief officer,
// who may do the most) against tenant A: by A's path with B's cookie, by
// A's path with B's token under A's cookie name, by A's host name with
// either. Nothing of A may come back.
TEST_F(TenantTest, ASessionOfTenantBGetsNothingOfTenantAFromAnyRoute) {
  const Agent b_session = SignedIn(b_, "c1", {.prefix = "/t/" + b_});
  const std::string token = b_session.cookie.substr(b_session.cookie.find('=') + 1);
  const std::string a_cookie = InstallationRouter::CookieName(a_) + "=" + token;
  const std::vector<Agent> attackers = {
      {.cookie = b_session.cookie, .csrf = b_session.csrf, .prefix = "/t/" + a_},
      {.cookie = a_cookie, .csrf = b_session.csrf, .prefix = "/t/" + a_},
      {.cookie = b_session.cookie, .csrf = b_session.csrf, .host = a_ + ".example.jp"},
      {.cookie = a_cookie, .csrf = b_session.csrf, .host = a_ + ".example.jp"},
      // B's own host name with A's path: refused before A's API is reached.
      {.cookie = a_cookie,
       .csrf = b_session.csrf,
       .host = b_ + ".example.jp",
       .prefix = "/t/" + a_},
  };
  ExpectNothingOfA(attackers);
  // B's session still works on B, and A's data is where it was.
  EXPECT_EQ(Send(b_session, "GET", "/api/v1/auth/session").status, 200);
  const Agent a_session = SignedIn(a_, "x1", {.prefix = "/t/" + a_});
  const Answer listed = Send(a_session, "GET", "/api/v1/registers/asset");
  EXPECT_NE(listed.body.find(kSecretName), std::string::npos) << listed.body;
}

// The installation's operator manages the list of tenants through
// /api/v1/installation/… and reads no tenant's data: the operator's session
// opens no route of any tenant, and a tenant's session opens no operator route.
TEST_F(TenantTest, AnOperatorManagesTenantsAndReadsNoTenantsData) {
  auto password = registry_->AddOperator("operator1", "ops", auth::HashCost::Fast());
  ASSERT_TRUE(password.Ok()) << password.Err().ToString();
  EXPECT_FALSE(registry_->AddOperator("operator1", "ops", auth::HashCost::Fast()).Ok());

  EXPECT_EQ(Send({}, "POST", "/api/v1/installation/sign-in",
                 Json{{"login", "ops"}, {"password", "wrong-password"}}.dump())
                .status,
            401);
  const Answer signed_in = Send({}, "POST", "/api/v1/installation/sign-in",
                                Json{{"login", "ops"}, {"password", *password}}.dump());
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_NE(signed_in.set_cookie.find("Path=/api/v1/installation/;"), std::string::npos);
  Agent ops{.cookie = signed_in.set_cookie.substr(0, signed_in.set_cookie.find(';')),
            .csrf = Json::parse(signed_in.body)["csrf_token"]};
  EXPECT_EQ(ops.cookie.rfind("mamori_operator=", 0), 0U);

  const Answer listed = Send(ops, "GET", "/api/v1/installation/tenants");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("\"" + a_ + "\""), std::string::npos);
  EXPECT_NE(listed.body.find("\"" + b_ + "\""), std::string::npos);
  EXPECT_EQ(listed.body.find(kSecretName), std::string::npos);

  // The operator's session on every route of a tenant, by path and by host,
  // under the operator's and the tenant's cookie names.
  const std::string token = ops.cookie.substr(ops.cookie.find('=') + 1);
  const std::string as_a = InstallationRouter::CookieName(a_) + "=" + token;
  ExpectNothingOfA({{.cookie = ops.cookie, .csrf = ops.csrf, .prefix = "/t/" + a_},
                    {.cookie = as_a, .csrf = ops.csrf, .prefix = "/t/" + a_},
                    {.cookie = as_a, .csrf = ops.csrf, .host = a_ + ".example.jp"}});
  // The installation API is not reachable under a tenant.
  EXPECT_EQ(
      Send({.cookie = ops.cookie, .prefix = "/t/" + a_}, "GET", "/api/v1/installation/tenants")
          .status,
      404);
  EXPECT_EQ(Send({.cookie = ops.cookie, .host = a_ + ".example.jp"}, "GET",
                 "/api/v1/installation/tenants")
                .status,
            404);
  // A tenant's session (its chief officer) is no operator, under either cookie name.
  const Agent chief = SignedIn(a_, "c1", {.prefix = "/t/" + a_});
  const std::string chief_token = chief.cookie.substr(chief.cookie.find('=') + 1);
  EXPECT_EQ(
      Send({.cookie = chief.cookie, .csrf = chief.csrf}, "GET", "/api/v1/installation/tenants")
          .status,
      401);
  EXPECT_EQ(Send({.cookie = "mamori_operator=" + chief_token, .csrf = chief.csrf}, "GET",
                 "/api/v1/installation/tenants")
                .status,
            401);

  // Adding and disabling through the API; bad input names the field.
  const std::string c = "tc" + a_.substr(2);
  if (!postgres_.empty()) {
    auto admin = storage::Open(postgres_, {});
    ASSERT_TRUE(admin.Ok());
    ASSERT_TRUE((*admin)->ExecuteScript("DROP SCHEMA IF EXISTS " + c + " CASCADE").Ok());
    ASSERT_TRUE((*admin)->ExecuteScript("DROP ROLE IF EXISTS mamori_t_" + c).Ok());
  }
  Json body{{"id", c}, {"name", "丙村"}, {"profile", kProfile}, {"hosts", {c + ".example.jp"}}};
  if (!postgres_.empty()) body["postgres"] = postgres_;
  Agent no_csrf = ops;
  no_csrf.csrf.clear();
  EXPECT_EQ(Send(no_csrf, "POST", "/api/v1/installation/tenants", body.dump()).status, 403);
  Json bad = body;
  bad["id"] = "Bad Id";
  const Answer refused = Send(ops, "POST", "/api/v1/installation/tenants", bad.dump());
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("\"field\":\"id\""), std::string::npos) << refused.body;
  const Answer added = Send(ops, "POST", "/api/v1/installation/tenants", body.dump());
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(Send({.host = c + ".example.jp"}, "GET", "/api/v1/health").status, 200);
  const Answer disabled = Send(ops, "POST", "/api/v1/installation/tenants/" + c + "/disable");
  EXPECT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(Send({.prefix = "/t/" + c}, "GET", "/api/v1/health").status, 404);
  EXPECT_EQ(Send(ops, "POST", "/api/v1/installation/tenants/" + c + "/disable").status, 409);

  // Five failed sign-ins from one address (one above, four here): the next
  // attempt is refused even with the right password, until the block is over.
  auto second = registry_->AddOperator("operator1", "ops3", auth::HashCost::Fast());
  ASSERT_TRUE(second.Ok());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Send({}, "POST", "/api/v1/installation/sign-in",
                   Json{{"login", "ops3"}, {"password", "wrong"}}.dump())
                  .status,
              401)
        << i;
  }
  const Answer throttled = Send({}, "POST", "/api/v1/installation/sign-in",
                                Json{{"login", "ops3"}, {"password", *second}}.dump());
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_EQ(Send({}, "POST", "/api/v1/installation/sign-in",
                 Json{{"login", "ops3"}, {"password", *second}}.dump())
                .status,
            200);

  // Every step is in the registry's audit log, with no password or token.
  auto events = registry_->Events();
  ASSERT_TRUE(events.Ok());
  std::vector<std::string> actions;
  for (const auto& event : *events) {
    actions.push_back(event.action + ":" + event.actor);
    EXPECT_EQ(event.state.find(*password), std::string::npos);
    EXPECT_EQ(event.state.find(token), std::string::npos);
  }
  EXPECT_NE(std::find(actions.begin(), actions.end(), "operator.sign_in_failed:anonymous"),
            actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "operator.sign_in:ops"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "tenant.add:operator:ops"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "tenant.disable:operator:ops"),
            actions.end());
  const Answer out = Send(ops, "POST", "/api/v1/installation/sign-out");
  EXPECT_EQ(out.status, 204);
  EXPECT_EQ(Send(ops, "GET", "/api/v1/installation/tenants").status, 401);
  if (!postgres_.empty()) {
    auto admin = storage::Open(postgres_, {});
    if (admin.Ok()) {
      (void)(*admin)->ExecuteScript("DROP SCHEMA IF EXISTS " + c + " CASCADE");
      (void)(*admin)->ExecuteScript("DROP ROLE IF EXISTS mamori_t_" + c);
    }
  }
}

}  // namespace
}  // namespace mamori::server
