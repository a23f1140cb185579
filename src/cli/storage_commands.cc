// `mamori migrate` and `mamori copy`: the ledger's database as such — its
// schema version, and moving a whole ledger between engines (a municipality's
// SQLite file onto the prefecture's PostgreSQL, or back) with the audit
// chain verified on arrival.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "audit/audit_key.h"
#include "audit/audit_log.h"
#include "auth/secret_box.h"
#include "cli/commands.h"
#include "cli/ledger_cli.h"
#include "ledger/schema.h"
#include "storage/copy.h"
#include "storage/migrate.h"
#include "storage/open.h"

namespace mamori::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

int Newest() { return static_cast<int>(ledger::Migrations().size()); }

void AddMigrate(CLI::App& app, LedgerCli& cli) {
  auto* migrate = app.add_subcommand(
      "migrate", "台帳データベースを新しい版に更新する / upgrade the ledger's schema");
  auto check = std::make_shared<bool>(false);
  migrate->add_flag("--check", *check,
                    "更新せず版だけ確かめる（古ければ終了コード 5）/ only check (exit 5 if older)");
  migrate->callback([&cli, check] {
    int before = 0;
    {
      auto db = storage::Open(cli.db, {.read_only = *check});
      if (!db.Ok()) return cli.Fail(db.Err());
      auto version = (*db)->QueryInt("SELECT coalesce(max(version), 0) FROM schema_migrations");
      if (!version.Ok()) return cli.Fail(version.Err());
      before = static_cast<int>(*version);
    }
    if (*check) {
      if (cli.json) cli.PrintJson({{"version", before}, {"newest", Newest()}});
      else cli.out << "台帳の版: " << before << "（このプログラムの版 " << Newest() << "）\n";
      if (before != Newest()) cli.exit_code = kExitVerifyFailed;
      return;
    }
    // Opening to change migrates (ledger.h); the upgrade is recorded.
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      if (before == Newest()) return OkStatus();
      return ledger.Change([&]() -> Status {
        const Json state{{"from", before}, {"to", Newest()}};
        return ledger.Record(
            {"system", "ledger.migrate", "ledger", ledger.Profile().id, state.dump()});
      });
    });
    if (cli.exit_code != kExitOk) return;
    if (cli.json) {
      cli.PrintJson({{"from", before}, {"to", Newest()}});
    } else if (before == Newest()) {
      cli.out << "台帳は最新の版です: " << before << "\n";
    } else {
      cli.out << "台帳を更新しました: 版 " << before << " → " << Newest() << "\n";
    }
  });
}

// The files that belong to a ledger but live outside its database.
struct OutsideFiles {
  std::vector<std::pair<std::string, std::string>> pairs;  // from → to
};

OutsideFiles FilesToCopy(const ledger::LedgerPaths& from, const ledger::LedgerPaths& to) {
  return {{{from.key, to.key},
           {from.key + ".pub", to.key + ".pub"},
           {from.checkpoints, to.checkpoints},
           {auth::SecretKeyPath(from.database, from.key), auth::SecretKeyPath(to.database, to.key)}}};
}

Status CheckTargetIsEmpty(const std::string& location, const OutsideFiles& files) {
  MAMORI_TRY(const bool holds, storage::HoldsLedger(location));
  if (holds) {
    MAMORI_TRY(auto db, storage::Open(location, {}));
    auto events = db->QueryInt("SELECT count(*) FROM audit_events");
    if (!events.Ok() || *events != 0) {
      const std::string shown = storage::RedactUrl(location);
      return Error(ErrorCode::kInvalidArgument,
                   "複写先には既に台帳があります（上書きしません）: " + shown,
                   "the target already holds a ledger (never overwritten): " + shown,
                   {shown, 0, "--to"});
    }
  }
  for (const auto& [source, target] : files.pairs) {
    if (fs::exists(target)) {
      return Error(ErrorCode::kInvalidArgument,
                   "複写先のファイルが既にあります（上書きしません）: " + target,
                   "the target's file exists already (never overwritten): " + target,
                   {target, 0, "--to"});
    }
    if (!fs::exists(source)) {
      return Error(ErrorCode::kNotFound, "複写元のファイルがありません: " + source,
                   "the source's file is missing: " + source, {source, 0, "--from"});
    }
  }
  return OkStatus();
}

Status CopyFile(const std::string& from, const std::string& to) {
  std::error_code error;
  fs::copy_file(from, to, fs::copy_options::none, error);
  if (!error) fs::permissions(to, fs::status(from).permissions(), error);
  if (error) {
    return Error(ErrorCode::kIo, "ファイルを複写できません: " + to + ": " + error.message(),
                 "cannot copy " + from + " to " + to + ": " + error.message(), {to, 0, ""});
  }
  return OkStatus();
}

void AddCopy(CLI::App& app, LedgerCli& cli) {
  auto* copy = app.add_subcommand(
      "copy",
      "台帳全体を別のデータベースへ複写し、監査ログを検証する / copy a whole ledger to another "
      "database (SQLite ⇄ PostgreSQL) and verify its audit chain there");
  struct Options {
    std::string from, to, to_key;
  };
  auto options = std::make_shared<Options>();
  copy->add_option("--from", options->from, "複写元（ファイル又は postgresql://…）")->required();
  copy->add_option("--to", options->to, "複写先（空であること）")->required();
  copy->add_option("--to-key", options->to_key, "複写先の署名鍵の置き場所（既定 <to>.audit-key）");
  copy->callback([&cli, options] {
    const Status status = [&]() -> Status {
      auto from_paths = ledger::DefaultPaths(options->from);
      if (!cli.key.empty()) from_paths.key = cli.key;
      auto to_paths = ledger::DefaultPaths(options->to);
      if (!options->to_key.empty()) to_paths.key = options->to_key;
      const OutsideFiles files = FilesToCopy(from_paths, to_paths);

      MAMORI_TRY(auto source, storage::Open(options->from, {.read_only = true}));
      MAMORI_TRY(const auto version,
                 source->QueryInt("SELECT coalesce(max(version), 0) FROM schema_migrations"));
      if (version != Newest()) {
        return Error(ErrorCode::kInvalidArgument,
                     "複写元の版（" + std::to_string(version) + "）が最新（" +
                         std::to_string(Newest()) + "）ではありません。先に mamori --db … migrate",
                     "the source's schema version " + std::to_string(version) +
                         " is not the newest (" + std::to_string(Newest()) +
                         "); run `mamori --db … migrate` first",
                     {storage::RedactUrl(options->from), 0, "--from"});
      }
      MAMORI_TRY_STATUS(CheckTargetIsEmpty(options->to, files));
      MAMORI_TRY(auto target, storage::Open(options->to, {.create = true}));
      MAMORI_TRY(const int migrated, storage::Migrate(*target, ledger::Migrations(), cli.clock.Now()));
      (void)migrated;
      MAMORI_TRY(const auto stats, storage::CopyDatabase(*source, *target));
      for (const auto& [from_file, to_file] : files.pairs) {
        MAMORI_TRY_STATUS(CopyFile(from_file, to_file));
      }
      // On arrival: every event re-hashed, every checkpoint's signature checked.
      MAMORI_TRY(const auto key, audit::ReadVerifyingKey(to_paths.key));
      MAMORI_TRY(const auto report, audit::Verify(*target, key, to_paths.checkpoints));
      if (!report.ok) cli.exit_code = kExitVerifyFailed;
      if (cli.json) {
        cli.PrintJson({{"from", storage::RedactUrl(options->from)},
                       {"to", storage::RedactUrl(options->to)},
                       {"tables", stats.tables},
                       {"rows", stats.rows},
                       {"verified", report.ok},
                       {"events", report.events},
                       {"checkpoints", report.checkpoints}});
      } else {
        cli.out << "台帳を複写しました: " << storage::RedactUrl(options->from) << " → "
                << storage::RedactUrl(options->to) << "（" << stats.tables << " 表、" << stats.rows
                << " 行）\n";
        if (report.ok) {
          cli.out << "複写先の監査ログを検証しました: " << report.events << " 件のイベント、"
                  << report.checkpoints << " 件の署名済みチェックポイント\n";
        } else {
          cli.out << "複写先の監査ログの検証に失敗しました: " << report.problem_ja << "\n";
        }
      }
      return OkStatus();
    }();
    if (!status.Ok()) cli.Fail(status.Err());
  });
}

}  // namespace

void AddStorageCommands(CLI::App& app, LedgerCli& cli) {
  AddMigrate(app, cli);
  AddCopy(app, cli);
}

}  // namespace mamori::cli
