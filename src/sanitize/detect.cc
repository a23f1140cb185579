#include "sanitize/detect.h"

#include <magic.h>
#include <zip.h>

#include <algorithm>
#include <array>
#include <memory>
#include <pugixml.hpp>

namespace mamori::sanitize {
namespace {

constexpr std::size_t kMaxContentTypesBytes = std::size_t{1} << 20;

struct TypeInfo {
  FileType type;
  std::string_view extension;
};

constexpr std::array kExtensions = {
    TypeInfo{FileType::kPdf, ".pdf"},   TypeInfo{FileType::kDocx, ".docx"},
    TypeInfo{FileType::kDocm, ".docm"}, TypeInfo{FileType::kDotx, ".dotx"},
    TypeInfo{FileType::kDotm, ".dotm"}, TypeInfo{FileType::kXlsx, ".xlsx"},
    TypeInfo{FileType::kXlsm, ".xlsm"}, TypeInfo{FileType::kXltx, ".xltx"},
    TypeInfo{FileType::kXltm, ".xltm"}, TypeInfo{FileType::kXlam, ".xlam"},
    TypeInfo{FileType::kPptx, ".pptx"}, TypeInfo{FileType::kPptm, ".pptm"},
    TypeInfo{FileType::kPotx, ".potx"}, TypeInfo{FileType::kPotm, ".potm"},
    TypeInfo{FileType::kPpsx, ".ppsx"}, TypeInfo{FileType::kPpsm, ".ppsm"},
    TypeInfo{FileType::kPpam, ".ppam"}, TypeInfo{FileType::kOle, ".doc"},
    TypeInfo{FileType::kOle, ".xls"},   TypeInfo{FileType::kOle, ".ppt"},
    TypeInfo{FileType::kRtf, ".rtf"},   TypeInfo{FileType::kJpeg, ".jpg"},
    TypeInfo{FileType::kJpeg, ".jpeg"}, TypeInfo{FileType::kPng, ".png"},
    TypeInfo{FileType::kGif, ".gif"},   TypeInfo{FileType::kBmp, ".bmp"},
    TypeInfo{FileType::kTiff, ".tif"},  TypeInfo{FileType::kTiff, ".tiff"},
    TypeInfo{FileType::kWebp, ".webp"}, TypeInfo{FileType::kZip, ".zip"},
    TypeInfo{FileType::kLzh, ".lzh"},   TypeInfo{FileType::kLzh, ".lha"},
    TypeInfo{FileType::kTar, ".tar"},   TypeInfo{FileType::kGzip, ".gz"},
    TypeInfo{FileType::kSevenZip, ".7z"}, TypeInfo{FileType::kRar, ".rar"},
    TypeInfo{FileType::kMail, ".eml"},  TypeInfo{FileType::kText, ".txt"},
    TypeInfo{FileType::kCsv, ".csv"},
};

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool StartsWith(std::string_view bytes, std::string_view prefix) {
  return bytes.substr(0, prefix.size()) == prefix;
}

// libmagic, one handle per thread (the handle is not thread-safe).
std::string MagicMime(std::string_view bytes) {
  struct Closer {
    void operator()(magic_t cookie) const { magic_close(cookie); }
  };
  thread_local std::unique_ptr<std::remove_pointer_t<magic_t>, Closer> cookie = [] {
    magic_t handle = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    if (handle != nullptr && magic_load(handle, nullptr) != 0) {
      magic_close(handle);
      handle = nullptr;
    }
    return std::unique_ptr<std::remove_pointer_t<magic_t>, Closer>(handle);
  }();
  if (!cookie) return {};
  const char* mime = magic_buffer(cookie.get(), bytes.data(), bytes.size());
  return mime != nullptr ? mime : "";
}

// The OOXML variant of a zip package, from the content type of its main part
// in [Content_Types].xml; kZip for any other zip.
FileType ClassifyZip(std::string_view bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) return FileType::kZip;
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (archive == nullptr) {
    zip_source_free(source);
    return FileType::kZip;
  }
  const std::unique_ptr<zip_t, decltype(&zip_discard)> owner(archive, &zip_discard);
  zip_stat_t stat;
  if (zip_stat(archive, "[Content_Types].xml", 0, &stat) != 0) return FileType::kZip;
  zip_file_t* file = zip_fopen(archive, "[Content_Types].xml", 0);
  if (file == nullptr) return FileType::kZip;
  std::string xml;
  std::array<char, 8192> buffer{};
  while (xml.size() <= kMaxContentTypesBytes) {
    const zip_int64_t n = zip_fread(file, buffer.data(), buffer.size());
    if (n <= 0) break;
    xml.append(buffer.data(), static_cast<std::size_t>(n));
  }
  zip_fclose(file);
  if (xml.size() > kMaxContentTypesBytes || xml.find("<!DOCTYPE") != std::string::npos) {
    return FileType::kZip;
  }
  pugi::xml_document document;
  if (!document.load_buffer(xml.data(), xml.size(), pugi::parse_default & ~pugi::parse_doctype)) {
    return FileType::kZip;
  }
  static constexpr std::pair<std::string_view, FileType> kMainParts[] = {
      {"wordprocessingml.document.main+xml", FileType::kDocx},
      {"word.document.macroEnabled.main+xml", FileType::kDocm},
      {"wordprocessingml.template.main+xml", FileType::kDotx},
      {"word.template.macroEnabledTemplate.main+xml", FileType::kDotm},
      {"spreadsheetml.sheet.main+xml", FileType::kXlsx},
      {"excel.sheet.macroEnabled.main+xml", FileType::kXlsm},
      {"spreadsheetml.template.main+xml", FileType::kXltx},
      {"excel.template.macroEnabled.main+xml", FileType::kXltm},
      {"excel.addin.macroEnabled.main+xml", FileType::kXlam},
      {"presentationml.presentation.main+xml", FileType::kPptx},
      {"powerpoint.presentation.macroEnabled.main+xml", FileType::kPptm},
      {"presentationml.template.main+xml", FileType::kPotx},
      {"powerpoint.template.macroEnabled.main+xml", FileType::kPotm},
      {"presentationml.slideshow.main+xml", FileType::kPpsx},
      {"powerpoint.slideshow.macroEnabled.main+xml", FileType::kPpsm},
      {"powerpoint.addin.macroEnabled.main+xml", FileType::kPpam},
  };
  for (const pugi::xml_node node : document.document_element().children()) {
    const std::string_view content_type = node.attribute("ContentType").as_string();
    for (const auto& [suffix, type] : kMainParts) {
      if (content_type.size() >= suffix.size() &&
          content_type.substr(content_type.size() - suffix.size()) == suffix) {
        return type;
      }
    }
  }
  return FileType::kZip;
}

// RFC 5322 header fields up to a blank line, among them one a message has.
// libmagic only calls text a message when it starts with From:, Date:,
// Received: or Return-Path:; a mail that starts with MIME-Version:, Subject:
// or Message-ID: is a message too.
bool LooksLikeMail(std::string_view bytes) {
  constexpr std::size_t kMaxHeaderBytes = std::size_t{256} * 1024;
  bytes = bytes.substr(0, kMaxHeaderBytes);
  int fields = 0;
  bool message_field = false;
  std::size_t start = 0;
  while (start < bytes.size()) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) return false;  // no blank line within the limit
    std::string_view line = bytes.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = end + 1;
    if (line.empty()) return fields >= 2 && message_field;
    if (line.front() == ' ' || line.front() == '\t') {
      if (fields == 0) return false;  // a continuation needs a field before it
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;
    for (const char c : line.substr(0, colon)) {
      if (c < 33 || c > 126) return false;
    }
    ++fields;
    const std::string name = Lower(line.substr(0, colon));
    for (const char* known : {"from", "to", "subject", "date", "message-id", "mime-version",
                              "received", "return-path"}) {
      if (name == known) message_field = true;
    }
  }
  return false;
}

}  // namespace

FileType TypeFromName(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return FileType::kUnknown;
  const std::string extension = Lower(name.substr(dot));
  for (const auto& info : kExtensions) {
    if (info.extension == extension) return info.type;
  }
  return FileType::kUnknown;
}

std::string_view Extension(FileType type) {
  for (const auto& info : kExtensions) {
    if (info.type == type) return info.extension;
  }
  return "";
}

bool NameFits(FileType content, FileType named) {
  if (named == FileType::kUnknown || content == named) return true;
  const bool text = content == FileType::kText || content == FileType::kCsv;
  return text && (named == FileType::kText || named == FileType::kCsv);
}

Detection DetectType(std::string_view bytes, std::string_view name) {
  Detection detection;
  detection.mime = MagicMime(bytes);
  const std::string& mime = detection.mime;
  // Signatures confirm what libmagic says for the formats we rebuild.
  static constexpr std::pair<std::string_view, FileType> kByMime[] = {
      {"application/pdf", FileType::kPdf},
      {"text/rtf", FileType::kRtf},
      {"application/rtf", FileType::kRtf},
      {"image/jpeg", FileType::kJpeg},
      {"image/png", FileType::kPng},
      {"image/gif", FileType::kGif},
      {"image/bmp", FileType::kBmp},
      {"image/x-ms-bmp", FileType::kBmp},
      {"image/tiff", FileType::kTiff},
      {"image/webp", FileType::kWebp},
      {"application/x-lzh-compressed", FileType::kLzh},
      {"application/x-lha", FileType::kLzh},
      {"application/x-lharc", FileType::kLzh},
      {"application/x-tar", FileType::kTar},
      {"application/gzip", FileType::kGzip},
      {"application/x-gzip", FileType::kGzip},
      {"application/x-7z-compressed", FileType::kSevenZip},
      {"application/x-rar", FileType::kRar},
      {"application/vnd.rar", FileType::kRar},
      {"message/rfc822", FileType::kMail},
      {"application/msword", FileType::kOle},
      {"application/vnd.ms-excel", FileType::kOle},
      {"application/vnd.ms-powerpoint", FileType::kOle},
      {"application/vnd.ms-office", FileType::kOle},
      {"application/x-ole-storage", FileType::kOle},
      {"application/CDFV2", FileType::kOle},
      {"text/csv", FileType::kCsv},
  };
  for (const auto& [known, type] : kByMime) {
    if (mime == known) detection.type = type;
  }
  if (StartsWith(bytes, "PK\x03\x04") || StartsWith(bytes, "PK\x05\x06")) {
    // Zip packages: libmagic's answer varies with the entry order; the
    // package's own content types decide.
    detection.type = ClassifyZip(bytes);
  } else if ((detection.type == FileType::kPdf &&
              bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos) ||
             (detection.type == FileType::kOle &&
              !StartsWith(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) ||
             (detection.type == FileType::kRtf && !StartsWith(bytes, "{\\rtf"))) {
    // libmagic said so, but the format's own signature is not there.
    detection.type = FileType::kUnknown;
  } else if (detection.type == FileType::kUnknown && mime.rfind("text/", 0) == 0 &&
             LooksLikeMail(bytes)) {
    detection.type = FileType::kMail;
  } else if (detection.type == FileType::kUnknown && mime.rfind("text/", 0) == 0 &&
             mime != "text/html" && mime != "text/xml" && mime != "text/x-shellscript") {
    // Plain text of any charset; HTML, XML and scripts are active content
    // mamori does not rebuild.
    detection.type = TypeFromName(name) == FileType::kCsv ? FileType::kCsv : FileType::kText;
  }
  if (detection.type == FileType::kText && TypeFromName(name) == FileType::kCsv) {
    detection.type = FileType::kCsv;
  }
  return detection;
}

}  // namespace mamori::sanitize
