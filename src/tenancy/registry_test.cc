#include "tenancy/registry.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "auth/secret_box.h"
#include "ledger/org.h"
#include "storage/open.h"

namespace mamori::tenancy {
namespace {

namespace fs = std::filesystem;

constexpr const char* kProfile = MAMORI_SOURCE_DIR "/policies/hannan.toml";

// The PostgreSQL server of the test run ($MAMORI_TEST_POSTGRES_URL), "" for SQLite only.
std::string PostgresUrl() {
  const char* url = std::getenv("MAMORI_TEST_POSTGRES_URL");
  return url == nullptr ? "" : url;
}

// Drops a tenant's schema and its role (left by an earlier run).
void DropSchema(const std::string& url, const std::string& schema) {
  auto admin = storage::Open(url, {});
  ASSERT_TRUE(admin.Ok()) << admin.Err().ToString();
  ASSERT_TRUE((*admin)->ExecuteScript("DROP SCHEMA IF EXISTS " + schema + " CASCADE").Ok());
  ASSERT_TRUE((*admin)->ExecuteScript("DROP ROLE IF EXISTS mamori_t_" + schema).Ok());
}

std::int64_t Count(const std::string& url, const std::string& sql, const std::string& value) {
  auto admin = storage::Open(url, {});
  if (!admin.Ok()) return -1;
  auto count = (*admin)->QueryInt(sql, {value});
  return count.Ok() ? *count : -1;
}

bool SchemaExists(const std::string& url, const std::string& schema) {
  auto admin = storage::Open(url, {});
  if (!admin.Ok()) return false;
  auto count = (*admin)->QueryInt("SELECT count(*) FROM pg_namespace WHERE nspname = ?", {schema});
  return count.Ok() && *count == 1;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           (std::string("mamori_tenancy_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto registry = Registry::Open(dir_.string(), clock_, Registry::Mode::kCreateIfMissing);
    ASSERT_TRUE(registry.Ok()) << registry.Err().ToString();
    registry_ = std::move(registry).Value();
  }
  void TearDown() override {
    registry_.reset();
    fs::remove_all(dir_);
  }

  Result<Tenant> Add(const std::string& id, const std::string& profile = kProfile,
                     std::vector<std::string> hosts = {}, const AddOptions& options = {}) {
    return AddTenant(*registry_, "operator1",
                     {.id = id, .name = id + "市", .profile = profile, .hosts = std::move(hosts)},
                     clock_,
                     AddOptions{.durable = false, .before_register = options.before_register});
  }

  // The registry's rows and the tenants directory, to show nothing changed.
  std::string Snapshot() {
    std::string out;
    auto tenants = registry_->List();
    EXPECT_TRUE(tenants.Ok());
    for (const auto& t : *tenants) {
      out += t.id + "|" + t.name + "|" + std::string(StatusId(t.status)) + "|";
      for (const auto& h : t.hosts) out += h + ",";
      out += "\n";
    }
    std::error_code ec;
    if (fs::exists(dir_ / "tenants")) {
      for (const auto& entry : fs::recursive_directory_iterator(dir_ / "tenants", ec)) {
        out += entry.path().lexically_relative(dir_).string() + "\n";
      }
    }
    auto events = registry_->Events();
    EXPECT_TRUE(events.Ok());
    out += "events " + std::to_string(events->size());
    return out;
  }

  fs::path dir_;
  FixedClock clock_{ParseTime("2026-12-01T00:00:00Z", "now").Value()};
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, AddCreatesALedgerAsInitDoesAndRegistersIt) {
  auto added = Add("hannan", kProfile, {"hannan.example.jp"});
  ASSERT_TRUE(added.Ok()) << added.Err().ToString();
  EXPECT_EQ(added->location, "tenants/hannan/ledger.db");

  auto listed = registry_->List();
  ASSERT_TRUE(listed.Ok());
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ((*listed)[0].name, "hannan市");
  EXPECT_EQ((*listed)[0].status, TenantStatus::kActive);
  EXPECT_EQ((*listed)[0].hosts, std::vector<std::string>{"hannan.example.jp"});
  auto by_host = registry_->FindByHost("hannan.example.jp");
  ASSERT_TRUE(by_host.Ok() && by_host->has_value());
  EXPECT_EQ((*by_host)->id, "hannan");

  // The tenant's ledger: its own profile, key, secret key and audit chain.
  const auto paths = registry_->PathsOf(*added);
  EXPECT_TRUE(fs::exists(paths.key));
  EXPECT_TRUE(fs::exists(paths.key + ".pub"));
  EXPECT_TRUE(fs::exists(auth::SecretKeyPath(paths.database, paths.key)));
  auto ledger = ledger::Ledger::Open(paths, clock_, {});
  ASSERT_TRUE(ledger.Ok()) << ledger.Err().ToString();
  EXPECT_EQ((*ledger)->Profile().id, "hannan");
  auto key = audit::ReadVerifyingKey(paths.key);
  ASSERT_TRUE(key.Ok());
  auto verified = audit::Verify((*ledger)->Db(), *key, paths.checkpoints);
  ASSERT_TRUE(verified.Ok());
  EXPECT_TRUE(verified->ok) << verified->problem_en;
  EXPECT_GE(verified->events, 1);

  // The registry's own chain: installation.init, tenant.add.
  auto events = registry_->Events();
  ASSERT_TRUE(events.Ok());
  ASSERT_EQ(events->size(), 2U);
  EXPECT_EQ((*events)[1].action, "tenant.add");
  EXPECT_EQ((*events)[1].actor, "operator1");
  auto report = registry_->Verify();
  ASSERT_TRUE(report.Ok()) << report.Err().ToString();
  EXPECT_TRUE(report->ok) << report->problem_en;
  EXPECT_EQ(report->unanchored_events, 0);
}

TEST_F(RegistryTest, BadInputIsRefusedNamingItAndNothingIsMade) {
  ASSERT_TRUE(Add("hannan", kProfile, {"hannan.example.jp"}).Ok());
  const std::string before = Snapshot();

  struct Case {
    std::string id;
    std::string profile;
    std::vector<std::string> hosts;
    std::string key;      // the diagnostic's key
    std::string message;  // a part of the Japanese message
  };
  const std::vector<Case> cases = {
      {"hannan", kProfile, {}, "id", "既に登録されています"},
      {"Hannan", kProfile, {}, "id", "テナント ID"},
      {"1city", kProfile, {}, "id", "テナント ID"},
      {"a/../b", kProfile, {}, "id", "テナント ID"},
      {"", kProfile, {}, "id", "テナント ID"},
      {"kaizuka", kProfile, {"hannan.example.jp"}, "host", "既にテナント hannan"},
      {"kaizuka", kProfile, {"Kaizuka.example.jp"}, "host", "ホスト名"},
      {"kaizuka", kProfile, {"kaizuka.example.jp:8080"}, "host", "ホスト名"},
      {"kaizuka", kProfile, {"a.jp", "a.jp"}, "host", "重複"},
  };
  for (const auto& c : cases) {
    auto added = Add(c.id, c.profile, c.hosts);
    ASSERT_FALSE(added.Ok()) << c.id;
    EXPECT_EQ(added.Err().Headline().where.key, c.key) << added.Err().ToString();
    EXPECT_NE(added.Err().ToString().find(c.message), std::string::npos) << added.Err().ToString();
    EXPECT_EQ(Snapshot(), before) << c.id;
  }
  // An unknown profile: the loader's error names the file.
  auto unknown = Add("kaizuka", "/nonexistent/kaizuka.toml");
  ASSERT_FALSE(unknown.Ok());
  EXPECT_NE(unknown.Err().ToString().find("/nonexistent/kaizuka.toml"), std::string::npos)
      << unknown.Err().ToString();
  EXPECT_EQ(Snapshot(), before);
  // An unreachable PostgreSQL: named, nothing made.
  auto unreachable = AddTenant(*registry_, "operator1",
                               {.id = "kaizuka",
                                .name = "貝塚市",
                                .profile = kProfile,
                                .postgres = "postgresql:///nodb?host=/nonexistent-socket-dir"},
                               clock_, {.durable = false});
  ASSERT_FALSE(unreachable.Ok());
  EXPECT_NE(unreachable.Err().ToString().find("に接続できません"), std::string::npos)
      << unreachable.Err().ToString();
  EXPECT_EQ(Snapshot(), before);
  // A leftover directory of a tenant not in the registry is never written over.
  fs::create_directories(dir_ / "tenants" / "kaizuka");
  { std::ofstream(dir_ / "tenants" / "kaizuka" / "ledger.db") << "old"; }
  auto leftover = Add("kaizuka");
  ASSERT_FALSE(leftover.Ok());
  EXPECT_NE(leftover.Err().ToString().find("既にあります"), std::string::npos);
  std::ifstream kept(dir_ / "tenants" / "kaizuka" / "ledger.db");
  std::string text;
  kept >> text;
  EXPECT_EQ(text, "old");
}

TEST_F(RegistryTest, AFailureAfterTheLedgerWasMadeRemovesItAgain) {
  ASSERT_TRUE(Add("hannan").Ok());
  const std::string before = Snapshot();
  auto failed =
      Add("kaizuka", kProfile, {"kaizuka.example.jp"}, {.before_register = []() -> Status {
            return Error(ErrorCode::kIo, "書けません", "disk full");
          }});
  ASSERT_FALSE(failed.Ok());
  EXPECT_EQ(failed.Err().Headline().message_en, "disk full");
  EXPECT_FALSE(fs::exists(dir_ / "tenants" / "kaizuka"));
  EXPECT_EQ(Snapshot(), before);
  // And the same id can be added afterwards.
  ASSERT_TRUE(Add("kaizuka", kProfile, {"kaizuka.example.jp"}).Ok());
}

TEST_F(RegistryTest, DisableKeepsEverythingAndIsRecorded) {
  ASSERT_TRUE(Add("hannan", kProfile, {"hannan.example.jp"}).Ok());
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(registry_->Disable("operator2", "hannan").Ok());
  auto found = registry_->Find("hannan");
  ASSERT_TRUE(found.Ok() && found->has_value());
  EXPECT_EQ((*found)->status, TenantStatus::kDisabled);
  EXPECT_EQ((*found)->disabled_utc, "2026-12-01T01:00:00Z");
  EXPECT_TRUE(fs::exists(registry_->PathsOf(**found).database));

  auto again = registry_->Disable("operator2", "hannan");
  ASSERT_FALSE(again.Ok());
  EXPECT_EQ(again.Err().Code(), ErrorCode::kConflict);
  auto unknown = registry_->Disable("operator2", "nowhere");
  ASSERT_FALSE(unknown.Ok());
  EXPECT_EQ(unknown.Err().Code(), ErrorCode::kNotFound);
  EXPECT_NE(unknown.Err().ToString().find("nowhere"), std::string::npos);

  auto events = registry_->Events();
  ASSERT_TRUE(events.Ok());
  EXPECT_EQ(events->back().action, "tenant.disable");
  EXPECT_EQ(events->back().actor, "operator2");
  // The host name and id stay taken: a disabled tenant keeps its data.
  EXPECT_FALSE(Add("hannan").Ok());
}

TEST_F(RegistryTest, OpeningAMissingRegistryNamesTheDirectory) {
  FixedClock clock(ParseTime("2026-12-01T00:00:00Z", "now").Value());
  auto missing = Registry::Open((dir_ / "typo").string(), clock, Registry::Mode::kExisting);
  ASSERT_FALSE(missing.Ok());
  EXPECT_EQ(missing.Err().Code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.Err().ToString().find("typo"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "typo"));
}

TEST_F(RegistryTest, OnPostgresATenantIsASchemaOwnedByItsRoleAndAFailureDropsBoth) {
  const std::string url = PostgresUrl();
  if (url.empty()) GTEST_SKIP() << "MAMORI_TEST_POSTGRES_URL not set";
  for (const char* schema : {"reg_pg_a", "reg_pg_b", "reg_pg_c"}) DropSchema(url, schema);
  const auto add = [&](const std::string& id, const AddOptions& options) {
    return AddTenant(*registry_, "operator1",
                     {.id = id, .name = id + "町", .profile = kProfile, .postgres = url}, clock_,
                     {.durable = false, .before_register = options.before_register});
  };
  auto added = add("reg_pg_a", {});
  ASSERT_TRUE(added.Ok()) << added.Err().ToString();
  EXPECT_NE(added->location.find("schema=reg_pg_a&role=mamori_t_reg_pg_a"), std::string::npos);
  ASSERT_TRUE(add("reg_pg_c", {}).Ok());
  EXPECT_TRUE(SchemaExists(url, "reg_pg_a"));
  EXPECT_EQ(Count(url,
                  "SELECT count(*) FROM pg_tables WHERE schemaname = 'reg_pg_a' AND "
                  "tablename = 'audit_events' AND tableowner = ?",
                  "mamori_t_reg_pg_a"),
            1);

  // The tenant's connections run as its role, which cannot read another
  // tenant's schema even when a query names it: PostgreSQL refuses.
  auto ledger = ledger::Ledger::Open(registry_->PathsOf(*added), clock_, {});
  ASSERT_TRUE(ledger.Ok()) << ledger.Err().ToString();
  auto who = (*ledger)->Db().QueryOne("SELECT current_user");
  ASSERT_TRUE(who.Ok());
  EXPECT_EQ(who->Text(0), "mamori_t_reg_pg_a");
  auto own = (*ledger)->Db().QueryInt("SELECT count(*) FROM audit_events");
  ASSERT_TRUE(own.Ok()) << own.Err().ToString();
  EXPECT_GE(*own, 1);
  for (const char* foreign :
       {"SELECT count(*) FROM reg_pg_c.audit_events", "SELECT count(*) FROM reg_pg_c.people"}) {
    auto read = (*ledger)->Db().QueryInt(foreign);
    ASSERT_FALSE(read.Ok()) << foreign;
    EXPECT_NE(read.Err().ToString().find("permission denied"), std::string::npos)
        << read.Err().ToString();
  }
  EXPECT_FALSE((*ledger)->Db().Execute("CREATE SCHEMA reg_pg_x").Ok());

  // A failure after the ledger was made drops its schema and its role.
  auto failed =
      add("reg_pg_b",
          {.before_register = []() -> Status { return Error(ErrorCode::kIo, "失敗", "failed"); }});
  ASSERT_FALSE(failed.Ok());
  EXPECT_FALSE(SchemaExists(url, "reg_pg_b"));
  EXPECT_EQ(Count(url, "SELECT count(*) FROM pg_roles WHERE rolname = ?", "mamori_t_reg_pg_b"), 0);
  EXPECT_FALSE(fs::exists(dir_ / "tenants" / "reg_pg_b"));
  // A schema or role that exists already is not taken over.
  {
    auto admin = storage::Open(url, {});
    ASSERT_TRUE(admin.Ok());
    ASSERT_TRUE((*admin)->ExecuteScript("CREATE SCHEMA reg_pg_b").Ok());
  }
  auto taken = add("reg_pg_b", {});
  ASSERT_FALSE(taken.Ok());
  EXPECT_NE(taken.Err().ToString().find("既にあります"), std::string::npos);
  EXPECT_TRUE(SchemaExists(url, "reg_pg_b"));  // left as it was
  // A URL naming another schema or a role is refused.
  for (const char* extra : {"schema=elsewhere", "role=postgres"}) {
    auto other =
        AddTenant(*registry_, "operator1",
                  {.id = "reg_pg_d",
                   .name = "丁町",
                   .profile = kProfile,
                   .postgres = url + (url.find('?') == std::string::npos ? "?" : "&") + extra},
                  clock_, {.durable = false});
    ASSERT_FALSE(other.Ok()) << extra;
    EXPECT_EQ(other.Err().Headline().where.key, "postgres");
  }
  ledger->reset();
  for (const char* schema : {"reg_pg_a", "reg_pg_b", "reg_pg_c"}) DropSchema(url, schema);
}

}  // namespace
}  // namespace mamori::tenancy
