// libFuzzer target: a Prometheus /api/v1/query_range answer as `kscope report
// --prometheus` reads it (JSON, then the matrix parser), and each series
// through the capacity analysis (grid, baseline, seasonality, Holt-Winters,
// anomalies, exhaustion), which must take any values: NaN, Inf, huge, none.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "report/capacity_report.h"
#include "report/prometheus_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = nlohmann::json::parse(data, data + size, nullptr, false);
  if (body.is_discarded()) return 0;
  auto m = kscope::parse_query_range(body, 20, 400);
  if (!m) return 0;
  kscope::CapacityOptions o;
  o.horizon_seconds = 3600;
  for (const auto& s : m->series) {
    auto grid = kscope::to_regular(s.points, 0, 400 * 60, 60);
    (void)kscope::analyze_series(std::move(grid), 100.0, o);
  }
  return 0;
}
