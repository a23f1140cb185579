#include "server/tenant_router.h"

#include <algorithm>

#include <regex>

#include "auth/password.h"
#include "auth/secrets.h"
#include "storage/open.h"

namespace mamori::server {

struct InstallationRouter::Service {
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<Api> api;  // over *ledger
};

std::string InstallationRouter::CookieName(std::string_view id) {
  return "mamori_session_" + std::string(id);
}

InstallationRouter::InstallationRouter(std::unique_ptr<tenancy::Registry> registry,
                                       std::unique_ptr<tenancy::Registry> operators,
                                       const Clock& clock, ApiOptions api_options)
    : registry_(std::move(registry)),
      operators_(std::move(operators)),
      clock_(clock),
      api_options_(std::move(api_options)) {}

InstallationRouter::~InstallationRouter() = default;

Result<std::unique_ptr<InstallationRouter>> InstallationRouter::Create(const std::string& directory,
                                                                       const Clock& clock,
                                                                       ApiOptions api_options) {
  if (const char* shared = std::getenv("MAMORI_SECRET_KEY_FILE");
      shared != nullptr && *shared != '\0') {
    return Error(ErrorCode::kInvalidArgument,
                 "MAMORI_SECRET_KEY_FILE が設定されています。テナントはそれぞれ自分の暗号鍵を"
                 "使うため、--installation ではこの環境変数を外してください",
                 "MAMORI_SECRET_KEY_FILE is set: each tenant uses a secret key of its own, so "
                 "unset it with --installation",
                 Where{"", 0, "MAMORI_SECRET_KEY_FILE"});
  }
  MAMORI_TRY(auto registry,
             tenancy::Registry::Open(directory, clock, tenancy::Registry::Mode::kExisting));
  MAMORI_TRY(auto operators,
             tenancy::Registry::Open(directory, clock, tenancy::Registry::Mode::kExisting));
  return std::unique_ptr<InstallationRouter>(new InstallationRouter(
      std::move(registry), std::move(operators), clock, std::move(api_options)));
}

Status InstallationRouter::Refresh() {
  MAMORI_TRY(auto version, registry_->DataVersion());
  if (version == version_ && !version_.empty()) return OkStatus();
  MAMORI_TRY(tenants_, registry_->List());
  version_ = std::move(version);
  return OkStatus();
}

Result<InstallationRouter::Service*> InstallationRouter::Open(const tenancy::Tenant& tenant) {
  if (auto found = open_.find(tenant.id); found != open_.end()) return found->second.get();
  auto opened = [&]() -> Result<std::unique_ptr<Service>> {
    auto service = std::make_unique<Service>();
    MAMORI_TRY(service->ledger, ledger::Ledger::Open(registry_->PathsOf(tenant), clock_, {}));
    // The start-up checks of `mamori serve` (serve_commands.cc), per tenant.
    MAMORI_TRY(const int sealed, auth::PrepareSecrets(*service->ledger, "system"));
    (void)sealed;
    MAMORI_TRY_STATUS(auth::CheckPasswordDictionary(service->ledger->Profile().passwords));
    ApiOptions options = api_options_;
    options.cookie_name = CookieName(tenant.id);
    service->api = std::make_unique<Api>(*service->ledger, options);
    return service;
  }();
  if (!opened.Ok()) {
    Error error = opened.Err();
    error.Context("テナント " + tenant.id + "（" + tenant.name + "）を開けません",
                  "cannot open tenant " + tenant.id);
    if (error.Code() == ErrorCode::kNotFound) {
      // A missing ledger is the installation's fault, not an unknown tenant: 503.
      return Error(ErrorCode::kIo, error.Diagnostics());
    }
    return error;
  }
  Service* service = opened->get();
  open_.emplace(tenant.id, std::move(opened).Value());
  return service;
}

Result<TenantRouter::Target> InstallationRouter::Resolve(std::string_view host,
                                                         std::string_view path) {
  std::lock_guard lock(mutex_);
  MAMORI_TRY_STATUS(Refresh());
  const auto by_host = std::find_if(tenants_.begin(), tenants_.end(), [&](const auto& tenant) {
    return std::find(tenant.hosts.begin(), tenant.hosts.end(), host) != tenant.hosts.end();
  });
  std::string id;
  std::string prefix;
  if (path.starts_with("/t/")) {
    const std::size_t end = std::min(path.find('/', 3), path.size());
    id = std::string(path.substr(3, end - 3));
    prefix = "/t/" + id;
    if (by_host != tenants_.end() && by_host->id != id) {
      return Error(ErrorCode::kNotFound,
                   "このホスト名はテナント " + by_host->id +
                       " 専用です。他のテナントはそのテナントの URL で開いてください",
                   "this host name serves tenant " + by_host->id + " only");
    }
  } else if (by_host != tenants_.end()) {
    id = by_host->id;
  } else {
    return Error(ErrorCode::kNotFound,
                 "テナントが指定されていません。/t/<テナントID>/ の URL か、テナントのホスト名で"
                 "開いてください",
                 "no tenant: use /t/<tenant id>/ or a tenant's host name");
  }
  const auto tenant =
      std::find_if(tenants_.begin(), tenants_.end(), [&](const auto& t) { return t.id == id; });
  if (tenant == tenants_.end()) {
    return Error(ErrorCode::kNotFound, "テナント \"" + id + "\" はありません",
                 "no tenant \"" + id + "\"");
  }
  if (tenant->status != tenancy::TenantStatus::kActive) {
    return Error(ErrorCode::kNotFound,
                 "テナント \"" + id + "\"（" + tenant->name + "）は停止されています（" +
                     tenant->disabled_utc + "）",
                 "tenant \"" + id + "\" is disabled (" + tenant->disabled_utc + ")");
  }
  MAMORI_TRY(Service * service, Open(*tenant));
  return Target{service->api.get(), std::move(prefix)};
}

Result<std::vector<std::string>> InstallationRouter::OpenAll() {
  std::lock_guard lock(mutex_);
  MAMORI_TRY_STATUS(Refresh());
  std::vector<std::string> ids;
  for (const auto& tenant : tenants_) {
    if (tenant.status != tenancy::TenantStatus::kActive) continue;
    MAMORI_TRY(Service * service, Open(tenant));
    (void)service;
    ids.push_back(tenant.id);
  }
  return ids;
}

std::optional<Api::Response> InstallationRouter::HandleInstallation(Call& call) {
  // Not mutex_: a password being checked must not hold up the tenants.
  std::lock_guard lock(operator_mutex_);
  auto reply = Installation(call);
  Reply out = reply.Ok() ? std::move(reply).Value() : FromError(reply.Err());
  if (!reply.Ok() && reply.Err().Code() == ErrorCode::kConflict) {
    out = ErrorReply(409, "conflict", reply.Err().Headline().message_ja,
                     reply.Err().Headline().message_en);
  }
  Api::Response response;
  response.status = out.status;
  response.headers = std::move(out.headers);
  if (out.status != 204) {
    response.content_type = "application/json; charset=utf-8";
    response.body = out.json.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  return response;
}

Result<Reply> InstallationRouter::Installation(Call& call) {
  const std::string cookie_tail = "; Path=/api/v1/installation/; HttpOnly; SameSite=Strict";
  const std::string secure = api_options_.secure_cookies ? "; Secure" : "";
  if (call.method == "POST" && call.path == "/installation/sign-in") {
    Fields fields(call.json.is_object() ? call.json : Json::object());
    const std::string login = fields.Text("login", "ログイン ID", 64, true);
    const std::string password = fields.Text("password", "パスワード", 1024, true);
    MAMORI_TRY_STATUS(fields.Finish());
    const TimePoint now = clock_.Now();
    const std::string by_address = "address:" + call.remote_addr;
    const std::string by_login = "login:" + login;
    for (const auto& key : {by_address, by_login}) {
      const auto answer = operator_failures_.Check(key, now);
      if (answer.verdict != RateLimiter::Verdict::kAllow) {
        if (answer.verdict == RateLimiter::Verdict::kDelay) operator_failures_.EndDelay(key);
        Reply refused = ErrorReply(429, "too_many_requests",
                                   "サインインの失敗が続いたため一時的に受け付けません",
                                   "too many failed sign-ins; try again later");
        refused.headers.emplace_back("Retry-After", std::to_string(answer.retry_after.count()));
        return refused;
      }
    }
    MAMORI_TRY(const auto token,
               operators_->SignInOperator(login, password, api_options_.auth.session_hours));
    if (!token) {
      operator_failures_.Count(by_address, now);
      operator_failures_.Count(by_login, now);
      return ErrorReply(401, "unauthenticated", "ログインID又はパスワードが違います",
                        "wrong login or password");
    }
    Reply reply =
        JsonReply({{"login", login}, {"csrf_token", tenancy::Registry::OperatorCsrf(*token)}});
    reply.headers.emplace_back("Set-Cookie",
                               InstallationCookie() + "=" + *token + cookie_tail + "; Max-Age=" +
                                   std::to_string(api_options_.auth.session_hours * 3600) + secure);
    return reply;
  }
  MAMORI_TRY(const auto login, operators_->OperatorOfSession(call.session_token));
  if (!login) {
    return ErrorReply(401, "unauthenticated", "運用者としてサインインしてください",
                      "sign in as an operator of the installation");
  }
  if (call.method != "GET" &&
      call.csrf_header != tenancy::Registry::OperatorCsrf(call.session_token)) {
    return ErrorReply(403, "csrf", "CSRF トークンが正しくありません", "bad CSRF token");
  }
  const std::string actor = "operator:" + *login;
  if (call.method == "POST" && call.path == "/installation/sign-out") {
    MAMORI_TRY_STATUS(operators_->SignOutOperator(call.session_token));
    Reply reply = NoContent();
    reply.headers.emplace_back("Set-Cookie",
                               InstallationCookie() + "=" + cookie_tail + "; Max-Age=0" + secure);
    return reply;
  }
  const auto tenant_json = [this](const tenancy::Tenant& t) {
    return Json{{"id", t.id},
                {"name", t.name},
                {"location", storage::RedactUrl(operators_->LedgerLocation(t))},
                {"profile", t.profile},
                {"hosts", t.hosts},
                {"status", tenancy::StatusId(t.status)},
                {"created_utc", t.created_utc},
                {"disabled_utc", t.disabled_utc}};
  };
  if (call.path == "/installation/tenants") {
    if (call.method == "GET") {
      MAMORI_TRY(const auto tenants, operators_->List());
      Json items = Json::array();
      for (const auto& t : tenants) items.push_back(tenant_json(t));
      return JsonReply({{"tenants", items}});
    }
    if (call.method == "POST") {
      Fields fields(call.json.is_object() ? call.json : Json::object());
      tenancy::NewTenant input;
      input.id = fields.Text("id", "テナント ID", 32, true);
      input.name = fields.Text("name", "名称", 200, true);
      input.profile = fields.Text("profile", "ポリシープロファイル", 1024, true);
      input.postgres = fields.Text("postgres", "PostgreSQL の URL", 2048, false);
      input.hosts = fields.TextList("hosts", "ホスト名", 20, 253);
      MAMORI_TRY_STATUS(fields.Finish());
      MAMORI_TRY(const auto added, tenancy::AddTenant(*operators_, actor, input, clock_));
      return JsonReply({{"tenant", tenant_json(added)}}, 201);
    }
  }
  static const std::regex kDisable("^/installation/tenants/([a-z0-9_]{1,32})/disable$");
  std::smatch match;
  if (call.method == "POST" && std::regex_match(call.path, match, kDisable)) {
    MAMORI_TRY_STATUS(operators_->Disable(actor, match[1].str()));
    MAMORI_TRY_STATUS(operators_->Checkpoint());
    MAMORI_TRY(const auto found, operators_->Find(match[1].str()));
    if (!found) return Error(ErrorCode::kInternal, "テナントが消えました", "tenant vanished");
    return JsonReply({{"tenant", tenant_json(*found)}});
  }
  return ErrorReply(404, "not_found", "そのAPIはありません", "no such endpoint");
}

Api* InstallationRouter::ApiOf(std::string_view id) {
  std::lock_guard lock(mutex_);
  const auto found = open_.find(id);
  return found == open_.end() ? nullptr : found->second->api.get();
}

Status InstallationRouter::Checkpoint() {
  std::lock_guard lock(mutex_);
  Status result = OkStatus();
  for (auto& [id, service] : open_) {
    Status signed_now = service->ledger->Checkpoint();
    if (!signed_now.Ok() && result.Ok()) result = std::move(signed_now);
  }
  return result;
}

}  // namespace mamori::server
