// The audit plan: which auditor audits which section for which period
// (監査: 阪南市 9(1), the guideline's 8.1). Separation of duties (1(3)②
// 兼務の禁止): an auditor never audits their own unit — neither the section
// they belong to, nor a section where they hold a role (manager, liaison),
// nor a section of a department whose officer they are. Assignments are made
// by the CISO or the chief officer (or the deputy the profile names).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "ledger/ledger.h"

namespace mamori::ledger::workflow {

struct AuditAssignmentInput {
  std::string auditor;       // person code; must hold the auditor role
  std::string section;       // the audited section
  std::string period_from;   // YYYY-MM-DD
  std::string period_to;
  std::string scope;         // what is audited (free text)
};

struct AuditAssignment {
  std::int64_t id = 0;
  std::string auditor;
  std::string auditor_name;
  std::string section;
  std::string period_from;
  std::string period_to;
  std::string scope;
  std::string assigned_by;
  std::string assigned_at;  // UTC
  std::string clause;
};

Result<std::int64_t> AssignAudit(Ledger& ledger, const std::string& actor,
                                 const AuditAssignmentInput& input);
Result<std::vector<AuditAssignment>> ListAuditAssignments(Ledger& ledger);
nlohmann::json ToJson(const AuditAssignment& assignment);

}  // namespace mamori::ledger::workflow
