#include "server/api.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string_view>

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
// Api

Api::Api(ledger::Ledger& ledger, ApiOptions options)
    : ledger_(ledger), options_(std::move(options)) {
  // The readers load the same profile file as the read-write ledger. A
  // database that cannot be opened again (e.g. in memory) has none.
  ledger::OpenOptions reader_options;
  reader_options.read_only = true;
  if (!ledger.Profile().files.empty()) reader_options.profile_path = ledger.Profile().files.front();
  for (int i = 0; i < options_.readers; ++i) {
    auto reader = ledger::Ledger::Open(ledger.Paths(), ledger.GetClock(), reader_options);
    if (!reader.Ok()) break;
    readers_.push_back(std::move(reader).Value());
  }
  AddAuthRoutes();
  AddOrgRoutes();
  AddRegisterRoutes();
  AddRequestRoutes();
  AddIncidentRoutes();
  AddAuditRoutes();
  AddOpenApiRoute();
}

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
  const TimePoint now = ledger_.Now();
  auto& times = public_reports_[remote_addr];
  std::erase_if(times, [now](TimePoint t) { return now - t > std::chrono::hours(1); });
  if (static_cast<int>(times.size()) >= options_.public_reports_per_hour) return false;
  times.push_back(now);
  return true;
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
    Result<Reply> reply = [&]() -> Result<Reply> {
      std::unique_lock lock(mutex_);
      call.ledger = &ledger_;
      MAMORI_TRY(auto stop, Admit(route, call));
      if (stop) return std::move(*stop);
      if (route.method != "GET" || route.writes) return route.handler(call);
      // A read: on a read-only connection, without the read-write lock.
      std::unique_ptr<ledger::Ledger> reader = TakeReader();
      if (!reader) return route.handler(call);
      lock.unlock();
      call.ledger = reader.get();
      // Back to the pool however the handler ends (an exception included).
      struct Lease {
        Api& api;
        std::unique_ptr<ledger::Ledger>& reader;
        ~Lease() { api.ReturnReader(std::move(reader)); }
      } lease{*this, reader};
      return route.handler(call);
    }();
    // Rendered outside the lock: JSON is the handler's largest cost after
    // the database, and needs no ledger.
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

std::unique_ptr<ledger::Ledger> Api::TakeReader() {
  std::lock_guard lock(readers_mutex_);
  if (readers_.empty()) return nullptr;
  auto reader = std::move(readers_.back());
  readers_.pop_back();
  return reader;
}

void Api::ReturnReader(std::unique_ptr<ledger::Ledger> reader) {
  std::lock_guard lock(readers_mutex_);
  readers_.push_back(std::move(reader));
}

Result<std::optional<Reply>> Api::Admit(const Route& route, Call& call) {
  if (route.access != Access::kPublic) {
    MAMORI_TRY(auto session, auth::FindSession(ledger_, call.session_token, options_.auth));
    if (!session) {
      return Stop(ErrorReply(401, "unauthenticated", "サインインしてください", "sign in first"));
    }
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
    MAMORI_TRY(auto person, ledger::FindPerson(ledger_, session->person_code));
    MAMORI_TRY(auto roles, ledger::RolesOf(ledger_, person, ledger::TodayJst(ledger_)));
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
