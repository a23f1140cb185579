// Test helpers: a ledger in a fresh temporary directory, on the 阪南市
// profile, with a clock the test controls. Shared by the ledger's tests.
//
// The engine: SQLite (a file in the directory), or, when
// $MAMORI_TEST_POSTGRES_URL names a PostgreSQL database, a fresh schema of
// its own in it (scripts/run-tests.sh runs the suites a second time so).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "ledger/ledger.h"
#include "ledger/org.h"

namespace mamori::ledger::testing {

// Where the test `name`'s database goes: `dir`/ledger.db, or a PostgreSQL
// schema named after `name` (dropped first) when $MAMORI_TEST_POSTGRES_URL
// is set.
std::string TestDatabaseLocation(const std::string& name, const std::filesystem::path& dir);

class TempLedger {
 public:
  // `name` must be unique per test (the directory is removed and remade).
  explicit TempLedger(const std::string& name,
                      const std::string& profile = MAMORI_SOURCE_DIR "/policies/hannan.toml");
  ~TempLedger();
  TempLedger(const TempLedger&) = delete;
  TempLedger& operator=(const TempLedger&) = delete;

  Ledger& operator*() { return *ledger_; }
  Ledger* operator->() { return ledger_.get(); }
  FixedClock& clock() { return clock_; }
  const std::filesystem::path& dir() const { return dir_; }
  LedgerPaths paths() const;
  // Closes and reopens the ledger (as a new process would).
  void Reopen();
  void Close() { ledger_.reset(); }

 private:
  std::filesystem::path dir_;
  std::string location_;
  FixedClock clock_;
  std::unique_ptr<Ledger> ledger_;
};

// Builds a small organization: departments "somu" (総務部) and "fukushi"
// (福祉部); sections "joho" (情報政策課, 総務部), "zeimu" (税務課, 総務部),
// "kaigo" (介護保険課, 福祉部); people:
//   s1 staff in zeimu, s2 staff in zeimu, m1 manager of zeimu,
//   m2 manager of kaigo, o1 officer of 総務部, c1 chief_officer (joho),
//   d1 deputy_chief_officer (joho), x1 ciso, k1 csirt (joho),
//   a1 auditor (joho), v1 contractor in joho.
void SeedOrganization(Ledger& ledger);

// The codes of `people`, in order.
std::vector<std::string> Codes(const std::vector<Person>& people);
// The field (Where::key) of each diagnostic of `error`, in order.
std::vector<std::string> Fields(const Error& error);

}  // namespace mamori::ledger::testing
