#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "storage/migrate.h"
#include "storage/open.h"
#include "storage/postgres/postgres_database.h"
#include "storage/sqlite/sqlite_database.h"

// The engine: SQLite files in the temporary directory, or, when
// $MAMORI_TEST_POSTGRES_URL names a PostgreSQL database, a fresh schema per
// test there (scripts/run-tests.sh runs this binary both ways).
namespace mamori::storage {
namespace {

const TimePoint kNow = std::chrono::sys_days(std::chrono::year(2026) / 12 / 1);

const char* Server() {
  const char* url = std::getenv("MAMORI_TEST_POSTGRES_URL");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

// Where test `name`'s database goes, emptied.
std::string Location(const std::string& name) {
  if (Server() == nullptr) {
    const auto path = std::filesystem::temp_directory_path() / ("mamori_storage_" + name + ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    return path.string();
  }
  auto admin = OpenPostgres(Server(), {});
  EXPECT_TRUE(admin.Ok()) << admin.Err().ToString();
  EXPECT_TRUE((*admin)->ExecuteScript("DROP SCHEMA IF EXISTS storage_" + name + " CASCADE").Ok());
  const std::string url(Server());
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "schema=storage_" + name;
}

std::unique_ptr<Database> Connect(const std::string& location, bool create = false) {
  auto db = Open(location, {.create = create, .durable = false});
  EXPECT_TRUE(db.Ok()) << db.Err().ToString();
  return std::move(db).Value();
}

std::unique_ptr<Database> Fresh(const std::string& name) { return Connect(Location(name), true); }

bool MentionsMissingTable(const Error& error) {
  const auto& message = error.Headline().message_en;
  return message.find("no such table") != std::string::npos ||     // SQLite
         message.find("does not exist") != std::string::npos;      // PostgreSQL
}

TEST(StorageTest, BindsAndReadsValues) {
  auto db = Fresh("binds");
  ASSERT_TRUE(db->ExecuteScript("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT)").Ok());
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

TEST(StorageTest, TransactionRollsBackOnError) {
  auto db = Fresh("rollback");
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

TEST(StorageTest, NestedTransactionIsAnError) {
  auto db = Fresh("nested");
  auto status = db->Transaction([&] { return db->Transaction([] { return OkStatus(); }); });
  EXPECT_FALSE(status.Ok());
}

TEST(StorageTest, SqlErrorsAreErrorsNotCrashes) {
  auto db = Fresh("errors");
  auto result = db->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(result.Ok());
  EXPECT_TRUE(MentionsMissingTable(result.Err())) << result.Err().ToString();
  EXPECT_FALSE(db->Execute("SELECT 1 WHERE 1 = ?", {}).Ok());  // parameter count mismatch
  // The connection is still usable afterwards.
  EXPECT_EQ(db->QueryInt("SELECT 1 + 1").Value(), 2);
}

// A statement that fails inside a transaction fails the transaction, on
// both engines: the commit reports it and nothing of it is kept.
TEST(StorageTest, AFailedStatementFailsItsTransaction) {
  auto db = Fresh("failed_statement");
  ASSERT_TRUE(db->Execute("CREATE TABLE t (v INTEGER NOT NULL)").Ok());
  auto status = db->Transaction([&]() -> Status {
    MAMORI_TRY_STATUS(db->Execute("INSERT INTO t VALUES (1)"));
    return db->Execute("INSERT INTO t VALUES (NULL)");
  });
  EXPECT_FALSE(status.Ok());
  EXPECT_EQ(db->QueryInt("SELECT count(*) FROM t").Value(), 0);
}

// The same portable statements on both engines: ids assigned, integers
// read as integers (count, sum), text as text, NULL as NULL, a `?` whose
// type only its value tells.
TEST(StorageTest, PortableSqlMeansTheSameOnBothEngines) {
  auto db = Fresh("portable");
  ASSERT_TRUE(db->ExecuteScript("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, "
                                "s TEXT); CREATE TABLE big (v INTEGER);")
                  .Ok());
  for (int i = 1; i <= 3; ++i) {
    auto id = db->QueryInt("INSERT INTO t (n, s) VALUES (?, ?) RETURNING id",
                           {std::int64_t{i * 10}, std::string("行") + std::to_string(i)});
    ASSERT_TRUE(id.Ok()) << id.Err().ToString();
    EXPECT_EQ(*id, i);
  }
  EXPECT_EQ(db->QueryInt("SELECT sum(n) FROM t").Value(), 60);
  // 64-bit, as SQLite's INTEGER.
  ASSERT_TRUE(db->Execute("INSERT INTO big VALUES (?)", {std::int64_t{1} << 40}).Ok());
  EXPECT_EQ(db->QueryInt("SELECT v FROM big").Value(), std::int64_t{1} << 40);
  auto rows = db->Query("SELECT s, n FROM t WHERE (? IS NULL OR n > ?) ORDER BY id",
                        {std::int64_t{15}, std::int64_t{15}});
  ASSERT_TRUE(rows.Ok()) << rows.Err().ToString();
  ASSERT_EQ(rows->size(), 2U);
  EXPECT_EQ((*rows)[0].Text(0), "行2");
  // The same text in a transaction, with NULL this time.
  ASSERT_TRUE(db->Transaction([&]() -> Status {
                  MAMORI_TRY(const auto all,
                             db->Query("SELECT s FROM t WHERE (? IS NULL OR s = ?)",
                                       {Null(), Null()}));
                  EXPECT_EQ(all.size(), 3U);
                  return OkStatus();
                }).Ok());
  // LIKE with the escape database.h's LikeContaining writes.
  ASSERT_TRUE(db->Execute("INSERT INTO t (n, s) VALUES (1, '10%引き')").Ok());
  EXPECT_EQ(db->QueryInt("SELECT count(*) FROM t WHERE s LIKE ? ESCAPE '\\'",
                         {LikeContaining("10%")})
                .Value(),
            1);
  // Changed rows.
  ASSERT_TRUE(db->Execute("UPDATE t SET n = n + 1 WHERE n >= ?", {std::int64_t{20}}).Ok());
  EXPECT_EQ(db->ChangedRows(), 2);
}

TEST(StorageTest, MigratesInOrderAndUpgradesInPlace) {
  const std::string location = Location("migrate");
  const Migration v1[] = {{1, "one", "CREATE TABLE a (x INTEGER);"}};
  const Migration v2[] = {{1, "one", "CREATE TABLE a (x INTEGER);"},
                          {2, "two", "ALTER TABLE a ADD COLUMN y TEXT; INSERT INTO a VALUES (1, 'y');"}};
  {
    auto db = Connect(location, true);
    EXPECT_EQ(*Migrate(*db, v1, kNow), 1);
    EXPECT_EQ(*Migrate(*db, v1, kNow), 1);  // idempotent
  }
  {
    auto db = Connect(location);
    EXPECT_EQ(*Migrate(*db, v2, kNow), 2);  // the old database upgraded in place
    EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM a WHERE y = 'y'"), 1);
    // A program that knows only v1 refuses the newer database.
    auto older = Migrate(*db, v1, kNow);
    ASSERT_FALSE(older.Ok());
    EXPECT_NE(older.Err().Headline().message_en.find("newer"), std::string::npos);
  }
}

// Engine sections of a migration: each engine runs the portable part and
// its own; line numbers stay where they were written.
TEST(StorageTest, MigrationsRunTheirEnginesPart) {
  constexpr std::string_view kScript =
      "CREATE TABLE a (x INTEGER);\n"
      "-- engine: sqlite\n"
      "CREATE TABLE only_sqlite (x INTEGER);\n"
      "-- engine: postgres\n"
      "CREATE TABLE only_postgres (x INTEGER);\n"
      "-- engine: all\n"
      "CREATE TABLE b (x INTEGER);\n";
  EXPECT_EQ(ForEngine(kScript, "sqlite"),
            "CREATE TABLE a (x INTEGER);\n\nCREATE TABLE only_sqlite (x INTEGER);\n\n\n\n"
            "CREATE TABLE b (x INTEGER);\n");
  EXPECT_EQ(ForEngine(kScript, "postgres"),
            "CREATE TABLE a (x INTEGER);\n\n\n\nCREATE TABLE only_postgres (x INTEGER);\n\n"
            "CREATE TABLE b (x INTEGER);\n");
  auto db = Fresh("engine_part");
  const Migration migrations[] = {{1, "one", kScript}};
  ASSERT_TRUE(Migrate(*db, migrations, kNow).Ok());
  const bool sqlite = db->Engine() == "sqlite";
  EXPECT_EQ(db->Query("SELECT * FROM only_sqlite").Ok(), sqlite);
  EXPECT_EQ(db->Query("SELECT * FROM only_postgres").Ok(), !sqlite);
  EXPECT_TRUE(db->Query("SELECT * FROM b").Ok());
}

TEST(StorageTest, FailedMigrationLeavesTheOldVersion) {
  auto db = Fresh("failed_migration");
  const Migration migrations[] = {{1, "one", "CREATE TABLE a (x INTEGER);"},
                                  {2, "bad", "CREATE TABLE b (x INTEGER); SYNTAX ERROR;"}};
  auto result = Migrate(*db, migrations, kNow);
  ASSERT_FALSE(result.Ok());
  EXPECT_EQ(*SchemaVersion(*db), 1);
  EXPECT_FALSE(db->Query("SELECT * FROM b").Ok());  // rolled back whole
}

// One count for every connection to a database, until its version changes;
// another database (scope) has its own.
TEST(StorageTest, CachedCountsAreSharedByConnectionsUntilTheVersionChanges) {
  const std::string location = Location("cached_count");
  auto first = Connect(location, true);
  auto second = Connect(location);
  const std::string scope = location;
  ASSERT_TRUE(
      first->ExecuteScript("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);").Ok());
  const std::string count = "SELECT COUNT(*) FROM t WHERE v > ?";
  EXPECT_EQ(first->CachedQueryInt(scope, 1, count, {std::int64_t{0}}).Value(), 1);
  ASSERT_TRUE(first->Execute("INSERT INTO t VALUES (2)").Ok());
  // Same version: the other connection is given the kept count.
  EXPECT_EQ(second->CachedQueryInt(scope, 1, count, {std::int64_t{0}}).Value(), 1);
  // Another parameter, another database: counted.
  EXPECT_EQ(second->CachedQueryInt(scope, 1, count, {std::int64_t{1}}).Value(), 1);
  EXPECT_EQ(second->CachedQueryInt("other.db", 1, count, {std::int64_t{0}}).Value(), 2);
  // A new version: counted again.
  EXPECT_EQ(second->CachedQueryInt(scope, 2, count, {std::int64_t{0}}).Value(), 2);
}

// Writers queue: two connections that each read the largest number and
// append the next one, in transactions, never write the same number twice
// (the audit chain's sequence relies on this on both engines).
TEST(StorageTest, WritersOfOneDatabaseRunOneAfterAnother) {
  const std::string location = Location("writers");
  {
    auto db = Connect(location, true);
    ASSERT_TRUE(db->Execute("CREATE TABLE seq (n INTEGER PRIMARY KEY)").Ok());
  }
  constexpr int kEach = 100;
  const auto writer = [&location](int* failures) {
    auto db = Connect(location);
    for (int i = 0; i < kEach; ++i) {
      const auto status = db->Transaction([&]() -> Status {
        MAMORI_TRY(const auto last, db->QueryInt("SELECT coalesce(max(n), 0) FROM seq"));
        return db->Execute("INSERT INTO seq (n) VALUES (?)", {last + 1});
      });
      if (!status.Ok()) ++*failures;
    }
  };
  int failures_a = 0;
  int failures_b = 0;
  std::thread a(writer, &failures_a);
  std::thread b(writer, &failures_b);
  a.join();
  b.join();
  EXPECT_EQ(failures_a + failures_b, 0);
  auto db = Connect(location);
  EXPECT_EQ(db->QueryInt("SELECT count(*) FROM seq").Value(), 2 * kEach);
  EXPECT_EQ(db->QueryInt("SELECT max(n) FROM seq").Value(), 2 * kEach);
}

// The database server ends a connection (a restart, a fail-over): the next
// statement outside a transaction runs on a new one; a transaction that
// loses its connection fails whole.
TEST(StorageTest, APostgresConnectionLostIsMadeAgain) {
  if (Server() == nullptr) GTEST_SKIP() << "PostgreSQL only";
  const std::string location = Location("reconnect");
  auto db = Connect(location, true);
  auto other = Connect(location);
  ASSERT_TRUE(db->ExecuteScript("CREATE TABLE t (v INTEGER)").Ok());
  const auto end_session = [&] {
    const auto pid = db->QueryInt("SELECT pg_backend_pid()");
    ASSERT_TRUE(pid.Ok());
    ASSERT_TRUE(other->Query("SELECT pg_terminate_backend(?)", {*pid}).Ok());
  };
  end_session();
  EXPECT_EQ(db->QueryInt("SELECT count(*) FROM t").Value(), 0);  // on a new connection
  EXPECT_TRUE(db->Execute("INSERT INTO t VALUES (1)").Ok());      // prepared again
  auto status = db->Transaction([&]() -> Status {
    MAMORI_TRY_STATUS(db->Execute("INSERT INTO t VALUES (2)"));
    end_session();
    return db->Execute("INSERT INTO t VALUES (3)");
  });
  EXPECT_FALSE(status.Ok());
  EXPECT_EQ(db->QueryInt("SELECT count(*) FROM t").Value(), 1);  // only the one before
}

// A commit by another connection changes this connection's DataVersion.
TEST(StorageTest, DataVersionSeesOtherConnectionsCommits) {
  const std::string location = Location("data_version");
  auto first = Connect(location, true);
  auto second = Connect(location);
  ASSERT_TRUE(first->Execute("CREATE TABLE t (v INTEGER)").Ok());
  const auto before = second->DataVersion();
  ASSERT_TRUE(before.Ok()) << before.Err().ToString();
  EXPECT_EQ(second->DataVersion().Value(), *before);  // nothing happened
  ASSERT_TRUE(first->Transaction([&] { return first->Execute("INSERT INTO t VALUES (1)"); }).Ok());
  EXPECT_NE(second->DataVersion().Value(), *before);
}

TEST(StorageTest, OpeningAMissingDatabaseWithoutCreateFails) {
  auto db = OpenSqlite("/nonexistent/mamori.db", {});
  ASSERT_FALSE(db.Ok());
  EXPECT_EQ(db.Err().Code(), ErrorCode::kNotFound);
  if (Server() != nullptr) {
    const std::string location = Location("missing");
    auto missing = Open(location, {});
    ASSERT_FALSE(missing.Ok());
    EXPECT_EQ(missing.Err().Code(), ErrorCode::kNotFound);
    EXPECT_FALSE(HoldsLedger(location).Value());
  }
}

// A server that is not there: a clear error naming the place, never the password.
TEST(StorageTest, AnUnreachableServerIsAClearErrorWithoutThePassword) {
  auto db = Open("postgresql://mamori:s3cret@/mamori?host=/nonexistent&connect_timeout=2", {});
  ASSERT_FALSE(db.Ok());
  const std::string text = db.Err().ToString();
  EXPECT_NE(text.find("cannot connect"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
}

TEST(StorageTest, LocationsNameTheirEngine) {
  EXPECT_FALSE(IsServerUrl("mamori.db"));
  EXPECT_FALSE(IsServerUrl("/var/lib/postgresql/x.db"));
  EXPECT_TRUE(IsServerUrl("postgresql://db.example.lg.jp/mamori"));
  EXPECT_TRUE(IsServerUrl("postgres:///mamori"));
  auto parsed = ParseServerUrl("postgresql://u@h:5433/ledger?sslmode=require&schema=hannan");
  ASSERT_TRUE(parsed.Ok());
  EXPECT_EQ(parsed->url, "postgresql://u@h:5433/ledger?sslmode=require");
  EXPECT_EQ(parsed->schema, "hannan");
  EXPECT_EQ(parsed->dbname, "ledger");
  EXPECT_EQ(LocalName("postgresql://u@h:5433/ledger?schema=hannan"), "mamori-ledger-hannan");
  EXPECT_EQ(LocalName("data/mamori.db"), "data/mamori.db");
  // A schema names files and locks: plain identifiers only.
  for (const char* bad : {"Hannan", "a;drop", "1abc", "a-b"}) {
    EXPECT_FALSE(ParseServerUrl(std::string("postgresql:///m?schema=") + bad).Ok()) << bad;
    EXPECT_FALSE(ParseServerUrl(std::string("postgresql:///m?role=") + bad).Ok()) << bad;
  }
  // role= (a tenant's own role, SET ROLE after connecting) is taken off too.
  auto with_role = ParseServerUrl("postgresql:///m?host=/run&schema=t1&role=mamori_t_t1");
  ASSERT_TRUE(with_role.Ok());
  EXPECT_EQ(with_role->url, "postgresql:///m?host=/run");
  EXPECT_EQ(with_role->schema, "t1");
  EXPECT_EQ(with_role->role, "mamori_t_t1");
  EXPECT_EQ(RedactUrl("postgresql://mamori:pw@h/db"), "postgresql://mamori:***@h/db");
  EXPECT_EQ(RedactUrl("postgresql:///db?password=pw&user=u"), "postgresql:///db?password=***&user=u");
}

// `?` is a placeholder only in code: not in quotes, comments or $$ bodies.
TEST(StorageTest, PlaceholdersAreNumberedOnlyInCode) {
  int count = 0;
  EXPECT_EQ(NumberPlaceholders("SELECT ?, '?', \"?\", ? -- ?\n/* ? */ $$?$$ $x$?$x$ ?", &count),
            "SELECT $1, '?', \"?\", $2 -- ?\n/* ? */ $$?$$ $x$?$x$ $3");
  EXPECT_EQ(count, 3);
  EXPECT_EQ(NumberPlaceholders("SELECT 'it''s ?' || ?", &count), "SELECT 'it''s ?' || $1");
  EXPECT_EQ(count, 1);
  EXPECT_EQ(NumberPlaceholders("SELECT '?", &count), "SELECT '?");  // unterminated: left alone
  EXPECT_EQ(count, 0);
}

TEST(StorageTest, PortableDdlIsTranslatedForPostgres) {
  EXPECT_EQ(TranslateDdl("CREATE TABLE t (id INTEGER PRIMARY KEY, n integer NOT NULL, "
                         "k INTEGER\n  PRIMARY   KEY, note TEXT DEFAULT 'INTEGER') -- INTEGER"),
            "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT "
            "NOT NULL, k BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note TEXT DEFAULT "
            "'INTEGER') -- INTEGER");
  EXPECT_EQ(TranslateDdl("CREATE TABLE integers (my_integer TEXT)"),
            "CREATE TABLE integers (my_integer TEXT)");
}

}  // namespace
}  // namespace mamori::storage
