#include "common/file_system.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace mamori {

Result<std::string> RealFileSystem::ReadFile(const std::string& path,
                                             std::size_t max_bytes) const {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int saved = errno;
    if (saved == ENOENT) {
      return Error(ErrorCode::kNotFound, "ファイルが見つかりません", "file not found", {path, 0, {}});
    }
    return Error(ErrorCode::kIo, std::string("ファイルを読めません: ") + std::strerror(saved),
                 std::string("cannot read file: ") + std::strerror(saved), {path, 0, {}});
  }
  if (!S_ISREG(info.st_mode)) {
    return Error(ErrorCode::kIo, "通常のファイルではありません", "not a regular file", {path, 0, {}});
  }
  if (static_cast<std::size_t>(info.st_size) > max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "ファイルが大きすぎます（上限 " + std::to_string(max_bytes) + " バイト）",
                 "file too large (limit " + std::to_string(max_bytes) + " bytes)", {path, 0, {}});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kIo, "ファイルを開けません", "cannot open file", {path, 0, {}});
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string contents = buffer.str();
  if (contents.size() > max_bytes) {  // the file grew after stat()
    return Error(ErrorCode::kLimitExceeded, "ファイルが大きすぎます", "file too large", {path, 0, {}});
  }
  return contents;
}

Result<std::string> MemoryFileSystem::ReadFile(const std::string& path,
                                               std::size_t max_bytes) const {
  auto it = files_.find(path);
  if (it == files_.end()) {
    return Error(ErrorCode::kNotFound, "ファイルが見つかりません", "file not found", {path, 0, {}});
  }
  if (it->second.size() > max_bytes) {
    return Error(ErrorCode::kLimitExceeded, "ファイルが大きすぎます", "file too large", {path, 0, {}});
  }
  return it->second;
}

std::string ResolveRelativeTo(const std::string& base_file, const std::string& relative) {
  const std::filesystem::path target(relative);
  if (target.is_absolute()) return target.lexically_normal().string();
  return (std::filesystem::path(base_file).parent_path() / target).lexically_normal().string();
}

}  // namespace mamori
