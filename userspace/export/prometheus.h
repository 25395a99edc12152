// Prometheus text exposition format (version 0.0.4) of a snapshot.
#pragma once

#include <string>
#include <vector>

#include "model/snapshot.h"

namespace kscope {

// Renders every family with data. Histograms become cumulative `_bucket`
// series at `le_seconds` (plus +Inf), `_sum` and `_count`; families with no
// series are left out. Label values and help text are escaped.
std::string render_prometheus(const Snapshot& snapshot, const std::vector<double>& le_seconds);
// The same for families held elsewhere (export/metrics_view.h), in order.
std::string render_prometheus(const std::vector<const Family*>& families, const std::vector<double>& le_seconds);

// Formats a float the way Prometheus parses it (+Inf, -Inf, NaN, shortest
// round-trip otherwise).
std::string prometheus_number(double v);

}  // namespace kscope
