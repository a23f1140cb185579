// Rendering a Decision: the JSON contract shared by the CLI, the API and the
// UI, and the bilingual explanation (docs/decide.md).
//
//   {"effect": "approval_required",
//    "approvals": [["manager"]],
//    "obligations": ["record"],
//    "clauses": [{"id": "2.2(5)⑤", "title": "情報資産の保管",
//                 "document": "阪南市情報セキュリティポリシー 第2章 情報セキュリティ対策基準"}],
//    "explanation": "日本語 / English"}
// plus "id" (echoed), "separation_of_duties" when the requester holds an
// approving role, and with Detail::kExplain the matched rules and why.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "common/error.h"
#include "decide/engine.h"

namespace mamori::decide {

enum class Detail { kContract, kExplain };

struct Explanation {
  std::string ja;
  std::string en;
  std::string Both() const { return ja + " / " + en; }
};

Explanation Explain(const policy::Profile& profile, const Request& request,
                    const Decision& decision);

// One line of JSON (no trailing newline).
std::string DecisionToJson(const policy::Profile& profile, const Request& request,
                           const Decision& decision, Detail detail);

// {"error": {"code": ..., "message": ..., "diagnostics": [...]}} for a request
// that could not be decided; `line` (1-based, 0 = none) says which input line.
std::string ErrorToJson(const Error& error, int line);

}  // namespace mamori::decide
