#include "netcheck/nft_json.h"

#include <gtest/gtest.h>

#include "netcheck/analysis.h"
#include "netcheck/test_support.h"

namespace mamori::netcheck {
namespace {

using fixture::kData;
using fixture::Make;
using fixture::ReadFile;

// A ruleset with one inet table, a forward chain and `rules` (JSON objects
// of the "rule" body's expr arrays).
std::string Ruleset(const std::string& exprs) {
  return R"({"nftables": [
 {"metainfo": {"json_schema_version": 1}},
 {"table": {"family": "inet", "name": "fw", "handle": 1}},
 {"chain": {"family": "inet", "table": "fw", "name": "forward", "handle": 1, "type": "filter",
            "hook": "forward", "prio": 0, "policy": "drop"}},
 {"chain": {"family": "inet", "table": "fw", "name": "sub", "handle": 2}},
 {"rule": {"family": "inet", "table": "fw", "chain": "forward", "handle": 7, "expr": )" +
         exprs + R"(}}]})";
}

const Rule& OnlyRule(const RuleSet& rules) { return rules.tables.at(0).chains.at(0).rules.at(0); }

TEST(NftJsonTest, ReadsTheAlphaFixture) {
  auto rules = ParseNftJson(ReadFile(kData + "alpha_ok.nft.json"), "alpha_ok.nft.json");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(rules->tables.size(), 1u);
  const Table& table = rules->tables[0];
  EXPECT_EQ(table.family, Family::kInet);
  ASSERT_EQ(table.chains.size(), 4u);
  EXPECT_EQ(table.chains[1].hook, Hook::kForward);
  EXPECT_EQ(table.chains[1].policy, ActionKind::kDrop);
  const Rule& screen = table.chains[1].rules[3];
  EXPECT_EQ(screen.where.ToString(), "alpha_ok.nft.json: inet filter forward handle 11");
  EXPECT_EQ(screen.comment, "画面転送");
  EXPECT_TRUE(screen.Exact());  // the named set's elements are listed
  EXPECT_TRUE(screen.match.Matches(Make("10.20.3.4", "172.16.0.20", 6, 8443, "eth1", "eth0")));
  EXPECT_FALSE(screen.match.Matches(Make("10.20.3.4", "172.16.0.20", 6, 80, "eth1", "eth0")));
  EXPECT_EQ(table.chains[1].rules[2].action, ActionKind::kJump);
  EXPECT_EQ(table.chains[1].rules[2].target_chain, 3);
  EXPECT_EQ(table.chains[1].rules.back().action, ActionKind::kContinue);  // log only
  EXPECT_TRUE(rules->warnings.empty());
}

TEST(NftJsonTest, PrefixesRangesSetsAndNegation) {
  auto rules = ParseNftJson(Ruleset(R"([
    {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
               "right": {"prefix": {"addr": "10.0.0.0", "len": 8}}}},
    {"match": {"op": "!=", "left": {"payload": {"protocol": "ip", "field": "daddr"}},
               "right": {"range": ["10.1.0.0", "10.1.0.255"]}}},
    {"match": {"op": "==", "left": {"payload": {"protocol": "th", "field": "dport"}},
               "right": {"set": [22, {"range": [1000, 2000]}]}}},
    {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["new", "untracked"]}},
    {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "vlan*"}},
    {"counter": {"packets": 0, "bytes": 0}},
    {"accept": null}])"),
                            "t.json");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const Rule& rule = OnlyRule(*rules);
  EXPECT_TRUE(rule.Exact());
  EXPECT_EQ(rule.action, ActionKind::kAccept);
  EXPECT_TRUE(rule.match.Matches(Make("10.9.9.9", "10.2.0.1", 17, 1500, "vlan10")));
  EXPECT_TRUE(rule.match.Matches(Make("10.9.9.9", "10.2.0.1", 6, 22, "vlan10")));
  EXPECT_FALSE(rule.match.Matches(Make("10.9.9.9", "10.1.0.7", 6, 22, "vlan10")));
  EXPECT_FALSE(rule.match.Matches(Make("10.9.9.9", "10.2.0.1", 1, 22, "vlan10")));
  EXPECT_FALSE(rule.match.Matches(Make("10.9.9.9", "10.2.0.1", 6, 23, "vlan10")));
  EXPECT_FALSE(rule.match.Matches(Make("10.9.9.9", "10.2.0.1", 6, 22, "eth0")));
  EXPECT_FALSE(rule.match.Matches(Make("11.0.0.1", "10.2.0.1", 6, 22, "vlan10")));
  // ip daddr != … still means an IPv4 packet.
  EXPECT_FALSE(rule.match.Matches(Make("2001:db8::1", "2001:db8::2", 6, 22, "vlan10")));
  Packet established = Make("10.9.9.9", "10.2.0.1", 6, 22, "vlan10");
  established.state = ConnectionState::kEstablished;
  EXPECT_FALSE(rule.match.Matches(established));
}

TEST(NftJsonTest, PortComparisonsAndProtocols) {
  auto rules = ParseNftJson(Ruleset(R"([
    {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "udp"}},
    {"match": {"op": "<", "left": {"payload": {"protocol": "udp", "field": "sport"}},
               "right": 1024}},
    {"drop": null}])"),
                            "t.json");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const Rule& rule = OnlyRule(*rules);
  EXPECT_EQ(rule.action, ActionKind::kDrop);
  Packet packet = Make("10.0.0.1", "10.0.0.2", 17, 53);
  packet.source_port = 1023;
  EXPECT_TRUE(rule.match.Matches(packet));
  packet.source_port = 1024;
  EXPECT_FALSE(rule.match.Matches(packet));
}

// nft lists `meta nfproto ipv4 reject` as a bare reject of type icmp (the
// match is implied by the type); IPv6 packets pass it. The kernel
// differential test found this: the reject's type narrows the match.
TEST(NftJsonTest, ARejectsTypeCarriesTheMatchNftLeavesOut) {
  const auto only = [](const char* reject) {
    return ParseNftJson(Ruleset(std::string(R"([{"reject": )") + reject + "}]"), "t.json");
  };
  const Packet v4 = Make("10.0.0.1", "10.0.0.2", 17, 53);
  const Packet v6 = Make("fd00::1", "fd00::2", 17, 53);
  Packet tcp = v6;
  tcp.protocol = 6;

  auto icmp = only(R"({"type": "icmp", "expr": "port-unreachable"})");
  ASSERT_TRUE(icmp.Ok()) << icmp.Err().ToString();
  EXPECT_TRUE(OnlyRule(*icmp).match.Matches(v4));
  EXPECT_FALSE(OnlyRule(*icmp).match.Matches(v6));

  auto icmpv6 = only(R"({"type": "icmpv6", "expr": "port-unreachable"})");
  ASSERT_TRUE(icmpv6.Ok());
  EXPECT_FALSE(OnlyRule(*icmpv6).match.Matches(v4));
  EXPECT_TRUE(OnlyRule(*icmpv6).match.Matches(v6));

  auto reset = only(R"({"type": "tcp reset"})");
  ASSERT_TRUE(reset.Ok());
  EXPECT_FALSE(OnlyRule(*reset).match.Matches(v6));
  EXPECT_TRUE(OnlyRule(*reset).match.Matches(tcp));

  for (const char* every : {"null", R"({"type": "icmpx", "expr": "port-unreachable"})"}) {
    auto rules = only(every);
    ASSERT_TRUE(rules.Ok());
    EXPECT_TRUE(OnlyRule(*rules).match.Matches(v4)) << every;
    EXPECT_TRUE(OnlyRule(*rules).match.Matches(v6)) << every;
  }
}

TEST(NftJsonTest, ExpressionsNotModelledAreWarnedAndOverApproximated) {
  auto rules = ParseNftJson(ReadFile(kData + "alpha_hole.nft.json"), "alpha_hole.nft.json");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(rules->warnings.size(), 1u);
  EXPECT_EQ(rules->warnings[0].where.ToString(), "alpha_hole.nft.json: inet filter forward handle 13");
  const Rule& limited = rules->tables[0].chains[1].rules[5];
  ASSERT_EQ(limited.match.unmodelled.size(), 1u);
  EXPECT_TRUE(limited.match.unmodelled[0].starts_with("limit "));
  auto queue = ParseNftJson(Ruleset(R"([{"queue": {"num": 1}}])"), "t.json");
  ASSERT_TRUE(queue.Ok());
  EXPECT_EQ(OnlyRule(*queue).action, ActionKind::kAccept);
  EXPECT_EQ(OnlyRule(*queue).unmodelled_action, "queue");
  // A verdict map may accept: the rule accepts what it might match, and the
  // packets also go on.
  auto vmap = ParseNftJson(Ruleset(R"([
    {"vmap": {"key": {"meta": {"key": "iifname"}}, "data": {"set": [["eth0", {"accept": null}]]}}}])"),
                           "t.json");
  ASSERT_TRUE(vmap.Ok()) << vmap.Err().ToString();
  EXPECT_EQ(OnlyRule(*vmap).action, ActionKind::kAccept);
  EXPECT_EQ(OnlyRule(*vmap).unmodelled_action, "vmap");
  EXPECT_FALSE(OnlyRule(*vmap).match.Exact());
  auto unknown_set = ParseNftJson(Ruleset(R"([
    {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
               "right": "@blocklist"}}, {"drop": null}])"),
                                  "t.json");
  ASSERT_TRUE(unknown_set.Ok());
  EXPECT_FALSE(OnlyRule(*unknown_set).match.Exact());
}

TEST(NftJsonTest, SkipsOtherFamiliesAndNatChains) {
  auto rules = ParseNftJson(R"({"nftables": [
    {"table": {"family": "bridge", "name": "br", "handle": 1}},
    {"chain": {"family": "bridge", "table": "br", "name": "f", "handle": 1, "type": "filter",
               "hook": "forward", "prio": 0, "policy": "drop"}},
    {"rule": {"family": "bridge", "table": "br", "chain": "f", "handle": 2, "expr": [{"drop": null}]}},
    {"table": {"family": "ip", "name": "nat", "handle": 2}},
    {"chain": {"family": "ip", "table": "nat", "name": "post", "handle": 1, "type": "nat",
               "hook": "postrouting", "prio": 100, "policy": "accept"}},
    {"rule": {"family": "ip", "table": "nat", "chain": "post", "handle": 3,
              "expr": [{"masquerade": null}]}}]})",
                            "t.json");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  ASSERT_EQ(rules->tables.size(), 1u);
  EXPECT_TRUE(rules->tables[0].chains.empty());
  EXPECT_EQ(rules->warnings.size(), 2u);
}

struct BadJson {
  std::string text;
  const char* key;      // where.key, "" to skip
  const char* english;  // part of the message
};

class NftJsonErrorTest : public ::testing::TestWithParam<BadJson> {};

TEST_P(NftJsonErrorTest, NamesThePlaceAndWhy) {
  const BadJson& bad = GetParam();
  auto rules = ParseNftJson(bad.text, "bad.json");
  ASSERT_FALSE(rules.Ok());
  const Diagnostic& headline = rules.Err().Headline();
  EXPECT_EQ(headline.where.file, "bad.json");
  if (*bad.key != '\0') {
    EXPECT_EQ(headline.where.key, bad.key) << headline.ToString();
  }
  EXPECT_NE(headline.message_en.find(bad.english), std::string::npos) << headline.ToString();
  EXPECT_FALSE(headline.message_ja.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Bad, NftJsonErrorTest,
    ::testing::Values(
        BadJson{"{\"nftables\": [", "", "not valid JSON"},
        BadJson{"{\"rules\": []}", "", "no \"nftables\" array"},
        BadJson{std::string(100, '[') + std::string(100, ']'), "", "nested too deeply"},
        BadJson{Ruleset(R"([{"jump": {"target": "missing"}}])"), "inet fw forward handle 7",
                "chain \"missing\" does not exist"},
        BadJson{Ruleset(R"([{"match": {"op": "==", "left": {"payload": {"protocol": "ip",
                "field": "saddr"}}, "right": "10.0.0.999"}}, {"accept": null}])"),
                "inet fw forward handle 7", "cannot read address"},
        BadJson{Ruleset(R"([{"match": {"op": "==", "left": {"ct": {"key": "state"}},
                "right": "sleepy"}}, {"accept": null}])"),
                "inet fw forward handle 7", "unknown connection state"},
        BadJson{Ruleset(R"([{"match": {"left": {"ct": {"key": "state"}}}}])"),
                "inet fw forward handle 7", "a match needs op, left and right"},
        BadJson{R"({"nftables": [{"rule": {"family": "inet", "table": "x", "chain": "y",
                "expr": []}}]})",
                "nftables[0]", "the rule's chain"},
        BadJson{R"({"nftables": [{"table": {"family": "inet", "name": "t"}},
                {"chain": {"family": "inet", "table": "t", "name": "c", "type": "filter",
                "hook": "forward", "prio": 0, "policy": "reject"}}]})",
                "inet t c", "accept or drop"}));

TEST(NftJsonTest, TellsItsFormat) {
  EXPECT_TRUE(LooksLikeNftJson("  \n{\"nftables\": []}"));
  EXPECT_FALSE(LooksLikeNftJson("*filter\n"));
}

}  // namespace
}  // namespace mamori::netcheck
