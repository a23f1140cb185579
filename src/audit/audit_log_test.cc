#include "audit/audit_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/schema.h"
#include "ledger/test_support.h"
#include "storage/open.h"

namespace mamori::audit {
namespace {

namespace fs = std::filesystem;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name =
        "audit_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    dir_ = fs::temp_directory_path() / ("mamori_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // SQLite, or PostgreSQL with $MAMORI_TEST_POSTGRES_URL (ledger/test_support.h).
    auto db = storage::Open(ledger::testing::TestDatabaseLocation(name, dir_), {.create = true});
    ASSERT_TRUE(db.Ok()) << db.Err().ToString();
    db_ = std::move(db).Value();
    ASSERT_TRUE(storage::Migrate(*db_, ledger::Migrations(), clock_.Now()).Ok());
    auto key = GenerateKeyFile(KeyPath());
    ASSERT_TRUE(key.Ok());
    key_ = *key;
    log_ = std::make_unique<AuditLog>(*db_, clock_);
  }
  void TearDown() override {
    log_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  std::string KeyPath() const { return (dir_ / "audit-key").string(); }
  std::string CheckpointPath() const { return (dir_ / "checkpoints.jsonl").string(); }

  void AppendEvents(int n) {
    ASSERT_TRUE(db_->Transaction([&]() -> Status {
                     for (int i = 0; i < n; ++i) {
                       clock_.Advance(std::chrono::seconds(60));
                       MAMORI_TRY(const auto event,
                                  log_->Append({"u" + std::to_string(i), "asset.add", "asset",
                                                std::to_string(i),
                                                R"({"name":"資産)" + std::to_string(i) + "\"}"}));
                       (void)event;
                     }
                     return OkStatus();
                   }).Ok());
  }

  VerifyReport VerifyNow() {
    auto report = Verify(*db_, key_.public_key, CheckpointPath());
    EXPECT_TRUE(report.Ok());
    return report.Ok() ? *report : VerifyReport{};
  }

  // What an attacker with write access to the database does first.
  void DropGuards() {
    const std::string on = db_->Engine() == "postgres" ? " ON audit_events" : "";
    ASSERT_TRUE(db_->ExecuteScript("DROP TRIGGER audit_events_no_update" + on +
                                   "; DROP TRIGGER audit_events_no_delete" + on + ";")
                    .Ok());
  }

  fs::path dir_;
  FixedClock clock_{std::chrono::sys_days(std::chrono::year(2026) / 12 / 1)};
  std::unique_ptr<storage::Database> db_;
  SigningKey key_;
  std::unique_ptr<AuditLog> log_;
};

// Independent answers (FIPS 180-2 and Python's hashlib), so that a change
// of the SHA-256 library cannot change what existing logs hash to.
TEST(AuditHashTest, Sha256HexKnownAnswers) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(AuditHashTest, EventHashIsTheDocumentedFormula) {
  // sha256("21:mamori-audit-event-v1" "2:42" "20:2026-12-01T00:00:00Z" "2:m1" ...):
  // each field as "<byte length>:<bytes>" (docs/ledger-schema.md).
  Event event;
  event.seq = 42;
  event.time_utc = "2026-12-01T00:00:00Z";
  event.actor = "m1";
  event.action = "asset.add";
  event.object_type = "asset";
  event.object_id = "zeimu-data-1";
  event.state = R"({"name":"固定資産税課税台帳"})";
  event.state_digest = Sha256Hex(event.state);
  for (int i = 0; i < 32; ++i) event.prev_hash += "ab";
  EXPECT_EQ(event.state_digest, "6e1e6ce0a4a7df62807f0edc76c1d360b471b5fd0656a86ebe58bd05d560b6e0");
  EXPECT_EQ(EventHash(event), "3df5192664f93d4add3382fa4c5a33ade6b62c70596908db189876a314861928");
}

TEST_F(AuditLogTest, ChainOfEventsVerifies) {
  AppendEvents(5);
  auto checkpoint = log_->MakeCheckpoint(key_, CheckpointPath());
  ASSERT_TRUE(checkpoint.Ok());
  ASSERT_TRUE(checkpoint->has_value());
  EXPECT_EQ((*checkpoint)->seq, 5);
  AppendEvents(2);
  const auto report = VerifyNow();
  EXPECT_TRUE(report.ok) << report.problem_en;
  EXPECT_EQ(report.events, 7);
  EXPECT_EQ(report.last_checkpoint_seq, 5);
  EXPECT_EQ(report.unanchored_events, 2);
  auto events = log_->Events("", "");
  ASSERT_TRUE(events.Ok());
  EXPECT_EQ((*events)[0].prev_hash, kGenesisHash);
  EXPECT_EQ((*events)[1].prev_hash, (*events)[0].hash);
}

TEST_F(AuditLogTest, AppendOnlyInsideATransaction) {
  auto event = log_->Append({"u", "x", "y", "z", "null"});
  EXPECT_FALSE(event.Ok());
}

TEST_F(AuditLogTest, TriggersRefuseUpdateAndDelete) {
  AppendEvents(2);
  EXPECT_FALSE(db_->Execute("UPDATE audit_events SET actor = 'x' WHERE seq = 1").Ok());
  EXPECT_FALSE(db_->Execute("DELETE FROM audit_events WHERE seq = 2").Ok());
}

TEST_F(AuditLogTest, EditedEventIsNamed) {
  AppendEvents(6);
  DropGuards();
  ASSERT_TRUE(db_->Execute(R"(UPDATE audit_events SET state = '{"name":"改ざん"}' WHERE seq = 4)").Ok());
  const auto report = VerifyNow();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 4);
  EXPECT_NE(report.problem_ja.find('4'), std::string::npos);
}

TEST_F(AuditLogTest, EditedEventWithRecomputedDigestIsNamed) {
  AppendEvents(6);
  DropGuards();
  // A careful attacker fixes the digest too; the hash still breaks.
  const std::string state = R"({"name":"改ざん"})";
  ASSERT_TRUE(db_->Execute("UPDATE audit_events SET state = ?, state_digest = ? WHERE seq = 3",
                           {state, Sha256Hex(state)})
                  .Ok());
  const auto report = VerifyNow();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq.value_or(0), 3);
}

TEST_F(AuditLogTest, LongLogVerifiesAndEditsAfterTheFirstPageAreNamed) {
  // Verify reads the log in pages of 5 000 events.
  AppendEvents(5003);
  ASSERT_TRUE(log_->MakeCheckpoint(key_, CheckpointPath()).Ok());
  auto report = VerifyNow();
  EXPECT_TRUE(report.ok) << report.problem_en;
  EXPECT_EQ(report.events, 5003);
  DropGuards();
  ASSERT_TRUE(db_->Execute("UPDATE audit_events SET actor = 'x' WHERE seq = 5002").Ok());
  report = VerifyNow();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq.value_or(0), 5002);
  EXPECT_EQ(report.events, 5001);
}

TEST_F(AuditLogTest, RehashedTailIsCaughtByTheCheckpoint) {
  AppendEvents(4);
  ASSERT_TRUE(log_->MakeCheckpoint(key_, CheckpointPath()).Ok());
  DropGuards();
  // Rewrite event 2 and recompute every hash after it: the chain is
  // consistent again, but event 4 no longer matches its signed checkpoint.
  auto events = *log_->Events("", "");
  events[1].actor = "intruder";
  for (std::size_t i = 1; i < events.size(); ++i) {
    events[i].prev_hash = events[i - 1].hash;
    events[i].hash = EventHash(events[i]);
    ASSERT_TRUE(db_->Execute("UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                             {events[i].actor, events[i].prev_hash, events[i].hash, events[i].seq})
                    .Ok());
  }
  const auto report = VerifyNow();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq.value_or(0), 4);
}

TEST_F(AuditLogTest, DeletedEventIsNamed) {
  AppendEvents(5);
  DropGuards();
  ASSERT_TRUE(db_->Execute("DELETE FROM audit_events WHERE seq = 3").Ok());
  const auto report = VerifyNow();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq.value_or(0), 3);
  EXPECT_NE(report.problem_en.find("missing"), std::string::npos);
}

TEST_F(AuditLogTest, TruncatedTailIsDetectedFromTheCheckpointFile) {
  AppendEvents(5);
  ASSERT_TRUE(log_->MakeCheckpoint(key_, CheckpointPath()).Ok());
  DropGuards();
  // The attacker deletes the last two events and the database's checkpoint;
  // the file beside the key still has it.
  ASSERT_TRUE(db_->Execute("DELETE FROM audit_events WHERE seq > 3").Ok());
  ASSERT_TRUE(db_->Execute("DELETE FROM audit_checkpoints").Ok());
  const auto report = VerifyNow();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq.value_or(0), 4);
  EXPECT_NE(report.problem_en.find("cut off"), std::string::npos);
}

TEST_F(AuditLogTest, ForgedCheckpointIsRejected) {
  AppendEvents(3);
  ASSERT_TRUE(log_->MakeCheckpoint(key_, CheckpointPath()).Ok());
  auto other = GenerateKeyFile((dir_ / "other-key").string());
  ASSERT_TRUE(other.Ok());
  auto report = Verify(*db_, other->public_key, CheckpointPath());
  ASSERT_TRUE(report.Ok());
  EXPECT_FALSE(report->ok);
  EXPECT_NE(report->problem_en.find("signature"), std::string::npos);
}

TEST_F(AuditLogTest, TornLastLineOfTheCheckpointFileIsIgnored) {
  AppendEvents(2);
  ASSERT_TRUE(log_->MakeCheckpoint(key_, CheckpointPath()).Ok());
  std::ofstream(CheckpointPath(), std::ios::app) << R"({"seq":9,"hash":"ab)";
  const auto report = VerifyNow();
  EXPECT_TRUE(report.ok) << report.problem_en;
}

TEST_F(AuditLogTest, KeysAreNeverOverwrittenAndMustBePrivate) {
  EXPECT_FALSE(GenerateKeyFile(KeyPath()).Ok());
  fs::permissions(KeyPath(), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  auto key = ReadSigningKey(KeyPath());
  ASSERT_FALSE(key.Ok());
  EXPECT_NE(key.Err().Headline().message_en.find("chmod 600"), std::string::npos);
}

TEST_F(AuditLogTest, ExportsJsonLinesAndCsvForAPeriod) {
  AppendEvents(3);  // at 00:01, 00:02, 00:03 UTC
  auto events = log_->Events("2026-12-01T00:02:00Z", "2026-12-01T00:03:00Z");
  ASSERT_TRUE(events.Ok());
  ASSERT_EQ(events->size(), 1u);
  std::ostringstream jsonl;
  ASSERT_TRUE(Export(*events, ExportFormat::kJsonLines, jsonl).Ok());
  EXPECT_NE(jsonl.str().find(R"("seq":2)"), std::string::npos);
  EXPECT_NE(jsonl.str().find("資産1"), std::string::npos);
  std::ostringstream csv;
  ASSERT_TRUE(Export(*events, ExportFormat::kCsv, csv).Ok());
  EXPECT_EQ(csv.str().rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_NE(csv.str().find("2026-12-01 09:02:00 JST"), std::string::npos);
}

}  // namespace
}  // namespace mamori::audit
