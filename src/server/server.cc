#include "server/server.h"

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <ostream>
#include <sstream>

namespace mamori::server {

namespace {

// The request's start and the signed-in person, for the access log (the
// logger runs on the thread that handled the request).
thread_local std::chrono::steady_clock::time_point request_start;
thread_local std::string request_person;

std::string CookieValue(const std::string& header, std::string_view name) {
  std::size_t at = 0;
  while (at < header.size()) {
    while (at < header.size() && (header[at] == ' ' || header[at] == ';')) ++at;
    const std::size_t end = std::min(header.find(';', at), header.size());
    const std::string pair = header.substr(at, end - at);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos && std::string_view(pair).substr(0, eq) == name) {
      return pair.substr(eq + 1);
    }
    at = end + 1;
  }
  return {};
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kNotFound, "ファイルがありません: " + path.string(),
                 "cannot read " + path.string());
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

struct Server::Impl {
  Impl(ledger::Ledger& ledger, ServeOptions serve_options)
      : options(std::move(serve_options)), api(ledger, options.api) {}

  ServeOptions options;
  Api api;
  httplib::Server http;
  std::mutex log_mutex;
  std::string index_html;

  void HandleApi(const httplib::Request& req, httplib::Response& res) {
    Call call;
    call.method = req.method;
    call.path = req.matches[1].str();
    for (const auto& [key, value] : req.params) call.query.emplace(key, value);
    call.body = req.body;
    call.content_type = req.get_header_value("Content-Type");
    call.remote_addr = req.remote_addr;
    call.user_agent = req.get_header_value("User-Agent");
    call.session_token = CookieValue(req.get_header_value("Cookie"), "mamori_session");
    call.csrf_header = req.get_header_value("X-CSRF-Token");
    Api::Response response = api.Handle(std::move(call));
    request_person = response.person;
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    res.set_header("Cache-Control", "no-store");
    if (!response.content_type.empty()) res.set_content(response.body, response.content_type);
  }

  void Log(const httplib::Request& req, const httplib::Response& res) {
    if (options.access_log == nullptr) return;
    const auto elapsed = std::chrono::steady_clock::now() - request_start;
    const Json line{
        {"time",
         FormatUtc(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()))},
        {"remote", req.remote_addr},
        {"method", req.method},
        {"path", req.path},
        {"status", res.status},
        {"bytes", res.body.size()},
        {"ms", std::chrono::duration<double, std::milli>(elapsed).count()},
        {"person", request_person}};
    std::lock_guard lock(log_mutex);
    *options.access_log << line.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    options.access_log->flush();
  }
};

Server::Server(ledger::Ledger& ledger, ServeOptions options)
    : impl_(std::make_unique<Impl>(ledger, std::move(options))) {
  auto& http = impl_->http;
  const int threads = impl_->options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(std::size_t{32} << 20);
  http.set_read_timeout(10, 0);
  http.set_write_timeout(10, 0);
  http.set_keep_alive_max_count(100000);
  // Headers and body go out in separate writes: without TCP_NODELAY, Nagle
  // and delayed ACKs add 40 ms to every keep-alive response.
  http.set_tcp_nodelay(true);
  // The UI loads nothing from elsewhere, is never framed, and sends no
  // referrer (CSP as a second line against injected script).
  http.set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"},
  });
  http.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    request_start = std::chrono::steady_clock::now();
    request_person.clear();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { impl_->Log(req, res); });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(R"({"error":{"code":"internal","message":"内部エラーが発生しました",)"
                        R"("message_en":"internal error","fields":[]}})",
                        "application/json; charset=utf-8");
      });
  const auto api = [this](const httplib::Request& req, httplib::Response& res) {
    impl_->HandleApi(req, res);
  };
  const std::string pattern = R"(/api/v1(/.*))";
  http.Get(pattern, api);
  http.Post(pattern, api);
  http.Patch(pattern, api);
  http.Delete(pattern, api);
  http.Put(pattern, api);

  const std::string& root = impl_->options.web_root;
  if (!root.empty()) {
    http.set_mount_point("/", root);
    // Client-side routes (/inbox, /requests/3) get the app's index.html.
    http.Get(R"(/(?!api/)[^.]*)", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(impl_->index_html, "text/html; charset=utf-8");
    });
  }
}

Server::~Server() = default;

Api& Server::GetApi() { return impl_->api; }

Result<int> Server::Bind() {
  const std::string& root = impl_->options.web_root;
  if (!root.empty()) {
    MAMORI_TRY(impl_->index_html, ReadFile(std::filesystem::path(root) / "index.html"));
  }
  const auto& options = impl_->options;
  if (options.port == 0) {
    const int port = impl_->http.bind_to_any_port(options.host);
    if (port > 0) return port;
  } else if (impl_->http.bind_to_port(options.host, options.port)) {
    return options.port;
  }
  return Error(ErrorCode::kIo,
               options.host + ":" + std::to_string(options.port) + " で待ち受けできません",
               "cannot listen on " + options.host + ":" + std::to_string(options.port));
}

void Server::Run() { impl_->http.listen_after_bind(); }

void Server::Stop() { impl_->http.stop(); }

}  // namespace mamori::server
