#include "probes/breakdown_counter.h"

#include "model/cardinality.h"

namespace kscope {

Family breakdown_counter(std::string name, std::string help, const std::string& label,
                         const std::map<Labels, double>& totals, size_t max_series,
                         SeriesAging* aging) {
  Family f{std::move(name), std::move(help), MetricType::kCounter, {}};
  for (const auto& [labels, total] : totals) f.series.push_back({labels, total, {}});
  if (aging != nullptr && !label.empty()) aging->drop_idle(f, KeyAging::Clock::now());
  fold_breakdown(f, label, max_series);
  return f;
}

}  // namespace kscope
