#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/sqlite/sqlite_database.h"
#include "ledger/store/migrate.h"

namespace mamori::store {
namespace {

const TimePoint kNow = std::chrono::sys_days(std::chrono::year(2026) / 12 / 1);

std::unique_ptr<Database> Memory() {
  auto db = OpenSqlite(":memory:", {.create = true});
  EXPECT_TRUE(db.Ok());
  return std::move(db).Value();
}

TEST(StoreTest, BindsAndReadsValues) {
  auto db = Memory();
  ASSERT_TRUE(db->Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT)").Ok());
  auto id = db->QueryInt("INSERT INTO t (name, note) VALUES (?, ?) RETURNING id",
                         {std::string("住民基本台帳"), Null()});
  ASSERT_TRUE(id.Ok());
  EXPECT_EQ(*id, 1);
  auto row = db->QueryOne("SELECT id, name, note FROM t WHERE id = ?", {std::int64_t{1}});
  ASSERT_TRUE(row.Ok());
  EXPECT_EQ(row->Text(1), "住民基本台帳");
  EXPECT_TRUE(row->IsNull(2));
  EXPECT_FALSE(row->OptionalText(2).has_value());
}

TEST(StoreTest, TransactionRollsBackOnError) {
  auto db = Memory();
  ASSERT_TRUE(db->Execute("CREATE TABLE t (v INTEGER)").Ok());
  auto status = db->Transaction([&]() -> Status {
    MAMORI_TRY_STATUS(db->Execute("INSERT INTO t VALUES (1)"));
    return Error(ErrorCode::kInvalidArgument, "中止", "abort");
  });
  EXPECT_FALSE(status.Ok());
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM t"), 0);
  EXPECT_TRUE(db->Transaction([&] { return db->Execute("INSERT INTO t VALUES (1)"); }).Ok());
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM t"), 1);
}

TEST(StoreTest, NestedTransactionIsAnError) {
  auto db = Memory();
  auto status = db->Transaction([&] { return db->Transaction([] { return OkStatus(); }); });
  EXPECT_FALSE(status.Ok());
}

TEST(StoreTest, SqlErrorsAreErrorsNotCrashes) {
  auto db = Memory();
  auto result = db->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(result.Ok());
  EXPECT_NE(result.Err().Headline().message_en.find("no such table"), std::string::npos);
  EXPECT_FALSE(db->Execute("SELECT ?", {}).Ok());  // parameter count mismatch
}

TEST(StoreTest, MigratesInOrderAndUpgradesInPlace) {
  const auto path = std::filesystem::temp_directory_path() / "mamori_store_migrate.db";
  std::filesystem::remove(path);
  const Migration v1[] = {{1, "one", "CREATE TABLE a (x INTEGER);"}};
  const Migration v2[] = {{1, "one", "CREATE TABLE a (x INTEGER);"},
                          {2, "two", "ALTER TABLE a ADD COLUMN y TEXT; INSERT INTO a VALUES (1, 'y');"}};
  {
    auto db = OpenSqlite(path.string(), {.create = true});
    ASSERT_TRUE(db.Ok());
    EXPECT_EQ(*Migrate(**db, v1, kNow), 1);
    EXPECT_EQ(*Migrate(**db, v1, kNow), 1);  // idempotent
  }
  {
    auto db = OpenSqlite(path.string(), {});
    ASSERT_TRUE(db.Ok());
    EXPECT_EQ(*Migrate(**db, v2, kNow), 2);  // the old file upgraded in place
    EXPECT_EQ(*(*db)->QueryInt("SELECT count(*) FROM a WHERE y = 'y'"), 1);
    // A program that knows only v1 refuses the newer file.
    auto older = Migrate(**db, v1, kNow);
    ASSERT_FALSE(older.Ok());
    EXPECT_NE(older.Err().Headline().message_en.find("newer"), std::string::npos);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

TEST(StoreTest, FailedMigrationLeavesTheOldVersion) {
  auto db = Memory();
  const Migration migrations[] = {{1, "one", "CREATE TABLE a (x INTEGER);"},
                                  {2, "bad", "CREATE TABLE b (x INTEGER); SYNTAX ERROR;"}};
  auto result = Migrate(*db, migrations, kNow);
  ASSERT_FALSE(result.Ok());
  EXPECT_EQ(*SchemaVersion(*db), 1);
  EXPECT_FALSE(db->Query("SELECT * FROM b").Ok());  // rolled back whole
}

// One count for every connection to a database, until its version changes;
// another database (scope) has its own.
TEST(StoreTest, CachedCountsAreSharedByConnectionsUntilTheVersionChanges) {
  const auto path = std::filesystem::temp_directory_path() / "mamori_store_cached_count.db";
  std::filesystem::remove(path);
  auto first = OpenSqlite(path.string(), {.create = true});
  ASSERT_TRUE(first.Ok());
  auto second = OpenSqlite(path.string(), {});
  ASSERT_TRUE(second.Ok());
  ASSERT_TRUE(
      (*first)->ExecuteScript("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);").Ok());
  const std::string count = "SELECT COUNT(*) FROM t WHERE v > ?";
  EXPECT_EQ((*first)->CachedQueryInt(path.string(), 1, count, {std::int64_t{0}}).Value(), 1);
  ASSERT_TRUE((*first)->Execute("INSERT INTO t VALUES (2)").Ok());
  // Same version: the other connection is given the kept count.
  EXPECT_EQ((*second)->CachedQueryInt(path.string(), 1, count, {std::int64_t{0}}).Value(), 1);
  // Another parameter, another database: counted.
  EXPECT_EQ((*second)->CachedQueryInt(path.string(), 1, count, {std::int64_t{1}}).Value(), 1);
  EXPECT_EQ((*second)->CachedQueryInt("other.db", 1, count, {std::int64_t{0}}).Value(), 2);
  // A new version: counted again.
  EXPECT_EQ((*second)->CachedQueryInt(path.string(), 2, count, {std::int64_t{0}}).Value(), 2);
  std::filesystem::remove(path);
}

TEST(StoreTest, OpeningAMissingDatabaseWithoutCreateFails) {
  auto db = OpenSqlite("/nonexistent/mamori.db", {});
  ASSERT_FALSE(db.Ok());
  EXPECT_EQ(db.Err().Code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace mamori::store
