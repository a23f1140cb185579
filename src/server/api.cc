#include "server/api.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string_view>
#include <condition_variable>
#include <thread>
#include <utility>

#include "common/charset.h"
#include "ledger/org.h"

namespace mamori::server {

using policy::Role;

// ---------------------------------------------------------------------------
// Viewer

bool Viewer::Holds(Role role) const {
  return std::any_of(roles.begin(), roles.end(),
                     [role](const ledger::RoleAssignment& r) { return r.role == role; });
}

bool Viewer::SeesAll() const {
  return Holds(Role::kChiefOfficer) || Holds(Role::kDeputyChiefOfficer) || Holds(Role::kCiso);
}

bool Viewer::IsAuditor() const { return Holds(Role::kAuditor); }
bool Viewer::IsContractor() const { return person.employment == "contractor"; }
bool Viewer::IsCsirt() const { return Holds(Role::kCsirt); }

bool Viewer::IsManagerOrAbove() const {
  return SeesAll() || Holds(Role::kOfficer) || Holds(Role::kManager) || Holds(Role::kLiaison);
}

bool Viewer::CanWrite(const std::string& section_code, const std::string& department_code) const {
  if (SeesAll()) return true;
  for (const auto& role : roles) {
    if ((role.role == Role::kManager || role.role == Role::kLiaison) &&
        role.section_code == section_code) {
      return true;
    }
    if (role.role == Role::kOfficer && role.department_code == department_code) return true;
  }
  return false;
}

bool Viewer::CanRead(const std::string& section_code, const std::string& department_code) const {
  if (CanWrite(section_code, department_code)) return true;
  // 監査人: read-only, never their own unit (兼務の禁止).
  if (IsAuditor() && department_code != person.department_code) return true;
  // 職員: their own section's records. Contractors see only what a contract
  // grants (register_routes.cc).
  return !IsContractor() && section_code == person.section_code;
}

// ---------------------------------------------------------------------------
// Replies

Reply JsonReply(Json json, int status) {
  Reply reply;
  reply.status = status;
  reply.json = std::move(json);
  return reply;
}

Reply NoContent() {
  Reply reply;
  reply.status = 204;
  return reply;
}

Reply ErrorReply(int status, std::string_view code, std::string_view message_ja,
                 std::string_view message_en) {
  return JsonReply({{"error",
                     {{"code", code},
                      {"message", message_ja},
                      {"message_en", message_en},
                      {"fields", Json::array()}}}},
                   status);
}

Reply Forbidden(std::string_view message_ja, std::string_view message_en) {
  return ErrorReply(403, "forbidden", message_ja, message_en);
}

Reply FromError(const Error& error) {
  int status = 500;
  std::string code = "internal";
  // The acting person's fields are never typed in through the API (the
  // server fills them with the signed-in person), so an error that names
  // one says the person may not do this: 兼務の禁止, a role they lack.
  const std::string& key = error.Headline().where.key;
  const bool about_actor = key == "actor" || key == "approver" || key == "reviewer" ||
                           key == "reporter" || key == "requester";
  switch (error.Code()) {
    case ErrorCode::kInvalidArgument:
      status = about_actor ? 403 : 400;
      code = about_actor ? "forbidden" : "invalid_argument";
      break;
    case ErrorCode::kNotFound:
      status = 404;
      code = "not_found";
      break;
    case ErrorCode::kLimitExceeded:
      status = 413;
      code = "payload_too_large";
      break;
    case ErrorCode::kConflict:
      status = 409;
      code = "conflict";
      break;
    default:
      break;
  }
  Json fields = Json::array();
  for (const auto& diagnostic : error.Diagnostics()) {
    if (diagnostic.where.key.empty() && diagnostic.where.line == 0) continue;
    Json field{{"field", diagnostic.where.key},
               {"message", diagnostic.message_ja},
               {"message_en", diagnostic.message_en}};
    if (diagnostic.where.line != 0) field["line"] = diagnostic.where.line;
    fields.push_back(std::move(field));
  }
  const auto& headline = error.Headline();
  // A 500 tells the user nothing about the internals; the log has the rest.
  return JsonReply({{"error",
                     {{"code", code},
                      {"message", status == 500 ? "内部エラーが発生しました" : headline.message_ja},
                      {"message_en", status == 500 ? "internal error" : headline.message_en},
                      {"fields", std::move(fields)}}}},
                   status);
}

// ---------------------------------------------------------------------------
// Fields

Fields::Fields(const Json& body) : body_(body) {}

void Fields::Fail(const std::string& key, std::string message_ja, std::string message_en) {
  diagnostics_.push_back({Where{"", 0, key}, std::move(message_ja), std::move(message_en)});
}

namespace {

std::size_t CodePoints(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool HasControl(std::string_view text, bool multiline) {
  return std::any_of(text.begin(), text.end(), [multiline](char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (multiline && (c == '\n' || c == '\r' || c == '\t')) return false;
    return byte < 0x20 || byte == 0x7F;
  });
}

}  // namespace

std::string Fields::Text(const std::string& key, std::string_view label_ja, std::size_t max_chars,
                         bool required, bool multiline) {
  const std::string label(label_ja);
  if (!body_.is_object() || !body_.contains(key) || body_[key].is_null()) {
    if (required) Fail(key, label + "を入力してください", key + " is required");
    return {};
  }
  const Json& value = body_[key];
  if (!value.is_string()) {
    Fail(key, label + "は文字列で指定してください", key + " must be a string");
    return {};
  }
  std::string text = value.get<std::string>();
  if (ValidUtf8Prefix(text) != text.size()) {
    Fail(key, label + "に UTF-8 でない文字が含まれています", key + " is not valid UTF-8");
    return {};
  }
  if (HasControl(text, multiline)) {
    Fail(key, label + "に使用できない制御文字が含まれています", key + " holds control characters");
    return {};
  }
  // Surrounding blanks are not part of what a person typed on purpose.
  const auto first = text.find_first_not_of(" \t\r\n");
  text = first == std::string::npos
             ? ""
             : text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
  if (required && text.empty()) {
    Fail(key, label + "を入力してください", key + " is required");
    return {};
  }
  if (CodePoints(text) > max_chars) {
    Fail(key, label + "は" + std::to_string(max_chars) + "文字以内で入力してください",
         key + " is longer than " + std::to_string(max_chars) + " characters");
    return {};
  }
  return text;
}

std::optional<std::int64_t> Fields::Integer(const std::string& key, std::string_view label_ja,
                                            std::int64_t min, std::int64_t max, bool required) {
  const std::string label(label_ja);
  if (!body_.is_object() || !body_.contains(key) || body_[key].is_null()) {
    if (required) Fail(key, label + "を入力してください", key + " is required");
    return std::nullopt;
  }
  const Json& value = body_[key];
  if (!value.is_number_integer()) {
    Fail(key, label + "は整数で指定してください", key + " must be an integer");
    return std::nullopt;
  }
  const auto number = value.get<std::int64_t>();
  if (number < min || number > max) {
    Fail(key,
         label + "は" + std::to_string(min) + "から" + std::to_string(max) +
             "までの値にしてください",
         key + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> Fields::Bool(const std::string& key, std::string_view label_ja) {
  if (!body_.is_object() || !body_.contains(key) || body_[key].is_null()) return std::nullopt;
  if (!body_[key].is_boolean()) {
    Fail(key, std::string(label_ja) + "は true 又は false で指定してください",
         key + " must be true or false");
    return std::nullopt;
  }
  return body_[key].get<bool>();
}

std::vector<std::string> Fields::TextList(const std::string& key, std::string_view label_ja,
                                          std::size_t max_items, std::size_t max_chars) {
  std::vector<std::string> out;
  if (!body_.is_object() || !body_.contains(key) || body_[key].is_null()) return out;
  const Json& value = body_[key];
  const std::string label(label_ja);
  if (!value.is_array() || value.size() > max_items) {
    Fail(key, label + "は" + std::to_string(max_items) + "件以内の配列で指定してください",
         key + " must be an array of at most " + std::to_string(max_items) + " items");
    return out;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    Fields item(Json{{"v", value[i]}});
    std::string text = item.Text("v", label, max_chars, true);
    if (!item.diagnostics_.empty()) {
      Fail(key + "[" + std::to_string(i) + "]", item.diagnostics_.front().message_ja,
           item.diagnostics_.front().message_en);
      continue;
    }
    out.push_back(std::move(text));
  }
  return out;
}

std::string Fields::Choice(const std::string& key, std::string_view label_ja,
                           const std::vector<std::string>& choices, bool required) {
  std::string value = Text(key, label_ja, 64, required);
  if (value.empty()) return value;
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    std::string list;
    for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + choice;
    Fail(key, std::string(label_ja) + "は次のいずれかにしてください: " + list,
         key + " must be one of: " + list);
    return {};
  }
  return value;
}

std::map<std::string, std::string> Fields::TextMap(const std::string& key,
                                                   std::string_view label_ja,
                                                   std::size_t max_chars) {
  std::map<std::string, std::string> out;
  if (!body_.is_object() || !body_.contains(key) || !body_[key].is_object()) {
    Fail(key, std::string(label_ja) + "をオブジェクトで指定してください",
         key + " must be an object");
    return out;
  }
  for (const auto& [column, value] : body_[key].items()) {
    Fields item(Json{{"v", value.is_boolean()  ? Json(value.get<bool>() ? "true" : "false")
                           : value.is_number() ? Json(value.dump())
                                               : value}});
    std::string text = item.Text("v", column, max_chars, false, true);
    if (!item.diagnostics_.empty()) {
      Fail(key + "." + column, item.diagnostics_.front().message_ja,
           item.diagnostics_.front().message_en);
      continue;
    }
    out[column] = std::move(text);
  }
  return out;
}

Status Fields::Finish() {
  if (diagnostics_.empty()) return OkStatus();
  return Error(ErrorCode::kInvalidArgument, std::move(diagnostics_));
}

Result<std::int64_t> IdParam(const std::string& text, std::string_view label_ja) {
  std::int64_t id = 0;
  if (text.empty() || text.size() > 15 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Error(ErrorCode::kInvalidArgument, std::string(label_ja) + "の番号が正しくありません",
                 "bad id in path", Where{"", 0, "id"});
  }
  for (char c : text) id = id * 10 + (c - '0');
  if (id <= 0) {
    return Error(ErrorCode::kNotFound, std::string(label_ja) + "が見つかりません", "no such id");
  }
  return id;
}

Result<std::int64_t> QueryNumber(const Call& call, const std::string& key, std::int64_t fallback,
                                 std::int64_t max) {
  const std::string text = call.Query(key);
  if (text.empty()) return fallback;
  if (text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoll(text) > max) {
    return Error(ErrorCode::kInvalidArgument,
                 key + " は 0 から " + std::to_string(max) + " の整数で指定してください",
                 key + " must be an integer 0.." + std::to_string(max), Where{"", 0, key});
  }
  return std::stoll(text);
}

std::string Call::Query(const std::string& key, const std::string& fallback) const {
  const auto it = query.find(key);
  return it == query.end() ? fallback : it->second;
}

// ---------------------------------------------------------------------------
// Connection pools

// Ledgers of one kind (read-only or read-write) on the same file, opened as
// needed up to a maximum. Take waits for a free one; the Lease gives it
// back however the handler ends.
class LedgerPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<ledger::Ledger>>()>;

  // `first` (not owned; may be null) is the pool's first connection.
  LedgerPool(Opener open, int max, ledger::Ledger* first)
      : open_(std::move(open)), max_(std::max(max, first != nullptr ? 1 : 0)) {
    if (first != nullptr) {
      free_.push_back(first);
      open_count_ = 1;
    }
  }

  class Lease {
   public:
    Lease(LedgerPool& pool, ledger::Ledger* ledger) : pool_(&pool), ledger_(ledger) {}
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), ledger_(std::exchange(other.ledger_, nullptr)) {}
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        Release();
        pool_ = other.pool_;
        ledger_ = std::exchange(other.ledger_, nullptr);
      }
      return *this;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { Release(); }
    ledger::Ledger& operator*() const { return *ledger_; }
    ledger::Ledger* Get() const { return ledger_; }

   private:
    void Release() {
      if (ledger_ != nullptr) pool_->Give(std::exchange(ledger_, nullptr));
    }

    LedgerPool* pool_;
    ledger::Ledger* ledger_;
  };

  // Opens connections until `count` are open (or opening fails): a server
  // pays for reading the profile at its start, not in a request.
  void Warm(int count) {
    std::vector<Lease> leases;
    for (int i = 0; i < std::min(count, max_); ++i) {
      auto lease = Take(Wait::kNo);
      if (!lease) break;
      leases.push_back(std::move(*lease));
    }
  }

  enum class Wait { kYes, kNo };
  // A free connection, or a new one while fewer than the maximum are open;
  // with Wait::kYes waits for one to come back otherwise. nullopt when none
  // is free (kNo) or none can be opened at all (e.g. a database in memory).
  std::optional<Lease> Take(Wait wait) {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!free_.empty()) {
        ledger::Ledger* ledger = free_.back();
        free_.pop_back();
        return Lease(*this, ledger);
      }
      if (!cannot_open_ && open_count_ < max_) {
        ++open_count_;
        lock.unlock();
        auto opened = open_();  // reads the profile: not under the lock
        lock.lock();
        if (opened.Ok()) {
          owned_.push_back(std::move(opened).Value());
          return Lease(*this, owned_.back().get());
        }
        // Not again: the file cannot be opened twice (in memory), or the
        // system is out of descriptors; the open ones carry on.
        --open_count_;
        cannot_open_ = true;
        freed_.notify_all();
        continue;
      }
      if (wait == Wait::kNo || open_count_ == 0) return std::nullopt;
      freed_.wait(lock);
    }
  }

 private:
  void Give(ledger::Ledger* ledger) {
    {
      std::lock_guard lock(mutex_);
      free_.push_back(ledger);
    }
    freed_.notify_one();
  }

  const Opener open_;
  const int max_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<ledger::Ledger>> owned_;  // guarded by mutex_
  std::vector<ledger::Ledger*> free_;                   // guarded by mutex_
  int open_count_ = 0;                                  // guarded by mutex_
  bool cannot_open_ = false;                            // guarded by mutex_
};

// ---------------------------------------------------------------------------
// Api

namespace {

LedgerPool::Opener OpenerOf(const ledger::Ledger& ledger, bool read_only) {
  // The same file, clock and profile file as the given ledger.
  ledger::OpenOptions options = ledger.Options();
  options.read_only = read_only;
  if (!ledger.Profile().files.empty()) options.profile_path = ledger.Profile().files.front();
  return [paths = ledger.Paths(), &clock = ledger.GetClock(), options]() {
    return ledger::Ledger::Open(paths, clock, options);
  };
}

RateLimits SignInLimits(const policy::AuthSettings& auth) {
  RateLimits limits;
  limits.delay_after = auth.address_failures_before_delay;
  limits.block_after = auth.address_failures_before_block;
  limits.window = std::chrono::minutes(auth.address_window_minutes);
  limits.block = std::chrono::minutes(auth.address_block_minutes);
  return limits;
}

RateLimits PublicReportLimits(int per_hour) {
  RateLimits limits;
  limits.block_after = std::max(per_hour, 0);
  limits.window = std::chrono::hours(1);
  return limits;
}

}  // namespace

Api::Api(ledger::Ledger& ledger, ApiOptions options)
    : ledger_(ledger),
      options_(std::move(options)),
      readers_(std::make_unique<LedgerPool>(OpenerOf(ledger, true), options_.readers, nullptr)),
      writers_(std::make_unique<LedgerPool>(OpenerOf(ledger, false), options_.writers, &ledger)),
      // Counted in the database, so that every server process on it counts
      // the same address once (rate_limit.h).
      public_reports_(PublicReportLimits(options_.public_reports_per_hour),
                      options_.max_tracked_addresses, "public_report",
                      LedgerRateStore(OpenerOf(ledger, false))),
      sign_in_failures_(SignInLimits(ledger.Profile().auth), options_.max_tracked_addresses,
                        "sign_in_failure", LedgerRateStore(OpenerOf(ledger, false))) {
  readers_->Warm(std::min(options_.readers, 4));
  AddAuthRoutes();
  AddOrgRoutes();
  AddRegisterRoutes();
  AddRequestRoutes();
  AddIncidentRoutes();
  AddAuditRoutes();
  AddOpenApiRoute();
}

Api::~Api() = default;

void Api::Add(Route route) {
  // "/requests/{id}" → ^/requests/([^/]+)$
  std::string regex = "^";
  for (std::size_t i = 0; i < route.path.size(); ++i) {
    const char c = route.path[i];
    if (c == '{') {
      i = route.path.find('}', i);
      regex += "([^/]+)";
    } else if (c == '.' || c == '+' || c == '(' || c == ')' || c == '?' || c == '*') {
      regex += std::string("\\") + c;
    } else {
      regex += c;
    }
  }
  route.pattern = std::regex(regex + "$");
  routes_.push_back(std::move(route));
}

std::size_t Api::BodyLimit(std::string_view method, std::string_view path) const {
  const std::string text(path);
  for (const Route& route : routes_) {
    if (route.method != method || !std::regex_match(text, route.pattern)) continue;
    if (route.max_body_bytes != 0) return route.max_body_bytes;
    return route.raw_body ? kMaxFileBytes : options_.max_json_bytes;
  }
  return options_.max_json_bytes;
}

bool Api::AllowPublicReport(const std::string& remote_addr) {
  return public_reports_.Take(AddressKey(remote_addr), ledger_.Now()).verdict !=
         RateLimiter::Verdict::kRefuse;
}

namespace {

Api::Response Render(const Reply& reply) {
  Api::Response response;
  response.status = reply.status;
  response.headers = reply.headers;
  if (!reply.body.empty() || !reply.content_type.empty()) {
    response.body = reply.body;
    response.content_type = reply.content_type;
  } else if (reply.status != 204) {
    response.body = reply.json.dump(-1, ' ', false, Json::error_handler_t::replace);
    response.content_type = "application/json; charset=utf-8";
  }
  return response;
}

// Admit's answer when the call ends before its handler.
std::optional<Reply> Stop(Reply reply) { return reply; }

// The media type application/json, optionally with charset=utf-8 (RFC
// 8259 defines no other): never a substring search, which lets
// "text/plain; charset=application/json" through — a type any web page may
// send cross-site without a preflight.
bool IsJsonContentType(std::string_view value) {
  const auto lower = [](std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return std::string();
    text = text.substr(first, text.find_last_not_of(" \t") - first + 1);
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const auto semicolon = value.find(';');
  if (lower(value.substr(0, semicolon)) != "application/json") return false;
  if (semicolon == std::string_view::npos) return true;
  std::string parameter = lower(value.substr(semicolon + 1));
  parameter.erase(std::remove(parameter.begin(), parameter.end(), ' '), parameter.end());
  return parameter == "charset=utf-8" || parameter == "charset=\"utf-8\"";
}

bool SameSecret(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A client address as recorded: the characters of an address, at most 64.
std::string RecordedAddress(const std::string& address) {
  std::string out;
  for (const char c : address) {
    if (out.size() >= 64) break;
    const bool keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      c == '.' || c == ':' || c == '%' || c == '/' || c == '-' || c == '_';
    if (keep) out += c;
  }
  return out;
}

bool CountsAgainstAddress(auth::SignInStatus status) {
  return status == auth::SignInStatus::kBadCredentials || status == auth::SignInStatus::kLocked ||
         status == auth::SignInStatus::kTotpInvalid;
}

}  // namespace

Api::Response Api::Handle(Call call) {
  bool path_known = false;
  for (const Route& route : routes_) {
    std::smatch match;
    if (!std::regex_match(call.path, match, route.pattern)) continue;
    path_known = true;
    if (route.method != call.method) continue;
    call.params.clear();
    for (std::size_t i = 1; i < match.size(); ++i) call.params.push_back(match[i].str());
    Result<Reply> reply = Run(route, call);
    // Rendered after the connection went back: JSON is the handler's
    // largest cost after the database, and needs no ledger.
    if (reply.Ok() && reply->deferred) reply->json = reply->deferred();
    Response response = Render(reply.Ok() ? reply.Value() : FromError(reply.Err()));
    if (call.viewer) response.person = call.viewer->person.code;
    return response;
  }
  if (path_known) {
    return Render(ErrorReply(405, "method_not_allowed", "このメソッドは使用できません",
                             "method not allowed"));
  }
  return Render(ErrorReply(404, "not_found", "そのAPIはありません", "no such endpoint"));
}

Result<Reply> Api::Run(const Route& route, Call& call) {
  const bool writes = (route.method != "GET" || route.writes) && !route.writes_itself;
  std::optional<LedgerPool::Lease> lease;
  if (!writes && options_.readers > 0) lease = readers_->Take(LedgerPool::Wait::kYes);
  // No reader at all (a database in memory): reads share the writers.
  if (!lease) lease = writers_->Take(LedgerPool::Wait::kYes);
  if (!lease) {
    return Error(ErrorCode::kInternal, "データベースに接続できません", "no database connection");
  }
  call.ledger = lease->Get();
  MAMORI_TRY(auto stop, Admit(route, call));
  if (stop) return std::move(*stop);
  return route.handler(call);
}

void Api::Touch(std::int64_t session_id) {
  auto writer = writers_->Take(LedgerPool::Wait::kNo);
  // Every write connection busy: the touch stays due and the session's next
  // request tries again (it is a minute's granularity, not a record).
  if (!writer) return;
  (void)auth::TouchSessions(**writer, {session_id});
}

auth::WithWriter Api::Writer() {
  return [this](const std::function<Status(ledger::Ledger&)>& change) -> Status {
    auto writer = writers_->Take(LedgerPool::Wait::kYes);
    if (!writer) {
      return Error(ErrorCode::kInternal, "データベースに接続できません", "no database connection");
    }
    return change(**writer);
  };
}

Result<std::variant<Reply, auth::SignInResult>> Api::SignIn(Call& call,
                                                            const auth::SignInInput& input) {
  using Outcome = std::variant<Reply, auth::SignInResult>;
  const policy::AuthSettings& settings = ledger_.Profile().auth;
  const std::string address = AddressKey(call.remote_addr);
  const RateLimiter::Answer answer = sign_in_failures_.Check(address, ledger_.Now());
  if (answer.verdict == RateLimiter::Verdict::kRefuse) {
    const std::string seconds = std::to_string(answer.retry_after.count());
    Reply reply = ErrorReply(
        429, "too_many_requests",
        "この接続元からのサインインの失敗が続いたため、サインインを一時停止しています。" + seconds +
            "秒後にもう一度お試しください（6.2(1)②）",
        "too many failed sign-ins from this address; try again in " + seconds + " seconds");
    reply.json["error"]["retry_after"] = answer.retry_after.count();
    reply.headers.emplace_back("Retry-After", seconds);
    return Outcome(std::move(reply));
  }
  // The address's one delayed attempt: back to the limiter however it ends.
  struct DelaySlot {
    RateLimiter& limiter;
    const std::string& key;
    bool held;
    ~DelaySlot() {
      if (held) limiter.EndDelay(key);
    }
  } slot{sign_in_failures_, address, answer.verdict == RateLimiter::Verdict::kDelay};
  if (slot.held) std::this_thread::sleep_for(std::chrono::seconds(settings.address_delay_seconds));

  // A writer connection with the call's own when it is one (no readers).
  const bool on_writer = !call.ledger->Options().read_only;
  ledger::Ledger& reader = *call.ledger;
  const auth::WithWriter writer =
      on_writer ? auth::WithWriter([&reader](const std::function<Status(ledger::Ledger&)>& change) {
        return change(reader);
      })
                : Writer();
  MAMORI_TRY(auto result, auth::SignIn(reader, writer, input, options_.auth));
  if (CountsAgainstAddress(result.status) && sign_in_failures_.Count(address, ledger_.Now())) {
    const TimePoint now = ledger_.Now();
    const nlohmann::json state{
        {"address", RecordedAddress(address)},
        {"remote_addr", RecordedAddress(call.remote_addr)},
        {"failures", settings.address_failures_before_block},
        {"window_minutes", settings.address_window_minutes},
        {"blocked_until", FormatUtc(now + std::chrono::minutes(settings.address_block_minutes))},
        {"clause", "6.2(1)②"}};
    MAMORI_TRY_STATUS(writer([&](ledger::Ledger& connection) -> Status {
      return connection.Change([&]() -> Status {
        return connection.Record({"system", "auth.address_throttled", "address",
                              RecordedAddress(address), state.dump()});
      });
    }));
  }
  return Outcome(std::move(result));
}

Result<std::optional<Reply>> Api::Admit(const Route& route, Call& call) {
  if (route.access != Access::kPublic) {
    ledger::Ledger& connection = *call.ledger;
    MAMORI_TRY(auto lookup, auth::LookUpSession(connection, call.session_token, options_.auth));
    if (!lookup) {
      return Stop(ErrorReply(401, "unauthenticated", "サインインしてください", "sign in first"));
    }
    if (lookup->touch_due) {
      if (connection.Options().read_only) {
        Touch(lookup->id);
      } else {
        MAMORI_TRY_STATUS(auth::TouchSessions(connection, {lookup->id}));
      }
    }
    auth::Session* session = &lookup->session;
    // CSRF: every state change carries the session's token in a header,
    // which a page on another site cannot set.
    if (call.method != "GET" && !SameSecret(call.csrf_header, session->csrf_token)) {
      return Stop(ErrorReply(403, "csrf", "画面を再読み込みしてから操作してください",
                             "missing or wrong X-CSRF-Token"));
    }
    if (route.access != Access::kSession && session->must_change_password) {
      return Stop(ErrorReply(403, "password_change_required",
                             "パスワードを変更してください（5.4(2)）",
                             "change your password first"));
    }
    if (route.access == Access::kSignedIn && session->must_enroll_totp) {
      return Stop(ErrorReply(403, "totp_enrollment_required",
                             "二要素認証（TOTP）を設定してください（6.2(1)②）",
                             "enrol TOTP first"));
    }
    MAMORI_TRY(auto person, ledger::FindPerson(connection, session->person_code));
    MAMORI_TRY(auto roles, ledger::RolesOf(connection, person, ledger::TodayJst(connection)));
    call.viewer = Viewer{std::move(person), std::move(roles), std::move(*session)};
  }
  if (!route.raw_body && (call.method == "POST" || call.method == "PATCH")) {
    if (call.body.size() > options_.max_json_bytes) {
      return Stop(ErrorReply(413, "payload_too_large", "送信内容が大きすぎます", "body too large"));
    }
    // A body (or a declared type: a multipart form reaches us with its body
    // taken apart) only as JSON; no body and no type is an empty object.
    if ((!call.body.empty() || !call.content_type.empty()) &&
        !IsJsonContentType(call.content_type)) {
      return Stop(ErrorReply(415, "unsupported_media_type",
                             "Content-Type は application/json にしてください",
                             "Content-Type must be application/json"));
    }
    if (call.body.empty()) {
      call.json = Json::object();
    } else {
      call.json = Json::parse(call.body, nullptr, false);
      if (call.json.is_discarded() || !call.json.is_object()) {
        return Stop(ErrorReply(400, "invalid_argument",
                               "送信内容が JSON のオブジェクトではありません",
                               "the body is not a JSON object"));
      }
    }
  }
  return std::optional<Reply>();
}

}  // namespace mamori::server
