// Reads a FortiGate configuration (FortiOS `show full-configuration`, or a
// backup .conf, which leaves out default values) into the rule model
// (model.h): one table with one forward base chain, "firewall policy",
// whose rules are the firewall policies in the order the file lists them
// (FortiOS evaluates them top down, first match) and whose policy is drop
// (the implicit deny).
//
// Syntax: `config <path>` … `end` blocks holding `edit <name>` … `next`
// entries of `set <key> <values…>` (and `unset`, `append`); words are
// separated by blanks, "double" or 'single' quotes make one word (\" and
// \\ inside), a quoted word may run over several lines (certificates); a
// line starting with # is a comment. Blocks the reader does not model are
// skipped silently.
//
// Modelled, per VDOM (`config vdom` / `edit <vdom>`; a file without VDOMs
// is one, "root"):
//   config system interface     names (and the VDOM each belongs to)
//   config system zone          zone → member interfaces; intrazone allow
//   config system sdwan         SD-WAN zones → member interfaces
//   config firewall address / address6    ipmask (subnet; left out, it is
//                               0.0.0.0/0 as in FortiOS), iprange, ip6
//   config firewall addrgrp / addrgrp6    members, nested, exclude-member
//   config firewall vip / vip6  destination NAT: a policy whose dstaddr
//                               names a VIP is checked against the mapped
//                               address (mappedip), with a warning
//   config firewall service custom / group   tcp-/udp-/sctp-portrange
//                               ("dst[-dst][:src[-src]]"), protocol IP with
//                               protocol-number, ICMP, ICMP6
//   config firewall policy (and policy6)   srcintf, dstintf (interfaces,
//                               zones, "any"), srcaddr, dstaddr, srcaddr6,
//                               dstaddr6, service, the three negations,
//                               action accept | deny | ipsec, status
// and the predefined objects when the file does not define them: addresses
// "all" and "none", services ALL, ALL_TCP, ALL_UDP, ALL_ICMP, ALL_ICMP6,
// HTTP, HTTPS, DNS, … (the table is in docs/netcheck.md).
//
// Not modelled, each with a warning naming file:line, and over-approximated
// (model.h): address types fqdn, geography, wildcard, dynamic, mac, … →
// every address of the family; ICMP types and codes, a service's iprange or
// fqdn, a schedule other than "always", users, groups, internet services,
// unknown settings in a policy or object → the policy might match less, so
// it never removes packets from the undecided set; a VIP with port
// forwarding. A disabled policy (`set status disable`) is skipped, with a
// note. With several VDOMs each has its own table, its implicit deny only
// for packets on its own interfaces; traffic crossing inter-VDOM links is
// not followed from one VDOM into the next (a warning says so).
//
// Errors (kInvalidArgument), every one in the file, each naming file:line:
// an unclosed quote or block, a statement out of place, a malformed
// address, port range or number, an object referenced but not defined, a
// group that contains itself; kLimitExceeded for `limits`.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "netcheck/model.h"

namespace mamori::netcheck {

struct FortiGateLimits {
  std::size_t max_bytes = std::size_t{64} << 20;
  std::size_t max_statement_bytes = std::size_t{1} << 20;  // certificates span lines
  std::size_t max_words = 10'000;  // in one statement (set member "a" "b" …)
  std::size_t max_statements = 4'000'000;
  int max_depth = 16;                 // nested config / edit
  std::size_t max_objects = 200'000;  // addresses, services, groups, VIPs of one VDOM
  std::size_t max_policies = 100'000;
  std::size_t max_rules = 500'000;  // after one rule per service
  int max_group_depth = 32;
};

Result<RuleSet> ParseFortiGate(std::string_view text, const std::string& file,
                               const FortiGateLimits& limits = {});

// Whether `text` looks like a FortiGate configuration (a "#config-version="
// line, or a first statement `config …`), for --vendor auto.
bool LooksLikeFortiGate(std::string_view text);

}  // namespace mamori::netcheck
