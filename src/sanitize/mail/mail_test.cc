// The mail sanitizer: Japanese mails are built here as bytes (iconv for the
// charsets, GLib for base64), sanitized through the dispatcher, and the
// output is parsed again with GMime directly — independently of the
// sanitizer's own decoding — to check what survived.
#include "sanitize/mail/mail.h"

#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/charset.h"
#include "sanitize/sanitize.h"

namespace mamori::sanitize {
namespace {


void QuietLog(const gchar* /*domain*/, GLogLevelFlags /*level*/, const gchar* /*message*/,
              gpointer /*data*/) {}

void InitGMime() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    g_log_set_handler("GMime", static_cast<GLogLevelFlags>(G_LOG_LEVEL_MASK), QuietLog, nullptr);
  });
}

std::string Encode(std::string_view utf8, const char* charset) {
  auto converter = Converter::Create(charset, "UTF-8");
  std::string out;
  std::size_t failed = 0;
  EXPECT_TRUE(converter.Ok() && converter->Convert(utf8, &out, &failed)) << charset;
  return out;
}

std::string Base64(std::string_view bytes) {
  gchar* encoded = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  std::string out(encoded);
  g_free(encoded);
  // Lines of 76 characters, as mailers write them.
  std::string lines;
  for (std::size_t i = 0; i < out.size(); i += 76) lines += out.substr(i, 76) + "\n";
  return lines;
}

std::string Base64Line(std::string_view bytes) {
  std::string lines = Base64(bytes);
  std::string line;
  for (const char c : lines) {
    if (c != '\n') line += c;
  }
  return line;
}

// RFC 2047 "B" encoded word.
std::string Word(std::string_view utf8, const char* charset) {
  return std::string("=?") + charset + "?B?" + Base64Line(Encode(utf8, charset)) + "?=";
}

std::string QuotedPrintable(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t column = 0;
  for (const char c : bytes) {
    std::string piece;
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += '\n';
      column = 0;
      continue;
    }
    if (byte >= 33 && byte <= 126 && c != '=') {
      piece = std::string(1, c);
    } else {
      piece = {'=', kHex[byte >> 4], kHex[byte & 15]};
    }
    if (column + piece.size() > 75) {
      out += "=\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  }
  return out;
}

// A 1×1 PNG.
const std::string kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg"
    "==";

// ---------------------------------------------------------------------------
// Reading the output with GMime, independently of the sanitizer.

struct Part {
  std::string content_type;  // "text/plain"
  std::string charset;
  std::string filename;
  std::string encoding;  // Content-Transfer-Encoding as written
  std::string text;      // text parts: decoded to UTF-8 by GMime
  std::string bytes;     // decoded content
};

struct Parsed {
  bool ok = false;
  std::string subject;
  std::string from;
  std::string to;
  std::string date;
  std::string message_id;
  std::vector<std::string> header_names;
  std::string top_type;
  std::vector<Part> parts;  // leaves in order (message/rfc822 parts as one leaf)
  std::string Body() const { return parts.empty() ? "" : parts.front().text; }
};

std::string TypeOf(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  gchar* mime = g_mime_content_type_get_mime_type(type);
  std::string out(mime);
  g_free(mime);
  return out;
}

void Collect(GMimeObject* object, Parsed* parsed) {
  if (GMIME_IS_MULTIPART(object)) {
    for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(object)); ++i) {
      Collect(g_mime_multipart_get_part(GMIME_MULTIPART(object), i), parsed);
    }
    return;
  }
  Part part;
  part.content_type = TypeOf(object);
  if (const char* charset = g_mime_object_get_content_type_parameter(object, "charset")) {
    part.charset = charset;
  }
  if (const char* encoding = g_mime_object_get_header(object, "Content-Transfer-Encoding")) {
    part.encoding = encoding;
  }
  if (GMIME_IS_MESSAGE_PART(object)) {
    if (const char* name = g_mime_object_get_content_disposition_parameter(object, "filename")) {
      part.filename = name;
    }
    GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    gchar* text = g_mime_object_to_string(GMIME_OBJECT(message), nullptr);
    part.bytes = text;
    g_free(text);
  } else if (GMIME_IS_PART(object)) {
    if (const char* name = g_mime_part_get_filename(GMIME_PART(object))) part.filename = name;
    GMimeStream* stream = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(object)), stream);
    GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
    part.bytes.assign(reinterpret_cast<const char*>(array->data), array->len);
    g_object_unref(stream);
    if (GMIME_IS_TEXT_PART(object)) {
      gchar* text = g_mime_text_part_get_text(GMIME_TEXT_PART(object));
      if (text != nullptr) part.text = text;
      g_free(text);
    }
  }
  parsed->parts.push_back(std::move(part));
}

Parsed Parse(const std::string& bytes) {
  InitGMime();
  Parsed parsed;
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  g_object_unref(stream);
  if (message == nullptr) return parsed;
  parsed.ok = true;
  if (const char* subject = g_mime_message_get_subject(message)) parsed.subject = subject;
  gchar* from = internet_address_list_to_string(g_mime_message_get_from(message), nullptr, FALSE);
  parsed.from = from != nullptr ? from : "";
  g_free(from);
  gchar* to = internet_address_list_to_string(g_mime_message_get_to(message), nullptr, FALSE);
  parsed.to = to != nullptr ? to : "";
  g_free(to);
  if (const char* date = g_mime_object_get_header(GMIME_OBJECT(message), "Date")) {
    parsed.date = date;
  }
  if (const char* id = g_mime_message_get_message_id(message)) parsed.message_id = id;
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
  for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
    parsed.header_names.emplace_back(
        g_mime_header_get_name(g_mime_header_list_get_header_at(headers, i)));
  }
  GMimeObject* root = g_mime_message_get_mime_part(message);
  if (root != nullptr) {
    parsed.top_type = TypeOf(root);
    Collect(root, &parsed);
  }
  g_object_unref(message);
  return parsed;
}

bool HasHeader(const Parsed& parsed, std::string_view name) {
  for (const auto& header : parsed.header_names) {
    if (g_ascii_strcasecmp(header.c_str(), std::string(name).c_str()) == 0) return true;
  }
  return false;
}

int CountRemoved(const Report& report, std::string_view what) {
  int count = 0;
  for (const auto& removal : report.removed) {
    if (removal.what == what) count += removal.count;
  }
  return count;
}

Settings TextOnly() {
  Settings settings;
  settings.mail_method = MailMethod::kTextOnly;
  return settings;
}

Settings WithAttachments() {
  Settings settings;
  settings.mail_method = MailMethod::kSanitizeAttachments;
  return settings;
}

// The body text after the note (everything after the rule line).
std::string AfterNote(const std::string& body) {
  const std::size_t rule =
      body.find("------------------------------------------------------------\n");
  return rule == std::string::npos ? body : body.substr(rule + 62);
}

// ---------------------------------------------------------------------------
// Samples.

std::string Iso2022JpMail() {
  const std::string body = Encode(
      "山田様\n\nお世話になっております。来週の会議は①番会議室で行います。\n"
      "詳細: https://www.city.example.jp/kaigi.html\n",
      "ISO-2022-JP-3");
  return "From: " + Word("総務課 佐藤", "ISO-2022-JP") +
         " <sato@city.example.jp>\n"
         "To: yamada@example.jp\n"
         "Subject: " +
         Word("会議のお知らせ", "ISO-2022-JP") +
         "\n"
         "Date: Mon, 1 Apr 2024 10:00:00 +0900\n"
         "Message-ID: <20240401100000.1234@city.example.jp>\n"
         "In-Reply-To: <prev-1@example.jp>\n"
         "References: <root-0@example.jp> <prev-1@example.jp>\n"
         "Reply-To: attacker@evil.example\n"
         "Received: from mx.example.jp by gw.example.jp; Mon, 1 Apr 2024 10:00:01 +0900\n"
         "X-Mailer: Example Mailer 1.0\n"
         "MIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=ISO-2022-JP\n"
         "Content-Transfer-Encoding: 7bit\n"
         "\n" +
         body;
}

std::string ShiftJisHtmlMail() {
  const std::string html = Encode(
      "<html><head><title>題名</title><style>p { color: red }</style>"
      "<script>alert('悪意のあるスクリプト');</script></head>"
      "<body onload=\"steal()\"><p>お世話になっております。<br>請求書をお送りします。</p>"
      "<p><a href=\"https://example.com/login?id=1\">ログインはこちら</a></p>"
      "<ul><li>項目一</li><li>項目二</li></ul>"
      "<table><tr><td>金額</td><td>1,000円</td></tr></table>"
      "<img src=\"http://tracker.example/p.gif\" width=1 height=1>"
      "<a href=\"javascript:evil()\">ここを押す</a>"
      "<iframe src=\"https://evil.example/\">iframe の中</iframe>"
      "</body></html>",
      "CP932");
  return "From: " + Word("経理", "SHIFT_JIS") +
         " <keiri@example.co.jp>\n"
         "To: yamada@example.jp\n"
         "Subject: " +
         Word("請求書送付のご案内", "SHIFT_JIS") +
         "\n"
         "Date: Tue, 2 Apr 2024 09:30:00 +0900\n"
         "MIME-Version: 1.0\n"
         "Content-Type: text/html; charset=Shift_JIS\n"
         "Content-Transfer-Encoding: base64\n"
         "\n" +
         Base64(html);
}

std::string MixedMail() {
  const std::string text = Encode("添付のとおりお送りします。\n", "ISO-2022-JP");
  const std::string memo = "メモです。\n=SUM(A1)\n";
  // A .docm that is a broken zip: refused by every sanitizer.
  const std::string docm(
      "PK\x03\x04\x14\x00\x00\x00"
      "broken macro document",
      29);
  return "From: sender@example.jp\n"
         "To: yamada@example.jp\n"
         "Subject: " +
         Word("資料送付", "ISO-2022-JP") +
         "\n"
         "Date: Wed, 3 Apr 2024 15:00:00 +0900\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/mixed; boundary=\"b1\"\n"
         "\n"
         "This is a multi-part message in MIME format.\n"
         "--b1\n"
         "Content-Type: text/plain; charset=ISO-2022-JP\n"
         "Content-Transfer-Encoding: 7bit\n"
         "\n" +
         text +
         "--b1\n"
         "Content-Type: application/vnd.ms-word.document.macroEnabled.12; name=\"" +
         Word("請求書.docm", "ISO-2022-JP") +
         "\"\n"
         "Content-Disposition: attachment; filename=\"" +
         Word("請求書.docm", "ISO-2022-JP") +
         "\"\n"
         "Content-Transfer-Encoding: base64\n"
         "\n" +
         Base64(docm) +
         "--b1\n"
         "Content-Type: text/plain; charset=UTF-8\n"
         "Content-Disposition: attachment; filename*=UTF-8''%E3%83%A1%E3%83%A2.txt\n"
         "Content-Transfer-Encoding: base64\n"
         "\n" +
         Base64(memo) +
         "--b1\n"
         "Content-Type: image/png; name=\"photo.png\"\n"
         "Content-Disposition: attachment; filename=\"" +
         Word("写真.png", "ISO-2022-JP") +
         "\"\n"
         "Content-Transfer-Encoding: base64\n"
         "\n" +
         kPngBase64 +
         "\n"
         "--b1--\n";
}

std::string EucJpMail() {
  return "From: suzuki@example.jp\n"
         "To: yamada@example.jp\n"
         "Subject: " +
         Word("EUC の件名", "EUC-JP") +
         "\n"
         "Date: Thu, 4 Apr 2024 08:00:00 +0900\n"
         "MIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=EUC-JP\n"
         "Content-Transfer-Encoding: 8bit\n"
         "\n" +
         Encode("これは EUC-JP の本文です。\n", "EUC-JP");
}

// ---------------------------------------------------------------------------

TEST(MailSanitizeTest, Iso2022JpMailBecomesUtf8TextWithDecodedHeaders) {
  const Outcome outcome = Sanitize(Iso2022JpMail(), "会議.eml", TextOnly());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  EXPECT_EQ(outcome.report.detected, FileType::kMail);
  EXPECT_EQ(outcome.report.output_name, "会議.eml");

  const Parsed parsed = Parse(outcome.output);
  ASSERT_TRUE(parsed.ok);
  EXPECT_EQ(parsed.subject, "会議のお知らせ");
  EXPECT_NE(parsed.from.find("総務課 佐藤"), std::string::npos) << parsed.from;
  EXPECT_NE(parsed.from.find("sato@city.example.jp"), std::string::npos);
  // Display names are written again in UTF-8, not in the sender's charset.
  EXPECT_NE(outcome.output.find("From: =?UTF-8?"), std::string::npos) << outcome.output;
  EXPECT_NE(parsed.to.find("yamada@example.jp"), std::string::npos);
  EXPECT_NE(parsed.date.find("1 Apr 2024 10:00:00 +0900"), std::string::npos) << parsed.date;
  EXPECT_EQ(parsed.message_id, "20240401100000.1234@city.example.jp");
  EXPECT_TRUE(HasHeader(parsed, "In-Reply-To"));
  EXPECT_TRUE(HasHeader(parsed, "References"));
  EXPECT_FALSE(HasHeader(parsed, "Reply-To"));
  EXPECT_FALSE(HasHeader(parsed, "Received"));
  EXPECT_FALSE(HasHeader(parsed, "X-Mailer"));
  EXPECT_GE(CountRemoved(outcome.report, "header"), 3);

  ASSERT_EQ(parsed.parts.size(), 1U);
  const Part& body = parsed.parts.front();
  EXPECT_EQ(body.content_type, "text/plain");
  EXPECT_EQ(g_ascii_strcasecmp(body.charset.c_str(), "UTF-8"), 0) << body.charset;
  EXPECT_EQ(body.encoding, "base64");
  EXPECT_TRUE(IsValidUtf8(body.bytes));
  EXPECT_TRUE(body.text.starts_with("【無害化】このメールはインターネットから受信したため"));
  EXPECT_NE(body.text.find("ISO-2022-JP"), std::string::npos);
  const std::string text = AfterNote(body.text);
  EXPECT_NE(text.find("山田様\n\nお世話になっております。来週の会議は①番会議室で行います。"),
            std::string::npos)
      << text;
  // URLs are shown, not clickable.
  EXPECT_NE(text.find("hxxps://www[.]city[.]example[.]jp/kaigi.html"), std::string::npos) << text;
  EXPECT_EQ(text.find("https://"), std::string::npos);
}

TEST(MailSanitizeTest, ShiftJisHtmlBecomesTextWithoutScriptsAndWithTheLinkAsText) {
  const Outcome outcome = Sanitize(ShiftJisHtmlMail(), "請求.eml", TextOnly());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  EXPECT_EQ(outcome.report.verdict, Verdict::kSanitized);
  const Parsed parsed = Parse(outcome.output);
  ASSERT_TRUE(parsed.ok);
  EXPECT_EQ(parsed.subject, "請求書送付のご案内");
  EXPECT_NE(parsed.from.find("経理"), std::string::npos);
  ASSERT_EQ(parsed.parts.size(), 1U);
  EXPECT_EQ(parsed.parts[0].content_type, "text/plain");
  const std::string& body = parsed.parts[0].text;
  const std::string text = AfterNote(body);

  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_EQ(text.find('>'), std::string::npos) << text;
  EXPECT_EQ(text.find("alert"), std::string::npos);
  EXPECT_EQ(text.find("悪意"), std::string::npos);
  EXPECT_EQ(text.find("color"), std::string::npos);
  EXPECT_EQ(text.find("題名"), std::string::npos);
  EXPECT_EQ(text.find("iframe の中"), std::string::npos);
  EXPECT_EQ(text.find("evil()"), std::string::npos);
  EXPECT_NE(text.find("お世話になっております。\n請求書をお送りします。"), std::string::npos)
      << text;
  EXPECT_NE(text.find("ログインはこちら [hxxps://example[.]com/login?id=1]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("・項目一\n・項目二"), std::string::npos) << text;
  EXPECT_NE(text.find("金額 1,000円"), std::string::npos) << text;
  EXPECT_NE(text.find("ここを押す"), std::string::npos);

  EXPECT_EQ(CountRemoved(outcome.report, "script"), 2);  // <script> and onload
  EXPECT_EQ(CountRemoved(outcome.report, "script_link"), 1);
  EXPECT_EQ(CountRemoved(outcome.report, "remote_image"), 1);
  EXPECT_EQ(CountRemoved(outcome.report, "embedded_object"), 1);
  EXPECT_EQ(CountRemoved(outcome.report, "html_markup"), 1);
  EXPECT_NE(body.find("HTML をテキストに変換"), std::string::npos);
  EXPECT_NE(body.find("スクリプト 2 件を削除"), std::string::npos);
  EXPECT_NE(body.find("Shift_JIS"), std::string::npos);
}

TEST(MailSanitizeTest, TextOnlyDropsEveryAttachmentAndNamesThemAtTheTop) {
  const Outcome outcome = Sanitize(MixedMail(), "資料.eml", TextOnly());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  const Parsed parsed = Parse(outcome.output);
  ASSERT_TRUE(parsed.ok);
  EXPECT_EQ(parsed.subject, "資料送付");
  ASSERT_EQ(parsed.parts.size(), 1U);
  EXPECT_EQ(parsed.top_type, "text/plain");
  const std::string& body = parsed.parts[0].text;
  const std::string first_lines = body.substr(0, body.find("-----"));
  EXPECT_NE(first_lines.find("削除: 添付ファイル 3 件（請求書.docm, メモ.txt, 写真.png）"),
            std::string::npos)
      << first_lines;
  EXPECT_NE(AfterNote(body).find("添付のとおりお送りします。"), std::string::npos);
  EXPECT_EQ(CountRemoved(outcome.report, "attachment"), 3);
  EXPECT_TRUE(outcome.report.children.empty());
  EXPECT_EQ(outcome.output.find("PK"), std::string::npos);
}

TEST(MailSanitizeTest, SanitizeAttachmentsAttachesRebuiltFilesAndDropsRefusedOnes) {
  const Outcome outcome = Sanitize(MixedMail(), "資料.eml", WithAttachments());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  ASSERT_EQ(outcome.report.children.size(), 3U);
  const Parsed parsed = Parse(outcome.output);
  ASSERT_TRUE(parsed.ok);
  EXPECT_EQ(parsed.top_type, "multipart/mixed");
  ASSERT_GE(parsed.parts.size(), 2U);
  EXPECT_EQ(parsed.parts[0].content_type, "text/plain");
  const std::string& body = parsed.parts[0].text;
  EXPECT_NE(AfterNote(body).find("添付のとおりお送りします。"), std::string::npos);

  // The broken .docm is refused, dropped and named in the note.
  EXPECT_EQ(outcome.report.children[0].name, "請求書.docm");
  EXPECT_EQ(outcome.report.children[0].verdict, Verdict::kRefused);
  EXPECT_EQ(CountRemoved(outcome.report, "refused_attachment"),
            static_cast<int>(4 - parsed.parts.size()));
  EXPECT_NE(body.find("削除（無害化できないため）: 請求書.docm — "), std::string::npos) << body;

  // The text file is rebuilt by the text sanitizer and attached.
  const Report& memo = outcome.report.children[1];
  EXPECT_EQ(memo.name, "メモ.txt");
  ASSERT_NE(memo.verdict, Verdict::kRefused) << memo.detail;
  bool found_memo = false;
  for (const Part& part : parsed.parts) {
    if (part.filename == memo.output_name) {
      found_memo = true;
      EXPECT_EQ(part.content_type, "text/plain");
      EXPECT_NE(part.bytes.find("メモです。"), std::string::npos);
    }
  }
  EXPECT_TRUE(found_memo);
  EXPECT_NE(body.find("無害化して添付"), std::string::npos);

  // The PNG goes wherever the image sanitizer decides: attached, or named.
  const Report& photo = outcome.report.children[2];
  EXPECT_EQ(photo.name, "写真.png");
  if (photo.verdict != Verdict::kRefused) {
    bool found_photo = false;
    for (const Part& part : parsed.parts) {
      if (part.filename == photo.output_name) {
        found_photo = true;
        EXPECT_EQ(part.content_type, "image/png");
        EXPECT_TRUE(part.bytes.starts_with("\x89PNG"));
      }
    }
    EXPECT_TRUE(found_photo);
  } else {
    EXPECT_NE(body.find("写真.png"), std::string::npos);
  }
}

TEST(MailSanitizeTest, EucJpMailIsDecoded) {
  const Outcome outcome = Sanitize(EucJpMail(), "euc.eml", TextOnly());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  const Parsed parsed = Parse(outcome.output);
  EXPECT_EQ(parsed.subject, "EUC の件名");
  ASSERT_EQ(parsed.parts.size(), 1U);
  EXPECT_NE(AfterNote(parsed.Body()).find("これは EUC-JP の本文です。"), std::string::npos)
      << parsed.Body();
  EXPECT_NE(parsed.Body().find("文字コードを UTF-8 に変換（EUC-JP）"), std::string::npos);
}

TEST(MailSanitizeTest, Base64AndQuotedPrintableBodiesAreDecoded) {
  const std::string text =
      "基本の本文です。\nline two with = sign and a long line " + std::string(100, 'x') + "\n";
  for (const bool base64 : {true, false}) {
    const std::string mail =
        "From: a@example.jp\nTo: b@example.jp\nSubject: =?UTF-8?Q?=E3=83=86=E3=82=B9=E3=83=88?=\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: " +
        std::string(base64 ? "base64" : "quoted-printable") + "\n\n" +
        (base64 ? Base64(text) : QuotedPrintable(text));
    const Outcome outcome = Sanitize(mail, "a.eml", TextOnly());
    ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
    const Parsed parsed = Parse(outcome.output);
    EXPECT_EQ(parsed.subject, "テスト");
    EXPECT_EQ(AfterNote(parsed.Body()), text) << (base64 ? "base64" : "qp");
  }
}

TEST(MailSanitizeTest, AlternativePrefersTextAndReportsTheDroppedHtml) {
  const std::string mail =
      "From: a@example.jp\nTo: b@example.jp\nSubject: alt\nMIME-Version: 1.0\n"
      "Content-Type: multipart/alternative; boundary=\"alt\"\n\n"
      "--alt\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
      "テキスト版\n"
      "--alt\nContent-Type: text/html; charset=UTF-8\n\n"
      "<p>HTML版<script>x()</script></p>\n"
      "--alt--\n";
  const Outcome outcome = Sanitize(mail, "alt.eml", TextOnly());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  const Parsed parsed = Parse(outcome.output);
  ASSERT_EQ(parsed.parts.size(), 1U);
  EXPECT_EQ(AfterNote(parsed.Body()), "テキスト版\n");
  EXPECT_EQ(CountRemoved(outcome.report, "html_alternative"), 1);
  EXPECT_NE(parsed.Body().find("HTML 版の本文を削除"), std::string::npos);
}

TEST(MailSanitizeTest, AlternativeWithoutTextUsesTheHtmlInRelated) {
  const std::string mail =
      "From: a@example.jp\nTo: b@example.jp\nSubject: rel\nMIME-Version: 1.0\n"
      "Content-Type: multipart/alternative; boundary=\"alt\"\n\n"
      "--alt\nContent-Type: multipart/related; boundary=\"rel\"\n\n"
      "--rel\nContent-Type: text/html; charset=UTF-8\n\n"
      "<p>画像付き<img src=\"cid:img1\" alt=\"ロゴ\"></p>\n"
      "--rel\nContent-Type: image/png\nContent-ID: <img1>\nContent-Transfer-Encoding: base64\n\n" +
      kPngBase64 +
      "\n--rel--\n"
      "--alt--\n";
  const Outcome outcome = Sanitize(mail, "rel.eml", TextOnly());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  const Parsed parsed = Parse(outcome.output);
  ASSERT_EQ(parsed.parts.size(), 1U);
  EXPECT_NE(AfterNote(parsed.Body()).find("画像付き [画像: ロゴ]"), std::string::npos)
      << parsed.Body();
  EXPECT_EQ(CountRemoved(outcome.report, "inline_image"), 1);
  EXPECT_NE(parsed.Body().find("削除: 本文中の画像 1 件"), std::string::npos);
}

TEST(MailSanitizeTest, AttachedMessageIsSanitizedRecursively) {
  const std::string inner =
      "From: inner@example.jp\nTo: b@example.jp\nSubject: " + Word("転送元", "ISO-2022-JP") +
      "\nMIME-Version: 1.0\nContent-Type: text/html; charset=UTF-8\n\n"
      "<p>内側の本文<script>bad()</script></p>\n";
  const std::string mail =
      "From: a@example.jp\nTo: b@example.jp\nSubject: fwd\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
      "--m\nContent-Type: text/plain; charset=UTF-8\n\n転送します\n"
      "--m\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n" +
      inner + "--m--\n";

  const Outcome dropped = Sanitize(mail, "fwd.eml", TextOnly());
  ASSERT_NE(dropped.report.verdict, Verdict::kRefused) << dropped.report.detail;
  EXPECT_NE(Parse(dropped.output).Body().find("削除: 添付ファイル 1 件（転送元.eml）"),
            std::string::npos)
      << Parse(dropped.output).Body();

  const Outcome outcome = Sanitize(mail, "fwd.eml", WithAttachments());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  ASSERT_EQ(outcome.report.children.size(), 1U);
  const Report& child = outcome.report.children[0];
  EXPECT_EQ(child.detected, FileType::kMail);
  ASSERT_NE(child.verdict, Verdict::kRefused) << child.detail;
  EXPECT_EQ(CountRemoved(child, "script"), 1);
  const Parsed parsed = Parse(outcome.output);
  ASSERT_EQ(parsed.parts.size(), 2U);
  EXPECT_EQ(parsed.parts[1].content_type, "message/rfc822");
  EXPECT_EQ(parsed.parts[1].filename, "転送元.eml");
  const Parsed inner_parsed = Parse(parsed.parts[1].bytes);
  EXPECT_EQ(inner_parsed.subject, "転送元");
  ASSERT_EQ(inner_parsed.parts.size(), 1U);
  EXPECT_NE(inner_parsed.Body().find("内側の本文"), std::string::npos);
  EXPECT_EQ(inner_parsed.Body().find("bad()"), std::string::npos);
}

TEST(MailSanitizeTest, WindowsIso2022JpWithNecCharactersIsDecoded) {
  // Outlook writes ① and ㈱ (CP932 rows) inside ESC $ B, which strict
  // ISO-2022-JP decoders refuse: "①番 ㈱テスト" and a subject "①の件".
  const std::string body = "\x1B$B-!HV\x1B(B \x1B$B-j%F%9%H\x1B(B\n";
  const std::string subject = "\x1B$B-!$N7o\x1B(B";
  const std::string mail =
      "From: a@example.jp\nSubject: =?ISO-2022-JP?B?" + Base64Line(subject) +
      "?=\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-2022-jp\n\n" + body;
  const Outcome outcome = Sanitize(mail, "nec.eml", TextOnly());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  const Parsed parsed = Parse(outcome.output);
  EXPECT_EQ(parsed.subject, "①の件");
  EXPECT_EQ(AfterNote(parsed.Body()), "①番 ㈱テスト\n");
}

TEST(MailSanitizeTest, RawShiftJisHeadersAndUndeclaredCharsetAreRead) {
  // Old mailers: 8-bit Shift_JIS in the Subject, no charset parameter.
  const std::string mail = "From: a@example.jp\nSubject: " + Encode("生の件名", "CP932") +
                           "\nMIME-Version: 1.0\nContent-Type: text/plain\n\n" +
                           Encode("本文（ｼﾌﾄJIS、①㈱）\n", "CP932");
  const Outcome outcome = Sanitize(mail, "raw.eml", TextOnly());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  const Parsed parsed = Parse(outcome.output);
  EXPECT_EQ(parsed.subject, "生の件名");
  EXPECT_EQ(AfterNote(parsed.Body()), "本文（ｼﾌﾄJIS、①㈱）\n");
}

TEST(MailSanitizeTest, APlainUtf8MailWithOnlyKeptHeadersIsClean) {
  const std::string mail =
      "From: a@example.jp\nTo: b@example.jp\nSubject: hello\n"
      "Date: Fri, 5 Apr 2024 12:00:00 +0900\nMIME-Version: 1.0\n"
      "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
      "こんにちは\n";
  const Outcome outcome = Sanitize(mail, "hello.eml", TextOnly());
  EXPECT_EQ(outcome.report.verdict, Verdict::kClean);
  EXPECT_TRUE(outcome.report.removed.empty());
  const Parsed parsed = Parse(outcome.output);
  EXPECT_TRUE(parsed.Body().starts_with("【無害化】"));
  EXPECT_EQ(AfterNote(parsed.Body()), "こんにちは\n");
}

TEST(MailSanitizeTest, TooManyPartsAndTooDeepNestingAreRefused) {
  std::string mail =
      "From: a@example.jp\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\n\n";
  for (int i = 0; i < 6; ++i) mail += "--b\nContent-Type: text/plain\n\npart\n";
  mail += "--b--\n";
  Settings settings = TextOnly();
  settings.limits.max_entries = 3;
  EXPECT_EQ(Sanitize(mail, "many.eml", settings).report.reason, Reason::kTooManyEntries);
  settings.limits.max_entries = 5;  // passes the pre-count, caught by the walk
  mail =
      "From: a@example.jp\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\n\n";
  for (int i = 0; i < 6; ++i) mail += "--b\n\npart\n";
  mail += "--b--\n";
  EXPECT_EQ(Sanitize(mail, "many.eml", settings).report.reason, Reason::kTooManyEntries);

  std::string deep = "From: a@example.jp\nMIME-Version: 1.0\n";
  for (int i = 0; i < 40; ++i) {
    deep += "Content-Type: multipart/mixed; boundary=\"d" + std::to_string(i) + "\"\n\n--d" +
            std::to_string(i) + "\n";
  }
  deep += "Content-Type: text/plain\n\nhello\n";
  EXPECT_EQ(Sanitize(deep, "deep.eml", TextOnly()).report.reason, Reason::kTooDeep);
}

TEST(MailSanitizeTest, ExpansionBudgetIsCharged) {
  Settings settings = TextOnly();
  settings.limits.max_expanded_bytes = 1000;
  const std::string mail =
      "From: a@example.jp\nMIME-Version: 1.0\n"
      "Content-Type: text/plain; charset=UTF-8\n"
      "Content-Transfer-Encoding: base64\n\n" +
      Base64(std::string(2000, 'a'));
  EXPECT_EQ(Sanitize(mail, "big.eml", settings).report.reason, Reason::kExpandedTooLarge);
}

TEST(MailSanitizeTest, AttachmentNamesLoseDirectoriesAndBidiControls) {
  const std::string mail =
      "From: a@example.jp\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\n\nbody\n"
      "--b\nContent-Type: application/octet-stream\n"
      "Content-Disposition: attachment; filename*=UTF-8''..%2F..%2Finvoice%E2%80%AEtxt.exe\n\n"
      "MZ\n"
      "--b--\n";
  const Outcome outcome = Sanitize(mail, "n.eml", TextOnly());
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  const std::string body = Parse(outcome.output).Body();
  EXPECT_NE(body.find("（invoicetxt.exe）"), std::string::npos) << body;
}

TEST(MailSanitizeTest, GarbageAfterAFromLineStillGivesAValidMessage) {
  const std::string mail = "From: a@example.jp\n\x01\x02\xFF\xFE garbage\n--x\n\n\x1B$B\n";
  const Outcome outcome = Sanitize(mail, "g.eml", TextOnly());
  if (outcome.report.verdict == Verdict::kRefused) return;  // refusing is fine too
  const Parsed parsed = Parse(outcome.output);
  ASSERT_TRUE(parsed.ok);
  ASSERT_EQ(parsed.parts.size(), 1U);
  EXPECT_TRUE(IsValidUtf8(parsed.parts[0].bytes));
}

TEST(MailHtmlTest, BlocksBreaksAndLinks) {
  const mail::HtmlText html = mail::HtmlToText(
      "<div>一<br>二</div><p>三</p><pre>  整形\n  済み</pre>"
      "<a href=\"https://example.jp/\">https://example.jp/</a> "
      "<a href=\"mailto:x@example.jp\">x@example.jp</a> "
      "<a href=\"/relative\">相対</a> <a href=\"#top\">先頭</a>"
      "<!-- comment --><noscript>表示</noscript>");
  EXPECT_TRUE(html.parsed);
  EXPECT_EQ(html.text,
            "一\n二\n\n三\n\n  整形\n  済み\n\nhttps://example.jp/ x@example.jp 相対 先頭表示");
  EXPECT_EQ(html.links, 2);
}

TEST(MailHtmlTest, ScriptsAndHandlersAreCounted) {
  const mail::HtmlText html = mail::HtmlToText(
      "<html><head><script>alert(1)</script></head><body onload=\"steal()\">"
      "<p>x</p><div OnClick='y()'>y</div><iframe "
      "src='https://e.example/'>z</iframe></body></html>");
  EXPECT_EQ(html.text, "x\n\ny");
  EXPECT_EQ(html.scripts, 3);
  EXPECT_EQ(html.embedded_objects, 1);
}

TEST(MailHtmlTest, DeepNestingAndBrokenMarkupDoNotCrash) {
  std::string html;
  for (int i = 0; i < 5000; ++i) html += "<div><b>";
  html += "x<a href='https://a.example/'";
  EXPECT_NO_FATAL_FAILURE((void)mail::HtmlToText(html));
  EXPECT_TRUE(mail::HtmlToText("").text.empty());
}

TEST(MailHtmlTest, DefangUrls) {
  int count = 0;
  EXPECT_EQ(mail::DefangUrls("see https://www.example.jp/a.html.", &count),
            "see hxxps://www[.]example[.]jp/a.html.");
  EXPECT_EQ(mail::DefangUrls("HTTP://a.b:8080?x=1 and www.city.example.jp.", &count),
            "hxxp://a[.]b:8080?x=1 and www[.]city[.]example[.]jp.");
  EXPECT_EQ(mail::DefangUrls("ftp://f.example/x file://server/share", &count),
            "fxp://f[.]example/x fxle://server/share");
  EXPECT_EQ(mail::DefangUrls("abchttp://x.y swww.x", &count), "abchxxp://x[.]y swww.x");
  EXPECT_EQ(count, 6);
}

}  // namespace
}  // namespace mamori::sanitize
