// GET /api/v1/org/people: the people register paged like the other
// registers, each viewer seeing the same people as before paging
// (Viewer::CanRead), bad parameters named.
#include <set>
#include <string>
#include <vector>

#include "ledger/org.h"
#include "server/api_test_support.h"

namespace mamori::server {
namespace {

using testing::Agent;

class PeopleTest : public testing::ApiTest {
 protected:
  // The codes of one page; `total` the count over all pages.
  std::vector<std::string> Page(const Agent& agent, const std::string& query,
                                std::int64_t* total = nullptr) {
    auto [status, json] = Call(agent, "GET", "/org/people" + query);
    EXPECT_EQ(status, 200) << query << " " << json.dump();
    std::vector<std::string> codes;
    if (status != 200) return codes;
    EXPECT_TRUE(json["records"].is_array()) << json.dump();
    for (const auto& p : json["records"]) codes.push_back(p["code"]);
    if (total != nullptr) *total = json["total"];
    return codes;
  }

  // Every page, walked `limit` at a time.
  std::vector<std::string> Walk(const Agent& agent, int limit) {
    std::vector<std::string> codes;
    std::int64_t total = 0;
    for (int offset = 0; offset < 100; offset += limit) {
      const auto page = Page(
          agent, "?limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset), &total);
      if (page.empty()) break;
      EXPECT_LE(page.size(), static_cast<std::size_t>(limit));
      codes.insert(codes.end(), page.begin(), page.end());
    }
    EXPECT_EQ(static_cast<std::int64_t>(codes.size()), total) << agent.code;
    return codes;
  }

  // The error's field names of a 400 answer.
  std::vector<std::string> BadFields(const Agent& agent, const std::string& query) {
    auto [status, json] = Call(agent, "GET", "/org/people" + query);
    EXPECT_EQ(status, 400) << query << " " << json.dump();
    std::vector<std::string> fields;
    for (const auto& field : json["error"]["fields"]) fields.push_back(field["field"]);
    EXPECT_FALSE(json["error"]["message"].get<std::string>().empty()) << json.dump();
    EXPECT_FALSE(json["error"]["message_en"].get<std::string>().empty()) << json.dump();
    return fields;
  }
};

using Codes = std::vector<std::string>;

TEST_F(PeopleTest, EachRoleSeesTheSamePeopleAsBeforePaging) {
  // The seeded organization: 情報政策課 (joho) and 税務課 (zeimu) in 総務部
  // (somu), 介護保険課 (kaigo) in 福祉部 (fukushi).
  const Codes everyone = {"a1", "c1", "d1", "k1", "m1", "m2", "o1", "s1", "s2", "v1", "x1"};
  const std::map<std::string, Codes> expected = {
      {"s1", {"m1", "s1", "s2"}},  // staff: their own section
      {"m1", {"m1", "s1", "s2"}},  // a manager: their section
      {"m2", {"m2"}},
      // the officer of 総務部: its sections
      {"o1", {"a1", "c1", "d1", "k1", "m1", "o1", "s1", "s2", "v1", "x1"}},
      // the auditor: other departments, and their own section as staff
      {"a1", {"a1", "c1", "d1", "k1", "m2", "o1", "v1", "x1"}},
      {"k1", {"a1", "c1", "d1", "k1", "o1", "v1", "x1"}},  // CSIRT: their section
      {"c1", everyone},                                    // the chief officer
      {"d1", everyone},                                    // the deputy
      {"x1", everyone},                                    // the CISO
      {"v1", {}},                                          // a contractor: no one, as before
  };
  for (const auto& [code, people] : expected) {
    const Agent agent = SignedIn(code);
    std::int64_t total = -1;
    EXPECT_EQ(Page(agent, "", &total), people) << code;
    EXPECT_EQ(total, static_cast<std::int64_t>(people.size())) << code;
    EXPECT_EQ(Walk(agent, 2), people) << code;  // paged: the same people, once each
  }
}

TEST_F(PeopleTest, PagesAreSortedByCodeWithAStableTotal) {
  const Agent chief = SignedIn("c1");
  std::int64_t total = 0;
  EXPECT_EQ(Page(chief, "?limit=3", &total), (Codes{"a1", "c1", "d1"}));
  EXPECT_EQ(total, 11);
  EXPECT_EQ(Page(chief, "?limit=3&offset=3", &total), (Codes{"k1", "m1", "m2"}));
  EXPECT_EQ(total, 11);
  EXPECT_EQ(Page(chief, "?limit=3&offset=9", &total), (Codes{"v1", "x1"}));
  EXPECT_TRUE(Page(chief, "?offset=11", &total).empty());
  EXPECT_EQ(total, 11);
  auto [status, json] = Call(chief, "GET", "/org/people?limit=1&offset=4");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(json["offset"], 4);
  EXPECT_EQ(json["records"][0], (Json{{"code", "m1"},
                                      {"name", "税務 課長"},
                                      {"section", "zeimu"},
                                      {"department", "somu"},
                                      {"employment", "staff"},
                                      {"start_date", "2020-04-01"},
                                      {"end_date", ""}}));
}

TEST_F(PeopleTest, DefaultPageIsFiftyAndAtMostFiveHundred) {
  for (int i = 0; i < 60; ++i) {
    char code[8];
    std::snprintf(code, sizeof code, "n%02d", i);
    ASSERT_TRUE(ledger::AddPerson(**ledger_, "system",
                                  {code, "新規 職員", "kaigo", "staff", "", "2020-04-01", ""})
                    .Ok());
  }
  const Agent chief = SignedIn("c1");
  std::int64_t total = 0;
  EXPECT_EQ(Page(chief, "", &total).size(), 50U);
  EXPECT_EQ(total, 71);
  EXPECT_EQ(Page(chief, "?limit=500", &total).size(), 71U);
  EXPECT_EQ(Page(chief, "?section=kaigo&limit=500", &total).size(), 61U);
  EXPECT_EQ(total, 61);
}

TEST_F(PeopleTest, SearchFindsCodeOrNameWithWildcardsTakenLiterally) {
  auto add = [&](const char* code, const char* name, const char* section) {
    auto added = ledger::AddPerson(**ledger_, "system",
                                   {code, name, section, "staff", "", "2020-04-01", ""});
    ASSERT_TRUE(added.Ok()) << added.Err().ToString();
  };
  add("t_1", "達成率 100%", "zeimu");
  add("tx1", "達成率 1000", "zeimu");
  add("ty1", "介護 太郎", "kaigo");
  const Agent chief = SignedIn("c1");
  EXPECT_EQ(Page(chief, "?q=t_"), (Codes{"t_1"}));      // "_" is not "any character"
  EXPECT_EQ(Page(chief, "?q=100%25"), (Codes{"t_1"}));  // "%" is not "anything"
  EXPECT_EQ(Page(chief, "?q=%25"), (Codes{"t_1"}));
  EXPECT_EQ(Page(chief, "?q=%E9%81%94%E6%88%90"), (Codes{"t_1", "tx1"}));  // 達成: the name
  EXPECT_EQ(Page(chief, "?q=M"), (Codes{"m1", "m2"}));  // the code, as a search box is
  EXPECT_EQ(Page(chief, "?q=t&section=kaigo"), (Codes{"ty1"}));
  // Search narrows what the viewer may see, never widens it.
  const Agent staff = SignedIn("s1");
  EXPECT_EQ(Page(staff, "?q=t"), (Codes{"t_1", "tx1"}));
  EXPECT_TRUE(Page(staff, "?section=kaigo").empty());
}

TEST_F(PeopleTest, EndedEmploymentOnlyWhenAsked) {
  ASSERT_TRUE(ledger::EndPerson(**ledger_, "system", "s2", "2020-12-31").Ok());
  const Agent staff = SignedIn("s1");
  EXPECT_EQ(Page(staff, ""), (Codes{"m1", "s1"}));
  EXPECT_EQ(Page(staff, "?include_ended=false"), (Codes{"m1", "s1"}));
  auto [status, json] = Call(staff, "GET", "/org/people?include_ended=true");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(json["total"], 3);
  EXPECT_EQ(json["records"][2]["code"], "s2");
  EXPECT_EQ(json["records"][2]["end_date"], "2020-12-31");
}

TEST_F(PeopleTest, BadParametersAreNamed) {
  const Agent staff = SignedIn("s1");
  for (const char* limit : {"0", "501", "abc", "-1", "1.5", "99999999999999999999"}) {
    EXPECT_EQ(BadFields(staff, std::string("?limit=") + limit), (Codes{"limit"})) << limit;
  }
  EXPECT_EQ(BadFields(staff, "?offset=x"), (Codes{"offset"}));
  EXPECT_EQ(BadFields(staff, "?q=" + std::string(101, 'a')), (Codes{"q"}));
  EXPECT_EQ(BadFields(staff, "?q=a%01b"), (Codes{"q"}));   // a control character
  EXPECT_EQ(BadFields(staff, "?q=%FF%FE"), (Codes{"q"}));  // not UTF-8
  EXPECT_EQ(BadFields(staff, "?include_ended=yes"), (Codes{"include_ended"}));
  EXPECT_EQ(BadFields(staff, "?section=nosuch"), (Codes{"section"}));
  // Every bad text parameter at once.
  EXPECT_EQ(BadFields(staff, "?q=a%01&include_ended=1"), (Codes{"q", "include_ended"}));
  EXPECT_EQ(Page(staff, "?q=" + std::string(100, 'a')), Codes{});  // 100 is allowed
}

}  // namespace
}  // namespace mamori::server
