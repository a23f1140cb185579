// 自己点検 campaigns (阪南市 対策基準 9(3) 点検: ① the 情報セキュリティ管理者
// inspects how the measures are carried out and reports to the 統括情報
// セキュリティ責任者; ② the 統括 evaluates the results; the guideline's
// 自己点検). The clause a campaign cites is the one of the profile's check
// item "review.self_inspection" (or "review.audit_and_self_inspection").
//
// A campaign is one per 年度, over a scope of sections (default: all). It
// makes, from the profile's check items:
//  - one form per section in scope, holding the items answered by a role
//    that acts for a section (manager, liaison, staff, officer, a profile
//    role of section scope); the respondents of an item are the section's
//    holders of its role (staff: the section's people);
//  - one organization form (no section) for the items answered by an
//    organization-wide role (統括, CISO, CSIRT, ...).
// Every item whose check has a probe is pre-filled by it (probes.h), scoped
// to the form's section. A campaign whose items nobody could answer (no
// holder of the role) is refused, naming the section and the role.
//
// A form's life:  open ──submit──▶ submitted ──sign-off──▶ signed_off ──evaluate──▶ evaluated
//  - answer (open only): はい / いいえ / 一部 / 該当なし; 根拠 (basis) required for
//    いいえ and 一部; an answer other than the probe's pre-filled one needs a
//    correction reason, which is kept; by a current holder of the item's role
//    for the section (or a delegate the profile names);
//  - submit: every item answered; by anyone who may answer an item of it;
//  - sign-off: the section's manager (9(3)①); the organization form: the
//    統括 (chief_officer) or a delegate;
//  - evaluate: the 統括 or a delegate (9(3)②); the organization form: the
//    CISO, so that no one evaluates a form they signed off. Evaluating opens
//    a finding (findings.h, source self_inspection) for each いいえ / 一部
//    answer at once, in the same transaction: 9(3)② asks the 統括 to
//    evaluate, and a gap that is only "offered" as a finding is a gap that
//    can be forgotten; one not worth fixing is closed as risk_accepted.
// A form still open after the campaign's due date is overdue.
// Wrong state (someone acted first, the form moved on): kConflict. Wrong
// person (including one whose system rights are suspended, 7.6④) or bad
// input: kInvalidArgument naming the field; nothing is stored.
// Every change is one Ledger::Change with an audit event holding the new
// state ("assess.campaign.create", "assess.form.create", "assess.form.answer",
// "assess.form.submit", "assess.form.signoff", "assess.form.evaluate").
//
// Thread safety: functions over a Ledger, which is used by one thread.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assess/answers.h"
#include "ledger/ledger.h"

namespace mamori::assess {

enum class FormStatus : std::uint8_t { kOpen, kSubmitted, kSignedOff, kEvaluated };
std::string_view Id(FormStatus status);
std::string_view TitleJa(FormStatus status);

struct CampaignInput {
  int fiscal_year = 0;  // 2026 = 2026-04-01 .. 2027-03-31
  std::string title;
  std::vector<std::string> sections;  // section codes; empty: every section
  std::string opens_on;               // YYYY-MM-DD, within the 年度
  std::string due_on;                 // YYYY-MM-DD, not before opens_on
};

struct Campaign {
  std::int64_t id = 0;
  int fiscal_year = 0;
  std::string title;
  std::string opens_on;
  std::string due_on;
  std::string clause;
  std::string profile_id;
  std::string profile_digest;
  std::string created_by;
  std::string created_at;
  std::vector<std::int64_t> forms;
};

struct FormItem {
  int position = 0;
  std::string check_id;
  std::string clause;
  std::string question;
  std::string answered_by_role;
  bool priority = false;  // 重点項目
  std::string probe;
  std::vector<std::string> respondents;  // person codes when the form was made
  std::optional<Answer> prefill;         // the probe's answer
  std::string prefill_basis;             // the probe's result as JSON (probes.h ToJson)
  std::optional<Answer> answer;
  std::string basis;
  std::string evidence;
  std::string correction_reason;
  std::string answered_by;
  std::string answered_at;
};

struct Form {
  std::int64_t id = 0;
  std::int64_t campaign_id = 0;
  int fiscal_year = 0;
  std::string section;  // empty: the organization form
  std::string section_name;
  std::string department;
  FormStatus status = FormStatus::kOpen;
  std::string due_on;
  bool overdue = false;  // still open after due_on (today, JST); not in the audited state
  std::string submitted_by, submitted_at;
  std::string signed_off_by, signed_off_at, signoff_comment;
  std::string evaluated_by, evaluated_at, evaluation_comment;
  std::vector<FormItem> items;
};

// Creates the campaign and its forms (pre-filled by the probes). By the
// CISO or the 統括 (or a delegate). Errors: kInvalidArgument naming each bad
// field (fiscal_year, title, sections[i], opens_on, due_on) and each
// section/role nobody holds; kConflict when the 年度 has a campaign.
Result<Campaign> CreateCampaign(ledger::Ledger& ledger, const std::string& actor,
                                const CampaignInput& input);
Result<Campaign> GetCampaign(ledger::Ledger& ledger, std::int64_t id);
Result<std::vector<Campaign>> ListCampaigns(ledger::Ledger& ledger);

Result<Form> GetForm(ledger::Ledger& ledger, std::int64_t id);
// The campaign's forms, the organization form first, then by section code.
Result<std::vector<Form>> ListForms(ledger::Ledger& ledger, std::int64_t campaign_id);
// Forms still open after the campaign's due date.
Result<std::vector<Form>> OverdueForms(ledger::Ledger& ledger, std::int64_t campaign_id);

struct AnswerInput {
  std::string check_id;
  std::string answer;             // an Answer id or its Japanese title
  std::string basis;              // 根拠; required for いいえ / 一部
  std::string evidence;           // optional
  std::string correction_reason;  // required when the answer differs from the probe's
};
Result<Form> AnswerItem(ledger::Ledger& ledger, const std::string& actor, std::int64_t form_id,
                        const AnswerInput& input);
// Several answers to one form at once (a form saved whole, a returned
// sheet): all or none, in one change with one audit event; errors name
// "answers[i].<field>".
Result<Form> AnswerItems(ledger::Ledger& ledger, const std::string& actor, std::int64_t form_id,
                         const std::vector<AnswerInput>& inputs);
Result<Form> SubmitForm(ledger::Ledger& ledger, const std::string& actor, std::int64_t form_id);
Result<Form> SignOffForm(ledger::Ledger& ledger, const std::string& actor, std::int64_t form_id,
                         const std::string& comment);

struct Evaluation {
  Form form;
  std::vector<std::int64_t> findings;  // opened for いいえ / 一部 answers
};
Result<Evaluation> EvaluateForm(ledger::Ledger& ledger, const std::string& actor,
                                std::int64_t form_id, const std::string& comment);

// The roll-up of a campaign: per section, per department and for the whole
// organization, the worst answer (いいえ > 一部 > はい; 該当なし neutral; nullopt
// when nothing but 該当なし or nothing answered), with the counts, compared
// with the previous 年度's campaign when there is one.
struct Counts {
  int yes = 0, no = 0, partial = 0, not_applicable = 0, unanswered = 0;
};
struct RollupRow {
  std::string kind;  // "section", "department", "organization"
  std::string code;  // empty for the organization
  std::string name;
  Counts counts;
  std::optional<Answer> result;
  bool previous_known = false;  // the previous campaign had this row
  std::optional<Answer> previous;
  std::string trend;  // "improved", "worsened", "same", "new"
};
struct Rollup {
  std::int64_t campaign_id = 0;
  int fiscal_year = 0;
  std::optional<std::int64_t> previous_campaign_id;
  std::vector<RollupRow> sections;     // by code; the organization form's items in "organization"
  std::vector<RollupRow> departments;  // by code
  RollupRow organization;              // everything
};
Result<Rollup> RollUp(ledger::Ledger& ledger, std::int64_t campaign_id);

nlohmann::json ToJson(const Campaign& campaign);
nlohmann::json ToJson(const Form& form);
nlohmann::json ToJson(const Rollup& rollup);

}  // namespace mamori::assess
