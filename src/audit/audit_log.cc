#include "audit/audit_log.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "tabular/csv.h"

namespace mamori::audit {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kEventColumns =
    "seq, time_utc, actor, action, object_type, object_id, state, state_digest, prev_hash, hash";

Event EventFromRow(const storage::Row& row) {
  return Event{row.Int(0),  row.Text(1), row.Text(2), row.Text(3), row.Text(4),
               row.Text(5), row.Text(6), row.Text(7), row.Text(8), row.Text(9)};
}

using Digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;
using HexDigest = std::array<char, std::size_t{2} * crypto_hash_sha256_BYTES>;

// SHA-256 through OpenSSL's libcrypto, which uses the processor's SHA
// instructions where there are any (and tuned assembly elsewhere):
// libsodium's SHA-256 is portable C, and hashing was half of `audit verify`
// (bench/README.md). One digest context per thread, reused. Should libcrypto
// fail (it allocates), Final() says so and the caller hashes with libsodium:
// the same digest either way.
class Sha256 {
 public:
  Sha256() {
    ctx_ = Context();
    if (ctx_ == nullptr || EVP_DigestInit_ex2(ctx_, Md(), nullptr) != 1) failed_ = true;
  }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data) {
    if (!failed_ && EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) failed_ = true;
  }

  // nullopt when libcrypto failed on the way.
  std::optional<Digest> Final() {
    Digest digest{};
    unsigned int size = 0;
    if (failed_ || EVP_DigestFinal_ex(ctx_, digest.data(), &size) != 1 ||
        size != digest.size()) {
      return std::nullopt;
    }
    return digest;
  }

 private:
  static const EVP_MD* Md() {
    static EVP_MD* const kMd = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return kMd;
  }
  static EVP_MD_CTX* Context() {
    struct Free {
      void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
    };
    thread_local const std::unique_ptr<EVP_MD_CTX, Free> kContext(EVP_MD_CTX_new());
    return Md() != nullptr ? kContext.get() : nullptr;
  }

  EVP_MD_CTX* ctx_ = nullptr;
  bool failed_ = false;
};

HexDigest Hex(const Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  HexDigest hex{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    hex[2 * i] = kDigits[digest[i] >> 4];
    hex[2 * i + 1] = kDigits[digest[i] & 0x0f];
  }
  return hex;
}

std::string_view View(const HexDigest& hex) { return {hex.data(), hex.size()}; }

Digest Sha256Digest(std::string_view data) {
  Sha256 sha;
  sha.Update(data);
  if (const auto digest = sha.Final()) return *digest;
  Digest digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return digest;
}

// Hashes length-prefixed fields, so that no two different events give the
// same input ("ab"+"c" vs "a"+"bc"): "<decimal length>:<bytes>" each.
HexDigest HashFields(std::initializer_list<std::string_view> fields) {
  const auto each = [&](auto&& update) {
    for (const auto field : fields) {
      std::array<char, 24> length{};
      auto [end, ec] = std::to_chars(length.data(), length.data() + length.size() - 1,
                                     field.size());
      (void)ec;  // 24 characters hold any size_t
      *end++ = ':';
      update(std::string_view(length.data(), static_cast<std::size_t>(end - length.data())));
      update(field);
    }
  };
  Sha256 sha;
  each([&](std::string_view data) { sha.Update(data); });
  if (const auto digest = sha.Final()) return Hex(*digest);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  each([&](std::string_view data) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                              data.size());
  });
  Digest digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return Hex(digest);
}

// The fields of an event as stored, without copying them.
struct EventView {
  std::int64_t seq = 0;
  std::string_view time_utc, actor, action, object_type, object_id, state, state_digest,
      prev_hash, hash;
};

// The row of audit_events (kEventColumns) as an EventView. Every column but
// seq is TEXT; anything else stored there is read as Row::Text reads it.
struct RowEvent {
  EventView view;
  std::array<std::string, 10> spill;  // columns that are not stored as text

  void Read(const storage::Row& row) {
    std::string_view* const fields[] = {&view.time_utc,    &view.actor,     &view.action,
                                        &view.object_type, &view.object_id, &view.state,
                                        &view.state_digest, &view.prev_hash, &view.hash};
    view.seq = row.Int(0);
    for (std::size_t c = 1; c < spill.size(); ++c) {
      if (const auto* text = std::get_if<std::string>(&row.At(c))) {
        *fields[c - 1] = *text;
      } else {
        spill[c] = row.Text(c);
        *fields[c - 1] = spill[c];
      }
    }
  }
};

HexDigest EventHashOf(const EventView& e) {
  std::array<char, 24> seq{};
  const auto [end, ec] = std::to_chars(seq.data(), seq.data() + seq.size(), e.seq);
  (void)ec;
  return HashFields({"mamori-audit-event-v1",
                     std::string_view(seq.data(), static_cast<std::size_t>(end - seq.data())),
                     e.time_utc, e.actor, e.action, e.object_type, e.object_id, e.state_digest,
                     e.prev_hash});
}

Status AppendLineDurably(const std::string& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error(ErrorCode::kIo, "チェックポイントファイルを開けません: " + path,
                 "cannot open checkpoint file " + path + ": " + std::strerror(errno), {path, 0, ""});
  }
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    return Error(ErrorCode::kIo, "チェックポイントファイルに書き込めません: " + path,
                 "cannot write checkpoint file " + path, {path, 0, ""});
  }
  return OkStatus();
}

Json CheckpointToJson(const Checkpoint& checkpoint) {
  return Json{{"seq", checkpoint.seq},
              {"hash", checkpoint.hash},
              {"time_utc", checkpoint.time_utc},
              {"key_id", checkpoint.key_id},
              {"signature", checkpoint.signature}};
}

// The checkpoint file, line by line. A torn last line (the process was killed
// while appending) is ignored; any other malformed line is an error.
Result<std::vector<Checkpoint>> ReadCheckpointFile(const std::string& path) {
  std::vector<Checkpoint> checkpoints;
  std::ifstream in(path, std::ios::binary);
  if (!in) return checkpoints;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t start = 0;
  int line_number = 0;
  while (start < content.size()) {
    const std::size_t end = content.find('\n', start);
    ++line_number;
    if (end == std::string::npos) break;  // torn last line
    const std::string line = content.substr(start, end - start);
    start = end + 1;
    Json json = Json::parse(line, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("seq") ||
        !json["seq"].is_number_integer()) {
      return Error(ErrorCode::kInvalidArgument, "チェックポイントファイルの行が不正です",
                   "malformed checkpoint line", {path, line_number, ""});
    }
    checkpoints.push_back(Checkpoint{json["seq"].get<std::int64_t>(),
                                     json.value("hash", ""), json.value("time_utc", ""),
                                     json.value("key_id", ""), json.value("signature", "")});
  }
  return checkpoints;
}

void Fail(VerifyReport& report, std::int64_t seq, std::string ja, std::string en) {
  report.ok = false;
  report.first_bad_seq = seq;
  report.problem_ja = std::move(ja);
  report.problem_en = std::move(en);
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  return std::string(View(Hex(Sha256Digest(data))));
}

std::string EventHash(const Event& event) {
  return std::string(View(EventHashOf({event.seq, event.time_utc, event.actor, event.action,
                                       event.object_type, event.object_id, event.state,
                                       event.state_digest, event.prev_hash, event.hash})));
}

std::string CheckpointMessage(std::int64_t seq, std::string_view hash, std::string_view time_utc) {
  return "mamori-audit-checkpoint-v1\n" + std::to_string(seq) + "\n" + std::string(hash) + "\n" +
         std::string(time_utc);
}

Result<std::int64_t> AuditLog::LastSeq() {
  return db_.QueryInt("SELECT coalesce(max(seq), 0) FROM audit_events");
}

Result<Event> AuditLog::Append(const EventInput& input) {
  if (!db_.InTransaction()) {
    return Error(ErrorCode::kInternal, "監査イベントはトランザクションの中で記録します",
                 "audit events are appended inside a transaction");
  }
  Event event;
  MAMORI_TRY(const auto last,
             db_.Query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"));
  event.seq = last.empty() ? 1 : last.front().Int(0) + 1;
  event.prev_hash = last.empty() ? std::string(kGenesisHash) : last.front().Text(1);
  event.time_utc = FormatUtc(clock_.Now());
  event.actor = input.actor;
  event.action = input.action;
  event.object_type = input.object_type;
  event.object_id = input.object_id;
  event.state = input.state;
  event.state_digest = Sha256Hex(event.state);
  event.hash = EventHash(event);
  MAMORI_TRY_STATUS(db_.Execute(
      "INSERT INTO audit_events (" + std::string(kEventColumns) +
          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {event.seq, event.time_utc, event.actor, event.action, event.object_type, event.object_id,
       event.state, event.state_digest, event.prev_hash, event.hash}));
  return event;
}

Result<std::optional<Checkpoint>> AuditLog::MakeCheckpoint(const SigningKey& key,
                                                           const std::string& checkpoint_file) {
  std::optional<Checkpoint> made;
  MAMORI_TRY_STATUS(db_.Transaction([&]() -> Status {
    MAMORI_TRY(const auto last,
               db_.Query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"));
    if (last.empty()) return OkStatus();
    MAMORI_TRY(const auto signed_already,
               db_.QueryInt("SELECT count(*) FROM audit_checkpoints WHERE seq = ?",
                            {last.front().Int(0)}));
    if (signed_already > 0) return OkStatus();
    Checkpoint checkpoint;
    checkpoint.seq = last.front().Int(0);
    checkpoint.hash = last.front().Text(1);
    checkpoint.time_utc = FormatUtc(clock_.Now());
    checkpoint.key_id = key.public_key.Id();
    checkpoint.signature =
        Sign(key, CheckpointMessage(checkpoint.seq, checkpoint.hash, checkpoint.time_utc));
    MAMORI_TRY_STATUS(db_.Execute(
        "INSERT INTO audit_checkpoints (seq, hash, time_utc, key_id, signature) "
        "VALUES (?, ?, ?, ?, ?)",
        {checkpoint.seq, checkpoint.hash, checkpoint.time_utc, checkpoint.key_id,
         checkpoint.signature}));
    made = std::move(checkpoint);
    return OkStatus();
  }));
  // After the commit: a checkpoint in the file always refers to a committed
  // event. A crash between the two leaves the file one checkpoint behind.
  if (made && !checkpoint_file.empty()) {
    MAMORI_TRY_STATUS(AppendLineDurably(checkpoint_file, CheckpointToJson(*made).dump() + "\n"));
  }
  return made;
}

Result<std::vector<Event>> AuditLog::Events(const std::string& from_utc, const std::string& to_utc) {
  std::string sql = "SELECT " + std::string(kEventColumns) + " FROM audit_events WHERE 1 = 1";
  storage::Params params;
  if (!from_utc.empty()) {
    sql += " AND time_utc >= ?";
    params.emplace_back(from_utc);
  }
  if (!to_utc.empty()) {
    sql += " AND time_utc < ?";
    params.emplace_back(to_utc);
  }
  sql += " ORDER BY seq";
  MAMORI_TRY(const auto rows, db_.Query(sql, params));
  std::vector<Event> events;
  events.reserve(rows.size());
  for (const auto& row : rows) events.push_back(EventFromRow(row));
  return events;
}

Result<VerifyReport> Verify(storage::Database& db, const VerifyingKey& public_key,
                            const std::string& checkpoint_file) {
  VerifyReport report;
  // Checkpoints first, by sequence number: those of the database and those
  // of the file must agree where both have one.
  MAMORI_TRY(const auto rows,
             db.Query("SELECT seq, hash, time_utc, key_id, signature FROM audit_checkpoints "
                      "ORDER BY seq"));
  std::map<std::int64_t, Checkpoint> checkpoints;
  for (const auto& row : rows) {
    checkpoints[row.Int(0)] =
        Checkpoint{row.Int(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4)};
  }
  MAMORI_TRY(const auto from_file, ReadCheckpointFile(checkpoint_file));
  for (const auto& checkpoint : from_file) {
    auto [it, inserted] = checkpoints.emplace(checkpoint.seq, checkpoint);
    if (!inserted && (it->second.hash != checkpoint.hash ||
                      it->second.signature != checkpoint.signature)) {
      Fail(report, checkpoint.seq,
           "チェックポイント（番号 " + std::to_string(checkpoint.seq) +
               "）がデータベースとチェックポイントファイルで食い違っています",
           "checkpoint at event " + std::to_string(checkpoint.seq) +
               " differs between the database and the checkpoint file");
      return report;
    }
    // The file's copy is the one kept outside the database: prefer it.
    it->second = checkpoint;
  }
  for (const auto& [seq, checkpoint] : checkpoints) {
    ++report.checkpoints;
    if (!VerifySignature(public_key,
                         CheckpointMessage(checkpoint.seq, checkpoint.hash, checkpoint.time_utc),
                         checkpoint.signature)) {
      Fail(report, seq,
           "チェックポイント（番号 " + std::to_string(seq) + "）の署名が検証できません",
           "the checkpoint at event " + std::to_string(seq) +
               " has a signature that does not verify with this public key");
      return report;
    }
  }

  // Then the chain, in pages so that a long log is not held in memory.
  constexpr std::int64_t kPage = 5000;
  std::string previous_hash(kGenesisHash);
  std::int64_t expected_seq = 1;
  RowEvent current;
  while (true) {
    MAMORI_TRY(const auto page,
               db.Query("SELECT " + std::string(kEventColumns) +
                            " FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?",
                        {expected_seq, kPage}));
    for (const auto& row : page) {
      // Read in place: no copy of the event, no allocation unless it fails.
      current.Read(row);
      const EventView& event = current.view;
      const auto where = [&] { return std::to_string(event.seq); };
      if (event.seq != expected_seq) {
        Fail(report, expected_seq,
             "監査イベント " + std::to_string(expected_seq) + " がありません（削除されています）",
             "audit event " + std::to_string(expected_seq) + " is missing (deleted)");
        return report;
      }
      if (event.prev_hash != previous_hash) {
        Fail(report, event.seq,
             "監査イベント " + where() + " の直前のハッシュが前のイベントと一致しません",
             "audit event " + where() + ": previous-hash does not match the event before it");
        return report;
      }
      if (View(Hex(Sha256Digest(event.state))) != event.state_digest) {
        Fail(report, event.seq, "監査イベント " + where() + " の状態が改ざんされています（ダイジェスト不一致）",
             "audit event " + where() + ": state does not match its digest (altered)");
        return report;
      }
      if (View(EventHashOf(event)) != event.hash) {
        Fail(report, event.seq, "監査イベント " + where() + " が改ざんされています（ハッシュ不一致）",
             "audit event " + where() + ": hash does not match its fields (altered)");
        return report;
      }
      if (const auto it = checkpoints.find(event.seq);
          it != checkpoints.end() && it->second.hash != event.hash) {
        Fail(report, event.seq,
             "監査イベント " + where() + " が署名済みチェックポイントと一致しません",
             "audit event " + where() + " does not match its signed checkpoint");
        return report;
      }
      previous_hash = event.hash;
      ++expected_seq;
      ++report.events;
    }
    if (static_cast<std::int64_t>(page.size()) < kPage) break;
  }
  if (!checkpoints.empty()) {
    report.last_checkpoint_seq = checkpoints.rbegin()->first;
    if (report.last_checkpoint_seq > report.events) {
      Fail(report, report.events + 1,
           "監査ログは " + std::to_string(report.events) + " 件で終わっていますが、番号 " +
               std::to_string(report.last_checkpoint_seq) +
               " まで署名済みです（末尾が削除されています）",
           "the log ends at event " + std::to_string(report.events) +
               " but event " + std::to_string(report.last_checkpoint_seq) +
               " was signed (the tail was cut off)");
      return report;
    }
  }
  report.unanchored_events = report.events - report.last_checkpoint_seq;
  return report;
}

Status Export(const std::vector<Event>& events, ExportFormat format, std::ostream& out) {
  if (format == ExportFormat::kJsonLines) {
    for (const auto& event : events) {
      Json state = Json::parse(event.state, nullptr, false);
      Json line{{"seq", event.seq},
                {"time_utc", event.time_utc},
                {"actor", event.actor},
                {"action", event.action},
                {"object_type", event.object_type},
                {"object_id", event.object_id},
                {"state", state.is_discarded() ? Json(event.state) : state},
                {"state_digest", event.state_digest},
                {"prev_hash", event.prev_hash},
                {"hash", event.hash}};
      out << line.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
    }
    return OkStatus();
  }
  tabular::Table table;
  table.header = {"seq",       "time_utc", "time_jst",     "actor",     "action", "object_type",
                  "object_id", "state",    "state_digest", "prev_hash", "hash"};
  table.rows.reserve(events.size());
  for (const auto& event : events) {
    auto time = ParseTime(event.time_utc, "time_utc");
    table.rows.push_back({std::to_string(event.seq), event.time_utc,
                          time.Ok() ? FormatJst(*time) : std::string(), event.actor, event.action,
                          event.object_type, event.object_id, event.state, event.state_digest,
                          event.prev_hash, event.hash});
  }
  MAMORI_TRY(const auto csv, tabular::WriteCsv(table));
  out << csv;
  return OkStatus();
}

}  // namespace mamori::audit
