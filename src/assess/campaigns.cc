#include "assess/campaigns.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "assess/findings.h"
#include "assess/internal.h"
#include "assess/probes.h"
#include "ledger/org.h"
#include "ledger/validate.h"

namespace mamori::assess {
namespace {

using Json = nlohmann::json;
using ledger::Ledger;
using policy::Role;

constexpr int kMinFiscalYear = 2000;
constexpr int kMaxFiscalYear = 2999;

// The clause a campaign cites: the profile's own check item on
// self-inspection (阪南市 9(3)), else the guideline's term.
std::string SelfInspectionClause(const policy::Profile& profile) {
  for (const auto& check : profile.checks) {
    if (check.id == "review.self_inspection" || check.id == "review.audit_and_self_inspection") {
      return check.clause;
    }
  }
  return "自己点検";
}

std::string IdText(std::int64_t id) { return std::to_string(id); }

std::optional<FormStatus> ParseFormStatus(std::string_view id) {
  for (const FormStatus status : {FormStatus::kOpen, FormStatus::kSubmitted, FormStatus::kSignedOff,
                                  FormStatus::kEvaluated}) {
    if (Id(status) == id) return status;
  }
  return std::nullopt;
}

// Items answered by a role that acts for a section go on the section forms;
// the others on the organization form.
bool OnSectionForm(const policy::Profile& profile, Role role) {
  return role == Role::kStaff || profile.ScopeOf(role) != policy::RoleScope::kOrganization;
}

Result<Campaign> LoadCampaign(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(
                 "SELECT c.id, c.fiscal_year, c.title, c.opens_on, c.due_on, c.clause, "
                 "c.profile_id, c.profile_digest, p.code, c.created_at FROM assess_campaigns c "
                 "JOIN people p ON p.id = c.created_by WHERE c.id = ?",
                 {id}));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound, "自己点検 " + IdText(id) + " はありません",
                 "no self-inspection campaign " + IdText(id), {"", 0, "campaign"});
  }
  const auto& row = rows.front();
  Campaign campaign{row.Int(0),  static_cast<int>(row.Int(1)),
                    row.Text(2), row.Text(3),
                    row.Text(4), row.Text(5),
                    row.Text(6), row.Text(7),
                    row.Text(8), row.Text(9),
                    {}};
  MAMORI_TRY(
      const auto forms,
      ledger.Db().Query("SELECT id FROM assess_forms WHERE campaign_id = ? ORDER BY id", {id}));
  for (const auto& form : forms) campaign.forms.push_back(form.Int(0));
  return campaign;
}

std::optional<Answer> OptionalAnswer(const storage::Row& row, std::size_t column) {
  if (row.IsNull(column)) return std::nullopt;
  return ParseAnswer(row.Text(column));
}

Result<Form> LoadForm(Ledger& ledger, std::int64_t id) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query(
                 "SELECT f.id, f.campaign_id, c.fiscal_year, s.code, s.name, d.code, f.status, "
                 "c.due_on, sb.code, f.submitted_at, so.code, f.signed_off_at, f.signoff_comment, "
                 "ev.code, f.evaluated_at, f.evaluation_comment FROM assess_forms f "
                 "JOIN assess_campaigns c ON c.id = f.campaign_id "
                 "LEFT JOIN sections s ON s.id = f.section_id "
                 "LEFT JOIN departments d ON d.id = s.department_id "
                 "LEFT JOIN people sb ON sb.id = f.submitted_by "
                 "LEFT JOIN people so ON so.id = f.signed_off_by "
                 "LEFT JOIN people ev ON ev.id = f.evaluated_by WHERE f.id = ?",
                 {id}));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound, "自己点検の様式 " + IdText(id) + " はありません",
                 "no self-inspection form " + IdText(id), {"", 0, "form"});
  }
  const auto& row = rows.front();
  Form form;
  form.id = row.Int(0);
  form.campaign_id = row.Int(1);
  form.fiscal_year = static_cast<int>(row.Int(2));
  form.section = row.Text(3);
  form.section_name = row.Text(4);
  form.department = row.Text(5);
  form.status = ParseFormStatus(row.Text(6)).value_or(FormStatus::kOpen);
  form.due_on = row.Text(7);
  form.submitted_by = row.Text(8);
  form.submitted_at = row.Text(9);
  form.signed_off_by = row.Text(10);
  form.signed_off_at = row.Text(11);
  form.signoff_comment = row.Text(12);
  form.evaluated_by = row.Text(13);
  form.evaluated_at = row.Text(14);
  form.evaluation_comment = row.Text(15);
  form.overdue = form.status == FormStatus::kOpen && form.due_on < ledger::TodayJst(ledger);
  MAMORI_TRY(
      const auto items,
      ledger.Db().Query("SELECT i.position, i.check_id, i.clause, i.question, i.answered_by_role, "
                        "i.priority, i.probe, i.respondents, i.prefill, i.prefill_basis, i.answer, "
                        "i.basis, i.evidence, i.correction_reason, p.code, i.answered_at "
                        "FROM assess_items i LEFT JOIN people p ON p.id = i.answered_by "
                        "WHERE i.form_id = ? ORDER BY i.position",
                        {id}));
  for (const auto& item : items) {
    FormItem out;
    out.position = static_cast<int>(item.Int(0));
    out.check_id = item.Text(1);
    out.clause = item.Text(2);
    out.question = item.Text(3);
    out.answered_by_role = item.Text(4);
    out.priority = item.Int(5) != 0;
    out.probe = item.Text(6);
    const Json respondents = Json::parse(item.Text(7), nullptr, false);
    if (respondents.is_array()) {
      for (const auto& code : respondents) {
        if (code.is_string()) out.respondents.push_back(code.get<std::string>());
      }
    }
    out.prefill = OptionalAnswer(item, 8);
    out.prefill_basis = item.Text(9);
    out.answer = OptionalAnswer(item, 10);
    out.basis = item.Text(11);
    out.evidence = item.Text(12);
    out.correction_reason = item.Text(13);
    out.answered_by = item.Text(14);
    out.answered_at = item.Text(15);
    form.items.push_back(std::move(out));
  }
  return form;
}

Status RecordForm(Ledger& ledger, const std::string& actor, const std::string& action,
                  std::int64_t id, Form* out) {
  MAMORI_TRY(auto form, LoadForm(ledger, id));
  // "overdue" depends on the day it is read, not on the change: not audited.
  Json state = ToJson(form);
  state.erase("overdue");
  MAMORI_TRY_STATUS(ledger.Record({actor, action, "assess_form", IdText(id), state.dump()}));
  if (out != nullptr) *out = std::move(form);
  return OkStatus();
}

// A conflict: the form is no longer in the state the caller acted on.
Error WrongState(const Form& form, const std::string& doing_ja, const std::string& doing_en) {
  return Error(ErrorCode::kConflict,
               "自己点検の様式 " + IdText(form.id) + " は「" + std::string(TitleJa(form.status)) +
                   "」のため" + doing_ja + "できません",
               "self-inspection form " + IdText(form.id) + " is " + std::string(Id(form.status)) +
                   " and cannot be " + doing_en,
               {"", 0, "form"});
}

// The section of a form (nullopt for the organization form).
Result<std::optional<ledger::Section>> FormSection(Ledger& ledger, const Form& form) {
  if (form.section.empty()) return std::optional<ledger::Section>();
  MAMORI_TRY(auto section, ledger::FindSection(ledger, form.section));
  return std::optional<ledger::Section>(std::move(section));
}

// The roles of a form's items, with their delegates.
std::vector<Role> FormRoles(const policy::Profile& profile, const Form& form) {
  std::vector<Role> roles;
  for (const auto& item : form.items) {
    const auto role = profile.ParseRole(item.answered_by_role);
    if (role && std::find(roles.begin(), roles.end(), *role) == roles.end()) roles.push_back(*role);
  }
  return internal::WithDelegates(profile, roles);
}

// Who may answer `role`'s items for `section` today: the holders (staff:
// the section's people other than contractors).
Result<std::vector<ledger::Person>> Respondents(Ledger& ledger, Role role,
                                                const ledger::Section& section,
                                                const std::vector<ledger::Person>& people) {
  const std::string today = ledger::TodayJst(ledger);
  if (role == Role::kStaff) {
    std::vector<ledger::Person> out;
    for (const auto& person : people) {
      if (person.section_code == section.code && person.employment != "contractor" &&
          ledger::ActiveOn(person, today)) {
        out.push_back(person);
      }
    }
    return out;
  }
  return ledger::HoldersOf(ledger, role, section, today);
}

std::vector<std::string> CodesOf(const std::vector<ledger::Person>& people) {
  std::vector<std::string> codes;
  codes.reserve(people.size());
  for (const auto& person : people) codes.push_back(person.code);
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

Status CheckCampaignInput(const CampaignInput& input) {
  ledger::Checks checks;
  if (input.fiscal_year < kMinFiscalYear || input.fiscal_year > kMaxFiscalYear) {
    checks.Add(ledger::FieldError("fiscal_year",
                                  "年度は " + std::to_string(kMinFiscalYear) + "〜" +
                                      std::to_string(kMaxFiscalYear) + " の西暦で指定してください",
                                  "fiscal_year must be a year from " +
                                      std::to_string(kMinFiscalYear) + " to " +
                                      std::to_string(kMaxFiscalYear)));
  }
  checks.Add(ledger::CheckText(input.title, "title", ledger::kMaxName));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < input.sections.size(); ++i) {
    const std::string field = "sections[" + std::to_string(i) + "]";
    checks.Add(ledger::CheckCode(input.sections[i], field));
    if (!seen.insert(input.sections[i]).second) {
      checks.Add(ledger::FieldError(field, "課室等「" + input.sections[i] + "」が重複しています",
                                    "section \"" + input.sections[i] + "\" is listed twice"));
    }
  }
  const Status opens = ledger::CheckDate(input.opens_on, "opens_on");
  const Status due = ledger::CheckDate(input.due_on, "due_on");
  checks.Add(opens).Add(due);
  if (opens.Ok() && due.Ok() && input.due_on < input.opens_on) {
    checks.Add(ledger::FieldError(
        "due_on", "期限（" + input.due_on + "）が開始日（" + input.opens_on + "）より前です",
        "due_on is before opens_on"));
  }
  if (opens.Ok() && input.fiscal_year >= kMinFiscalYear && input.fiscal_year <= kMaxFiscalYear) {
    const auto year = std::chrono::year(input.fiscal_year);
    const std::string from = FormatDate(year / 4 / 1);
    const std::string to = FormatDate((year + std::chrono::years(1)) / 3 / 31);
    if (input.opens_on < from || input.opens_on > to) {
      checks.Add(ledger::FieldError(
          "opens_on",
          "開始日（" + input.opens_on + "）が " + std::to_string(input.fiscal_year) + " 年度（" +
              from + "〜" + to + "）の中にありません",
          "opens_on is not within fiscal year " + std::to_string(input.fiscal_year) + " (" + from +
              " to " + to + ")"));
    }
  }
  return checks.Done();
}

Counts CountItems(const Form& form) {
  Counts counts;
  for (const auto& item : form.items) {
    if (!item.answer) {
      ++counts.unanswered;
      continue;
    }
    switch (*item.answer) {
      case Answer::kYes:
        ++counts.yes;
        break;
      case Answer::kNo:
        ++counts.no;
        break;
      case Answer::kPartial:
        ++counts.partial;
        break;
      case Answer::kNotApplicable:
        ++counts.not_applicable;
        break;
    }
  }
  return counts;
}

void AddCounts(Counts& into, const Counts& more) {
  into.yes += more.yes;
  into.no += more.no;
  into.partial += more.partial;
  into.not_applicable += more.not_applicable;
  into.unanswered += more.unanswered;
}

// Worst wins; 該当なし neutral (the result only when nothing else was answered).
std::optional<Answer> Worst(const Counts& counts) {
  if (counts.no > 0) return Answer::kNo;
  if (counts.partial > 0) return Answer::kPartial;
  if (counts.yes > 0) return Answer::kYes;
  if (counts.not_applicable > 0) return Answer::kNotApplicable;
  return std::nullopt;
}

int Rank(const std::optional<Answer>& answer) { return answer ? Severity(*answer) : -1; }

// The roll-up without the comparison.
Result<Rollup> RollUpOnly(Ledger& ledger, const Campaign& campaign) {
  Rollup rollup;
  rollup.campaign_id = campaign.id;
  rollup.fiscal_year = campaign.fiscal_year;
  rollup.organization.kind = "organization";
  rollup.organization.name = "組織全体";
  std::map<std::string, RollupRow> sections;
  std::map<std::string, RollupRow> departments;
  MAMORI_TRY(const auto all_departments, ledger::ListDepartments(ledger));
  for (const std::int64_t form_id : campaign.forms) {
    MAMORI_TRY(const auto form, LoadForm(ledger, form_id));
    const Counts counts = CountItems(form);
    AddCounts(rollup.organization.counts, counts);
    if (form.section.empty()) continue;
    RollupRow& section = sections[form.section];
    section.kind = "section";
    section.code = form.section;
    section.name = form.section_name;
    AddCounts(section.counts, counts);
    RollupRow& department = departments[form.department];
    department.kind = "department";
    department.code = form.department;
    for (const auto& d : all_departments) {
      if (d.code == form.department) department.name = d.name;
    }
    AddCounts(department.counts, counts);
  }
  rollup.organization.result = Worst(rollup.organization.counts);
  for (auto& [code, row] : sections) {
    row.result = Worst(row.counts);
    rollup.sections.push_back(row);
  }
  for (auto& [code, row] : departments) {
    row.result = Worst(row.counts);
    rollup.departments.push_back(row);
  }
  return rollup;
}

void Compare(RollupRow& row, const std::vector<RollupRow>* previous_rows,
             const RollupRow* previous_row) {
  const RollupRow* found = previous_row;
  if (previous_rows != nullptr) {
    for (const auto& candidate : *previous_rows) {
      if (candidate.code == row.code) found = &candidate;
    }
  }
  if (found == nullptr) {
    row.trend = "new";
    return;
  }
  row.previous_known = true;
  row.previous = found->result;
  const int now = Rank(row.result);
  const int before = Rank(found->result);
  row.trend = now < before ? "improved" : now > before ? "worsened" : "same";
}

Json AnswerJson(const std::optional<Answer>& answer) {
  return answer ? Json(std::string(Id(*answer))) : Json();
}

Json RowJson(const RollupRow& row) {
  return Json{{"kind", row.kind},
              {"code", row.code},
              {"name", row.name},
              {"counts",
               {{"yes", row.counts.yes},
                {"no", row.counts.no},
                {"partial", row.counts.partial},
                {"not_applicable", row.counts.not_applicable},
                {"unanswered", row.counts.unanswered}}},
              {"result", AnswerJson(row.result)},
              {"result_ja", row.result ? std::string(TitleJa(*row.result)) : "—"},
              {"previous", row.previous_known ? AnswerJson(row.previous) : Json()},
              {"trend", row.trend}};
}

}  // namespace

std::string_view Id(FormStatus status) {
  switch (status) {
    case FormStatus::kOpen:
      return "open";
    case FormStatus::kSubmitted:
      return "submitted";
    case FormStatus::kSignedOff:
      return "signed_off";
    case FormStatus::kEvaluated:
      return "evaluated";
  }
  return "";
}

std::string_view TitleJa(FormStatus status) {
  switch (status) {
    case FormStatus::kOpen:
      return "回答中";
    case FormStatus::kSubmitted:
      return "提出済み";
    case FormStatus::kSignedOff:
      return "管理者確認済み";
    case FormStatus::kEvaluated:
      return "評価済み";
  }
  return "";
}

Result<Campaign> CreateCampaign(Ledger& ledger, const std::string& actor,
                                const CampaignInput& input) {
  MAMORI_TRY_STATUS(ledger::Checks()
                        .Add(ledger::CheckCode(actor, "actor"))
                        .Add(CheckCampaignInput(input))
                        .Done());
  const policy::Profile& profile = ledger.Profile();
  Campaign result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    const auto creators = internal::WithDelegates(profile, {Role::kCiso, Role::kChiefOfficer});
    MAMORI_TRY(const auto may_create, internal::HeldRole(ledger, person, creators, nullptr));
    if (!may_create) {
      return internal::NotAllowed(profile, "actor", creators, "自己点検の実施",
                                  "starting a self-inspection", SelfInspectionClause(profile));
    }
    MAMORI_TRY(const auto existing,
               ledger.Db().Query("SELECT id FROM assess_campaigns WHERE fiscal_year = ?",
                                 {std::int64_t{input.fiscal_year}}));
    if (!existing.empty()) {
      return Error(ErrorCode::kConflict,
                   std::to_string(input.fiscal_year) + " 年度の自己点検は既にあります（" +
                       IdText(existing.front().Int(0)) + "）",
                   "fiscal year " + std::to_string(input.fiscal_year) +
                       " has a self-inspection campaign already (" +
                       IdText(existing.front().Int(0)) + ")",
                   {"", 0, "fiscal_year"});
    }
    MAMORI_TRY(const auto all_sections, ledger::ListSections(ledger));
    if (all_sections.empty()) {
      return ledger::FieldError("sections", "課室等が登録されていません", "no sections exist");
    }
    std::vector<ledger::Section> scope;
    std::vector<Diagnostic> problems;
    if (input.sections.empty()) {
      scope = all_sections;
    } else {
      for (std::size_t i = 0; i < input.sections.size(); ++i) {
        const auto found = std::find_if(all_sections.begin(), all_sections.end(),
                                        [&](const auto& s) { return s.code == input.sections[i]; });
        if (found == all_sections.end()) {
          problems.push_back({{"", 0, "sections[" + std::to_string(i) + "]"},
                              "課室等「" + input.sections[i] + "」はありません",
                              "no section \"" + input.sections[i] + "\""});
        } else {
          scope.push_back(*found);
        }
      }
    }
    MAMORI_TRY(const auto people, ledger::ListPeople(ledger));
    // What goes on which form, with its respondents.
    struct PlannedItem {
      const policy::CheckItem* check;
      std::vector<std::string> respondents;
    };
    struct PlannedForm {
      const ledger::Section* section;  // nullptr: the organization form
      std::vector<PlannedItem> items;
    };
    std::vector<PlannedForm> forms;
    std::set<std::string> reported;  // section/role pairs already named in an error
    auto plan = [&](const ledger::Section* section, const std::string& field) -> Status {
      PlannedForm form{section, {}};
      for (const auto& check : profile.checks) {
        if (OnSectionForm(profile, check.answered_by) != (section != nullptr)) continue;
        // The organization-wide holders do not depend on the section asked about.
        const ledger::Section& where = section != nullptr ? *section : all_sections.front();
        MAMORI_TRY(const auto holders, Respondents(ledger, check.answered_by, where, people));
        if (holders.empty()) {
          const std::string role = profile.RoleId(check.answered_by);
          if (reported.insert((section ? section->code : "") + "/" + role).second) {
            const std::string where_ja =
                section != nullptr ? "課室等「" + section->code + " " + section->name + "」"
                                   : "組織";
            problems.push_back(
                {{"", 0, field},
                 where_ja + "に" + profile.RoleTitle(check.answered_by) + "がいないため点検項目「" +
                     check.id + "」等に回答できる者がいません",
                 "nobody holds " + role + (section ? " for section " + section->code : "") +
                     " to answer check " + check.id + " and others"});
          }
          continue;
        }
        form.items.push_back({&check, CodesOf(holders)});
      }
      if (!form.items.empty()) forms.push_back(std::move(form));
      return OkStatus();
    };
    MAMORI_TRY_STATUS(plan(nullptr, "checks"));
    for (std::size_t i = 0; i < scope.size(); ++i) {
      std::string field = "sections";
      if (!input.sections.empty()) {
        for (std::size_t j = 0; j < input.sections.size(); ++j) {
          if (input.sections[j] == scope[i].code) field = "sections[" + std::to_string(j) + "]";
        }
      }
      MAMORI_TRY_STATUS(plan(&scope[i], field));
    }
    if (!problems.empty()) return Error(ErrorCode::kInvalidArgument, std::move(problems));
    if (forms.empty()) {
      return ledger::FieldError("checks", "プロファイルに点検項目がありません",
                                "the profile has no check items");
    }

    MAMORI_TRY(const auto digest, ledger.Meta("profile_digest"));
    const std::string now = internal::NowUtc(ledger);
    MAMORI_TRY(const auto campaign_id,
               ledger.Db().QueryInt(
                   "INSERT INTO assess_campaigns (fiscal_year, title, opens_on, due_on, clause, "
                   "profile_id, profile_digest, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                   "?, ?, ?) RETURNING id",
                   {std::int64_t{input.fiscal_year}, input.title, input.opens_on, input.due_on,
                    SelfInspectionClause(profile), profile.id, digest, person.id, now}));
    for (const auto& form : forms) {
      storage::Value section_id = storage::Null();
      if (form.section != nullptr) section_id = form.section->id;
      MAMORI_TRY(const auto form_id,
                 ledger.Db().QueryInt("INSERT INTO assess_forms (campaign_id, section_id, status) "
                                      "VALUES (?, ?, 'open') RETURNING id",
                                      {campaign_id, section_id}));
      // The form's items up to 1 000 (11 000 parameters) a statement: row by
      // row, the statement calls were a good part of a 200-section
      // campaign's time.
      constexpr std::size_t kRowsPerInsert = 1000;
      constexpr std::string_view kInsert =
          "INSERT INTO assess_items (form_id, position, check_id, clause, question, "
          "answered_by_role, priority, probe, respondents, prefill, prefill_basis) VALUES ";
      std::int64_t position = 0;
      std::string sql(kInsert);
      storage::Params params;
      std::size_t rows = 0;
      for (const auto& item : form.items) {
        if (rows == kRowsPerInsert) {
          MAMORI_TRY_STATUS(ledger.Db().Execute(sql, params));
          sql = std::string(kInsert);
          params.clear();
          rows = 0;
        }
        const policy::CheckItem& check = *item.check;
        storage::Value prefill = storage::Null();
        storage::Value prefill_basis = storage::Null();
        if (!check.probe.empty()) {
          MAMORI_TRY(const auto probed,
                     RunProbe(ledger, check.probe,
                              {form.section ? form.section->code : "", input.fiscal_year}));
          prefill = std::string(Id(probed.answer));
          prefill_basis = ToJson(probed).dump();
        }
        sql += rows++ == 0 ? "" : ", ";
        sql += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        for (storage::Value value :
             {storage::Value(form_id), storage::Value(position++), storage::Value(check.id),
              storage::Value(check.clause), storage::Value(check.question),
              storage::Value(profile.RoleId(check.answered_by)),
              storage::Value(std::int64_t{check.priority ? 1 : 0}), storage::Value(check.probe),
              storage::Value(Json(item.respondents).dump()), prefill, prefill_basis}) {
          params.push_back(std::move(value));
        }
      }
      MAMORI_TRY_STATUS(ledger.Db().Execute(sql, params));
      MAMORI_TRY_STATUS(RecordForm(ledger, actor, "assess.form.create", form_id, nullptr));
    }
    MAMORI_TRY(result, LoadCampaign(ledger, campaign_id));
    return ledger.Record({actor, "assess.campaign.create", "assess_campaign", IdText(campaign_id),
                          ToJson(result).dump()});
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Campaign> GetCampaign(Ledger& ledger, std::int64_t id) { return LoadCampaign(ledger, id); }

Result<std::vector<Campaign>> ListCampaigns(Ledger& ledger) {
  MAMORI_TRY(const auto rows,
             ledger.Db().Query("SELECT id FROM assess_campaigns ORDER BY fiscal_year, id"));
  std::vector<Campaign> out;
  for (const auto& row : rows) {
    MAMORI_TRY(auto campaign, LoadCampaign(ledger, row.Int(0)));
    out.push_back(std::move(campaign));
  }
  return out;
}

Result<Form> GetForm(Ledger& ledger, std::int64_t id) { return LoadForm(ledger, id); }

Result<std::vector<Form>> ListForms(Ledger& ledger, std::int64_t campaign_id) {
  MAMORI_TRY(const auto campaign, LoadCampaign(ledger, campaign_id));
  std::vector<Form> out;
  for (const std::int64_t id : campaign.forms) {
    MAMORI_TRY(auto form, LoadForm(ledger, id));
    out.push_back(std::move(form));
  }
  std::sort(out.begin(), out.end(), [](const Form& a, const Form& b) {
    return a.section < b.section;  // "" (the organization) first
  });
  return out;
}

Result<std::vector<Form>> OverdueForms(Ledger& ledger, std::int64_t campaign_id) {
  MAMORI_TRY(auto forms, ListForms(ledger, campaign_id));
  std::vector<Form> out;
  for (auto& form : forms) {
    if (form.overdue) out.push_back(std::move(form));
  }
  return out;
}

namespace {

// AnswerItem and AnswerItems: the answers to items of one form, in one
// Ledger::Change with one audit event (the form's full new state). Fields
// are named plainly for one answer, "answers[i].<field>" for several.
Result<Form> AnswerMany(Ledger& ledger, const std::string& actor, std::int64_t form_id,
                        const std::vector<AnswerInput>& inputs, bool indexed) {
  const auto field = [&](std::size_t i, std::string_view name) {
    return indexed ? "answers[" + std::to_string(i) + "]." + std::string(name) : std::string(name);
  };
  ledger::Checks checks;
  checks.Add(ledger::CheckCode(actor, "actor"));
  if (inputs.empty()) {
    checks.Add(ledger::FieldError("answers", "回答がありません", "no answers given"));
  }
  std::vector<Answer> answers;
  answers.reserve(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const AnswerInput& input = inputs[i];
    const auto answer = ParseAnswer(input.answer);
    checks.Add(ledger::CheckCode(input.check_id, field(i, "check_id")));
    if (!answer) {
      checks.Add(ledger::FieldError(
          field(i, "answer"),
          "回答「" + input.answer + "」は はい・いいえ・一部・該当なし のいずれかです",
          "answer must be yes, no, partial or not_applicable (はい, "
          "いいえ, 一部, 該当なし)"));
    }
    answers.push_back(answer.value_or(Answer::kYes));
    checks.Add(ledger::CheckText(input.basis, field(i, "basis"), ledger::kMaxText, true, true))
        .Add(ledger::CheckText(input.evidence, field(i, "evidence"), ledger::kMaxText, true, true))
        .Add(ledger::CheckText(input.correction_reason, field(i, "correction_reason"),
                               ledger::kMaxText, true, true));
  }
  MAMORI_TRY_STATUS(checks.Done());
  Form result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto form, LoadForm(ledger, form_id));
    if (form.status != FormStatus::kOpen) return WrongState(form, "回答", "answered");
    MAMORI_TRY(const auto campaign, LoadCampaign(ledger, form.campaign_id));
    if (ledger::TodayJst(ledger) < campaign.opens_on) {
      return ledger::FieldError("form", "自己点検は " + campaign.opens_on + " から回答できます",
                                "the self-inspection opens on " + campaign.opens_on);
    }
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    MAMORI_TRY(const auto section, FormSection(ledger, form));
    const std::string now = internal::NowUtc(ledger);
    // Who holds which role for the form, asked once per role.
    std::map<std::string, bool> holds;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const AnswerInput& input = inputs[i];
      const Answer answer = answers[i];
      const auto item =
          std::find_if(form.items.begin(), form.items.end(),
                       [&](const FormItem& candidate) { return candidate.check_id == input.check_id; });
      if (item == form.items.end()) {
        return ledger::FieldError(
            field(i, "check_id"),
            "様式 " + IdText(form_id) + " に点検項目「" + input.check_id + "」はありません",
            "form " + IdText(form_id) + " has no check item \"" + input.check_id + "\"");
      }
      const auto role = ledger.Profile().ParseRole(item->answered_by_role);
      if (!role) {
        return Error(ErrorCode::kInvalidArgument,
                     "点検項目「" + item->check_id + "」の回答者の役割「" +
                         item->answered_by_role + "」は現在のプロファイルにありません",
                     "the role " + item->answered_by_role + " of check " + item->check_id +
                         " is not in the profile any more",
                     {"", 0, field(i, "check_id")});
      }
      const auto roles = internal::WithDelegates(ledger.Profile(), {*role});
      auto known = holds.find(item->answered_by_role);
      if (known == holds.end()) {
        MAMORI_TRY(const auto held,
                   internal::HeldRole(ledger, person, roles, section ? &*section : nullptr));
        known = holds.emplace(item->answered_by_role, held.has_value()).first;
      }
      if (!known->second) {
        return internal::NotAllowed(
            ledger.Profile(), "actor", roles,
            "点検項目「" + item->check_id + "」への回答" +
                (section ? "（課室等「" + section->code + "」）" : std::string()),
            "answering check " + item->check_id, campaign.clause);
      }
      std::string basis = input.basis;
      std::string correction;
      if (item->prefill && *item->prefill != answer) {
        if (input.correction_reason.empty()) {
          return ledger::FieldError(field(i, "correction_reason"),
                                    "自動点検の結果（" + std::string(TitleJa(*item->prefill)) +
                                        "）と異なる回答には訂正の理由が必要です",
                                    "an answer other than the probe's (" +
                                        std::string(Id(*item->prefill)) +
                                        ") needs a correction reason");
        }
        correction = input.correction_reason;
      }
      if (NeedsBasis(answer) && basis.empty()) {
        // Confirming the probe's いいえ: its finding is the basis.
        const Json probed = Json::parse(item->prefill_basis, nullptr, false);
        if (item->prefill == answer && probed.is_object()) {
          basis = "自動点検: " + probed.value("summary_ja", "");
        } else {
          return ledger::FieldError(
              field(i, "basis"), "「" + std::string(TitleJa(answer)) + "」の回答には根拠が必要です",
              "an answer of " + std::string(Id(answer)) + " needs a basis");
        }
      }
      MAMORI_TRY_STATUS(ledger.Db().Execute(
          "UPDATE assess_items SET answer = ?, basis = ?, evidence = ?, correction_reason = ?, "
          "answered_by = ?, answered_at = ? WHERE form_id = ? AND check_id = ?",
          {std::string(Id(answer)), basis, input.evidence, correction, person.id, now, form_id,
           input.check_id}));
    }
    return RecordForm(ledger, actor, "assess.form.answer", form_id, &result);
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

}  // namespace

Result<Form> AnswerItem(Ledger& ledger, const std::string& actor, std::int64_t form_id,
                        const AnswerInput& input) {
  return AnswerMany(ledger, actor, form_id, {input}, /*indexed=*/false);
}

Result<Form> AnswerItems(Ledger& ledger, const std::string& actor, std::int64_t form_id,
                         const std::vector<AnswerInput>& inputs) {
  return AnswerMany(ledger, actor, form_id, inputs, /*indexed=*/true);
}

Result<Form> SubmitForm(Ledger& ledger, const std::string& actor, std::int64_t form_id) {
  MAMORI_TRY_STATUS(ledger::CheckCode(actor, "actor"));
  Form result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto form, LoadForm(ledger, form_id));
    if (form.status != FormStatus::kOpen) return WrongState(form, "提出", "submitted");
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    MAMORI_TRY(const auto section, FormSection(ledger, form));
    const auto roles = FormRoles(ledger.Profile(), form);
    MAMORI_TRY(const auto held,
               internal::HeldRole(ledger, person, roles, section ? &*section : nullptr));
    if (!held) {
      return internal::NotAllowed(ledger.Profile(), "actor", roles, "この様式の提出",
                                  "submitting this form", "");
    }
    std::string missing;
    for (const auto& item : form.items) {
      if (!item.answer) missing += (missing.empty() ? "" : ", ") + item.check_id;
    }
    if (!missing.empty()) {
      return ledger::FieldError("form", "未回答の点検項目があります: " + missing,
                                "unanswered check items: " + missing);
    }
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE assess_forms SET status = 'submitted', submitted_by = ?, submitted_at = ? WHERE "
        "id = ? AND status = 'open'",
        {person.id, internal::NowUtc(ledger), form_id}));
    return RecordForm(ledger, actor, "assess.form.submit", form_id, &result);
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Form> SignOffForm(Ledger& ledger, const std::string& actor, std::int64_t form_id,
                         const std::string& comment) {
  MAMORI_TRY_STATUS(ledger::Checks()
                        .Add(ledger::CheckCode(actor, "actor"))
                        .Add(ledger::CheckText(comment, "comment", ledger::kMaxText, true, true))
                        .Done());
  Form result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto form, LoadForm(ledger, form_id));
    if (form.status != FormStatus::kSubmitted) return WrongState(form, "確認", "signed off");
    MAMORI_TRY(const auto campaign, LoadCampaign(ledger, form.campaign_id));
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    MAMORI_TRY(const auto section, FormSection(ledger, form));
    // 9(3)①: the section's manager reports its results; the organization
    // form is the 統括's.
    const auto roles =
        internal::WithDelegates(ledger.Profile(), {section ? Role::kManager : Role::kChiefOfficer});
    MAMORI_TRY(const auto held,
               internal::HeldRole(ledger, person, roles, section ? &*section : nullptr));
    if (!held) {
      return internal::NotAllowed(ledger.Profile(), "actor", roles, "この様式の確認",
                                  "signing off this form", campaign.clause);
    }
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE assess_forms SET status = 'signed_off', signed_off_by = ?, signed_off_at = ?, "
        "signoff_comment = ? WHERE id = ? AND status = 'submitted'",
        {person.id, internal::NowUtc(ledger), comment, form_id}));
    return RecordForm(ledger, actor, "assess.form.signoff", form_id, &result);
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Evaluation> EvaluateForm(Ledger& ledger, const std::string& actor, std::int64_t form_id,
                                const std::string& comment) {
  MAMORI_TRY_STATUS(ledger::Checks()
                        .Add(ledger::CheckCode(actor, "actor"))
                        .Add(ledger::CheckText(comment, "comment", ledger::kMaxText, true, true))
                        .Done());
  Evaluation result;
  const Status changed = ledger.Change([&]() -> Status {
    MAMORI_TRY(const auto form, LoadForm(ledger, form_id));
    if (form.status != FormStatus::kSignedOff) return WrongState(form, "評価", "evaluated");
    MAMORI_TRY(const auto campaign, LoadCampaign(ledger, form.campaign_id));
    MAMORI_TRY(const auto person, internal::Actor(ledger, actor, "actor"));
    MAMORI_TRY(const auto section, FormSection(ledger, form));
    // 9(3)②: the 統括 evaluates; the organization form, which the 統括
    // signed off, goes to the CISO.
    const auto roles =
        internal::WithDelegates(ledger.Profile(), {section ? Role::kChiefOfficer : Role::kCiso});
    MAMORI_TRY(const auto held,
               internal::HeldRole(ledger, person, roles, section ? &*section : nullptr));
    if (!held) {
      return internal::NotAllowed(ledger.Profile(), "actor", roles, "この様式の評価",
                                  "evaluating this form", campaign.clause);
    }
    MAMORI_TRY_STATUS(ledger.Db().Execute(
        "UPDATE assess_forms SET status = 'evaluated', evaluated_by = ?, evaluated_at = ?, "
        "evaluation_comment = ? WHERE id = ? AND status = 'signed_off'",
        {person.id, internal::NowUtc(ledger), comment, form_id}));
    for (const auto& item : form.items) {
      if (!item.answer || !NeedsBasis(*item.answer)) continue;
      FindingInput finding;
      finding.source = "self_inspection";
      finding.source_ref = "自己点検 " + IdText(campaign.id) + " 様式 " + IdText(form.id);
      finding.title = "自己点検「" + item.check_id + "」: " + std::string(TitleJa(*item.answer));
      finding.description = item.question + "\n根拠: " + item.basis;
      // The basis stays on the form in full; the finding cites it if it fits.
      if (finding.description.size() > ledger::kMaxText) finding.description = item.question;
      finding.check_id = item.check_id;
      finding.clause = item.clause;
      finding.section = form.section;
      finding.owner = form.signed_off_by;
      finding.priority = item.priority ? "high" : "medium";
      finding.form_id = form.id;
      MAMORI_TRY(const auto opened, InsertFinding(ledger, actor, finding));
      result.findings.push_back(opened.id);
    }
    return RecordForm(ledger, actor, "assess.form.evaluate", form_id, &result.form);
  });
  if (!changed.Ok()) return changed.Err();
  return result;
}

Result<Rollup> RollUp(Ledger& ledger, std::int64_t campaign_id) {
  MAMORI_TRY(const auto campaign, LoadCampaign(ledger, campaign_id));
  MAMORI_TRY(auto rollup, RollUpOnly(ledger, campaign));
  MAMORI_TRY(const auto previous_rows,
             ledger.Db().Query("SELECT id FROM assess_campaigns WHERE fiscal_year = ?",
                               {std::int64_t{campaign.fiscal_year - 1}}));
  if (previous_rows.empty()) {
    for (auto& row : rollup.sections) row.trend = "new";
    for (auto& row : rollup.departments) row.trend = "new";
    rollup.organization.trend = "new";
    return rollup;
  }
  MAMORI_TRY(const auto previous_campaign, LoadCampaign(ledger, previous_rows.front().Int(0)));
  MAMORI_TRY(const auto previous, RollUpOnly(ledger, previous_campaign));
  rollup.previous_campaign_id = previous_campaign.id;
  for (auto& row : rollup.sections) Compare(row, &previous.sections, nullptr);
  for (auto& row : rollup.departments) Compare(row, &previous.departments, nullptr);
  Compare(rollup.organization, nullptr, &previous.organization);
  return rollup;
}

Json ToJson(const Campaign& campaign) {
  return Json{{"id", campaign.id},
              {"fiscal_year", campaign.fiscal_year},
              {"title", campaign.title},
              {"opens_on", campaign.opens_on},
              {"due_on", campaign.due_on},
              {"clause", campaign.clause},
              {"profile_id", campaign.profile_id},
              {"profile_digest", campaign.profile_digest},
              {"created_by", campaign.created_by},
              {"created_at", campaign.created_at},
              {"forms", campaign.forms}};
}

Json ToJson(const Form& form) {
  Json items = Json::array();
  for (const auto& item : form.items) {
    const Json basis = Json::parse(item.prefill_basis, nullptr, false);
    items.push_back({{"position", item.position},
                     {"check_id", item.check_id},
                     {"clause", item.clause},
                     {"question", item.question},
                     {"answered_by_role", item.answered_by_role},
                     {"priority", item.priority},
                     {"probe", item.probe},
                     {"respondents", item.respondents},
                     {"prefill", AnswerJson(item.prefill)},
                     {"prefill_basis", basis.is_discarded() ? Json() : basis},
                     {"answer", AnswerJson(item.answer)},
                     {"basis", item.basis},
                     {"evidence", item.evidence},
                     {"correction_reason", item.correction_reason},
                     {"answered_by", item.answered_by},
                     {"answered_at", item.answered_at}});
  }
  return Json{{"id", form.id},
              {"campaign_id", form.campaign_id},
              {"fiscal_year", form.fiscal_year},
              {"section", form.section},
              {"section_name", form.section_name},
              {"department", form.department},
              {"status", Id(form.status)},
              {"due_on", form.due_on},
              {"overdue", form.overdue},
              {"submitted_by", form.submitted_by},
              {"submitted_at", form.submitted_at},
              {"signed_off_by", form.signed_off_by},
              {"signed_off_at", form.signed_off_at},
              {"signoff_comment", form.signoff_comment},
              {"evaluated_by", form.evaluated_by},
              {"evaluated_at", form.evaluated_at},
              {"evaluation_comment", form.evaluation_comment},
              {"items", items}};
}

Json ToJson(const Rollup& rollup) {
  Json sections = Json::array();
  for (const auto& row : rollup.sections) sections.push_back(RowJson(row));
  Json departments = Json::array();
  for (const auto& row : rollup.departments) departments.push_back(RowJson(row));
  return Json{{"campaign_id", rollup.campaign_id},
              {"fiscal_year", rollup.fiscal_year},
              {"previous_campaign_id",
               rollup.previous_campaign_id ? Json(*rollup.previous_campaign_id) : Json()},
              {"sections", sections},
              {"departments", departments},
              {"organization", RowJson(rollup.organization)}};
}

}  // namespace mamori::assess
