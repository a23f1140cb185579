// Archives (3(2)① ウ): zip, LZH, tar, gzip, 7z and RAR are read with
// libarchive, every entry is sanitized as a file of its own one level deeper
// (Context::SanitizeChild), and the archive is written again from the
// sanitized entries only.
//
// Output format: zip, tar, 7z and gzip (a tar inside or a single file) are
// written in the same format; LZH and RAR, which libarchive cannot write,
// become zip. Names are written in UTF-8 (zip: with the UTF-8 flag).
//
// Entry names are decoded before they are checked: a name in the archive's
// own bytes is UTF-8 when it is valid UTF-8 (zip's UTF-8 flag, 7z, RAR5,
// pax), otherwise CP932 (Japanese Windows zip and LZH). Only the decoded
// text is split at '/' and '\' — so that 表 (CP932 0x95 0x5C) is a
// character, not a separator — and checked for traversal.
//
// Whole-archive refusals: an encrypted entry (kEncrypted), an unsafe name
// (kUnsafePath), too many entries, and any limit that is global (expanded
// size, ratio, time, depth) — those are signs of an attack or make the rest
// pointless. Any other refused entry is left out, reported as a child and as
// a removal; when every file entry is refused, so is the archive.
//
// Limits: entries are counted against max_entries; each entry's declared
// size is charged with ChargeExpanded before it is read, and the data is
// read in chunks, charging whatever goes beyond the declared size, so a
// lying header cannot allocate more than the limits allow.
#include <archive.h>
#include <archive_entry.h>
#include <clocale>
#include <locale.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/charset.h"
#include "sanitize/formats.h"

namespace mamori::sanitize {
namespace {

struct ReadDeleter {
  void operator()(struct archive* handle) const { archive_read_free(handle); }
};
struct WriteDeleter {
  void operator()(struct archive* handle) const { archive_write_free(handle); }
};
struct EntryDeleter {
  void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};
using ReadArchive = std::unique_ptr<struct archive, ReadDeleter>;
using WriteArchive = std::unique_ptr<struct archive, WriteDeleter>;
using Entry = std::unique_ptr<archive_entry, EntryDeleter>;

// libarchive converts names through the current locale; under the "C"
// locale a UTF-8 name cannot be converted at all. This sets C.UTF-8 for the
// calling thread only (uselocale), and restores the previous one.
class ThreadUtf8Locale {
 public:
  ThreadUtf8Locale() : locale_(newlocale(LC_ALL_MASK, "C.UTF-8", nullptr)) {
    if (locale_ != nullptr) previous_ = uselocale(locale_);
  }
  ~ThreadUtf8Locale() {
    if (locale_ != nullptr) {
      uselocale(previous_);
      freelocale(locale_);
    }
  }
  ThreadUtf8Locale(const ThreadUtf8Locale&) = delete;
  ThreadUtf8Locale& operator=(const ThreadUtf8Locale&) = delete;

 private:
  locale_t locale_;
  locale_t previous_ = nullptr;
};

std::string ErrorText(struct archive* handle) {
  const char* text = archive_error_string(handle);
  return text != nullptr ? text : "unknown error";
}

// The entry's name as UTF-8: the bytes as they are when they are valid
// UTF-8, otherwise decoded from CP932. False when neither works.
bool DecodeName(archive_entry* entry, std::string* name) {
  const char* raw = archive_entry_pathname(entry);
  if (raw == nullptr) raw = archive_entry_pathname_utf8(entry);
  if (raw == nullptr) return false;
  const std::string_view bytes(raw);
  if (IsValidUtf8(bytes)) {
    *name = std::string(bytes);
    return true;
  }
  return ConvertToUtf8(bytes, "CP932", name);
}

// Characters that Windows' "best fit" conversion to CP932 turns into a path
// separator (¥ → '\'); written as their full-width forms instead.
std::string ReplaceBestFitSeparators(std::string name, int* replaced) {
  static constexpr std::pair<std::string_view, std::string_view> kMap[] = {
      {"\xC2\xA5", "\xEF\xBF\xA5"},      // ¥ → ￥
      {"\xE2\x82\xA9", "\xEF\xBF\xA6"},  // ₩ → ￦
  };
  for (const auto& [from, to] : kMap) {
    for (std::size_t at = name.find(from); at != std::string::npos;
         at = name.find(from, at + to.size())) {
      name.replace(at, from.size(), to);
      ++*replaced;
    }
  }
  return name;
}

// The name as a safe relative path with '/' separators, or false (and why)
// for ../, absolute paths, drive letters, control characters and the like.
bool SafePath(std::string_view name, std::string* path, std::string* why) {
  if (name.empty()) {
    *why = "empty name";
    return false;
  }
  if (name.front() == '/' || name.front() == '\\') {
    *why = "absolute path";
    return false;
  }
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      *why = "control character in the name";
      return false;
    }
    if (c == ':') {
      // A drive letter (C:) or an NTFS alternate data stream (a.txt:evil).
      *why = "':' in the name (drive letter or stream)";
      return false;
    }
  }
  path->clear();
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view part = name.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    // Windows drops trailing dots and spaces: ".. " and "..." are ".." there.
    if (part.find_first_not_of(". ") == std::string_view::npos) {
      *why = "path traversal (..)";
      return false;
    }
    if (!path->empty()) *path += '/';
    *path += part;
  }
  if (path->empty()) {
    *why = "empty name";
    return false;
  }
  return true;
}

// "a/b/c.docm" + "c.docx" → "a/b/c.docx".
std::string WithFileName(const std::string& path, const std::string& file_name) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? file_name : path.substr(0, slash + 1) + file_name;
}

// "a/b.txt" taken → "a/b (2).txt".
std::string Unique(const std::string& path, std::set<std::string>& taken) {
  if (taken.insert(path).second) return path;
  const std::size_t slash = path.rfind('/');
  const std::size_t dot = path.rfind('.');
  const bool has_extension = dot != std::string::npos && (slash == std::string::npos || dot > slash + 1);
  const std::string stem = has_extension ? path.substr(0, dot) : path;
  const std::string extension = has_extension ? path.substr(dot) : "";
  for (int n = 2;; ++n) {
    std::string candidate = stem + " (" + std::to_string(n) + ")" + extension;
    if (taken.insert(candidate).second) return candidate;
  }
}

struct OutputEntry {
  std::string path;
  std::string data;
  bool directory = false;
  std::time_t mtime = 0;
};

bool IsGlobalLimit(Reason reason) {
  return reason == Reason::kExpandedTooLarge || reason == Reason::kExpansionRatio ||
         reason == Reason::kTimeout || reason == Reason::kTooDeep;
}

Reason EncryptedOr(struct archive* handle, Reason otherwise) {
  if (archive_read_has_encrypted_entries(handle) > 0) return Reason::kEncrypted;
  const std::string text = ErrorText(handle);
  if (text.find("ncrypt") != std::string::npos || text.find("assword") != std::string::npos) {
    return Reason::kEncrypted;
  }
  return otherwise;
}

ReadArchive OpenReader(std::string_view input, FileType type) {
  ReadArchive reader(archive_read_new());
  if (!reader) return nullptr;
  struct archive* handle = reader.get();
  switch (type) {
    case FileType::kZip:
      archive_read_support_format_zip(handle);
      break;
    case FileType::kLzh:
      archive_read_support_format_lha(handle);
      // LZH names carry no charset flag and are CP932 in practice; without
      // the option libarchive fails on names it cannot convert.
      if (archive_read_set_options(handle, "lha:hdrcharset=CP932") != ARCHIVE_OK) return nullptr;
      break;
    case FileType::kTar:
      archive_read_support_format_tar(handle);
      break;
    case FileType::kGzip:
      archive_read_support_filter_gzip(handle);
      archive_read_support_format_tar(handle);
      archive_read_support_format_raw(handle);  // a single gzip-compressed file
      break;
    case FileType::kSevenZip:
      archive_read_support_format_7zip(handle);
      break;
    case FileType::kRar:
      archive_read_support_format_rar(handle);
      archive_read_support_format_rar5(handle);
      break;
    default:
      return nullptr;
  }
  if (archive_read_open_memory(handle, input.data(), input.size()) != ARCHIVE_OK) {
    return nullptr;
  }
  return reader;
}

la_ssize_t WriteCallback(struct archive* /*handle*/, void* client, const void* buffer,
                         std::size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

enum class OutputFormat : std::uint8_t { kZip, kTar, kTarGzip, kGzip, kSevenZip };

// Writes the entries; false (and why) on a libarchive error.
bool WriteArchiveTo(OutputFormat format, const std::vector<OutputEntry>& entries,
                    std::string* output, std::string* why) {
  WriteArchive writer(archive_write_new());
  struct archive* handle = writer.get();
  int status = ARCHIVE_OK;
  switch (format) {
    case OutputFormat::kZip:
      status = archive_write_set_format_zip(handle);
      if (status == ARCHIVE_OK) status = archive_write_set_options(handle, "zip:hdrcharset=UTF-8");
      break;
    case OutputFormat::kTar:
      status = archive_write_set_format_pax_restricted(handle);
      break;
    case OutputFormat::kTarGzip:
      status = archive_write_set_format_pax_restricted(handle);
      if (status == ARCHIVE_OK) status = archive_write_add_filter_gzip(handle);
      break;
    case OutputFormat::kGzip:
      status = archive_write_set_format_raw(handle);
      if (status == ARCHIVE_OK) status = archive_write_add_filter_gzip(handle);
      break;
    case OutputFormat::kSevenZip:
      status = archive_write_set_format_7zip(handle);
      break;
  }
  if (status == ARCHIVE_OK) status = archive_write_set_bytes_in_last_block(handle, 1);
  if (status == ARCHIVE_OK) {
    status = archive_write_open(handle, output, nullptr, WriteCallback, nullptr);
  }
  if (status != ARCHIVE_OK) {
    *why = ErrorText(handle);
    return false;
  }
  for (const auto& source : entries) {
    Entry entry(archive_entry_new());
    archive_entry_update_pathname_utf8(entry.get(), source.path.c_str());
    archive_entry_set_filetype(entry.get(), source.directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry.get(), source.directory ? 0755 : 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(source.data.size()));
    archive_entry_set_mtime(entry.get(), source.mtime, 0);
    if (archive_write_header(handle, entry.get()) != ARCHIVE_OK) {
      *why = ErrorText(handle);
      return false;
    }
    std::size_t written = 0;
    while (written < source.data.size()) {
      const la_ssize_t count = archive_write_data(handle, source.data.data() + written,
                                                  source.data.size() - written);
      if (count <= 0) {
        *why = ErrorText(handle);
        return false;
      }
      written += static_cast<std::size_t>(count);
    }
    if (archive_write_finish_entry(handle) != ARCHIVE_OK) {
      *why = ErrorText(handle);
      return false;
    }
  }
  if (archive_write_close(handle) != ARCHIVE_OK) {
    *why = ErrorText(handle);
    return false;
  }
  return true;
}

// Reads the current entry's data in chunks, charging the expansion budget.
Reason ReadEntryData(struct archive* handle, archive_entry* entry, Context& context,
                     std::string* data, std::string* detail) {
  const bool declared_set = archive_entry_size_is_set(entry) != 0;
  const la_int64_t declared_size = declared_set ? archive_entry_size(entry) : 0;
  const std::size_t declared = declared_size > 0 ? static_cast<std::size_t>(declared_size) : 0;
  if (declared > 0) {
    if (const Reason reason = context.ChargeExpanded(declared); reason != Reason::kNone) {
      *detail = "declared size " + std::to_string(declared);
      return reason;
    }
    if (const Reason reason = context.CheckAllocation(declared); reason != Reason::kNone) {
      *detail = "declared size " + std::to_string(declared);
      return reason;
    }
    data->reserve(declared);
  }
  constexpr std::size_t kChunk = std::size_t{64} << 10;
  std::vector<char> chunk(kChunk);
  for (;;) {
    const la_ssize_t count = archive_read_data(handle, chunk.data(), kChunk);
    if (count == 0) break;
    if (count < 0) {
      *detail = ErrorText(handle);
      return archive_entry_is_encrypted(entry) != 0 ? Reason::kEncrypted
                                                    : EncryptedOr(handle, Reason::kMalformed);
    }
    const auto size = static_cast<std::size_t>(count);
    // Bytes beyond the declared size have not been charged yet.
    const std::size_t uncharged =
        data->size() + size <= declared ? 0 : data->size() + size - std::max(declared, data->size());
    if (uncharged > 0) {
      if (const Reason reason = context.ChargeExpanded(uncharged); reason != Reason::kNone) {
        *detail = "more data than declared (" + std::to_string(data->size() + size) + " bytes)";
        return reason;
      }
    }
    if (const Reason reason = context.CheckAllocation(data->size() + size);
        reason != Reason::kNone) {
      *detail = "entry of more than " + std::to_string(data->size()) + " bytes";
      return reason;
    }
    if (const Reason reason = context.CheckTime(); reason != Reason::kNone) {
      *detail = "time limit while unpacking";
      return reason;
    }
    data->append(chunk.data(), size);
  }
  return Reason::kNone;
}

}  // namespace

FormatResult SanitizeArchive(std::string_view input, FileType type, Context& context) {
  const ThreadUtf8Locale locale;
  ReadArchive reader = OpenReader(input, type);
  if (!reader) return Refuse(Reason::kMalformed, "archive: cannot open");
  struct archive* handle = reader.get();

  FormatResult result;
  std::vector<OutputEntry> entries;
  std::set<std::string> taken;
  std::size_t count = 0;
  int files = 0;
  int accepted = 0;
  int refused = 0;
  int replaced_separators = 0;
  Reason first_refusal = Reason::kNone;
  bool raw = false;   // gzip of a single file
  bool inner_tar = false;
  for (;;) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(handle, &entry);
    if (status == ARCHIVE_EOF) break;
    if (status < ARCHIVE_WARN) {
      return Refuse(EncryptedOr(handle, Reason::kMalformed), "archive: " + ErrorText(handle));
    }
    if (++count > context.GetLimits().max_entries) {
      return Refuse(Reason::kTooManyEntries,
                    "more than " + std::to_string(context.GetLimits().max_entries) + " entries");
    }
    if (const Reason reason = context.CheckTime(); reason != Reason::kNone) {
      return Refuse(reason, "time limit while reading the archive");
    }
    raw = archive_format(handle) == ARCHIVE_FORMAT_RAW;
    inner_tar = (archive_format(handle) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR;
    if (archive_entry_is_encrypted(entry) != 0) {
      return Refuse(Reason::kEncrypted, "encrypted entry");
    }
    std::string name;
    if (!DecodeName(entry, &name)) {
      return Refuse(Reason::kMalformed, "an entry name in no known charset (UTF-8, CP932)");
    }
    std::string path;
    std::string why;
    if (!SafePath(ReplaceBestFitSeparators(name, &replaced_separators), &path, &why)) {
      return Refuse(Reason::kUnsafePath, why + ": " + name);
    }
    const auto file_type = archive_entry_filetype(entry);
    if (archive_entry_hardlink(entry) != nullptr) {
      result.Remove(path, "hardlink");
      continue;
    }
    if (file_type == AE_IFDIR) {
      if (!raw && taken.insert(path).second) {
        entries.push_back({path, {}, true, archive_entry_mtime(entry)});
      }
      continue;
    }
    if (file_type != AE_IFREG) {
      result.Remove(path, file_type == AE_IFLNK ? "symlink" : "special_file");
      continue;
    }
    if ((archive_entry_perm(entry) & 06111) != 0) result.Remove(path, "exec_permission");
    ++files;
    std::string data;
    std::string detail;
    if (const Reason reason = ReadEntryData(handle, entry, context, &data, &detail);
        reason != Reason::kNone) {
      return Refuse(reason, path + ": " + detail);
    }
    Outcome child = context.SanitizeChild(data, path);
    data.clear();
    data.shrink_to_fit();
    if (child.report.verdict == Verdict::kRefused) {
      if (IsGlobalLimit(child.report.reason)) {
        const Reason reason = child.report.reason;
        return Refuse(reason, path + ": " + child.report.detail);
      }
      ++refused;
      if (first_refusal == Reason::kNone) first_refusal = child.report.reason;
      result.Remove(path, "refused_entry");
      result.children.push_back(std::move(child.report));
      continue;
    }
    ++accepted;
    if (child.report.verdict == Verdict::kSanitized) result.verdict = Verdict::kSanitized;
    const std::string out_path = raw ? path : Unique(WithFileName(path, child.report.output_name), taken);
    entries.push_back({out_path, std::move(child.output), false, archive_entry_mtime(entry)});
    result.children.push_back(std::move(child.report));
  }
  if (files > 0 && accepted == 0) {
    return Refuse(first_refusal, "every entry was refused");
  }
  if (raw && entries.size() != 1) {
    return Refuse(Reason::kMalformed, "gzip without exactly one file");
  }
  if (refused > 0) {
    result.notes_ja.push_back("無害化できない項目 " + std::to_string(refused) +
                              " 件を書庫から除外しました");
  }
  if (replaced_separators > 0) {
    result.notes_ja.push_back("項目名の ¥ 等を全角文字に置き換えました");
    result.Remove("names", "best_fit_separator", replaced_separators);
  }

  OutputFormat format = OutputFormat::kZip;
  switch (type) {
    case FileType::kTar:
      format = OutputFormat::kTar;
      break;
    case FileType::kGzip:
      format = raw || !inner_tar ? OutputFormat::kGzip : OutputFormat::kTarGzip;
      break;
    case FileType::kSevenZip:
      format = OutputFormat::kSevenZip;
      break;
    case FileType::kLzh:
    case FileType::kRar:
      // libarchive cannot write them; the dispatcher notes the new type.
      result.output_type = FileType::kZip;
      break;
    default:
      break;
  }
  if (format == OutputFormat::kGzip && entries.empty()) {
    return Refuse(Reason::kMalformed, "empty gzip");
  }
  std::string why;
  if (!WriteArchiveTo(format, entries, &result.output, &why)) {
    return Refuse(Reason::kMalformed, "archive: cannot write: " + why);
  }
  if (context.CheckAllocation(result.output.size()) != Reason::kNone) {
    return Refuse(Reason::kMemoryLimit, "rebuilt archive too large");
  }
  return result;
}

}  // namespace mamori::sanitize
