#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ledger/schema.h"
#include "ledger/test_support.h"

namespace mamori::ledger {
namespace {

namespace fs = std::filesystem;

TEST(LedgerTest, CreateRecordsInitAndSignsIt) {
  testing::TempLedger ledger("create");
  EXPECT_EQ(ledger->Profile().id, "hannan");
  auto events = ledger->Audit().Events("", "");
  ASSERT_TRUE(events.Ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].action, "ledger.init");
  EXPECT_TRUE(fs::exists(ledger.paths().key));
  EXPECT_TRUE(fs::exists(ledger.paths().key + ".pub"));
  EXPECT_TRUE(fs::exists(ledger.paths().checkpoints));
  EXPECT_EQ(fs::status(ledger.paths().key).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  auto key = audit::ReadVerifyingKey(ledger.paths().key);
  ASSERT_TRUE(key.Ok());
  auto report = audit::Verify(ledger->Db(), *key, ledger.paths().checkpoints);
  ASSERT_TRUE(report.Ok());
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->last_checkpoint_seq, 1);
}

TEST(LedgerTest, CreateNeverOverwrites) {
  testing::TempLedger ledger("overwrite");
  FixedClock clock(TimePoint{});
  auto again = Ledger::Create(ledger.paths(), MAMORI_SOURCE_DIR "/policies/hannan.toml", clock);
  ASSERT_FALSE(again.Ok());
  EXPECT_NE(again.Err().Headline().message_en.find("never overwritten"), std::string::npos);
}

TEST(LedgerTest, CreateWithABadProfileWritesNothing) {
  const auto dir = fs::temp_directory_path() / "mamori_test_badprofile";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto paths = DefaultPaths((dir / "ledger.db").string());
  FixedClock clock(TimePoint{});
  auto ledger = Ledger::Create(paths, MAMORI_SOURCE_DIR "/tests/data/policies/broken/no_such_file.toml", clock);
  EXPECT_FALSE(ledger.Ok());
  EXPECT_FALSE(fs::exists(paths.database));
  EXPECT_FALSE(fs::exists(paths.key));
  fs::remove_all(dir);
}

TEST(LedgerTest, ReopenKeepsEverythingAndFailedChangesLeaveNoTrace) {
  testing::TempLedger ledger("reopen");
  auto failed = ledger->Change([&]() -> Status {
    MAMORI_TRY_STATUS(ledger->Record({"system", "test.event", "test", "1", "{}"}));
    return Error(ErrorCode::kInvalidArgument, "中止", "abort");
  });
  EXPECT_FALSE(failed.Ok());
  ledger.Reopen();
  EXPECT_EQ(*ledger->Audit().LastSeq(), 1);  // only ledger.init
  ASSERT_TRUE(ledger->Change([&] { return ledger->Record({"system", "test.event", "test", "1", "{}"}); }).Ok());
  ledger.Reopen();
  EXPECT_EQ(*ledger->Audit().LastSeq(), 2);
}

TEST(LedgerTest, AChangedProfileIsRecorded) {
  const auto dir = fs::temp_directory_path() / "mamori_test_profile_change_src";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto profile = dir / "p.toml";
  fs::copy_file(MAMORI_SOURCE_DIR "/policies/hannan.toml", profile);
  // hannan.toml extends base.toml by a relative path.
  fs::copy_file(MAMORI_SOURCE_DIR "/policies/base.toml", dir / "base.toml");
  {
    testing::TempLedger ledger("profile_change", profile.string());
    std::ofstream(profile, std::ios::app) << "\n# 改定\n";
    ledger.Reopen();
    auto events = *ledger->Audit().Events("", "");
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].action, "ledger.profile_changed");
    ledger.Reopen();
    EXPECT_EQ(ledger->Audit().Events("", "")->size(), 2u);  // recorded once
  }
  fs::remove_all(dir);
}

TEST(LedgerTest, ReadingAnOlderSchemaSaysSoAndChangingUpgradesIt) {
  testing::TempLedger ledger("old_schema");
  // Make the file look as it did before the three newest migrations (0008
  // drops the sessions' stored CSRF token, 0009 adds the shared rate limits,
  // 0010 the self-inspection and findings tables, 0011 the risk register).
  ASSERT_EQ(Migrations().back().name, "risk");
  ASSERT_TRUE(ledger->Db()
                  .ExecuteScript("ALTER TABLE sessions ADD COLUMN csrf_token TEXT NOT NULL "
                                 "DEFAULT ''; DROP TABLE rate_limits; DROP TABLE risk_assessments; "
                                 "DROP TABLE findings; DROP TABLE assess_items; "
                                 "DROP TABLE assess_forms; DROP TABLE assess_campaigns; "
                                 "DELETE FROM schema_migrations WHERE version >= 8;")
                  .Ok());
  ledger.Close();
  auto read = Ledger::Open(ledger.paths(), ledger.clock(), {.read_only = true});
  ASSERT_FALSE(read.Ok());
  EXPECT_NE(read.Err().Headline().message_en.find("differs"), std::string::npos);
  // Opening to change upgrades the file in place.
  ledger.Reopen();
  EXPECT_EQ(*storage::SchemaVersion(ledger->Db()), static_cast<int>(Migrations().size()));
  EXPECT_FALSE(ledger->Db().Query("SELECT csrf_token FROM sessions").Ok());  // dropped
}

TEST(LedgerTest, CheckpointsEveryNEvents) {
  testing::TempLedger ledger("every_n");
  ledger.Close();
  auto opened = Ledger::Open(ledger.paths(), ledger.clock(), {.checkpoint_every = 3});
  ASSERT_TRUE(opened.Ok());
  auto& l = **opened;
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(l.Change([&] { return l.Record({"system", "test.event", "test", std::to_string(i), "{}"}); }).Ok());
  }
  EXPECT_EQ(*l.Db().QueryInt("SELECT count(*) FROM audit_checkpoints"), 3);  // 1, 4, 7
}

}  // namespace
}  // namespace mamori::ledger
