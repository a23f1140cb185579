// Reads `nft -j list ruleset` (libnftables JSON, schema version 1) into the
// rule model (model.h).
//
// Modelled: tables of the families ip, ip6 and inet; base chains of type
// filter (and route) with their hook, priority and policy; user chains; rules
// whose expressions are matches of
//   payload ip/ip6 saddr/daddr, ip protocol, ip6 nexthdr,
//   tcp/udp/sctp/dccp/udplite/th sport/dport,
//   meta l4proto / iifname / oifname / iif / oif / nfproto / protocol,
//   ct state
// against literals, prefixes, ranges, anonymous sets and named sets whose
// elements are listed, with ==, !=, in and (ports) < > <= >=; the verdicts
// accept, drop, reject, jump, goto, return, continue. counter and log are
// ignored.
//
// Not modelled, each with a warning naming the chain and handle: any other
// match, and the statements limit, quota, meter → the match is
// over-approximated (model.h); queue → accept, "possible"; vmap, xt and any
// other statement, which may carry a verdict → both (the rule might not
// match, and might accept); tables of other families and chains of type
// nat → skipped.
//
// JSON has no line numbers: places are "family table chain handle N", or
// "nftables[i]" for an entry that is not a rule.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "netcheck/model.h"

namespace mamori::netcheck {

struct NftJsonLimits {
  std::size_t max_bytes = std::size_t{64} << 20;
  int max_depth = 64;  // JSON nesting, checked before parsing
  std::size_t max_entries = 500'000;
  std::size_t max_set_elements = 100'000;  // in one set or one rule's sets
};

// Errors: kInvalidArgument (not JSON, no "nftables" array, a malformed
// entry, a rule in a missing chain, a jump to a missing chain), each naming
// the place; kLimitExceeded for `limits`.
Result<RuleSet> ParseNftJson(std::string_view text, const std::string& file,
                             const NftJsonLimits& limits = {});

// Whether `text` looks like nft -j output (a JSON object, for --vendor auto).
bool LooksLikeNftJson(std::string_view text);

}  // namespace mamori::netcheck
