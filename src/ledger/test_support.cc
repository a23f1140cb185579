#include "ledger/test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "ledger/org.h"
#include "storage/postgres/postgres_database.h"

namespace mamori::ledger::testing {

namespace fs = std::filesystem;

std::string TestDatabaseLocation(const std::string& name, const std::filesystem::path& dir) {
  const char* server = std::getenv("MAMORI_TEST_POSTGRES_URL");
  if (server == nullptr || *server == '\0') return (dir / "ledger.db").string();
  // A schema of its own per test, named after it (lower case, with a hash
  // of the full name so that long names stay apart), emptied first.
  std::string schema = "t_";
  std::uint32_t hash = 2166136261U;
  for (const char c : name) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 16777619U;
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (schema.size() < 50) schema += keep ? c : (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : '_';
  }
  schema += "_" + std::to_string(hash);
  auto admin = storage::OpenPostgres(server, {});
  if (!admin.Ok()) {
    ADD_FAILURE() << admin.Err().ToString();
  } else if (auto dropped = (*admin)->ExecuteScript("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
             !dropped.Ok()) {
    ADD_FAILURE() << dropped.Err().ToString();
  }
  const std::string url(server);
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "schema=" + schema;
}

TempLedger::TempLedger(const std::string& name, const std::string& profile)
    : dir_(fs::temp_directory_path() / ("mamori_test_" + name)),
      clock_(std::chrono::sys_days(std::chrono::year(2026) / 12 / 1) + std::chrono::hours(1)) {
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  location_ = TestDatabaseLocation(name, dir_);
  // Tests skip fsync (durability is what ledger_kill_test.sh checks).
  auto ledger = Ledger::Create(paths(), profile, clock_, {.durable = false});
  if (!ledger.Ok()) ADD_FAILURE() << ledger.Err().ToString();
  ledger_ = std::move(ledger).Value();
}

TempLedger::~TempLedger() {
  ledger_.reset();
  fs::remove_all(dir_);
}

LedgerPaths TempLedger::paths() const {
  auto paths = DefaultPaths((dir_ / "ledger.db").string());
  paths.database = location_;
  return paths;
}

void TempLedger::Reopen() {
  ledger_.reset();
  auto ledger = Ledger::Open(paths(), clock_, {.durable = false});
  if (!ledger.Ok()) ADD_FAILURE() << ledger.Err().ToString();
  ledger_ = std::move(ledger).Value();
}

void SeedOrganization(Ledger& ledger) {
  auto must = [](const auto& result) {
    if (!result.Ok()) ADD_FAILURE() << result.Err().ToString();
  };
  must(AddDepartment(ledger, "system", "somu", "総務部"));
  must(AddDepartment(ledger, "system", "fukushi", "福祉部"));
  must(AddSection(ledger, "system", "joho", "情報政策課", "somu"));
  must(AddSection(ledger, "system", "zeimu", "税務課", "somu"));
  must(AddSection(ledger, "system", "kaigo", "介護保険課", "fukushi"));
  struct P {
    const char* code;
    const char* name;
    const char* section;
    const char* employment;
    const char* role;
    const char* scope;
  };
  const P people[] = {
      {"s1", "税務 一郎", "zeimu", "staff", "", ""},
      {"s2", "税務 二郎", "zeimu", "fiscal_year", "", ""},
      {"m1", "税務 課長", "zeimu", "staff", "manager", "zeimu"},
      {"m2", "介護 課長", "kaigo", "staff", "manager", "kaigo"},
      {"o1", "総務 部長", "joho", "staff", "officer", "somu"},
      {"c1", "情報 統括", "joho", "staff", "chief_officer", ""},
      {"d1", "情報 副統括", "joho", "staff", "deputy_chief_officer", ""},
      {"x1", "副 市長", "joho", "staff", "ciso", ""},
      {"k1", "窓口 担当", "joho", "staff", "csirt", ""},
      {"a1", "監査 担当", "joho", "staff", "auditor", ""},
      {"v1", "委託 業者", "joho", "contractor", "", ""},
  };
  for (const auto& p : people) {
    must(AddPerson(ledger, "system",
                   PersonInput{p.code, p.name, p.section, p.employment, "", "2020-04-01", ""}));
    if (std::string(p.role).empty()) continue;
    must(AssignRole(ledger, "system", p.code, p.role, p.scope, "2020-04-01"));
  }
}

std::vector<std::string> Codes(const std::vector<Person>& people) {
  std::vector<std::string> codes;
  codes.reserve(people.size());
  for (const auto& person : people) codes.push_back(person.code);
  return codes;
}

std::vector<std::string> Fields(const Error& error) {
  std::vector<std::string> fields;
  for (const auto& diagnostic : error.Diagnostics()) fields.push_back(diagnostic.where.key);
  return fields;
}

}  // namespace mamori::ledger::testing
