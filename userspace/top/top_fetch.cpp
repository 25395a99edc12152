#include "top/top_fetch.h"

#include <algorithm>
#include <cstdio>

namespace kscope {

Result<void> fetch_top(const ApiClient& api, double window_seconds, TopFrame& frame) {
  char range[64];
  // Two points, at now-window and now: the newest covers the last window.
  std::snprintf(range, sizeof range, "&start=-%.0fs&step=%.0fs", window_seconds, window_seconds);
  std::vector<TopRow> rows;
  std::array<bool, kTopColumns> present{};
  for (const auto& c : top_columns()) {
    std::string path = std::string("/api/v1/query?name=") + url_encode(c.metric) + "&aggregation=" + c.aggregation +
                       "&by=" + url_encode(frame.by) + range;
    auto answer = api.get_json(path);
    if (!answer) return answer.error();
    present[static_cast<size_t>(c.column)] = merge_query(rows, c.column, *answer, frame.by);
  }
  // Series stay in the history after their process went quiet; a row with
  // nothing but zeros is noise on a busy screen.
  std::erase_if(rows, [](const TopRow& r) {
    return std::none_of(r.values.begin(), r.values.end(), [](const auto& v) { return v && *v != 0; });
  });
  frame.rows = std::move(rows);
  frame.present = present;
  frame.window_seconds = window_seconds;
  frame.time = std::chrono::system_clock::now();
  sort_rows(frame.rows, frame.sort, frame.ascending);
  return {};
}

}  // namespace kscope
