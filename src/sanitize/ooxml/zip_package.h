// Reading and writing the zip container of an OOXML package with libzip.
//
// ZipPackage::Open checks every entry name before anything is read: names
// with "..", an absolute path, a backslash or a drive letter are unsafe,
// encrypted entries cannot be inspected, duplicate names (OPC part names are
// case-insensitive) make the package ambiguous. Read() charges the entry's
// declared size to the Context before reading and never reads more than
// that, so a lying directory cannot make us allocate more than was charged.
//
// ZipWriter builds a new archive in memory, every entry deflated.
// Neither class is thread-safe; each is used by one sanitizer call.
#pragma once

#include <zip.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sanitize/context.h"

namespace mamori::sanitize::ooxml {

// "Word/Document.xml" → "word/document.xml": OPC part names compare without case.
std::string LowerAscii(std::string_view text);

class ZipPackage {
 public:
  struct Entry {
    std::string name;  // as stored in the zip
    zip_uint64_t index = 0;
    zip_uint64_t size = 0;  // declared uncompressed size (a claim, not a fact)
  };

  // kNone and a package, or the reason to refuse (kMalformed, kUnsafePath,
  // kEncrypted, kTooManyEntries) with `detail` set.
  static std::unique_ptr<ZipPackage> Open(std::string_view bytes, const Limits& limits,
                                          Reason* reason, std::string* detail);
  ~ZipPackage();
  ZipPackage(const ZipPackage&) = delete;
  ZipPackage& operator=(const ZipPackage&) = delete;

  // The entry with this part name (without leading '/'), any case; nullptr if absent.
  const Entry* Find(std::string_view name) const;

  // Reads an entry into *data; kNone or the reason (limits, kMalformed).
  Reason Read(const Entry& entry, Context& context, std::string* data, std::string* detail);

 private:
  ZipPackage() = default;
  zip_t* archive_ = nullptr;
  std::map<std::string, Entry> entries_;  // by lower-case name
};

class ZipWriter {
 public:
  // Adds an entry (the bytes are copied into the writer).
  bool Add(const std::string& name, std::string data);
  // The archive bytes; false (with *detail) when libzip fails.
  bool Finish(std::string* output, std::string* detail);

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace mamori::sanitize::ooxml
