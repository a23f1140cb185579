// Exceptions (例外措置, 7.4). An exception is a permission request whose
// action is `exception` (requests.h), taken by a manager (情報セキュリティ管
// 理者, 7.4(1)(2)):
//  - a normal exception needs the approvals the profile names (阪南市: the
//    CISO or the chief officer, 7.4(1));
//  - an emergency exception (context emergency = true, 7.4(2)) is taken at
//    once and must be reported afterwards to the CISO or the chief officer
//    within Profile().deadlines.emergency_exception_report_days
//    (kDefaultEmergencyReportDays when 0); one not reported by then is
//    overdue;
//  - the register of exceptions is kept and reviewed periodically by the
//    CISO and the chief officer (7.4(3)).
// Every change is one Ledger::Change with an audit event holding the
// request's full new state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/workflow/requests.h"

namespace mamori::ledger::workflow {

// 事後速やかに (7.4(2)) when the profile states no number of days.
inline constexpr int kDefaultEmergencyReportDays = 3;

int EmergencyReportDays(const policy::Profile& profile);

// Records the report of an emergency exception (who, when, text) to the
// holders of ciso and chief_officer, and fills its report_afterwards record.
// By the requester or a manager of the request's section; once only.
Result<RequestRecord> ReportException(Ledger& ledger, std::int64_t id, const std::string& reporter,
                                      const std::string& text);
// A review of an exception's record (7.4(3)) by the CISO, the chief officer
// or a delegate the profile gives them.
Result<RequestRecord> ReviewException(Ledger& ledger, std::int64_t id, const std::string& reviewer,
                                      const std::string& comment);
// The register of exceptions (7.4(3)), oldest first.
Result<std::vector<RequestRecord>> ListExceptions(Ledger& ledger);
// Emergency exceptions not reported by their deadline (ledger.Now()).
Result<std::vector<RequestRecord>> OverdueExceptions(Ledger& ledger);

}  // namespace mamori::ledger::workflow
