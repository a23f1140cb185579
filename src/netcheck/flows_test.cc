// Flow logs: the four readers (fields, header errors, bad lines with
// file:line) and the judgement on the α model with two planted violations.
#include "netcheck/flows.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "netcheck/address.h"
#include "netcheck/iptables.h"
#include "netcheck/test_support.h"

namespace mamori::netcheck {
namespace {

using fixture::Hannan;
using fixture::Plan;

// Five flows in every format: three legal crossings (to the sanitizing
// gateway, screen transfer, the one マイナンバー → LGWAN link), and the two
// violations: internet → マイナンバー (never) and internet → the gateway's
// ssh port (sanitized, not a listed service).
const std::string kNfdump =
    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,"
    "nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,"
    "mpls10,cl,sl,al,ra,eng,exid,tr\n"
    "2026-05-01 09:00:00.000,2026-05-01 09:00:01.000,1.000,172.16.0.5,10.20.0.10,50000,443,TCP,"
    ".AP.SF,0,0,10,5000,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:"
    "00,"
    "00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,"
    "0-0-0,0.000,0.000,0.000,127.0.0.1,0/0,1,2026-05-01 09:00:02.000\n"
    "2026-05-01 09:01:00.000,2026-05-01 09:01:01.000,1.000,10.20.1.5,172.16.0.20,50001,8443,TCP,"
    ".AP.SF,0,0,10,6000,0,0\n"
    "2026-05-01 09:02:00.000,2026-05-01 09:02:01.000,1.000,10.30.0.5,10.20.0.50,50002,8443,TCP,"
    ".AP.SF,0,0,10,7000,0,0\n"
    "2026-05-01 09:03:00.000,2026-05-01 09:03:01.000,1.000,172.16.0.5,10.30.0.7,50003,445,TCP,"
    ".AP.SF,0,0,3,300,0,0\n"
    "2026-05-01 09:04:00.000,2026-05-01 09:04:01.000,1.000,172.16.0.5,10.20.0.10,50004,22,TCP,"
    ".AP.SF,0,0,4,400,0,0\n"
    "2026-05-01 09:05:00.000,2026-05-01 09:05:01.000,1.000,172.16.0.5,10.30.0.8,50005,445,TCP,"
    ".AP.SF,0,0,3,300,0,0\n"
    "Summary\n"
    "flows,bytes,packets,avg_bps,avg_pps,avg_bpp\n"
    "6,19000,40,0,0,0\n";

const std::string kZeekTsv =
    "#separator \\x09\n"
    "#set_separator\t,\n"
    "#empty_field\t(empty)\n"
    "#unset_field\t-\n"
    "#path\tconn\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\t"
    "bool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
    "1777626000.000000\tC1\t172.16.0.5\t50000\t10.20.0.10\t443\ttcp\tssl\t1.0\t100\t200\tSF\t-\t-"
    "\t0\tShADadFf\t5\t2500\t5\t2500\t-\n"
    "1777626060.000000\tC2\t10.20.1.5\t50001\t172.16.0.20\t8443\ttcp\t-\t1.0\t100\t200\tSF\t-\t-"
    "\t0\tShADadFf\t5\t3000\t5\t3000\t-\n"
    "1777626120.000000\tC3\t10.30.0.5\t50002\t10.20.0.50\t8443\ttcp\t-\t1.0\t100\t200\tSF\t-\t-"
    "\t0\tShADadFf\t5\t3500\t5\t3500\t-\n"
    "1777626180.000000\tC4\t172.16.0.5\t50003\t10.30.0.7\t445\ttcp\t-\t1.0\t100\t200\tS0\t-\t-"
    "\t0\tS\t3\t300\t0\t0\t-\n"
    "1777626240.000000\tC5\t172.16.0.5\t50004\t10.20.0.10\t22\ttcp\t-\t1.0\t100\t200\tS0\t-\t-"
    "\t0\tS\t4\t400\t0\t0\t-\n"
    "#close\t2026-05-01-10-00-00\n";

const std::string kZeekJson =
    R"({"ts":1777626000.0,"uid":"C1","id.orig_h":"172.16.0.5","id.orig_p":50000,"id.resp_h":"10.20.0.10","id.resp_p":443,"proto":"tcp","orig_ip_bytes":2500,"resp_ip_bytes":2500})"
    "\n"
    R"({"ts":1777626060.0,"uid":"C2","id.orig_h":"10.20.1.5","id.orig_p":50001,"id.resp_h":"172.16.0.20","id.resp_p":443,"proto":"tcp"})"
    "\n"
    R"({"ts":1777626120.0,"uid":"C3","id.orig_h":"10.30.0.5","id.orig_p":50002,"id.resp_h":"10.20.0.50","id.resp_p":8443,"proto":"tcp"})"
    "\n"
    R"({"ts":1777626180.0,"uid":"C4","id.orig_h":"172.16.0.5","id.orig_p":50003,"id.resp_h":"10.30.0.7","id.resp_p":445,"proto":"tcp"})"
    "\n"
    R"({"ts":1777626240.0,"uid":"C5","id.orig_h":"172.16.0.5","id.orig_p":50004,"id.resp_h":"10.20.0.10","id.resp_p":22,"proto":"tcp"})"
    "\n";

const std::string kFortiGate =
    R"(date=2026-05-01 time=09:00:00 devname="fw1" logid="0000000013" type="traffic" subtype="forward" eventtime=1777626000000000000 srcip=172.16.0.5 srcport=50000 srcintf="port1" dstip=10.20.0.10 dstport=443 dstintf="port2" proto=6 action="accept" sentbyte=2500 rcvdbyte=2500 sentpkt=5 rcvdpkt=5)"
    "\n"
    R"(date=2026-05-01 time=09:00:30 devname="fw1" type="event" subtype="system" msg="admin login")"
    "\n"
    R"(date=2026-05-01 time=09:01:00 type="traffic" srcip=10.20.1.5 srcport=50001 srcintf="port2" dstip=172.16.0.20 dstport=443 dstintf="port1" proto=6 action="accept")"
    "\n"
    R"(date=2026-05-01 time=09:02:00 type="traffic" srcip=10.30.0.5 srcport=50002 srcintf="port3" dstip=10.20.0.50 dstport=8443 dstintf="port2" proto=6 action="accept")"
    "\n"
    R"(date=2026-05-01 time=09:03:00 type="traffic" srcip=172.16.0.5 srcport=50003 srcintf="port1" dstip=10.30.0.7 dstport=445 dstintf="port3" proto=6 action="deny")"
    "\n"
    R"(date=2026-05-01 time=09:04:00 type="traffic" srcip=172.16.0.5 srcport=50004 srcintf="port1" dstip=10.20.0.10 dstport=22 dstintf="port2" proto=6 action="accept")"
    "\n";

std::string PanOsLine(const char* time, const char* source, const char* destination,
                      const char* from, const char* to, int sport, int dport, const char* action) {
  // 0 FUTURE_USE, 1 receive time, 2 serial, 3 type, 4 subtype, 5 FUTURE_USE,
  // 6 generated time, 7 src, 8 dst, 9-10 NAT, 11 rule, 12-13 users, 14 app,
  // 15 vsys, 16-17 zones, 18-19 interfaces, 20 log action, 21 FUTURE_USE,
  // 22 session, 23 repeat, 24 sport, 25 dport, 26-27 NAT ports, 28 flags,
  // 29 protocol, 30 action, 31 bytes, 32 sent, 33 received, 34 packets,
  // 35 start time, 36 elapsed, 37 category, …
  std::ostringstream line;
  line << "1," << time << ",012345678901,TRAFFIC,end,2561," << time << "," << source << ","
       << destination << ",0.0.0.0,0.0.0.0,\"rule, one\",,,ssl,vsys1," << from << "," << to
       << ",ethernet1/1,ethernet1/2,fwd,,12345,1," << sport << "," << dport << ",0,0,0x400000,tcp,"
       << action << ",5000,2500,2500,10," << time
       << ",1,any,,7001,0x0,10.0.0.0-10.255.255.255,10.0.0.0-10.255.255.255,0,5,5,tcp-fin\n";
  return line.str();
}

const std::string kPanOs = PanOsLine("2026/05/01 09:00:00", "172.16.0.5", "10.20.0.10", "untrust",
                                     "lgwan", 50000, 443, "allow") +
                           "1,2026/05/01 09:00:10,012345678901,THREAT,url,2561\n" +
                           PanOsLine("2026/05/01 09:01:00", "10.20.1.5", "172.16.0.20", "lgwan",
                                     "untrust", 50001, 443, "allow") +
                           PanOsLine("2026/05/01 09:02:00", "10.30.0.5", "10.20.0.50", "mynumber",
                                     "lgwan", 50002, 8443, "allow") +
                           PanOsLine("2026/05/01 09:03:00", "172.16.0.5", "10.30.0.7", "untrust",
                                     "mynumber", 50003, 445, "deny") +
                           PanOsLine("2026/05/01 09:04:00", "172.16.0.5", "10.20.0.10", "untrust",
                                     "lgwan", 50004, 22, "allow");

struct Read {
  std::vector<Flow> flows;
  FlowReadStats stats;
  Status status;
};

Read ReadAll(const std::string& text, FlowFormat format = FlowFormat::kAuto,
             const FlowLimits& limits = {}) {
  Read out;
  std::istringstream in(text);
  out.status = ReadFlows(
      in, "flows.log", format, [&](const Flow& flow) { out.flows.push_back(flow); }, out.stats,
      limits);
  return out;
}

TEST(FlowsTest, DetectsEachFormat) {
  EXPECT_EQ(DetectFlowFormat(kNfdump), FlowFormat::kNfdump);
  EXPECT_EQ(DetectFlowFormat(kZeekTsv), FlowFormat::kZeek);
  EXPECT_EQ(DetectFlowFormat(kZeekJson), FlowFormat::kZeek);
  EXPECT_EQ(DetectFlowFormat(kFortiGate), FlowFormat::kFortiGate);
  EXPECT_EQ(DetectFlowFormat(kPanOs), FlowFormat::kPanOs);
  EXPECT_EQ(DetectFlowFormat("hello\n"), std::nullopt);
  auto read = ReadAll("hello\n");
  ASSERT_FALSE(read.status.Ok());
  EXPECT_EQ(read.status.Err().Headline().where.line, 1);
}

TEST(FlowsTest, ReadsNfdumpCsvAndSkipsTheSummary) {
  auto read = ReadAll(kNfdump);
  ASSERT_TRUE(read.status.Ok()) << read.status.Err().ToString();
  ASSERT_EQ(read.flows.size(), 6u);
  const Flow& flow = read.flows.front();
  EXPECT_EQ(flow.time, "2026-05-01 09:00:00");
  EXPECT_EQ(FormatAddress(flow.source), "172.16.0.5");
  EXPECT_EQ(FormatAddress(flow.destination), "10.20.0.10");
  EXPECT_EQ(flow.protocol, 6);
  EXPECT_EQ(flow.source_port, 50000);
  EXPECT_EQ(flow.destination_port, 443);
  EXPECT_EQ(flow.bytes, 5000u);
  EXPECT_EQ(flow.packets, 10u);
  EXPECT_EQ(flow.where.ToString(), "flows.log:2");
  EXPECT_EQ(read.stats.skipped, 0u);
}

TEST(FlowsTest, ReadsZeekTsvAndJson) {
  for (const std::string* text : {&kZeekTsv, &kZeekJson}) {
    auto read = ReadAll(*text);
    ASSERT_TRUE(read.status.Ok()) << read.status.Err().ToString();
    ASSERT_EQ(read.flows.size(), 5u);
    EXPECT_EQ(read.flows[0].time, "2026-05-01 09:00:00");
    EXPECT_EQ(FormatAddress(read.flows[3].destination), "10.30.0.7");
    EXPECT_EQ(read.flows[3].destination_port, 445);
    EXPECT_EQ(read.flows[0].bytes, 5000u);
  }
}

TEST(FlowsTest, ReadsFortiGateTrafficOnly) {
  auto read = ReadAll(kFortiGate);
  ASSERT_TRUE(read.status.Ok()) << read.status.Err().ToString();
  ASSERT_EQ(read.flows.size(), 5u);
  EXPECT_EQ(read.flows[0].time, "2026-05-01 09:00:00");  // from eventtime (ns)
  EXPECT_EQ(read.flows[0].input_interface, "port1");
  EXPECT_EQ(read.flows[0].output_interface, "port2");
  EXPECT_EQ(read.flows[0].bytes, 5000u);
  EXPECT_EQ(read.flows[3].action, "deny");
  EXPECT_EQ(read.flows[1].where.line, 3);
}

TEST(FlowsTest, ReadsPanOsTrafficByPosition) {
  auto read = ReadAll(kPanOs);
  ASSERT_TRUE(read.status.Ok()) << read.status.Err().ToString();
  ASSERT_EQ(read.flows.size(), 5u);
  const Flow& flow = read.flows[3];
  EXPECT_EQ(flow.time, "2026-05-01 09:03:00");
  EXPECT_EQ(FormatAddress(flow.source), "172.16.0.5");
  EXPECT_EQ(flow.destination_port, 445);
  EXPECT_EQ(flow.input_interface, "untrust");
  EXPECT_EQ(flow.output_interface, "mynumber");
  EXPECT_EQ(flow.action, "deny");
  EXPECT_EQ(flow.bytes, 5000u);
}

TEST(FlowsTest, BadLinesAreNamedCountedAndSkipped) {
  std::string text = kFortiGate;
  text +=
      "date=2026-05-01 time=09:05:00 type=\"traffic\" srcip=172.16.0.999 dstip=10.20.0.10 "
      "srcport=1 dstport=2 proto=6\n";
  text +=
      "date=2026-05-01 time=09:06:00 type=\"traffic\" srcip=172.16.0.5 dstip=10.20.0.10 "
      "srcport=1 dstport=99999 proto=6\n";
  auto read = ReadAll(text);
  ASSERT_TRUE(read.status.Ok());
  EXPECT_EQ(read.flows.size(), 5u);
  EXPECT_EQ(read.stats.skipped, 2u);
  ASSERT_EQ(read.stats.bad_lines.size(), 2u);
  EXPECT_EQ(read.stats.bad_lines[0].where.ToString(), "flows.log:7");
  EXPECT_NE(read.stats.bad_lines[0].message_en.find("srcip"), std::string::npos);
  EXPECT_FALSE(read.stats.bad_lines[0].message_ja.empty());
  EXPECT_EQ(read.stats.bad_lines[1].where.line, 8);

  FlowLimits strict;
  strict.max_bad_lines = 1;
  auto failed = ReadAll(text, FlowFormat::kAuto, strict);
  ASSERT_FALSE(failed.status.Ok());
  EXPECT_EQ(failed.status.Err().Headline().where.line, 8);
  EXPECT_NE(failed.status.Err().Headline().message_en.find("too many"), std::string::npos);
}

TEST(FlowsTest, AWrongHeaderIsFatal) {
  auto nfdump = ReadAll("ts,te,td,sa,dp,pr\n", FlowFormat::kNfdump);
  ASSERT_FALSE(nfdump.status.Ok());
  EXPECT_EQ(nfdump.status.Err().Headline().where.ToString(), "flows.log:1");
  EXPECT_NE(nfdump.status.Err().Headline().message_en.find("da"), std::string::npos);
  auto zeek = ReadAll("#separator \\x09\n#fields\tts\tuid\n", FlowFormat::kZeek);
  ASSERT_FALSE(zeek.status.Ok());
  EXPECT_EQ(zeek.status.Err().Headline().where.line, 2);
  auto headless = ReadAll("1777626000.0\tC1\n", FlowFormat::kZeek);
  ASSERT_FALSE(headless.status.Ok());
  EXPECT_NE(headless.status.Err().Headline().message_en.find("#fields"), std::string::npos);
}

TEST(FlowsTest, NonFiniteNumbersAreBadLinesNotHangs) {
  auto read = ReadAll(
      "#separator \\x09\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
      "orig_ip_bytes\n"
      "inf\t1.2.3.4\t1\t5.6.7.8\t2\ttcp\t1\n"
      "nan\t1.2.3.4\t1\t5.6.7.8\t2\ttcp\t1\n"
      "1.0\t1.2.3.4\t1\t5.6.7.8\t2\ttcp\tinf\n");
  ASSERT_TRUE(read.status.Ok()) << read.status.Err().ToString();
  EXPECT_EQ(read.stats.skipped, 2u);
  ASSERT_EQ(read.flows.size(), 1u);
  EXPECT_EQ(read.flows[0].bytes, 0u);
  EXPECT_EQ(DetectFlowFormat("   \n"), std::nullopt);
  // A separator that is not hex is left as the tab, not thrown on.
  auto odd = ReadAll("#separator \\xZZ\n#fields\tts\n", FlowFormat::kZeek);
  EXPECT_FALSE(odd.status.Ok());
}

TEST(FlowsTest, ShortPanOsAndNfdumpLinesAreSkipped) {
  auto panos = ReadAll("1,2026/05/01 09:00:00,0123,TRAFFIC,end,2561,x\n" + kPanOs);
  ASSERT_TRUE(panos.status.Ok());
  EXPECT_EQ(panos.stats.skipped, 1u);
  EXPECT_EQ(panos.stats.bad_lines[0].where.line, 1);
  auto nfdump = ReadAll("ts,te,td,sa,da,sp,dp,pr\n2026-05-01 09:00:00,x,1,1.2.3.4\n");
  ASSERT_TRUE(nfdump.status.Ok());
  EXPECT_EQ(nfdump.stats.skipped, 1u);
  EXPECT_EQ(nfdump.stats.bad_lines[0].where.line, 2);
}

FlowReport Judge(const std::string& text, const RuleSet* rules = nullptr) {
  const AddressPlan plan = Plan("alpha_zones.toml");
  FlowJudge judge(plan, Hannan(), rules);
  auto read = ReadAll(text);
  EXPECT_TRUE(read.status.Ok());
  for (const auto& flow : read.flows) judge.Add(flow);
  return std::move(judge).Finish({"flows.log"}, read.stats);
}

const FlowViolation* Find(const FlowReport& report, const std::string& to, int port) {
  for (const auto& v : report.violations) {
    if (v.to == to && v.destination_port == port) return &v;
  }
  return nullptr;
}

TEST(FlowsTest, EveryFormatFindsExactlyTheTwoPlantedViolations) {
  for (const std::string* text : {&kNfdump, &kZeekTsv, &kZeekJson, &kFortiGate, &kPanOs}) {
    const FlowReport report = Judge(*text);
    ASSERT_EQ(report.violations.size(), 2u) << FlowReportToText(report);
    const FlowViolation* never = Find(report, "mynumber", 445);
    ASSERT_NE(never, nullptr);
    EXPECT_EQ(never->from, "internet");
    EXPECT_EQ(never->mode, policy::FlowMode::kNever);
    EXPECT_FALSE(never->firewall_checked);
    const FlowViolation* sanitized = Find(report, "lgwan", 22);
    ASSERT_NE(sanitized, nullptr);
    EXPECT_EQ(sanitized->mode, policy::FlowMode::kSanitized);
    EXPECT_EQ(sanitized->count, 1u);
    EXPECT_EQ(sanitized->example.where.file, "flows.log");
    EXPECT_EQ(report.conforming, 3u);
    EXPECT_TRUE(report.HasViolation());
  }
}

TEST(FlowsTest, ViolationsAreGroupedWithCountsAndTimes) {
  const FlowReport report = Judge(kNfdump);  // two flows internet → mynumber tcp/445
  const FlowViolation* never = Find(report, "mynumber", 445);
  ASSERT_NE(never, nullptr);
  EXPECT_EQ(never->count, 2u);
  EXPECT_EQ(never->bytes, 600u);
  EXPECT_EQ(never->first_seen, "2026-05-01 09:03:00");
  EXPECT_EQ(never->last_seen, "2026-05-01 09:05:00");
  EXPECT_EQ(never->example.where.line, 5);
  EXPECT_EQ(report.flows, 6u);
  const auto json = FlowReportToJson(report);
  EXPECT_EQ(json["totals"]["flows"], 6);
  EXPECT_EQ(json["violations"].size(), 2u);
}

TEST(FlowsTest, HostsOutsideEveryZoneAreCountedNotJudged) {
  const FlowReport report = Judge(
      "ts,te,td,sa,da,sp,dp,pr\n2026-05-01 09:00:00,x,1,192.0.2.1,10.30.0.7,1,445,TCP\n"
      "2026-05-01 09:00:00,x,1,10.30.0.6,10.30.0.7,1,445,TCP\n");
  EXPECT_EQ(report.outside, 1u);
  EXPECT_EQ(report.same_zone, 1u);
  EXPECT_FALSE(report.HasViolation());
}

TEST(FlowsTest, AllowedByTheFirewallButForbiddenByThePolicy) {
  const std::string rules_text =
      "*filter\n"
      ":FORWARD DROP [0:0]\n"
      "-A FORWARD -i eth0 -o eth2 -p tcp -m tcp --dport 445 -j ACCEPT\n"
      "-A FORWARD -i eth0 -o eth1 -d 10.20.0.10/32 -p tcp -m tcp --dport 443 -j ACCEPT\n"
      "COMMIT\n";
  auto rules = ParseIptablesSave(rules_text, "rules.v4");
  ASSERT_TRUE(rules.Ok()) << rules.Err().ToString();
  const FlowReport report = Judge(kZeekTsv, &*rules);
  ASSERT_EQ(report.violations.size(), 2u);
  EXPECT_EQ(report.FirewallAllowed(), 1u);
  const FlowViolation& worst = report.violations.front();  // sorted first
  EXPECT_EQ(worst.to, "mynumber");
  EXPECT_TRUE(worst.firewall_allows);
  EXPECT_NE(worst.firewall_rule.find("rules.v4:3"), std::string::npos) << worst.firewall_rule;
  const FlowViolation* ssh = Find(report, "lgwan", 22);
  ASSERT_NE(ssh, nullptr);
  EXPECT_TRUE(ssh->firewall_checked);
  EXPECT_FALSE(ssh->firewall_allows);
  const std::string text = FlowReportToText(report);
  EXPECT_NE(text.find("allowed by the firewall but forbidden by the policy"), std::string::npos);
}

}  // namespace
}  // namespace mamori::netcheck
