// The dispatcher: detection from content, lying names, limits, the report,
// and the text/CSV sanitizer. Each format folder has its own tests.
#include "sanitize/sanitize.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/charset.h"
#include "policy/model.h"
#include "sanitize/context.h"
#include "sanitize/detect.h"

namespace mamori::sanitize {
namespace {

std::string ToCp932(std::string_view utf8) {
  auto converter = Converter::Create("CP932", "UTF-8");
  std::string out;
  std::size_t failed = 0;
  EXPECT_TRUE(converter.Ok() && converter->Convert(utf8, &out, &failed));
  return out;
}

TEST(DetectTest, TypeComesFromContentNotName) {
  EXPECT_EQ(DetectType("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "x.txt").type, FileType::kPdf);
  const std::string png("\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0", 29);
  EXPECT_EQ(DetectType(png, "x.pdf").type, FileType::kPng);
  EXPECT_EQ(DetectType("{\\rtf1\\ansi hello}", "x.doc").type, FileType::kRtf);
  EXPECT_EQ(DetectType("hello, world\n", "notes.txt").type, FileType::kText);
  EXPECT_EQ(DetectType("a,b\n1,2\n", "list.csv").type, FileType::kCsv);
  EXPECT_EQ(DetectType("<html><script>alert(1)</script></html>", "x.txt").type, FileType::kUnknown);
  EXPECT_EQ(DetectType("\x7F" "ELF\x02\x01\x01", "readme.txt").type, FileType::kUnknown);
}

TEST(DetectTest, MailIsRecognizedWhateverHeaderComesFirst) {
  EXPECT_EQ(DetectType("From: a@example.jp\r\nSubject: x\r\n\r\nbody\r\n", "m").type, FileType::kMail);
  EXPECT_EQ(DetectType("MIME-Version: 1.0\nSubject: =?UTF-8?B?5pel5pys?=\nContent-Type: text/plain\n\nbody\n", "m.txt").type,
            FileType::kMail);
  // Text with a colon in its first line is not a message.
  EXPECT_EQ(DetectType("注意: 明日は休み\n\n以上\n", "a.txt").type, FileType::kText);
  EXPECT_EQ(DetectType("Note: one\nTodo: two\n\nrest\n", "a.txt").type, FileType::kText);
}

TEST(DetectTest, ExtensionsAndFit) {
  EXPECT_EQ(TypeFromName("報告書.PDF"), FileType::kPdf);
  EXPECT_EQ(TypeFromName("a.tar.gz"), FileType::kGzip);
  EXPECT_EQ(TypeFromName("noextension"), FileType::kUnknown);
  EXPECT_TRUE(NameFits(FileType::kCsv, FileType::kText));
  EXPECT_FALSE(NameFits(FileType::kPdf, FileType::kDocx));
}

TEST(SanitizeTest, AnExecutableNamedAsTextIsRefusedAndTheLieReported) {
  const Settings settings;
  const std::string elf("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16);
  const Outcome outcome = Sanitize(elf, "readme.txt", settings);
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kUnknownType);
  EXPECT_TRUE(outcome.output.empty());
  EXPECT_TRUE(outcome.report.name_mismatch);
  EXPECT_FALSE(ReasonMessageJa(outcome.report.reason).empty());
}

TEST(SanitizeTest, LimitsRefuseBeforeParsing) {
  Settings settings;
  settings.limits.max_input_bytes = 10;
  const Outcome big = Sanitize("hello, this is more than ten bytes", "a.txt", settings);
  EXPECT_EQ(big.report.verdict, Verdict::kRefused);
  EXPECT_EQ(big.report.reason, Reason::kTooLarge);
  settings = Settings{};
  settings.limits.max_time = std::chrono::milliseconds(-1);
  const Outcome late = Sanitize("hello", "a.txt", settings);
  EXPECT_EQ(late.report.reason, Reason::kTimeout);
}

TEST(SanitizeTest, LegacyOfficeIsRefusedByDefaultAndConfigurable) {
  // A Compound File Binary header (libmagic needs more than the signature
  // to call it Office; any OLE file is refused the same way).
  std::string ole("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  ole.resize(1536, '\0');
  ole[0x1C] = '\xFE';
  ole[0x1D] = '\xFF';
  const Detection detection = DetectType(ole, "old.doc");
  if (detection.type != FileType::kOle) GTEST_SKIP() << "libmagic says " << detection.mime;
  Settings settings;
  EXPECT_EQ(Sanitize(ole, "old.doc", settings).report.reason, Reason::kLegacyOffice);
  settings.refuse_legacy_office = false;
  const Outcome passed = Sanitize(ole, "old.doc", settings);
  EXPECT_NE(passed.report.verdict, Verdict::kRefused);
  EXPECT_EQ(passed.output, ole);
  EXPECT_EQ(Sanitize(ole, "dir/old.xls", settings).report.output_name, "old.xls");
}

TEST(SanitizeTest, ShiftJisTextBecomesUtf8) {
  const std::string sjis = ToCp932("表計算ソフトの操作手順\r\n");
  const Outcome outcome = Sanitize(sjis, "手順.txt", Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  EXPECT_EQ(outcome.output, "表計算ソフトの操作手順\r\n");
  EXPECT_EQ(outcome.report.output_name, "手順.txt");
  ASSERT_FALSE(outcome.report.notes_ja.empty());
  EXPECT_NE(outcome.report.notes_ja.front().find("CP932"), std::string::npos);
}

TEST(SanitizeTest, Iso2022JpAndEucJpTextBecomeUtf8) {
  const Outcome jis = Sanitize("\x1B$BF|K\\\x1B(B\n", "a.txt", Settings{});
  EXPECT_EQ(jis.output, "日本\n");
  std::string euc;
  ASSERT_TRUE(ConvertToUtf8("\xC6\xFC\xCB\xDC", "EUC-JP", &euc));
  // EUC-JP bytes are invalid as CP932 here? Not always: check only that the
  // output is valid UTF-8 and not refused.
  const Outcome e = Sanitize("\xC6\xFC\xCB\xDC\xB8\xEC\n", "e.txt", Settings{});
  EXPECT_NE(e.report.verdict, Verdict::kRefused);
  EXPECT_TRUE(IsValidUtf8(e.output));
}

TEST(SanitizeTest, ControlCharactersAreRemoved) {
  const Outcome outcome = Sanitize(std::string("abc\x1B[31mred\x07\n", 13), "a.txt", Settings{});
  EXPECT_EQ(outcome.output, "abc[31mred\n");
  EXPECT_EQ(outcome.report.verdict, Verdict::kSanitized);
}

// Found by the PDF fuzzer: a UTF-16 byte-order mark alone is text with no
// content; it is refused with a reason, as an empty file is, not passed on
// as an empty clean file.
TEST(SanitizeTest, TextWithNoContentIsRefused) {
  const Outcome bom = Sanitize("\xFE\xFF", "a.txt", Settings{});
  EXPECT_EQ(bom.report.verdict, Verdict::kRefused);
  EXPECT_EQ(bom.report.reason, Reason::kMalformed);
  EXPECT_TRUE(bom.output.empty());
  // Whatever detection makes of other contentless text, it is not passed on.
  for (const std::string& input : {std::string("\xEF\xBB\xBF"), std::string("\x01\x02", 2)}) {
    const Outcome outcome = Sanitize(input, "a.txt", Settings{});
    EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
    EXPECT_TRUE(outcome.output.empty());
  }
}

TEST(SanitizeTest, CsvFormulaCellsAreNeutralizedAndNumbersKept) {
  const std::string csv =
      "品名,金額,備考\r\n\"=HYPERLINK(\"\"http://x\"\")\",-5,@SUM(A1)\r\n+81-3-1234,+3.5,通常\r\n";
  const Outcome outcome = Sanitize(csv, "list.csv", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  EXPECT_EQ(outcome.output.rfind("\xEF\xBB\xBF", 0), 0u);  // UTF-8 with BOM for Excel
  EXPECT_NE(outcome.output.find("\"'=HYPERLINK(\"\"http://x\"\")\""), std::string::npos);
  EXPECT_NE(outcome.output.find("\"'@SUM(A1)\""), std::string::npos);
  EXPECT_NE(outcome.output.find("\"'+81-3-1234\""), std::string::npos);
  EXPECT_NE(outcome.output.find("\"-5\""), std::string::npos);   // a number stays
  EXPECT_NE(outcome.output.find("\"+3.5\""), std::string::npos);
  ASSERT_EQ(outcome.report.removed.size(), 1u);
  EXPECT_EQ(outcome.report.removed[0].what, "formula");
  EXPECT_EQ(outcome.report.removed[0].count, 3);
}

TEST(SanitizeTest, ReportIsJsonWithHashes) {
  const Outcome outcome = Sanitize("plain text\n", "a.txt", Settings{});
  const auto json = nlohmann::json::parse(ReportToJson(outcome.report));
  EXPECT_EQ(json["verdict"], "clean");
  EXPECT_EQ(json["detected_type"], "text");
  EXPECT_EQ(json["sha256_in"].get<std::string>().size(), 64u);
  EXPECT_EQ(json["sha256_in"], json["sha256_out"]);
  // FIPS 180-2's "abc" and "" answers.
  EXPECT_EQ(Sanitize("abc", "abc.txt", Settings{}).report.sha256_in,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const Outcome refused = Sanitize(std::string("\x7F" "ELF\x02\x01", 6), "a.bin", Settings{});
  const auto refused_json = nlohmann::json::parse(ReportToJson(refused.report));
  EXPECT_EQ(refused_json["verdict"], "refused");
  EXPECT_EQ(refused_json["reason"]["code"], "unknown_type");
  EXPECT_FALSE(refused_json["reason"]["message_ja"].get<std::string>().empty());
  EXPECT_FALSE(refused_json.contains("sha256_out"));
}

TEST(SanitizeTest, SettingsComeFromTheProfile) {
  policy::SanitizeSettings profile;
  profile.max_input_mib = 2;
  profile.max_megapixels = 3;
  profile.mail_method = policy::SanitizeSettings::MailMethod::kSanitizeAttachments;
  const Settings settings = SettingsFromProfile(profile);
  EXPECT_EQ(settings.limits.max_input_bytes, 2u << 20);
  EXPECT_EQ(settings.limits.max_pixels, 3'000'000u);
  EXPECT_EQ(settings.mail_method, MailMethod::kSanitizeAttachments);
}

}  // namespace
}  // namespace mamori::sanitize
