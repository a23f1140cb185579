#include "sanitize/ooxml/zip_package.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace mamori::sanitize::ooxml {
namespace {

// "../", an absolute path, a backslash (also the second byte of some CP932
// characters, which is why the raw bytes are checked) or a drive letter.
bool UnsafeName(std::string_view name) {
  if (name.empty() || name.front() == '/') return true;
  if (name.find('\\') != std::string_view::npos) return true;
  if (name.find('\0') != std::string_view::npos) return true;
  if (name.size() >= 2 && name[1] == ':') return true;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view segment = name.substr(start, end - start);
    if (segment == ".." || segment == ".") return true;
    start = end + 1;
  }
  return false;
}

struct SourceFree {
  void operator()(zip_source_t* source) const { zip_source_free(source); }
};

}  // namespace

std::string LowerAscii(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return lower;
}

std::unique_ptr<ZipPackage> ZipPackage::Open(std::string_view bytes, const Limits& limits,
                                             Reason* reason, std::string* detail) {
  *reason = Reason::kMalformed;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    *detail = "libzip cannot create a source";
    zip_error_fini(&error);
    return nullptr;
  }
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (archive == nullptr) {
    zip_source_free(source);
    *detail = std::string("not a readable zip: ") + zip_error_strerror(&error);
    zip_error_fini(&error);
    return nullptr;
  }
  zip_error_fini(&error);
  std::unique_ptr<ZipPackage> package(new ZipPackage());
  package->archive_ = archive;

  const zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0) {
    *detail = "zip directory unreadable";
    return nullptr;
  }
  if (static_cast<std::uint64_t>(count) > limits.max_entries) {
    *reason = Reason::kTooManyEntries;
    *detail = std::to_string(count) + " zip entries";
    return nullptr;
  }
  for (zip_uint64_t index = 0; index < static_cast<zip_uint64_t>(count); ++index) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive, index, ZIP_FL_ENC_RAW, &stat) != 0 ||
        (stat.valid & ZIP_STAT_NAME) == 0 || stat.name == nullptr) {
      *detail = "zip entry " + std::to_string(index) + " unreadable";
      return nullptr;
    }
    const std::string name = stat.name;
    if (UnsafeName(name)) {
      *reason = Reason::kUnsafePath;
      *detail = "unsafe zip entry name: " + name;
      return nullptr;
    }
    if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 &&
        stat.encryption_method != ZIP_EM_NONE) {
      *reason = Reason::kEncrypted;
      *detail = "encrypted zip entry: " + name;
      return nullptr;
    }
    if (name.back() == '/') continue;  // a directory entry: no part
    Entry entry{name, index, (stat.valid & ZIP_STAT_SIZE) != 0 ? stat.size : 0};
    if (!package->entries_.emplace(LowerAscii(name), std::move(entry)).second) {
      *detail = "two zip entries named " + name + " (part names ignore case)";
      return nullptr;
    }
  }
  *reason = Reason::kNone;
  return package;
}

ZipPackage::~ZipPackage() {
  if (archive_ != nullptr) zip_discard(archive_);
}

const ZipPackage::Entry* ZipPackage::Find(std::string_view name) const {
  const auto found = entries_.find(LowerAscii(name));
  return found == entries_.end() ? nullptr : &found->second;
}

Reason ZipPackage::Read(const Entry& entry, Context& context, std::string* data,
                        std::string* detail) {
  data->clear();
  // The declared size is charged before reading; reading stops there.
  const auto declared = static_cast<std::size_t>(
      std::min<zip_uint64_t>(entry.size, context.GetLimits().max_expanded_bytes + 1));
  if (const Reason reason = context.CheckAllocation(declared); reason != Reason::kNone) {
    *detail = entry.name + ": " + std::to_string(entry.size) + " bytes unpacked";
    return reason;
  }
  if (const Reason reason = context.ChargeExpanded(declared); reason != Reason::kNone) {
    *detail = entry.name + ": " + std::to_string(entry.size) + " bytes unpacked";
    return reason;
  }
  zip_file_t* file = zip_fopen_index(archive_, entry.index, 0);
  if (file == nullptr) {
    *detail = entry.name + ": " + zip_strerror(archive_);
    const zip_error_t* error = zip_get_error(archive_);
    const int code = zip_error_code_zip(error);
    return (code == ZIP_ER_NOPASSWD || code == ZIP_ER_ENCRNOTSUPP || code == ZIP_ER_WRONGPASSWD)
               ? Reason::kEncrypted
               : Reason::kMalformed;
  }
  std::array<char, 65536> chunk{};
  Reason reason = Reason::kNone;
  for (;;) {
    if (context.CheckTime() != Reason::kNone) {
      reason = Reason::kTimeout;
      *detail = "time limit while unpacking " + entry.name;
      break;
    }
    const zip_int64_t n = zip_fread(file, chunk.data(), chunk.size());
    if (n < 0) {
      reason = Reason::kMalformed;
      *detail = entry.name + ": " + zip_file_strerror(file);
      break;
    }
    if (n == 0) break;
    const auto got = static_cast<std::size_t>(n);
    if (got > declared - data->size()) {
      reason = Reason::kMalformed;
      *detail = entry.name + ": more data than its declared size";
      break;
    }
    data->append(chunk.data(), got);
  }
  zip_fclose(file);
  if (reason == Reason::kNone && data->size() != declared) {
    reason = Reason::kMalformed;
    *detail = entry.name + ": less data than its declared size";
  }
  if (reason != Reason::kNone) data->clear();
  return reason;
}

bool ZipWriter::Add(const std::string& name, std::string data) {
  for (const auto& [existing, unused] : entries_) {
    if (LowerAscii(existing) == LowerAscii(name)) return false;
  }
  entries_.emplace_back(name, std::move(data));
  return true;
}

bool ZipWriter::Finish(std::string* output, std::string* detail) {
  zip_error_t error;
  zip_error_init(&error);
  std::unique_ptr<zip_source_t, SourceFree> target(
      zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!target) {
    *detail = zip_error_strerror(&error);
    zip_error_fini(&error);
    return false;
  }
  zip_t* archive = zip_open_from_source(target.get(), ZIP_TRUNCATE, &error);
  if (archive == nullptr) {
    *detail = zip_error_strerror(&error);
    zip_error_fini(&error);
    return false;
  }
  zip_error_fini(&error);
  zip_source_keep(target.get());  // survives zip_close so that we can read it back
  for (const auto& [name, data] : entries_) {
    zip_source_t* source = zip_source_buffer(archive, data.data(), data.size(), 0);
    if (source == nullptr) {
      *detail = zip_strerror(archive);
      zip_discard(archive);
      return false;
    }
    const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      *detail = zip_strerror(archive);
      zip_discard(archive);
      return false;
    }
    zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 6);
    zip_file_set_mtime(archive, static_cast<zip_uint64_t>(index), 315532800, 0);  // 1980-01-01
  }
  if (zip_close(archive) != 0) {
    *detail = zip_strerror(archive);
    zip_discard(archive);
    return false;
  }
  if (zip_source_open(target.get()) != 0) {
    *detail = "cannot reopen the written archive";
    return false;
  }
  output->clear();
  std::array<char, 65536> chunk{};
  for (;;) {
    const zip_int64_t n = zip_source_read(target.get(), chunk.data(), chunk.size());
    if (n < 0) {
      zip_source_close(target.get());
      *detail = "cannot read the written archive";
      return false;
    }
    if (n == 0) break;
    output->append(chunk.data(), static_cast<std::size_t>(n));
  }
  zip_source_close(target.get());
  return true;
}

}  // namespace mamori::sanitize::ooxml
