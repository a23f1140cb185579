// `mamori register ...`: the registers of src/ledger/registers/ (情報資産台帳
// and the rest) from the command line. Fields are given as `--set
// column=value` (column ids or Japanese labels), the acting person as `--as`.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/ledger_cli.h"
#include "ledger/registers/entry_log.h"
#include "ledger/registers/import_export.h"
#include "ledger/registers/registers.h"

namespace mamori::cli {
namespace {

using Json = nlohmann::json;
namespace reg = ledger::registers;

struct RegisterOptions {
  std::string actor = "system";
  std::string register_id;
  std::string code;
  std::vector<std::string> sets;
  bool all = false;
  std::string date, reason;
  std::string file, output, format, encoding = "utf8bom";
  bool update = false;
  int pattern_days = reg::kDefaultPatternMaxAgeDays;
  // contract checklist
  std::string item, note;
  bool not_done = false;
  // entry log
  std::string area, person, visitor, organization, purpose, escort, at, from, to;
  bool id_checked = false;
  std::int64_t entry_id = 0;
};

// "column=value" pairs; every malformed one is named.
Result<reg::Values> ParseSets(const std::vector<std::string>& sets) {
  reg::Values values;
  std::vector<Diagnostic> problems;
  for (const auto& set : sets) {
    const auto equals = set.find('=');
    if (equals == std::string::npos || equals == 0) {
      problems.push_back({{"", 0, "--set"},
                          "「列=値」の形で指定してください: " + set,
                          "expected column=value: " + set});
      continue;
    }
    values[set.substr(0, equals)] = set.substr(equals + 1);
  }
  if (!problems.empty()) return Error(ErrorCode::kInvalidArgument, std::move(problems));
  return values;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kNotFound, "ファイルを読めません: " + path, "cannot read " + path,
                 {path, 0, ""});
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string ValueOf(const reg::Record& record, const reg::Column& column) {
  const auto& source = column.computed ? record.computed : record.values;
  auto it = source.find(column.id);
  return it == source.end() ? std::string() : it->second;
}

// One line per value: tabs and line breaks inside a cell would break the table.
std::string OneLine(std::string text) {
  for (auto& c : text) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

void PrintRecord(LedgerCli& cli, const policy::Profile& profile, const reg::Record& record) {
  const auto* spec = reg::FindRegister(record.register_id);
  if (cli.json) {
    cli.PrintJson(reg::RecordJson(record));
    return;
  }
  cli.out << spec->label_ja << " " << record.code;
  if (!record.retired_date.empty()) {
    cli.out << "（廃止 " << record.retired_date
            << (record.retired_reason.empty() ? "" : "：" + record.retired_reason) << "）";
  }
  cli.out << "\n";
  for (const auto& column : reg::Columns(profile, *spec)) {
    const std::string value = ValueOf(record, column);
    // The checklist below shows the 8.1(2) items one per line.
    if (value.empty() || column.id == reg::kContractMissing) continue;
    cli.out << "  " << column.label_ja << ": " << OneLine(reg::DisplayValue(profile, column, value))
            << "\n";
  }
  for (const auto& item : record.checklist) {
    cli.out << "  [" << (item.done ? "済" : (item.checked ? "×" : "未")) << "] " << item.text_ja
            << "（" << item.id << "）" << (item.note.empty() ? "" : "：" + item.note) << "\n";
  }
  for (const auto& flag : record.flags) {
    cli.out << "  ⚠ " << flag.message_ja << "（" << flag.clause << "）\n";
  }
}

void AddKinds(CLI::App& parent, LedgerCli& cli) {
  auto* kinds = parent.add_subcommand("kinds", "台帳の種類と項目 / registers and their fields");
  kinds->callback([&cli] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          Json all = Json::array();
          for (const auto& spec : reg::Registers()) {
            Json columns = Json::array();
            for (const auto& column : reg::Columns(ledger.Profile(), spec)) {
              Json entry{
                  {"id", column.id}, {"label", column.label_ja}, {"computed", column.computed}};
              if (column.field != nullptr) {
                entry["required"] = column.field->required && !column.computed;
                entry["clause"] = column.field->clause;
                Json choices = Json::array();
                for (const auto& choice : column.field->choices) {
                  choices.push_back({{"id", choice.id}, {"label", choice.label_ja}});
                }
                if (!choices.empty()) entry["choices"] = choices;
              }
              columns.push_back(entry);
            }
            all.push_back({{"id", spec.id},
                           {"label", spec.label_ja},
                           {"label_en", spec.label_en},
                           {"clauses", spec.clauses},
                           {"columns", columns}});
          }
          if (cli.json) {
            cli.PrintJson(all);
            return OkStatus();
          }
          for (const auto& spec : all) {
            cli.out << spec["id"].get<std::string>() << "\t" << spec["label"].get<std::string>()
                    << "（" << spec["label_en"].get<std::string>() << "）\n";
            for (const auto& column : spec["columns"]) {
              cli.out << "  " << column["id"].get<std::string>() << "\t"
                      << column["label"].get<std::string>();
              if (column.value("required", false)) cli.out << "\t必須";
              if (column["computed"].get<bool>()) cli.out << "\t自動計算";
              if (column.contains("choices")) {
                cli.out << "\t";
                bool first = true;
                for (const auto& choice : column["choices"]) {
                  cli.out << (first ? "" : ", ") << choice["id"].get<std::string>() << "="
                          << choice["label"].get<std::string>();
                  first = false;
                }
              }
              cli.out << "\n";
            }
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });
}

void AddEntryLog(CLI::App& parent, LedgerCli& cli, const std::shared_ptr<RegisterOptions>& o) {
  auto* log = parent.add_subcommand("entry-log",
                                    "管理区域の入退室記録（4.2(2)） / controlled-area entry log");
  log->require_subcommand(1);

  auto* enter = log->add_subcommand("enter", "入室を記録 / record an entry");
  enter->add_option("AREA", o->area, "管理区域の管理番号")->required();
  enter->add_option("--person", o->person, "入室する職員等のコード");
  enter->add_option("--visitor", o->visitor, "訪問者の氏名（--escort が必要: 4.2(2)③）");
  enter->add_option("--organization", o->organization, "訪問者の所属");
  enter->add_option("--purpose", o->purpose, "入室の目的")->required();
  enter->add_option("--escort", o->escort, "付き添う職員のコード");
  enter->add_flag("--id-checked", o->id_checked, "身分証明書等の携帯を確認した（4.2(2)②）");
  enter->add_option("--at", o->at, "入室時刻（既定 現在）");
  enter->add_option("--as", o->actor, "記録する職員のコード");
  enter->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      reg::EntryInput input;
      input.area = o->area;
      input.person = o->person;
      input.visitor_name = o->visitor;
      input.visitor_organization = o->organization;
      input.purpose = o->purpose;
      input.escort = o->escort;
      input.id_checked = o->id_checked;
      input.entered = o->at;
      MAMORI_TRY(const auto entry, reg::RecordEntry(ledger, o->actor, input));
      if (cli.json) {
        cli.PrintJson(reg::EntryJson(entry));
      } else {
        MAMORI_TRY(const auto time, ParseTime(entry.entered_utc, "entered"));
        cli.out << "入室を記録しました: 記録番号 " << entry.id << "（" << FormatJst(time) << "）\n";
      }
      return OkStatus();
    });
  });

  auto* exit = log->add_subcommand("exit", "退室を記録 / record the exit");
  exit->add_option("ENTRY", o->entry_id, "入室の記録番号")->required();
  exit->add_option("--at", o->at, "退室時刻（既定 現在）");
  exit->add_option("--as", o->actor, "記録する職員のコード");
  exit->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto entry, reg::RecordExit(ledger, o->actor, o->entry_id, o->at));
      if (cli.json) {
        cli.PrintJson(reg::EntryJson(entry));
      } else {
        MAMORI_TRY(const auto time, ParseTime(entry.exited_utc, "exited"));
        cli.out << "退室を記録しました: 記録番号 " << entry.id << "（" << FormatJst(time) << "）\n";
      }
      return OkStatus();
    });
  });

  auto* list = log->add_subcommand("list", "入退室記録の一覧 / list entries");
  list->add_option("AREA", o->area, "管理区域（省略: すべて）");
  list->add_option("--from", o->from, "開始 YYYY-MM-DD 又は日時（含む）");
  list->add_option("--to", o->to, "終了 YYYY-MM-DD 又は日時（含まない）");
  list->callback([&cli, o] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          std::string from;
          std::string to;
          if (!o->from.empty()) {
            MAMORI_TRY(const auto time, ParseTime(o->from, "--from"));
            from = FormatUtc(time);
          }
          if (!o->to.empty()) {
            MAMORI_TRY(const auto time, ParseTime(o->to, "--to"));
            to = FormatUtc(time);
          }
          MAMORI_TRY(const auto entries, reg::ListEntries(ledger, o->area, from, to));
          if (cli.json) {
            Json rows = Json::array();
            for (const auto& entry : entries) rows.push_back(reg::EntryJson(entry));
            cli.PrintJson(rows);
            return OkStatus();
          }
          auto jst = [](const std::string& utc) -> std::string {
            if (utc.empty()) return "（在室中）";
            auto time = ParseTime(utc, "time");
            return time.Ok() ? FormatJst(*time) : utc;
          };
          cli.out << "番号\t管理区域\t入室者\t所属\t目的\t付添者\t身分証\t入室\t退室\n";
          for (const auto& e : entries) {
            cli.out << e.id << "\t" << e.area << "\t"
                    << (e.person.empty() ? e.visitor_name + "（訪問者）" : e.person) << "\t"
                    << e.visitor_organization << "\t" << OneLine(e.purpose) << "\t" << e.escort
                    << "\t" << (e.id_checked ? "確認" : "未確認") << "\t" << jst(e.entered_utc)
                    << "\t" << jst(e.exited_utc) << "\n";
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });
}

}  // namespace

void AddRegisterCommands(CLI::App& app, LedgerCli& cli) {
  auto* group = app.add_subcommand(
      "register", "台帳（情報資産台帳など） / registers (assets, devices, media, ...)");
  group->require_subcommand(1);
  auto o = std::make_shared<RegisterOptions>();
  const std::string register_help = "台帳: " + reg::RegisterIds();
  auto actor = [o](CLI::App* command) {
    command->add_option("--as", o->actor, "操作者の職員コード / acting person");
  };

  AddKinds(*group, cli);

  auto* list = group->add_subcommand("list", "台帳の一覧 / list a register");
  list->add_option("REGISTER", o->register_id, register_help)->required();
  list->add_flag("--all", o->all, "廃止済みも含める / include retired records");
  list->add_option("--pattern-days", o->pattern_days,
                   "パターンファイルの許容日数（6.4(2)②、既定 7）");
  list->callback([&cli, o] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          reg::ReadOptions options;
          options.include_retired = o->all;
          options.pattern_max_age_days = o->pattern_days;
          MAMORI_TRY(const auto records, reg::List(ledger, o->register_id, options));
          if (cli.json) {
            Json rows = Json::array();
            for (const auto& record : records) rows.push_back(reg::RecordJson(record));
            cli.PrintJson(rows);
            return OkStatus();
          }
          const auto* spec = reg::FindRegister(o->register_id);
          const auto columns = reg::Columns(ledger.Profile(), *spec);
          for (std::size_t c = 0; c < columns.size(); ++c) {
            cli.out << (c > 0 ? "\t" : "") << columns[c].label_ja;
          }
          cli.out << "\t廃止日\t問題\n";
          for (const auto& record : records) {
            for (std::size_t c = 0; c < columns.size(); ++c) {
              cli.out << (c > 0 ? "\t" : "")
                      << OneLine(reg::DisplayValue(ledger.Profile(), columns[c],
                                                   ValueOf(record, columns[c])));
            }
            std::string flags;
            for (const auto& flag : record.flags) {
              flags += (flags.empty() ? "" : "; ") + flag.message_ja + "（" + flag.clause + "）";
            }
            cli.out << "\t" << record.retired_date << "\t" << flags << "\n";
          }
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* show = group->add_subcommand("show", "1 件を表示 / show one record");
  show->add_option("REGISTER", o->register_id, register_help)->required();
  show->add_option("CODE", o->code, "管理番号")->required();
  show->add_option("--pattern-days", o->pattern_days, "パターンファイルの許容日数（既定 7）");
  show->callback([&cli, o] {
    cli.WithLedger(
        [&](ledger::Ledger& ledger) -> Status {
          reg::ReadOptions options;
          options.pattern_max_age_days = o->pattern_days;
          MAMORI_TRY(const auto record, reg::Get(ledger, o->register_id, o->code, options));
          PrintRecord(cli, ledger.Profile(), record);
          return OkStatus();
        },
        /*read_only=*/true);
  });

  auto* add = group->add_subcommand("add", "登録 / add a record");
  add->add_option("REGISTER", o->register_id, register_help)->required();
  add->add_option("--set", o->sets, "列=値（繰り返し可。列は英語の id 又は日本語の項目名）")
      ->required();
  actor(add);
  add->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto values, ParseSets(o->sets));
      MAMORI_TRY(const auto record, reg::Add(ledger, o->actor, o->register_id, values));
      if (!cli.json) cli.out << "登録しました: ";
      PrintRecord(cli, ledger.Profile(), record);
      return OkStatus();
    });
  });

  auto* update = group->add_subcommand("update", "変更 / change a record");
  update->add_option("REGISTER", o->register_id, register_help)->required();
  update->add_option("CODE", o->code, "管理番号")->required();
  update->add_option("--set", o->sets, "列=値（繰り返し可。空の値で消去）")->required();
  actor(update);
  update->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto values, ParseSets(o->sets));
      MAMORI_TRY(const auto record, reg::Update(ledger, o->actor, o->register_id, o->code, values));
      if (!cli.json) cli.out << "変更しました: ";
      PrintRecord(cli, ledger.Profile(), record);
      return OkStatus();
    });
  });

  auto* retire = group->add_subcommand("retire", "廃止 / retire a record");
  retire->add_option("REGISTER", o->register_id, register_help)->required();
  retire->add_option("CODE", o->code, "管理番号")->required();
  retire->add_option("--date", o->date, "廃止日 YYYY-MM-DD（既定 今日）");
  retire->add_option("--reason", o->reason, "理由");
  actor(retire);
  retire->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto record,
                 reg::Retire(ledger, o->actor, o->register_id, o->code, o->date, o->reason));
      if (!cli.json) cli.out << "廃止しました: ";
      PrintRecord(cli, ledger.Profile(), record);
      return OkStatus();
    });
  });

  auto* import = group->add_subcommand("import",
                                       "CSV（UTF-8 / BOM付き / Shift_JIS）又は XLSX "
                                       "から取り込む（誤りが 1 件でもあれば何も登録しない）");
  import->add_option("REGISTER", o->register_id, register_help + ", person（職員等）")->required();
  import->add_option("FILE", o->file, "CSV 又は XLSX")->required();
  import->add_flag("--update", o->update, "既存の管理番号は変更として扱う / update existing codes");
  actor(import);
  import->callback([&cli, o] {
    cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
      MAMORI_TRY(const auto bytes, ReadFile(o->file));
  MAMORI_TRY(const auto report, reg::ImportFile(ledger, o->actor, o->register_id, bytes, o->file,
                                                o->update ? reg::ImportMode::kAddOrUpdate
                                                          : reg::ImportMode::kAddOnly));
  if (cli.json) {
    cli.PrintJson({{"file", o->file}, {"added", report.added}, {"updated", report.updated}});
  } else {
    cli.out << "取り込みました: " << o->file << "（追加 " << report.added << " 件、変更 "
            << report.updated << " 件）\n";
  }
  return OkStatus();
});
}  // namespace mamori::cli
);

auto* export_command = group->add_subcommand(
    "export", "XLSX 又は CSV（Excel で開ける BOM 付き UTF-8 / Shift_JIS）に書き出す");
export_command->add_option("REGISTER", o->register_id, register_help + ", person（職員等）")
    ->required();
export_command->add_option("--output,-o", o->output, "出力ファイル（既定 標準出力）");
export_command
    ->add_option("--format", o->format, "csv 又は xlsx（既定: 出力ファイル名から、なければ csv）")
    ->check(CLI::IsMember({"csv", "xlsx"}));
export_command
    ->add_option("--encoding", o->encoding, "CSV の文字コード: utf8bom（既定）, sjis, utf8")
    ->check(CLI::IsMember({"utf8bom", "sjis", "utf8"}));
export_command->callback([&cli, o] {
  cli.WithLedger(
      [&](ledger::Ledger& ledger) -> Status {
        reg::FileFormat format = reg::FormatOf(o->output, "");
        if (o->format == "csv") format = reg::FileFormat::kCsv;
        if (o->format == "xlsx") format = reg::FileFormat::kXlsx;
        const auto encoding = o->encoding == "sjis"   ? tabular::SourceEncoding::kShiftJis
                              : o->encoding == "utf8" ? tabular::SourceEncoding::kUtf8
                                                      : tabular::SourceEncoding::kUtf8Bom;
        MAMORI_TRY(const auto bytes, reg::ExportFile(ledger, o->register_id, format, encoding));
        if (o->output.empty()) {
          cli.out << bytes;
          return OkStatus();
        }
        std::ofstream file(o->output, std::ios::binary);
        file << bytes;
        if (!file.flush()) {
          return Error(ErrorCode::kIo, "書き込めません: " + o->output, "cannot write " + o->output);
        }
        cli.err << "書き出しました: " << o->output << "\n";
        return OkStatus();
      },
      /*read_only=*/true);
});

auto* clause = group->add_subcommand(
    "check-clause", "委託契約の契約項目（8.1(2)）を確認 / record an 8.1(2) contract clause");
clause->add_option("CONTRACT", o->code, "契約番号")->required();
std::string items;
for (const auto& item : reg::ContractClauseItems()) {
  items += (items.empty() ? "" : ", ") + std::string(item.id);
}
clause->add_option("ITEM", o->item, "項目: " + items)->required();
clause->add_flag("--missing", o->not_done, "契約に記載がない / the contract lacks it");
clause->add_option("--note", o->note, "根拠（条項番号など）");
actor(clause);
clause->callback([&cli, o] {
  cli.WithLedger([&](ledger::Ledger& ledger) -> Status {
    MAMORI_TRY(const auto record,
               reg::CheckContractClause(ledger, o->actor, o->code, o->item, !o->not_done, o->note));
    PrintRecord(cli, ledger.Profile(), record);
    return OkStatus();
  });
});

AddEntryLog(*group, cli, o);
}

}  // namespace mamori::cli
