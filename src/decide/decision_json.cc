#include "decide/decision_json.h"

#include <nlohmann/json.hpp>
#include <string>

namespace mamori::decide {
namespace {

using Json = nlohmann::ordered_json;
using policy::Effect;
using policy::Role;

std::string ClauseLabel(const policy::Profile& profile, std::uint16_t index) {
  const policy::Clause& clause = profile.clauses[index];
  return clause.id + " " + clause.title;
}

std::string JoinRoles(const policy::Profile& profile, const std::vector<Role>& step,
                      bool japanese) {
  std::string out;
  for (Role role : step) {
    if (!out.empty()) out += japanese ? "又は" : " or ";
    out += japanese ? profile.RoleTitle(role) : profile.RoleId(role);
  }
  return out;
}

std::string ObligationList(std::uint64_t obligations, bool japanese) {
  std::string out;
  for (int o = 0; o < policy::kObligationCount; ++o) {
    if ((obligations & (std::uint64_t{1} << o)) == 0) continue;
    const auto obligation = static_cast<policy::Obligation>(o);
    if (!out.empty()) out += japanese ? "、" : ", ";
    out += japanese ? policy::TitleJa(obligation) : policy::Id(obligation);
  }
  return out;
}

const char* EffectJa(Effect effect) {
  switch (effect) {
    case Effect::kAllow:
      return "許可されます";
    case Effect::kApprovalRequired:
      return "承認が必要です";
    case Effect::kDeny:
      return "禁止されています";
  }
  return "";
}

const char* EffectEn(Effect effect) {
  switch (effect) {
    case Effect::kAllow:
      return " is allowed.";
    case Effect::kApprovalRequired:
      return " requires approval.";
    case Effect::kDeny:
      return " is denied.";
  }
  return "";
}

}  // namespace

Explanation Explain(const policy::Profile& profile, const Request& request,
                    const Decision& decision) {
  const std::string action_ja(policy::TitleJa(request.action));
  const std::string action_en(policy::Id(request.action));
  std::string ja = action_ja + "は" + EffectJa(decision.effect) + "。";
  std::string en = action_en + EffectEn(decision.effect);

  if (decision.default_applied) {
    ja += "この行為を制限する規定はありません。";
    en += " No rule of the policy restricts this action.";
  }
  if (decision.flow != nullptr || decision.flow_missing) {
    const auto& segments = profile.network.segments;
    const int from = request.context[static_cast<std::size_t>(policy::ContextKey::kSegment)];
    const int to = request.context[static_cast<std::size_t>(policy::ContextKey::kToSegment)];
    const std::string route_ja = segments[static_cast<std::size_t>(from)].title + "から" +
                                 segments[static_cast<std::size_t>(to)].title + "へ";
    const std::string route_en = segments[static_cast<std::size_t>(from)].id + " -> " +
                                 segments[static_cast<std::size_t>(to)].id;
    if (decision.flow_missing) {
      ja += route_ja + "の通信はプロファイルで認められていません。";
      en += " The profile allows no flow " + route_en + ".";
    } else {
      ja += route_ja + "の通信: " + std::string(policy::TitleJa(decision.flow->mode));
      if (!decision.flow->note.empty()) ja += "（" + decision.flow->note + "）";
      ja += "。";
      en += " Flow " + route_en + ": " + std::string(policy::Id(decision.flow->mode)) + ".";
    }
  }
  for (std::uint16_t index : decision.matched_rules) {
    const policy::Rule& rule = profile.rules[index];
    std::string clauses;
    for (std::uint16_t clause : rule.clause_indices) {
      if (!clauses.empty()) clauses += "・";
      clauses += profile.clauses[clause].id;
    }
    ja += "［" + clauses + "］" + rule.text;
    en += " [" + rule.id + "]" + (rule.text_en.empty() ? "" : " " + rule.text_en);
  }
  if (!decision.approvals.empty()) {
    std::string steps_ja;
    std::string steps_en;
    for (const auto& step : decision.approvals) {
      if (!steps_ja.empty()) steps_ja += "、及び";
      if (!steps_en.empty()) steps_en += ", then ";
      steps_ja += JoinRoles(profile, step, true);
      steps_en += JoinRoles(profile, step, false);
    }
    ja += "承認者: " + steps_ja + "。";
    en += " Approvals: " + steps_en + ".";
  }
  if (decision.obligations != 0) {
    ja += "義務: " + ObligationList(decision.obligations, true) + "。";
    en += " Obligations: " + ObligationList(decision.obligations, false) + ".";
  }
  for (const SeparationNote& note : decision.separation_of_duties) {
    ja += "申請者は" + profile.RoleTitle(note.role) +
          "の職にありますが、自らの申請を承認することはできません（兼務の禁止）。同じ段階は他の承認者が承認します。";
    en += " The requester holds " + profile.RoleId(note.role) +
          " but may not approve their own request (separation of duties); another approver "
          "must take step " +
          std::to_string(note.step + 1) + ".";
  }
  if (decision.assumed_highest_level) {
    ja += "分類が指定されていないため、最高度の分類として判断しました。";
    en += " The classification was not given, so the highest level was assumed.";
  }
  return {std::move(ja), std::move(en)};
}

std::string DecisionToJson(const policy::Profile& profile, const Request& request,
                           const Decision& decision, Detail detail) {
  Json out = Json::object();
  if (!request.id.empty()) out["id"] = request.id;
  out["effect"] = std::string(policy::Id(decision.effect));
  Json approvals = Json::array();
  for (const auto& step : decision.approvals) {
    Json roles = Json::array();
    for (Role role : step) roles.push_back(profile.RoleId(role));
    approvals.push_back(std::move(roles));
  }
  out["approvals"] = std::move(approvals);
  Json obligations = Json::array();
  for (int o = 0; o < policy::kObligationCount; ++o) {
    if ((decision.obligations & (std::uint64_t{1} << o)) != 0) {
      obligations.push_back(std::string(policy::Id(static_cast<policy::Obligation>(o))));
    }
  }
  out["obligations"] = std::move(obligations);
  Json clauses = Json::array();
  for (std::uint16_t index : decision.clauses) {
    const policy::Clause& clause = profile.clauses[index];
    const policy::Document* document = profile.FindDocument(clause.document);
    clauses.push_back({{"id", clause.id},
                       {"title", clause.title},
                       {"document", document != nullptr ? document->title : clause.document}});
  }
  out["clauses"] = std::move(clauses);
  out["explanation"] = Explain(profile, request, decision).Both();
  if (!decision.separation_of_duties.empty()) {
    Json notes = Json::array();
    for (const SeparationNote& note : decision.separation_of_duties) {
      notes.push_back({{"step", note.step},
                       {"role", profile.RoleId(note.role)},
                       {"requester_may_not_approve", true}});
    }
    out["separation_of_duties"] = std::move(notes);
  }
  if (detail == Detail::kExplain) {
    Json matched = Json::array();
    for (std::uint16_t index : decision.matched_rules) {
      const policy::Rule& rule = profile.rules[index];
      std::string rule_clauses;
      for (std::uint16_t clause : rule.clause_indices) {
        if (!rule_clauses.empty()) rule_clauses += ", ";
        rule_clauses += ClauseLabel(profile, clause);
      }
      matched.push_back({{"id", rule.id},
                         {"effect", std::string(policy::Id(rule.effect))},
                         {"when", rule.condition_text.empty() ? "（常に）" : rule.condition_text},
                         {"clauses", rule_clauses},
                         {"source", rule.where.ToString()}});
    }
    out["matched_rules"] = std::move(matched);
    if (decision.flow != nullptr) {
      const auto& segments = profile.network.segments;
      out["flow"] = {{"from", segments[static_cast<std::size_t>(decision.flow->from)].id},
                     {"to", segments[static_cast<std::size_t>(decision.flow->to)].id},
                     {"mode", std::string(policy::Id(decision.flow->mode))},
                     {"preset", decision.flow->from_preset}};
    }
    out["flow_missing"] = decision.flow_missing;
    out["default_applied"] = decision.default_applied;
    out["assumed_highest_level"] = decision.assumed_highest_level;
  }
  return out.dump();
}

std::string ErrorToJson(const Error& error, int line) {
  Json out = Json::object();
  Json diagnostics = Json::array();
  for (const Diagnostic& diagnostic : error.Diagnostics()) {
    diagnostics.push_back({{"where", diagnostic.where.ToString()},
                           {"message_ja", diagnostic.message_ja},
                           {"message_en", diagnostic.message_en}});
  }
  Json body = {{"code", ErrorCodeName(error.Code())},
               {"message", error.Headline().ToString()},
               {"diagnostics", std::move(diagnostics)}};
  if (line > 0) body["line"] = line;
  out["error"] = std::move(body);
  // Invalid UTF-8 from the input may appear in messages: replace, never throw.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace mamori::decide
