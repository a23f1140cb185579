// Permission requests (許可申請): a person asks to do something the policy
// restricts (take an asset out, dispose of a medium, install software, take
// an exception, ...). The request is decided by the ledger's profile
// (decide::Decide) and the decision is stored with it; when approvals are
// needed it is routed, step by step, to the people who hold the step's roles
// for the requester's section (org HoldersOf). Obligations of an approved
// request become records to fill.
//
// States (docs/workflows.md):
//   submit ─┬─ allow ──────────────▶ approved ──(all obligation records filled)──▶ completed
//           ├─ deny ───────────────▶ denied
//           └─ approval_required ──▶ pending ─┬─ last step approved ─▶ approved
//                                             ├─ a step rejected ────▶ rejected
//                                             ├─ withdrawn ──────────▶ withdrawn
//                                             └─ expire pass ────────▶ expired
//
// Invariants enforced here:
//  - the actor of the decision (id, roles, section) comes from the org
//    register on the day of submission, never from the submitter;
//  - 1(3)① 兼務の禁止: the requester never approves their own request, and
//    one person approves at most one step of a request;
//  - steps are approved in order; a rejection ends the request;
//  - a pending request expires after Profile().deadlines.request_expiry_days
//    (kDefaultRequestExpiryDays when the profile says 0);
//  - a suspended person (7.6④) can neither submit nor approve;
//  - every change is one Ledger::Change with an audit event whose state is
//    the request's full new state (ToJson).
// Bad input names every bad field and stores nothing.
//
// Thread safety: functions over a Ledger, which is used by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/org.h"
#include "policy/vocabulary.h"

namespace mamori::ledger::workflow {

// Used when the profile's request_expiry_days is 0 (not stated).
inline constexpr int kDefaultRequestExpiryDays = 30;

enum class RequestStatus : std::uint8_t {
  kPending,    // 承認待ち
  kApproved,   // 承認済み (obligation records may remain to fill)
  kCompleted,  // 完了: approved and every obligation record filled
  kDenied,     // 不許可: the policy denies it
  kRejected,   // 却下: an approver rejected a step
  kWithdrawn,  // 取下げ
  kExpired,    // 期限切れ
};

std::string_view Id(RequestStatus status);
std::string_view TitleJa(RequestStatus status);
std::optional<RequestStatus> ParseRequestStatus(std::string_view id);

// The expiry the profile gives, or kDefaultRequestExpiryDays.
int RequestExpiryDays(const policy::Profile& profile);

struct SubmitInput {
  std::string requester;     // person code
  std::string request_json;  // {"action", "asset", "context"[, "id"]}; no "actor"
  std::string purpose;       // required for exceptions (7.4(1) 合理的な理由)
};

struct Step {
  int index = 0;                        // 0-based
  std::vector<std::string> roles;       // any one suffices
  std::vector<std::string> routed_to;   // person codes, when submitted
};

struct StepAction {
  int step = 0;
  std::string person;
  std::string role;      // the role the person acted in
  std::string decision;  // approve | reject
  std::string comment;
  std::string time_utc;
};

// What a record of an obligation holds.
enum class FieldKind : std::uint8_t { kDate, kPerson, kText };
struct FieldSpec {
  std::string_view name;
  FieldKind kind;
  std::string_view title_ja;
};
// The fields a record of `obligation` must hold for `action` (e.g. dispose +
// record: date, person, method — 2.2(9)②).
std::vector<FieldSpec> ObligationFields(policy::Action action, policy::Obligation obligation);

struct ObligationRecord {
  std::string obligation;
  std::vector<std::string> fields;
  std::string clause;                         // the clause that imposes it
  std::map<std::string, std::string> values;  // empty until filled
  std::string filled_by;
  std::string filled_at;
  bool Filled() const { return !filled_at.empty(); }
};

struct ExceptionReview {
  std::string reviewer;
  std::string role;
  std::string comment;
  std::string time_utc;
};

// The exception part of a request whose action is `exception` (7.4).
struct ExceptionInfo {
  bool emergency = false;
  std::string report_due;  // UTC; emergency only (7.4(2))
  std::string reported_by;
  std::string reported_at;
  std::vector<std::string> reported_to;
  std::string report_text;
  std::vector<ExceptionReview> reviews;
  bool overdue = false;  // not reported and report_due has passed (ledger.Now())
};

struct RequestRecord {
  std::int64_t id = 0;
  std::string requester;
  std::string requester_name;
  std::string section;
  std::string department;
  std::string action;
  std::string purpose;
  RequestStatus status = RequestStatus::kPending;
  std::string effect;
  std::string request_json;   // as decided
  std::string decision_json;  // decide's JSON contract
  std::string profile_id;
  std::string profile_digest;
  int current_step = 0;
  std::vector<Step> steps;
  std::vector<StepAction> actions;
  std::vector<ObligationRecord> obligations;
  std::optional<ExceptionInfo> exception;
  std::string submitted_at;
  std::string expires_at;
  std::string decided_at;
  std::string completed_at;
  std::string withdraw_reason;
};

// The full state, as stored in audit events and printed by --json.
nlohmann::json ToJson(const RequestRecord& request);

// Decides and stores a request. A denial is not an error: the request is
// stored as denied with the clause. Errors: kInvalidArgument naming each bad
// field (purpose, request JSON paths, requester), a suspended or no longer
// employed requester, a step nobody but the requester can take (names the
// role and the section); kNotFound for an unknown person.
Result<RequestRecord> SubmitRequest(Ledger& ledger, const SubmitInput& input);

Result<RequestRecord> GetRequest(Ledger& ledger, std::int64_t id);

// Approves the current step. Refused (kInvalidArgument, nothing stored) when
// the request is not pending or has expired, the approver is the requester
// or took an earlier step (1(3)①), is suspended, or holds none of the step's
// roles for the requester's section today.
Result<RequestRecord> ApproveRequest(Ledger& ledger, std::int64_t id, const std::string& approver,
                                     const std::string& comment);
// Rejects the current step, which ends the request; the comment is required.
// The same checks as ApproveRequest.
Result<RequestRecord> RejectRequest(Ledger& ledger, std::int64_t id, const std::string& approver,
                                    const std::string& comment);
// The requester withdraws a pending request.
Result<RequestRecord> WithdrawRequest(Ledger& ledger, std::int64_t id, const std::string& requester,
                                      const std::string& reason);
// Fills the record of one obligation of an approved request with every field
// ObligationFields names (no more, no fewer). Filled by the requester, an
// approver of the request or a manager of its section. When the last record
// is filled the request is completed.
Result<RequestRecord> FillObligation(Ledger& ledger, std::int64_t id, const std::string& person,
                                     const std::string& obligation,
                                     const std::map<std::string, std::string>& values);
// Marks every pending request whose expiry has passed as expired (one
// transaction, one event per request). Returns their ids.
Result<std::vector<std::int64_t>> ExpireRequests(Ledger& ledger, const std::string& actor);

struct RequestFilter {
  std::string requester{};    // person code; empty: anyone
  std::string waiting_for{};  // person code: pending requests this person may act on now
  std::optional<RequestStatus> status{};
  std::string action{};       // e.g. "exception"
};
Result<std::vector<RequestRecord>> ListRequests(Ledger& ledger, const RequestFilter& filter);

// Who may act on the request's current step today: the holders of the step's
// roles for the requester's section, minus the requester, those who took an
// earlier step and suspended people. Empty when the request is not pending.
Result<std::vector<Person>> CurrentApprovers(Ledger& ledger, const RequestRecord& request);

}  // namespace mamori::ledger::workflow
