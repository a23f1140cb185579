#include <iconv.h>
#include <zip.h>

#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "tabular/csv.h"
#include "tabular/table.h"
#include "tabular/xlsx.h"

namespace mamori::tabular {
namespace {

// UTF-8 → CP932 through iconv, as Excel on Japanese Windows would save it.
std::string ToShiftJis(std::string_view utf8) {
  iconv_t cd = iconv_open("CP932", "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));  // NOLINT(performance-no-int-to-ptr)
  std::string out(utf8.size() * 2, '\0');
  std::string in(utf8);
  char* in_ptr = in.data();
  std::size_t in_left = in.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left), static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

// A zip archive made in memory from name → content, for hand-made workbooks.
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

constexpr char kWorkbook[] =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台帳" sheetId="1" r:id="rId1"/></sheets></workbook>)";
constexpr char kRels[] =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>)";
// Shared strings with a rich text item and furigana (rPh) that must be left out.
constexpr char kSharedStrings[] =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5"><si><t>資産名</t></si><si><t>重要度</t></si><si><t>備考</t></si><si><r><rPr><b/></rPr><t>住民基本</t></r><r><t xml:space="preserve">台帳 </t></r><rPh sb="0" eb="2"><t>ジュウミン</t></rPh></si><si><t>A_x000D_B</t></si></sst>)";
// Row 1 header in A1:C1; row 2 is empty; row 3 has A3 and C3 (B3 missing);
// row 5 has only B5, a number, a boolean and an inline string further right
// of nothing (D is outside the header and empty).
constexpr char kSheet[] =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
<row r="2"><c r="A2" s="1"/></row>
<row r="3"><c r="A3" t="s"><v>3</v></c><c r="C3" t="inlineStr"><is><t>メモ</t></is></c></row>
<row r="5"><c r="A5"><v>3.0</v></c><c r="B5" t="b"><v>1</v></c><c r="C5" t="s"><v>4</v></c><c r="D5" s="2"/></row>
<row r="6"><c r="A6"><v>0.1</v></c><c r="B6" t="str"><f>1+1</f><v>2</v></c><c r="C6"><v>1E-3</v></c></row>
</sheetData></worksheet>)";

std::string MakeWorkbook(std::string sheet = kSheet, std::string shared = kSharedStrings) {
  return MakeZip({{"[Content_Types].xml", "<Types/>"},
                  {"xl/workbook.xml", kWorkbook},
                  {"xl/_rels/workbook.xml.rels", kRels},
                  {"xl/sharedStrings.xml", std::move(shared)},
                  {"xl/worksheets/sheet1.xml", std::move(sheet)}});
}

Table Sample() {
  Table table;
  table.header = {"資産名", "重要度", "備考"};
  table.rows = {{"住民基本台帳システム", "A", "表計算ソフトで管理"},
                {"財務会計, 予算", "B", "複数行\r\nの備考「引用」\"二重\""},
                {"", "C", ""}};
  return table;
}

// ------------------------------------------------------------------ CSV

TEST(CsvTest, ReadsUtf8) {
  SourceEncoding encoding = SourceEncoding::kShiftJis;
  auto table = ReadCsv("資産名,重要度\n住民基本台帳システム,A\n", "a.csv", &encoding);
  ASSERT_TRUE(table.Ok()) << table.Err().ToString();
  EXPECT_EQ(encoding, SourceEncoding::kUtf8);
  EXPECT_EQ(table->header, (std::vector<std::string>{"資産名", "重要度"}));
  ASSERT_EQ(table->rows.size(), 1U);
  EXPECT_EQ(table->rows[0], (std::vector<std::string>{"住民基本台帳システム", "A"}));
  EXPECT_EQ(table->row_lines, (std::vector<int>{2}));
  EXPECT_EQ(table->header_line, 1);
}

TEST(CsvTest, ReadsUtf8WithBom) {
  SourceEncoding encoding = SourceEncoding::kUtf8;
  auto table = ReadCsv("\xEF\xBB\xBF資産名,重要度\r\n戸籍,A\r\n\r\n\r\n", "a.csv", &encoding);
  ASSERT_TRUE(table.Ok()) << table.Err().ToString();
  EXPECT_EQ(encoding, SourceEncoding::kUtf8Bom);
  EXPECT_EQ(table->header[0], "資産名");  // the BOM is not part of the first name
  EXPECT_EQ(table->rows.size(), 1U);      // trailing empty lines ignored
}

TEST(CsvTest, ReadsShiftJisIncludingTrailByte5C) {
  // 表 (0x95 0x5C) and ソ (0x83 0x5C) have a backslash as second byte.
  const std::string utf8 = "資産名,重要度\r\n住民基本台帳システム,A\r\n表計算ソフト,\"B\"\r\n";
  const std::string sjis = ToShiftJis(utf8);
  ASSERT_NE(sjis.find("\x95\x5C"), std::string::npos);
  ASSERT_NE(sjis.find("\x83\x5C"), std::string::npos);
  SourceEncoding encoding = SourceEncoding::kUtf8;
  auto table = ReadCsv(sjis, "sjis.csv", &encoding);
  ASSERT_TRUE(table.Ok()) << table.Err().ToString();
  EXPECT_EQ(encoding, SourceEncoding::kShiftJis);
  EXPECT_EQ(table->header, (std::vector<std::string>{"資産名", "重要度"}));
  ASSERT_EQ(table->rows.size(), 2U);
  EXPECT_EQ(table->rows[0][0], "住民基本台帳システム");
  EXPECT_EQ(table->rows[1][0], "表計算ソフト");
  EXPECT_EQ(table->rows[1][1], "B");
}

TEST(CsvTest, ReadsQuotedFieldsWithCommasQuotesAndNewlines) {
  auto table = ReadCsv(
      "名前,備考\r\n\"山田, 太郎\",\"一行目\r\n二行目\"\r\n\"引用\"\"符\"\"\", 空白 \r\n最後,x",
      "q.csv");
  ASSERT_TRUE(table.Ok()) << table.Err().ToString();
  ASSERT_EQ(table->rows.size(), 3U);
  EXPECT_EQ(table->rows[0], (std::vector<std::string>{"山田, 太郎", "一行目\r\n二行目"}));
  EXPECT_EQ(table->rows[1], (std::vector<std::string>{"引用\"符\"", " 空白 "}));
  EXPECT_EQ(table->rows[2], (std::vector<std::string>{"最後", "x"}));
  EXPECT_EQ(table->row_lines, (std::vector<int>{2, 4, 5}));  // row 2 spans lines 2-3
}

TEST(CsvTest, RaggedRowIsAnErrorNamingTheLine) {
  auto table = ReadCsv("a,b,c\n1,2,3\n\"x\ny\",2\n", "ragged.csv");
  ASSERT_FALSE(table.Ok());
  const Diagnostic& d = table.Err().Headline();
  EXPECT_EQ(d.where.file, "ragged.csv");
  EXPECT_EQ(d.where.line, 3);
  EXPECT_NE(d.message_ja.find("列の数"), std::string::npos);
  EXPECT_NE(d.message_en.find("2 fields"), std::string::npos);
  EXPECT_EQ(table.Err().Code(), ErrorCode::kInvalidArgument);
}

TEST(CsvTest, BadEncodingIsAnErrorNamingTheLine) {
  // 0xFF is neither UTF-8 nor CP932.
  auto table = ReadCsv("a,b\n1,2\n3,\xFF\n", "bad.csv");
  ASSERT_FALSE(table.Ok());
  EXPECT_EQ(table.Err().Headline().where.line, 3);
  EXPECT_NE(table.Err().Headline().message_en.find("Shift_JIS"), std::string::npos);
  auto utf16 = ReadCsv(std::string_view("\xFF\xFE"
                                        "a\0,\0b\0",
                                        8),
                       "u16.csv");
  ASSERT_FALSE(utf16.Ok());
  EXPECT_NE(utf16.Err().Headline().message_en.find("UTF-16"), std::string::npos);
  // After a UTF-8 BOM there is no fallback.
  auto bom = ReadCsv(
      "\xEF\xBB\xBF"
      "a\n\x82\xA0\n",
      "bom.csv");
  ASSERT_FALSE(bom.Ok());
  EXPECT_EQ(bom.Err().Headline().where.line, 2);
}

TEST(CsvTest, HeaderNamesMustBeNonEmptyAndDistinct) {
  auto empty = ReadCsv("a,,c\n1,2,3\n", "h.csv");
  ASSERT_FALSE(empty.Ok());
  EXPECT_EQ(empty.Err().Headline().where.line, 1);
  auto duplicate = ReadCsv("\n\na,b,a\n1,2,3\n", "h.csv");
  ASSERT_FALSE(duplicate.Ok());
  EXPECT_EQ(duplicate.Err().Headline().where.line, 3);
  EXPECT_EQ(duplicate.Err().Headline().where.key, "a");
  EXPECT_FALSE(ReadCsv("", "empty.csv").Ok());
}

TEST(CsvTest, StrayQuoteIsAnErrorNamingTheLine) {
  auto table = ReadCsv("a,b\n1,2\n3,x\"y\n", "quote.csv");
  ASSERT_FALSE(table.Ok());
  EXPECT_EQ(table.Err().Headline().where.line, 3);
  auto unterminated = ReadCsv("a,b\n1,\"2\n3\n", "open.csv");
  ASSERT_FALSE(unterminated.Ok());
  EXPECT_EQ(unterminated.Err().Headline().where.line, 2);
}

TEST(CsvTest, LimitsAreEnforced) {
  Limits limits;
  limits.max_columns = 2;
  auto columns = ReadCsv("a,b,c\n", "l.csv", limits);
  ASSERT_FALSE(columns.Ok());
  EXPECT_EQ(columns.Err().Code(), ErrorCode::kLimitExceeded);
  limits = Limits{};
  limits.max_cell_bytes = 3;
  auto cell = ReadCsv("a\n1234\n", "l.csv", limits);
  ASSERT_FALSE(cell.Ok());
  EXPECT_EQ(cell.Err().Headline().where.line, 2);
  EXPECT_EQ(cell.Err().Headline().where.key, "a");
  limits = Limits{};
  limits.max_input_bytes = 4;
  EXPECT_EQ(ReadCsv("a\n1234\n", "l.csv", limits).Err().Code(), ErrorCode::kLimitExceeded);
  limits = Limits{};
  limits.max_rows = 1;
  EXPECT_FALSE(ReadCsv("a\n1\n2\n", "l.csv", limits).Ok());
}

TEST(CsvTest, RoundTripsWithBom) {
  const Table sample = Sample();
  auto bytes = WriteCsv(sample);
  ASSERT_TRUE(bytes.Ok()) << bytes.Err().ToString();
  EXPECT_TRUE(bytes->starts_with("\xEF\xBB\xBF\"資産名\",\"重要度\",\"備考\"\r\n"));
  EXPECT_TRUE(bytes->ends_with("\r\n"));
  SourceEncoding encoding = SourceEncoding::kUtf8;
  auto back = ReadCsv(*bytes, "out.csv", &encoding);
  ASSERT_TRUE(back.Ok()) << back.Err().ToString();
  EXPECT_EQ(encoding, SourceEncoding::kUtf8Bom);
  EXPECT_EQ(back->header, sample.header);
  EXPECT_EQ(back->rows, sample.rows);
  EXPECT_EQ(back->row_lines, (std::vector<int>{2, 3, 5}));
}

TEST(CsvTest, RoundTripsShiftJis) {
  const Table sample = Sample();
  auto bytes = WriteCsv(sample, SourceEncoding::kShiftJis);
  ASSERT_TRUE(bytes.Ok()) << bytes.Err().ToString();
  SourceEncoding encoding = SourceEncoding::kUtf8;
  auto back = ReadCsv(*bytes, "out.csv", &encoding);
  ASSERT_TRUE(back.Ok()) << back.Err().ToString();
  EXPECT_EQ(encoding, SourceEncoding::kShiftJis);
  EXPECT_EQ(back->header, sample.header);
  EXPECT_EQ(back->rows, sample.rows);
}

TEST(CsvTest, ShiftJisOutputRefusesUnrepresentableCharacters) {
  Table table;
  table.header = {"名前"};
  table.rows = {{"𠮷野家"}};  // U+20BB7 has no CP932 form
  auto bytes = WriteCsv(table, SourceEncoding::kShiftJis);
  ASSERT_FALSE(bytes.Ok());
  EXPECT_EQ(bytes.Err().Headline().where.line, 2);
  EXPECT_EQ(bytes.Err().Headline().where.key, "名前");
  EXPECT_TRUE(WriteCsv(table, SourceEncoding::kUtf8).Ok());
}

TEST(CsvTest, ExportNeutralizesFormulas) {
  Table table;
  table.header = {"式", "文"};
  table.rows = {{"=1+1", "+81"}, {"-2", "@SUM(A1)"}, {"\tx", "a=b"}};
  auto bytes = WriteCsv(table, SourceEncoding::kUtf8);
  ASSERT_TRUE(bytes.Ok());
  EXPECT_EQ(*bytes,
            "\"式\",\"文\"\r\n\"'=1+1\",\"'+81\"\r\n\"'-2\",\"'@SUM(A1)\"\r\n\"'\tx\",\"a=b\"\r\n");
  auto back = ReadCsv(*bytes, "f.csv");
  ASSERT_TRUE(back.Ok());
  EXPECT_EQ(back->rows[0][0], "'=1+1");
  auto raw = WriteCsv(table, SourceEncoding::kUtf8, FormulaGuard::kNone);
  ASSERT_TRUE(raw.Ok());
  EXPECT_EQ(ReadCsv(*raw, "f.csv")->rows, table.rows);
}

TEST(CsvTest, WriteRefusesRaggedTable) {
  Table table;
  table.header = {"a", "b"};
  table.rows = {{"1"}};
  EXPECT_FALSE(WriteCsv(table).Ok());
}

// ------------------------------------------------------------------ XLSX

TEST(XlsxTest, RoundTrips) {
  Table sample = Sample();
  sample.rows.push_back({"=1+1", "_x0041_", "\t先頭タブ "});
  auto bytes = WriteXlsx(sample, "台帳");
  ASSERT_TRUE(bytes.Ok()) << bytes.Err().ToString();
  EXPECT_TRUE(bytes->starts_with("PK"));
  auto back = ReadXlsx(*bytes, "out.xlsx");
  ASSERT_TRUE(back.Ok()) << back.Err().ToString();
  EXPECT_EQ(back->header, sample.header);
  EXPECT_EQ(back->rows, sample.rows);
  EXPECT_EQ(back->row_lines, (std::vector<int>{2, 3, 4, 5}));
  EXPECT_EQ(back->header_line, 1);
}

TEST(XlsxTest, WriteRefusesBadInput) {
  Table table = Sample();
  EXPECT_FALSE(WriteXlsx(table, "a/b").Ok());
  EXPECT_FALSE(WriteXlsx(table, "").Ok());
  table.rows[0].pop_back();
  EXPECT_FALSE(WriteXlsx(table, "台帳").Ok());
}

TEST(XlsxTest, SeveralSheetsInOrderTheFirstReadBack) {
  Table second;
  second.header = {"件数"};
  second.rows = {{"3"}};
  auto bytes = WriteXlsx(std::vector<Sheet>{{"概要", Sample()}, {"違反", second}});
  ASSERT_TRUE(bytes.Ok()) << bytes.Err().ToString();
  auto back = ReadXlsx(*bytes, "report.xlsx");
  ASSERT_TRUE(back.Ok()) << back.Err().ToString();
  EXPECT_EQ(back->rows, Sample().rows);
  EXPECT_NE(bytes->find("xl/worksheets/sheet2.xml"), std::string::npos);
  // Two sheets of one name, a bad second sheet, or none: refused, named.
  auto twice = WriteXlsx(std::vector<Sheet>{{"概要", Sample()}, {"概要", second}});
  ASSERT_FALSE(twice.Ok());
  EXPECT_NE(twice.Err().ToString().find("概要"), std::string::npos);
  second.rows[0].push_back("extra");
  EXPECT_FALSE(WriteXlsx(std::vector<Sheet>{{"概要", Sample()}, {"違反", second}}).Ok());
  EXPECT_FALSE(WriteXlsx(std::vector<Sheet>{}).Ok());
}

TEST(XlsxTest, ReadsSharedStringsAndGaps) {
  auto table = ReadXlsx(MakeWorkbook(), "hand.xlsx");
  ASSERT_TRUE(table.Ok()) << table.Err().ToString();
  EXPECT_EQ(table->header, (std::vector<std::string>{"資産名", "重要度", "備考"}));
  ASSERT_EQ(table->rows.size(), 3U);
  EXPECT_EQ(table->rows[0], (std::vector<std::string>{"住民基本台帳 ", "", "メモ"}));
  EXPECT_EQ(table->rows[1], (std::vector<std::string>{"3", "TRUE", "A\rB"}));
  EXPECT_EQ(table->rows[2], (std::vector<std::string>{"0.1", "2", "1E-3"}));
  EXPECT_EQ(table->row_lines, (std::vector<int>{3, 5, 6}));
}

TEST(XlsxTest, ValueRightOfHeaderIsAnErrorNamingTheCell) {
  std::string sheet = kSheet;
  sheet.replace(sheet.find(R"(<c r="D5" s="2"/>)"), 17, R"(<c r="D5"><v>7</v></c>)");
  auto table = ReadXlsx(MakeWorkbook(sheet), "hand.xlsx");
  ASSERT_FALSE(table.Ok());
  EXPECT_EQ(table.Err().Headline().where.key, "D5");
  EXPECT_EQ(table.Err().Headline().where.line, 5);
}

TEST(XlsxTest, BadSharedStringIndexIsAnError) {
  std::string sheet = kSheet;
  sheet.replace(sheet.find("<v>4</v>"), 8, "<v>99</v>");
  auto table = ReadXlsx(MakeWorkbook(sheet), "hand.xlsx");
  ASSERT_FALSE(table.Ok());
  EXPECT_EQ(table.Err().Headline().where.key, "C5");
}

TEST(XlsxTest, ZipThatIsNotAWorkbookIsAClearError) {
  auto table = ReadXlsx(MakeZip({{"readme.txt", "hello"}}), "notes.zip");
  ASSERT_FALSE(table.Ok());
  EXPECT_NE(table.Err().Headline().message_en.find("not an .xlsx"), std::string::npos);
  auto garbage = ReadXlsx("資産名,重要度\n", "really.csv");
  ASSERT_FALSE(garbage.Ok());
  EXPECT_NE(garbage.Err().Headline().message_en.find("not a zip"), std::string::npos);
}

TEST(XlsxTest, DoctypeIsRefused) {
  const std::string shared =
      R"(<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>)"
      R"(<sst><si><t>&x;</t></si></sst>)";
  auto table = ReadXlsx(MakeWorkbook(kSheet, shared), "xxe.xlsx");
  ASSERT_FALSE(table.Ok());
  EXPECT_EQ(table.Err().Headline().where.key, "xl/sharedStrings.xml");
  EXPECT_NE(table.Err().Headline().message_en.find("DOCTYPE"), std::string::npos);
}

TEST(XlsxTest, OversizedPartIsRefused) {
  Limits limits;
  limits.max_part_bytes = 100;
  auto table = ReadXlsx(MakeWorkbook(), "big.xlsx", limits);
  ASSERT_FALSE(table.Ok());
  EXPECT_EQ(table.Err().Code(), ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace mamori::tabular
