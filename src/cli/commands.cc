#include "cli/commands.h"

#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "decide/decision_json.h"
#include "decide/engine.h"
#include "decide/request.h"
#include "policy/loader.h"
#include "policy/summary.h"

namespace mamori::cli {
namespace {

constexpr std::size_t kMaxDocumentBytes = std::size_t{1024} * 1024;

std::string EffectLabel(policy::Effect effect) {
  switch (effect) {
    case policy::Effect::kAllow:
      return "許可";
    case policy::Effect::kApprovalRequired:
      return "承認が必要";
    case policy::Effect::kDeny:
      return "禁止";
  }
  return "";
}

void WriteText(const policy::Profile& profile, const decide::Request& request,
               const decide::Decision& decision, int number, bool explain, std::ostream& out) {
  std::string roles;
  for (int r = 0; r < policy::kMaxRoles; ++r) {
    if ((request.actor_roles & policy::RoleBit(static_cast<policy::Role>(r))) != 0) {
      roles += (roles.empty() ? "" : "・") + profile.RoleTitle(static_cast<policy::Role>(r));
    }
  }
  out << "[" << number << "] " << request.actor_id << "（" << roles
      << (request.section.empty() ? "" : "、" + request.section) << "）: "
      << policy::TitleJa(request.action) << " → " << EffectLabel(decision.effect) << "\n";
  if (!decision.approvals.empty()) {
    out << "    承認者: ";
    for (std::size_t s = 0; s < decision.approvals.size(); ++s) {
      if (s > 0) out << " → ";
      for (std::size_t r = 0; r < decision.approvals[s].size(); ++r) {
        if (r > 0) out << "又は";
        out << profile.RoleTitle(decision.approvals[s][r]);
      }
    }
    out << "\n";
  }
  if (decision.obligations != 0) {
    out << "    義務: ";
    bool first = true;
    for (int o = 0; o < policy::kObligationCount; ++o) {
      if ((decision.obligations & (std::uint64_t{1} << o)) == 0) continue;
      out << (first ? "" : "、") << policy::TitleJa(static_cast<policy::Obligation>(o));
      first = false;
    }
    out << "\n";
  }
  for (std::uint16_t index : decision.clauses) {
    const policy::Clause& clause = profile.clauses[index];
    const policy::Document* document = profile.FindDocument(clause.document);
    out << "    根拠: " << clause.id << " " << clause.title << "（"
        << (document != nullptr ? document->title : clause.document) << "）\n";
  }
  out << "    説明: " << decide::Explain(profile, request, decision).ja << "\n";
  if (explain) {
    for (std::uint16_t index : decision.matched_rules) {
      const policy::Rule& rule = profile.rules[index];
      out << "    該当規則: " << rule.id << "（" << rule.where.ToString() << "）条件: "
          << (rule.condition_text.empty() ? "常に" : rule.condition_text) << "\n";
    }
  }
}

// Decides one request text; returns the exit code it contributes.
int DecideOne(const policy::Profile& profile, const DecideOptions& options, std::string_view text,
              int line, int& number, std::ostream& out) {
  ++number;
  auto request = decide::ParseRequest(profile, text);
  if (!request.Ok()) {
    if (options.format == OutputFormat::kJson) {
      out << decide::ErrorToJson(request.Err(), line) << "\n";
    } else {
      out << "[" << number << "] 入力エラー（" << line << "行目）: " << request.Err().ToString()
          << "\n";
    }
    return kExitInvalidInput;
  }
  const decide::Decision decision = decide::Decide(profile, *request);
  if (options.format == OutputFormat::kJson) {
    out << decide::DecisionToJson(profile, *request, decision,
                                  options.explain ? decide::Detail::kExplain
                                                  : decide::Detail::kContract)
        << "\n";
  } else {
    WriteText(profile, *request, decision, number, options.explain, out);
  }
  return decision.effect == policy::Effect::kDeny ? kExitDenied : kExitOk;
}

bool Blank(const std::string& line) {
  return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

int PolicyCheck(const std::vector<std::string>& files, std::ostream& out, std::ostream& err,
                OutputFormat format) {
  int status = kExitOk;
  nlohmann::json reports = nlohmann::json::array();
  for (const std::string& file : files) {
    auto profile = policy::LoadProfile(file);
    if (!profile.Ok()) {
      err << profile.Err().ToString() << "\n";
      const std::size_t count = profile.Err().Diagnostics().size();
      err << file << ": 不合格（" << count << "件の問題） / invalid (" << count
          << (count == 1 ? " problem" : " problems") << ")\n";
      reports.push_back({{"file", file}, {"ok", false}, {"problems", count}});
      status = kExitInvalidInput;
      continue;
    }
    const policy::CheckCoverage coverage = profile->Coverage();
    if (format == OutputFormat::kJson) {
      reports.push_back({{"file", file},
                         {"ok", true},
                         {"profile", profile->id},
                         {"organization", profile->organization.name},
                         {"rules", profile->rules.size()},
                         {"clauses", profile->clauses.size()},
                         {"segments", profile->network.segments.size()},
                         {"checks", coverage.checks},
                         {"rule_clauses", coverage.rule_clauses},
                         {"covered_clauses", coverage.covered},
                         {"uncovered_clauses", coverage.uncovered}});
      continue;
    }
    out << file << ": OK — " << profile->organization.name << "（規則 " << profile->rules.size()
        << "件、条項 " << profile->clauses.size() << "件、領域 "
        << profile->network.segments.size() << "）\n";
    out << "  " << policy::CoverageLine(coverage) << "\n";
    for (const std::string& clause : coverage.uncovered) {
      out << "  警告: 条項「" << clause << "」には規則があるが点検項目がない / warning: clause "
          << clause << " has rules but no check item\n";
    }
  }
  if (format == OutputFormat::kJson) out << nlohmann::json{{"profiles", reports}}.dump() << "\n";
  return status;
}

int PolicyShow(const std::string& file, std::ostream& out, std::ostream& err) {
  auto profile = policy::LoadProfile(file);
  if (!profile.Ok()) {
    err << profile.Err().ToString() << "\n";
    return kExitInvalidInput;
  }
  out << policy::Summarize(*profile);
  return kExitOk;
}

int Decide(const DecideOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  auto profile = policy::LoadProfile(options.profile_path);
  if (!profile.Ok()) {
    err << profile.Err().ToString() << "\n";
    return kExitInvalidInput;
  }
  int status = kExitOk;
  auto combine = [&status](int code) {
    // invalid input outranks deny, which outranks ok
    if (code == kExitInvalidInput || (code == kExitDenied && status == kExitOk)) status = code;
  };
  int number = 0;
  std::string line;
  int line_number = 0;
  // JSON Lines, one request per line; if the first line is not a JSON value
  // by itself, the whole input is one (pretty-printed) request.
  while (std::getline(in, line)) {
    ++line_number;
    if (Blank(line)) continue;
    if (number == 0 && !nlohmann::json::accept(line)) {
      std::string document = line;
      std::string rest;
      while (std::getline(in, rest)) {
        document += "\n" + rest;
        if (document.size() > kMaxDocumentBytes) break;
      }
      combine(DecideOne(*profile, options, document, line_number, number, out));
      return status;
    }
    combine(DecideOne(*profile, options, line, line_number, number, out));
  }
  if (number == 0) {
    err << "入力にリクエストがありません / no request on input\n";
    return kExitInvalidInput;
  }
  return status;
}

}  // namespace mamori::cli
