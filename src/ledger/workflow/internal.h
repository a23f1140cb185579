// Helpers shared by the workflow's .cc files; not part of the front door.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/org.h"
#include "ledger/workflow/requests.h"
#include "policy/vocabulary.h"

namespace mamori::ledger::workflow::internal {

using Json = nlohmann::json;

std::string NowUtc(const Ledger& ledger);
// `now` + `days` days, as UTC text.
std::string AddDaysUtc(const Ledger& ledger, int days);

// A JSON array of strings, and back ([] for text that is not one).
std::string ToJsonArray(const std::vector<std::string>& items);
std::vector<std::string> FromJsonArray(const std::string& text);

// Person codes of `people`, sorted and without duplicates.
std::vector<std::string> Codes(const std::vector<Person>& people);

// The person named by `code` who is employed today; errors name `field`.
Result<Person> ActivePerson(Ledger& ledger, const std::string& code, std::string_view field);
// kInvalidArgument when `person` is suspended (7.6④); `doing_ja`/`doing_en`
// say what was refused ("申請", "submit a request").
Status NotSuspended(Ledger& ledger, const Person& person, const std::string& doing_ja,
                    const std::string& doing_en);

// `roles` with the delegates the profile gives each (e.g. chief_officer ->
// deputy_chief_officer), as decide expands approval steps.
std::vector<policy::Role> WithDelegates(const policy::Profile& profile,
                                        const std::vector<policy::Role>& roles);
// The first of `roles` that `person` holds for `section` today (per the
// role's scope), if any.
Result<std::optional<policy::Role>> HeldRole(Ledger& ledger, const Person& person,
                                             const std::vector<policy::Role>& roles,
                                             const Section& section);
// Holders of any of `roles` for `section` today, active and not suspended,
// without duplicates.
Result<std::vector<Person>> HoldersOfAny(Ledger& ledger, const std::vector<policy::Role>& roles,
                                         const Section& section);
// "情報セキュリティ管理者又は…" for messages.
std::string RoleTitles(const policy::Profile& profile, const std::vector<policy::Role>& roles);
// Where a role is held, for messages: "課室等「zeimu」" / "section zeimu".
std::string ScopeJa(const policy::Profile& profile, policy::Role role, const Section& section);
std::string ScopeEn(const policy::Profile& profile, policy::Role role, const Section& section);

// The request with everything that belongs to it; kNotFound naming the id.
Result<RequestRecord> LoadRequest(Ledger& ledger, std::int64_t id);
// Records an audit event whose state is the request's full new state and
// returns that state; only inside Ledger::Change.
Result<RequestRecord> RecordRequest(Ledger& ledger, const std::string& actor, const std::string& action,
                     std::int64_t id);

}  // namespace mamori::ledger::workflow::internal
