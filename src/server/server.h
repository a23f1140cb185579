// `mamori serve`: the HTTP(S) server (Boost.Beast on Boost.Asio, OpenSSL for
// TLS) in front of the API (/api/v1, api.h) and the built web UI (web/dist).
// It adds what HTTP needs and the API does not: cookies and headers in and
// out, security headers (HSTS with TLS), a structured access log, the UI's
// files with index.html for client routes, and a graceful stop.
//
// Transport (docs/api.md "Serving"): a few I/O threads read and write every
// connection asynchronously, with a deadline on the whole header and on the
// whole body, so a slow client holds no thread; a request goes to the worker
// pool (`threads`, where the API's blocking SQLite work runs) only once it
// has been read in full. The body is refused with 413 while it is read, at
// the route's limit (Api::BodyLimit), whether sent with Content-Length or
// chunked. Behind a reverse proxy, X-Forwarded-For names the client only
// when the peer is a trusted proxy.
//
//   Server server(ledger, options);
//   MAMORI_TRY(int port, server.Bind());
//   std::thread stopper(...server.Stop() on SIGTERM...);
//   server.Run();  // returns after Stop(), once running requests are done
//
// Thread safety: Stop() may be called from any thread.
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/api.h"

namespace mamori::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;       // 0: any free port (tests)
  std::string web_root;  // the built UI; empty: API only
  int threads = 8;       // workers running API handlers
  int io_threads = 2;    // reading and writing connections
  std::ostream* access_log = nullptr;  // one JSON object per line; nullptr: none
  // HTTPS: a PEM certificate chain and its private key (both or neither).
  // TLS 1.2 and later only; plain HTTP on the port is redirected to https://.
  // TLS also marks the session cookie Secure and sends HSTS.
  std::string tls_cert;
  std::string tls_key;
  // Proxies whose X-Forwarded-For is believed: addresses or networks
  // ("10.0.0.5", "10.0.0.0/24", "::1").
  std::vector<std::string> trusted_proxies;
  int max_connections = 1000;  // more are closed on accept
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // the whole header, from the first read
  std::chrono::milliseconds body_timeout{60'000};    // the whole body
  std::chrono::milliseconds write_timeout{30'000};   // the whole response
  ApiOptions api;  // api.secure_cookies: a TLS proxy is in front (also sends HSTS)
};

// Which organization's API serves a request, when one process serves the
// tenants of an installation (`mamori serve --installation`, tenant_router.h).
// A tenant is reached by path (/t/<id>/…, the prefix is taken off before the
// API or the UI's files see the path) or by one of its host names (Host
// header). Each tenant has an Api of its own: its ledger, its sessions, its
// cookie (ApiOptions::cookie_name); nothing is shared between them.
//
// Thread safety: Resolve is called from the server's threads at once.
class TenantRouter {
 public:
  virtual ~TenantRouter() = default;
  struct Target {
    Api* api = nullptr;  // lives as long as the router
    std::string prefix;  // "/t/<id>" when reached by path, "" by host name
  };
  // The tenant for `host` (lower case, without port) and `path` (decoded).
  // kNotFound with a message naming the tenant when there is none or it is
  // disabled (the server answers 404); other errors answer 503.
  virtual Result<Target> Resolve(std::string_view host, std::string_view path) = 0;
  // The installation's own API for its operators (/api/v1/installation/…,
  // only on a request that names no tenant); nullopt when there is none
  // (404). `call.path` is relative to /api/v1; `call.session_token` holds
  // the cookie named InstallationCookie().
  virtual std::optional<Api::Response> HandleInstallation(Call& call) {
    (void)call;
    return std::nullopt;
  }
  virtual std::string InstallationCookie() const { return "mamori_operator"; }
};

class Server {
 public:
  // Serves one ledger (`mamori serve --db`).
  Server(ledger::Ledger& ledger, ServeOptions options);
  // Serves the tenants `router` resolves (`options.api` is not used: each
  // tenant's Api has its own). GetApi() must not be called.
  Server(TenantRouter& router, ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the UI's index.html and the TLS certificate, and binds the
  // listening socket; returns the port.
  Result<int> Bind();
  // Serves until Stop().
  void Run();
  void Stop();
  Api& GetApi();

  struct Impl;  // server.cc

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mamori::server
