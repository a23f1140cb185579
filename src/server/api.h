// The HTTP API's route table and the pieces every handler shares: who is
// calling (Viewer), the parsed JSON body with field checks that name the
// field in Japanese (6.3(5)), and replies. docs/api.md describes the
// endpoints; the OpenAPI document (openapi.cc) is generated from this table,
// so the two cannot drift apart.
//
// Handlers are plain functions over a ledger connection of their own; there
// is no API-wide lock. Reads (GET routes, the session check of every call)
// run on read-only connections side by side (SQLite WAL). Writes run on a
// small pool of read-write connections, each change one BEGIN IMMEDIATE
// transaction: SQLite itself serializes them (busy timeout). A session's
// last_seen_utc is written only when due (once a minute), on a write
// connection that is free at that moment. Sign-in verifies the password
// holding no connection at all (auth::SignIn with a WithWriter), and is
// throttled by client address (RateLimiter, the profile's [auth]).
//
// Thread safety: Api::Handle may be called from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/accounts.h"
#include "common/result.h"
#include "server/rate_limit.h"
#include "ledger/ledger.h"
#include "ledger/org.h"
#include "policy/vocabulary.h"

namespace mamori::server {

using Json = nlohmann::json;

// The signed-in person and what their roles let them see (docs/api.md
// "Who sees what").
struct Viewer {
  ledger::Person person;
  std::vector<ledger::RoleAssignment> roles;
  auth::Session session;

  bool Holds(policy::Role role) const;
  // chief_officer, deputy_chief_officer or ciso: everything.
  bool SeesAll() const;
  bool IsAuditor() const;
  bool IsContractor() const;
  // May read records of `section_code` in `department_code`.
  bool CanRead(const std::string& section_code, const std::string& department_code) const;
  // May change records of that section (managers, liaisons, officers, the
  // chief officer; never auditors, 兼務の禁止).
  bool CanWrite(const std::string& section_code, const std::string& department_code) const;
  // Manager, liaison, officer or above: may read registers that belong to
  // no section (vendors).
  bool IsManagerOrAbove() const;
  bool IsCsirt() const;
};

struct Reply {
  int status = 200;
  Json json;  // sent when body is empty
  // When set, makes `json` after the handler's connection went back to its
  // pool: for large answers built from values the handler already read (a
  // register page).
  std::function<Json()> deferred;
  std::string body;          // raw body (files)
  std::string content_type;  // for body
  std::vector<std::pair<std::string, std::string>> headers;
};

// What a route needs before its handler runs.
enum class Access {
  kPublic,     // no session (health, OpenAPI, the residents' form, sign-in)
  kSession,    // a session, even one that must change its password first
  kTotpSetup,  // a session that may still have to enrol TOTP
  kSignedIn,   // a complete session
};

struct Call {
  std::string method;
  std::string path;
  std::vector<std::string> params;  // the route's regex groups
  std::multimap<std::string, std::string> query;
  std::string body;
  std::string content_type;
  std::string remote_addr;
  std::string user_agent;
  std::string session_token;     // from the cookie (ApiOptions::cookie_name)
  // The path prefix the request came under ("/t/<id>" when a tenant is
  // reached by path, else ""): the session cookie's Path is base_path + "/".
  std::string base_path;
  std::string csrf_header;       // X-CSRF-Token
  Json json;                     // the parsed body when it is JSON
  std::optional<Viewer> viewer;  // set for Access other than kPublic
  ledger::Ledger* ledger = nullptr;

  std::string Query(const std::string& key, const std::string& fallback = {}) const;
  const Viewer& Who() const { return *viewer; }
};

using Handler = std::function<Result<Reply>(Call&)>;

struct Route {
  std::string method;  // GET POST PATCH
  std::string path;    // OpenAPI form: /requests/{id}
  std::string summary_ja;
  std::string who;  // who may call it (for the OpenAPI document)
  Access access = Access::kSignedIn;
  bool raw_body = false;  // the body is a file, not JSON
  // The largest body the transport reads for this route (server.cc refuses
  // more with 413 while reading). 0: by kind, see Api::BodyLimit.
  std::size_t max_body_bytes = 0;
  bool writes = false;    // a GET that writes (e.g. records privileged use)
  // The handler gets a read-only connection and takes a write connection
  // itself, only for its transaction (Api::Writer): sign-in, whose password
  // hash must hold none.
  bool writes_itself = false;
  Handler handler;
  std::regex pattern{};  // built from path
};

struct ApiOptions {
  auth::Options auth;
  bool secure_cookies = false;  // add Secure to the session cookie (behind TLS)
  // The session cookie's name: "mamori_session", or "mamori_session_<id>"
  // for a tenant of an installation (server.h TenantRouter), so that a
  // session of one tenant is never read by another.
  std::string cookie_name = "mamori_session";
  std::size_t max_json_bytes = 256 * 1024;
  int public_reports_per_hour = 20;  // per remote address (RateLimiter)
  // Read-only connections, four opened at the start and more as needed up
  // to this many: GET routes and
  // the session check of every call run on them side by side and never wait
  // behind a write (SQLite's WAL). 0: reads use the write connections.
  int readers = 8;
  // Read-write connections, the given ledger first, opened as needed up to
  // this many (at least 1). SQLite serializes their transactions; a handler
  // that waits on something else than the database (a password hash) does
  // not hold up the others' writes.
  int writers = 4;
  // Client addresses tracked by the rate limiters (the least recently seen
  // are forgotten past this).
  std::size_t max_tracked_addresses = 10000;
};

class LedgerPool;

class Api {
 public:
  Api(ledger::Ledger& ledger, ApiOptions options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  struct Response {
    int status = 200;
    std::string body;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string person;  // for the access log
  };
  // Routes one request (path relative to /api/v1, e.g. "/requests/3").
  Response Handle(Call call);
  const std::vector<Route>& Routes() const { return routes_; }
  const ApiOptions& Options() const { return options_; }
  // The largest request body `method` `path` (relative to /api/v1) may
  // carry, known from the request line alone so that the transport can stop
  // reading at it: the route's max_body_bytes, else kMaxFileBytes for a file
  // upload and ApiOptions::max_json_bytes for JSON. An unknown route gets
  // max_json_bytes (it answers 404 or 405 anyway).
  std::size_t BodyLimit(std::string_view method, std::string_view path) const;
  static constexpr std::size_t kMaxFileBytes = std::size_t{8} << 20;
  ledger::Ledger& Ledger() { return ledger_; }

  // Rate limit of the public form (per remote address): counts the report
  // when allowed.
  bool AllowPublicReport(const std::string& remote_addr);
  // Signs in through the address throttle (the profile's [auth], 6.2(1)②):
  // a 429 reply with Retry-After while call.remote_addr is refused; after
  // address_failures_before_delay failures the attempt is answered only
  // after address_delay_seconds. A failure that starts a refusal records
  // "auth.address_throttled" (the address, the counts; never a login or
  // password). `call.ledger` is a read connection.
  Result<std::variant<Reply, auth::SignInResult>> SignIn(Call& call,
                                                         const auth::SignInInput& input);
  // Runs a change on a write connection of the pool (waiting for a free one).
  auth::WithWriter Writer();

 private:
  void Add(Route route);
  void AddAuthRoutes();
  void AddOrgRoutes();
  void AddRegisterRoutes();
  void AddRequestRoutes();
  void AddIncidentRoutes();
  void AddAuditRoutes();
  void AddOpenApiRoute();  // openapi.cc
  // Checks the session, CSRF, forced changes and the body, and fills
  // call.viewer and call.json; a reply when the call stops there.
  Result<std::optional<Reply>> Admit(const Route& route, Call& call);
  // Runs the route on connections of the pools.
  Result<Reply> Run(const Route& route, Call& call);
  // Writes last_seen_utc of a session whose touch is due, on a write
  // connection free right now (else at a later request).
  void Touch(std::int64_t session_id);

  ledger::Ledger& ledger_;
  ApiOptions options_;
  std::vector<Route> routes_;
  std::unique_ptr<LedgerPool> readers_;  // empty when the file cannot be opened twice
  std::unique_ptr<LedgerPool> writers_;  // ledger_ and more
  RateLimiter public_reports_;
  RateLimiter sign_in_failures_;
};

// The OpenAPI 3.1 document of `routes` (served at /api/v1/openapi.json);
// the session is the cookie `cookie_name` (ApiOptions::cookie_name).
Json OpenApiDocument(const std::vector<Route>& routes,
                     std::string_view cookie_name = "mamori_session");

// ---------------------------------------------------------------------------
// Replies and errors.

Reply JsonReply(Json json, int status = 200);
Reply NoContent();
// {"error": {"code", "message", "message_en", "fields"}}.
Reply ErrorReply(int status, std::string_view code, std::string_view message_ja,
                 std::string_view message_en);
Reply Forbidden(std::string_view message_ja = "この操作の権限がありません",
                std::string_view message_en = "not permitted");
// An Error as a reply: invalid_argument 400 with every diagnostic as a field,
// not_found 404, limit_exceeded 413, otherwise 500.
Reply FromError(const Error& error);

// ---------------------------------------------------------------------------
// Checked access to a JSON body. Each getter records a diagnostic naming the
// field (Japanese label and id) when the value is missing, of the wrong type,
// too long, out of range or holds control characters; Finish() returns them
// all as one kInvalidArgument error.
class Fields {
 public:
  explicit Fields(const Json& body);
  std::string Text(const std::string& key, std::string_view label_ja, std::size_t max_chars,
                   bool required, bool multiline = false);
  std::optional<std::int64_t> Integer(const std::string& key, std::string_view label_ja,
                                      std::int64_t min, std::int64_t max, bool required);
  std::optional<bool> Bool(const std::string& key, std::string_view label_ja);
  std::vector<std::string> TextList(const std::string& key, std::string_view label_ja,
                                    std::size_t max_items, std::size_t max_chars);
  // One of `choices` (the ids).
  std::string Choice(const std::string& key, std::string_view label_ja,
                     const std::vector<std::string>& choices, bool required);
  // An object of text values (register values).
  std::map<std::string, std::string> TextMap(const std::string& key, std::string_view label_ja,
                                             std::size_t max_chars);
  void Fail(const std::string& key, std::string message_ja, std::string message_en);
  Status Finish();

 private:
  Json body_;  // a copy: callers pass temporaries (query parameters)
  std::vector<Diagnostic> diagnostics_;
};

// The query parameter `key` as an integer 0..max (`fallback` when absent);
// errors name the parameter.
Result<std::int64_t> QueryNumber(const Call& call, const std::string& key, std::int64_t fallback,
                                 std::int64_t max);
// A path parameter as a positive id; errors name `label_ja`.
Result<std::int64_t> IdParam(const std::string& text, std::string_view label_ja);

}  // namespace mamori::server
