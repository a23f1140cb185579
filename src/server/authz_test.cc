// The security review's authorization and audit findings, one test each:
// every one of them failed against the code before its fix.
//  - the section check runs on the values the ledger writes (trimmed,
//    labels resolved): registers.h WriteGuard;
//  - uploads: permission before parsing, tight limits on what a file unpacks to;
//  - answers that reveal nothing the viewer may not see;
//  - JSON bodies only as application/json;
//  - the actor of every audit event is whoever acted.
#include <zip.h>

#include <chrono>
#include <set>

#include "audit/audit_log.h"
#include "server/api_test_support.h"

namespace mamori::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Agent;

class AuthzTest : public testing::ApiTest {
 protected:
  // POST of raw bytes as a browser's fetch would send them.
  std::pair<int, std::string> Post(const Agent& agent, const std::string& path,
                                   const std::string& body, const std::string& type) {
    auto client = Client();
    auto result = client.Post("/api/v1" + path, HeadersOf(agent), body, type);
    if (!result) return {-1, ""};
    return {result->status, result->body};
  }

  std::string SectionOf(const Agent& reader, const std::string& code) {
    auto [status, json] = Call(reader, "GET", "/registers/asset/" + code);
    EXPECT_EQ(status, 200) << json.dump();
    return json["values"]["owner_section"];
  }

  std::vector<audit::Event> Events(const std::string& type) {
    // The server is idle between calls; its ledger is read from here.
    auto events = (*ledger_)->Audit().Events("", "");
    EXPECT_TRUE(events.Ok()) << events.Err().ToString();
    std::vector<audit::Event> out;
    if (!events.Ok()) return out;
    for (auto& event : *events) {
      if (event.action == type) out.push_back(std::move(event));
    }
    return out;
  }
};

// A zip made in memory (a hand-made workbook).
std::string MakeZip(const std::map<std::string, std::string>& parts) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  EXPECT_NE(archive, nullptr);
  zip_source_keep(buffer);
  for (const auto& [name, content] : parts) {
    zip_source_t* part = zip_source_buffer(archive, content.data(), content.size(), 0);
    EXPECT_GE(zip_file_add(archive, name.c_str(), part, ZIP_FL_OVERWRITE), 0);
  }
  EXPECT_EQ(zip_close(archive), 0);
  std::string bytes;
  EXPECT_EQ(zip_source_open(buffer), 0);
  char chunk[4096];
  zip_int64_t n = 0;
  while ((n = zip_source_read(buffer, chunk, sizeof(chunk))) > 0) {
    bytes.append(chunk, static_cast<std::size_t>(n));
  }
  zip_source_close(buffer);
  zip_source_free(buffer);
  zip_error_fini(&error);
  return bytes;
}

// --- High: the section check and the importer read the same values ------------

TEST_F(AuthzTest, ImportWithAStraySpaceInTheCodeHeaderCannotTakeAnotherSectionsRecord) {
  Agent m1 = SignedIn("m1");  // manager of 税務課 (zeimu) only
  Agent chief = SignedIn("c1");
  auto [status, body] = Post(m1, "/registers/asset/import", "code ,owner_section\ncare-db,zeimu\n",
                             "text/csv");
  EXPECT_EQ(status, 403) << body;
  EXPECT_EQ(SectionOf(chief, "care-db"), "kaigo");
}

TEST_F(AuthzTest, ImportWithAStraySpaceInTheCodeCellCannotTakeAnotherSectionsRecord) {
  Agent m1 = SignedIn("m1");
  Agent chief = SignedIn("c1");
  for (const std::string file : {"code,owner_section\ncare-db ,zeimu\n",
                                 "code,owner_section\n\"  care-db\",zeimu\n",
                                 "code,owner_section\ncare-db\xE3\x80\x80,zeimu\n",  // U+3000
                                 "管理番号,所管課室等\ncare-db ,zeimu \n"}) {
    auto [status, body] = Post(m1, "/registers/asset/import", file, "text/csv");
    EXPECT_EQ(status, 403) << file << " → " << body;
    // The refusal names the row, never the other record's section.
    EXPECT_THAT(body, Not(HasSubstr("kaigo"))) << file;
    EXPECT_THAT(body, Not(HasSubstr("介護保険課"))) << file;
  }
  EXPECT_EQ(SectionOf(chief, "care-db"), "kaigo");
  // Their own record with the same stray spaces still imports (the
  // importer's trimming is kept, only checked on the same values).
  auto [status, body] =
      Post(m1, "/registers/asset/import", "code ,name\ntax-db ,課税台帳（取込）\n", "text/csv");
  EXPECT_EQ(status, 200) << body;
  EXPECT_EQ(Json::parse(body)["updated"], 1);
}

TEST_F(AuthzTest, ImportIntoAnotherSectionWithStraySpacesInTheSectionCellIsRefused) {
  Agent m1 = SignedIn("m1");
  auto [status, body] = Post(m1, "/registers/asset/import",
                             "code,name,kind,importance,owner_section,manager\n"
                             "new-1,新規,data,C, kaigo ,m2\n",
                             "text/csv");
  EXPECT_EQ(status, 403) << body;
  Agent chief = SignedIn("c1");
  EXPECT_EQ(Call(chief, "GET", "/registers/asset/new-1").first, 404);
}

// --- Medium: a section moved by the column's Japanese label --------------------

TEST_F(AuthzTest, PatchCannotMoveARecordByTheSectionColumnsJapaneseLabel) {
  Agent m1 = SignedIn("m1");
  Agent chief = SignedIn("c1");
  for (const Json& values : {Json{{"所管課室等", "kaigo"}}, Json{{" 所管課室等 ", "kaigo"}},
                            Json{{"owner_section", " kaigo "}}}) {
    auto [status, json] = Call(m1, "PATCH", "/registers/asset/tax-db", {{"values", values}});
    EXPECT_EQ(status, 403) << values.dump() << " → " << json.dump();
  }
  EXPECT_EQ(SectionOf(chief, "tax-db"), "zeimu");
  // Adding into another section by the label is refused the same way.
  auto added = Call(m1, "POST", "/registers/asset",
                    {{"values",
                      {{"code", "x-1"},
                       {"name", "x"},
                       {"kind", "data"},
                       {"importance", "C"},
                       {"所管課室等", "kaigo"},
                       {"manager", "m2"}}}});
  EXPECT_EQ(added.first, 403) << added.second.dump();
  // The label still works for the viewer's own section.
  auto own = Call(m1, "PATCH", "/registers/asset/tax-db", {{"values", {{"名称", "課税台帳"}}}});
  EXPECT_EQ(own.first, 200) << own.second.dump();
}

// --- Low: uploads are checked for permission first and bounded -----------------

TEST_F(AuthzTest, ImportBySomeoneWhoMayWriteNothingIsRefusedBeforeTheFileIsRead) {
  // A malformed file: before the fix, reading it answered 400 (it was parsed).
  const std::string broken = "code,name\n\"unterminated,x\n";
  for (const char* person : {"a1", "s1", "v1", "k1"}) {
    Agent agent = SignedIn(person);
    auto [status, body] = Post(agent, "/registers/asset/import", broken, "text/csv");
    EXPECT_EQ(status, 403) << person << " → " << body;
  }
  // A manager's malformed file is read, and answered as such.
  Agent m1 = SignedIn("m1");
  EXPECT_EQ(Post(m1, "/registers/asset/import", broken, "text/csv").first, 400);
}

TEST_F(AuthzTest, ImportOfAWorkbookThatUnpacksFarBeyondARegisterIsRefusedEarly) {
  // 40 MB of blanks inside the sheet: a zip bomb of a few dozen KB.
  std::string sheet =
      R"(<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
  sheet.append(std::size_t{40} << 20, ' ');
  sheet += "</sheetData></worksheet>";
  const std::string bomb = MakeZip(
      {{"[Content_Types].xml", "<Types/>"},
       {"xl/workbook.xml",
        R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
       {"xl/_rels/workbook.xml.rels",
        R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>)"},
       {"xl/worksheets/sheet1.xml", sheet}});
  ASSERT_LT(bomb.size(), std::size_t{1} << 20);
  Agent m1 = SignedIn("m1");
  auto [status, body] =
      Post(m1, "/registers/asset/import", bomb,
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(status, 413) << body.substr(0, 500);
}

TEST_F(AuthzTest, ImportOfMoreRowsThanARegisterHoldsIsRefused) {
  std::string csv = "code,name\n";
  for (int i = 0; i < 20'001; ++i) csv += "r" + std::to_string(i) + ",x\n";
  Agent m1 = SignedIn("m1");
  auto [status, body] = Post(m1, "/registers/asset/import", csv, "text/csv");
  EXPECT_EQ(status, 413) << body.substr(0, 500);
}

// --- Low: the same answer for "absent" and "not yours" ---------------------------

TEST_F(AuthzTest, DecideAnswersTheSameForAnAbsentAndAnInvisibleAsset) {
  Agent m1 = SignedIn("m1");
  auto invisible = Call(m1, "POST", "/decide", {{"action", "take_out"}, {"asset_code", "care-db"}});
  auto absent = Call(m1, "POST", "/decide", {{"action", "take_out"}, {"asset_code", "no-such-db"}});
  EXPECT_EQ(invisible.first, absent.first);
  ASSERT_TRUE(invisible.second.contains("error")) << invisible.second.dump();
  auto without_code = [](Json error, const std::string& code) {
    std::string text = error["error"].dump();
    for (auto at = text.find(code); at != std::string::npos; at = text.find(code)) {
      text.replace(at, code.size(), "X");
    }
    return text;
  };
  EXPECT_EQ(without_code(invisible.second, "care-db"), without_code(absent.second, "no-such-db"));
}

TEST_F(AuthzTest, AnAssetIdWithStraySpacesIsStillReadFromTheRegister) {
  // The register's level counts whatever the form claims (docs/api.md), also
  // for an id the register would read as its own code once trimmed.
  Agent s1 = SignedIn("s1");
  for (const std::string id : {" tax-db", "tax-db ", "\xE3\x80\x80tax-db"}) {
    auto claimed = Call(
        s1, "POST", "/decide",
        {{"action", "provide"},
         {"asset", {{"id", id}, {"kind", "data"}, {"classification", {{"importance", "C"}}}}}});
    EXPECT_EQ(claimed.second["effect"], "approval_required") << id << " " << claimed.second.dump();
  }
}

TEST_F(AuthzTest, RoleHoldersAreListedOnlyAsFarAsThePeopleListShowsThem) {
  std::map<std::string, Agent> agents;
  for (const char* person : {"s1", "m2", "v1", "k1", "a1", "c1"}) {
    Agent& agent = agents[person] = SignedIn(person);
    auto people = Call(agent, "GET", "/org/people?limit=500");
    ASSERT_EQ(people.first, 200);
    std::set<std::string> visible;
    for (const auto& p : people.second["records"]) visible.insert(p["code"]);
    auto roles = Call(agent, "GET", "/org/roles");
    ASSERT_EQ(roles.first, 200);
    for (const auto& role : roles.second) {
      EXPECT_TRUE(visible.count(role["person"])) << person << " sees " << role.dump();
    }
    if (std::string(person) == "c1") {
      EXPECT_EQ(roles.second.size(), 9U);  // every assignment of the seeded organization
    }
  }
  // 税務課 staff see their own manager, not the 介護保険課's.
  std::set<std::string> holders;
  for (const auto& role : Call(agents["s1"], "GET", "/org/roles").second) {
    holders.insert(role["person"]);
  }
  EXPECT_TRUE(holders.count("m1"));
  EXPECT_FALSE(holders.count("m2"));
}

// --- Low: JSON only as application/json --------------------------------------------

TEST_F(AuthzTest, JsonBodiesAreAcceptedOnlyAsApplicationJson) {
  const std::string report =
      Json{{"kind", "resident"}, {"name", "阪南 花子"}, {"contact", "072"}, {"text", "表示"}}
          .dump();
  // Types a cross-site page can send without a preflight, or not JSON at all.
  for (const char* type : {"text/plain; charset=application/json", "text/plain",
                           "application/x-www-form-urlencoded; x=application/json",
                           "application/jsonx", "application/json; charset=shift_jis", ""}) {
    EXPECT_EQ(Post({}, "/public/incidents", report, type).first, 415) << type;
  }
  // A multipart form is refused too (cpp-httplib already finds the body no
  // multipart body: 400).
  const int multipart =
      Post({}, "/public/incidents", report, "multipart/form-data; boundary=application/json").first;
  EXPECT_TRUE(multipart == 400 || multipart == 415) << multipart;
  // A declared type other than JSON is refused even without a body.
  Agent k1 = SignedIn("k1");
  EXPECT_EQ(Post(k1, "/auth/totp/setup", "", "text/plain").first, 415);
  for (const char* type : {"application/json", "application/json; charset=utf-8",
                           "Application/JSON;charset=UTF-8"}) {
    EXPECT_EQ(Post({}, "/public/incidents", report, type).first, 201) << type;
  }
  // Every JSON route, signed in too.
  Agent s1 = SignedIn("s1");
  EXPECT_EQ(Post(s1, "/incidents", Json{{"summary", "x"}, {"description", "y"}}.dump(),
                 "text/plain; charset=application/json")
                .first,
            415);
}

// --- Medium: the audit log names who acted ------------------------------------------

TEST_F(AuthzTest, AResidentsReportIsRecordedAsTheAnonymousSendersNotAStaffMembers) {
  auto [status, json] = Call({}, "POST", "/public/incidents",
                             {{"kind", "resident"},
                              {"name", "阪南 花子"},
                              {"contact", "072-000-0000"},
                              {"text", "他人の個人情報が表示されています"}});
  ASSERT_EQ(status, 201) << json.dump();
  const auto receipt = json["receipt"].get<std::int64_t>();
  const auto events = Events("incident.report_external");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].actor, "anonymous");
  const Json state = Json::parse(events[0].state);
  EXPECT_EQ(state.value("remote_addr", ""), "127.0.0.1");
  EXPECT_EQ(state.value("receipt", std::int64_t{0}), receipt);
  EXPECT_EQ(state.value("channel", ""), "public_form");
  EXPECT_EQ(state.value("reporter", "?"), "");
  // The incident names no staff member as its reporter; the CSIRT received it.
  Agent k1 = SignedIn("k1");
  auto incident = Call(k1, "GET", "/incidents/" + std::to_string(receipt));
  ASSERT_EQ(incident.first, 200) << incident.second.dump();
  EXPECT_EQ(incident.second.value("reporter", "?"), "");
  EXPECT_EQ(incident.second.value("received_by", ""), "k1");
  EXPECT_EQ(incident.second["external"]["name"], "阪南 花子");
  EXPECT_THAT(incident.second["steps"][0]["note"].get<std::string>(), HasSubstr("公開フォーム"));
}

TEST_F(AuthzTest, AFailedPasswordChangeRecordsTheRemoteAddress) {
  Agent s1 = SignedIn("s1");
  auto changed = Call(s1, "POST", "/auth/password",
                      {{"current_password", "Not-the-password-1"}, {"new_password", "x"}});
  EXPECT_EQ(changed.first, 400) << changed.second.dump();
  const auto events = Events("auth.password_change_failed");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].actor, "s1");
  EXPECT_EQ(Json::parse(events[0].state).value("remote_addr", ""), "127.0.0.1");
}

// --- Docs and code agree ---------------------------------------------------------------

TEST_F(AuthzTest, AuditorsReportIncidentsAsEveryMemberOfStaffMust) {
  // 5.3(1)①: every 職員 reports an incident they notice; an auditor is one.
  Agent a1 = SignedIn("a1");
  auto reported = Call(a1, "POST", "/incidents", {{"summary", "不審なメール"}, {"description", "x"}});
  EXPECT_EQ(reported.first, 201) << reported.second.dump();
  // Otherwise they write nothing.
  EXPECT_EQ(Call(a1, "PATCH", "/registers/asset/care-db", {{"values", {{"name", "x"}}}}).first, 403);
  EXPECT_EQ(Call(a1, "POST", "/requests", {{"request", {{"action", "take_out"}}}}).first, 403);
}

TEST_F(AuthzTest, TheCisoReadsTheAccountListButChangesNoAccount) {
  Agent x1 = SignedIn("x1");
  auto list = Call(x1, "GET", "/accounts");
  EXPECT_EQ(list.first, 200) << list.second.dump();
  EXPECT_GE(list.second.size(), 10U);
  EXPECT_EQ(Call(x1, "POST", "/accounts/s2/reset").first, 403);
  EXPECT_EQ(Call(x1, "POST", "/accounts/s2/unlock").first, 403);
}

}  // namespace
}  // namespace mamori::server
