// The netcheck reports as Excel workbooks (issue 12: "JSON, Japanese text and
// XLSX reports"), for the 情報政策課 who files them with the year's records:
// one sheet per part of the report, Japanese headers, every cell text.
//
//   CheckReport: 区域の組 (pairs), 違反 (violations), 規則の所見 (rule
//                findings), 機器の所在 (hosts), 警告 (warnings)
//   FlowReport:  違反 (violation groups), 区域の組 (zone pairs), 集計 (totals),
//                警告
//   DiffReport:  変更 (changes), 区域の組, 警告
//
// Errors: those of tabular::WriteXlsx (a cell over Excel's 32,767 characters).
#pragma once

#include <string>

#include "common/result.h"
#include "netcheck/check.h"
#include "netcheck/diff.h"
#include "netcheck/flows.h"

namespace mamori::netcheck {

Result<std::string> ReportToXlsx(const CheckReport& report);
Result<std::string> FlowReportToXlsx(const FlowReport& report);
Result<std::string> DiffReportToXlsx(const DiffReport& report);

}  // namespace mamori::netcheck
