// 無害化 (3(2)① ウ, ア): bytes from the internet segment in, rebuilt bytes and
// a report out — or a refusal with a reason. One entry point for every
// format; the type comes from the content, never from the file name.
//
//   const auto settings = sanitize::SettingsFromProfile(profile.sanitize);
//   const sanitize::Outcome outcome = sanitize::Sanitize(bytes, "report.pdf", settings);
//   if (outcome.report.verdict == Verdict::kRefused) ... quarantine ...
//   else write outcome.output
//
// Pure: no I/O, no logging, no clock other than the deadline it is given.
// Formats live in one folder each (pdf/, ooxml/, rtf/, image/, archive/,
// mail/, text/) behind the dispatcher in sanitize.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>


// This header is C++17 so that the PDF sanitizer can be compiled as C++17
// under clang (qpdf 11.3's headers do not compile as C++20 with clang).
namespace mamori::policy {
struct SanitizeSettings;
}

namespace mamori::sanitize {

// ア: mail is turned into text and only the body is forwarded (attachments
// dropped); ウ: attachments are sanitized and kept (3(2)①).
enum class MailMethod { kTextOnly, kSanitizeAttachments };

// What every run is limited to (the profile's [sanitize], 3(2)①).
struct Limits {
  std::size_t max_input_bytes = std::size_t{100} << 20;
  std::size_t max_expanded_bytes = std::size_t{500} << 20;  // all parts unpacked from one input
  std::size_t max_expansion_ratio = 100;                    // expanded / input
  int max_depth = 5;                                        // containers inside containers
  std::chrono::milliseconds max_time{30000};
  std::size_t max_memory_bytes = std::size_t{512} << 20;    // largest single buffer we allocate
  std::uint64_t max_pixels = 100'000'000;                   // decoded image size
  std::size_t max_entries = 10000;                          // archive entries / mail parts
};

struct Settings {
  Limits limits;
  MailMethod mail_method = MailMethod::kTextOnly;
  bool remove_uri_links = false;
  bool remove_metadata = true;
  bool refuse_legacy_office = true;
};

Settings SettingsFromProfile(const policy::SanitizeSettings& profile);

// The types mamori recognizes, from content.
enum class FileType : std::uint8_t {
  kUnknown,
  kPdf,
  kDocx, kDocm, kDotx, kDotm,
  kXlsx, kXlsm, kXltx, kXltm, kXlam,
  kPptx, kPptm, kPotx, kPotm, kPpsx, kPpsm, kPpam,
  kOle,  // legacy doc/xls/ppt (Compound File Binary)
  kRtf,
  kJpeg, kPng, kGif, kBmp, kTiff, kWebp,
  kZip, kLzh, kTar, kGzip, kSevenZip, kRar,
  kMail,  // RFC 5322 message
  kText, kCsv,
};
std::string_view TypeId(FileType type);    // "pdf", "docx", ...
std::string_view TypeTitle(FileType type);  // Japanese: "PDF 文書", ...

enum class Verdict : std::uint8_t {
  kSanitized,  // something was removed or rewritten
  kClean,      // rebuilt; nothing active was found
  kRefused,    // no output: see reason
};
std::string_view VerdictId(Verdict verdict);

// Why a file was refused. Stable ids for logs and the API; Japanese text for
// the municipal user (ReasonMessageJa).
enum class Reason : std::uint8_t {
  kNone,
  kUnknownType,       // no format mamori can rebuild
  kTooLarge,          // input over max_input_bytes
  kExpandedTooLarge,  // unpacked parts over max_expanded_bytes
  kExpansionRatio,    // a bomb: expanded / input over max_expansion_ratio
  kTooDeep,           // nesting over max_depth
  kTimeout,           // over max_time
  kMemoryLimit,       // a buffer over max_memory_bytes would be needed
  kTooManyPixels,     // image over max_pixels
  kTooManyEntries,    // archive entries / mail parts over max_entries
  kEncrypted,         // cannot be inspected
  kMalformed,         // the format's own parser rejected it
  kLegacyOffice,      // doc/xls/ppt: cannot be rebuilt without a converter
  kUnsafePath,        // archive entry with ../, an absolute path or a drive letter
  kUnsupportedPart,   // a part of a container that cannot be rebuilt safely
};
std::string_view ReasonId(Reason reason);
std::string ReasonMessageJa(Reason reason);

struct Removal {
  std::string part;  // where: "/Root/OpenAction", "word/vbaProject.bin", "attachment 2"
  std::string what;  // what kind: "javascript", "vba_project", "external_relationship", ...
  int count = 1;
};

struct Report {
  std::string name;            // the name it arrived with (may lie)
  FileType detected = FileType::kUnknown;
  std::string mime;            // libmagic's MIME type
  FileType named = FileType::kUnknown;  // what the name's extension claims
  bool name_mismatch = false;  // the name says another type than the content
  Verdict verdict = Verdict::kRefused;
  Reason reason = Reason::kNone;
  std::string detail;          // for refusals and notes, English, for operators
  std::vector<Removal> removed;
  std::vector<std::string> notes_ja;  // what a user should know (e.g. "添付ファイル 2 件を削除")
  std::string sha256_in;
  std::string sha256_out;
  std::size_t size_in = 0;
  std::size_t size_out = 0;
  std::string output_name;     // the name to write it under (docm → docx, ...)
  std::vector<Report> children;  // archive entries, mail attachments, embedded parts
};

// One JSON object (nlohmann dump) for the report; children nested.
std::string ReportToJson(const Report& report, int indent = -1);

struct Outcome {
  std::string output;  // empty when refused
  Report report;
};

// The entry point. `name` is only used to report a lying name and to name
// the output; the type comes from the content.
Outcome Sanitize(std::string_view input, std::string_view name, const Settings& settings);

}  // namespace mamori::sanitize
