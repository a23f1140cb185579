// Probes: named queries over the ledger that pre-answer a check item
// (policy::CheckItem::probe; the ids are policy::kProbes). Each answers はい
// or いいえ, and for いいえ lists the rows that make it so — the 根拠 the
// respondent sees and confirms or corrects:
//
//   eol_devices_in_mynumber            no device in use in the マイナンバー利用事務系
//                                      whose OS is past its end of support (6.4(1)⑦, 3(1)①)
//   disposal_records_for_importance_a  every approved disposal of an importance-A
//                                      asset has its record filled (2.2(9)②)
//   training_attended_this_year        everyone who must has attended training in
//                                      the 年度 (5.2; incident/training.h's yearly rule)
//   emergency_exceptions_reported      no emergency exception unreported past its
//                                      deadline (7.4(2))
//   contract_clauses_checked           every contract in use states every 8.1(2) item
//                                      (its checklist all done)
//
// A probe reads only (no audit event); it is scoped to one section (the
// section's devices, disposals, people, exceptions and contracts) or to the
// whole organization.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "assess/answers.h"
#include "ledger/ledger.h"

namespace mamori::assess {

struct ProbeScope {
  std::string section;  // a section code; empty: the whole organization
  int fiscal_year = 0;  // 0: the current 年度 (JST)
};

// One row that makes a probe answer いいえ.
struct ProbeRow {
  std::string object_type;  // "device", "request", "person", "contract"
  std::string object_id;    // its code or id
  std::string section;
  std::string detail_ja;
  std::string detail_en;
};

struct ProbeResult {
  std::string probe;
  std::string clause;   // what the probe checks, in the guideline's numbering
  std::string section;  // as scoped; empty: the whole organization
  int fiscal_year = 0;
  Answer answer = Answer::kYes;  // kYes or kNo only
  std::string summary_ja;
  std::string summary_en;
  std::vector<ProbeRow> rows;  // empty when answer is kYes
};

// Runs `probe`. Errors: kInvalidArgument (field "probe") for an unknown id,
// naming the known ones; kNotFound for an unknown section.
Result<ProbeResult> RunProbe(ledger::Ledger& ledger, std::string_view probe,
                             const ProbeScope& scope);

nlohmann::json ToJson(const ProbeResult& result);

}  // namespace mamori::assess
