// The transport (server.cc) under hostile clients: slow readers, oversized
// and endless bodies, odd static paths, TLS, and X-Forwarded-For. Raw
// sockets on 127.0.0.1 so that each test controls every byte sent.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <chrono>
#include <functional>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "auth/accounts.h"
#include "ledger/test_support.h"
#include "server/server.h"

namespace mamori::server {
namespace {

using ledger::testing::SeedOrganization;
using ledger::testing::TempLedger;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;
namespace net = boost::asio;
namespace ssl = net::ssl;

// An access log the test can read while the server writes it.
class SyncLog : public std::streambuf {
 public:
  std::string Text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  int overflow(int c) override {
    if (c == EOF) return 0;
    std::lock_guard lock(mutex_);
    text_ += static_cast<char>(c);
    return c;
  }
  std::streamsize xsputn(const char* data, std::streamsize n) override {
    std::lock_guard lock(mutex_);
    text_.append(data, static_cast<std::size_t>(n));
    return n;
  }

 private:
  std::mutex mutex_;
  std::string text_;
};

// A blocking TCP connection to the server; every call is bounded by `wait`.
class Socket {
 public:
  explicit Socket(int port, int send_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (send_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~Socket() { close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  bool Connected() const { return connected_; }

  // Sends what the socket takes now; -1 when the server has closed.
  long SendSome(std::string_view data) {
    const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    return n;
  }
  bool SendAll(std::string_view data, std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    const auto deadline = Clock::now() + wait;
    while (!data.empty() && Clock::now() < deadline) {
      const long n = SendSome(data);
      if (n < 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
      if (n == 0) Poll(POLLOUT, std::chrono::milliseconds(10));
    }
    return data.empty();
  }
  // Whether the server has something to say (an answer or a close).
  bool Readable(std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    return Poll(POLLIN, wait);
  }
  // Reads until the server closes or `wait` passes.
  std::string ReadAll(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    std::string out;
    const auto deadline = Clock::now() + wait;
    char buffer[16384];
    while (Clock::now() < deadline) {
      if (!Poll(POLLIN, std::chrono::milliseconds(20))) continue;
      const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }
  bool Closed() const { return closed_; }

 private:
  bool Poll(short events, std::chrono::milliseconds wait) {
    pollfd entry{fd_, events, 0};
    return poll(&entry, 1, static_cast<int>(wait.count())) > 0;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
};

int StatusOf(const std::string& response) {
  if (response.size() < 12 || !response.starts_with("HTTP/1.")) return -1;
  return std::atoi(response.substr(9, 3).c_str());
}

std::string BodyOf(const std::string& response) {
  const std::size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ledger_ = std::make_unique<TempLedger>("transport_" + name);
    SeedOrganization(**ledger_);
    auth_.cost = auth::HashCost::Fast();
    dir_ = std::filesystem::temp_directory_path() /
           ("mamori_transport_" + name + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    if (server_) {
      server_->Stop();
      thread_.join();
      server_.reset();
    }
    std::filesystem::remove_all(dir_);
  }

  ServeOptions Options() {
    ServeOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.api.auth = auth_;
    options.access_log = &log_stream_;
    return options;
  }

  void Start(ServeOptions options) {
    server_ = std::make_unique<Server>(**ledger_, std::move(options));
    auto port = server_->Bind();
    ASSERT_TRUE(port.Ok()) << port.Err().ToString();
    port_ = *port;
    thread_ = std::thread([this] { server_->Run(); });
  }

  // One request on its own connection (Connection: close); the whole answer.
  std::string Request(const std::string& head_and_body,
                      std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    Socket socket(port_);
    EXPECT_TRUE(socket.Connected());
    EXPECT_TRUE(socket.SendAll(head_and_body));
    return socket.ReadAll(wait);
  }

  std::string Get(const std::string& target, const std::string& extra_headers = "") {
    return Request("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                   extra_headers + "\r\n");
  }

  // The access log's lines, once `count` are there (written after each
  // answer has gone out).
  std::vector<Json> LogLines(std::size_t count) {
    std::vector<Json> lines;
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < deadline) {
      lines.clear();
      std::istringstream in(log_.Text());
      for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
      if (lines.size() >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return lines;
  }

  std::unique_ptr<TempLedger> ledger_;
  auth::Options auth_;
  std::filesystem::path dir_;
  SyncLog log_;
  std::ostream log_stream_{&log_};
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// ---------------------------------------------------------------------------
// Slow clients

TEST_F(TransportTest, FiftySlowClientsDoNotStopHealth) {
  Start(Options());
  std::vector<std::unique_ptr<Socket>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<Socket>(port_));
    ASSERT_TRUE(slow.back()->Connected());
  }
  const std::string header = "GET /api/v1/health HTTP/1.1\r\nHost: slow\r\nX-Pad: aaaaaaaa";
  std::vector<double> probes;
  // A header byte per second on each slow connection, for four seconds;
  // /health probed between the bytes.
  for (std::size_t second = 0; second < 4; ++second) {
    for (auto& socket : slow) ASSERT_EQ(socket->SendSome(header.substr(second, 1)), 1);
    for (int probe = 0; probe < 4; ++probe) {
      const auto start = Clock::now();
      const std::string response = Get("/api/v1/health");
      probes.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      EXPECT_EQ(StatusOf(response), 200) << response;
      EXPECT_THAT(BodyOf(response), HasSubstr("\"ok\""));
      std::this_thread::sleep_for(std::chrono::milliseconds(240));
    }
  }
  ASSERT_EQ(probes.size(), 16u);
  // Under 100 ms (the old thread-per-connection server took the full 10 s
  // read timeout); the machine running the tests may be shared, so one
  // probe in eight may be slower, but never by seconds.
  std::sort(probes.begin(), probes.end());
  EXPECT_LT(probes[13], 100.0) << "90th percentile";
  EXPECT_LT(probes.back(), 1000.0) << "slowest";
  // The slow ones are still being waited for (their deadline is 10 s).
  for (auto& socket : slow) EXPECT_FALSE(socket->Readable());
}

TEST_F(TransportTest, HeaderDeadlineClosesASlowClient) {
  ServeOptions options = Options();
  options.header_timeout = std::chrono::milliseconds(600);
  Start(options);
  Socket slow(port_);
  ASSERT_TRUE(slow.Connected());
  const std::string header = "GET /api/v1/health HTTP/1.1\r\nHost: slow\r\n";
  const auto start = Clock::now();
  // A byte every 100 ms never finishes the header within 600 ms.
  for (std::size_t i = 0; i < header.size() && !slow.Readable(); ++i) {
    if (slow.SendSome(header.substr(i, 1)) < 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string rest = slow.ReadAll(std::chrono::seconds(3));
  EXPECT_TRUE(slow.Closed());
  EXPECT_EQ(rest, "");
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2500));
}

TEST_F(TransportTest, KeepAliveServesSeveralRequests) {
  Start(Options());
  Socket socket(port_);
  ASSERT_TRUE(socket.Connected());
  const std::string request = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_TRUE(socket.SendAll(request + request + request));
  std::string answers;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  std::size_t seen = 0;
  while (Clock::now() < deadline && seen < 3) {
    answers += socket.ReadAll(std::chrono::milliseconds(100));
    seen = 0;
    for (std::size_t at = answers.find("HTTP/1.1 200"); at != std::string::npos;
         at = answers.find("HTTP/1.1 200", at + 1)) {
      ++seen;
    }
  }
  EXPECT_EQ(seen, 3u) << answers;
  EXPECT_FALSE(socket.Closed());
}

// ---------------------------------------------------------------------------
// Body limits while reading

// Sends `body_chunk` repeatedly after `head` until the server answers or
// closes, or `total` bytes went out; returns the bytes it took and the answer.
std::pair<std::size_t, std::string> Flood(int port, const std::string& head,
                                          const std::string& body_chunk, std::size_t total) {
  Socket socket(port, /*send_buffer=*/8 * 1024);
  EXPECT_TRUE(socket.Connected());
  EXPECT_TRUE(socket.SendAll(head));
  std::size_t sent = 0;
  std::string_view pending;
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (sent < total && Clock::now() < deadline && !socket.Readable()) {
    if (pending.empty()) pending = body_chunk;
    const long n = socket.SendSome(pending);
    if (n < 0) break;
    if (n == 0) {
      socket.Readable(std::chrono::milliseconds(5));
      continue;
    }
    pending.remove_prefix(static_cast<std::size_t>(n));
    sent += static_cast<std::size_t>(n);
  }
  return {sent, socket.ReadAll(std::chrono::seconds(3))};
}

TEST_F(TransportTest, ChunkedSignInIsRefusedAtTheLimitWhileReading) {
  Start(Options());
  const std::size_t limit = server_->GetApi().BodyLimit("POST", "/auth/sign-in");
  ASSERT_LE(limit, 8u * 1024);
  const std::string head =
      "POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  // 1000-byte chunks: the limit is passed by the sum, not by one chunk.
  const std::string chunk = "3e8\r\n" + std::string(1000, 'a') + "\r\n";
  const std::size_t hundred_mb = std::size_t{100} << 20;
  auto [sent, answer] = Flood(port_, head, chunk, hundred_mb);
  EXPECT_EQ(StatusOf(answer), 413) << answer.substr(0, 200);
  EXPECT_THAT(BodyOf(answer), HasSubstr("payload_too_large"));
  // What went out: the limit, plus what the kernel buffers on both sides
  // (tens of KiB on loopback), plus the drain after the answer — a far cry
  // from the 100 MB offered.
  EXPECT_LT(sent, std::size_t{2} << 20) << sent;
}

TEST_F(TransportTest, ContentLengthPastTheLimitIsRefusedBeforeTheBody) {
  Start(Options());
  for (const std::string path : {"/api/v1/auth/sign-in", "/api/v1/registers/asset/import"}) {
    const std::string head = "POST " + path +
                             " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
                             "Content-Length: 20971520\r\n\r\n";
    auto [sent, answer] = Flood(port_, head, std::string(64 * 1024, 'x'), std::size_t{20} << 20);
    EXPECT_EQ(StatusOf(answer), 413) << path << ": " << answer.substr(0, 200);
    EXPECT_LT(sent, std::size_t{2} << 20) << path;
  }
}

TEST_F(TransportTest, BodiesWithinTheLimitAreRead) {
  Start(Options());
  const std::string json = R"({"login":"nobody","password":"wrong-password-1"})";
  std::ostringstream hex;
  hex << std::hex << json.size();
  const std::string chunked = Request(
      "POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
      hex.str() + "\r\n" + json + "\r\n0\r\n\r\n");
  const int chunked_status = StatusOf(chunked);
  EXPECT_TRUE(chunked_status == 401 || chunked_status == 400) << chunked;
  // curl sends Expect: 100-continue before a large upload.
  Socket socket(port_);
  ASSERT_TRUE(socket.SendAll(
      "POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
      std::to_string(json.size()) + "\r\n\r\n"));
  ASSERT_TRUE(socket.Readable(std::chrono::seconds(2)));
  ASSERT_TRUE(socket.SendAll(json));
  const std::string answer = socket.ReadAll();
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 "));
  EXPECT_EQ(StatusOf(answer.substr(25)), chunked_status) << answer;
}

// ---------------------------------------------------------------------------
// Static paths

TEST_F(TransportTest, StaticPathsStayInTheRootAndRefuseControlCharacters) {
  const auto root = dir_ / "dist";
  std::filesystem::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<!doctype html><title>INDEX</title>";
  std::ofstream(root / "assets" / "app.js") << "console.log('app');";
  std::ofstream(dir_ / "secret.js") << "SECRET";
  std::filesystem::create_symlink(dir_ / "secret.js", root / "assets" / "leak.js");
  ServeOptions options = Options();
  options.web_root = root.string();
  Start(options);

  const std::string app = Get("/assets/app.js");
  EXPECT_EQ(StatusOf(app), 200);
  EXPECT_THAT(app, HasSubstr("Content-Type: text/javascript"));
  EXPECT_THAT(app, HasSubstr("X-Content-Type-Options: nosniff"));
  EXPECT_THAT(app, HasSubstr("Content-Security-Policy: default-src 'self'"));
  const std::string route = Get("/requests/3");
  EXPECT_EQ(StatusOf(route), 200);
  EXPECT_THAT(route, HasSubstr("Content-Type: text/html"));
  EXPECT_THAT(BodyOf(route), HasSubstr("INDEX"));

  for (const std::string target :
       {"/index.html%00.js", "/assets/app.js%00", "/index%01.html", "/a%0d%0aSet-Cookie:x.js",
        "/index.html%7f.js", "/%2e%2e/secret.js", "/assets/%2E%2E/%2E%2E/secret.js",
        "/assets/../../secret.js", "/bad%zz.js"}) {
    const std::string response = Get(target);
    EXPECT_EQ(StatusOf(response), 400) << target << "\n" << response;
    EXPECT_THAT(response, Not(HasSubstr("INDEX"))) << target;
    EXPECT_THAT(response, Not(HasSubstr("SECRET"))) << target;
    EXPECT_THAT(response, Not(HasSubstr("text/javascript"))) << target;
  }
  // A symlink out of the root, and a missing file.
  EXPECT_EQ(StatusOf(Get("/assets/leak.js")), 404);
  EXPECT_EQ(StatusOf(Get("/assets/missing.js")), 404);
  EXPECT_EQ(StatusOf(Request("POST /assets/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                             "Content-Length: 0\r\n\r\n")),
            405);
  // The API's paths get the same check.
  EXPECT_EQ(StatusOf(Get("/api/v1/health%00")), 400);
  EXPECT_EQ(StatusOf(Get("/api/v1/health")), 200);
}

// ---------------------------------------------------------------------------
// TLS

class TlsTest : public TransportTest {
 protected:
  void SetUp() override {
    TransportTest::SetUp();
    cert_ = (dir_ / "cert.pem").string();
    key_ = (dir_ / "key.pem").string();
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key_ + "' -out '" + cert_ + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    ServeOptions options = Options();
    options.tls_cert = cert_;
    options.tls_key = key_;
    Start(options);
  }

  struct TlsAnswer {
    boost::system::error_code handshake;
    std::string response;
  };

  // One request over TLS, the server's certificate checked against the one
  // the test made; max_version limits what the client offers.
  TlsAnswer TlsRequest(const std::string& request, int max_version = 0) {
    net::io_context io;
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(cert_);
    context.set_verify_mode(ssl::verify_peer);
    if (max_version != 0) {
      // An old client: offers TLS 1.0/1.1 with every cipher it knows, so that
      // the refusal is the server's.
      SSL_CTX_set_security_level(context.native_handle(), 0);
      SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(context.native_handle(), max_version);
      SSL_CTX_set_cipher_list(context.native_handle(), "ALL:@SECLEVEL=0");
    }
    ssl::stream<net::ip::tcp::socket> stream(io, context);
    stream.next_layer().connect(
        net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)));
    TlsAnswer answer;
    stream.handshake(ssl::stream_base::client, answer.handshake);
    if (answer.handshake) return answer;
    boost::system::error_code ec;
    net::write(stream, net::buffer(request), ec);
    EXPECT_FALSE(ec) << ec.message();
    char buffer[16384];
    for (;;) {
      const std::size_t n = stream.read_some(net::buffer(buffer), ec);
      answer.response.append(buffer, n);
      if (ec) break;
    }
    return answer;
  }

  std::string cert_;
  std::string key_;
};

TEST_F(TlsTest, ServesHttpsWithSecureCookieAndHsts) {
  const TlsAnswer health =
      TlsRequest("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  ASSERT_FALSE(health.handshake) << health.handshake.message();
  EXPECT_EQ(StatusOf(health.response), 200) << health.response;
  EXPECT_THAT(health.response, HasSubstr("Strict-Transport-Security: max-age=31536000"));

  auto password = auth::CreateAccount(**ledger_, "c1", "s1", auth_);
  ASSERT_TRUE(password.Ok()) << password.Err().ToString();
  const std::string body = Json{{"login", "s1"}, {"password", *password}}.dump();
  const TlsAnswer sign_in = TlsRequest(
      "POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_FALSE(sign_in.handshake);
  EXPECT_EQ(StatusOf(sign_in.response), 200) << sign_in.response;
  const std::size_t cookie = sign_in.response.find("Set-Cookie: mamori_session=");
  ASSERT_NE(cookie, std::string::npos) << sign_in.response;
  const std::string line =
      sign_in.response.substr(cookie, sign_in.response.find("\r\n", cookie) - cookie);
  EXPECT_THAT(line, HasSubstr("; Secure"));
  EXPECT_THAT(line, HasSubstr("HttpOnly"));
}

TEST_F(TlsTest, RefusesTls10And11) {
  for (const int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    const TlsAnswer old = TlsRequest("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", version);
    ASSERT_TRUE(old.handshake) << version;
    // The server said no (a protocol_version alert), not the client.
    EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(old.handshake.value())),
              SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
        << version << ": " << old.handshake.message();
  }
  const TlsAnswer modern = TlsRequest(
      "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", TLS1_2_VERSION);
  ASSERT_FALSE(modern.handshake) << modern.handshake.message();
  EXPECT_EQ(StatusOf(modern.response), 200);
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortIsRedirected) {
  const auto start = Clock::now();
  const std::string response = Request("GET /requests/3?tab=log HTTP/1.1\r\nHost: 127.0.0.1:" +
                                       std::to_string(port_) + "\r\n\r\n");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(StatusOf(response), 301) << response;
  EXPECT_THAT(response, HasSubstr("Location: https://127.0.0.1:" + std::to_string(port_) +
                                  "/requests/3?tab=log\r\n"));
  // A Host that is not a host name gets a refusal, never a redirect there.
  const std::string bad = Request("GET / HTTP/1.1\r\nHost: evil.example/x@y\r\n\r\n");
  EXPECT_EQ(StatusOf(bad), 400) << bad;
}

// ---------------------------------------------------------------------------
// Reverse proxies

TEST_F(TransportTest, ForwardedForIsIgnoredFromAnUntrustedPeer) {
  Start(Options());
  EXPECT_EQ(StatusOf(Get("/api/v1/health", "X-Forwarded-For: 203.0.113.9\r\n")), 200);
  const auto lines = LogLines(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["remote"], "127.0.0.1");
  EXPECT_EQ(lines[0]["path"], "/api/v1/health");
  EXPECT_EQ(lines[0]["status"], 200);
}

TEST_F(TransportTest, ForwardedForIsUsedFromATrustedProxy) {
  ServeOptions options = Options();
  options.trusted_proxies = {"127.0.0.1", "192.0.2.0/24"};
  Start(options);
  // The rightmost address that is not one of our proxies is the client.
  Get("/api/v1/health", "X-Forwarded-For: 198.51.100.7, 203.0.113.9\r\n");
  Get("/api/v1/health", "X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-For: 192.0.2.10\r\n");
  Get("/api/v1/health", "X-Forwarded-For: not-an-address\r\n");
  Get("/api/v1/health");
  const auto lines = LogLines(4);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["remote"], "203.0.113.9");
  EXPECT_EQ(lines[1]["remote"], "198.51.100.7");
  EXPECT_EQ(lines[2]["remote"], "127.0.0.1");
  EXPECT_EQ(lines[3]["remote"], "127.0.0.1");
}

TEST_F(TransportTest, BadOptionsAreRefusedAtBind) {
  for (const auto& change : std::vector<std::function<void(ServeOptions&)>>{
           [](ServeOptions& o) { o.trusted_proxies = {"10.0.0.0/33"}; },
           [](ServeOptions& o) { o.trusted_proxies = {"proxy.example"}; },
           [](ServeOptions& o) { o.tls_cert = "/nonexistent/cert.pem"; },
           [this](ServeOptions& o) {
             o.tls_cert = (dir_ / "missing.pem").string();
             o.tls_key = (dir_ / "missing.key").string();
           }}) {
    ServeOptions options = Options();
    change(options);
    Server server(**ledger_, options);
    EXPECT_FALSE(server.Bind().Ok());
  }
}

TEST_F(TransportTest, StopFinishesAndReturns) {
  Start(Options());
  Socket idle(port_);  // an idle keep-alive connection does not hold Stop up
  ASSERT_TRUE(idle.Connected());
  EXPECT_EQ(StatusOf(Get("/api/v1/health")), 200);
  const auto start = Clock::now();
  server_->Stop();
  thread_.join();
  server_.reset();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  idle.ReadAll(std::chrono::seconds(1));
  EXPECT_TRUE(idle.Closed());
}

}  // namespace
}  // namespace mamori::server
