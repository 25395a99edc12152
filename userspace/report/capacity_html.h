// The HTML page of `kscope report --prometheus`: what runs out first, then
// each signal's rows (per host, filesystem, disk, service) with baseline,
// trend, seasonality, forecast peak, recommended capacity and anomalies, and
// a chart per row (uPlot, inline: the history, the forecast and its
// interval). Self-contained like the page of report_html.h, every string
// escaped, the tables readable without JavaScript.
#pragma once

#include <string>
#include <string_view>

#include "report/capacity_report.h"

namespace kscope {

// At most this many charts on one page (the tables keep every row).
inline constexpr size_t kMaxCapacityCharts = 80;

std::string render_capacity_html(const CapacityReport& r, std::string_view uplot_js, std::string_view uplot_css);

}  // namespace kscope
