#include "gateway/gateway.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace mamori::gateway {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr std::string_view kWorkDir = ".mamori-work";
constexpr std::string_view kLockFile = ".mamori-gateway.lock";
constexpr std::string_view kTmpPrefix = ".mamori-tmp-";
constexpr std::string_view kSeparator = "--";

Error IoError(const std::string& what, const std::string& path) {
  return Error(ErrorCode::kIo, what + ": " + path + ": " + std::strerror(errno),
               what + ": " + path + ": " + std::strerror(errno), {path, 0, ""});
}

bool Incomplete(const std::string& name) {
  for (const char* suffix : {".part", ".tmp", ".crdownload"}) {
    if (name.size() > std::strlen(suffix) && name.ends_with(suffix)) return true;
  }
  return name.empty() || name.front() == '.';
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("ディレクトリを開けません / cannot open directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("fsync できません / cannot fsync", dir);
  return OkStatus();
}

// Writes `data` to `path` durably (write, fsync) — the caller renames it.
Status WriteDurably(const std::string& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return IoError("書き込めません / cannot write", path);
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return IoError("書き込めません / cannot write", path);
    }
    written += static_cast<std::size_t>(n);
  }
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("fsync できません / cannot fsync", path);
  return OkStatus();
}

Status Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return IoError("名前を変更できません / cannot rename " + from + " →", to);
  }
  return OkStatus();
}

Result<std::string> ReadFile(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("読めません / cannot read", path);
  std::string data;
  std::array<char, 65536> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    data.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (data.size() > limit) break;  // the sanitizer refuses it as too large
  }
  return data;
}

// A name for the output that is not taken yet: "a.pdf", "a (2).pdf", ...
std::string FreeName(const std::string& dir, const std::string& name) {
  fs::path candidate = fs::path(dir) / name;
  const std::string stem = fs::path(name).stem().string();
  const std::string extension = fs::path(name).extension().string();
  for (int n = 2; fs::exists(candidate); ++n) {
    candidate = fs::path(dir) / (stem + " (" + std::to_string(n) + ")" + extension);
  }
  return candidate.string();
}

// A report for a file the sanitizer process could not finish.
std::string FailureReport(const std::string& name, sanitize::Reason reason, const std::string& detail) {
  sanitize::Report report;
  report.name = name;
  report.verdict = sanitize::Verdict::kRefused;
  report.reason = reason;
  report.detail = detail;
  return sanitize::ReportToJson(report);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// Runs the sanitizer on `input_path`, writing the output to `output_path`
// and the report JSON to `report_path`. In a child process when isolated:
// memory (RLIMIT_AS) and CPU time are capped by the kernel, and a crash of a
// parser library becomes a refusal.
Status RunSanitizer(const Options& options, const std::string& input_path,
                    const std::string& name, const std::string& output_path,
                    const std::string& report_path) {
  auto run = [&]() -> Status {
    MAMORI_TRY(const auto input, ReadFile(input_path, options.settings.limits.max_input_bytes + 1));
    const sanitize::Outcome outcome = sanitize::Sanitize(input, name, options.settings);
    if (outcome.report.verdict != sanitize::Verdict::kRefused) {
      MAMORI_TRY_STATUS(WriteDurably(output_path, outcome.output));
    }
    return WriteDurably(report_path, sanitize::ReportToJson(outcome.report));
  };
  if (!options.isolate) return run();

  const pid_t child = ::fork();
  if (child < 0) return IoError("fork できません / cannot fork", input_path);
  if (child == 0) {
    const auto& limits = options.settings.limits;
    // The address-space cap counts the program and its libraries too; ASan
    // reserves terabytes of address space, so the cap is left to the time
    // limit in sanitizer builds.
    if (!kAddressSanitizer) {
      const rlim_t bytes = static_cast<rlim_t>(limits.max_memory_bytes) + (rlim_t{256} << 20);
      const rlimit memory{bytes, bytes};
      ::setrlimit(RLIMIT_AS, &memory);
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(limits.max_time).count();
    const rlim_t cpu = static_cast<rlim_t>(seconds) + 5;
    const rlimit cpu_limit{cpu, cpu + 1};
    ::setrlimit(RLIMIT_CPU, &cpu_limit);
    ::alarm(static_cast<unsigned>(seconds) + 10);  // wall clock, too
    try {
      const Status status = run();
      ::_exit(status.Ok() ? 0 : 3);
    } catch (const std::bad_alloc&) {
      ::_exit(4);
    } catch (...) {
      ::_exit(5);
    }
  }
  int wait_status = 0;
  while (::waitpid(child, &wait_status, 0) < 0) {
    if (errno != EINTR) return IoError("waitpid", input_path);
  }
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) return OkStatus();
  // The child died: no output; the report says why.
  ::unlink(output_path.c_str());
  sanitize::Reason reason = sanitize::Reason::kMalformed;
  std::string detail;
  if (WIFSIGNALED(wait_status)) {
    const int signal = WTERMSIG(wait_status);
    reason = (signal == SIGALRM || signal == SIGXCPU) ? sanitize::Reason::kTimeout
                                                      : sanitize::Reason::kMalformed;
    detail = "the sanitizer process was ended by signal " + std::to_string(signal);
  } else {
    const int code = WEXITSTATUS(wait_status);
    reason = code == 4 ? sanitize::Reason::kMemoryLimit : sanitize::Reason::kMalformed;
    detail = "the sanitizer process failed with exit code " + std::to_string(code);
    if (code == 3) {
      return Error(ErrorCode::kIo, "無害化の入出力に失敗しました: " + input_path,
                   "sanitizer I/O failed: " + input_path);
    }
  }
  return WriteDurably(report_path, FailureReport(name, reason, detail));
}

}  // namespace

Gateway::Gateway(Options options, EventSink sink)
    : options_(std::move(options)),
      sink_(std::move(sink)),
      work_((fs::path(options_.inbox) / kWorkDir).string()) {}

Status Gateway::Start() {
  for (const auto& dir : {options_.inbox, options_.outbox, options_.quarantine}) {
    if (!fs::is_directory(dir)) {
      return Error(ErrorCode::kNotFound, "ディレクトリがありません: " + dir, "no such directory: " + dir,
                   {dir, 0, ""});
    }
  }
  std::error_code error;
  fs::create_directories(work_, error);
  if (error) return IoError("作業ディレクトリを作れません / cannot create", work_);
  const std::string lock = (fs::path(options_.inbox) / kLockFile).string();
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "この受信ディレクトリは別のゲートウェイが使用中です: " + options_.inbox,
                 "another gateway is using this inbox: " + options_.inbox, {lock, 0, ""});
  }
  // Half-written outputs of work items without a result are redone.
  for (const auto& entry : fs::directory_iterator(options_.outbox)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(kTmpPrefix)) continue;
    const std::string id = name.substr(kTmpPrefix.size());
    if (!fs::exists(fs::path(work_) / (id + ".result"))) fs::remove(entry.path(), error);
  }
  // Finish what a previous run left, oldest first.
  std::vector<std::string> ids;
  for (const auto& entry : fs::directory_iterator(work_)) {
    const std::string name = entry.path().filename().string();
    const std::size_t separator = name.find(kSeparator);
    if (separator != std::string::npos) {
      ids.push_back(name.substr(0, separator));
    } else if (name.ends_with(".result")) {  // "<id>.result" ("<id>.report" is redone)
      ids.push_back(name.substr(0, name.size() - 7));
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const auto& id : ids) MAMORI_TRY_STATUS(Finish(id));
  return OkStatus();
}

Result<int> Gateway::ProcessInbox() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(options_.inbox)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && !Incomplete(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  int done = 0;
  static std::atomic<std::uint64_t> counter{0};
  for (const auto& name : names) {
    // 1. claim
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    char id[64];
    std::snprintf(id, sizeof id, "%020lld-%06llu",
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()),
                  static_cast<unsigned long long>(counter++ % 1000000));
    const std::string claimed = (fs::path(work_) / (std::string(id) + std::string(kSeparator) + name)).string();
    if (::rename((fs::path(options_.inbox) / name).c_str(), claimed.c_str()) != 0) {
      if (errno == ENOENT) continue;  // taken away meanwhile
      return IoError("受信ファイルを取り込めません / cannot claim", name);
    }
    MAMORI_TRY_STATUS(SyncDirectory(work_));
    MAMORI_TRY_STATUS(Finish(id));
    ++done;
  }
  return done;
}

Status Gateway::Finish(const std::string& id) {
  const fs::path result_path = fs::path(work_) / (id + ".result");
  // The claimed input, if it is still here.
  std::string input_path;
  std::string original_name;
  for (const auto& entry : fs::directory_iterator(work_)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(id + std::string(kSeparator))) {
      input_path = entry.path().string();
      original_name = name.substr(id.size() + kSeparator.size());
    }
  }
  if (!fs::exists(result_path)) {
    if (input_path.empty()) return OkStatus();  // nothing left of it
    MAMORI_TRY_STATUS(Process(id, original_name));
  }
  // 4. publish, as the result says.
  MAMORI_TRY(const auto result_text, ReadFile(result_path.string(), std::size_t{64} << 20));
  const Json result = Json::parse(result_text, nullptr, false);
  if (result.is_discarded() || !result.contains("destination")) {
    return Error(ErrorCode::kInternal, "作業記録が壊れています: " + result_path.string(),
                 "corrupt work record " + result_path.string());
  }
  const std::string destination = result["destination"];
  const std::string report_json = result["report"];
  if (result["verdict"] == "refused") {
    if (!input_path.empty()) {
      const std::string report_tmp = destination + ".report.json" + ".tmp";
      MAMORI_TRY_STATUS(WriteDurably(report_tmp, report_json));
      MAMORI_TRY_STATUS(Rename(report_tmp, destination + ".report.json"));
      MAMORI_TRY_STATUS(Rename(input_path, destination));
      MAMORI_TRY_STATUS(SyncDirectory(options_.quarantine));
      input_path.clear();
    }
  } else {
    const std::string tmp = (fs::path(options_.outbox) / (std::string(kTmpPrefix) + id)).string();
    if (fs::exists(tmp)) {
      MAMORI_TRY_STATUS(Rename(tmp, destination));
      MAMORI_TRY_STATUS(SyncDirectory(options_.outbox));
    }
  }
  // 5. record
  MAMORI_TRY_STATUS(sink_(FileEvent{id, result["name"], result["verdict"], destination, report_json}));
  // 6. forget
  std::error_code error;
  if (!input_path.empty()) fs::remove(input_path, error);
  fs::remove(result_path, error);
  return SyncDirectory(work_);
}

Status Gateway::Process(const std::string& id, const std::string& original_name) {
  const std::string input_path =
      (fs::path(work_) / (id + std::string(kSeparator) + original_name)).string();
  const std::string output_tmp = (fs::path(options_.outbox) / (std::string(kTmpPrefix) + id)).string();
  const std::string report_path = (fs::path(work_) / (id + ".report")).string();
  // 2. process
  MAMORI_TRY_STATUS(RunSanitizer(options_, input_path, original_name, output_tmp, report_path));
  MAMORI_TRY(const auto report_text, ReadFile(report_path, std::size_t{64} << 20));
  const Json report = Json::parse(report_text, nullptr, false);
  if (report.is_discarded()) {
    return Error(ErrorCode::kInternal, "無害化の報告が壊れています", "corrupt sanitizer report");
  }
  const std::string verdict = report.value("verdict", "refused");
  // 3. decide: the destination is fixed here, before anything is published.
  std::string destination;
  if (verdict == "refused") {
    destination = FreeName(options_.quarantine, original_name);
  } else {
    destination = FreeName(options_.outbox, report.value("output_name", original_name));
  }
  const Json result{{"id", id},
                    {"name", original_name},
                    {"verdict", verdict},
                    {"destination", destination},
                    {"report", report_text}};
  const std::string result_path = (fs::path(work_) / (id + ".result")).string();
  MAMORI_TRY_STATUS(WriteDurably(result_path + ".tmp", result.dump()));
  MAMORI_TRY_STATUS(Rename(result_path + ".tmp", result_path));
  std::error_code error;
  fs::remove(report_path, error);
  return SyncDirectory(work_);
}

}  // namespace mamori::gateway
