// `mamori tenant add|list|disable|verify`: the organizations (テナント) of an
// installation (src/tenancy/registry.h), for the operator of the
// installation. `add` makes the tenant's ledger as `mamori init` does and
// registers it; `disable` stops it being served and deletes nothing.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/ledger_cli.h"
#include "storage/open.h"
#include "tenancy/registry.h"

namespace mamori::cli {
namespace {

using Json = nlohmann::json;

struct TenantOptions {
  std::string installation;
  std::string actor;
  std::string id;
  std::string name;
  std::string profile;
  std::string postgres;
  std::vector<std::string> hosts;
};

// Who acts, for the registry's audit log: --as, else the login of the
// operating-system user.
std::string Actor(const TenantOptions& options) {
  if (!options.actor.empty()) return options.actor;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? std::string("os:") + user : "operator";
}

Json TenantJson(const tenancy::Tenant& tenant, const tenancy::Registry& registry) {
  return {
      {"id", tenant.id},
      {"name", tenant.name},
      {"location", storage::RedactUrl(registry.LedgerLocation(tenant))},
      {"profile", tenant.profile},
      {"hosts", tenant.hosts},
      {"status", tenancy::StatusId(tenant.status)},
      {"created_utc", tenant.created_utc},
      {"disabled_utc", tenant.disabled_utc.empty() ? Json(nullptr) : Json(tenant.disabled_utc)}};
}

void AddInstallationOption(CLI::App* command, TenantOptions& options) {
  command
      ->add_option("--installation", options.installation,
                   "インストール先ディレクトリ（テナント登録簿 installation.db の場所）")
      ->envname("MAMORI_INSTALLATION")
      ->required();
}

}  // namespace

void AddTenantCommands(CLI::App& app, LedgerCli& cli) {
  auto options = std::make_shared<TenantOptions>();
  auto* tenant = app.add_subcommand(
      "tenant", "一つのインストールで提供する組織（テナント） / tenants of an installation");
  tenant->require_subcommand(1);

  auto* add = tenant->add_subcommand(
      "add", "テナントを作成し登録する（台帳は mamori init と同じく作成） / create and register");
  AddInstallationOption(add, *options);
  add->add_option("ID", options->id, "テナント ID（英小文字・数字・_。URL /t/<ID>/ とスキーマ名）")
      ->required();
  add->add_option("--name", options->name, "名称（例: 阪南市）")->required();
  add->add_option("--profile,-p", options->profile, "ポリシープロファイル（TOML）")->required();
  add->add_option("--postgres", options->postgres,
                  "台帳を置く PostgreSQL の URL（schema= はテナント ID になる）。省略時は "
                  "インストール先の SQLite ファイル");
  add->add_option("--host", options->hosts, "このテナントに振り分けるホスト名（繰り返し可）");
  add->add_option("--as", options->actor,
                  "操作者（登録簿の監査ログに記録。省略時は OS のユーザー）");
  add->callback([&cli, options] {
    auto registry = tenancy::Registry::Open(options->installation, cli.clock,
                                            tenancy::Registry::Mode::kCreateIfMissing);
    if (!registry.Ok()) return cli.Fail(registry.Err());
    auto added = tenancy::AddTenant(**registry, Actor(*options),
                                    {.id = options->id,
                                     .name = options->name,
                                     .profile = options->profile,
                                     .postgres = options->postgres,
                                     .hosts = options->hosts},
                                    cli.clock);
    if (!added.Ok()) return cli.Fail(added.Err());
    const auto paths = (*registry)->PathsOf(*added);
    if (cli.json) {
      Json json = TenantJson(*added, **registry);
      json["key"] = paths.key;
      json["checkpoints"] = paths.checkpoints;
      cli.PrintJson(json);
      return;
    }
    cli.out << "テナントを作成しました / tenant created: " << added->id << "（" << added->name
            << "）\n台帳: " << storage::RedactUrl(paths.database) << "\n署名鍵: " << paths.key
            << "\nURL: /t/" << added->id << "/";
    for (const auto& host : added->hosts) cli.out << "、https://" << host << "/";
    cli.out << "\n最初のアカウントは mamori --db <台帳> --key " << paths.key
            << " account create で作成します\n";
  });

  auto* list = tenant->add_subcommand("list", "テナントの一覧 / list tenants");
  AddInstallationOption(list, *options);
  list->callback([&cli, options] {
    auto registry = tenancy::Registry::Open(options->installation, cli.clock,
                                            tenancy::Registry::Mode::kExisting);
    if (!registry.Ok()) return cli.Fail(registry.Err());
    auto tenants = (*registry)->List();
    if (!tenants.Ok()) return cli.Fail(tenants.Err());
    if (cli.json) {
      Json json = Json::array();
      for (const auto& t : *tenants) json.push_back(TenantJson(t, **registry));
      cli.PrintJson(json);
      return;
    }
    for (const auto& t : *tenants) {
      cli.out << t.id << "\t" << t.name << "\t" << tenancy::StatusTitle(t.status) << "\t"
              << storage::RedactUrl((*registry)->LedgerLocation(t)) << "\t";
      for (std::size_t i = 0; i < t.hosts.size(); ++i) cli.out << (i ? "," : "") << t.hosts[i];
      cli.out << "\n";
    }
    if (tenants->empty()) cli.out << "テナントはありません / no tenants\n";
  });

  auto* disable = tenant->add_subcommand(
      "disable", "テナントの提供を停止する（データは削除しない） / stop serving, delete nothing");
  AddInstallationOption(disable, *options);
  disable->add_option("ID", options->id, "テナント ID")->required();
  disable->add_option("--as", options->actor, "操作者（省略時は OS のユーザー）");
  disable->callback([&cli, options] {
    auto registry = tenancy::Registry::Open(options->installation, cli.clock,
                                            tenancy::Registry::Mode::kExisting);
    if (!registry.Ok()) return cli.Fail(registry.Err());
    if (auto disabled = (*registry)->Disable(Actor(*options), options->id); !disabled.Ok()) {
      return cli.Fail(disabled.Err());
    }
    if (auto signed_now = (*registry)->Checkpoint(); !signed_now.Ok()) {
      return cli.Fail(signed_now.Err());
    }
    cli.out << "テナントを停止しました / tenant disabled: " << options->id
            << "（データはそのまま残ります）\n";
  });

  auto* operator_command = tenant->add_subcommand(
      "operator", "インストールの運用者（テナントの一覧を管理し、どのテナントのデータも読まない）");
  operator_command->require_subcommand(1);
  auto* operator_add = operator_command->add_subcommand(
      "add", "運用者を作成しパスワードを表示する / create an operator, print the password");
  AddInstallationOption(operator_add, *options);
  operator_add->add_option("LOGIN", options->id, "運用者のログイン ID")->required();
  operator_add->add_option("--as", options->actor, "操作者（省略時は OS のユーザー）");
  operator_add->callback([&cli, options] {
    auto registry = tenancy::Registry::Open(options->installation, cli.clock,
                                            tenancy::Registry::Mode::kExisting);
    if (!registry.Ok()) return cli.Fail(registry.Err());
    auto password = (*registry)->AddOperator(Actor(*options), options->id, auth::HashCost{});
    if (!password.Ok()) return cli.Fail(password.Err());
    if (auto signed_now = (*registry)->Checkpoint(); !signed_now.Ok()) {
      return cli.Fail(signed_now.Err());
    }
    if (cli.json) {
      cli.PrintJson({{"login", options->id}, {"password", *password}});
    } else {
      cli.out << options->id << "\t" << *password
              << "\t（運用者のパスワード。この画面にだけ表示されます）\n";
    }
  });

  auto* verify = tenant->add_subcommand(
      "verify", "テナント登録簿の監査ログを検証する / verify the registry's audit chain");
  AddInstallationOption(verify, *options);
  verify->callback([&cli, options] {
    auto registry = tenancy::Registry::Open(options->installation, cli.clock,
                                            tenancy::Registry::Mode::kExisting);
    if (!registry.Ok()) return cli.Fail(registry.Err());
    auto report = (*registry)->Verify();
    if (!report.Ok()) return cli.Fail(report.Err());
    if (cli.json) {
      cli.PrintJson({{"ok", report->ok},
                     {"events", report->events},
                     {"checkpoints", report->checkpoints},
                     {"problem", report->problem_en}});
    } else if (report->ok) {
      cli.out << "テナント登録簿の監査ログは正常です: " << report->events
              << " 件、チェックポイント " << report->checkpoints << " 件\n";
    } else {
      cli.out << "改ざん又は欠落を検出しました: " << report->problem_ja << "\n";
    }
    if (!report->ok) cli.exit_code = 5;
  });
}

}  // namespace mamori::cli
