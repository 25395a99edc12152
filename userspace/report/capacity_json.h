// The JSON of `kscope report --prometheus --format json`, for automation;
// docs/report.md documents every field. Times are unix seconds, values in
// the signal's unit; a number that is not known is null.
#pragma once

#include <nlohmann/json.hpp>

#include "report/capacity_report.h"

namespace kscope {

inline constexpr int kCapacityJsonVersion = 1;

nlohmann::json capacity_report_json(const CapacityReport& r);

// One row's analysis (without its points), as in signals[].series[].
nlohmann::json series_analysis_json(const SeriesAnalysis& a);

}  // namespace kscope
