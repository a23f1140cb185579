#include "cli/ledger_cli.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/audit_log.h"
#include "auth/secret_box.h"
#include "auth/secrets.h"
#include "cli/app.h"
#include "cli/commands.h"
#include "ledger/org.h"
#include "storage/open.h"

namespace mamori::cli {

using Json = nlohmann::json;

ledger::LedgerPaths LedgerCli::Paths() const {
  auto paths = ledger::DefaultPaths(db);
  if (!key.empty()) paths.key = key;
  return paths;
}

std::unique_ptr<ledger::Ledger> LedgerCli::Open(bool read_only) {
  auto ledger =
      ledger::Ledger::Open(Paths(), clock, {.profile_path = profile, .read_only = read_only});
  if (!ledger.Ok()) {
    Fail(ledger.Err());
    return nullptr;
  }
  return std::move(ledger).Value();
}

void LedgerCli::WithLedger(const std::function<Status(ledger::Ledger&)>& body, bool read_only) {
  auto ledger = Open(read_only);
  if (!ledger) return;
  Status status = body(*ledger);
  if (!status.Ok()) {
    Fail(status.Err());
    return;
  }
  if (!read_only) {
    if (auto signed_now = ledger->Checkpoint(); !signed_now.Ok()) Fail(signed_now.Err());
  }
}

Status RequireChiefOrDeputy(ledger::Ledger& ledger, const std::string& actor,
                            std::string_view what_ja, std::string_view what_en) {
  MAMORI_TRY(const auto person, ledger::FindActivePerson(ledger, actor, "as"));
  MAMORI_TRY(const auto roles, ledger::RolesOf(ledger, person, ledger::TodayJst(ledger)));
  for (const auto& role : roles) {
    if (role.role == policy::Role::kChiefOfficer ||
        role.role == policy::Role::kDeputyChiefOfficer) {
      return OkStatus();
    }
  }
  return Error(
      ErrorCode::kInvalidArgument,
      std::string(what_ja) + "は統括情報セキュリティ責任者又は副責任者が行います（6.2(1)）",
      "only the chief officer or the deputy " + std::string(what_en) + " (6.2(1))",
      Where{"", 0, "as"});
}

namespace {

// "情報システム管理者（system_admin）": the profile's title with the id typed.
std::string RoleLabel(const policy::Profile& profile, const std::string& role_id) {
  const auto role = profile.ParseRole(role_id);
  return role ? profile.RoleTitle(*role) + "（" + role_id + "）" : role_id;
}

void AddInit(CLI::App& app, LedgerCli& cli) {
  auto* init = app.add_subcommand(
      "init", "プロファイルに基づく台帳データベースと署名鍵を作成する / create a ledger database");
  auto profile = std::make_shared<std::string>();
  init->add_option("--profile,-p", *profile, "ポリシープロファイル（TOML）")
      ->required()
      ->check(CLI::ExistingFile);
  init->callback([&cli, profile] {
    // The secret key file (auth/secrets.h) is checked first, so that a key
    // that exists already stops init before a database is made.
    const std::string secret_key = auth::SecretKeyPath(cli.Paths().database, cli.Paths().key);
    if (std::filesystem::exists(secret_key)) {
      return cli.Fail(
          Error(ErrorCode::kIo,
                "秘密情報の暗号鍵ファイル " + secret_key + " が既にあります（上書きしません）",
                "the secret key file " + secret_key + " exists already (never overwritten)",
                Where{secret_key, 0, ""}));
    }
    auto ledger = ledger::Ledger::Create(cli.Paths(), *profile, cli.clock);
    if (!ledger.Ok()) return cli.Fail(ledger.Err());
    if (auto created = auth::CreateSecretKeyFile(secret_key); !created.Ok()) {
      return cli.Fail(created.Err());
    }
    const auto& paths = (*ledger)->Paths();
    if (cli.json) {
      cli.PrintJson({{"database", storage::RedactUrl(paths.database)},
                     {"key", paths.key},
                     {"public_key", paths.key + ".pub"},
                     {"secret_key", secret_key},
                     {"checkpoints", paths.checkpoints},
                     {"profile", (*ledger)->Profile().id}});
      return;
    }
    cli.out << "台帳を作成しました: " << storage::RedactUrl(paths.database) << "（" << (*ledger)->Profile().title
            << "）\n署名鍵: " << paths.key << "（データベースとは別の場所に保管してください）\n"
            << "公開鍵: " << paths.key << ".pub\n秘密情報の暗号鍵: " << secret_key
            << "（同じくデータベースとは別に保管。失うと登録済みの確認コードは使えません）\n"
            << "チェックポイント: " << paths.checkpoints << "\n";
  });
}

std::string EmploymentTitle(const std::string& id) {
  for (const auto& [key, title] : ledger::EmploymentTypes()) {
    if (key == id) return title;
  }
  return id;
}

void AddOrg(CLI::App& app, LedgerCli& cli) {
  auto* org = app.add_subcommand("org", "組織（部局・課室等・職員・役割） / organization register");
  org->require_subcommand(1);
  struct Options {
    std::string actor = "system";
    std::string code, name, department, section, employment = "staff", email, start, end, role,
                                                 scope, what = "people";
  };
  auto options = std::make_shared<Options>();
  auto actor = [options](CLI::App* command) {
    command->add_option("--as", options->actor, "操作者の職員コード / acting person");
  };

  auto* department = org->add_subcommand("add-department", "部局を追加 / add a department");
  department->add_option("CODE", options->code)->required();
  department->add_option("NAME", options->name)->required();
  actor(department);
  department->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto id,
                 ledger::AddDepartment(ledger, options->actor, options->code, options->name));
      cli.json ? cli.PrintJson({{"id", id}, {"code", options->code}})
               : void(cli.out << "部局を追加しました: " << options->code << " " << options->name
                              << "\n");
      return OkStatus();
    });
  });

  auto* section = org->add_subcommand("add-section", "課室等を追加 / add a section");
  section->add_option("CODE", options->code)->required();
  section->add_option("NAME", options->name)->required();
  section->add_option("--department", options->department, "部局コード")->required();
  actor(section);
  section->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto id, ledger::AddSection(ledger, options->actor, options->code,
                                                   options->name, options->department));
      cli.json ? cli.PrintJson({{"id", id}, {"code", options->code}})
               : void(cli.out << "課室等を追加しました: " << options->code << " " << options->name
                              << "\n");
      return OkStatus();
    });
  });

  auto* person = org->add_subcommand("add-person", "職員等を追加 / add a person");
  person->add_option("CODE", options->code)->required();
  person->add_option("NAME", options->name)->required();
  person->add_option("--section", options->section, "課室等コード")->required();
  person->add_option("--employment", options->employment,
                     "staff（職員）, fiscal_year（会計年度任用職員）, fixed_term（任期付）, "
                     "contractor（委託事業者）");
  person->add_option("--email", options->email);
  person->add_option("--start", options->start, "開始日 YYYY-MM-DD")->required();
  person->add_option("--end", options->end, "終了日 YYYY-MM-DD");
  actor(person);
  person->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto id, ledger::AddPerson(ledger, options->actor,
                                                  {options->code, options->name, options->section,
                                                   options->employment, options->email,
                                                   options->start, options->end}));
      cli.json ? cli.PrintJson({{"id", id}, {"code", options->code}})
               : void(cli.out << "職員等を追加しました: " << options->code << " " << options->name
                              << "\n");
      return OkStatus();
    });
  });

  auto* end = org->add_subcommand("end-person", "職員等の任用終了 / end a person's employment");
  end->add_option("CODE", options->code)->required();
  end->add_option("--date", options->end, "終了日 YYYY-MM-DD")->required();
  actor(end);
  end->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY_STATUS(ledger::EndPerson(ledger, options->actor, options->code, options->end));
      cli.json ? cli.PrintJson({{"code", options->code}, {"end_date", options->end}})
               : void(cli.out << "任用を終了しました: " << options->code << "（" << options->end
                              << "）\n");
      return OkStatus();
    });
  });

  auto* role = org->add_subcommand("assign-role", "役割を割り当てる / assign a role");
  role->add_option("PERSON", options->code)->required();
  role->add_option("ROLE", options->role,
                   "manager, officer, chief_officer, ... 又はプロファイルが定める役割の id")
      ->required();
  role->add_option(
      "--scope", options->scope,
      "manager/liaison と scope = \"section\" の役割は課室等コード、officer は部局コード、"
      "他は指定しない");
  role->add_option("--start", options->start, "開始日 YYYY-MM-DD")->required();
  actor(role);
  role->callback([&cli, options] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto id, ledger::AssignRole(ledger, options->actor, options->code,
                                                   options->role, options->scope, options->start));
      cli.json ? cli.PrintJson({{"id", id}})
               : void(cli.out << "役割を割り当てました: " << options->code << " → "
                              << RoleLabel(ledger.Profile(), options->role) << "\n");
      return OkStatus();
    });
  });

  auto* list = org->add_subcommand("list", "一覧 / list");
  list->add_option("WHAT", options->what, "departments, sections, people, roles")
      ->check(CLI::IsMember({"departments", "sections", "people", "roles"}));
  list->callback([&cli, options] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          Json rows = Json::array();
          if (options->what == "departments") {
            MAMORI_TRY(const auto items, ledger::ListDepartments(ledger));
            for (const auto& d : items) rows.push_back({{"code", d.code}, {"name", d.name}});
          } else if (options->what == "sections") {
            MAMORI_TRY(const auto items, ledger::ListSections(ledger));
            for (const auto& s : items) {
              rows.push_back(
                  {{"code", s.code}, {"name", s.name}, {"department", s.department_code}});
            }
          } else if (options->what == "people") {
            MAMORI_TRY(const auto items, ledger::ListPeople(ledger));
            for (const auto& p : items) {
              rows.push_back({{"code", p.code},
                              {"name", p.name},
                              {"section", p.section_code},
                              {"employment", p.employment},
                              {"start_date", p.start_date},
                              {"end_date", p.end_date}});
            }
          } else {
            MAMORI_TRY(const auto items, ledger::ListRoles(ledger));
            for (const auto& r : items) {
              rows.push_back({{"person", r.person_code},
                              {"role", ledger.Profile().RoleId(r.role)},
                              {"title", ledger.Profile().RoleTitle(r.role)},
                              {"section", r.section_code},
                              {"department", r.department_code},
                              {"start_date", r.start_date},
                              {"end_date", r.end_date}});
            }
          }
          if (cli.json) {
            cli.PrintJson(rows);
            return OkStatus();
          }
          // Text: the columns in a fixed order, one row per line, tab-separated.
          static const std::map<std::string, std::vector<std::pair<std::string, std::string>>>
              kColumns{
                  {"departments", {{"code", "コード"}, {"name", "部局"}}},
                  {"sections", {{"code", "コード"}, {"name", "課室等"}, {"department", "部局"}}},
                  {"people",
                   {{"code", "コード"},
                    {"name", "氏名"},
                    {"section", "課室等"},
                    {"employment", "任用形態"},
                    {"start_date", "開始日"},
                    {"end_date", "終了日"}}},
                  {"roles",
                   {{"person", "職員"},
                    {"title", "役割"},
                    {"section", "課室等"},
                    {"department", "部局"},
                    {"start_date", "開始日"},
                    {"end_date", "終了日"}}}};
          const auto& columns = kColumns.at(options->what);
          for (std::size_t c = 0; c < columns.size(); ++c) {
            cli.out << (c > 0 ? "\t" : "") << columns[c].second;
          }
          cli.out << "\n";
          for (const auto& row : rows) {
            for (std::size_t c = 0; c < columns.size(); ++c) {
              std::string text = row.value(columns[c].first, "");
              if (columns[c].first == "employment") text = EmploymentTitle(text);
              cli.out << (c > 0 ? "\t" : "") << text;
            }
            cli.out << "\n";
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });
}

void AddAudit(CLI::App& app, LedgerCli& cli) {
  auto* audit = app.add_subcommand("audit", "監査ログ / the audit log");
  audit->require_subcommand(1);
  struct Options {
    std::string public_key, from, to, format = "jsonl", output;
  };
  auto options = std::make_shared<Options>();

  auto* verify = audit->add_subcommand(
      "verify",
      "ハッシュチェーンと署名済みチェックポイントを検証 / verify the chain and checkpoints");
  verify->add_option("--public-key", options->public_key, "公開鍵（既定 <key>.pub）");
  verify->callback([&cli, options] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          const std::string key_path =
              options->public_key.empty() ? ledger.Paths().key : options->public_key;
          MAMORI_TRY(const auto key, audit::ReadVerifyingKey(key_path));
          MAMORI_TRY(const auto report,
                     audit::Verify(ledger.Db(), key, ledger.Paths().checkpoints));
          if (cli.json) {
            Json out{{"ok", report.ok},
                     {"events", report.events},
                     {"checkpoints", report.checkpoints},
                     {"last_checkpoint_seq", report.last_checkpoint_seq},
                     {"unanchored_events", report.unanchored_events}};
            if (report.first_bad_seq) {
              out["first_bad_seq"] = *report.first_bad_seq;
              out["problem_ja"] = report.problem_ja;
              out["problem_en"] = report.problem_en;
            }
            cli.PrintJson(out);
          } else if (report.ok) {
            cli.out << "監査ログは正常です: " << report.events << " 件のイベント、"
                    << report.checkpoints << " 件の署名済みチェックポイント（最新 "
                    << report.last_checkpoint_seq << " 番）\n";
            if (report.unanchored_events > 0) {
              cli.out << "注意: 最新のチェックポイント以降の " << report.unanchored_events
                      << " 件はまだ署名されていません\n";
            }
            // The retention the profile asks for (6.1(6)): events are kept at
            // least this long; mamori never deletes them.
            for (const auto& item : ledger.Profile().retention) {
              if (item.id != "audit_log") continue;
              MAMORI_TRY(const auto oldest,
                         ledger.Db().Query("SELECT time_utc FROM audit_events WHERE seq = 1"));
              cli.out << "保存期間: " << item.days << " 日（" << item.clause << "）";
              if (!oldest.empty()) {
                MAMORI_TRY(const auto time, ParseTime(oldest[0].Text(0), "time_utc"));
                cli.out << "、最古のイベント " << FormatJst(time);
              }
              cli.out << "\n";
            }
          } else {
            cli.out << "監査ログの検証に失敗しました / audit log verification FAILED\n"
                    << "最初の不正なイベント / first bad event: " << *report.first_bad_seq << "\n"
                    << report.problem_ja << "\n"
                    << report.problem_en << "\n";
          }
          if (!report.ok) cli.exit_code = kExitVerifyFailed;
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* export_command =
      audit->add_subcommand("export", "期間の監査ログを書き出す / export the log of a period");
  export_command->add_option("--from", options->from, "開始 YYYY-MM-DD 又は日時（含む）");
  export_command->add_option("--to", options->to, "終了 YYYY-MM-DD 又は日時（含まない）");
  export_command->add_option("--format", options->format, "jsonl（既定）又は csv")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  export_command->add_option("--output,-o", options->output, "出力ファイル（既定 標準出力）");
  export_command->callback([&cli, options] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          std::string from;
          std::string to;
          if (!options->from.empty()) {
            MAMORI_TRY(const auto time, ParseTime(options->from, "--from"));
            from = FormatUtc(time);
          }
          if (!options->to.empty()) {
            MAMORI_TRY(const auto time, ParseTime(options->to, "--to"));
            to = FormatUtc(time);
          }
          MAMORI_TRY(const auto events, ledger.Audit().Events(from, to));
          const auto format = options->format == "csv" ? audit::ExportFormat::kCsv
                                                       : audit::ExportFormat::kJsonLines;
          if (options->output.empty()) return audit::Export(events, format, cli.out);
          std::ofstream file(options->output, std::ios::binary);
          if (!file) {
            return Error(ErrorCode::kIo, "書き込めません: " + options->output,
                         "cannot write " + options->output);
          }
          MAMORI_TRY_STATUS(audit::Export(events, format, file));
          cli.err << events.size() << " 件を書き出しました: " << options->output << "\n";
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* checkpoint =
      audit->add_subcommand("checkpoint", "最新のイベントに署名する / sign the newest event now");
  checkpoint->callback([&cli] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto seq, ledger.Audit().LastSeq());
      cli.out << "署名しました: " << seq << " 番まで\n";
      return OkStatus();  // WithLedger signs after a successful command
    });
  });
}

}  // namespace

void AddLedgerCoreCommands(CLI::App& app, LedgerCli& cli) {
  AddInit(app, cli);
  AddOrg(app, cli);
  AddAudit(app, cli);
}

void AddBatchCommand(CLI::App& app, LedgerCli& cli, std::istream& in) {
  auto* batch = app.add_subcommand(
      "batch", "標準入力の各行（引数の JSON 配列）を順に実行する / run one command per input line");
  batch->callback([&cli, &in] {
    std::string line;
    int number = 0;
    int failed = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty()) continue;
      Json args = Json::parse(line, nullptr, false);
      std::vector<std::string> argv;
      bool ok = args.is_array() && !args.empty();
      for (const auto& arg : ok ? args : Json::array()) {
        if (!arg.is_string())
          ok = false;
        else
          argv.push_back(arg.get<std::string>());
      }
      if (!ok || argv.front() == "batch") {
        cli.err << number << " 行目: 引数の JSON 配列ではありません / line " << number
                << ": not a JSON array of arguments\n";
        cli.out << "failed " << number << " " << kExitUsage << std::endl;
        ++failed;
        continue;
      }
      // The global options apply to every line.
      std::vector<std::string> full{"--db", cli.db};
      if (!cli.key.empty()) full.insert(full.end(), {"--key", cli.key});
      if (cli.json) full.emplace_back("--json");
      full.insert(full.end(), argv.begin(), argv.end());
      std::istringstream no_input;
      const int rc = RunMamori(full, no_input, cli.out, cli.err, cli.clock);
      if (rc == 0) {
        cli.out << "ok " << number << std::endl;  // flushed: the line is committed
      } else {
        cli.out << "failed " << number << " " << rc << std::endl;
        ++failed;
      }
    }
    cli.exit_code = failed == 0 ? kExitOk : kExitInvalidInput;
  });
}

}  // namespace mamori::cli
