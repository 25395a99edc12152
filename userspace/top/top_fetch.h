// Fills a TopFrame from a running kscope: one /api/v1/query per column (two
// for a ratio column) of the frame's view, grouped by the view's key label,
// over the last `window`.
#pragma once

#include "common/result.h"
#include "top/api_client.h"
#include "top/top_table.h"

namespace kscope {

// An error only when the API cannot be reached or refuses (e.g. 401); a
// metric that is absent leaves its column marked not present.
Result<void> fetch_top(const ApiClient& api, double window_seconds, TopFrame& frame);

}  // namespace kscope
