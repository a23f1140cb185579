// FileSystem: the one way mamori's libraries read files, so that tests and
// fuzzers can run hermetically against an in-memory tree (leveldb's Env).
//
// Thread safety: RealFileSystem is stateless and safe to share. MemoryFileSystem
// must not be modified while another thread reads it.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "common/result.h"

namespace mamori {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Returns the whole file, or kNotFound / kIo / kLimitExceeded (larger than
  // `max_bytes`).
  virtual Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) const = 0;
};

class RealFileSystem final : public FileSystem {
 public:
  Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) const override;
};

class MemoryFileSystem final : public FileSystem {
 public:
  void Put(const std::string& path, std::string contents) { files_[path] = std::move(contents); }
  Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) const override;

 private:
  std::map<std::string, std::string> files_;
};

// Joins `relative` onto the directory of `base_file` ("a/b.toml" + "c.toml" ->
// "a/c.toml"); an absolute `relative` is returned unchanged.
std::string ResolveRelativeTo(const std::string& base_file, const std::string& relative);

}  // namespace mamori
