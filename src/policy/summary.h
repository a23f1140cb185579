// A readable Japanese summary of a resolved profile (`mamori policy show`):
// organization, documents, classification, roles, segments and flows,
// password rules, deadlines, threats, the rules with their clauses and the
// checklist (点検項目).
//
// Thread safety: a pure function.
#pragma once

#include <string>

#include "policy/model.h"

namespace mamori::policy {

std::string Summarize(const Profile& profile);

// "点検項目 N 件、対策基準の条項 M 件中 K 件を網羅": M counts the clauses that
// rules cite, K those of them at least one check item cites.
std::string CoverageLine(const CheckCoverage& coverage);

}  // namespace mamori::policy
