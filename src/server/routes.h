// Helpers the route files (src/server/*_routes.cc) share.
#pragma once

#include <string>

#include "ledger/incident/incident.h"
#include "ledger/workflow/requests.h"
#include "server/api.h"

namespace mamori::server {

// The session as GET /auth/session shows it (docs/api.md).
Result<Json> SessionJson(ledger::Ledger& ledger, const auth::Session& session,
                         const auth::Options& options);
// Records "auth.privilege_use" for a privileged session's read of something
// only administrators see (6.2(3): privileged use is recorded).
Status RecordPrivilegeUse(ledger::Ledger& ledger, const Viewer& viewer, const std::string& what);
// The section and department of a section code ("" when unknown).
struct Unit {
  std::string section;
  std::string department;
};
Result<Unit> UnitOf(ledger::Ledger& ledger, const std::string& section_code);

// A request body with "asset_code", or with an "asset" whose "id" is a code
// of the asset register, gets "asset" filled from the register: its kind and
// effective classification (2.2(1)①), whatever the body said. Errors name
// asset_code; an asset the viewer may not read is refused.
Result<Json> ResolveAssetCode(ledger::Ledger& ledger, const Viewer& viewer, Json request);

// Who has not attended the training they must (5.2), as far as `viewer`
// may see: themselves, the sections they manage, other units for auditors.
Result<Json> TrainingOverdueJson(ledger::Ledger& ledger, const Viewer& viewer);

// Who sees what (docs/api.md).
bool CanSeeRequest(const Viewer& viewer, const ledger::workflow::RequestRecord& request);
bool CanSeeIncident(const Viewer& viewer, const ledger::incident::Incident& incident);

}  // namespace mamori::server
