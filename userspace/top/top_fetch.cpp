#include "top/top_fetch.h"

#include <algorithm>
#include <cstdio>

namespace kscope {

Result<void> fetch_top(const ApiClient& api, double window_seconds, TopFrame& frame) {
  char range[64];
  // Two points, at now-window and now: the newest covers the last window.
  std::snprintf(range, sizeof range, "&start=-%.0fs&step=%.0fs", window_seconds, window_seconds);
  const TopViewInfo& view = top_view(frame.view);
  const std::string key = top_key_label(frame);
  const std::string by = "&by=" + url_encode(top_query_by(frame)) + range;
  auto query = [&](const char* metric, const char* aggregation) {
    return api.get_json(std::string("/api/v1/query?name=") + url_encode(metric) + "&aggregation=" + aggregation + by);
  };
  std::vector<TopRow> rows;
  std::array<bool, kMaxTopColumns> present{};
  if (frame.view == TopView::kEdges) {
    auto services = api.get_json("/api/v1/services");
    if (!services) return services.error();
    present.fill(merge_edges(rows, *services));
  }
  for (size_t i = 0; frame.view != TopView::kEdges && i < view.columns.size() && i < kMaxTopColumns; ++i) {
    const auto& c = view.columns[i];
    auto answer = query(c.metric, c.aggregation);
    if (!answer) return answer.error();
    if (!c.divisor) {
      present[i] = merge_query(rows, i, *answer, key, view.name_labels);
      continue;
    }
    auto divisor = query(c.divisor, c.divisor_aggregation);
    if (!divisor) return divisor.error();
    present[i] = merge_ratio(rows, i, *answer, *divisor, key, view.name_labels, c.absent_numerator_is_zero);
  }
  // Series stay in the history after their process went quiet (or their
  // cgroup was removed); a row with nothing but zeros is noise on a busy
  // screen.
  std::erase_if(rows, [](const TopRow& r) {
    return std::none_of(r.values.begin(), r.values.end(), [](const auto& v) { return v && *v != 0; });
  });
  // The agent's sampling mode makes its syscall figures estimates: say so.
  frame.estimates.clear();
  if (auto health = api.get_json("/api/v1/health"); health && health->is_object()) {
    const auto& s = health->value("syscall_sampling", nlohmann::json::object());
    if (s.is_object() && s.value("enabled", false)) {
      char text[160];
      std::snprintf(text, sizeof text,
                    "syscall figures are estimates: sampling mode, syscall probe attached %.3gs of every %.3gs",
                    s.value("attach_for_seconds", 0.0), s.value("period_seconds", 0.0));
      frame.estimates = text;
    }
  }
  frame.rows = std::move(rows);
  frame.present = present;
  frame.window_seconds = window_seconds;
  frame.time = std::chrono::system_clock::now();
  sort_rows(frame.rows, frame.sort, frame.ascending);
  return {};
}

}  // namespace kscope
