#include "ledger/registers/import_export.h"

#include <gtest/gtest.h>

#include "ledger/org.h"
#include "ledger/registers/registers.h"
#include "ledger/test_support.h"
#include "tabular/csv.h"

namespace mamori::ledger::registers {
namespace {

using testing::SeedOrganization;
using testing::TempLedger;

void SeedAssets(Ledger& ledger) {
  auto must = [](const Result<Record>& result) {
    ASSERT_TRUE(result.Ok()) << result.Err().ToString();
  };
  must(Add(ledger, "m1", "asset",
           {{"code", "d-a"},
            {"name", "課税台帳データ"},
            {"kind", "data"},
            {"importance", "A"},
            {"owner_section", "zeimu"},
            {"manager", "m1"},
            {"segment", "mynumber"},
            {"retention", "5年"},
            {"description", "住民税の課税情報\n（個人情報を含む）"}}));
  must(Add(ledger, "m1", "asset",
           {{"code", "d-c"},
            {"name", "公開統計, 2026年"},
            {"kind", "data"},
            {"importance", "C"},
            {"owner_section", "zeimu"},
            {"manager", "m1"},
            {"handling_restrictions", "backup;trusted_line"}}));
  must(Add(ledger, "m1", "asset",
           {{"code", "sys-tax"},
            {"name", "税務システム"},
            {"kind", "system"},
            {"owner_section", "zeimu"},
            {"manager", "m1"},
            {"segment", "mynumber"},
            {"location", "サーバ室"},
            {"holds", "d-a;d-c"}}));
  must(Add(ledger, "m2", "asset",
           {{"code", "usb-9"},
            {"name", "介護 USB"},
            {"kind", "media"},
            {"importance", "B"},
            {"owner_section", "kaigo"},
            {"manager", "m2"},
            {"note", "=SUM(A1)"}}));
}

void ExpectSameAssets(Ledger& original, Ledger& copy) {
  auto expected = *List(original, "asset");
  auto actual = *List(copy, "asset");
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].values, expected[i].values) << expected[i].code;
    EXPECT_EQ(actual[i].computed, expected[i].computed) << expected[i].code;
  }
}

void RoundTrip(const std::string& name, FileFormat format, tabular::SourceEncoding encoding) {
  TempLedger original(name + "_from");
  SeedOrganization(*original);
  SeedAssets(*original);
  auto bytes = ExportFile(*original, "asset", format, encoding);
  ASSERT_TRUE(bytes.Ok()) << bytes.Err().ToString();

  TempLedger copy(name + "_to");
  SeedOrganization(*copy);
  const std::string file = format == FileFormat::kXlsx ? "assets.xlsx" : "assets.csv";
  auto report = ImportFile(*copy, "m1", "asset", *bytes, file, ImportMode::kAddOnly);
  ASSERT_TRUE(report.Ok()) << report.Err().ToString();
  EXPECT_EQ(report->added, 4);
  ExpectSameAssets(*original, *copy);
}

TEST(ImportExportTest, ShiftJisCsvRoundTrip) {
  RoundTrip("io_sjis", FileFormat::kCsv, tabular::SourceEncoding::kShiftJis);
}
TEST(ImportExportTest, Utf8BomCsvRoundTrip) {
  RoundTrip("io_bom", FileFormat::kCsv, tabular::SourceEncoding::kUtf8Bom);
}
TEST(ImportExportTest, XlsxRoundTrip) {
  RoundTrip("io_xlsx", FileFormat::kXlsx, tabular::SourceEncoding::kUtf8Bom);
}

// A bulk load leaves the planner its statistics (ANALYZE): PostgreSQL would
// otherwise scan and sort the whole register for every page.
TEST(ImportExportTest, ABulkImportAnalyzesTheTable) {
  TempLedger ledger("bulk_analyze");
  SeedOrganization(*ledger);
  std::string csv = "管理番号,名称,種別,所管課室等,管理責任者\n";
  for (int i = 0; i < 1000; ++i) csv += "bulk-" + std::to_string(i) + ",資産,system,zeimu,m1\n";
  auto report = ImportFile(*ledger, "m1", "asset", csv, "assets.csv", ImportMode::kAddOnly);
  ASSERT_TRUE(report.Ok()) << report.Err().ToString();
  ASSERT_EQ(report->added, 1000);
  const bool postgres = ledger->Db().Engine() == "postgres";
  auto analyzed = ledger->Db().Query(
      postgres ? "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'assets' AND "
                 "schemaname = current_schema() AND last_analyze IS NOT NULL"
               : "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'assets'");
  ASSERT_TRUE(analyzed.Ok()) << analyzed.Err().ToString();
  EXPECT_GE(analyzed->front().Int(0), 1);
}

TEST(ImportExportTest, ExportUsesJapaneseLabelsAndReadableValues) {
  TempLedger ledger("io_export");
  SeedOrganization(*ledger);
  SeedAssets(*ledger);
  auto table = *ExportTable(*ledger, "asset");
  ASSERT_GE(table.header.size(), 3u);
  EXPECT_EQ(table.header[0], "管理番号");
  EXPECT_EQ(table.header[2], "種別");
  EXPECT_NE(std::find(table.header.begin(), table.header.end(), "重要度"), table.header.end());
  EXPECT_NE(std::find(table.header.begin(), table.header.end(), "重要度（実効）"),
            table.header.end());
  // sys-tax is the third row (code order: d-a, d-c, sys-tax, usb-9).
  EXPECT_EQ(table.rows[2][2], "情報システム");
  const auto csv = *tabular::WriteCsv(table);
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");  // Excel reads the BOM as UTF-8
}

// An import with any bad row imports nothing and names every bad cell.
TEST(ImportExportTest, BadRowsImportNothingAndNameEachCell) {
  TempLedger ledger("io_bad");
  SeedOrganization(*ledger);
  const auto seq = *ledger->Audit().LastSeq();
  const std::string csv =
      "管理番号,名称,種別,重要度,所管課室等,管理責任者,保有データ\r\n"
      "d-1,住民データ,電子データ,Ａ,zeimu,m1,\r\n"         // line 2: fine (full-width Ａ)
      "d-2,,電子データ,Z,zeimu,m1,\r\n"                    // line 3: no name, no level Z
      "sys,システム,情報システム,,nowhere,m1,d-1;d-9\r\n"  // line 4: section, d-9
      "d-1,重複,電子データ,C,zeimu,ghost,\r\n";            // line 5: repeats d-1; ghost
  auto result = ImportFile(*ledger, "m1", "asset", csv, "assets.csv", ImportMode::kAddOnly);
  ASSERT_FALSE(result.Ok());
  std::vector<std::string> cells;
  for (const auto& d : result.Err().Diagnostics()) {
    if (d.where.Empty()) continue;  // the headline
    cells.push_back(d.where.file + ":" + std::to_string(d.where.line) + ":" + d.where.key);
  }
  EXPECT_EQ(cells, (std::vector<std::string>{"assets.csv:3:重要度", "assets.csv:3:名称",
                                             "assets.csv:4:所管課室等", "assets.csv:4:保有データ",
                                             "assets.csv:5:管理番号", "assets.csv:5:管理責任者"}))
      << result.Err().ToString();
  EXPECT_TRUE(List(*ledger, "asset")->empty());
  EXPECT_EQ(*ledger->Audit().LastSeq(), seq);

  // The header is checked first: unknown and missing columns.
  auto header =
      ImportFile(*ledger, "m1", "asset", "管理番号,色\r\nx,赤\r\n", "h.csv", ImportMode::kAddOnly);
  ASSERT_FALSE(header.Ok());
  std::vector<std::string> keys;
  for (const auto& d : header.Err().Diagnostics()) keys.push_back(d.where.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"", "色", "名称", "種別", "所管課室等", "管理責任者"}));
}

TEST(ImportExportTest, RowsMayReferToLaterRowsAndEnglishHeadersWork) {
  TempLedger ledger("io_forward");
  SeedOrganization(*ledger);
  const std::string csv =
      "code,name,kind,importance,owner_section,manager,holds\n"
      "sys,システム,system,,zeimu,m1,d-late\n"
      "d-late,後のデータ,data,B,zeimu,m1,\n";
  const auto seq = *ledger->Audit().LastSeq();
  auto report = ImportFile(*ledger, "m1", "asset", csv, "a.csv", ImportMode::kAddOnly);
  ASSERT_TRUE(report.Ok()) << report.Err().ToString();
  EXPECT_EQ(Get(*ledger, "asset", "sys")->computed.at("effective_importance"), "B");
  // Two records, two events, and one for the import: all in one transaction.
  auto events = *ledger->Audit().Events("", "");
  ASSERT_EQ(static_cast<std::int64_t>(events.size()), seq + 3);
  EXPECT_EQ(events.back().action, "asset.import");

  // Updating by import: only the columns in the file change.
  auto update = ImportFile(*ledger, "m1", "asset", "管理番号,重要度\nd-late,A\n", "u.csv",
                           ImportMode::kAddOrUpdate);
  ASSERT_TRUE(update.Ok()) << update.Err().ToString();
  EXPECT_EQ(update->updated, 1);
  EXPECT_EQ(Get(*ledger, "asset", "sys")->computed.at("effective_importance"), "A");
  EXPECT_EQ(Get(*ledger, "asset", "d-late")->values.at("name"), "後のデータ");
  // The same file in add-only mode is refused: the code exists.
  EXPECT_FALSE(ImportFile(*ledger, "m1", "asset", "管理番号,重要度\nd-late,A\n", "u.csv",
                          ImportMode::kAddOnly)
                   .Ok());
}

TEST(ImportExportTest, PeopleImportIsAllOrNothing) {
  TempLedger ledger("io_people");
  SeedOrganization(*ledger);
  const auto seq = *ledger->Audit().LastSeq();
  const std::string bad =
      "職員番号,氏名,課室等,任用形態,開始日\r\n"
      "p1,山田 花子,zeimu,職員,2026/4/1\r\n"
      "p2,,nowhere,アルバイト,2026-13-01\r\n"
      "s1,既存,zeimu,staff,2026-04-01\r\n";
  auto result = ImportFile(*ledger, "system", "person", bad, "people.csv", ImportMode::kAddOnly);
  ASSERT_FALSE(result.Ok());
  std::vector<std::string> cells;
  for (const auto& d : result.Err().Diagnostics()) {
    if (!d.where.Empty()) cells.push_back(std::to_string(d.where.line) + ":" + d.where.key);
  }
  EXPECT_EQ(cells, (std::vector<std::string>{"3:氏名", "3:任用形態", "3:開始日", "3:課室等",
                                             "4:職員番号"}))
      << result.Err().ToString();
  EXPECT_EQ(ListPeople(*ledger)->size(), 11u);
  EXPECT_EQ(*ledger->Audit().LastSeq(), seq);

  const std::string good =
      "職員番号,氏名,課室等,任用形態,開始日\r\n"
      "p1,山田 花子,zeimu,職員,2026/4/1\r\n"
      "p2,佐藤 次郎,kaigo,会計年度任用職員,2026-04-01\r\n";
  auto report = ImportFile(*ledger, "system", "person", good, "people.csv", ImportMode::kAddOnly);
  ASSERT_TRUE(report.Ok()) << report.Err().ToString();
  EXPECT_EQ(report->added, 2);
  EXPECT_EQ(FindPerson(*ledger, "p2")->employment, "fiscal_year");
  EXPECT_EQ(FindPerson(*ledger, "p1")->start_date, "2026-04-01");
  EXPECT_EQ(*ledger->Audit().LastSeq(), seq + 3);  // two people and the import

  // Export, then import into a fresh ledger: the same people.
  auto bytes = *ExportFile(*ledger, "person", FileFormat::kXlsx);
  TempLedger copy("io_people_copy");
  SeedOrganization(*copy);
  auto again = ImportFile(*copy, "system", "person", bytes, "people.xlsx", ImportMode::kAddOnly);
  ASSERT_FALSE(again.Ok());  // the seeded people exist already: each named
  std::size_t existing = 0;
  for (const auto& d : again.Err().Diagnostics()) existing += d.where.key == "職員番号";
  EXPECT_EQ(existing, 11u);
}

// A guard that lets its caller write zeimu only, and notes what it was asked.
struct ZeimuOnly {
  std::vector<std::string> changed;  // codes asked about
  std::vector<std::string> written;  // owner sections asked about
  WriteGuard Guard() {
    WriteGuard guard;
    guard.may_change = [this](const Record& existing) -> Status {
      changed.push_back(existing.code);
      if (existing.values.at("owner_section") == "zeimu") return OkStatus();
      return Error(ErrorCode::kInvalidArgument, "不可", "no", Where{"", 0, "actor"});
    };
    guard.may_write = [this](const Values& after) -> Status {
      written.push_back(after.at("owner_section"));
      if (after.at("owner_section") == "zeimu") return OkStatus();
      return Error(ErrorCode::kInvalidArgument, "不可", "no", Where{"", 0, "actor"});
    };
    return guard;
  }
};

TEST(ImportExportTest, TheGuardIsAskedWithTheCodeAndSectionTheImportWrites) {
  TempLedger ledger("io_guard");
  SeedOrganization(*ledger);
  SeedAssets(*ledger);
  const auto seq = *ledger->Audit().LastSeq();
  // Stray spaces in the header, the code and the section: the guard sees
  // the trimmed record "usb-9" (kaigo) and refuses it.
  ZeimuOnly guard;
  auto refused = ImportFile(*ledger, "m1", "asset",
                            "code ,owner_section\nd-a,zeimu\n usb-9 , zeimu \n", "a.csv",
                            ImportMode::kAddOrUpdate, guard.Guard());
  ASSERT_FALSE(refused.Ok());
  EXPECT_EQ(refused.Err().Headline().where.key, "actor");
  ASSERT_EQ(refused.Err().Diagnostics().size(), 2u);  // the headline and line 3
  EXPECT_EQ(refused.Err().Diagnostics()[1].where.line, 3);
  EXPECT_EQ(refused.Err().Diagnostics()[1].where.key, "code ");
  EXPECT_EQ(guard.changed, (std::vector<std::string>{"d-a", "usb-9"}));
  EXPECT_EQ(*ledger->Audit().LastSeq(), seq);  // nothing written
  EXPECT_EQ(Get(*ledger, "asset", "usb-9")->values.at("owner_section"), "kaigo");
  // A new row is asked about its section as written (trimmed; by label too).
  ZeimuOnly second;
  auto moved = ImportFile(*ledger, "m1", "asset",
                          "管理番号,名称,種別,importance,所管課室等,管理責任者\nn-1,新,data,C, kaigo ,m2\n",
                          "b.csv", ImportMode::kAddOrUpdate, second.Guard());
  ASSERT_FALSE(moved.Ok());
  EXPECT_EQ(second.written, (std::vector<std::string>{"kaigo"}));
  EXPECT_FALSE(Get(*ledger, "asset", "n-1").Ok());
}

TEST(ImportExportTest, UpdateAsksTheGuardWithLabelsResolved) {
  TempLedger ledger("io_guard_update");
  SeedOrganization(*ledger);
  SeedAssets(*ledger);
  ZeimuOnly guard;
  auto moved = Update(*ledger, "m1", "asset", "d-a", {{"所管課室等", " kaigo"}}, guard.Guard());
  ASSERT_FALSE(moved.Ok());
  EXPECT_EQ(moved.Err().Headline().where.key, "actor");
  EXPECT_EQ(guard.written, (std::vector<std::string>{"kaigo"}));
  EXPECT_EQ(Get(*ledger, "asset", "d-a")->values.at("owner_section"), "zeimu");
  // A record the guard refuses is refused before its values are checked.
  auto other = Update(*ledger, "m1", "asset", "usb-9", {{"kind", "spaceship"}}, guard.Guard());
  ASSERT_FALSE(other.Ok());
  EXPECT_EQ(other.Err().Headline().where.key, "actor");
  auto retire = Retire(*ledger, "m1", "asset", "usb-9", "", "廃棄", guard.Guard());
  ASSERT_FALSE(retire.Ok());
  EXPECT_EQ(retire.Err().Headline().where.key, "actor");
  EXPECT_TRUE(Get(*ledger, "asset", "usb-9").Ok());
}

}  // namespace
}  // namespace mamori::ledger::registers
