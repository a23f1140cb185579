// The address plan (区域, zone): where each of the profile's segments is, and
// the named hosts a flow may legitimately reach.
//
// A zone is one profile segment (policy::Network::segments, by id) with its
// networks (IPv4 / IPv6 CIDRs or ranges) and, optionally, the firewall
// interfaces that face it. A host has a role — sanitize_gateway (無害化),
// screen_transfer (画面転送), lgwan_asp_relay, external_connection (an entry
// of the external-network register) — its addresses and the services it
// offers ("tcp/443", "udp/53", "tcp/8000-8010", "icmp", "any"), and for an
// external connection optionally the segments it may be reached from.
//
// Read from TOML or CSV (`--zones FILE`, docs/netcheck.md):
//
//   [zones.lgwan]                        kind,name,segment,role,addresses,interfaces,services,from
//   networks = ["10.20.0.0/16"]          zone,,lgwan,,10.20.0.0/16,eth1,,
//   interfaces = ["eth1"]                host,mugaika,,sanitize_gateway,10.20.0.10,,tcp/443,
//   [[hosts]]
//   name = "mugaika"
//   role = "sanitize_gateway"
//   addresses = ["10.20.0.10"]
//   services = ["tcp/443"]
//
// (in a CSV cell, list items are separated by spaces or ';'). Every
// diagnostic names file:line. Which zone a host is in is computed
// (LocateHosts): a host in no zone, or in two, is reported, not guessed.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/result.h"
#include "netcheck/space.h"
#include "policy/model.h"

namespace mamori::netcheck {

struct Zone {
  std::string segment;     // a policy segment id
  int segment_index = -1;  // into policy::Network::segments, set by ValidateZones
  std::vector<std::string> network_texts;
  IntervalSet networks;  // empty set when none are listed: any address
  std::vector<InterfacePattern> interfaces;
  Where where;

  // The packets that come from this zone (source address, input interface)
  // or go to it (destination address, output interface).
  Box AsSource(const InterfaceUniverse& interfaces) const;
  Box AsDestination(const InterfaceUniverse& interfaces) const;
};

enum class HostRole : std::uint8_t {
  kSanitizeGateway,
  kScreenTransfer,
  kLgwanAspRelay,
  kExternalConnection,
};
std::string_view Id(HostRole role);
std::string_view TitleJa(HostRole role);

struct Service {
  std::string text;  // as written: "tcp/443"
  IntervalSet protocols;
  IntervalSet ports;  // destination ports; All() when not given
};

struct Host {
  std::string name;
  HostRole role = HostRole::kExternalConnection;
  std::vector<std::string> address_texts;
  IntervalSet addresses;
  std::vector<Service> services;  // none listed: every service
  std::vector<std::string> from;  // segment ids it may be reached from; empty: any
  Where where;

  // Packets to this host's addresses and services.
  std::vector<Box> Reachable() const;
};

struct AddressPlan {
  std::vector<Zone> zones;
  std::vector<Host> hosts;

  const Zone* FindZone(std::string_view segment) const;
  std::vector<InterfacePattern> InterfacePatterns() const;
};

struct ZonesLimits {
  std::size_t max_bytes = std::size_t{8} << 20;
  std::size_t max_zones = 256;
  std::size_t max_hosts = 100'000;
  std::size_t max_items = 10'000;  // networks, interfaces or services of one entry
};

enum class ZonesFormat : std::uint8_t { kAuto, kToml, kCsv };

// Reads an address plan. kAuto: CSV when `file` ends in .csv or the text
// starts with "kind,", TOML otherwise. Errors (kInvalidArgument, every one
// found, each with file:line): bad TOML or CSV, unknown keys or columns, a
// zone listed twice, a bad network, role or service, a host without
// addresses; kLimitExceeded for `limits`. Segment ids are checked against a
// profile by ValidateZones.
Result<AddressPlan> ParseZones(std::string_view text, const std::string& file,
                               ZonesFormat format = ZonesFormat::kAuto,
                               const ZonesLimits& limits = {});

// Checks every zone's and host's segment ids against the profile's segments
// and sets Zone::segment_index. Error (kInvalidArgument) naming file:line of
// each unknown segment id, with the ids the profile has.
Status ValidateZones(AddressPlan& plan, const policy::Network& network);

// Where a host is: the zones holding any of its addresses.
struct HostLocation {
  std::size_t host = 0;
  std::vector<std::size_t> zones;  // indices into AddressPlan::zones
  // Addresses in no zone (a partly placed host).
  std::vector<std::string> outside;
};
std::vector<HostLocation> LocateHosts(const AddressPlan& plan);

}  // namespace mamori::netcheck
