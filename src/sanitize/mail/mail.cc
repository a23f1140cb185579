// Mail (3(2)① ア and ウ): a received RFC 5322 / MIME message is parsed with
// GMime, every body part decoded (base64, quoted-printable; ISO-2022-JP,
// Shift_JIS/CP932, EUC-JP, UTF-8 and whatever else iconv knows) and a NEW
// message written with GMime whose body is one text/plain UTF-8 part:
//
//   - text/plain parts converted to UTF-8; text/html converted to text with
//     libxml2's HTML parser (mail.h); multipart/alternative prefers text/plain;
//   - every URL made unclickable (hxxps://www[.]example[.]jp/, mail.h);
//   - attachments dropped (method ア, MailMethod::kTextOnly) or sanitized one
//     level deeper with Context::SanitizeChild and attached in their rebuilt
//     form (method ウ, kSanitizeAttachments); refused ones dropped;
//   - only From, To, Cc, Subject, Date, Message-ID, In-Reply-To and
//     References survive (decoded, then encoded again in UTF-8);
//   - a note in Japanese at the top of the body says what was removed or
//     changed.
//
// Nothing of the input's MIME structure is copied: the output is built from
// decoded values only, so a malformed header or boundary cannot survive.
#include "sanitize/mail/mail.h"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <climits>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/charset.h"
#include "sanitize/detect.h"
#include "sanitize/formats.h"

namespace mamori::sanitize {
namespace {

// Multipart levels inside one message. Real mail uses at most five or six
// (mixed > alternative > related > …); embedded messages are sanitized
// through SanitizeChild and count against Limits::max_depth instead.
constexpr int kMaxMimeNesting = 32;
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxUrlBytes = 2048;

void InitializeLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    xmlInitParser();
  });
}

// RAII for GObjects (GMime's messages, parts, streams, parsers).
struct GObjectUnref {
  void operator()(void* object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct ParserOptionsFree {
  void operator()(GMimeParserOptions* options) const { g_mime_parser_options_free(options); }
};
struct FormatOptionsFree {
  void operator()(GMimeFormatOptions* options) const { g_mime_format_options_free(options); }
};
struct ReferencesFree {
  void operator()(GMimeReferences* references) const { g_mime_references_free(references); }
};
struct GFree {
  void operator()(void* pointer) const { g_free(pointer); }
};
struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// `prefix` is lower case.
bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string Trim(std::string_view text) {
  while (!text.empty() && IsAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiSpace(text.back())) text.remove_suffix(1);
  return std::string(text);
}

// ---------------------------------------------------------------------------
// Charsets.

// Converts, replacing each byte iconv cannot take with U+FFFD; false when
// iconv does not know `from` at all.
bool ConvertLossy(std::string_view input, const char* from, std::string* output, int* replaced) {
  auto converter = Converter::Create("UTF-8", from);
  if (!converter.Ok()) return false;
  output->clear();
  std::string piece;
  while (!input.empty()) {
    std::size_t failed_at = 0;
    if (converter->Convert(input, &piece, &failed_at)) {
      *output += piece;
      break;
    }
    *output += piece;
    *output += "\xEF\xBF\xBD";
    ++*replaced;
    input.remove_prefix(std::min(input.size(), failed_at + 1));
  }
  return true;
}

// ISO-2022-JP as Windows writes it (CP50221): JIS X 0208 plus the NEC and
// IBM rows of CP932 (①, ㈱, Ⅰ, 髙 …), which glibc's ISO-2022-JP refuses.
// Rewritten as CP932 bytes (the JIS → Shift_JIS arithmetic), which iconv
// then reads. False on an escape sequence it does not know (JIS X 0212,
// JIS X 0213: left to glibc's ISO-2022-JP-2/-3).
bool Iso2022JpToCp932(std::string_view input, std::string* output) {
  enum class Mode : std::uint8_t { kAscii, kKana, kKanji };
  Mode mode = Mode::kAscii;
  output->clear();
  output->reserve(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    const auto byte = static_cast<unsigned char>(input[i]);
    if (byte == 0x1B) {
      const std::string_view rest = input.substr(i + 1, 3);
      if (rest.starts_with("(B") || rest.starts_with("(J")) {
        mode = Mode::kAscii;
        i += 2;
      } else if (rest.starts_with("(I")) {
        mode = Mode::kKana;
        i += 2;
      } else if (rest.starts_with("$B") || rest.starts_with("$@")) {
        mode = Mode::kKanji;
        i += 2;
      } else if (rest.starts_with("$(B") || rest.starts_with("$(@")) {
        mode = Mode::kKanji;
        i += 3;
      } else {
        return false;
      }
      continue;
    }
    if (byte >= 0x80) return false;
    if (byte < 0x21 || byte == 0x7F || mode == Mode::kAscii) {
      *output += static_cast<char>(byte);
      continue;
    }
    if (mode == Mode::kKana) {
      if (byte > 0x5F) return false;
      *output += static_cast<char>(byte + 0x80);
      continue;
    }
    if (i + 1 >= input.size()) return false;
    const auto second = static_cast<unsigned char>(input[i + 1]);
    if (second < 0x21 || second > 0x7E) return false;
    ++i;
    unsigned lead = ((byte - 0x21U) >> 1U) + 0x81U;
    if (lead > 0x9FU) lead += 0x40U;
    unsigned trail = 0;
    if ((byte & 1U) != 0) {
      trail = second + 0x1FU;
      if (trail >= 0x7FU) ++trail;
    } else {
      trail = second + 0x7EU;
    }
    *output += static_cast<char>(lead);
    *output += static_cast<char>(trail);
  }
  return true;
}

// The iconv names to try for a declared MIME charset, best first.
// "ISO-2022-JP-MS" is Iso2022JpToCp932 followed by CP932.
std::vector<std::string> Candidates(std::string_view declared, std::string_view bytes) {
  const std::string name = Lower(Trim(declared));
  std::vector<std::string> candidates;
  if (name == "iso-2022-jp" || name == "csiso2022jp" || name == "iso-2022-jp-2" ||
      name == "iso-2022-jp-3" || name == "iso-2022-jp-ms" || name == "cp50220" ||
      name == "cp50221" || name == "cp50222") {
    candidates = {"ISO-2022-JP-MS", "ISO-2022-JP-2", "ISO-2022-JP-3"};
  } else if (name == "shift_jis" || name == "shift-jis" || name == "sjis" || name == "x-sjis" ||
             name == "ms_kanji" || name == "csshiftjis" || name == "windows-31j" ||
             name == "cp932" || name == "ms932" || name == "x-ms-cp932" ||
             name == "shift_jisx0213") {
    // Windows writes CP932 and calls it Shift_JIS (①, ㈱, ～ …).
    candidates = {"CP932", "SHIFT_JISX0213"};
  } else if (name == "euc-jp" || name == "x-euc-jp" || name == "eucjp" || name == "euc-jp-ms" ||
             name == "cseucpkdfmtjapanese") {
    candidates = {"EUC-JP-MS", "EUC-JP"};
  } else if (name == "utf-8" || name == "utf8") {
    candidates = {"UTF-8"};
  } else if (!name.empty() && name != "us-ascii" && name != "ascii" && name.size() <= 40 &&
             std::all_of(name.begin(), name.end(), [](char c) {
               return IsAsciiAlnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
             })) {
    candidates = {name};
  }
  // Undeclared or wrongly declared: what Japanese senders actually write.
  if (bytes.find("\x1B$") != std::string_view::npos ||
      bytes.find("\x1B(") != std::string_view::npos) {
    candidates.emplace_back("ISO-2022-JP-MS");
    candidates.emplace_back("ISO-2022-JP-3");
  }
  for (const char* fallback : {"UTF-8", "CP932", "EUC-JP-MS"}) candidates.emplace_back(fallback);
  return candidates;
}

struct DecodedText {
  std::string text;
  std::string charset;  // the iconv name used ("UTF-8" when no conversion)
  int replaced = 0;     // bytes no candidate could convert
};

DecodedText DecodeCharset(std::string_view bytes, std::string_view declared) {
  DecodedText decoded;
  const std::vector<std::string> candidates = Candidates(declared, bytes);
  for (const auto& candidate : candidates) {
    if (candidate == "UTF-8") {
      if (IsValidUtf8(bytes)) {
        decoded.text = std::string(bytes);
        decoded.charset = "UTF-8";
        return decoded;
      }
      continue;
    }
    if (candidate == "ISO-2022-JP-MS") {
      std::string cp932;
      if (Iso2022JpToCp932(bytes, &cp932) && ConvertToUtf8(cp932, "CP932", &decoded.text)) {
        decoded.charset = "ISO-2022-JP";
        return decoded;
      }
      continue;
    }
    if (ConvertToUtf8(bytes, candidate.c_str(), &decoded.text)) {
      decoded.charset = candidate;
      return decoded;
    }
  }
  // Nothing converts everything: the first candidate iconv knows, with
  // U+FFFD for what it cannot read.
  for (const auto& candidate : candidates) {
    if (candidate == "ISO-2022-JP-MS") continue;
    if (ConvertLossy(bytes, candidate.c_str(), &decoded.text, &decoded.replaced)) {
      decoded.charset = candidate;
      return decoded;
    }
  }
  decoded.text.clear();
  decoded.charset = "UTF-8";
  return decoded;
}

// Line breaks to "\n", control characters other than tab and line breaks
// removed (counted), a leading BOM dropped. `text` is valid UTF-8.
std::string NormalizeText(std::string_view text, int* controls) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::string clean;
  clean.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r') {
      clean += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if ((byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7F) {
      ++*controls;
    } else {
      clean += c;
    }
  }
  return clean;
}

// Bidirectional controls (U+200E/F, U+202A–U+202E, U+2066–U+2069) make
// "invoice<U+202E>txt.exe" look like "invoiceexe.txt"; they are dropped from names.
bool IsBidiControl(std::string_view text, std::size_t at) {
  if (text.size() - at < 3 || text[at] != '\xE2') return false;
  const auto second = static_cast<unsigned char>(text[at + 1]);
  const auto third = static_cast<unsigned char>(text[at + 2]);
  if (second == 0x80) return third == 0x8E || third == 0x8F || (third >= 0xAA && third <= 0xAE);
  if (second == 0x81) return third >= 0xA6 && third <= 0xA9;
  return false;
}

// A file name fit to show and to pass on: UTF-8, no directories, no control
// or bidirectional characters, at most kMaxNameBytes.
std::string CleanName(std::string_view raw, std::string_view fallback) {
  std::string name;
  if (IsValidUtf8(raw)) {
    name = std::string(raw);
  } else {
    int replaced = 0;
    if (!ConvertLossy(raw, "UTF-8", &name, &replaced)) name.clear();
  }
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name.erase(0, slash + 1);
  std::string clean;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if (byte < 0x20 || byte == 0x7F) continue;
    if (IsBidiControl(name, i)) {
      i += 2;
      continue;
    }
    clean += name[i];
  }
  while (!clean.empty() && (clean.back() == ' ' || clean.back() == '.')) clean.pop_back();
  while (!clean.empty() && (clean.front() == ' ' || clean.front() == '.')) clean.erase(0, 1);
  if (clean.size() > kMaxNameBytes) {
    std::size_t cut = kMaxNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) --cut;
    clean.resize(cut);
  }
  return clean.empty() ? std::string(fallback) : clean;
}

// A decoded header value made safe for one line: valid UTF-8, no controls.
std::string CleanHeaderText(const char* value) {
  if (value == nullptr) return "";
  std::string text(value);
  if (!IsValidUtf8(text)) {
    std::string converted;
    int replaced = 0;
    text = ConvertLossy(text, "UTF-8", &converted, &replaced) ? converted : "";
  }
  std::string clean;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\t' || c == '\n' || c == '\r') {
      clean += ' ';
    } else if (byte >= 0x20 && byte != 0x7F) {
      clean += c;
    }
  }
  return clean;
}

// GMime decodes RFC 2047 words with glibc's iconv, which refuses the CP932
// rows (①, ㈱ …) Windows writes in ISO-2022-JP. A raw header whose encoded
// words are all ISO-2022-JP is decoded here instead, through DecodeCharset;
// false (and GMime's decoding is kept) for anything else.
bool DecodeIso2022JpHeader(std::string_view raw, std::string* decoded) {
  std::string out;
  std::string pending;  // bytes of adjacent encoded words, decoded together
  bool any = false;
  const auto flush = [&] {
    if (pending.empty()) return;
    out += DecodeCharset(pending, "iso-2022-jp").text;
    pending.clear();
  };
  std::size_t i = 0;
  std::string between;
  while (i < raw.size()) {
    const std::size_t start = raw.find("=?", i);
    if (start == std::string_view::npos) break;
    const std::size_t charset_end = raw.find('?', start + 2);
    if (charset_end == std::string_view::npos || charset_end + 2 >= raw.size() ||
        raw[charset_end + 2] != '?') {
      return false;
    }
    const std::size_t end = raw.find("?=", charset_end + 3);
    if (end == std::string_view::npos) return false;
    if (!StartsWithNoCase(raw.substr(start + 2, charset_end - start - 2), "iso-2022-jp")) {
      return false;
    }
    between = std::string(raw.substr(i, start - i));
    if (!any || !Trim(between).empty()) {
      flush();
      out += between;
    }
    const char encoding = raw[charset_end + 1];
    const std::string payload(raw.substr(charset_end + 3, end - charset_end - 3));
    if (encoding == 'B' || encoding == 'b') {
      gsize length = 0;
      guchar* bytes = g_base64_decode(payload.c_str(), &length);
      if (bytes != nullptr) pending.append(reinterpret_cast<const char*>(bytes), length);
      g_free(bytes);
    } else if (encoding == 'Q' || encoding == 'q') {
      for (std::size_t k = 0; k < payload.size(); ++k) {
        if (payload[k] == '_') {
          pending += ' ';
        } else if (payload[k] == '=' && k + 2 < payload.size() &&
                   g_ascii_isxdigit(payload[k + 1]) && g_ascii_isxdigit(payload[k + 2])) {
          pending += static_cast<char>(g_ascii_xdigit_value(payload[k + 1]) * 16 +
                                       g_ascii_xdigit_value(payload[k + 2]));
          k += 2;
        } else {
          pending += payload[k];
        }
      }
    } else {
      return false;
    }
    any = true;
    i = end + 2;
  }
  flush();
  out += std::string(raw.substr(std::min(i, raw.size())));
  if (!any) return false;
  *decoded = CleanHeaderText(Trim(out).c_str());
  return true;
}

// A message id without angle brackets, or "" when it is not one.
std::string CleanMessageId(const char* id) {
  if (id == nullptr) return "";
  const std::string_view text(id);
  if (text.empty() || text.size() > 250) return "";
  for (const char c : text) {
    if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>') return "";
  }
  return std::string(text);
}

// ---------------------------------------------------------------------------
// HTML to text.

class TextBuilder {
 public:
  void Text(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (IsAsciiSpace(c)) {
        pending_space_ = true;
      } else if (c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0') {  // &nbsp;
        pending_space_ = true;
        ++i;
      } else {
        if (pending_space_ && !out_.empty() && out_.back() != '\n') out_ += ' ';
        pending_space_ = false;
        out_ += c;
      }
    }
  }
  void Preformatted(std::string_view text) {
    int controls = 0;
    out_ += NormalizeText(text, &controls);
    pending_space_ = false;
  }
  void Space() { pending_space_ = true; }
  void LineBreak() {
    out_ += '\n';
    pending_space_ = false;
  }
  void BlockBreak() {
    pending_space_ = false;
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
  }
  void BlankLine() {
    BlockBreak();
    if (!out_.empty() && !out_.ends_with("\n\n")) out_ += '\n';
  }
  std::size_t Size() const { return out_.size(); }
  std::string_view Since(std::size_t offset) const {
    return std::string_view(out_).substr(std::min(offset, out_.size()));
  }

  // Trailing spaces removed from lines, at most one blank line in a row, no
  // blank lines at either end.
  std::string Take() {
    std::string result;
    std::size_t start = 0;
    int newlines = 0;
    while (start <= out_.size()) {
      std::size_t end = out_.find('\n', start);
      if (end == std::string::npos) end = out_.size();
      std::string_view line = std::string_view(out_).substr(start, end - start);
      while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
      if (line.empty()) {
        ++newlines;
      } else {
        if (!result.empty()) result.append(newlines > 1 ? "\n\n" : "\n");
        result += line;
        newlines = 1;
      }
      start = end + 1;
    }
    return result;
  }

 private:
  std::string out_;
  bool pending_space_ = false;
};

std::string_view NodeName(const xmlNode* node) {
  return node->name != nullptr ? std::string_view(reinterpret_cast<const char*>(node->name))
                               : std::string_view();
}

std::string Attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A URL fit to show: no whitespace or controls, at most kMaxUrlBytes.
std::string CleanUrl(std::string_view url) {
  std::string clean;
  for (const char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte > 0x20 && byte != 0x7F) clean += c;
  }
  if (clean.size() > kMaxUrlBytes) {
    std::size_t cut = kMaxUrlBytes;
    while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) --cut;
    clean.resize(cut);
    clean += "…";
  }
  return clean;
}

bool HasScheme(std::string_view url) {
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  return std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon),
                     [](char c) { return IsAsciiAlnum(c) || c == '+' || c == '-' || c == '.'; });
}

class HtmlWalker {
 public:
  HtmlWalker(mail::HtmlText* result, const Context* context) : result_(result), context_(context) {}

  void Walk(xmlNode* root) {
    xmlNode* node = root;
    std::size_t visited = 0;
    while (node != nullptr) {
      if (context_ != nullptr && ++visited % 1024 == 0 && context_->CheckTime() != Reason::kNone) {
        return;
      }
      if (Enter(node) && node->children != nullptr) {
        node = node->children;
        continue;
      }
      // Done with `node`: leave it, and every ancestor whose last child it is.
      while (true) {
        Leave(node);
        if (node == root) return;
        if (node->next != nullptr) {
          node = node->next;
          break;
        }
        node = node->parent;
        if (node == nullptr) return;
      }
    }
  }

  std::string Take() { return text_.Take(); }

 private:
  struct OpenLink {
    std::string href;
    std::size_t text_start;
  };

  // Returns false when the node's children are not to be visited.
  bool Enter(xmlNode* node) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      if (node->content != nullptr) {
        const std::string_view content(reinterpret_cast<const char*>(node->content));
        if (preformatted_ > 0) {
          text_.Preformatted(content);
        } else {
          text_.Text(content);
        }
      }
      return false;
    }
    if (node->type != XML_ELEMENT_NODE) return false;  // comments, PIs
    const std::string_view name = NodeName(node);
    for (const xmlAttr* attribute = node->properties; attribute != nullptr;
         attribute = attribute->next) {
      const std::string_view attribute_name =
          attribute->name != nullptr ? reinterpret_cast<const char*>(attribute->name) : "";
      if (StartsWithNoCase(attribute_name, "on")) ++result_->scripts;
    }
    if (name == "script") {
      ++result_->scripts;
      return false;
    }
    if (OneOf(name, {"iframe", "frame", "object", "embed", "applet"})) {
      ++result_->embedded_objects;
      return false;
    }
    // <head> itself is walked so that its scripts are counted; its title,
    // styles and links are skipped.
    if (OneOf(name, {"style", "title", "template", "svg", "math", "select", "textarea", "noembed",
                     "noframes", "param", "base", "meta", "link"})) {
      return false;
    }
    if (name == "br") {
      text_.LineBreak();
      return false;
    }
    if (name == "hr") {
      text_.BlockBreak();
      text_.Text("----------------------------------------");
      text_.BlockBreak();
      return false;
    }
    if (name == "img") {
      const std::string source = Lower(Trim(Attribute(node, "src")));
      if (source.starts_with("http:") || source.starts_with("https:") || source.starts_with("//")) {
        ++result_->remote_images;
      }
      const std::string alt = Trim(Attribute(node, "alt"));
      if (!alt.empty()) {
        text_.Space();
        text_.Text("[画像: " + alt + "]");
        text_.Space();
      }
      return false;
    }
    if (name == "a") {
      links_.push_back({Attribute(node, "href"), text_.Size()});
      return true;
    }
    if (name == "form") ++result_->forms;
    if (name == "pre" || name == "listing" || name == "xmp" || name == "plaintext") {
      text_.BlankLine();
      ++preformatted_;
      return true;
    }
    if (name == "li") {
      text_.BlockBreak();
      text_.Text("・");
      return true;
    }
    if (name == "td" || name == "th") {
      text_.Space();
      return true;
    }
    if (IsParagraph(name)) {
      text_.BlankLine();
    } else if (IsBlock(name)) {
      text_.BlockBreak();
    }
    return true;
  }

  void Leave(xmlNode* node) {
    if (node->type != XML_ELEMENT_NODE) return;
    const std::string_view name = NodeName(node);
    if (name == "a") {
      if (links_.empty()) return;
      OpenLink link = std::move(links_.back());
      links_.pop_back();
      ShowLink(link);
    } else if (name == "pre" || name == "listing" || name == "xmp" || name == "plaintext") {
      if (preformatted_ > 0) --preformatted_;
      text_.BlankLine();
    } else if (name == "td" || name == "th") {
      text_.Space();
    } else if (IsParagraph(name)) {
      text_.BlankLine();
    } else if (IsBlock(name) || name == "li") {
      text_.BlockBreak();
    }
  }

  void ShowLink(const OpenLink& link) {
    const std::string href = CleanUrl(Trim(link.href));
    if (href.empty()) return;
    const std::string lower = Lower(href);
    if (lower.starts_with("javascript:") || lower.starts_with("vbscript:") ||
        lower.starts_with("data:")) {
      ++result_->unsafe_links;
      return;
    }
    // Relative links and anchors point nowhere once the mail is text.
    if (!HasScheme(href) || lower.starts_with("cid:") || lower.starts_with("mid:")) return;
    ++result_->links;
    const std::string shown = Trim(text_.Since(link.text_start));
    std::string bare = href;
    if (lower.starts_with("mailto:")) bare = href.substr(7);
    if (shown == href || shown == bare || shown + "/" == href) return;
    text_.Space();
    text_.Text("[" + href + "]");
    text_.Space();
  }

  static bool IsParagraph(std::string_view name) {
    return OneOf(name, {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl",
                        "blockquote", "form", "address", "figure", "fieldset"});
  }
  static bool IsBlock(std::string_view name) {
    return OneOf(
        name, {"div",     "tr",      "dt",    "dd",     "section", "article",    "header", "footer",
               "nav",     "aside",   "main",  "center", "caption", "figcaption", "option", "legend",
               "details", "summary", "tbody", "thead",  "tfoot",   "body",       "html"});
  }

  mail::HtmlText* result_;
  const Context* context_;
  TextBuilder text_;
  std::vector<OpenLink> links_;
  int preformatted_ = 0;
};

// The charset a <meta> declares in the first bytes of an HTML body, for
// parts whose Content-Type names none.
std::string MetaCharset(std::string_view html) {
  const std::string head = Lower(html.substr(0, 4096));
  const std::size_t at = head.find("charset=");
  if (at == std::string::npos) return "";
  std::size_t start = at + 8;
  while (start < head.size() && (head[start] == '"' || head[start] == '\'')) ++start;
  std::size_t end = start;
  while (end < head.size() && (IsAsciiAlnum(head[end]) || head[end] == '-' || head[end] == '_')) {
    ++end;
  }
  return head.substr(start, end - start);
}

// ---------------------------------------------------------------------------
// The message.

enum class AttachmentKind : std::uint8_t { kFile, kInlineImage, kMessage };

struct Attachment {
  std::string name;
  std::string part;  // for the report: "attachment 2"
  AttachmentKind kind = AttachmentKind::kFile;
  GMimeObject* object = nullptr;  // owned by the parsed message
};

struct BodyText {
  std::string text;
  bool from_html = false;
};

std::string ContentType(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (type == nullptr) return "text/plain";
  const char* media = g_mime_content_type_get_media_type(type);
  const char* sub = g_mime_content_type_get_media_subtype(type);
  return Lower(std::string(media != nullptr ? media : "") + "/" + (sub != nullptr ? sub : ""));
}

std::string MimeTypeOf(FileType type) {
  switch (type) {
    case FileType::kPdf:
      return "application/pdf";
    case FileType::kDocx:
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case FileType::kDotx:
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.template";
    case FileType::kXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case FileType::kXltx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.template";
    case FileType::kPptx:
      return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    case FileType::kPotx:
      return "application/vnd.openxmlformats-officedocument.presentationml.template";
    case FileType::kPpsx:
      return "application/vnd.openxmlformats-officedocument.presentationml.slideshow";
    case FileType::kRtf:
      return "application/rtf";
    case FileType::kJpeg:
      return "image/jpeg";
    case FileType::kPng:
      return "image/png";
    case FileType::kGif:
      return "image/gif";
    case FileType::kBmp:
      return "image/bmp";
    case FileType::kTiff:
      return "image/tiff";
    case FileType::kWebp:
      return "image/webp";
    case FileType::kZip:
      return "application/zip";
    case FileType::kLzh:
      return "application/x-lzh-compressed";
    case FileType::kTar:
      return "application/x-tar";
    case FileType::kGzip:
      return "application/gzip";
    case FileType::kSevenZip:
      return "application/x-7z-compressed";
    case FileType::kRar:
      return "application/vnd.rar";
    case FileType::kText:
      return "text/plain";
    case FileType::kCsv:
      return "text/csv";
    default:
      return "application/octet-stream";
  }
}

// The upper bound of a part's decoded size: base64, quoted-printable and
// uuencode only shrink.
std::size_t EncodedSize(GMimeDataWrapper* content, std::size_t fallback) {
  GMimeStream* stream = g_mime_data_wrapper_get_stream(content);
  if (stream == nullptr) return 0;
  const gint64 length = g_mime_stream_length(stream);
  return length < 0 ? fallback : static_cast<std::size_t>(length);
}

class MailSanitizer {
 public:
  MailSanitizer(std::string_view input, Context& context) : input_(input), context_(context) {}

  FormatResult Run();

 private:
  bool Fail(Reason reason, std::string detail) {
    if (failure_ == Reason::kNone) {
      failure_ = reason;
      failure_detail_ = std::move(detail);
    }
    return false;
  }
  std::string NextPartName() { return "part " + std::to_string(++part_number_); }

  bool Walk(GMimeObject* object, int nesting, bool inline_resource);
  bool WalkAlternative(GMimeMultipart* multipart, int nesting);
  bool WalkLeaf(GMimePart* part, bool inline_resource);
  bool AddBody(GMimePart* part, bool html);
  bool Decode(GMimePart* part, std::string* bytes);
  bool Serialize(GMimeMessage* message, std::string* bytes);
  void AddAttachment(GMimeObject* object, const std::string& raw_name, AttachmentKind kind);

  void CopyHeaders(GMimeMessage* from, GMimeMessage* to, GMimeParserOptions* options);
  bool AttachSanitized(GMimeMultipart* mixed);
  std::string Note() const;

  std::string_view input_;
  Context& context_;
  FormatResult result_;
  Reason failure_ = Reason::kNone;
  std::string failure_detail_;

  int parts_ = 0;
  int part_number_ = 0;
  std::vector<BodyText> bodies_;
  std::vector<Attachment> attachments_;
  std::set<std::string> charsets_;  // converted from, for the note
  int html_parts_ = 0;
  mail::HtmlText html_totals_;
  int urls_defanged_ = 0;
  int controls_removed_ = 0;
  int replaced_bytes_ = 0;
  int html_alternatives_dropped_ = 0;
  int signatures_dropped_ = 0;
  int encrypted_dropped_ = 0;
  int other_dropped_ = 0;

  // Method ウ, filled by AttachSanitized.
  std::vector<std::string> attached_;  // "請求書.docm → 請求書.docx"
  std::vector<std::string> refused_;   // "old.doc — 理由"
};

bool MailSanitizer::Walk(GMimeObject* object, int nesting, bool inline_resource) {
  if (const Reason reason = context_.CheckTime(); reason != Reason::kNone) {
    return Fail(reason, "time limit reached while walking the MIME tree");
  }
  if (static_cast<std::size_t>(++parts_) > context_.GetLimits().max_entries) {
    return Fail(Reason::kTooManyEntries,
                "more than " + std::to_string(context_.GetLimits().max_entries) + " MIME parts");
  }
  if (nesting > kMaxMimeNesting) {
    return Fail(Reason::kTooDeep,
                "multipart nesting deeper than " + std::to_string(kMaxMimeNesting));
  }
  if (GMIME_IS_MESSAGE_PART(object)) {
    const char* name = g_mime_object_get_content_disposition_parameter(object, "filename");
    if (name == nullptr) name = g_mime_object_get_content_type_parameter(object, "name");
    std::string raw = name != nullptr ? name : "";
    GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (raw.empty() && message != nullptr) {
      const std::string subject = CleanHeaderText(g_mime_message_get_subject(message));
      if (!subject.empty()) raw = subject + ".eml";
    }
    AddAttachment(object, raw, AttachmentKind::kMessage);
    return true;
  }
  if (GMIME_IS_MULTIPART_ENCRYPTED(object)) {
    ++encrypted_dropped_;
    result_.Remove(NextPartName(), "encrypted_part");
    return true;
  }
  if (GMIME_IS_MULTIPART_SIGNED(object)) {
    // The signature cannot hold for a rewritten message: the content is
    // kept, the signature dropped.
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    const int count = g_mime_multipart_get_count(multipart);
    if (count > 0 && !Walk(g_mime_multipart_get_part(multipart, 0), nesting + 1, false)) {
      return false;
    }
    ++signatures_dropped_;
    result_.Remove(NextPartName(), "signature");
    return true;
  }
  if (GMIME_IS_MULTIPART(object)) {
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    const std::string type = ContentType(object);
    if (type == "multipart/alternative") return WalkAlternative(multipart, nesting);
    const bool related = type == "multipart/related";
    const int count = g_mime_multipart_get_count(multipart);
    for (int i = 0; i < count; ++i) {
      // In multipart/related the first part is the body, the others are
      // the images and styles it refers to.
      if (!Walk(g_mime_multipart_get_part(multipart, i), nesting + 1,
                inline_resource || (related && i > 0))) {
        return false;
      }
    }
    return true;
  }
  if (GMIME_IS_PART(object)) return WalkLeaf(GMIME_PART(object), inline_resource);
  ++other_dropped_;
  result_.Remove(NextPartName(), "unknown_part");
  return true;
}

bool MailSanitizer::WalkAlternative(GMimeMultipart* multipart, int nesting) {
  const int count = g_mime_multipart_get_count(multipart);
  int chosen = -1;
  for (const std::string_view wanted : {"text/plain", "text/html"}) {
    for (int i = 0; i < count && chosen < 0; ++i) {
      GMimeObject* child = g_mime_multipart_get_part(multipart, i);
      if (GMIME_IS_PART(child) && ContentType(child) == wanted &&
          !g_mime_part_is_attachment(GMIME_PART(child))) {
        chosen = i;
      }
    }
  }
  for (int i = 0; i < count && chosen < 0; ++i) {
    if (GMIME_IS_MULTIPART(g_mime_multipart_get_part(multipart, i))) chosen = i;
  }
  if (chosen < 0 && count > 0) chosen = 0;
  for (int i = 0; i < count; ++i) {
    GMimeObject* child = g_mime_multipart_get_part(multipart, i);
    if (i == chosen) {
      if (!Walk(child, nesting + 1, false)) return false;
      continue;
    }
    const std::string type = ContentType(child);
    if (type == "text/html" || type == "multipart/related") {
      ++html_alternatives_dropped_;
      result_.Remove(NextPartName(), "html_alternative");
    } else {
      ++other_dropped_;
      result_.Remove(NextPartName(), "alternative_part");
    }
  }
  return true;
}

bool MailSanitizer::WalkLeaf(GMimePart* part, bool inline_resource) {
  GMimeObject* object = GMIME_OBJECT(part);
  const std::string type = ContentType(object);
  if (type == "message/partial" || type == "message/external-body") {
    ++other_dropped_;
    result_.Remove(NextPartName(), type == "message/partial" ? "partial_message" : "external_body");
    return true;
  }
  const char* filename = g_mime_part_get_filename(part);
  const bool text = type == "text/plain" || type == "text/html";
  if (text && !inline_resource && filename == nullptr && !g_mime_part_is_attachment(part)) {
    return AddBody(part, type == "text/html");
  }
  const bool image = type.starts_with("image/");
  AddAttachment(object, filename != nullptr ? filename : "",
                inline_resource && image ? AttachmentKind::kInlineImage : AttachmentKind::kFile);
  return true;
}

bool MailSanitizer::Decode(GMimePart* part, std::string* bytes) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  bytes->clear();
  if (content == nullptr) return true;
  const std::size_t bound = EncodedSize(content, input_.size());
  if (const Reason reason = context_.CheckAllocation(bound); reason != Reason::kNone) {
    return Fail(reason, "a MIME part of " + std::to_string(bound) + " bytes");
  }
  if (const Reason reason = context_.ChargeExpanded(bound); reason != Reason::kNone) {
    return Fail(reason, "decoded MIME parts over the expansion budget");
  }
  GPtr<GMimeStream> stream(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, stream.get()) < 0) {
    return Fail(Reason::kMalformed, "a MIME part could not be decoded");
  }
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
  if (array != nullptr && array->len > 0) {
    bytes->assign(reinterpret_cast<const char*>(array->data), array->len);
  }
  return true;
}

bool MailSanitizer::AddBody(GMimePart* part, bool html) {
  std::string bytes;
  if (!Decode(part, &bytes)) return false;
  const char* declared = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  std::string charset = declared != nullptr ? declared : "";
  if (html && charset.empty()) charset = MetaCharset(bytes);
  DecodedText decoded = DecodeCharset(bytes, charset);
  bytes.clear();
  bytes.shrink_to_fit();
  if (decoded.charset != "UTF-8") charsets_.insert(decoded.charset);
  replaced_bytes_ += decoded.replaced;
  BodyText body;
  body.from_html = html;
  if (html) {
    ++html_parts_;
    const mail::HtmlText converted = mail::HtmlToText(decoded.text, &context_);
    if (const Reason reason = context_.CheckTime(); reason != Reason::kNone) {
      return Fail(reason, "time limit reached while converting HTML");
    }
    html_totals_.scripts += converted.scripts;
    html_totals_.links += converted.links;
    html_totals_.unsafe_links += converted.unsafe_links;
    html_totals_.remote_images += converted.remote_images;
    html_totals_.embedded_objects += converted.embedded_objects;
    html_totals_.forms += converted.forms;
    body.text = NormalizeText(converted.text, &controls_removed_);
  } else {
    body.text = NormalizeText(decoded.text, &controls_removed_);
  }
  body.text = mail::DefangUrls(body.text, &urls_defanged_);
  bodies_.push_back(std::move(body));
  return true;
}

// A parsed message written out again (for SanitizeChild); its size is
// measured on a null stream first so that it is charged before it exists.
bool MailSanitizer::Serialize(GMimeMessage* message, std::string* bytes) {
  GPtr<GMimeStream> counter(g_mime_stream_null_new());
  const ssize_t size = g_mime_object_write_to_stream(GMIME_OBJECT(message), nullptr, counter.get());
  if (size < 0) return Fail(Reason::kMalformed, "an attached message could not be written");
  const auto length = static_cast<std::size_t>(size);
  if (const Reason reason = context_.CheckAllocation(length); reason != Reason::kNone) {
    return Fail(reason, "an attached message of " + std::to_string(length) + " bytes");
  }
  if (const Reason reason = context_.ChargeExpanded(length); reason != Reason::kNone) {
    return Fail(reason, "attached messages over the expansion budget");
  }
  GPtr<GMimeStream> stream(g_mime_stream_mem_new());
  if (g_mime_object_write_to_stream(GMIME_OBJECT(message), nullptr, stream.get()) < 0) {
    return Fail(Reason::kMalformed, "an attached message could not be written");
  }
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
  bytes->clear();
  if (array != nullptr) bytes->assign(reinterpret_cast<const char*>(array->data), array->len);
  return true;
}

void MailSanitizer::AddAttachment(GMimeObject* object, const std::string& raw_name,
                                  AttachmentKind kind) {
  Attachment attachment;
  attachment.part = "attachment " + std::to_string(attachments_.size() + 1);
  const std::string fallback = "attachment-" + std::to_string(attachments_.size() + 1) +
                               (kind == AttachmentKind::kMessage ? ".eml" : "");
  attachment.name = CleanName(raw_name, fallback);
  attachment.kind = kind;
  attachment.object = object;
  attachments_.push_back(std::move(attachment));
}

// New addresses from the decoded names and addresses, so that display names
// are written again in UTF-8 (GMime would keep the sender's charset).
void CopyAddresses(InternetAddressList* source, InternetAddressList* target, int nesting) {
  if (source == nullptr || target == nullptr) return;
  const int count = std::min(internet_address_list_length(source), 1000);
  for (int i = 0; i < count; ++i) {
    InternetAddress* address = internet_address_list_get_address(source, i);
    const std::string name = CleanHeaderText(internet_address_get_name(address));
    GPtr<InternetAddress> copy;
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      const std::string addr =
          CleanHeaderText(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)));
      copy.reset(internet_address_mailbox_new(name.empty() ? nullptr : name.c_str(), addr.c_str()));
    } else if (INTERNET_ADDRESS_IS_GROUP(address) && nesting == 0) {
      copy.reset(internet_address_group_new(name.c_str()));
      GPtr<InternetAddressList> members(internet_address_list_new());
      CopyAddresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)),
                    members.get(), nesting + 1);
      internet_address_group_set_members(INTERNET_ADDRESS_GROUP(copy.get()), members.get());
    } else {
      continue;
    }
    internet_address_set_charset(copy.get(), "UTF-8");
    internet_address_list_add(target, copy.get());
  }
}

void MailSanitizer::CopyHeaders(GMimeMessage* from, GMimeMessage* to, GMimeParserOptions* options) {
  for (const GMimeAddressType type :
       {GMIME_ADDRESS_TYPE_FROM, GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC}) {
    CopyAddresses(g_mime_message_get_addresses(from, type), g_mime_message_get_addresses(to, type),
                  0);
  }
  std::string subject = CleanHeaderText(g_mime_message_get_subject(from));
  GMimeHeader* raw_subject =
      g_mime_header_list_get_header(g_mime_object_get_header_list(GMIME_OBJECT(from)), "Subject");
  if (raw_subject != nullptr && g_mime_header_get_raw_value(raw_subject) != nullptr) {
    std::string decoded;
    if (DecodeIso2022JpHeader(g_mime_header_get_raw_value(raw_subject), &decoded)) {
      subject = decoded;
    }
  }
  if (!subject.empty()) g_mime_message_set_subject(to, subject.c_str(), "UTF-8");
  if (GDateTime* date = g_mime_message_get_date(from); date != nullptr) {
    g_mime_message_set_date(to, date);
  }
  const std::string id = CleanMessageId(g_mime_message_get_message_id(from));
  if (!id.empty()) g_mime_message_set_message_id(to, id.c_str());
  for (const char* name : {"In-Reply-To", "References"}) {
    const char* value = g_mime_object_get_header(GMIME_OBJECT(from), name);
    if (value == nullptr) continue;
    std::unique_ptr<GMimeReferences, ReferencesFree> references(
        g_mime_references_parse(options, value));
    if (references == nullptr) continue;
    std::string kept;
    const int count = std::min(g_mime_references_length(references.get()), 100);
    for (int i = 0; i < count; ++i) {
      const std::string reference =
          CleanMessageId(g_mime_references_get_message_id(references.get(), i));
      if (reference.empty()) continue;
      if (!kept.empty()) kept += ' ';
      kept += "<" + reference + ">";
    }
    if (!kept.empty()) g_mime_object_set_header(GMIME_OBJECT(to), name, kept.c_str(), nullptr);
  }

  // Everything else is dropped; the MIME headers of the body are rebuilt.
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(from));
  const int count = headers != nullptr ? g_mime_header_list_get_count(headers) : 0;
  int dropped = 0;
  static constexpr std::array<std::string_view, 9> kKept = {
      "from",       "to",          "cc",         "subject",     "date",
      "message-id", "in-reply-to", "references", "mime-version"};
  for (int i = 0; i < count; ++i) {
    GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
    const char* raw = header != nullptr ? g_mime_header_get_name(header) : nullptr;
    const std::string name = Lower(raw != nullptr ? raw : "");
    if (name.starts_with("content-")) continue;
    if (std::find(kKept.begin(), kKept.end(), name) == kKept.end()) ++dropped;
  }
  if (dropped > 0) result_.Remove("headers", "header", dropped);
}

bool MailSanitizer::AttachSanitized(GMimeMultipart* mixed) {
  for (const Attachment& attachment : attachments_) {
    if (const Reason reason = context_.CheckTime(); reason != Reason::kNone) {
      return Fail(reason, "time limit reached while sanitizing attachments");
    }
    std::string bytes;
    if (attachment.kind == AttachmentKind::kMessage) {
      GMimeMessage* message =
          g_mime_message_part_get_message(GMIME_MESSAGE_PART(attachment.object));
      if (message != nullptr && !Serialize(message, &bytes)) return false;
    } else if (!Decode(GMIME_PART(attachment.object), &bytes)) {
      return false;
    }
    Outcome outcome = context_.SanitizeChild(bytes, attachment.name);
    bytes.clear();
    bytes.shrink_to_fit();
    const Report& report = outcome.report;
    if (report.verdict == Verdict::kRefused) {
      result_.Remove(attachment.part + ": " + attachment.name, "refused_attachment");
      refused_.push_back(attachment.name + " — " + ReasonMessageJa(report.reason));
      result_.children.push_back(std::move(outcome.report));
      continue;
    }
    const std::string& name = report.output_name;
    const FileType type = TypeFromName(name);
    if (type == FileType::kMail) {
      GPtr<GMimeStream> stream(
          g_mime_stream_mem_new_with_buffer(outcome.output.data(), outcome.output.size()));
      GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
      GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
      if (message == nullptr) return Fail(Reason::kMalformed, "a sanitized message did not parse");
      GPtr<GMimeMessagePart> part(g_mime_message_part_new_with_message("rfc822", message.get()));
      g_mime_object_set_disposition(GMIME_OBJECT(part.get()), "attachment");
      g_mime_object_set_content_disposition_parameter(GMIME_OBJECT(part.get()), "filename",
                                                      name.c_str());
      g_mime_multipart_add(mixed, GMIME_OBJECT(part.get()));
    } else {
      const std::string mime = MimeTypeOf(type);
      const std::size_t slash = mime.find('/');
      GPtr<GMimePart> part(
          g_mime_part_new_with_type(mime.substr(0, slash).c_str(), mime.substr(slash + 1).c_str()));
      if (type == FileType::kText || type == FileType::kCsv) {
        g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", "UTF-8");
      }
      GPtr<GMimeStream> stream(
          g_mime_stream_mem_new_with_buffer(outcome.output.data(), outcome.output.size()));
      GPtr<GMimeDataWrapper> content(
          g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
      g_mime_part_set_content(part.get(), content.get());
      g_mime_object_set_disposition(GMIME_OBJECT(part.get()), "attachment");
      g_mime_part_set_filename(part.get(), name.c_str());
      g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
      g_mime_multipart_add(mixed, GMIME_OBJECT(part.get()));
    }
    attached_.push_back(attachment.name == name ? name : attachment.name + " → " + name);
    result_.children.push_back(std::move(outcome.report));
  }
  return true;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

std::string MailSanitizer::Note() const {
  std::vector<std::string> lines;
  const bool text_only =
      context_.GetSettings().mail_method == MailMethod::kTextOnly;
  std::vector<std::string> files;
  std::vector<std::string> images;
  for (const auto& attachment : attachments_) {
    (attachment.kind == AttachmentKind::kInlineImage ? images : files).push_back(attachment.name);
  }
  if (text_only) {
    if (!files.empty()) {
      lines.push_back("削除: 添付ファイル " + std::to_string(files.size()) + " 件（" +
                      JoinNames(files) + "）");
    }
    if (!images.empty()) {
      lines.push_back("削除: 本文中の画像 " + std::to_string(images.size()) + " 件（" +
                      JoinNames(images) + "）");
    }
  } else {
    if (!attached_.empty()) {
      lines.push_back("無害化して添付: " + std::to_string(attached_.size()) + " 件（" +
                      JoinNames(attached_) + "）");
    }
    for (const auto& refused : refused_) lines.push_back("削除（無害化できないため）: " + refused);
  }
  if (html_parts_ > 0) {
    std::string line = "HTML をテキストに変換";
    std::vector<std::string> details;
    if (html_totals_.scripts > 0) {
      details.push_back("スクリプト " + std::to_string(html_totals_.scripts) + " 件を削除");
    }
    if (html_totals_.links > 0) {
      details.push_back("リンク " + std::to_string(html_totals_.links) + " 件を文字で表示");
    }
    if (html_totals_.unsafe_links > 0) {
      details.push_back("危険なリンク " + std::to_string(html_totals_.unsafe_links) + " 件を削除");
    }
    if (html_totals_.remote_images > 0) {
      details.push_back("外部画像 " + std::to_string(html_totals_.remote_images) + " 件を削除");
    }
    if (html_totals_.embedded_objects > 0) {
      details.push_back("埋め込みオブジェクト " + std::to_string(html_totals_.embedded_objects) +
                        " 件を削除");
    }
    if (html_totals_.forms > 0) {
      details.push_back("入力フォーム " + std::to_string(html_totals_.forms) + " 件を削除");
    }
    if (!details.empty()) line += "（" + JoinNames(details) + "）";
    lines.push_back(line);
  }
  if (html_alternatives_dropped_ > 0) {
    lines.push_back("HTML 版の本文を削除し、テキスト版の本文を使用");
  }
  if (urls_defanged_ > 0) {
    lines.push_back("URL " + std::to_string(urls_defanged_) +
                    " 件をクリックできない形に変更（hxxp は http、[.] は . と読み替えてください）");
  }
  if (signatures_dropped_ > 0) lines.push_back("削除: 電子署名（メールを作り直したため無効）");
  if (encrypted_dropped_ > 0) {
    lines.push_back("削除: 暗号化された部分 " + std::to_string(encrypted_dropped_) +
                    " 件（中身を検査できないため）");
  }
  if (other_dropped_ > 0) {
    lines.push_back("削除: その他の部分 " + std::to_string(other_dropped_) + " 件");
  }
  if (!charsets_.empty()) {
    std::vector<std::string> names(charsets_.begin(), charsets_.end());
    for (auto& name : names) {
      if (name == "CP932") name = "Shift_JIS";
      if (name == "EUC-JP-MS") name = "EUC-JP";
      if (name.starts_with("ISO-2022-JP")) name = "ISO-2022-JP";
    }
    lines.push_back("文字コードを UTF-8 に変換（" + JoinNames(names) + "）");
  }
  if (replaced_bytes_ > 0) {
    lines.push_back("読めない文字 " + std::to_string(replaced_bytes_) +
                    " 個を「"
                    "\xEF\xBF\xBD"
                    "」に置換");
  }
  if (controls_removed_ > 0) {
    lines.push_back("制御文字 " + std::to_string(controls_removed_) + " 個を削除");
  }
  std::string note = "【無害化】このメールはインターネットから受信したため無害化されました。\n";
  for (const auto& line : lines) note += "・" + line + "\n";
  note += "------------------------------------------------------------\n\n";
  return note;
}

FormatResult MailSanitizer::Run() {
  // Every Content-Type line may open a nested multipart, which GMime parses
  // recursively: count them before GMime sees the input.
  std::size_t declared_parts = 0;
  for (std::size_t at = 0; at < input_.size();) {
    if (StartsWithNoCase(input_.substr(at, 13), "content-type:")) ++declared_parts;
    const std::size_t newline = input_.find('\n', at);
    if (newline == std::string_view::npos) break;
    at = newline + 1;
  }
  if (declared_parts > context_.GetLimits().max_entries + 1) {
    return Refuse(Reason::kTooManyEntries, std::to_string(declared_parts) +
                                               " Content-Type headers, more than " +
                                               std::to_string(context_.GetLimits().max_entries));
  }
  if (const Reason reason = context_.ChargeExpanded(input_.size()); reason != Reason::kNone) {
    return Refuse(reason, "mail larger than the expansion budget");
  }

  std::unique_ptr<GMimeParserOptions, ParserOptionsFree> options(g_mime_parser_options_new());
  // Raw 8-bit headers (no RFC 2047) are read as these, in this order.
  const char* fallback_charsets[] = {"UTF-8", "CP932", "EUC-JP", nullptr};
  g_mime_parser_options_set_fallback_charsets(options.get(), fallback_charsets);
  g_mime_parser_options_set_rfc2047_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);

  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(input_.data(), input_.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options.get()));
  if (message == nullptr) return Refuse(Reason::kMalformed, "GMime could not parse the message");
  if (const Reason reason = context_.CheckTime(); reason != Reason::kNone) {
    return Refuse(reason, "time limit reached while parsing the message");
  }

  GMimeObject* root = g_mime_message_get_mime_part(message.get());
  if (root != nullptr && !Walk(root, 0, false)) return Refuse(failure_, failure_detail_);

  GPtr<GMimeMessage> output(g_mime_message_new(FALSE));
  CopyHeaders(message.get(), output.get(), options.get());
  const bool text_only =
      context_.GetSettings().mail_method == MailMethod::kTextOnly;
  g_mime_object_set_header(GMIME_OBJECT(output.get()), "X-Mamori-Sanitized",
                           text_only ? "text-only" : "attachments-sanitized", nullptr);

  GPtr<GMimeMultipart> mixed;
  if (text_only) {
    for (const auto& attachment : attachments_) {
      result_.Remove(
          attachment.part + ": " + attachment.name,
          attachment.kind == AttachmentKind::kInlineImage ? "inline_image" : "attachment");
    }
  } else if (!attachments_.empty()) {
    mixed.reset(g_mime_multipart_new_with_subtype("mixed"));
    if (!AttachSanitized(mixed.get())) return Refuse(failure_, failure_detail_);
  }

  for (const auto& body : bodies_) {
    if (body.from_html) result_.Remove("body", "html_markup");
  }
  if (html_totals_.scripts > 0) result_.Remove("body/html", "script", html_totals_.scripts);
  if (html_totals_.unsafe_links > 0) {
    result_.Remove("body/html", "script_link", html_totals_.unsafe_links);
  }
  if (html_totals_.links > 0) result_.Remove("body/html", "hyperlink", html_totals_.links);
  if (html_totals_.remote_images > 0) {
    result_.Remove("body/html", "remote_image", html_totals_.remote_images);
  }
  if (html_totals_.embedded_objects > 0) {
    result_.Remove("body/html", "embedded_object", html_totals_.embedded_objects);
  }
  if (html_totals_.forms > 0) result_.Remove("body/html", "form", html_totals_.forms);
  if (urls_defanged_ > 0) result_.Remove("body", "clickable_url", urls_defanged_);
  if (controls_removed_ > 0) result_.Remove("body", "control_characters", controls_removed_);

  std::string text = Note();
  {
    // The note's lines, without the heading and the rule, go to the report.
    std::size_t start = text.find('\n') + 1;
    for (std::size_t end = text.find('\n', start); end != std::string::npos;
         end = text.find('\n', start)) {
      const std::string_view line = std::string_view(text).substr(start, end - start);
      if (line.starts_with("・")) result_.notes_ja.emplace_back(line.substr(3));
      start = end + 1;
    }
  }
  std::string body;
  for (const auto& part : bodies_) {
    if (Trim(part.text).empty()) continue;
    if (!body.empty()) body += "\n\n";
    body += part.text;
  }
  while (!body.empty() && body.back() == '\n') body.pop_back();
  text += body.empty() ? "（本文はありません）\n" : body + "\n";

  GPtr<GMimeTextPart> text_part(g_mime_text_part_new_with_subtype("plain"));
  g_mime_text_part_set_text(text_part.get(), text.c_str());
  g_mime_text_part_set_charset(text_part.get(), "UTF-8");
  g_mime_part_set_content_encoding(GMIME_PART(text_part.get()), GMIME_CONTENT_ENCODING_BASE64);
  if (mixed != nullptr) {
    g_mime_multipart_insert(mixed.get(), 0, GMIME_OBJECT(text_part.get()));
    g_mime_message_set_mime_part(output.get(), GMIME_OBJECT(mixed.get()));
  } else {
    g_mime_message_set_mime_part(output.get(), GMIME_OBJECT(text_part.get()));
  }

  GPtr<GMimeStream> written(g_mime_stream_mem_new());
  std::unique_ptr<GMimeFormatOptions, FormatOptionsFree> format(g_mime_format_options_new());
  if (g_mime_object_write_to_stream(GMIME_OBJECT(output.get()), format.get(), written.get()) < 0) {
    return Refuse(Reason::kMalformed, "GMime could not write the sanitized message");
  }
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(written.get()));
  if (array != nullptr)
    result_.output.assign(reinterpret_cast<const char*>(array->data), array->len);
  result_.output_type = FileType::kMail;
  return std::move(result_);
}

}  // namespace

namespace mail {

HtmlText HtmlToText(std::string_view utf8_html, const Context* context) {
  InitializeLibraries();
  HtmlText result;
  if (utf8_html.size() > static_cast<std::size_t>(INT_MAX)) return result;
  if (Trim(utf8_html).empty()) {
    result.parsed = true;
    return result;
  }
  std::unique_ptr<xmlDoc, XmlDocFree> doc(
      htmlReadMemory(utf8_html.data(), static_cast<int>(utf8_html.size()), nullptr, "UTF-8",
                     HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING));
  if (doc == nullptr) return result;
  result.parsed = true;
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return result;
  HtmlWalker walker(&result, context);
  walker.Walk(root);
  result.text = walker.Take();
  return result;
}

std::string DefangUrls(std::string_view text, int* count) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kSchemes = {{
      {"https://", "hxxps://"},
      {"http://", "hxxp://"},
      {"ftp://", "fxp://"},
      {"file://", "fxle://"},
  }};
  const auto host_char = [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7F &&
           std::string_view("/?#<>\"'()[]{}|\\^`").find(c) == std::string_view::npos;
  };
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t i = 0;
  while (i < text.size()) {
    // A scheme is broken wherever it appears (a client may link "xhttp://"
    // from the "http"); "www." only at the start of a word.
    std::size_t host_start = std::string_view::npos;
    for (const auto& [scheme, broken] : kSchemes) {
      if (StartsWithNoCase(text.substr(i, scheme.size()), scheme)) {
        out += broken;
        host_start = i + scheme.size();
        break;
      }
    }
    const bool boundary = i == 0 || (!IsAsciiAlnum(text[i - 1]) && text[i - 1] != '.');
    if (host_start == std::string_view::npos && boundary &&
        StartsWithNoCase(text.substr(i, 4), "www.") && i + 4 < text.size() &&
        host_char(text[i + 4])) {
      host_start = i;
    }
    if (host_start == std::string_view::npos) {
      out += text[i++];
      continue;
    }
    ++*count;
    std::size_t end = host_start;
    while (end < text.size() && host_char(text[end])) ++end;
    // A dot that ends a sentence is not part of the host.
    std::size_t last = end;
    while (last > host_start && text[last - 1] == '.') --last;
    for (std::size_t k = host_start; k < last; ++k) {
      if (text[k] == '.') {
        out += "[.]";
      } else {
        out += text[k];
      }
    }
    out.append(text.substr(last, end - last));
    i = end;
  }
  return out;
}

}  // namespace mail

FormatResult SanitizeMail(std::string_view input, FileType /*type*/, Context& context) {
  InitializeLibraries();
  MailSanitizer sanitizer(input, context);
  return sanitizer.Run();
}

}  // namespace mamori::sanitize
