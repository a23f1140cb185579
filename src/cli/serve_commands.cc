// `mamori serve` (the web application, src/server) and `mamori account ...`
// (sign-in accounts, src/auth: created with a temporary password that must
// be changed at first sign-in, 5.4(2)). Account commands are for the
// operator of the server host, acting as the person given with --as, who
// must hold chief_officer or deputy_chief_officer (6.2(1)).
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "auth/accounts.h"
#include "auth/secrets.h"
#include "cli/ledger_cli.h"
#include "cli/signals.h"
#include "ledger/org.h"
#include "server/server.h"
#include "server/tenant_router.h"
#include "storage/open.h"

namespace mamori::cli {
namespace {

using Json = nlohmann::json;

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string web_root = "web/dist";
  std::string segment = "lgwan";
  std::string access_log = "-";
  int threads = 8;
  bool secure_cookies = false;
  std::string tls_cert;
  std::string tls_key;
  std::vector<std::string> trusted_proxies;
  std::string installation;  // serve the tenants of this installation instead of --db
};

struct AccountOptions {
  std::string actor;
  std::string person;
  std::string segment = "lgwan";
};

server::ServeOptions ServerOptions(const ServeOptions& options, std::ostream* access_log) {
  server::ServeOptions serve;
  serve.host = options.host;
  serve.port = options.port;
  serve.web_root = options.web_root;
  serve.threads = options.threads;
  serve.access_log = access_log;
  serve.api.secure_cookies = options.secure_cookies;
  serve.tls_cert = options.tls_cert;
  serve.tls_key = options.tls_key;
  serve.trusted_proxies = options.trusted_proxies;
  serve.api.auth.segment = options.segment;
  return serve;
}

// `mamori serve --installation DIR`: every active tenant of the
// installation, by path /t/<id>/ and by its host names (server/tenant_router.h).
int ServeInstallation(LedgerCli& cli, const ServeOptions& options, std::ostream* access_log) {
  SignalStopper stopper;  // before any thread starts
  const server::ServeOptions serve = ServerOptions(options, access_log);
  auto router = server::InstallationRouter::Create(options.installation, cli.clock, serve.api);
  if (!router.Ok()) {
    cli.Fail(router.Err());
    return cli.exit_code;
  }
  // Every tenant's start-up checks now, so that a broken one is named at start.
  auto opened = (*router)->OpenAll();
  if (!opened.Ok()) {
    cli.Fail(opened.Err());
    return cli.exit_code;
  }
  server::Server http(**router, serve);
  auto port = http.Bind();
  if (!port.Ok()) {
    cli.Fail(port.Err());
    return cli.exit_code;
  }
  cli.out << "mamori serve: " << (options.tls_cert.empty() ? "http" : "https") << "://"
          << options.host << ":" << *port << "/t/<テナントID>/ （テナント " << opened->size()
          << " 件: ";
  for (std::size_t i = 0; i < opened->size(); ++i) cli.out << (i ? ", " : "") << (*opened)[i];
  cli.out << "）。Ctrl+C で停止 / stop with Ctrl+C" << std::endl;
  // Requests in flight finish first.
  stopper.Start([&http] { http.Stop(); });
  http.Run();
  stopper.Finish();
  if (auto signed_heads = (*router)->Checkpoint(); !signed_heads.Ok()) {
    cli.Fail(signed_heads.Err());
    return cli.exit_code;
  }
  cli.out << "mamori serve: 停止しました / stopped" << std::endl;
  return 0;
}

int Serve(LedgerCli& cli, const ServeOptions& options) {
  std::unique_ptr<ledger::Ledger> ledger;
  if (options.installation.empty()) {
    ledger = cli.Open();
    if (!ledger) return cli.exit_code;
    // Start-up checks of auth (docs/auth.md): the secret key file opens every
    // sealed secret (any plaintext of an older database is sealed now), and
    // the password dictionary is there when the profile asks for it.
    if (auto prepared = auth::PrepareSecrets(*ledger, "system"); !prepared.Ok()) {
      cli.Fail(prepared.Err());
      return cli.exit_code;
    }
    if (auto dictionary = auth::CheckPasswordDictionary(ledger->Profile().passwords);
        !dictionary.Ok()) {
      cli.Fail(dictionary.Err());
      return cli.exit_code;
    }
  }
  std::ofstream log_file;
  std::ostream* access_log = nullptr;
  if (options.access_log == "-") {
    access_log = &cli.err;
  } else if (!options.access_log.empty()) {
    log_file.open(options.access_log, std::ios::app);
    if (!log_file) {
      cli.Fail(Error(ErrorCode::kIo, "アクセスログを開けません: " + options.access_log,
                     "cannot open the access log " + options.access_log));
      return cli.exit_code;
    }
    access_log = &log_file;
  }
  if (!options.installation.empty()) return ServeInstallation(cli, options, access_log);
  SignalStopper stopper;  // before any thread starts
  server::Server http(*ledger, ServerOptions(options, access_log));
  auto port = http.Bind();
  if (!port.Ok()) {
    cli.Fail(port.Err());
    return cli.exit_code;
  }
  cli.out << "mamori serve: " << (options.tls_cert.empty() ? "http" : "https") << "://"
          << options.host << ":" << *port << "/ （" << ledger->Profile().organization.name << "、"
          << storage::RedactUrl(ledger->Paths().database) << "）。Ctrl+C で停止 / stop with Ctrl+C" << std::endl;
  // Requests in flight finish first.
  stopper.Start([&http] { http.Stop(); });
  http.Run();
  stopper.Finish();
  const Status signed_head = ledger->Checkpoint();
  if (!signed_head.Ok()) {
    cli.Fail(signed_head.Err());
    return cli.exit_code;
  }
  cli.out << "mamori serve: 停止しました / stopped" << std::endl;
  return 0;
}

}  // namespace

void AddServeCommands(CLI::App& app, LedgerCli& cli) {
  auto options = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand(
      "serve", "ウェブ画面と API を提供する / serve the web UI and the HTTP API");
  serve->add_option("--host", options->host, "待ち受けるアドレス")->capture_default_str();
  serve->add_option("--port", options->port, "ポート（0: 空いているもの）")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve->add_option("--web-root", options->web_root, "画面のファイル（npm run build の出力）")
      ->capture_default_str();
  serve
      ->add_option("--segment", options->segment,
                   "このサーバーがあるネットワーク（mfa_segments なら全員に二要素認証）")
      ->capture_default_str();
  serve->add_option("--access-log", options->access_log, "アクセスログ（- は標準エラー）")
      ->capture_default_str();
  serve->add_option("--threads", options->threads, "処理スレッド数")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve->add_flag(
      "--secure-cookies", options->secure_cookies,
      "Cookie に Secure を付け HSTS を送る（TLS のリバースプロキシの背後で動かすとき）");
  serve->add_option("--tls-cert", options->tls_cert,
                    "HTTPS で提供する: 証明書チェーン（PEM）。--tls-key と共に指定");
  serve->add_option("--tls-key", options->tls_key, "HTTPS の秘密鍵（PEM）");
  serve->add_option("--trusted-proxy", options->trusted_proxies,
                    "X-Forwarded-For を信頼するプロキシのアドレス又はネットワーク（繰り返し可。"
                    "例: 127.0.0.1, 10.0.0.0/24）");
  serve
      ->add_option("--installation", options->installation,
                   "インストール先ディレクトリ: 稼働中の全テナントを /t/<ID>/ とホスト名で提供する"
                   "（--db の代わり）")
      ->envname("MAMORI_INSTALLATION");
  serve->callback([&cli, options] { cli.exit_code = Serve(cli, *options); });

  auto account = std::make_shared<AccountOptions>();
  auto* command =
      app.add_subcommand("account", "サインイン用アカウント（5.4, 6.2） / sign-in accounts");
  command->require_subcommand(1);
  const auto auth_options = [account] {
    auth::Options out;
    out.segment = account->segment;
    return out;
  };
  for (const std::string verb : {"create", "reset"}) {
    auto* sub = command->add_subcommand(
        verb, verb == "create" ? "アカウントを作成し仮パスワードを表示 / create, print the "
                                 "temporary password"
                               : "仮パスワードを再発行 / issue a new temporary password");
    sub->add_option("PERSON", account->person, "職員コード")->required();
    sub->add_option("--as", account->actor, "操作者（統括情報セキュリティ責任者等）")->required();
    sub->callback([&cli, account, auth_options, verb] {
      cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
        MAMORI_TRY_STATUS(
            RequireChiefOrDeputy(ledger, account->actor, "アカウントの管理", "manages accounts"));
        MAMORI_TRY(
            const std::string password,
            verb == "create"
                ? auth::CreateAccount(ledger, account->actor, account->person, auth_options())
                : auth::ResetPassword(ledger, account->actor, account->person, auth_options()));
        if (cli.json) {
          cli.PrintJson({{"login", account->person}, {"temporary_password", password}});
        } else {
          cli.out << account->person << "\t" << password
                  << "\t（仮パスワード。初回サインイン時に変更が必要です）\n";
        }
        return OkStatus();
      });
    });
  }
  auto* unlock = command->add_subcommand("unlock", "ロックを解除 / unlock");
  unlock->add_option("PERSON", account->person, "職員コード")->required();
  unlock->add_option("--as", account->actor, "操作者")->required();
  unlock->callback([&cli, account] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(
          RequireChiefOrDeputy(ledger, account->actor, "アカウントの管理", "manages accounts"));
      MAMORI_TRY_STATUS(auth::Unlock(ledger, account->actor, account->person));
      cli.out << "ロックを解除しました: " << account->person << "\n";
      return OkStatus();
    });
  });
  auto* list = command->add_subcommand("list", "アカウントの一覧 / list");
  list->callback([&cli, auth_options] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          MAMORI_TRY(const auto accounts, auth::ListAccounts(ledger, auth_options()));
          Json json = Json::array();
          for (const auto& a : accounts) {
            if (cli.json) {
              json.push_back({{"login", a.login},
                              {"person", a.person_code},
                              {"temporary", a.temporary},
                              {"locked", a.locked},
                              {"totp_enabled", a.totp_enabled},
                              {"privileged", a.privileged}});
            } else {
              cli.out << a.login << "\t" << (a.temporary ? "仮パスワード" : "設定済み") << "\t"
                      << (a.locked ? "ロック中" : "-") << "\t"
                      << (a.totp_enabled ? "二要素認証あり" : "-") << "\t"
                      << (a.privileged ? "特権" : "-") << "\n";
            }
          }
          if (cli.json) cli.PrintJson(json);
          return OkStatus();
        },
        /*read_only=*/true);
  });
}

}  // namespace mamori::cli
