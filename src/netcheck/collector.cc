#include "netcheck/collector.h"

#include <fixbuf/public.h>

// Exported by libfixbuf and declared in its installed <fixbuf/private.h>,
// which is not C++-safe: the collector's socket (to size its receive
// buffer) and the wake-up of a blocked read (Stop()).
extern "C" {
int fbCollectorGetFD(fbCollector_t* collector);
void fbCollectorInterruptSocket(fbCollector_t* collector);
}

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <map>
#include <optional>
#include <mutex>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <utility>

namespace mamori::netcheck {
namespace {

// The internal template: the fields of a record mamori reads, in an order
// that needs no padding inside; libfixbuf fills what the exporter's template
// has and zeroes the rest. NetFlow v9's FIRST_SWITCHED (22) arrives with
// systemInitTimeMilliseconds (160) that libfixbuf derives from the header.
struct Record {
  std::uint64_t flow_start_milliseconds;      // 152
  std::uint64_t system_init_milliseconds;     // 160
  std::uint64_t octets;                       // 1 octetDeltaCount
  std::uint64_t packets;                      // 2 packetDeltaCount
  std::array<std::uint8_t, 16> source_v6;     // 27
  std::array<std::uint8_t, 16> destination_v6;  // 28
  std::uint32_t flow_start_seconds;           // 150
  std::uint32_t flow_start_sys_up_time;       // 22
  std::uint32_t source_v4;                    // 8
  std::uint32_t destination_v4;               // 12
  std::uint32_t ingress_interface;            // 10
  std::uint32_t egress_interface;             // 14
  std::uint16_t source_port;                  // 7
  std::uint16_t destination_port;             // 11
  std::uint8_t protocol;                      // 4
  std::array<std::uint8_t, 3> padding;        // paddingOctets
};
static_assert(sizeof(Record) == 96);

// Names as libfixbuf's information model spells them (IANA's registry).
fbInfoElementSpec_t kSpecs[] = {
    {const_cast<char*>("flowStartMilliseconds"), 8, 0},
    {const_cast<char*>("systemInitTimeMilliseconds"), 8, 0},
    {const_cast<char*>("octetDeltaCount"), 8, 0},
    {const_cast<char*>("packetDeltaCount"), 8, 0},
    {const_cast<char*>("sourceIPv6Address"), 16, 0},
    {const_cast<char*>("destinationIPv6Address"), 16, 0},
    {const_cast<char*>("flowStartSeconds"), 4, 0},
    {const_cast<char*>("flowStartSysUpTime"), 4, 0},
    {const_cast<char*>("sourceIPv4Address"), 4, 0},
    {const_cast<char*>("destinationIPv4Address"), 4, 0},
    {const_cast<char*>("ingressInterface"), 4, 0},
    {const_cast<char*>("egressInterface"), 4, 0},
    {const_cast<char*>("sourceTransportPort"), 2, 0},
    {const_cast<char*>("destinationTransportPort"), 2, 0},
    {const_cast<char*>("protocolIdentifier"), 1, 0},
    {const_cast<char*>("paddingOctets"), 3, 0},
    FB_IESPEC_NULL};

std::string Message(GError* error) {
  std::string text = error != nullptr && error->message != nullptr ? error->message : "unknown";
  if (error != nullptr) g_clear_error(&error);
  return text;
}

U128 FromBytes(const std::array<std::uint8_t, 16>& bytes) {
  U128 value;
  for (int i = 0; i < 8; ++i) value.high = (value.high << 8) | bytes[static_cast<std::size_t>(i)];
  for (int i = 8; i < 16; ++i) value.low = (value.low << 8) | bytes[static_cast<std::size_t>(i)];
  return value;
}

bool IsZero(const std::array<std::uint8_t, 16>& bytes) {
  for (auto b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

// An IPFIX message is at most 65,535 bytes (RFC 7011 §3.1), a record at
// least one.
constexpr std::size_t kMaxRecordsPerMessage = 65'535;

// "YYYY-MM-DD HH:MM:SS" UTC; nullopt outside years 1970–9999 (an exporter's
// clock or a field that is not a time).
std::optional<std::string> UtcText(std::uint64_t milliseconds) {
  constexpr std::uint64_t kYear10000 = 253402300800ULL;  // seconds
  const std::uint64_t seconds = milliseconds / 1000;
  if (seconds >= kYear10000) return std::nullopt;
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::nullopt;
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(buffer);
}

// libfixbuf logs through GLib's default domain; a NetFlow v9 sequence gap is
// one warning per lost export packet, which a lossy link turns into a flood
// on stderr. Those are counted (CollectorStats::missed_packets) and dropped
// here; every other message goes to GLib's default handler.
void FixbufLog(const gchar* domain, GLogLevelFlags level, const gchar* message, gpointer data) {
  if (message != nullptr && std::strstr(message, "sequence number mismatch") != nullptr) return;
  g_log_default_handler(domain, level, message, data);
}

void QuietSequenceWarnings() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_log_set_handler(nullptr,
                      static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE),
                      FixbufLog, nullptr);
  });
}

// A session holding the internal template (its id in `template_id`).
Result<fbSession_t*> SessionWithTemplate(fbInfoModel_t* model, std::uint16_t& template_id) {
  GError* error = nullptr;
  fbSession_t* session = fbSessionAlloc(model);
  fbTemplate_t* internal = fbTemplateAlloc(model);
  if (!fbTemplateAppendSpecArray(internal, kSpecs, 0xffffffff, &error)) {
    fbTemplateFreeUnused(internal);
    fbSessionFree(session);
    return Error(ErrorCode::kInternal, "内部テンプレートを作れません: " + Message(error),
                 "cannot build the internal template");
  }
  template_id = fbSessionAddTemplate(session, TRUE, FB_TID_AUTO, internal, &error);
  if (template_id == 0) {
    fbSessionFree(session);
    return Error(ErrorCode::kInternal, "内部テンプレートを登録できません: " + Message(error),
                 "cannot add the internal template");
  }
  return session;
}

// One record as a flow; false when it carries no address (options records).
bool ToFlow(const Record& record, Flow& flow) {
  if (!IsZero(record.source_v6) || !IsZero(record.destination_v6)) {
    flow.source = FromBytes(record.source_v6);
    flow.destination = FromBytes(record.destination_v6);
  } else if (record.source_v4 != 0 || record.destination_v4 != 0) {
    flow.source = Ipv4(record.source_v4);
    flow.destination = Ipv4(record.destination_v4);
  } else {
    return false;
  }
  flow.protocol = record.protocol;
  flow.source_port = record.source_port;
  flow.destination_port = record.destination_port;
  flow.input_interface = record.ingress_interface != 0 ? std::to_string(record.ingress_interface) : "";
  flow.output_interface = record.egress_interface != 0 ? std::to_string(record.egress_interface) : "";
  flow.bytes = record.octets;
  flow.packets = record.packets;
  std::uint64_t start = record.flow_start_milliseconds;
  if (start == 0 && record.flow_start_seconds != 0) {
    start = std::uint64_t{record.flow_start_seconds} * 1000;
  }
  if (start == 0 && record.system_init_milliseconds != 0) {
    start = record.system_init_milliseconds + record.flow_start_sys_up_time;
  }
  // No start time, or one that is no time: when it arrived.
  auto text = start != 0 ? UtcText(start) : std::nullopt;
  flow.time = text ? *std::move(text) : *UtcText(static_cast<std::uint64_t>(std::time(nullptr)) * 1000);
  return true;
}

// Reads records until fBufNext fails; returns that error (EOM, EOF or
// worse) for the caller to judge. A record takes at least one byte, so more
// than `max_records` means no progress: libfixbuf hands out endless empty
// records for a template without fields, which an exporter could send to
// stall the collector. Such a template ends the read with an error.
GError* ReadRecords(fBuf_t* buffer, const FlowSink& sink, CollectorStats& stats,
                    std::size_t max_records) {
  Record record{};
  Flow flow;
  GError* error = nullptr;
  for (std::size_t read = 0;; ++read) {
    std::size_t length = sizeof record;
    std::memset(&record, 0, sizeof record);
    if (!fBufNext(buffer, reinterpret_cast<std::uint8_t*>(&record), &length, &error)) {
      return error;
    }
    fbTemplate_t* external = fBufGetCollectionTemplate(buffer, nullptr);
    if (read >= max_records || external == nullptr || fbTemplateCountElements(external) == 0) {
      g_set_error(&error, FB_ERROR_DOMAIN, FB_ERROR_IPFIX,
                  "a data set whose template has no fields");
      return error;
    }
    ++stats.records;
    if (!ToFlow(record, flow)) {
      ++stats.without_addresses;
      continue;
    }
    ++stats.flows;
    sink(flow);
  }
}

}  // namespace

struct FlowCollector::Impl {
  fbInfoModel_t* model = nullptr;
  fbListener_t* listener = nullptr;  // owns the session, collector and buffer
  fbCollector_t* collector = nullptr;
  int receive_buffer = 0;
  std::uint16_t template_id = 0;
  std::string host;
  std::string port;
  CollectorProtocol protocol = CollectorProtocol::kIpfix;
  std::map<std::string, std::uint32_t> missed;  // per exporter (address, domain)

  ~Impl() {
    if (listener != nullptr) fbListenerFree(listener);
    if (model != nullptr) fbInfoModelFree(model);
  }
};

Result<CollectorOptions> ParseListenAddress(std::string_view text, CollectorProtocol protocol) {
  CollectorOptions options;
  options.protocol = protocol;
  auto bad = [&](const std::string& why_ja, const std::string& why_en) {
    return Error(ErrorCode::kInvalidArgument,
                 "待ち受けるアドレスが不正です: " + std::string(text) + "（" + why_ja + "）",
                 "bad listen address " + std::string(text) + ": " + why_en);
  };
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("[IPv6]:ポート の形で書いてください", "write [IPv6]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return bad("アドレス:ポート の形で書いてください（IPv6 は [ ] で囲む）",
                 "write ADDRESS:PORT ([IPv6]:PORT)");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (!ParseAddress(host)) return bad("アドレスがありません", "not an IP address");
  int number = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || number > 65535) return bad("ポートは 1–65535", "port is 1-65535");
    number = number * 10 + (c - '0');
  }
  if (port.empty() || number < 1 || number > 65535) {
    return bad("ポートは 1–65535", "port is 1-65535");
  }
  options.host = std::string(host);
  options.port = std::string(port);
  return options;
}

FlowCollector::FlowCollector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FlowCollector::~FlowCollector() = default;

Result<std::unique_ptr<FlowCollector>> FlowCollector::Open(const CollectorOptions& options) {
  QuietSequenceWarnings();
  auto impl = std::make_unique<Impl>();
  impl->host = options.host;
  impl->port = options.port;
  impl->protocol = options.protocol;
  const std::string where = options.host + ":" + options.port;
  GError* error = nullptr;
  impl->model = fbInfoModelAlloc();
  MAMORI_TRY(fbSession_t* session, SessionWithTemplate(impl->model, impl->template_id));
  fbConnSpec_t spec = FB_CONNSPEC_INIT;
  spec.transport = FB_UDP;
  spec.host = impl->host.data();
  spec.svc = impl->port.data();
  impl->listener = fbListenerAlloc(&spec, session, nullptr, nullptr, &error);
  if (impl->listener == nullptr) {
    fbSessionFree(session);
    const std::string why = Message(error);
    return Error(ErrorCode::kIo, "待ち受けできません: " + where + "（" + why + "）",
                 "cannot listen on " + where + ": " + why);
  }
  if (!fbListenerGetCollector(impl->listener, &impl->collector, &error)) {
    const std::string why = Message(error);
    return Error(ErrorCode::kInternal, "受信の準備ができません: " + why,
                 "no collector on the listener: " + why);
  }
  if (options.protocol == CollectorProtocol::kNetflowV9 &&
      !fbCollectorSetNetflowV9Translator(impl->collector, &error)) {
    const std::string why = Message(error);
    return Error(ErrorCode::kInternal, "NetFlow v9 の変換を設定できません: " + why,
                 "cannot set the NetFlow v9 translator: " + why);
  }
  impl->receive_buffer = options.receive_buffer;
  return std::unique_ptr<FlowCollector>(new FlowCollector(std::move(impl)));
}

void FlowCollector::Stop() {
  stopping_ = true;
  fbListenerInterrupt(impl_->listener);           // waiting for the first datagram
  fbCollectorInterruptSocket(impl_->collector);  // reading the next one
}

// libfixbuf counts the missed export packets of each exporter (address,
// observation domain) since its session began; the total is their sum.
void FlowCollector::CountMissed(fBuf_t* buffer) {
  fbCollector_t* collector = fBufGetCollector(buffer);
  if (collector == nullptr) return;
  sockaddr* peer = fbCollectorGetPeer(collector);
  if (peer == nullptr) return;
  const std::size_t length =
      peer->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  const std::uint32_t domain = fbCollectorGetObservationDomain(collector);
  std::string key(reinterpret_cast<const char*>(peer), length);
  key.append(reinterpret_cast<const char*>(&domain), sizeof domain);
  const std::uint32_t missed = fbCollectorGetNetflowMissed(collector, peer, length, domain);
  std::uint32_t& known = impl_->missed[key];
  stats_.missed_packets += missed >= known ? missed - known : missed;  // a new session
  known = missed;
}

// The first message through fbListenerWait (which creates the buffer); the
// next ones straight from the collector's socket with fBufNextMessage — one
// blocking read a datagram, no select — in manual mode, so that each
// message's end is seen (its missed packets counted, Stop() honoured).
Status FlowCollector::Run(const FlowSink& sink) {
  GError* error = nullptr;
  fBuf_t* buffer = nullptr;
  while (buffer == nullptr) {
    buffer = fbListenerWait(impl_->listener, &error);
    if (stopping_) {
      g_clear_error(&error);
      return OkStatus();
    }
    if (buffer == nullptr) {
      if (!g_error_matches(error, FB_ERROR_DOMAIN, FB_ERROR_NLREAD)) {
        const std::string why = Message(error);
        return Error(ErrorCode::kIo, "受信できません: " + why, "cannot receive: " + why);
      }
      g_clear_error(&error);  // a datagram refused: wait for the next
    }
  }
  // libfixbuf gives the collector its socket with the first datagram.
  if (const int fd = fbCollectorGetFD(fBufGetCollector(buffer)); fd >= 0) {
    if (impl_->receive_buffer > 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &impl_->receive_buffer, sizeof impl_->receive_buffer);
    }
    socklen_t length = sizeof stats_.receive_buffer;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &stats_.receive_buffer, &length);
  }
  fBufSetAutomaticMode(buffer, FALSE);
  if (!fBufSetInternalTemplate(buffer, impl_->template_id, &error)) {
    const std::string why = Message(error);
    return Error(ErrorCode::kInternal, "内部テンプレートを使えません: " + why,
                 "cannot use the internal template: " + why);
  }
  for (;;) {
    ++stats_.messages;
    GError* stop = ReadRecords(buffer, sink, stats_, kMaxRecordsPerMessage);
    // Anything but the end of the message: a malformed one, skipped.
    if (!g_error_matches(stop, FB_ERROR_DOMAIN, FB_ERROR_EOM)) ++stats_.read_errors;
    g_clear_error(&stop);
    if (impl_->protocol == CollectorProtocol::kNetflowV9) CountMissed(buffer);
    // The next message; a malformed header is counted and the one after read.
    while (!stopping_ && !fBufNextMessage(buffer, &error)) {
      if (stopping_) break;
      if (g_error_matches(error, FB_ERROR_DOMAIN, FB_ERROR_IO)) {
        const std::string why = Message(error);
        return Error(ErrorCode::kIo, "受信できません: " + why, "cannot receive: " + why);
      }
      if (!g_error_matches(error, FB_ERROR_DOMAIN, FB_ERROR_NLREAD)) {
        ++stats_.messages;
        ++stats_.read_errors;
      }
      g_clear_error(&error);
    }
    g_clear_error(&error);
    if (stopping_) return OkStatus();
  }
}

Status ReadIpfixMessages(std::string_view bytes, CollectorProtocol protocol,
                         const FlowSink& sink, CollectorStats& stats) {
  QuietSequenceWarnings();
  if (bytes.empty()) return OkStatus();
  FILE* file = fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "rb");
  if (file == nullptr) {
    return Error(ErrorCode::kIo, "メモリ上のファイルを開けません", "fmemopen failed");
  }
  fbInfoModel_t* model = fbInfoModelAlloc();
  std::uint16_t template_id = 0;
  auto session = SessionWithTemplate(model, template_id);
  if (!session.Ok()) {
    std::fclose(file);
    fbInfoModelFree(model);
    return session.Err();
  }
  fbCollector_t* collector = fbCollectorAllocFP(nullptr, file);
  fBuf_t* buffer = fBufAllocForCollection(*session, collector);  // owns both
  GError* error = nullptr;
  Status status = OkStatus();
  if (protocol == CollectorProtocol::kNetflowV9 &&
      !fbCollectorSetNetflowV9Translator(collector, &error)) {
    const std::string why = Message(error);
    status = Error(ErrorCode::kInternal, "NetFlow v9 の変換を設定できません: " + why,
                   "cannot set the NetFlow v9 translator: " + why);
  } else if (!fBufSetInternalTemplate(buffer, template_id, &error)) {
    const std::string why = Message(error);
    status = Error(ErrorCode::kInternal, "内部テンプレートを使えません: " + why,
                   "cannot use the internal template: " + why);
  } else {
    GError* stop = ReadRecords(buffer, sink, stats, bytes.size());
    if (!g_error_matches(stop, FB_ERROR_DOMAIN, FB_ERROR_EOF)) {
      ++stats.read_errors;
      const std::string why = Message(stop);
      status = Error(ErrorCode::kInvalidArgument,
                     "IPFIX を読めません（" + std::to_string(stats.records) + " レコードの後）: " + why,
                     "unreadable IPFIX after " + std::to_string(stats.records) + " records: " + why);
    } else {
      g_clear_error(&stop);
    }
  }
  fBufFree(buffer);
  std::fclose(file);
  fbInfoModelFree(model);
  return status;
}

AlertLimiter::Verdict AlertLimiter::Check(const FlowViolation& group, Clock::time_point now) {
  const auto key = std::tuple{group.from, group.to, static_cast<int>(group.protocol),
                              static_cast<int>(group.destination_port)};
  auto [it, first] = groups_.try_emplace(key);
  GroupState& state = it->second;
  while (!recent_.empty() && now - recent_.front() >= std::chrono::hours(1)) recent_.pop_front();
  const bool due = first || now - state.last_alert >= interval_;
  if (!due || static_cast<int>(recent_.size()) >= max_per_hour_) {
    ++held_back_;
    return {};
  }
  Verdict verdict;
  verdict.alert = true;
  verdict.held_back = group.count - state.count_at_alert - 1;
  state.last_alert = now;
  state.count_at_alert = group.count;
  recent_.push_back(now);
  return verdict;
}

}  // namespace mamori::netcheck
