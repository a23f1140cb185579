// `mamori serve`: the HTTP server (cpp-httplib) in front of the API
// (/api/v1, api.h) and the built web UI (web/dist). It adds what HTTP needs
// and the API does not: cookies and headers in and out, security headers, a
// structured access log, the UI's files with index.html for client routes,
// and a graceful stop.
//
//   Server server(ledger, options);
//   MAMORI_TRY(int port, server.Bind());
//   std::thread stopper(...server.Stop() on SIGTERM...);
//   server.Run();  // returns after Stop(), once running requests are done
//
// Thread safety: Stop() may be called from any thread.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "server/api.h"

namespace mamori::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;       // 0: any free port (tests)
  std::string web_root;  // the built UI; empty: API only
  int threads = 8;
  std::ostream* access_log = nullptr;  // one JSON object per line; nullptr: none
  ApiOptions api;
};

class Server {
 public:
  Server(ledger::Ledger& ledger, ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port.
  Result<int> Bind();
  // Serves until Stop().
  void Run();
  void Stop();
  Api& GetApi();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mamori::server
