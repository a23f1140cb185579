// The transport of `mamori serve` (server.h): Boost.Beast's HTTP parser and
// serializer over Boost.Asio, boost::asio::ssl (OpenSSL) for TLS. Beast is
// compiled in this one file.
//
// A connection is a Session on a strand of the I/O context. It reads the
// header under one deadline (header_timeout), learns the route's body limit
// from the request line, refuses a Content-Length past it at once and a
// chunked body as soon as the chunks pass it (Beast's body_limit), reads the
// body under a second deadline, and only then hands the request to the worker
// pool. The answer is written back on the strand under a third deadline.
// Stop() closes the listener and every connection that is not in the middle
// of a request; those finish, answer with Connection: close, and Run()
// returns when nothing is left.
#include "server/server.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

namespace mamori::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using ErrorCode_ = boost::system::error_code;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

namespace {

std::string CookieValue(std::string_view header, std::string_view name) {
  std::size_t at = 0;
  while (at < header.size()) {
    while (at < header.size() && (header[at] == ' ' || header[at] == ';')) ++at;
    const std::size_t end = std::min(header.find(';', at), header.size());
    const std::string_view pair = header.substr(at, end - at);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
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

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes (and '+' as a space in a query); nullopt for a broken escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexDigit(text[i + 1]);
      const int low = HexDigit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// NUL, other C0 controls and DEL: never part of a path a browser sends.
bool HasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7F;
  });
}

std::string_view MimeType(const std::filesystem::path& path) {
  static const std::map<std::string, std::string_view, std::less<>> kTypes{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/vnd.microsoft.icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".wasm", "application/wasm"},
      {".pdf", "application/pdf"},
  };
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto found = kTypes.find(extension);
  return found == kTypes.end() ? std::string_view("application/octet-stream") : found->second;
}

std::string ErrorJson(std::string_view code, std::string_view message_ja,
                      std::string_view message_en) {
  const Json body{{"error",
                   {{"code", code},
                    {"message", message_ja},
                    {"message_en", message_en},
                    {"fields", Json::array()}}}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A trusted proxy: an address, or a network with its prefix length.
struct Network {
  net::ip::address address;
  int prefix = 0;
};

net::ip::address Unmapped(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::vector<unsigned char> BytesOf(const net::ip::address& address) {
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    return {bytes.begin(), bytes.end()};
  }
  const auto bytes = address.to_v6().to_bytes();
  return {bytes.begin(), bytes.end()};
}

bool Contains(const Network& network, const net::ip::address& address) {
  if (network.address.is_v4() != address.is_v4()) return false;
  const auto want = BytesOf(network.address);
  const auto have = BytesOf(address);
  int bits = network.prefix;
  for (std::size_t i = 0; i < want.size() && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xFFu : (0xFFu << (8 - bits)) & 0xFFu;
    if ((want[i] & mask) != (have[i] & mask)) return false;
  }
  return true;
}

Result<Network> ParseNetwork(const std::string& text) {
  const auto bad = [&text] {
    return Error(ErrorCode::kInvalidArgument,
                 "信頼するプロキシのアドレスが正しくありません: " + text +
                     "（例: 10.0.0.5, 10.0.0.0/24, ::1）",
                 "bad trusted proxy address " + text + " (e.g. 10.0.0.5, 10.0.0.0/24, ::1)",
                 Where{"", 0, "trusted-proxy"});
  };
  const std::size_t slash = text.find('/');
  ErrorCode_ ec;
  Network network;
  network.address = Unmapped(net::ip::make_address(text.substr(0, slash), ec));
  if (ec) return bad();
  const int full = network.address.is_v4() ? 32 : 128;
  network.prefix = full;
  if (slash != std::string::npos) {
    const std::string digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return bad();
    }
    network.prefix = std::stoi(digits);
    if (network.prefix > full) return bad();
  }
  return network;
}

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

// What a worker made of one request.
struct Outcome {
  HttpResponse response;
  std::string person;  // for the access log
};

class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the connection unless a request is being answered (Stop()).
  virtual void Close() = 0;
};

struct Server::Impl {
  Impl(ledger::Ledger& ledger, ServeOptions serve_options)
      : options(Adjusted(std::move(serve_options))),
        own_api(std::make_unique<Api>(ledger, options.api)),
        workers(static_cast<std::size_t>(std::max(options.threads, 1))) {}
  Impl(TenantRouter& tenant_router, ServeOptions serve_options)
      : options(Adjusted(std::move(serve_options))),
        router(&tenant_router),
        workers(static_cast<std::size_t>(std::max(options.threads, 1))) {}

  static ServeOptions Adjusted(ServeOptions options) {
    // Under TLS the session cookie never travels in clear.
    if (!options.tls_cert.empty()) options.api.secure_cookies = true;
    return options;
  }

  // Declared before the I/O context and the workers: the sessions their
  // pending handlers hold (destroyed with them) take themselves off here.
  std::mutex connections_mutex;
  std::map<Connection*, std::weak_ptr<Connection>> connections;
  std::atomic<bool> stopping = false;
  ServeOptions options;
  std::unique_ptr<Api> own_api;     // one ledger
  TenantRouter* router = nullptr;  // or the tenants of an installation
  net::io_context io;
  tcp::acceptor acceptor{net::make_strand(io)};
  net::steady_timer accept_retry{acceptor.get_executor()};
  std::optional<ssl::context> tls;
  net::thread_pool workers;
  std::string index_html;
  std::filesystem::path web_root;  // canonical
  std::vector<Network> trusted;
  std::mutex log_mutex;

  bool Stopping() const { return stopping.load(); }

  // False when stopping (the connection is dropped) or full.
  bool Register(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(connections_mutex);
    if (stopping) return false;
    connections.emplace(connection.get(), connection);
    return true;
  }
  void Forget(Connection* connection) {
    std::lock_guard lock(connections_mutex);
    connections.erase(connection);
  }
  std::size_t Live() {
    std::lock_guard lock(connections_mutex);
    return connections.size();
  }

  void Accept();
  void OnAccept(tcp::socket socket);
  Outcome Respond(HttpRequest request, const std::string& remote);
  Outcome RespondApi(Api* api, const std::string& base_path, HttpRequest& request,
                     const std::string& path, std::string_view query, const std::string& remote);
  // The API serving `request` (the one ledger's, or the tenant's the router
  // resolves), with the path below the tenant's prefix.
  struct Routed {
    Api* api = nullptr;
    std::string prefix;
    std::string path;
  };
  Result<Routed> Route(const HttpRequest& request, const std::string& path);
  HttpResponse RespondStatic(const HttpRequest& request, const std::string& path);
  std::size_t BodyLimit(const HttpRequest& request);
  std::string RemoteAddress(const tcp::endpoint& peer, const HttpRequest& request) const;
  bool Trusted(const net::ip::address& address) const {
    return std::any_of(trusted.begin(), trusted.end(),
                       [&address](const Network& n) { return Contains(n, address); });
  }
  // Security headers on every answer; HSTS under TLS or a TLS proxy.
  void Finish(HttpResponse& response) const;
  void Log(const std::string& remote, std::string_view method, std::string_view path, int status,
           std::size_t bytes, std::chrono::steady_clock::duration elapsed,
           const std::string& person);
};

namespace {

HttpResponse ErrorResponse(unsigned version, int status, std::string_view code,
                           std::string_view message_ja, std::string_view message_en) {
  HttpResponse response{static_cast<http::status>(status), version};
  response.set(http::field::content_type, "application/json; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  response.body() = ErrorJson(code, message_ja, message_en);
  return response;
}

// One connection; Stream is beast::tcp_stream or an ssl_stream over it.
template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(Server::Impl& server, Stream stream, beast::flat_buffer buffer, tcp::endpoint peer)
      : server_(server), stream_(std::move(stream)), buffer_(std::move(buffer)), peer_(peer) {}
  ~Session() override { server_.Forget(this); }

  void Start() {
    if constexpr (kTls) {
      Lowest().expires_after(server_.options.header_timeout);
      stream_.async_handshake(ssl::stream_base::server, buffer_.data(),
                              [self = this->shared_from_this()](ErrorCode_ ec, std::size_t used) {
                                self->buffer_.consume(used);
                                if (ec) return self->CloseNow();
                                self->ReadHeader();
                              });
    } else if (server_.tls) {
      // The TLS port: a ClientHello goes on to TLS, plain HTTP gets a
      // redirect to https:// instead of a hang.
      Lowest().expires_after(server_.options.header_timeout);
      beast::async_detect_ssl(stream_, buffer_,
                              [self = this->shared_from_this()](ErrorCode_ ec, bool is_tls) {
                                self->OnDetect(ec, is_tls);
                              });
    } else {
      ReadHeader();
    }
  }

  void Close() override {
    net::post(Lowest().get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->CloseNow();
    });
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void OnDetect(ErrorCode_ ec, bool is_tls) {
    if (ec) return CloseNow();
    if (is_tls) {
      if constexpr (!kTls) {
        using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;
        auto tls = std::make_shared<TlsSession>(
            server_, beast::ssl_stream<beast::tcp_stream>(std::move(stream_), *server_.tls),
            std::move(buffer_), peer_);
        if (server_.Register(tls)) tls->Start();
      }
      return;
    }
    redirect_ = true;
    ReadHeader();
  }

  void ReadHeader() {
    busy_ = false;
    if (server_.Stopping()) return CloseNow();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    // Checked against the route once the request line is known. (Not
    // boost::none: Beast 1.74 compares a Content-Length with it as larger.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    Lowest().expires_after(server_.options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](ErrorCode_ ec, std::size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(ErrorCode_ ec) {
    if (ec == http::error::header_limit) {
      return Fail(431, "request_header_too_large", "要求ヘッダーが大きすぎます",
                  "request header too large");
    }
    if (IsTransportError(ec)) return CloseNow();
    start_ = std::chrono::steady_clock::now();
    busy_ = true;
    if (ec) {
      return Fail(400, "bad_request", "要求の形式が正しくありません",
                  "malformed request: " + ec.message());
    }
    const HttpRequest& request = parser_->get();
    method_ = std::string(request.method_string());
    const std::string_view target = request.target();
    path_ = std::string(target.substr(0, target.find('?')));
    if (redirect_) return Redirect();
    if (parser_->is_done()) return Dispatch();  // no body
    limit_ = server_.BodyLimit(request);
    const auto length = parser_->content_length();
    if (length && *length > limit_) return TooLarge(limit_);
    parser_->body_limit(limit_);
    if (request.version() >= 11 &&
        beast::iequals(request[http::field::expect], "100-continue")) {
      Lowest().expires_after(server_.options.write_timeout);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](ErrorCode_ write_ec, std::size_t) {
                         if (write_ec) return self->CloseNow();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    Lowest().expires_after(server_.options.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](ErrorCode_ ec, std::size_t) {
                       if (ec == http::error::body_limit) {
                         return self->TooLarge(self->limit_);
                       }
                       if (self->IsTransportError(ec)) return self->CloseNow();
                       if (ec) {
                         return self->Fail(400, "bad_request", "要求の形式が正しくありません",
                                           "malformed request body: " + ec.message());
                       }
                       self->Dispatch();
                     });
  }

  // The connection failed or timed out (nothing to answer), as opposed to
  // a request that Beast could not parse.
  static bool IsTransportError(ErrorCode_ ec) {
    if (!ec) return false;
    return ec == http::error::end_of_stream || ec == http::error::partial_message ||
           ec == beast::error::timeout ||
           ec == net::error::operation_aborted || ec == net::error::eof ||
           ec.category() == net::error::get_system_category() ||
           ec.category() == net::error::get_ssl_category() ||
           ec.category() == net::ssl::error::get_stream_category();
  }

  void TooLarge(std::size_t limit) {
    Fail(413, "payload_too_large",
         "送信内容が大きすぎます（上限 " + std::to_string(limit) + " バイト）",
         "request body larger than " + std::to_string(limit) + " bytes");
  }

  // Answers and closes: the request could not be read to its end.
  void Fail(int status, std::string_view code, const std::string& message_ja,
            const std::string& message_en) {
    busy_ = true;
    const unsigned version = parser_ ? parser_->get().version() : 11;
    Outcome outcome{ErrorResponse(version, status, code, message_ja, message_en), {}};
    outcome.response.keep_alive(false);
    Send(std::move(outcome), /*keep_alive=*/false);
  }

  void Redirect() {
    const HttpRequest& request = parser_->get();
    const std::string host(request[http::field::host]);
    const bool good_host =
        !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                 c == ':' || c == '[' || c == ']';
        });
    if (!good_host) {
      return Fail(400, "https_required", "HTTPS で接続してください", "use HTTPS");
    }
    const std::string_view target = request.target();
    HttpResponse response{http::status::moved_permanently, request.version()};
    response.set(http::field::location,
                 "https://" + host + (target.starts_with('/') ? std::string(target) : "/"));
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = "HTTPS で接続してください / use HTTPS\n";
    Send(Outcome{std::move(response), {}}, /*keep_alive=*/false);
  }

  void Dispatch() {
    busy_ = true;
    Lowest().expires_never();
    remote_ = server_.RemoteAddress(peer_, parser_->get());
    // The I/O context stays alive while a worker has the request.
    guard_.emplace(server_.io.get_executor());
    net::post(server_.workers, [self = this->shared_from_this()] {
      const bool keep_alive = self->parser_->get().keep_alive();
      auto outcome = std::make_shared<Outcome>(
          self->server_.Respond(self->parser_->release(), self->remote_));
      net::post(self->Lowest().get_executor(), [self, outcome, keep_alive] {
        self->guard_.reset();
        self->Send(std::move(*outcome), keep_alive);
      });
    });
  }

  void Send(Outcome outcome, bool keep_alive) {
    response_ = std::move(outcome.response);
    person_ = std::move(outcome.person);
    server_.Finish(response_);
    response_.keep_alive(keep_alive && !server_.Stopping());
    Lowest().expires_after(server_.options.write_timeout);
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](ErrorCode_ ec, std::size_t) {
                        self->OnWrite(ec);
                      });
  }

  void OnWrite(ErrorCode_ ec) {
    server_.Log(remote_.empty() ? Unmapped(peer_.address()).to_string() : remote_, method_, path_,
                static_cast<int>(response_.result_int()), response_.body().size(),
                std::chrono::steady_clock::now() - start_, person_);
    remote_.clear();
    if (ec) return CloseNow();
    if (response_.keep_alive()) return ReadHeader();
    Linger();
  }

  // Closes after the answer: stops sending, then reads and drops what the
  // client still sends for a moment, so that it sees the answer (413) rather
  // than a reset.
  void Linger() {
    busy_ = false;
    ErrorCode_ ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return CloseNow();
    Lowest().expires_after(std::chrono::seconds(1));
    Drain();
  }

  void Drain() {
    Lowest().async_read_some(net::buffer(scratch_),
                             [self = this->shared_from_this()](ErrorCode_ ec, std::size_t n) {
                               self->drained_ += n;
                               if (ec || self->drained_ > kMaxDrain) return self->CloseNow();
                               self->Drain();
                             });
  }

  void CloseNow() {
    ErrorCode_ ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().close();
  }

  static constexpr std::size_t kMaxDrain = 256 * 1024;

  Server::Impl& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  tcp::endpoint peer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpResponse response_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard_;
  std::size_t limit_ = 0;  // the route's body limit
  bool redirect_ = false;  // plain HTTP on the TLS port
  bool busy_ = false;      // answering a request: Close() waits for it
  std::chrono::steady_clock::time_point start_;
  std::string method_;
  std::string path_;
  std::string remote_;
  std::string person_;
  std::array<char, 16 * 1024> scratch_{};
  std::size_t drained_ = 0;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(io), [this](ErrorCode_ ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors and the like: try again shortly rather than spin.
      accept_retry.expires_after(std::chrono::milliseconds(50));
      accept_retry.async_wait([this](ErrorCode_) {
        if (acceptor.is_open()) Accept();
      });
      return;
    }
    OnAccept(std::move(socket));
    Accept();
  });
}

void Server::Impl::OnAccept(tcp::socket socket) {
  ErrorCode_ ec;
  if (Live() >= static_cast<std::size_t>(options.max_connections)) {
    socket.close(ec);
    return;
  }
  // Headers and body may go out in separate writes: without TCP_NODELAY,
  // Nagle and delayed ACKs add 40 ms to keep-alive responses.
  socket.set_option(tcp::no_delay(true), ec);
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return;
  auto session = std::make_shared<Session<beast::tcp_stream>>(
      *this, beast::tcp_stream(std::move(socket)), beast::flat_buffer(), peer);
  if (Register(session)) session->Start();
}

std::size_t Server::Impl::BodyLimit(const HttpRequest& request) {
  const std::string_view target = request.target();
  const auto decoded = PercentDecode(target.substr(0, target.find('?')), false);
  if (!decoded) return 0;
  auto routed = Route(request, *decoded);
  // No tenant: the request is answered 404 once read; a JSON body's limit
  // keeps that answer from turning into a 413.
  if (!routed.Ok()) return options.api.max_json_bytes;
  constexpr std::string_view kApi = "/api/v1/";
  if (!routed->path.starts_with(kApi)) return 0;  // the UI's files take no body
  return routed->api->BodyLimit(request.method_string(),
                                std::string_view(routed->path).substr(kApi.size() - 1));
}

Result<Server::Impl::Routed> Server::Impl::Route(const HttpRequest& request,
                                                 const std::string& path) {
  if (router == nullptr) return Routed{own_api.get(), "", path};
  // Host without the port, in lower case ("[::1]:8080" → "[::1]").
  std::string host(request[http::field::host]);
  const std::size_t bracket = host.rfind(']');
  const std::size_t colon = host.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    host.resize(colon);
  }
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  MAMORI_TRY(auto target, router->Resolve(host, path));
  std::string rest = path.substr(target.prefix.size());
  if (rest.empty()) rest = "/";
  return Routed{target.api, std::move(target.prefix), std::move(rest)};
}

std::string Server::Impl::RemoteAddress(const tcp::endpoint& peer,
                                        const HttpRequest& request) const {
  net::ip::address address = Unmapped(peer.address());
  if (!Trusted(address)) return address.to_string();
  // Each proxy appends the address it got the request from: walk from the
  // right past our own proxies; the first other address is the client's.
  std::vector<std::string> hops;
  const auto [first, last] = request.equal_range("X-Forwarded-For");
  for (auto field = first; field != last; ++field) {
    const std::string_view value = field->value();
    std::size_t at = 0;
    while (at <= value.size()) {
      const std::size_t comma = std::min(value.find(',', at), value.size());
      hops.push_back(Trim(value.substr(at, comma - at)));
      at = comma + 1;
    }
  }
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    ErrorCode_ ec;
    const net::ip::address next = Unmapped(net::ip::make_address(*hop, ec));
    if (ec) break;  // not an address: nothing further left can be believed
    address = next;
    if (!Trusted(address)) break;
  }
  return address.to_string();
}

Outcome Server::Impl::Respond(HttpRequest request, const std::string& remote) {
  const unsigned version = request.version();
  const std::string_view target = request.target();
  const auto bad = [version](std::string_view message_ja, std::string_view message_en) {
    return Outcome{ErrorResponse(version, 400, "bad_request", message_ja, message_en), {}};
  };
  if (!target.starts_with('/')) {
    return bad("要求の宛先が正しくありません", "request target must be a path");
  }
  const std::size_t question = target.find('?');
  const auto path = PercentDecode(target.substr(0, question), false);
  if (!path) return bad("URL の % 表記が正しくありません", "bad percent-encoding in the path");
  if (HasControl(*path)) {
    return bad("URL に制御文字（NUL 等）が含まれています", "control characters in the path");
  }
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  try {
    auto routed = Route(request, *path);
    if (!routed.Ok()) {
      // The UI's own files (scripts, styles, images) are the same for every
      // tenant and hold no data: index.html refers to them from the root.
      if (!path->starts_with("/api/") && !path->starts_with("/t/") &&
          path->find('.') != std::string::npos) {
        return Outcome{RespondStatic(request, *path), {}};
      }
      const bool unknown = routed.Err().Code() == ErrorCode::kNotFound;
      // The installation's operators' API, on a request that names no tenant.
      if (unknown && path->starts_with("/api/v1/installation/")) {
        return RespondApi(nullptr, "", request, *path, query, remote);
      }
      const auto& headline = routed.Err().Headline();
      return Outcome{ErrorResponse(version, unknown ? 404 : 503,
                                   unknown ? "not_found" : "unavailable", headline.message_ja,
                                   headline.message_en),
                     {}};
    }
    if (routed->path.starts_with("/api/")) {
      return RespondApi(routed->api, routed->prefix, request, routed->path, query, remote);
    }
    return Outcome{RespondStatic(request, routed->path), {}};
  } catch (const std::exception&) {
    // Library code (the standard library, JSON) may throw; the client gets
    // a 500 that says nothing about the internals.
    return Outcome{ErrorResponse(version, 500, "internal", "内部エラーが発生しました",
                                 "internal error"),
                   {}};
  }
}

Outcome Server::Impl::RespondApi(Api* api, const std::string& base_path, HttpRequest& request,
                                 const std::string& path, std::string_view query,
                                 const std::string& remote) {
  const unsigned version = request.version();
  if (!path.starts_with("/api/v1/")) {
    return Outcome{ErrorResponse(version, 404, "not_found", "そのAPIはありません",
                                 "no such endpoint"),
                   {}};
  }
  const bool head = request.method() == http::verb::head;
  Call call;
  call.method = head ? "GET" : std::string(request.method_string());
  call.path = path.substr(7);
  std::size_t at = 0;
  while (at < query.size()) {
    const std::size_t amp = std::min(query.find('&', at), query.size());
    const std::string_view pair = query.substr(at, amp - at);
    at = amp + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const auto key = PercentDecode(pair.substr(0, eq), true);
    const auto value =
        PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) {
      return Outcome{ErrorResponse(version, 400, "bad_request", "URL の % 表記が正しくありません",
                                   "bad percent-encoding in the query"),
                     {}};
    }
    call.query.emplace(*key, *value);
  }
  call.body = std::move(request.body());
  call.content_type = std::string(request[http::field::content_type]);
  call.remote_addr = remote;
  call.user_agent = std::string(request[http::field::user_agent]);
  call.session_token =
      CookieValue(request[http::field::cookie],
                  api != nullptr ? api->Options().cookie_name : router->InstallationCookie());
  call.base_path = base_path;
  call.csrf_header = std::string(request["X-CSRF-Token"]);
  std::optional<Api::Response> handled;
  if (api != nullptr) {
    handled = api->Handle(std::move(call));
  } else {
    call.json = Json::parse(call.body, nullptr, false);
    handled = router->HandleInstallation(call);
    if (!handled) {
      return Outcome{ErrorResponse(version, 404, "not_found", "そのAPIはありません",
                                   "no such endpoint"),
                     {}};
    }
  }
  Api::Response& answer = *handled;
  Outcome outcome;
  outcome.person = std::move(answer.person);
  HttpResponse& response = outcome.response;
  response.version(version);
  response.result(static_cast<unsigned>(answer.status));
  for (auto& [name, value] : answer.headers) response.insert(name, value);
  response.set(http::field::cache_control, "no-store");
  if (!answer.content_type.empty()) {
    response.set(http::field::content_type, answer.content_type);
    response.body() = std::move(answer.body);
  }
  response.prepare_payload();
  if (head) response.body().clear();  // Content-Length stays that of GET
  return outcome;
}

HttpResponse Server::Impl::RespondStatic(const HttpRequest& request, const std::string& path) {
  const unsigned version = request.version();
  const auto not_found = [version] {
    return ErrorResponse(version, 404, "not_found", "ページがありません", "not found");
  };
  if (web_root.empty()) return not_found();
  const bool head = request.method() == http::verb::head;
  if (request.method() != http::verb::get && !head) {
    HttpResponse response = ErrorResponse(version, 405, "method_not_allowed",
                                          "このメソッドは使用できません", "method not allowed");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }
  // No segment may climb out of the root (browsers remove dot segments,
  // so these come only from tools and attacks).
  std::size_t at = 0;
  while (at < path.size()) {
    const std::size_t slash = std::min(path.find('/', at), path.size());
    const std::string_view segment = std::string_view(path).substr(at, slash - at);
    if (segment == ".." || segment == "." || segment.find('\\') != std::string_view::npos) {
      return ErrorResponse(version, 400, "bad_request", "URL のパスが正しくありません",
                           "dot segments in the path");
    }
    at = slash + 1;
  }
  HttpResponse response{http::status::ok, version};
  if (path.find('.') == std::string::npos) {
    // Client-side routes (/, /inbox, /requests/3) get the app's index.html.
    response.set(http::field::content_type, "text/html; charset=utf-8");
    response.set(http::field::cache_control, "no-cache");
    response.body() = index_html;
  } else {
    std::error_code ec;
    const std::filesystem::path file =
        std::filesystem::weakly_canonical(web_root / std::filesystem::path(path).relative_path(),
                                          ec);
    if (ec) return not_found();
    // Symlinks resolved: the file must still be under the root.
    const auto relative = file.lexically_relative(web_root);
    if (relative.empty() || *relative.begin() == ".." || !std::filesystem::is_regular_file(file)) {
      return not_found();
    }
    auto bytes = ReadFile(file);
    if (!bytes.Ok()) return not_found();
    response.set(http::field::content_type, MimeType(file));
    response.body() = std::move(bytes).Value();
  }
  response.prepare_payload();
  if (head) response.body().clear();
  return response;
}

void Server::Impl::Finish(HttpResponse& response) const {
  // The UI loads nothing from elsewhere, is never framed, and sends no
  // referrer (CSP as a second line against injected script).
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
  if (tls || options.api.secure_cookies) {
    response.set(http::field::strict_transport_security, "max-age=31536000");
  }
  if (!response.has_content_length() && !response.chunked()) response.prepare_payload();
}

void Server::Impl::Log(const std::string& remote, std::string_view method, std::string_view path,
                       int status, std::size_t bytes, std::chrono::steady_clock::duration elapsed,
                       const std::string& person) {
  if (options.access_log == nullptr) return;
  const Json line{
      {"time", FormatUtc(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()))},
      {"remote", remote},
      {"method", method},
      {"path", path},
      {"status", status},
      {"bytes", bytes},
      {"ms", std::chrono::duration<double, std::milli>(elapsed).count()},
      {"person", person}};
  std::lock_guard lock(log_mutex);
  *options.access_log << line.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  options.access_log->flush();
}

Server::Server(ledger::Ledger& ledger, ServeOptions options)
    : impl_(std::make_unique<Impl>(ledger, std::move(options))) {}

Server::Server(TenantRouter& router, ServeOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

Server::~Server() {
  Stop();
  impl_->workers.join();
}

Api& Server::GetApi() { return *impl_->own_api; }

Result<int> Server::Bind() {
  auto& options = impl_->options;
  const std::string& root = options.web_root;
  if (!root.empty()) {
    std::error_code ec;
    impl_->web_root = std::filesystem::canonical(root, ec);
    if (ec) {
      return Error(ErrorCode::kNotFound, "画面のフォルダがありません: " + root,
                   "web root not found: " + root, Where{"", 0, "web-root"});
    }
    MAMORI_TRY(impl_->index_html, ReadFile(impl_->web_root / "index.html"));
  }
  impl_->trusted.clear();
  for (const std::string& proxy : options.trusted_proxies) {
    MAMORI_TRY(Network network, ParseNetwork(proxy));
    impl_->trusted.push_back(network);
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "TLS には証明書（--tls-cert）と秘密鍵（--tls-key）の両方が必要です",
                 "TLS needs both --tls-cert and --tls-key", Where{"", 0, "tls-cert"});
  }
  if (!options.tls_cert.empty()) {
    auto& tls = impl_->tls.emplace(ssl::context::tls_server);
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                    ssl::context::no_compression);
    SSL_CTX* native = tls.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    // Mozilla's "intermediate" TLS 1.2 suites (forward secrecy, AEAD only);
    // TLS 1.3 uses OpenSSL's defaults, all of which are sound.
    SSL_CTX_set_cipher_list(native,
                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384");
    ErrorCode_ ec;
    tls.use_certificate_chain_file(options.tls_cert, ec);
    if (ec) {
      return Error(ErrorCode::kInvalidArgument,
                   "TLS 証明書を読めません: " + options.tls_cert + "（" + ec.message() + "）",
                   "cannot load the TLS certificate " + options.tls_cert + ": " + ec.message(),
                   Where{options.tls_cert, 0, "tls-cert"});
    }
    tls.use_private_key_file(options.tls_key, ssl::context::pem, ec);
    if (ec || SSL_CTX_check_private_key(native) != 1) {
      return Error(ErrorCode::kInvalidArgument,
                   "TLS 秘密鍵を読めないか、証明書と対になっていません: " + options.tls_key,
                   "cannot load the TLS key " + options.tls_key +
                       " or it does not match the certificate",
                   Where{options.tls_key, 0, "tls-key"});
    }
  }
  const std::string where = options.host + ":" + std::to_string(options.port);
  const auto cannot = [&where](const ErrorCode_& ec) {
    return Error(ErrorCode::kIo, where + " で待ち受けできません（" + ec.message() + "）",
                 "cannot listen on " + where + ": " + ec.message());
  };
  ErrorCode_ ec;
  tcp::resolver resolver(impl_->io);
  const auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                          tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) return cannot(ec);
  const tcp::endpoint endpoint = *endpoints.begin();
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    ErrorCode_ ignored;
    acceptor.close(ignored);
    return cannot(ec);
  }
  const tcp::endpoint bound = acceptor.local_endpoint(ec);
  if (ec) return cannot(ec);
  return static_cast<int>(bound.port());
}

void Server::Run() {
  if (!impl_->acceptor.is_open()) return;
  impl_->Accept();
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->options.io_threads; ++i) {
    extra.emplace_back([this] { impl_->io.run(); });
  }
  impl_->io.run();
  for (auto& thread : extra) thread.join();
  impl_->workers.join();
}

void Server::Stop() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(impl_->connections_mutex);
    if (impl_->stopping.exchange(true)) return;
    for (auto& [key, weak] : impl_->connections) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    ErrorCode_ ec;
    impl->acceptor.close(ec);
    impl->accept_retry.cancel();
  });
  for (auto& connection : open) connection->Close();
}

}  // namespace mamori::server
