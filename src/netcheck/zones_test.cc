#include "netcheck/zones.h"

#include <gtest/gtest.h>

#include "netcheck/test_support.h"

namespace mamori::netcheck {
namespace {

using fixture::Hannan;
using fixture::kData;
using fixture::ReadFile;

TEST(ZonesTest, TomlAndCsvGiveTheSamePlan) {
  auto toml = ParseZones(ReadFile(kData + "alpha_zones.toml"), "alpha_zones.toml");
  ASSERT_TRUE(toml.Ok()) << toml.Err().ToString();
  auto csv = ParseZones(ReadFile(kData + "alpha_zones.csv"), "alpha_zones.csv");
  ASSERT_TRUE(csv.Ok()) << csv.Err().ToString();
  for (const AddressPlan* plan : {&*toml, &*csv}) {
    ASSERT_EQ(plan->zones.size(), 3u);
    ASSERT_EQ(plan->hosts.size(), 4u);
    const Zone* lgwan = plan->FindZone("lgwan");
    ASSERT_NE(lgwan, nullptr);
    EXPECT_TRUE(lgwan->networks.Contains(*ParseAddress("10.20.255.255")));
    EXPECT_TRUE(lgwan->networks.Contains(*ParseAddress("2001:db8:20::1")));
    EXPECT_FALSE(lgwan->networks.Contains(*ParseAddress("10.21.0.0")));
    ASSERT_EQ(lgwan->interfaces.size(), 1u);
    EXPECT_EQ(lgwan->interfaces[0].name, "eth1");
    const Host& vdi = plan->hosts[1];
    EXPECT_EQ(vdi.role, HostRole::kScreenTransfer);
    ASSERT_EQ(vdi.services.size(), 2u);
    EXPECT_TRUE(vdi.services[1].ports.Contains(U128::Of(8443)));
    EXPECT_EQ(plan->hosts[2].from, std::vector<std::string>{"mynumber"});
  }
  EXPECT_EQ(toml->zones[1].where.line, 9);
  EXPECT_EQ(csv->zones[1].where.line, 3);
  EXPECT_TRUE(ValidateZones(*toml, Hannan().network).Ok());
  EXPECT_GE(toml->zones[0].segment_index, 0);
}

TEST(ZonesTest, UnknownSegmentIsAnErrorWithFileAndLine) {
  auto plan = ParseZones("[zones.lgwan]\nnetworks = [\"10.20.0.0/16\"]\n\n[zones.lgwam]\n"
                         "networks = [\"10.21.0.0/16\"]\n",
                         "typo.toml");
  ASSERT_TRUE(plan.Ok()) << plan.Err().ToString();
  const Status valid = ValidateZones(*plan, Hannan().network);
  ASSERT_FALSE(valid.Ok());
  const Diagnostic& headline = valid.Err().Headline();
  EXPECT_EQ(headline.where.file, "typo.toml");
  EXPECT_EQ(headline.where.line, 4);
  EXPECT_NE(headline.message_en.find("segment \"lgwam\" is not in the profile"), std::string::npos);
  EXPECT_NE(headline.message_ja.find("lgwan"), std::string::npos);  // lists the known ids
}

struct BadZones {
  const char* file;
  const char* text;
  int line;
  const char* english;
};

class ZonesErrorTest : public ::testing::TestWithParam<BadZones> {};

TEST_P(ZonesErrorTest, NamesFileLineAndWhy) {
  const BadZones& bad = GetParam();
  auto plan = ParseZones(bad.text, bad.file);
  ASSERT_FALSE(plan.Ok());
  const Diagnostic& headline = plan.Err().Headline();
  EXPECT_EQ(headline.where.file, bad.file);
  EXPECT_EQ(headline.where.line, bad.line) << headline.ToString();
  EXPECT_NE(headline.message_en.find(bad.english), std::string::npos) << headline.ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Bad, ZonesErrorTest,
    ::testing::Values(
        BadZones{"z.toml", "[zones.lgwan]\nnetworks = [\"10.20.0.1/16\"]\n", 1,
                 "did you mean 10.20.0.0/16"},
        BadZones{"z.toml", "[zones.lgwan]\nnetwork = [\"10.20.0.0/16\"]\n", 2,
                 "unknown key \"network\""},
        BadZones{"z.toml", "[zones.lgwan]\nnetworks = [\"10.20.0.0/16\"\n", 2, "TOML syntax error"},
        BadZones{"z.toml", "[zones.lgwan]\nnetworks = [16]\n", 2, "must be an array of strings"},
        BadZones{"z.toml", "[zones.lgwan]\n", 1, "has neither networks nor interfaces"},
        BadZones{"z.toml",
                 "[[hosts]]\nname = \"gw\"\nrole = \"gateway\"\naddresses = [\"10.0.0.1\"]\n", 1,
                 "role \"gateway\" must be one of"},
        BadZones{"z.toml",
                 "[[hosts]]\nname = \"gw\"\nrole = \"sanitize_gateway\"\naddresses = "
                 "[\"10.0.0.1\"]\nservices = [\"tcp/99999\"]\n",
                 1, "cannot read the ports of service"},
        BadZones{"z.toml", "[[hosts]]\nname = \"gw\"\nrole = \"sanitize_gateway\"\n", 1,
                 "has no addresses"},
        BadZones{"z.toml", "lgwan = 1\n", 1, "unknown key \"lgwan\""},
        // A full-width space where a key belongs (toml++ 3.3.0 would assert).
        BadZones{"z.toml", "[zones.lgwan]\nnetworks\u3000= [\"10.20.0.0/16\"]\n", 2,
                 "non-ASCII character outside strings"},
        BadZones{"z.csv", "kind,name,segment,zone\nzone,,lgwan,\n", 1, "unknown column \"zone\""},
        BadZones{"z.csv", "kind,segment,addresses\nzone,lgwan,10.0.0.0/8\nzoen,lgwan,\n", 3,
                 "kind \"zoen\" must be zone or host"},
        BadZones{"z.csv", "kind,segment,addresses\nzone,lgwan,10.0.0.0/8\nzone,lgwan,10.1.0.0/16\n",
                 3, "is also defined at z.csv:2"},
        BadZones{"z.csv", "kind,segment,addresses\nzone,lgwan,\"10.0.0.0/8\n", 2, ""}));

TEST(ZonesTest, HostsInNoZoneOrTwoAreFound) {
  auto plan = ParseZones(R"(
[zones.lgwan]
networks = ["10.20.0.0/16"]
[zones.internet]
networks = ["10.20.128.0/17", "172.16.0.0/16"]
[[hosts]]
name = "inside"
role = "sanitize_gateway"
addresses = ["10.20.0.10"]
[[hosts]]
name = "both"
role = "external_connection"
addresses = ["10.20.200.1"]
[[hosts]]
name = "nowhere"
role = "screen_transfer"
addresses = ["192.0.2.1"]
[[hosts]]
name = "partly"
role = "screen_transfer"
addresses = ["172.16.0.1", "198.51.100.0/30"]
)",
                         "hosts.toml");
  ASSERT_TRUE(plan.Ok()) << plan.Err().ToString();
  const auto locations = LocateHosts(*plan);
  ASSERT_EQ(locations.size(), 4u);
  EXPECT_EQ(locations[0].zones.size(), 1u);
  EXPECT_TRUE(locations[0].outside.empty());
  EXPECT_EQ(locations[1].zones.size(), 2u);
  EXPECT_TRUE(locations[2].zones.empty());
  EXPECT_EQ(locations[3].zones.size(), 1u);
  EXPECT_EQ(locations[3].outside, std::vector<std::string>{"198.51.100.0/30"});
}

}  // namespace
}  // namespace mamori::netcheck
