// Reads a YAMAHA RTX router configuration (as `show config` prints it, or a
// config.txt) into the rule model (model.h).
//
// RTX filters per interface and direction: `ip lan1 secure filter in 10 20
// dynamic 100` applies the static filters 10 and 20 in that order (first
// match decides; a packet no filter matches is discarded once a list is
// applied) to packets arriving on lan1, and `out` to packets leaving by it.
// A packet forwarded from interface A to B passes A's `in` list and then B's
// `out` list. The model has two forward base chains in one ip table:
//
//   "secure filter in"   for each interface with an in list, in the order
//                        the configuration applies them: its dynamic
//                        filters' triggers, its filters matched with iif =
//                        the interface, then a drop of the rest (the
//                        implicit deny, at the line of the secure filter
//                        command); the chain's policy is accept (interfaces
//                        without a list do not filter);
//   "secure filter out"  the same with oif.
//
// The forward path intersects the two (check.h), so a packet is forwarded
// only if both pass it, and a violation names the filter of each list.
// Interfaces are named as the configuration writes them, in lower case:
// lan1, lan1/1, vlan1, bridge1, and for the contexts `pp select 1` /
// `tunnel select 1`, pp1 and tunnel1 (pp-anonymous for `pp select
// anonymous`). The address plan (--zones) uses the same names.
//
// Modelled: `ip filter N pass|pass-log|pass-nolog|reject|reject-log|
// reject-nolog SRC [DST [PROTOCOL [SRC_PORT [DST_PORT]]]]` with addresses
// `*`, a.b.c.d, a.b.c.d/n (or a dotted mask), ranges a-b, trailing `*`
// octets (192.168.1.*) and comma lists; protocols `*`, tcp, udp, icmp, gre,
// esp, ah, … and numbers, comma lists; ports `*`, numbers, ranges a-b, a-,
// -b, the mnemonics of docs/netcheck.md (www, https, ftp = 20 and 21, …)
// and comma lists. As RTX does, ports are compared only for TCP and UDP
// packets: with protocol `*` a filter also matches every other protocol
// whatever its ports say. `established` (a TCP segment with ACK set) cannot
// open a connection: it is modelled as TCP in any state but new.
//
// Dynamic filters (`ip filter dynamic N SRC DST APPLICATION` or `… filter L
// [in L] [out L]`) listed after `dynamic` in a secure filter line: their
// trigger passes, and the connections they track come back — modelled as
// accepting established and related packets at the top of both chains when
// any dynamic filter is applied. The command reference does not say whether
// RTX matches a trigger before or after the list's static filters, so the
// trigger stands first in the list and is not exact: a static reject still
// decides what the trigger does not match, and what only the trigger
// passes is reported as possible — right under either reading.
//
// Not modelled, each with a warning naming file:line, and over-approximated
// (model.h): restrict (passes only while the line is up: accept,
// "possible"), tcpsyn, tcpfin, tcprst, tcpflag=…, icmp-error, icmp-info,
// ICMP types and codes, FQDNs and wildcards in the middle of an address,
// port mnemonics not in the table, filter sets (`secure filter name`,
// which then filter nothing), NAT (not applied), IPv6 filters (IPv6 is not
// read: the check then reports IPv6 as forwarded unfiltered). A filter
// number a list names but the configuration does not define is skipped
// with a warning, as RTX skips it.
//
// Errors (kInvalidArgument), every one in the file, each naming file:line:
// a malformed filter (number, action, address, protocol, port), a secure
// filter line without a direction or a number, `ip pp …` outside `pp
// select`; kLimitExceeded for `limits`.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "netcheck/model.h"

namespace mamori::netcheck {

struct RtxLimits {
  std::size_t max_bytes = std::size_t{16} << 20;
  std::size_t max_line_bytes = 16 * 1024;
  std::size_t max_filters = 100'000;
  std::size_t max_list_items = 4096;  // numbers, addresses or ports in one list
  std::size_t max_rules = 500'000;
};

Result<RuleSet> ParseRtx(std::string_view text, const std::string& file,
                         const RtxLimits& limits = {});

// Whether `text` looks like a YAMAHA RTX configuration (an "ip filter",
// "ip lanN", "pp select" or "# RTX…" line near the start), for --vendor auto.
bool LooksLikeRtx(std::string_view text);

}  // namespace mamori::netcheck
