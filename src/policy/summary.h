// A readable Japanese summary of a resolved profile (`mamori policy show`):
// organization, documents, classification, roles, segments and flows,
// password rules, deadlines, threats and the rules with their clauses.
//
// Thread safety: a pure function.
#pragma once

#include <string>

#include "policy/model.h"

namespace mamori::policy {

std::string Summarize(const Profile& profile);

}  // namespace mamori::policy
