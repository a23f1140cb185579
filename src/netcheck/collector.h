// The live flow collector (issue 12, "Live"): IPFIX (RFC 7011) or NetFlow
// v9 (RFC 3954) over UDP, read with libfixbuf (Debian's libfixbuf-dev; no
// hand-written IPFIX parser), each record turned into a netcheck::Flow and
// handed to a sink as it arrives. What the sink does with it (FlowJudge,
// alerts, incidents) is the caller's.
//
// libfixbuf keeps one session per exporter (address, observation domain):
// templates, and for NetFlow v9 the sequence numbers from which it counts
// export packets missed. Records whose template carries no addresses
// (options records, templates we cannot read) are counted, not passed on.
//
// Thread safety: Run() on one thread; Stop() from any thread (a signal
// handler thread, a test) makes Run() return.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "common/result.h"
#include "netcheck/flows.h"

struct fBuf_st;  // libfixbuf's buffer (fBuf_t), kept out of this header

namespace mamori::netcheck {

enum class CollectorProtocol : std::uint8_t { kIpfix, kNetflowV9 };

struct CollectorOptions {
  CollectorProtocol protocol = CollectorProtocol::kIpfix;
  std::string host = "127.0.0.1";  // the address to listen on
  std::string port;                // UDP port
  // The socket's receive buffer, bytes (SO_RCVBUF; the kernel caps it at
  // net.core.rmem_max). What absorbs an exporter's bursts while a record is
  // judged or an incident written. 0: the system's default.
  int receive_buffer = 4 << 20;
};

// "127.0.0.1:4739", "[::1]:2055" → host and port. Errors (kInvalidArgument)
// name the text and why.
Result<CollectorOptions> ParseListenAddress(std::string_view text, CollectorProtocol protocol);

struct CollectorStats {
  std::uint64_t messages = 0;  // IPFIX messages / NetFlow v9 export packets read
  std::uint64_t records = 0;   // data records read
  std::uint64_t flows = 0;     // records passed to the sink
  std::uint64_t without_addresses = 0;  // records with no source/destination address
  std::uint64_t missed_packets = 0;     // NetFlow v9: export packets libfixbuf saw missing
  std::uint64_t read_errors = 0;        // malformed messages skipped
  int receive_buffer = 0;               // bytes the kernel granted (SO_RCVBUF as read back)
};

// Reads IPFIX messages (or NetFlow v9 export packets) one after another from
// `bytes`, as an IPFIX file (RFC 5655) holds them or as one exporter would
// send them, through the same record conversion as the live collector.
// Stops at the end, or at the first message libfixbuf cannot read (a stream
// cannot be resynchronised): then kInvalidArgument with libfixbuf's message
// and the number of records read before it; `stats` counts what was read.
Status ReadIpfixMessages(std::string_view bytes, CollectorProtocol protocol,
                         const FlowSink& sink, CollectorStats& stats);

class FlowCollector {
 public:
  // Binds the UDP socket. Errors: kIo (cannot bind: in use, no permission,
  // no such address), with libfixbuf's message.
  static Result<std::unique_ptr<FlowCollector>> Open(const CollectorOptions& options);
  ~FlowCollector();
  FlowCollector(const FlowCollector&) = delete;
  FlowCollector& operator=(const FlowCollector&) = delete;

  // Reads until Stop() (then OK) or an error the collector cannot go on
  // from. Malformed messages are counted and skipped.
  Status Run(const FlowSink& sink);
  void Stop();
  const CollectorStats& Stats() const { return stats_; }

 private:
  struct Impl;
  explicit FlowCollector(std::unique_ptr<Impl> impl);
  void CountMissed(::fBuf_st* buffer);
  std::unique_ptr<Impl> impl_;
  CollectorStats stats_;
  std::atomic<bool> stopping_{false};
};

// Rate limiting of live alerts (a flow the profile forbids raises one): at
// most one alert per violation group (zones, protocol, destination port) per
// `interval`, and at most `max_per_hour` alerts in any hour over all groups.
// The flows held back are counted and told with the group's next alert, so a
// scan or a misrouted backup makes a few incidents, not thousands.
class AlertLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  AlertLimiter(std::chrono::seconds interval, int max_per_hour)
      : interval_(interval), max_per_hour_(max_per_hour) {}

  struct Verdict {
    bool alert = false;
    std::uint64_t held_back = 0;  // this group's flows not alerted since its last alert
  };
  // `group` as FlowJudge::Add returned it (its count includes this flow).
  Verdict Check(const FlowViolation& group, Clock::time_point now);
  std::uint64_t HeldBack() const { return held_back_; }  // all groups, all time

 private:
  struct GroupState {
    Clock::time_point last_alert;
    std::uint64_t count_at_alert = 0;
  };
  std::chrono::seconds interval_;
  int max_per_hour_;
  std::map<std::tuple<std::string, std::string, int, int>, GroupState> groups_;
  std::deque<Clock::time_point> recent_;  // alerts in the last hour
  std::uint64_t held_back_ = 0;
};

}  // namespace mamori::netcheck
