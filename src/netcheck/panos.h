// Reads a Palo Alto Networks PAN-OS running configuration (the XML of
// `show config running`, or an exported running-config.xml) into the rule
// model (model.h): one table per vsys with one forward base chain,
// "security rules", whose rules are the security rules in order (first
// match), followed by intrazone-default (allow) per zone; the chain's
// policy is interzone-default (deny). Both defaults follow an override in
// rulebase/default-security-rules.
//
// Modelled (config/devices/entry/vsys/entry, and config/shared for the
// objects every vsys sees):
//   zone/entry/network/{layer3,layer2,virtual-wire,tap,tunnel}/member
//                               zone → its interfaces
//   address/entry               ip-netmask, ip-range (IPv4 and IPv6)
//   address-group/entry         static members, nested (cycle check)
//   service/entry               protocol/{tcp,udp,sctp}/port and source-port
//                               (lists and ranges)
//   service-group/entry         members, nested
//   rulebase/security/rules/entry   from, to, source, destination (objects,
//                               groups, literal addresses, "any"), service
//                               ("any", service-http, service-https,
//                               objects), negate-source, negate-destination,
//                               rule-type universal | intrazone | interzone,
//                               action allow | deny | drop | reset-client |
//                               reset-server | reset-both, disabled
//
// Not modelled, each with a warning naming file:line, and over-approximated
// (model.h): application other than "any" (App-ID: the rule might match
// less, so a deny never removes packets from the undecided set), service
// application-default (every protocol and port: applications such as ping
// or ipsec-esp are not TCP or UDP), source-user, category, HIP profiles,
// schedules, fqdn and ip-wildcard addresses, dynamic address groups,
// regions and external dynamic lists (every address); NAT rules (not
// applied). A disabled rule is skipped, with a note. With several vsys each
// has its own table, its interzone default only for packets on its own
// zones' interfaces.
//
// Errors (kInvalidArgument), every one in the file, each naming file:line:
// not XML, no <config> root, a zone, address or service referenced but not
// defined, a malformed address or port, an unknown action, a group that
// contains itself; kLimitExceeded for `limits`. The XML parser (pugixml)
// builds the tree without recursion and expands no entities but the five
// predefined ones.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "netcheck/model.h"

namespace mamori::netcheck {

struct PanOsLimits {
  std::size_t max_bytes = std::size_t{64} << 20;
  std::size_t max_objects = 200'000;  // addresses, services, groups (shared and one vsys)
  std::size_t max_members = 10'000;   // members of one list
  std::size_t max_rules = 500'000;    // after one rule per zone pair and service
  int max_group_depth = 32;
};

Result<RuleSet> ParsePanOs(std::string_view text, const std::string& file,
                           const PanOsLimits& limits = {});

// Whether `text` looks like a PAN-OS configuration (XML with a <config>
// element near the start), for --vendor auto.
bool LooksLikePanOs(std::string_view text);

}  // namespace mamori::netcheck
