#include "auth/secrets.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "auth/internal.h"

namespace mamori::auth {
namespace {

using Json = nlohmann::json;
using ledger::Ledger;

constexpr std::string_view kColumns[] = {kTotpSecretColumn, kTotpPendingColumn};

// One non-NULL value of a sealed column.
struct StoredValue {
  std::int64_t account_id = 0;
  std::string person_code;
  std::string_view column;
  std::string value;
};

Result<std::vector<StoredValue>> StoredValues(Ledger& ledger) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT a.id, p.code, a.totp_secret, a.totp_pending_secret "
                               "FROM accounts a JOIN people p ON p.id = a.person_id "
                               "ORDER BY a.id"));
  std::vector<StoredValue> values;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < std::size(kColumns); ++i) {
      if (row.IsNull(2 + i)) continue;
      values.push_back(StoredValue{row.Int(0), row.Text(1), kColumns[i], row.Text(2 + i)});
    }
  }
  return values;
}

Status Store(Ledger& ledger, const StoredValue& stored, const std::string& sealed) {
  // The column is one of kColumns, never outside text.
  return ledger.Db().Execute(
      "UPDATE accounts SET " + std::string(stored.column) + " = ? WHERE id = ?",
      {sealed, stored.account_id});
}

// Opens `stored` with `ring`; the error names the person and the column.
Result<std::string> OpenStored(const KeyRing& ring, const StoredValue& stored) {
  return ring.Open(stored.value, SealContext(stored.column, stored.person_code));
}

// Every sealed value must open with `ring` before anything is changed.
Status CheckAllOpen(const KeyRing& ring, const std::vector<StoredValue>& values) {
  for (const auto& stored : values) {
    if (!IsSealed(stored.value)) continue;
    auto opened = OpenStored(ring, stored);
    if (!opened.Ok()) return opened.Err();
    internal::Wipe(*opened);
  }
  return OkStatus();
}

// Seals (or reseals under the primary) every value of `values` that is in
// the clear or under another key; returns how many it changed.
Result<int> Reseal(Ledger& ledger, const KeyRing& ring, const std::vector<StoredValue>& values,
                   const RotateOptions* options) {
  int changed = 0;
  for (const auto& stored : values) {
    if (SealedKeyId(stored.value) == ring.PrimaryId()) continue;
    std::string plaintext = stored.value;
    if (IsSealed(stored.value)) {
      MAMORI_TRY(plaintext, OpenStored(ring, stored));
    }
    auto sealed = ring.Seal(plaintext, SealContext(stored.column, stored.person_code));
    internal::Wipe(plaintext);
    if (!sealed.Ok()) return sealed.Err();
    MAMORI_TRY_STATUS(Store(ledger, stored, *sealed));
    ++changed;
    if (options != nullptr && options->fault) {
      MAMORI_TRY_STATUS(options->fault("resealed", changed));
    }
  }
  return changed;
}

// Removes what an UPDATE left of the plaintext from the file: freed space
// is zeroed (secure_delete, already on), the file rebuilt without free
// pages (VACUUM), and the write-ahead log, which held the old pages,
// emptied. SQLite only; another engine keeps its own files.
Status Scrub(Ledger& ledger) {
  if (ledger.Db().Engine() != "sqlite") return OkStatus();
  MAMORI_TRY_STATUS(ledger.Db().Execute("VACUUM"));
  MAMORI_TRY(const auto checkpoint, ledger.Db().Query("PRAGMA wal_checkpoint(TRUNCATE)"));
  (void)checkpoint;
  return OkStatus();
}

Error Stale(const std::string& path) {
  return Error(ErrorCode::kInternal,
               "鍵の更新中に古い鍵で暗号化された値が残りました。古い鍵は鍵ファイル " + path +
                   " に残してあります。mamori keys rotate をもう一度実行してください",
               "values sealed under an old key remain after the rotation; the old keys stay in " +
                   path + "; run mamori keys rotate again");
}

}  // namespace

std::string SecretKeyFile(const Ledger& ledger) {
  return SecretKeyPath(ledger.Paths().database, ledger.Paths().key);
}

Result<std::shared_ptr<const KeyRing>> LedgerKeyRing(const Ledger& ledger) {
  return LoadKeyRing(SecretKeyFile(ledger));
}

std::string SealContext(std::string_view column, std::string_view person_code) {
  return "accounts." + std::string(column) + "/" + std::string(person_code);
}

Status CreateSecretKeyFile(const std::string& path) {
  MAMORI_TRY(const auto ring, KeyRing::Generate());
  return ring.Write(path, KeyRing::WriteMode::kExclusive);
}

Result<SecretsStatus> GetSecretsStatus(Ledger& ledger) {
  SecretsStatus status;
  status.key_file = SecretKeyFile(ledger);
  MAMORI_TRY(const auto ring, KeyRing::Read(status.key_file));
  status.primary = ring.PrimaryId();
  status.key_ids = ring.Ids();
  for (const auto& id : status.key_ids) status.sealed_by[id] = 0;
  MAMORI_TRY(const auto values, StoredValues(ledger));
  for (const auto& stored : values) {
    const std::string id = SealedKeyId(stored.value);
    if (id.empty()) {
      ++status.plaintext;
    } else if (!ring.Has(id)) {
      ++status.unreadable;
    } else {
      ++status.sealed_by[id];
    }
  }
  return status;
}

Result<int> PrepareSecrets(Ledger& ledger, const std::string& actor) {
  MAMORI_TRY(const auto ring, LedgerKeyRing(ledger));
  MAMORI_TRY(const auto values, StoredValues(ledger));
  MAMORI_TRY_STATUS(CheckAllOpen(*ring, values));
  const bool any_plaintext = std::any_of(values.begin(), values.end(), [](const StoredValue& v) {
    return !IsSealed(v.value);
  });
  if (!any_plaintext) return 0;
  if (ledger.Db().Engine() == "sqlite") {
    MAMORI_TRY_STATUS(ledger.Db().Execute("PRAGMA secure_delete = ON"));
  }
  int sealed = 0;
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    MAMORI_TRY(auto current, StoredValues(ledger));
    std::erase_if(current, [](const StoredValue& v) { return IsSealed(v.value); });
    MAMORI_TRY(sealed, Reseal(ledger, *ring, current, nullptr));
    return ledger.Record({actor, "keys.seal_plaintext", "secret_key", ring->PrimaryId(),
                          Json{{"key_file", SecretKeyFile(ledger)},
                               {"key_id", ring->PrimaryId()},
                               {"sealed", sealed},
                               {"columns", {"accounts.totp_secret", "accounts.totp_pending_secret"}},
                               {"clause", "6.2(1)"}}
                              .dump()});
  }));
  MAMORI_TRY_STATUS(Scrub(ledger));
  return sealed;
}

Result<RotateResult> RotateKeys(Ledger& ledger, const std::string& actor,
                                const RotateOptions& options) {
  const std::string path = SecretKeyFile(ledger);
  const auto fault = [&](std::string_view point, int count) -> Status {
    return options.fault ? options.fault(point, count) : OkStatus();
  };
  // (1) Everything opens with the file as it is.
  MAMORI_TRY(const auto current, KeyRing::Read(path));
  MAMORI_TRY(const auto before, StoredValues(ledger));
  MAMORI_TRY_STATUS(CheckAllOpen(current, before));

  // (2) A new primary beside the old keys.
  MAMORI_TRY(const auto next, current.WithNewPrimary());
  MAMORI_TRY_STATUS(next.Write(path, KeyRing::WriteMode::kReplace));
  MAMORI_TRY_STATUS(fault("key_added", 0));

  const bool had_plaintext = std::any_of(before.begin(), before.end(), [](const StoredValue& v) {
    return !IsSealed(v.value);
  });
  RotateResult result;
  result.new_key_id = next.PrimaryId();
  for (const auto& id : current.Ids()) result.retired_key_ids.push_back(id);
  if (had_plaintext && ledger.Db().Engine() == "sqlite") {
    // Plaintext from an old database may still be here: erase it for good.
    MAMORI_TRY_STATUS(ledger.Db().Execute("PRAGMA secure_delete = ON"));
  }

  // (3) Reseal, with the audit event, in one transaction.
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto values, StoredValues(ledger));
    MAMORI_TRY(result.resealed, Reseal(ledger, next, values, &options));
    return ledger.Record({actor, "keys.rotate", "secret_key", next.PrimaryId(),
                          Json{{"key_file", path},
                               {"new_key_id", next.PrimaryId()},
                               {"retired_key_ids", result.retired_key_ids},
                               {"resealed", result.resealed},
                               {"clause", "6.2(1)"}}
                              .dump()});
  }));
  MAMORI_TRY_STATUS(fault("committed", result.resealed));

  // (4) Drop the old keys, holding the write lock so that no transaction
  // seals under an old key meanwhile.
  MAMORI_TRY_STATUS(ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto values, StoredValues(ledger));
    for (const auto& stored : values) {
      if (SealedKeyId(stored.value) != next.PrimaryId()) return Stale(path);
    }
    return next.PrimaryOnly().Write(path, KeyRing::WriteMode::kReplace);
  }));
  if (had_plaintext) MAMORI_TRY_STATUS(Scrub(ledger));
  return result;
}

}  // namespace mamori::auth
