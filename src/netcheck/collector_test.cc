// The live collector: IPFIX sent by libfixbuf's own exporter and a NetFlow
// v9 export packet built byte by byte (RFC 3954 §5) to a collector on
// loopback; the alert limiter on a hand-moved clock.
#include "netcheck/collector.h"

#include <arpa/inet.h>
#include <fixbuf/public.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace mamori::netcheck {
namespace {

// A free UDP port on loopback (bound and released; the collector binds it next).
std::string FreeUdpPort() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return std::to_string(ntohs(address.sin_port));
}

// Runs a collector on its own thread and gathers what it passes on, until
// `expected` flows came or five seconds passed.
struct Running {
  std::unique_ptr<FlowCollector> collector;
  std::vector<Flow> flows;
  std::mutex mutex;
  std::promise<void> enough;
  std::size_t expected = 0;
  std::thread thread;
  Status status;

  void Start() {
    thread = std::thread([this] {
      status = collector->Run([this](const Flow& flow) {
        std::lock_guard lock(mutex);
        flows.push_back(flow);
        if (flows.size() == expected) enough.set_value();
      });
    });
  }
  bool WaitAndStop() {
    const bool got = enough.get_future().wait_for(std::chrono::seconds(5)) ==
                     std::future_status::ready;
    collector->Stop();
    thread.join();
    return got;
  }
};

TEST(ParseListenAddressTest, AcceptsIpv4AndBracketedIpv6) {
  auto v4 = ParseListenAddress("127.0.0.1:4739", CollectorProtocol::kIpfix);
  ASSERT_TRUE(v4.Ok()) << v4.Err().ToString();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, "4739");
  auto v6 = ParseListenAddress("[::1]:2055", CollectorProtocol::kNetflowV9);
  ASSERT_TRUE(v6.Ok()) << v6.Err().ToString();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->protocol, CollectorProtocol::kNetflowV9);
}

TEST(ParseListenAddressTest, RefusesWhatIsNotAnAddressAndPort) {
  for (const char* bad : {"127.0.0.1", "::1:2055", "[::1]2055", "localhost:4739", "127.0.0.1:0",
                          "127.0.0.1:65536", "127.0.0.1:47a9", "127.0.0.1:"}) {
    auto parsed = ParseListenAddress(bad, CollectorProtocol::kIpfix);
    ASSERT_FALSE(parsed.Ok()) << bad;
    EXPECT_EQ(parsed.Err().Code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.Err().ToString().find(bad), std::string::npos) << parsed.Err().ToString();
  }
}

TEST(FlowCollectorTest, APortInUseIsAClearError) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  CollectorOptions options;
  options.port = std::to_string(ntohs(address.sin_port));
  auto collector = FlowCollector::Open(options);
  close(fd);
  ASSERT_FALSE(collector.Ok());
  EXPECT_EQ(collector.Err().Code(), ErrorCode::kIo);
  EXPECT_NE(collector.Err().ToString().find("127.0.0.1:" + options.port), std::string::npos);
}

// IPFIX from libfixbuf's exporter: one IPv4 template, one IPv6 template.
struct V4Record {
  std::uint64_t start_ms;
  std::uint64_t octets;
  std::uint32_t source;
  std::uint32_t destination;
  std::uint16_t source_port;
  std::uint16_t destination_port;
  std::uint8_t protocol;
  std::uint8_t padding[3];
};
struct V6Record {
  std::uint8_t source[16];
  std::uint8_t destination[16];
  std::uint16_t source_port;
  std::uint16_t destination_port;
  std::uint8_t protocol;
  std::uint8_t padding[3];
};

fbInfoElementSpec_t kV4Specs[] = {{const_cast<char*>("flowStartMilliseconds"), 8, 0},
                                  {const_cast<char*>("octetDeltaCount"), 8, 0},
                                  {const_cast<char*>("sourceIPv4Address"), 4, 0},
                                  {const_cast<char*>("destinationIPv4Address"), 4, 0},
                                  {const_cast<char*>("sourceTransportPort"), 2, 0},
                                  {const_cast<char*>("destinationTransportPort"), 2, 0},
                                  {const_cast<char*>("protocolIdentifier"), 1, 0},
                                  {const_cast<char*>("paddingOctets"), 3, 0},
                                  FB_IESPEC_NULL};
fbInfoElementSpec_t kV6Specs[] = {{const_cast<char*>("sourceIPv6Address"), 16, 0},
                                  {const_cast<char*>("destinationIPv6Address"), 16, 0},
                                  {const_cast<char*>("sourceTransportPort"), 2, 0},
                                  {const_cast<char*>("destinationTransportPort"), 2, 0},
                                  {const_cast<char*>("protocolIdentifier"), 1, 0},
                                  {const_cast<char*>("paddingOctets"), 3, 0},
                                  FB_IESPEC_NULL};

std::uint16_t AddTemplate(fbSession_t* session, fbInfoModel_t* model, fbInfoElementSpec_t* specs) {
  GError* error = nullptr;
  fbTemplate_t* tmpl = fbTemplateAlloc(model);
  EXPECT_TRUE(fbTemplateAppendSpecArray(tmpl, specs, 0xffffffff, &error));
  const std::uint16_t id = fbSessionAddTemplate(session, TRUE, FB_TID_AUTO, tmpl, &error);
  EXPECT_NE(fbSessionAddTemplate(session, FALSE, id, tmpl, &error), 0);
  return id;
}

TEST(FlowCollectorTest, ReadsIpfixFromLibfixbufsExporter) {
  CollectorOptions options;
  options.port = FreeUdpPort();
  auto collector = FlowCollector::Open(options);
  ASSERT_TRUE(collector.Ok()) << collector.Err().ToString();
  Running running;
  running.collector = std::move(*collector);
  running.expected = 3;
  running.Start();

  GError* error = nullptr;
  fbInfoModel_t* model = fbInfoModelAlloc();
  fbSession_t* session = fbSessionAlloc(model);
  const std::uint16_t v4 = AddTemplate(session, model, kV4Specs);
  const std::uint16_t v6 = AddTemplate(session, model, kV6Specs);
  fbConnSpec_t spec = FB_CONNSPEC_INIT;
  spec.transport = FB_UDP;
  std::string host = "127.0.0.1";
  spec.host = host.data();
  spec.svc = options.port.data();
  fbExporter_t* exporter = fbExporterAllocNet(&spec);
  fBuf_t* buffer = fBufAllocForExport(session, exporter);
  ASSERT_TRUE(fbSessionExportTemplates(session, &error));
  ASSERT_TRUE(fBufSetInternalTemplate(buffer, v4, &error));
  ASSERT_TRUE(fBufSetExportTemplate(buffer, v4, &error));
  // 2024-05-01 09:00:00.250 UTC; 10.1.0.5:40000 → 192.0.2.10:443/tcp.
  V4Record a{1714554000250ULL, 1500, 0x0a010005, 0xc000020a, 40000, 443, 6, {}};
  V4Record b{1714554060000ULL, 64, 0x0a010006, 0x0a020001, 5353, 53, 17, {}};
  ASSERT_TRUE(fBufAppend(buffer, reinterpret_cast<std::uint8_t*>(&a), sizeof a, &error));
  ASSERT_TRUE(fBufAppend(buffer, reinterpret_cast<std::uint8_t*>(&b), sizeof b, &error));
  ASSERT_TRUE(fBufSetInternalTemplate(buffer, v6, &error));
  ASSERT_TRUE(fBufSetExportTemplate(buffer, v6, &error));
  V6Record c{};
  inet_pton(AF_INET6, "2001:db8::5", c.source);
  inet_pton(AF_INET6, "2001:db8:1::9", c.destination);
  c.source_port = 50000;
  c.destination_port = 22;
  c.protocol = 6;
  ASSERT_TRUE(fBufAppend(buffer, reinterpret_cast<std::uint8_t*>(&c), sizeof c, &error));
  ASSERT_TRUE(fBufEmit(buffer, &error)) << error->message;

  ASSERT_TRUE(running.WaitAndStop()) << "only " << running.flows.size() << " flows arrived";
  fBufFree(buffer);
  fbInfoModelFree(model);
  ASSERT_TRUE(running.status.Ok()) << running.status.Err().ToString();
  ASSERT_EQ(running.flows.size(), 3u);
  EXPECT_EQ(running.flows[0].ToString(), "tcp 10.1.0.5:40000 → 192.0.2.10:443");
  EXPECT_EQ(running.flows[0].time, "2024-05-01 09:00:00");
  EXPECT_EQ(running.flows[0].bytes, 1500u);
  EXPECT_EQ(running.flows[1].ToString(), "udp 10.1.0.6:5353 → 10.2.0.1:53");
  EXPECT_EQ(running.flows[1].time, "2024-05-01 09:01:00");
  EXPECT_EQ(FormatAddress(running.flows[2].source), "2001:db8::5");
  EXPECT_EQ(FormatAddress(running.flows[2].destination), "2001:db8:1::9");
  EXPECT_EQ(running.flows[2].destination_port, 22);
  const auto& stats = running.collector->Stats();
  EXPECT_EQ(stats.flows, 3u);
  EXPECT_EQ(stats.read_errors, 0u);
  EXPECT_GT(stats.receive_buffer, 0);
}

void Put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void Put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  Put16(out, static_cast<std::uint16_t>(v >> 16));
  Put16(out, static_cast<std::uint16_t>(v));
}

// An exporter: one socket, so one source port (libfixbuf keys a UDP session
// by the peer's address and port and the observation domain).
struct Exporter {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ~Exporter() { close(fd); }
  void SendTo(const std::string& port, const std::vector<std::uint8_t>& datagram) const {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(port)));
    ASSERT_EQ(sendto(fd, datagram.data(), datagram.size(), 0,
                     reinterpret_cast<sockaddr*>(&address), sizeof address),
              static_cast<ssize_t>(datagram.size()));
  }
};

// One NetFlow v9 export packet (RFC 3954 §5): header, a template FlowSet
// (id 256: IPV4_SRC_ADDR, IPV4_DST_ADDR, L4_SRC_PORT, L4_DST_PORT, PROTOCOL,
// FIRST_SWITCHED, IN_BYTES) and a data FlowSet with `flows` records.
std::vector<std::uint8_t> NetflowV9Packet(std::uint32_t sequence, int flows) {
  std::vector<std::uint8_t> p;
  Put16(p, 9);
  Put16(p, static_cast<std::uint16_t>(1 + flows));  // records: the template and the flows
  Put32(p, 10'000);                                 // sysUptime, ms
  Put32(p, 1714554000);                             // 2024-05-01 09:00:00 UTC
  Put32(p, sequence);
  Put32(p, 0);  // source id
  const std::uint16_t fields[][2] = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {22, 4}, {1, 4}};
  Put16(p, 0);  // template FlowSet
  Put16(p, static_cast<std::uint16_t>(4 + 4 + 4 * std::size(fields)));
  Put16(p, 256);
  Put16(p, static_cast<std::uint16_t>(std::size(fields)));
  for (const auto& field : fields) {
    Put16(p, field[0]);
    Put16(p, field[1]);
  }
  const std::size_t data_start = p.size();
  Put16(p, 256);
  Put16(p, 0);  // length, below
  for (int i = 0; i < flows; ++i) {
    Put32(p, 0x0a010005 + static_cast<std::uint32_t>(i));  // 10.1.0.5 + i
    Put32(p, 0xc0000201);                                  // 192.0.2.1
    Put16(p, 40000);
    Put16(p, 80);
    p.push_back(6);
    Put32(p, 4'000);  // FIRST_SWITCHED: 6 s before the export
    Put32(p, 900);
  }
  while ((p.size() - data_start) % 4 != 0) p.push_back(0);
  const auto length = static_cast<std::uint16_t>(p.size() - data_start);
  p[data_start + 2] = static_cast<std::uint8_t>(length >> 8);
  p[data_start + 3] = static_cast<std::uint8_t>(length);
  return p;
}

TEST(FlowCollectorTest, ReadsNetflowV9AndCountsMissedExportPackets) {
  CollectorOptions options;
  options.protocol = CollectorProtocol::kNetflowV9;
  options.port = FreeUdpPort();
  auto collector = FlowCollector::Open(options);
  ASSERT_TRUE(collector.Ok()) << collector.Err().ToString();
  Running running;
  running.collector = std::move(*collector);
  running.expected = 6;
  running.Start();
  // (libfixbuf takes an expected sequence number of 0 for "none yet".)
  const Exporter exporter;
  exporter.SendTo(options.port, NetflowV9Packet(100, 2));
  exporter.SendTo(options.port, NetflowV9Packet(101, 2));
  exporter.SendTo(options.port, {0x00, 0x09, 0xff});  // a truncated header: skipped, counted
  exporter.SendTo(options.port, NetflowV9Packet(104, 2));  // 102 and 103 never came
  ASSERT_TRUE(running.WaitAndStop()) << "only " << running.flows.size() << " flows arrived";
  ASSERT_TRUE(running.status.Ok()) << running.status.Err().ToString();
  ASSERT_EQ(running.flows.size(), 6u);
  EXPECT_EQ(running.flows[0].ToString(), "tcp 10.1.0.5:40000 → 192.0.2.1:80");
  EXPECT_EQ(running.flows[1].ToString(), "tcp 10.1.0.6:40000 → 192.0.2.1:80");
  // Export time − sysUptime + FIRST_SWITCHED = 08:59:54.
  EXPECT_EQ(running.flows[0].time, "2024-05-01 08:59:54");
  EXPECT_EQ(running.flows[0].bytes, 900u);
  const auto& stats = running.collector->Stats();
  EXPECT_EQ(stats.flows, 6u);
  EXPECT_EQ(stats.missed_packets, 2u);
  EXPECT_EQ(stats.read_errors, 1u);
}

std::vector<std::uint8_t> Corpus(const std::string& name) {
  std::ifstream in(std::string(MAMORI_SOURCE_DIR) + "/fuzz/corpus/ipfix_collector/" + name,
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A template without fields made libfixbuf hand out empty records forever
// (found by the fuzzer): an exporter could stall the collector with one
// datagram. The message is dropped and the next one read.
TEST(FlowCollectorTest, ATemplateWithoutFieldsDoesNotStallTheCollector) {
  CollectorOptions options;
  options.port = FreeUdpPort();
  auto collector = FlowCollector::Open(options);
  ASSERT_TRUE(collector.Ok()) << collector.Err().ToString();
  Running running;
  running.collector = std::move(*collector);
  running.expected = 2;
  running.Start();
  const Exporter exporter;
  exporter.SendTo(options.port, Corpus("template_without_fields"));
  std::vector<std::uint8_t> valid = Corpus("ipfix_v4_v6");
  ASSERT_GE(valid.size(), 4u);
  valid.resize(static_cast<std::size_t>(valid[2] << 8 | valid[3]));  // its first message
  exporter.SendTo(options.port, valid);
  ASSERT_TRUE(running.WaitAndStop()) << "only " << running.flows.size() << " flows arrived";
  EXPECT_EQ(running.flows[0].ToString(), "tcp 172.16.9.9:50000 → 10.30.0.7:445");
  EXPECT_GE(running.collector->Stats().read_errors, 1u);
}

TEST(FlowCollectorTest, StopEndsAnIdleRun) {
  CollectorOptions options;
  options.port = FreeUdpPort();
  auto collector = FlowCollector::Open(options);
  ASSERT_TRUE(collector.Ok()) << collector.Err().ToString();
  auto done = std::async(std::launch::async, [&] { return (*collector)->Run([](const Flow&) {}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  (*collector)->Stop();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(done.get().Ok());
}

FlowViolation Group(std::string to, std::uint16_t port, std::size_t count) {
  FlowViolation v;
  v.from = "lgwan";
  v.to = std::move(to);
  v.protocol = 6;
  v.destination_port = port;
  v.count = count;
  return v;
}

TEST(AlertLimiterTest, OneAlertPerGroupPerIntervalWithTheHeldBackCount) {
  AlertLimiter limiter(std::chrono::seconds(600), 100);
  const auto t0 = AlertLimiter::Clock::time_point{} + std::chrono::hours(10);
  EXPECT_TRUE(limiter.Check(Group("internet", 443, 1), t0).alert);
  EXPECT_FALSE(limiter.Check(Group("internet", 443, 2), t0 + std::chrono::seconds(1)).alert);
  EXPECT_FALSE(limiter.Check(Group("internet", 443, 3), t0 + std::chrono::seconds(599)).alert);
  // Another group is its own.
  EXPECT_TRUE(limiter.Check(Group("internet", 80, 1), t0 + std::chrono::seconds(2)).alert);
  const auto later = limiter.Check(Group("internet", 443, 4), t0 + std::chrono::seconds(600));
  EXPECT_TRUE(later.alert);
  EXPECT_EQ(later.held_back, 2u);  // flows 2 and 3
  EXPECT_EQ(limiter.HeldBack(), 2u);
}

TEST(AlertLimiterTest, AtMostSoManyAlertsAnHourOverAllGroups) {
  AlertLimiter limiter(std::chrono::seconds(0), 3);
  const auto t0 = AlertLimiter::Clock::time_point{} + std::chrono::hours(10);
  int alerts = 0;
  for (std::uint16_t port = 1; port <= 10; ++port) {
    alerts += limiter.Check(Group("internet", port, 1), t0 + std::chrono::seconds(port)).alert;
  }
  EXPECT_EQ(alerts, 3);
  EXPECT_EQ(limiter.HeldBack(), 7u);
  // An hour after the first alert, one more may go: the held-back group's
  // first flow counts as held back.
  const auto next = limiter.Check(Group("internet", 4, 2), t0 + std::chrono::seconds(3601));
  EXPECT_TRUE(next.alert);
  EXPECT_EQ(next.held_back, 1u);
}

}  // namespace
}  // namespace mamori::netcheck
