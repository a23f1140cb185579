// The fixture every server test shares: a real Server on an ephemeral port
// of 127.0.0.1 over a seeded ledger (ledger/test_support.h), with an account
// for each seeded person, and cpp-httplib's client to call it as a browser
// would (cookie + X-CSRF-Token). Test files of their own (one per concern)
// include it and derive from ApiTest.
#pragma once

#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "auth/accounts.h"
#include "auth/secrets.h"
#include "auth/totp.h"
#include "ledger/registers/registers.h"
#include "ledger/test_support.h"
#include "server/server.h"

namespace mamori::server::testing {

using ledger::testing::SeedOrganization;
using ledger::testing::TempLedger;

inline constexpr const char* kNewPassword = "Kaikei-2026-Zeimu!";
inline constexpr const char* kPrivilegedPassword = "Tokken-Kanri-2026-Pass!";

// A signed-in browser: its cookie and CSRF token.
struct Agent {
  std::string code;
  std::string cookie;
  std::string csrf;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = std::make_unique<TempLedger>(
        std::string("api_") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        ProfilePath());
    SeedOrganization(**ledger_);
    // The secret key file mamori init makes (TOTP secrets are sealed under it).
    ASSERT_TRUE(auth::CreateSecretKeyFile(auth::SecretKeyFile(**ledger_)).Ok());
    // 情報政策課 (joho), where the CSIRT sits, gets its manager as in the demo
    // organization: residents' reports go there (5.3(2)).
    ASSERT_TRUE(
        ledger::AssignRole(**ledger_, "system", "d1", "manager", "joho", "2020-04-01").Ok());
    auth_.cost = auth::HashCost::Fast();
    auto must = [](const auto& result) { ASSERT_TRUE(result.Ok()) << result.Err().ToString(); };
    using ledger::registers::Add;
    must(Add(**ledger_, "m1", "asset",
             {{"code", "tax-db"},
              {"name", "課税台帳データ"},
              {"kind", "data"},
              {"importance", "A"},
              {"owner_section", "zeimu"},
              {"manager", "m1"}}));
    must(Add(**ledger_, "m2", "asset",
             {{"code", "care-db"},
              {"name", "介護保険データ"},
              {"kind", "data"},
              {"importance", "B"},
              {"owner_section", "kaigo"},
              {"manager", "m2"}}));
    for (const char* person : {"s1", "s2", "m1", "m2", "o1", "c1", "d1", "x1", "k1", "a1", "v1"}) {
      auto password = auth::CreateAccount(**ledger_, "c1", person, auth_);
      ASSERT_TRUE(password.Ok()) << password.Err().ToString();
      temporary_[person] = *password;
    }
    ServeOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.api.auth = auth_;
    server_ = std::make_unique<Server>(**ledger_, options);
    auto port = server_->Bind();
    ASSERT_TRUE(port.Ok()) << port.Err().ToString();
    port_ = *port;
    thread_ = std::thread([this] { server_->Run(); });
  }

  // The profile the ledger is opened with; a test file may use its own.
  virtual std::string ProfilePath() const { return MAMORI_SOURCE_DIR "/policies/hannan.toml"; }

  void TearDown() override {
    server_->Stop();
    thread_.join();
  }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    return client;
  }

  static httplib::Headers HeadersOf(const Agent& agent) {
    httplib::Headers headers;
    if (!agent.cookie.empty()) headers.emplace("Cookie", agent.cookie);
    if (!agent.csrf.empty()) headers.emplace("X-CSRF-Token", agent.csrf);
    return headers;
  }

  // status, body as JSON (null when not JSON).
  std::pair<int, Json> Call(const Agent& agent, const std::string& method, const std::string& path,
                            const Json& body = nullptr) {
    auto client = Client();
    const std::string url = "/api/v1" + path;
    const auto headers = HeadersOf(agent);
    // A string body is a CSV file (register import); anything else JSON.
    const std::string text = body.is_null()     ? ""
                             : body.is_string() ? body.get<std::string>()
                                                : body.dump();
    const char* type = body.is_string() ? "text/csv" : "application/json";
    httplib::Result result = method == "GET"    ? client.Get(url, headers)
                             : method == "POST" ? client.Post(url, headers, text, type)
                                                : client.Patch(url, headers, text, type);
    if (!result) return {-1, nullptr};
    return {result->status, Json::parse(result->body, nullptr, false)};
  }

  std::pair<int, Json> SignInRaw(const std::string& login, const std::string& password,
                                 const std::string& totp, Agent* agent) {
    auto client = Client();
    Json body{{"login", login}, {"password", password}};
    if (!totp.empty()) body["totp"] = totp;
    auto result = client.Post("/api/v1/auth/sign-in", body.dump(), "application/json");
    if (!result) return {-1, nullptr};
    Json json = Json::parse(result->body, nullptr, false);
    if (result->status == 200 && agent != nullptr) {
      const std::string set_cookie = result->get_header_value("Set-Cookie");
      agent->code = login;
      agent->cookie = set_cookie.substr(0, set_cookie.find(';'));
      agent->csrf = json["session"]["csrf_token"];
    }
    return {result->status, json};
  }

  std::string TotpNow(const std::string& secret) {
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(ledger_->clock().Now().time_since_epoch())
            .count();
    return *auth::TotpCode(secret, seconds);
  }

  // Signs `code` in with the temporary password, changes it, and enrols
  // TOTP where it is required; returns the complete session.
  Agent SignedIn(const std::string& code) {
    Agent agent;
    auto [status, json] = SignInRaw(code, temporary_[code], "", &agent);
    EXPECT_EQ(status, 200) << json.dump();
    EXPECT_TRUE(json["session"]["must_change_password"].get<bool>());
    const bool privileged = json["session"]["privileged"].get<bool>();
    const std::string password = privileged ? kPrivilegedPassword : kNewPassword;
    auto changed = Call(agent, "POST", "/auth/password",
                        {{"current_password", temporary_[code]}, {"new_password", password}});
    EXPECT_EQ(changed.first, 204) << changed.second.dump();
    passwords_[code] = password;
    auto session = Call(agent, "GET", "/auth/session");
    if (session.second["session"]["must_enroll_totp"].get<bool>()) {
      auto setup = Call(agent, "POST", "/auth/totp/setup");
      EXPECT_EQ(setup.first, 200) << setup.second.dump();
      secrets_[code] = setup.second["secret"];
      auto enabled = Call(agent, "POST", "/auth/totp/enable", {{"code", TotpNow(secrets_[code])}});
      EXPECT_EQ(enabled.first, 204) << enabled.second.dump();
      ledger_->clock().Advance(std::chrono::seconds(30));  // the next code is a new step
    }
    return agent;
  }

  std::unique_ptr<TempLedger> ledger_;
  auth::Options auth_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::map<std::string, std::string> temporary_;
  std::map<std::string, std::string> passwords_;
  std::map<std::string, std::string> secrets_;
};

}  // namespace mamori::server::testing
