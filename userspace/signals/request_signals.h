// The request golden signals (docs/requests.md, docs/databases.md): the
// requests each service answered in the interval, from the server-side
// duration histograms of the request engines (HTTP, and the database
// servers' operations): rate, errors (an HTTP 5xx; a database error code)
// and their share, and latency percentiles. Absent while request capture
// is off (the families do not exist), zero when it is on and idle.
#pragma once

#include <map>

#include "signals/metric_query.h"
#include "signals/signals.h"

namespace kscope {

void add_request_signals(const IntervalPair& p, SignalSet& host, std::map<TargetId, SignalSet>& targets);

}  // namespace kscope
