// `mamori keys ...`: the key file that seals the ledger's secrets at rest
// (src/auth/secrets.h, docs/auth.md "Secrets at rest"). For the operator of
// the server host; rotating is audited as the person given with --as, who
// must hold chief_officer or deputy_chief_officer (6.2(1)).
#include <CLI/CLI.hpp>

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "auth/secrets.h"
#include "cli/ledger_cli.h"
#include "ledger/org.h"

namespace mamori::cli {

using Json = nlohmann::json;

void AddKeysCommands(CLI::App& app, LedgerCli& cli) {
  auto* keys = app.add_subcommand(
      "keys", "秘密情報（確認コードの秘密）の暗号鍵 / the key file sealing secrets at rest");
  keys->require_subcommand(1);

  auto* status = keys->add_subcommand(
      "status", "鍵ファイルと暗号化の状況を表示 / show the key file and what it seals");
  status->callback([&cli] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto found, auth::GetSecretsStatus(ledger));
          if (cli.json) {
            cli.PrintJson({{"key_file", found.key_file},
                           {"primary", found.primary},
                           {"key_ids", found.key_ids},
                           {"sealed_by", found.sealed_by},
                           {"plaintext", found.plaintext},
                           {"unreadable", found.unreadable}});
            return OkStatus();
          }
          cli.out << "鍵ファイル: " << found.key_file << "\n";
          for (const auto& id : found.key_ids) {
            cli.out << "  鍵 " << id << (id == found.primary ? "（暗号化に使用）" : "（旧鍵）")
                    << ": " << found.sealed_by.at(id) << "件\n";
          }
          if (found.plaintext > 0) {
            cli.out << "未暗号化: " << found.plaintext
                    << "件（mamori serve の起動時、又は mamori keys rotate で暗号化されます）\n";
          }
          if (found.unreadable > 0) {
            cli.out << "この鍵ファイルで復号できない値: " << found.unreadable
                    << "件（鍵ファイルが違います）\n";
          }
          return OkStatus();
        },
        true);
  });

  auto actor = std::make_shared<std::string>();
  auto* rotate = keys->add_subcommand(
      "rotate", "新しい鍵を作り、すべての秘密を再暗号化して古い鍵を捨てる / rotate the secret key");
  rotate->add_option("--as", *actor, "操作者（統括情報セキュリティ責任者等）")->required();
  rotate->callback([&cli, actor] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(RequireChiefOrDeputy(ledger, *actor, "暗号鍵の更新", "rotates the keys"));
      MAMORI_TRY(const auto rotated, auth::RotateKeys(ledger, *actor));
      if (cli.json) {
        cli.PrintJson({{"key_file", auth::SecretKeyFile(ledger)},
                       {"new_key_id", rotated.new_key_id},
                       {"retired_key_ids", rotated.retired_key_ids},
                       {"resealed", rotated.resealed}});
      } else {
        cli.out << "暗号鍵を更新しました: " << auth::SecretKeyFile(ledger) << "（新しい鍵 "
                << rotated.new_key_id << "、再暗号化 " << rotated.resealed << "件）\n";
      }
      return OkStatus();
    });
  });
}

}  // namespace mamori::cli
