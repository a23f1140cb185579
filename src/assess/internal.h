// Helpers shared by the assess .cc files; not part of the front door.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/org.h"
#include "policy/model.h"

namespace mamori::assess::internal {

// `roles` and the delegates the profile gives each (chief_officer →
// deputy_chief_officer), as the workflows route approvals.
std::vector<policy::Role> WithDelegates(const policy::Profile& profile,
                                        const std::vector<policy::Role>& roles);
// The first of `roles` that `person` holds today where it counts for
// `section` (a section's manager, its department's officer, an
// organization-wide role; staff: a person of the section). With no section,
// only organization-wide roles count.
Result<std::optional<policy::Role>> HeldRole(ledger::Ledger& ledger, const ledger::Person& person,
                                             const std::vector<policy::Role>& roles,
                                             const ledger::Section* section);
// "情報セキュリティ管理者又は…" for messages.
std::string RoleTitles(const policy::Profile& profile, const std::vector<policy::Role>& roles);
std::string RoleIds(const policy::Profile& profile, const std::vector<policy::Role>& roles);

// An error on `field` naming who may do `doing`.
Error NotAllowed(const policy::Profile& profile, std::string_view field,
                 const std::vector<policy::Role>& roles, const std::string& doing_ja,
                 const std::string& doing_en, const std::string& clause);

std::string NowUtc(const ledger::Ledger& ledger);

// The person `code` acting: employed today and not suspended (7.6④: a person
// whose system rights are suspended does nothing in mamori); errors name
// `field`.
Result<ledger::Person> Actor(ledger::Ledger& ledger, const std::string& code,
                             std::string_view field);

}  // namespace mamori::assess::internal
