// Helpers shared by incidents and training (internal to this folder): the
// acting person and the check that they hold one of the roles an operation
// needs for a section.
#pragma once

#include <string>
#include <vector>

#include "ledger/org.h"

namespace mamori::ledger::incident {

// The person `code`, employed today (JST). Errors name the field "actor".
Result<Person> ActivePerson(Ledger& ledger, const std::string& code);

// OK when `actor` holds one of `roles` today: a section-scoped role for
// `section`, a department-scoped role for its department, any other role
// anywhere. Otherwise an error naming the roles (and `also_ja`/`also_en`,
// someone else who may act, when not empty).
Status Authorize(Ledger& ledger, const Person& actor, const Section& section,
                 const std::vector<policy::Role>& roles, const std::string& what_ja,
                 const std::string& what_en, const std::string& also_ja = "",
                 const std::string& also_en = "");

// True when `actor` holds `role` today for `section` (as above).
Result<bool> Holds(Ledger& ledger, const Person& actor, const Section& section, policy::Role role);

}  // namespace mamori::ledger::incident
