// The HTTP API end to end over loopback: a real Server on an ephemeral port
// of 127.0.0.1 and cpp-httplib's client. Covers sign-in as 5.4 and 6.2 ask
// (temporary password, history, lockout, TOTP, CSRF), input validation that
// names fields, the request workflow with separation of duties, the public
// incident form, registers, the audit log, and the authorization matrix:
// every endpoint × every role.
#include "server/api_test_support.h"

#include <set>

namespace mamori::server {
namespace {

using testing::Agent;
using testing::ApiTest;
using ::testing::HasSubstr;
using testing::kNewPassword;
using testing::kPrivilegedPassword;

TEST_F(ApiTest, HealthAndOpenApiNeedNoSignInAndListEveryRoute) {
  auto [status, health] = Call({}, "GET", "/health");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(health["status"], "ok");
  auto [doc_status, doc] = Call({}, "GET", "/openapi.json");
  ASSERT_EQ(doc_status, 200);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) operations += methods.size();
  EXPECT_EQ(operations, server_->GetApi().Routes().size());
  EXPECT_TRUE(doc["paths"].contains("/api/v1/requests/{id}/approve"));
}

// A load balancer takes a process out when its database is of another
// schema version than the program (another server migrated it).
TEST_F(ApiTest, HealthSaysWhenTheSchemaIsNotThisProgramsVersion) {
  auto [status, health] = Call({}, "GET", "/health");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(health["schema"], "current");
  EXPECT_EQ(health["engine"], (*ledger_)->Db().Engine());
  ASSERT_TRUE((*ledger_)
                  ->Db()
                  .Execute("DELETE FROM schema_migrations WHERE version = "
                           "(SELECT max(version) FROM schema_migrations)")
                  .Ok());
  auto [old_status, old_health] = Call({}, "GET", "/health");
  EXPECT_EQ(old_status, 503);
  EXPECT_EQ(old_health["status"], "degraded");
  EXPECT_EQ(old_health["schema"], "other_version");
}

TEST_F(ApiTest, UnknownEndpointsAndMethodsAreNamed) {
  EXPECT_EQ(Call({}, "GET", "/nothing-here").first, 404);
  EXPECT_EQ(Call({}, "PATCH", "/health").first, 405);
}

TEST_F(ApiTest, EverythingButPublicRoutesNeedsASession) {
  auto [status, json] = Call({}, "GET", "/dashboard");
  EXPECT_EQ(status, 401);
  EXPECT_EQ(json["error"]["code"], "unauthenticated");
  Agent forged{"s1", "mamori_session=forged-token", "x"};
  EXPECT_EQ(Call(forged, "GET", "/dashboard").first, 401);
}

TEST_F(ApiTest, TemporaryPasswordMustBeChangedBeforeAnythingElse) {
  Agent agent;
  auto [status, json] = SignInRaw("s1", temporary_["s1"], "", &agent);
  ASSERT_EQ(status, 200) << json.dump();
  EXPECT_TRUE(json["session"]["must_change_password"].get<bool>());
  auto blocked = Call(agent, "GET", "/dashboard");
  EXPECT_EQ(blocked.first, 403);
  EXPECT_EQ(blocked.second["error"]["code"], "password_change_required");
  // Too short: the field is named, in Japanese, and nothing changes.
  auto short_one = Call(agent, "POST", "/auth/password",
                        {{"current_password", temporary_["s1"]}, {"new_password", "short1!"}});
  EXPECT_EQ(short_one.first, 400);
  EXPECT_EQ(short_one.second["error"]["fields"][0]["field"], "new_password");
  EXPECT_EQ(Call(agent, "GET", "/dashboard").first, 403);
  auto changed = Call(agent, "POST", "/auth/password",
                      {{"current_password", temporary_["s1"]}, {"new_password", kNewPassword}});
  ASSERT_EQ(changed.first, 204) << changed.second.dump();
  EXPECT_EQ(Call(agent, "GET", "/dashboard").first, 200);
}

TEST_F(ApiTest, StateChangesNeedTheCsrfToken) {
  Agent agent = SignedIn("s1");
  Agent no_token = agent;
  no_token.csrf.clear();
  auto [status, json] = Call(no_token, "POST", "/incidents",
                             {{"summary", "USBメモリの紛失"}, {"description", "庁舎内で紛失"}});
  EXPECT_EQ(status, 403);
  EXPECT_EQ(json["error"]["code"], "csrf");
  Agent wrong = agent;
  wrong.csrf = std::string(agent.csrf.size(), 'a');
  EXPECT_EQ(Call(wrong, "POST", "/incidents", {{"summary", "x"}, {"description", "y"}}).first, 403);
  EXPECT_EQ(Call(agent, "POST", "/incidents",
                 {{"summary", "USBメモリの紛失"}, {"description", "庁舎内で紛失"}})
                .first,
            201);
}

TEST_F(ApiTest, PasswordHistoryRefusesReuse) {
  Agent agent = SignedIn("s1");
  std::string current = kNewPassword;
  // The temporary password and the current one are both in the history.
  for (const std::string& reused : {temporary_["s1"], current}) {
    auto [status, json] = Call(agent, "POST", "/auth/password",
                               {{"current_password", current}, {"new_password", reused}});
    EXPECT_EQ(status, 400) << json.dump();
    EXPECT_EQ(json["error"]["fields"][0]["field"], "new_password");
  }
  const std::string next = "Betsu-no-Pass-2027";
  auto [status, json] = Call(agent, "POST", "/auth/password",
                             {{"current_password", current}, {"new_password", next}});
  EXPECT_EQ(status, 204) << json.dump();
  // Changing the password ended the other sessions, not this one.
  EXPECT_EQ(Call(agent, "GET", "/dashboard").first, 200);
}

TEST_F(ApiTest, LockoutAfterTheProfilesNumberOfFailuresThenExpiry) {
  SignedIn("s1");
  const int threshold = (*ledger_)->Profile().passwords.lockout_threshold;
  ASSERT_GT(threshold, 0);
  for (int i = 1; i < threshold; ++i) {
    EXPECT_EQ(SignInRaw("s1", "wrong-password-1", "", nullptr).first, 401);
  }
  auto [status, json] = SignInRaw("s1", "wrong-password-1", "", nullptr);
  EXPECT_EQ(status, 423) << json.dump();
  EXPECT_EQ(json["error"]["code"], "locked");
  // The right password does not open a locked account.
  EXPECT_EQ(SignInRaw("s1", kNewPassword, "", nullptr).first, 423);
  ledger_->clock().Advance(
      std::chrono::minutes((*ledger_)->Profile().passwords.lockout_minutes + 1));
  EXPECT_EQ(SignInRaw("s1", kNewPassword, "", nullptr).first, 200);
}

TEST_F(ApiTest, TotpIsRequiredForPrivilegedRolesAndChecked) {
  Agent first = SignedIn("c1");
  ASSERT_FALSE(secrets_["c1"].empty()) << "c1 (chief_officer) must have enrolled TOTP";
  auto [required, json] = SignInRaw("c1", passwords_["c1"], "", nullptr);
  EXPECT_EQ(required, 401);
  EXPECT_EQ(json["error"]["code"], "totp_required");
  EXPECT_EQ(SignInRaw("c1", passwords_["c1"], "000000", nullptr).second["error"]["code"],
            "totp_invalid");
  Agent agent;
  EXPECT_EQ(SignInRaw("c1", passwords_["c1"], TotpNow(secrets_["c1"]), &agent).first, 200);
  EXPECT_EQ(Call(agent, "GET", "/accounts").first, 200);
  // The privileged session ends after privileged_session_minutes (6.2(3)).
  ledger_->clock().Advance(
      std::chrono::minutes((*ledger_)->Profile().passwords.privileged_session_minutes + 1));
  EXPECT_EQ(Call(agent, "GET", "/accounts").first, 401);
}

TEST_F(ApiTest, InputErrorsNameEveryFieldInJapanese) {
  Agent agent = SignedIn("s1");
  auto [status, json] =
      Call(agent, "POST", "/incidents", {{"summary", ""}, {"description", std::string(5000, 'x')}});
  ASSERT_EQ(status, 400) << json.dump();
  std::set<std::string> fields;
  for (const auto& field : json["error"]["fields"]) fields.insert(field["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"summary", "description"}));
  EXPECT_THAT(json["error"]["fields"][0]["message"].get<std::string>(), HasSubstr("件名"));
  // Not JSON, wrong types, control characters.
  auto client = Client();
  auto not_json = client.Post("/api/v1/incidents", HeadersOf(agent), "{", "application/json");
  EXPECT_EQ(not_json->status, 400);
  auto typed = Call(agent, "POST", "/incidents", {{"summary", 5}, {"description", "x\x01y"}});
  EXPECT_EQ(typed.first, 400);
  EXPECT_EQ(typed.second["error"]["fields"].size(), 2U);
  // Nothing was stored by the failed calls.
  EXPECT_EQ(Call(agent, "GET", "/incidents").second.size(), 0U);
}

TEST_F(ApiTest, RequestIsApprovedByTheManagerNeverByTheRequester) {
  Agent staff = SignedIn("s1");
  Agent manager = SignedIn("m1");
  auto live = Call(staff, "POST", "/decide", {{"action", "take_out"}, {"asset_code", "tax-db"}});
  ASSERT_EQ(live.first, 200) << live.second.dump();
  EXPECT_EQ(live.second["effect"], "approval_required");
  EXPECT_FALSE(live.second["clauses"].empty());
  // A registered asset keeps its register level whatever the form claims.
  // (Providing importance C outside is allowed; A needs the manager, 2.2(8)②.)
  auto claimed = Call(
      staff, "POST", "/decide",
      {{"action", "provide"},
       {"asset", {{"id", "tax-db"}, {"kind", "data"}, {"classification", {{"importance", "C"}}}}}});
  EXPECT_EQ(claimed.second["effect"], "approval_required") << claimed.second.dump();
  EXPECT_EQ(
      Call(staff, "POST", "/decide", {{"action", "take_out"}, {"asset_code", "care-db"}}).first,
      400);  // another section's asset
  auto [status, request] = Call(staff, "POST", "/requests",
                                {{"request", {{"action", "take_out"}, {"asset_code", "tax-db"}}},
                                 {"purpose", "税務調査のため"}});
  ASSERT_EQ(status, 201) << request.dump();
  const std::string id = std::to_string(request["id"].get<int>());
  EXPECT_EQ(request["status"], "pending");
  EXPECT_EQ(request["current_approvers"][0]["code"], "m1");
  // 兼務の禁止: the requester may not approve their own request.
  auto self = Call(staff, "POST", "/requests/" + id + "/approve", {{"comment", "ok"}});
  EXPECT_EQ(self.first, 403) << self.second.dump();
  // Another section's manager does not even see it.
  Agent other = SignedIn("m2");
  EXPECT_EQ(Call(other, "GET", "/requests/" + id).first, 404);
  auto inbox = Call(manager, "GET", "/inbox");
  ASSERT_EQ(inbox.second.size(), 1U);
  auto approved =
      Call(manager, "POST", "/requests/" + id + "/approve", {{"comment", "暗号化して"}});
  ASSERT_EQ(approved.first, 200) << approved.second.dump();
  EXPECT_EQ(approved.second["status"], "approved");

  // The audit log shows each step and verifies.
  Agent chief = SignedIn("c1");
  auto events = Call(chief, "GET", "/audit/events?limit=200");
  ASSERT_EQ(events.first, 200);
  std::set<std::string> types;
  for (const auto& event : events.second["events"]) types.insert(event["type"]);
  for (const char* type : {"auth.sign_in", "auth.password_change", "request.submit",
                           "request.approve", "auth.totp_enable"}) {
    EXPECT_TRUE(types.count(type)) << type;
  }
  auto verified = Call(chief, "POST", "/audit/verify");
  ASSERT_EQ(verified.first, 200) << verified.second.dump();
  EXPECT_TRUE(verified.second["ok"].get<bool>());
  EXPECT_EQ(Call(staff, "GET", "/audit/events").first, 403);
}

TEST_F(ApiTest, ResidentsReportWithoutSignInAndAreRateLimited) {
  Json report{{"kind", "resident"},
              {"name", "阪南 花子"},
              {"contact", "072-000-0000"},
              {"text", "市のサイトに他人の個人情報が表示されています"}};
  auto [status, json] = Call({}, "POST", "/public/incidents", report);
  ASSERT_EQ(status, 201) << json.dump();
  EXPECT_GT(json["receipt"].get<int>(), 0);
  auto bad = Call({}, "POST", "/public/incidents", {{"kind", "alien"}, {"text", ""}});
  EXPECT_EQ(bad.first, 400);
  EXPECT_EQ(bad.second["error"]["fields"].size(), 4U);  // kind, name, contact, text
  // The CSIRT sees it; the reporter's data is in the incident.
  Agent csirt = SignedIn("k1");
  auto list = Call(csirt, "GET", "/incidents");
  ASSERT_EQ(list.second.size(), 1U);
  EXPECT_EQ(list.second[0]["source"], "external");
  for (int i = 1; i < 20; ++i) Call({}, "POST", "/public/incidents", report);
  EXPECT_EQ(Call({}, "POST", "/public/incidents", report).first, 429);
}

TEST_F(ApiTest, RegistersShowAndChangeOnlyTheViewersSections) {
  Agent m1 = SignedIn("m1");
  Agent m2 = SignedIn("m2");
  auto list = Call(m1, "GET", "/registers/asset");
  ASSERT_EQ(list.first, 200);
  ASSERT_EQ(list.second["total"], 1);
  EXPECT_EQ(list.second["records"][0]["code"], "tax-db");
  EXPECT_EQ(Call(m1, "GET", "/registers/asset/care-db").first, 404);
  EXPECT_EQ(Call(m2, "PATCH", "/registers/asset/tax-db", {{"values", {{"name", "x"}}}}).first, 404);
  auto edited = Call(m1, "PATCH", "/registers/asset/tax-db", {{"values", {{"name", "課税台帳"}}}});
  ASSERT_EQ(edited.first, 200) << edited.second.dump();
  // Adding into another section is refused.
  auto foreign = Call(m1, "POST", "/registers/asset",
                      {{"values",
                        {{"code", "x-1"},
                         {"name", "x"},
                         {"kind", "data"},
                         {"importance", "C"},
                         {"owner_section", "kaigo"},
                         {"manager", "m2"}}}});
  EXPECT_EQ(foreign.first, 403);
  // Bad values: every field named, nothing stored.
  auto bad =
      Call(m1, "POST", "/registers/asset",
           {{"values", {{"code", "x-2"}, {"kind", "spaceship"}, {"owner_section", "zeimu"}}}});
  EXPECT_EQ(bad.first, 400);
  EXPECT_GE(bad.second["error"]["fields"].size(), 2U);
  EXPECT_EQ(Call(m1, "GET", "/registers/asset").second["total"], 1);
  // Export holds only the viewer's records; a CSV import with a bad row
  // imports nothing and names the row.
  auto client = Client();
  auto csv = client.Get("/api/v1/registers/asset/export?format=csv", HeadersOf(m1));
  ASSERT_EQ(csv->status, 200);
  EXPECT_THAT(csv->body, HasSubstr("tax-db"));
  EXPECT_EQ(csv->body.find("care-db"), std::string::npos);
  const std::string header = csv->body.substr(0, csv->body.find('\n') + 1);
  auto imported = client.Post("/api/v1/registers/asset/import", HeadersOf(m1),
                              header + "new-1,新規データ\n", "text/csv");
  EXPECT_EQ(imported->status, 400) << imported->body;
  EXPECT_EQ(Call(m1, "GET", "/registers/asset").second["total"], 1);
}

// Every endpoint × every role: allowed or forbidden. "Forbidden" means 401,
// 403 or a 404 that hides what the viewer may not see; "allowed" means
// anything else (a 400 for a repeated state change is still allowed).
TEST_F(ApiTest, AuthorizationMatrix) {
  Agent s1 = SignedIn("s1");
  // A request of s1 (pending for m1) and an incident in 税務課.
  auto request = Call(
      s1, "POST", "/requests",
      {{"request", {{"action", "take_out"}, {"asset_code", "tax-db"}}}, {"purpose", "matrix"}});
  ASSERT_EQ(request.first, 201) << request.second.dump();
  const std::string rid = std::to_string(request.second["id"].get<int>());
  auto incident = Call(s1, "POST", "/incidents", {{"summary", "紛失"}, {"description", "USB"}});
  ASSERT_EQ(incident.first, 201) << incident.second.dump();
  const std::string iid = std::to_string(incident.second["id"].get<int>());

  const std::vector<std::string> people = {"s1", "v1", "a1", "k1", "m2",
                                           "o1", "x1", "d1", "c1", "m1"};
  std::map<std::string, Agent> agents{{"s1", s1}};
  for (const auto& person : people) {
    if (!agents.count(person)) agents[person] = SignedIn(person);
  }
  const std::set<std::string> everyone(people.begin(), people.end());
  const std::set<std::string> admins = {"c1", "d1", "x1"};
  const std::set<std::string> accounts = {"c1", "d1"};
  // The CISO reads the account list, changes none (docs/api.md).
  const std::set<std::string> account_readers = {"c1", "d1", "x1"};
  const std::set<std::string> audit = {"c1", "d1", "x1", "a1"};
  // 税務課 (somu): its manager m1, the officer o1 of somu, and the admins.
  const std::set<std::string> zeimu_managers = {"m1", "o1", "c1", "d1", "x1"};
  const std::set<std::string> request_viewers = {"s1", "m1", "o1", "c1", "d1", "x1"};
  const std::set<std::string> incident_viewers = {"s1", "m1", "o1", "c1", "d1", "x1", "k1"};
  // Who handles an incident is src/ledger/incident's rule (5.3, docs/incidents.md).
  const std::set<std::string> triage = {"m1", "o1", "k1", "c1", "d1", "x1"};
  const std::set<std::string> cause = {"m1", "k1", "c1", "d1"};
  const std::set<std::string> close = {"k1", "c1", "d1", "x1"};
  const std::set<std::string> not_auditors = {"s1", "v1", "k1", "m2", "o1", "x1", "d1", "c1", "m1"};

  struct Case {
    std::string method;
    std::string path;
    Json body;
    std::set<std::string> allowed;
  };
  const Json asset_values{{"values",
                           {{"code", "new-asset"},
                            {"name", "新"},
                            {"kind", "data"},
                            {"importance", "C"},
                            {"owner_section", "zeimu"},
                            {"manager", "m1"}}}};
  const std::vector<Case> cases = {
      {"GET", "/auth/session", nullptr, everyone},
      {"POST", "/auth/password", {{"current_password", "wrong"}, {"new_password", "x"}}, everyone},
      {"POST", "/auth/totp/setup", nullptr, everyone},
      {"POST", "/auth/totp/enable", {{"code", "000000"}}, everyone},
      {"GET", "/accounts", nullptr, account_readers},
      {"POST", "/accounts", {{"person", "s2"}}, accounts},
      {"POST", "/accounts/s2/reset", nullptr, accounts},
      {"POST", "/accounts/s2/unlock", nullptr, accounts},
      {"GET", "/profile", nullptr, everyone},
      {"GET", "/org/departments", nullptr, everyone},
      {"GET", "/org/sections", nullptr, everyone},
      {"GET", "/org/people", nullptr, everyone},
      {"GET", "/org/roles", nullptr, everyone},
      {"POST", "/decide", {{"action", "take_out"}}, everyone},
      {"GET", "/dashboard", nullptr, everyone},
      {"GET", "/registers", nullptr, everyone},
      {"GET", "/registers/asset", nullptr, everyone},
      {"GET", "/registers/asset/export?format=csv", nullptr, everyone},
      {"GET", "/registers/asset/tax-db", nullptr, {"s1", "m1", "o1", "c1", "d1", "x1"}},
      {"POST", "/registers/asset", asset_values, zeimu_managers},
      {"PATCH", "/registers/asset/tax-db", {{"values", {{"name", "課税台帳"}}}}, zeimu_managers},
      {"POST", "/registers/asset/new-asset/retire", {{"reason", "廃止"}}, zeimu_managers},
      {"POST", "/registers/asset/import",
       "code,name,kind,importance,owner_section,manager\nimported-1,取込,data,C,zeimu,m1\n",
       zeimu_managers},
      {"GET", "/requests", nullptr, everyone},
      {"POST", "/requests", {{"request", {{"action", "take_out"}}}}, not_auditors},
      {"GET", "/requests/" + rid, nullptr, request_viewers},
      // An empty comment: m1 is allowed but must give a reason (400).
      {"POST", "/requests/" + rid + "/reject", {{"comment", ""}}, {"m1"}},
      {"POST", "/requests/" + rid + "/approve", {{"comment", "ok"}}, {"m1"}},
      {"POST", "/requests/" + rid + "/withdraw", {{"comment", "x"}}, {"s1"}},
      {"POST",
       "/requests/" + rid + "/obligations/record",
       {{"values", Json::object()}},
       request_viewers},
      {"GET", "/inbox", nullptr, everyone},
      {"GET", "/exceptions", nullptr, everyone},
      {"POST", "/exceptions/" + rid + "/report", {{"text", "x"}}, {"s1"}},
      {"POST", "/exceptions/" + rid + "/review", {{"comment", "x"}}, {"x1", "c1", "d1"}},
      {"GET", "/incidents", nullptr, everyone},
      {"POST", "/incidents", {{"summary", "x"}, {"description", "y"}}, everyone},
      {"GET", "/incidents/" + iid, nullptr, incident_viewers},
      {"POST", "/incidents/" + iid + "/triage", {{"severity", "low"}}, triage},
      {"POST", "/incidents/" + iid + "/timeline", {{"text", "経過"}}, incident_viewers},
      {"POST", "/incidents/" + iid + "/cause", {{"text", "原因"}}, cause},
      {"POST", "/incidents/" + iid + "/measure", {{"text", "対策"}}, cause},
      // Escalation is the current step's: the section's manager first.
      {"POST", "/incidents/" + iid + "/escalate", Json::object(), {"m1"}},
      {"POST",
       "/incidents/" + iid + "/disclose",
       {{"decision", "withhold"}, {"reason", "個人が特定される"}},
       {"k1", "x1"}},
      {"POST", "/incidents/" + iid + "/close", nullptr, close},
      {"GET", "/audit/events", nullptr, audit},
      {"POST", "/audit/verify", nullptr, audit},
      {"GET", "/training/sessions", nullptr, everyone},
      {"GET", "/training/overdue", nullptr, everyone},
  };
  // Every route is in the matrix (public ones and sign-in/out are tested
  // above: health, openapi, sign-in, sign-out, the public form).
  std::set<std::string> covered;
  for (const auto& c : cases) covered.insert(c.method + " " + c.path);
  for (const auto& route : server_->GetApi().Routes()) {
    if (route.access == Access::kPublic || route.path == "/auth/sign-out") continue;
    bool found = false;
    for (const auto& c : cases) {
      std::smatch match;
      const std::string path = c.path.substr(0, c.path.find('?'));
      if (c.method == route.method && std::regex_match(path, match, route.pattern)) found = true;
    }
    EXPECT_TRUE(found) << "no matrix case for " << route.method << " " << route.path;
  }

  for (const auto& c : cases) {
    // The forbidden attempts first, while the state is as the case expects;
    // then the allowed ones (of which the first may change the state).
    std::vector<std::string> order;
    for (const auto& person : people) {
      if (!c.allowed.count(person)) order.push_back(person);
    }
    for (const auto& person : people) {
      if (c.allowed.count(person)) order.push_back(person);
    }
    for (const auto& person : order) {
      // Some routes are allowed but refuse a repeat (400/409): still allowed.
      auto [status, json] = Call(agents[person], c.method, c.path, c.body);
      const bool forbidden = status == 401 || status == 403 || status == 404;
      if (c.allowed.count(person)) {
        EXPECT_FALSE(forbidden) << person << " " << c.method << " " << c.path << " → " << status
                                << " " << json.dump();
      } else {
        EXPECT_TRUE(forbidden) << person << " " << c.method << " " << c.path << " → " << status
                               << " " << json.dump();
      }
      EXPECT_NE(status, 500) << person << " " << c.method << " " << c.path << " " << json.dump();
    }
  }
  // Without a session every one of them is 401.
  for (const auto& c : cases) {
    EXPECT_EQ(Call({}, c.method, c.path, c.body).first, 401) << c.method << " " << c.path;
  }
}

}  // namespace
}  // namespace mamori::server
