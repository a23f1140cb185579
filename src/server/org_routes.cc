// The overview routes: health, the profile as a readable document, the
// organization register, live decisions and the dashboard.
#include <algorithm>
#include <set>

#include "decide/decision_json.h"
#include "decide/engine.h"
#include "decide/request.h"
#include "ledger/incident/incident.h"
#include "ledger/incident/training.h"
#include "ledger/org.h"
#include "ledger/registers/registers.h"
#include "ledger/schema.h"
#include "ledger/workflow/exceptions.h"
#include "ledger/workflow/requests.h"
#include "server/api.h"
#include "server/routes.h"

namespace mamori::server {

namespace incident = ledger::incident;
namespace workflow = ledger::workflow;

namespace {

Json RolesJson(const policy::Profile& profile, const std::vector<policy::Role>& roles) {
  Json out = Json::array();
  for (const auto role : roles) out.push_back(profile.RoleId(role));
  return out;
}

Json ProfileJson(const policy::Profile& profile) {
  const auto& org = profile.organization;
  Json documents = Json::array();
  for (const auto& document : profile.documents) {
    documents.push_back({{"id", document.id},
                         {"title", document.title},
                         {"kind", document.kind},
                         {"public", document.is_public},
                         {"note", document.note}});
  }
  Json axes = Json::array();
  for (const auto& axis : profile.classification.axes) {
    Json levels = Json::array();
    for (const auto& level : axis.levels) {
      levels.push_back({{"id", level.id},
                        {"title", level.title},
                        {"definition", level.definition},
                        {"handling_restrictions", level.handling_restrictions}});
    }
    axes.push_back({{"id", axis.id},
                    {"title", axis.title},
                    {"clause", axis.clause},
                    {"levels", std::move(levels)}});
  }
  Json handling = Json::array();
  for (const auto& restriction : profile.classification.handling_restrictions) {
    handling.push_back({{"id", restriction.id}, {"title", restriction.title}});
  }
  Json roles = Json::array();
  for (const auto& info : profile.roles) {
    if (!info) continue;
    roles.push_back({{"id", info->id},
                     {"title", info->title},
                     {"holder", info->holder},
                     {"duties", info->duties},
                     {"delegates", RolesJson(profile, info->delegates)},
                     {"clause", info->clause}});
  }
  Json segments = Json::array();
  for (const auto& segment : profile.network.segments) {
    segments.push_back(
        {{"id", segment.id}, {"title", segment.title}, {"definition", segment.definition}});
  }
  Json flows = Json::array();
  for (const auto& flow : profile.network.flows) {
    Json approvals = Json::array();
    for (const auto& step : flow.approvals) approvals.push_back(RolesJson(profile, step));
    flows.push_back({{"from", profile.network.segments[static_cast<std::size_t>(flow.from)].id},
                     {"to", profile.network.segments[static_cast<std::size_t>(flow.to)].id},
                     {"mode", policy::Id(flow.mode)},
                     {"mode_title", policy::TitleJa(flow.mode)},
                     {"methods", flow.methods},
                     {"approvals", std::move(approvals)},
                     {"clause", flow.clause},
                     {"note", flow.note}});
  }
  Json rules = Json::array();
  for (const auto& rule : profile.rules) {
    Json approvals = Json::array();
    for (const auto& step : rule.approvals) approvals.push_back(RolesJson(profile, step));
    Json obligations = Json::array();
    for (int i = 0; i < policy::kObligationCount; ++i) {
      if ((rule.obligations & (std::uint64_t{1} << i)) != 0) {
        const auto obligation = static_cast<policy::Obligation>(i);
        obligations.push_back(
            {{"id", policy::Id(obligation)}, {"title", policy::TitleJa(obligation)}});
      }
    }
    rules.push_back({{"id", rule.id},
                     {"action", policy::Id(rule.action)},
                     {"action_title", policy::TitleJa(rule.action)},
                     {"effect", policy::Id(rule.effect)},
                     {"effect_title", policy::TitleJa(rule.effect)},
                     {"approvals", std::move(approvals)},
                     {"obligations", std::move(obligations)},
                     {"clauses", rule.clauses},
                     {"text", rule.text},
                     {"text_en", rule.text_en},
                     {"when", rule.condition_text}});
  }
  Json clauses = Json::array();
  for (const auto& clause : profile.clauses) {
    clauses.push_back({{"id", clause.id}, {"title", clause.title}, {"document", clause.document}});
  }
  const auto& pw = profile.passwords;
  Json threats = Json::array();
  for (const auto& threat : profile.threats) {
    threats.push_back({{"id", threat.id}, {"text", threat.text}, {"clause", threat.clause}});
  }
  Json retention = Json::array();
  for (const auto& item : profile.retention) {
    retention.push_back(
        {{"id", item.id}, {"title", item.title}, {"days", item.days}, {"clause", item.clause}});
  }
  return Json{
      {"id", profile.id},
      {"title", profile.title},
      {"organization",
       {{"name", org.name},
        {"kind", org.kind},
        {"bodies", org.bodies},
        {"scope", org.scope},
        {"effective_date", org.effective_date},
        {"revision", org.revision}}},
      {"documents", std::move(documents)},
      {"classification",
       {{"axes", std::move(axes)}, {"handling_restrictions", std::move(handling)}}},
      {"roles", std::move(roles)},
      {"network",
       {{"model", profile.network.model},
        {"clause", profile.network.clause},
        {"segments", std::move(segments)},
        {"flows", std::move(flows)}}},
      {"passwords",
       {{"min_length", pw.min_length},
        {"history", pw.history},
        {"max_age_days", pw.max_age_days},
        {"lockout_threshold", pw.lockout_threshold},
        {"lockout_minutes", pw.lockout_minutes},
        {"temporary_must_change", pw.temporary_must_change},
        {"privileged_min_length", pw.privileged_min_length},
        {"privileged_max_age_days", pw.privileged_max_age_days},
        {"privileged_lockout_threshold", pw.privileged_lockout_threshold},
        {"privileged_session_minutes", pw.privileged_session_minutes},
        {"mfa_roles", RolesJson(profile, pw.mfa_roles)},
        {"mfa_segments", pw.mfa_segments},
        {"mfa_privileged", pw.mfa_privileged},
        {"clauses", pw.clauses}}},
      {"deadlines",
       {{"emergency_exception_report_days", profile.deadlines.emergency_exception_report_days},
        {"personal_data_prompt_report_days", profile.deadlines.personal_data_prompt_report_days},
        {"personal_data_final_report_days", profile.deadlines.personal_data_final_report_days},
        {"personal_data_final_report_days_malicious",
         profile.deadlines.personal_data_final_report_days_malicious},
        {"request_expiry_days", profile.deadlines.request_expiry_days}}},
      {"retention", std::move(retention)},
      {"threats", std::move(threats)},
      {"clauses", std::move(clauses)},
      {"rules", std::move(rules)}};
}

// `text` without surrounding ASCII blanks and ideographic spaces (U+3000).
std::string TrimCode(std::string_view text) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  bool trimmed = true;
  while (trimmed && !text.empty()) {
    trimmed = false;
    if (std::string_view(" \t\r\n").find(text.front()) != std::string_view::npos) {
      text.remove_prefix(1);
      trimmed = true;
    } else if (text.substr(0, kIdeographicSpace.size()) == kIdeographicSpace) {
      text.remove_prefix(kIdeographicSpace.size());
      trimmed = true;
    }
    if (text.empty()) break;
    if (std::string_view(" \t\r\n").find(text.back()) != std::string_view::npos) {
      text.remove_suffix(1);
      trimmed = true;
    } else if (text.size() >= kIdeographicSpace.size() &&
               text.substr(text.size() - kIdeographicSpace.size()) == kIdeographicSpace) {
      text.remove_suffix(kIdeographicSpace.size());
      trimmed = true;
    }
  }
  return std::string(text);
}

}  // namespace

Result<Unit> UnitOf(ledger::Ledger& ledger, const std::string& section_code) {
  auto section = ledger::FindSection(ledger, section_code);
  if (!section.Ok()) {
    if (section.Err().Code() == ErrorCode::kNotFound) return Unit{};
    return section.Err();
  }
  return Unit{section->code, section->department_code};
}

Result<Json> ResolveAssetCode(ledger::Ledger& ledger, const Viewer& viewer, Json request) {
  std::string code;
  bool by_code = false;
  if (request.contains("asset_code")) {
    if (!request["asset_code"].is_string()) {
      return Error(ErrorCode::kInvalidArgument, "資産コードは文字列で指定してください",
                   "asset_code must be a string", Where{"", 0, "asset_code"});
    }
    code = request["asset_code"].get<std::string>();
    request.erase("asset_code");
    by_code = true;
  } else if (request.contains("asset") && request["asset"].is_object() &&
             request["asset"].contains("id") && request["asset"]["id"].is_string()) {
    // An asset given in full whose id is a register code: the register's
    // kind and levels count, not what the form says (a requester cannot
    // lower an asset's classification to avoid an approval).
    code = request["asset"]["id"].get<std::string>();
  }
  // The register's own reading of a code cell: without surrounding blanks
  // (U+3000 too). Looked up as written, " care-db" would miss the register
  // and pass as an asset "described in full", at whatever level the body
  // claims.
  code = TrimCode(code);
  if (code.empty()) return request;
  if (!by_code) request["asset"]["id"] = code;
  // One answer for "not in the register" and "not yours": which assets
  // other sections hold is theirs to know.
  const auto unknown = [&code]() {
    return Error(ErrorCode::kInvalidArgument,
                 "情報資産「" + code + "」は台帳にないか、参照する権限がありません",
                 "no asset " + code + " in the register that you may read",
                 Where{"", 0, "asset_code"});
  };
  auto record = ledger::registers::Get(ledger, "asset", code);
  if (!record.Ok()) {
    if (record.Err().Code() != ErrorCode::kNotFound) return record.Err();
    if (!by_code) return request;  // an asset not in the register, described in full
    return unknown();
  }
  const std::string& section = record->values["owner_section"];
  MAMORI_TRY(const Unit unit, UnitOf(ledger, section));
  if (!viewer.CanRead(unit.section, unit.department)) return unknown();
  Json classification = Json::object();
  for (const auto& axis : ledger.Profile().classification.axes) {
    const auto effective =
        record->computed.find(std::string(ledger::registers::kEffectivePrefix) + axis.id);
    if (effective != record->computed.end() && !effective->second.empty()) {
      classification[axis.id] = effective->second;
    } else if (const auto given = record->values.find(axis.id);
               given != record->values.end() && !given->second.empty()) {
      classification[axis.id] = given->second;
    }
  }
  request["asset"] = Json{{"id", code}, {"kind", record->values["kind"]}};
  if (!classification.empty()) request["asset"]["classification"] = std::move(classification);
  return request;
}

void Api::AddOrgRoutes() {
  Add({.method = "GET",
       .path = "/health",
       .summary_ja = "稼働確認",
       .who = "anyone",
       .access = Access::kPublic,
       // For a load balancer in front of several servers: 200 only when
       // this process reaches the database and its schema is the one this
       // program was built for (a newer program may have migrated it).
       .handler = [](Call& call) -> Result<Reply> {
         auto version = call.ledger->Db().QueryInt(
             "SELECT coalesce(max(version), 0) FROM schema_migrations");
         const bool reachable = version.Ok();
         const auto newest = static_cast<std::int64_t>(ledger::Migrations().size());
         const bool current = reachable && *version == newest;
         return JsonReply({{"status", current ? "ok" : "degraded"},
                           {"database", reachable ? "ok" : "error"},
                           {"engine", call.ledger->Db().Engine()},
                           {"schema", current ? "current" : reachable ? "other_version" : "unknown"},
                           {"time", FormatUtc(call.ledger->Now())}},
                          current ? 200 : 503);
       }});

  Add({.method = "GET",
       .path = "/profile",
       .summary_ja = "ポリシープロファイル",
       .who = "signed in",
       .handler = [](Call& call) -> Result<Reply> {
         return JsonReply(ProfileJson(call.ledger->Profile()));
       }});

  Add({.method = "GET",
       .path = "/org/departments",
       .summary_ja = "部局",
       .who = "signed in",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto departments, ledger::ListDepartments(*call.ledger));
         Json out = Json::array();
         for (const auto& d : departments) out.push_back({{"code", d.code}, {"name", d.name}});
         return JsonReply(std::move(out));
       }});

  Add({.method = "GET",
       .path = "/org/sections",
       .summary_ja = "課室等",
       .who = "signed in",
       .handler = [](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto sections, ledger::ListSections(*call.ledger));
         Json out = Json::array();
         for (const auto& s : sections) {
           out.push_back({{"code", s.code}, {"name", s.name}, {"department", s.department_code}});
         }
         return JsonReply(std::move(out));
       }});

  Add({.method = "GET",
       .path = "/org/people",
       .summary_ja = "職員等（見える範囲・検索・絞り込み・ページ送り）",
       .who = "signed in; staff see their section, managers their sections",
       .handler = [](Call& call) -> Result<Reply> {
         Fields query(Json{{"q", call.Query("q")}, {"section", call.Query("section")}});
         const std::string q = query.Text("q", "検索語", 100, false);
         const std::string section = query.Text("section", "課室等", 64, false);
         const std::string include_ended = call.Query("include_ended");
         if (!include_ended.empty() && include_ended != "true" && include_ended != "false") {
           query.Fail("include_ended", "include_ended は true 又は false で指定してください",
                      "include_ended must be true or false");
         }
         MAMORI_TRY_STATUS(query.Finish());
         MAMORI_TRY(const auto offset, QueryNumber(call, "offset", 0, 1000000));
         MAMORI_TRY(const auto limit, QueryNumber(call, "limit", 50, 500));
         if (limit == 0) {
           return Error(ErrorCode::kInvalidArgument, "limit は 1 から 500 の整数で指定してください",
                        "limit must be an integer 1..500", Where{"", 0, "limit"});
         }
         // The sections whose people the viewer may see (Viewer::CanRead
         // decides by section and department alone), filtered in the
         // database: the same people as the viewer could always see.
         MAMORI_TRY(const auto sections, ledger::ListSections(*call.ledger));
         ledger::PeopleQuery people_query;
         bool known_section = section.empty();
         if (!call.Who().SeesAll()) people_query.sections.emplace();
         for (const auto& s : sections) {
           if (s.code == section) known_section = true;
           if (people_query.sections && call.Who().CanRead(s.code, s.department_code)) {
             people_query.sections->push_back(s.code);
           }
         }
         if (!known_section) {
           // Sections are no secret (GET /org/sections): a mistyped one is named.
           return Error(ErrorCode::kInvalidArgument, "課室等「" + section + "」はありません",
                        "no section " + section, Where{"", 0, "section"});
         }
         people_query.section = section;
         people_query.q = q;
         people_query.include_ended = include_ended == "true";
         people_query.today = ledger::TodayJst(*call.ledger);
         people_query.offset = static_cast<std::size_t>(offset);
         people_query.limit = static_cast<std::size_t>(limit);
         MAMORI_TRY(auto found, ledger::ListPeoplePage(*call.ledger, people_query));
         Reply reply;
         reply.deferred = [found = std::move(found), offset]() {
           Json records = Json::array();
           for (const auto& p : found.people) {
             records.push_back({{"code", p.code},
                                {"name", p.name},
                                {"section", p.section_code},
                                {"department", p.department_code},
                                {"employment", p.employment},
                                {"start_date", p.start_date},
                                {"end_date", p.end_date}});
           }
           return Json{{"total", found.total}, {"offset", offset}, {"records", std::move(records)}};
         };
         return reply;
       }});

  Add({.method = "GET",
       .path = "/org/roles",
       .summary_ja = "役割の割当て（見える職員等の分）",
       .who = "signed in; the holders GET /org/people shows",
       .handler = [](Call& call) -> Result<Reply> {
         // Role holders as far as GET /org/people shows the people: a login
         // (the person code) of someone the viewer may not see is not theirs
         // to learn from the role list either.
         MAMORI_TRY(auto roles, ledger::ListRoles(*call.ledger));
         MAMORI_TRY(auto people, ledger::ListPeople(*call.ledger));
         std::set<std::string> visible;
         for (const auto& p : people) {
           if (call.Who().CanRead(p.section_code, p.department_code)) visible.insert(p.code);
         }
         const std::string today = ledger::TodayJst(*call.ledger);
         Json out = Json::array();
         for (const auto& r : roles) {
           if (!r.end_date.empty() && r.end_date < today) continue;
           if (visible.count(r.person_code) == 0) continue;
           out.push_back({{"person", r.person_code},
                          {"role", call.ledger->Profile().RoleId(r.role)},
                          {"title", call.ledger->Profile().RoleTitle(r.role)},
                          {"section", r.section_code},
                          {"department", r.department_code},
                          {"start_date", r.start_date},
                          {"end_date", r.end_date}});
         }
         return JsonReply(std::move(out));
       }});

  Add({.method = "POST",
       .path = "/decide",
       .summary_ja = "判定（保存しない）",
       .who = "signed in",
       .handler = [](Call& call) -> Result<Reply> {
         if (call.json.contains("actor")) {
           return Error(ErrorCode::kInvalidArgument,
                        "申請者は組織台帳から設定するため指定できません",
                        "the actor comes from the organization register", Where{"", 0, "actor_"});
         }
         MAMORI_TRY(Json request, ResolveAssetCode(*call.ledger, call.Who(), call.json));
         Json roles = Json::array();
         for (const auto& role : call.Who().roles) {
           const std::string id = call.ledger->Profile().RoleId(role.role);
           if (std::find(roles.begin(), roles.end(), id) == roles.end()) roles.push_back(id);
         }
         request["actor"] = {{"id", call.Who().person.code},
                             {"roles", std::move(roles)},
                             {"section", call.Who().person.section_code}};
         const auto& profile = call.ledger->Profile();
         MAMORI_TRY(const auto parsed, decide::ParseRequest(profile, request.dump()));
         const auto decision = decide::Decide(profile, parsed);
         Json out = Json::parse(
             decide::DecisionToJson(profile, parsed, decision, decide::Detail::kExplain));
         return JsonReply(std::move(out));
       }});

  Add({.method = "GET",
       .path = "/dashboard",
       .summary_ja = "ダッシュボード",
       .who = "signed in; each part limited to what the viewer may see",
       .handler = [](Call& call) -> Result<Reply> {
         ledger::Ledger& ledger = *call.ledger;
         const Viewer& who = call.Who();
         Json out;
         MAMORI_TRY(auto waiting, workflow::ListRequests(ledger, {.waiting_for = who.person.code}));
         out["waiting_for_me"] = Json::array();
         for (const auto& r : waiting) out["waiting_for_me"].push_back(workflow::ToJson(r));
         MAMORI_TRY(auto mine, workflow::ListRequests(ledger, {.requester = who.person.code}));
         out["my_requests"] = Json::array();
         for (auto it = mine.rbegin(); it != mine.rend() && out["my_requests"].size() < 10; ++it) {
           out["my_requests"].push_back(workflow::ToJson(*it));
         }
         MAMORI_TRY(auto overdue, workflow::OverdueExceptions(ledger));
         out["overdue_exceptions"] = Json::array();
         for (const auto& r : overdue) {
           if (who.CanRead(r.section, r.department)) {
             out["overdue_exceptions"].push_back(workflow::ToJson(r));
           }
         }
         incident::ListFilter open_filter;
         open_filter.open_only = true;
         MAMORI_TRY(auto incidents, incident::ListIncidents(ledger, open_filter));
         Json by_severity{
             {"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}, {"untriaged", 0}};
         for (const auto& incident : incidents) {
           if (!CanSeeIncident(who, incident)) continue;
           const std::string key = incident.severity.empty() ? "untriaged" : incident.severity;
           by_severity[key] = by_severity[key].get<int>() + 1;
         }
         out["incidents_by_severity"] = std::move(by_severity);
         // Assets by the effective level of each axis (2.2(1)①), counted in
         // the database over the sections the viewer may read.
         MAMORI_TRY(auto sections, ledger::ListSections(ledger));
         ledger::registers::PageQuery visible;
         if (!who.SeesAll()) {
           visible.sections.emplace();
           for (const auto& s : sections) {
             if (who.CanRead(s.code, s.department_code)) visible.sections->push_back(s.code);
           }
         }
         MAMORI_TRY(auto counts, ledger::registers::CountAssetsByLevel(ledger, visible));
         Json by_level = Json::array();
         for (const auto& axis : ledger.Profile().classification.axes) {
           for (const auto& level : axis.levels) {
             by_level.push_back({{"axis", axis.id},
                                 {"axis_title", axis.title},
                                 {"level", level.id},
                                 {"title", level.title},
                                 {"count", counts[axis.id][level.id]}});
           }
         }
         out["assets_by_level"] = std::move(by_level);
         MAMORI_TRY(out["training_overdue"], TrainingOverdueJson(ledger, who));
         return JsonReply(std::move(out));
       }});
}

}  // namespace mamori::server
