#include "report/anomalies.h"

#include <algorithm>
#include <cmath>

#include "report/baseline.h"

namespace kscope {

std::vector<Anomaly> find_anomalies(const RegularSeries& series, const std::vector<double>& fitted,
                                    const std::vector<double>& residuals, double k, size_t merge_gap,
                                    size_t max_anomalies) {
  std::vector<Anomaly> out;
  const double sigma = robust_sigma(residuals);
  // A flat series has sigma 0: any residual at all would be "infinitely"
  // anomalous. Nothing to report there.
  if (!(sigma > 0)) return out;
  const size_t n = std::min({series.values.size(), fitted.size(), residuals.size()});
  size_t last_index = 0;
  for (size_t i = 0; i < n; ++i) {
    const double r = residuals[i];
    if (!std::isfinite(r)) continue;
    const double score = std::fabs(r) / sigma;
    if (score <= k) continue;
    const double t = series.time_at(i);
    if (!out.empty() && i - last_index <= merge_gap) {
      Anomaly& a = out.back();
      a.end = t;
      if (score > a.score) a = Anomaly{a.start, t, t, series.values[i], fitted[i], score};
    } else {
      out.push_back(Anomaly{t, t, t, series.values[i], fitted[i], score});
    }
    last_index = i;
  }
  if (out.size() > max_anomalies) {
    std::sort(out.begin(), out.end(), [](const Anomaly& a, const Anomaly& b) { return a.score > b.score; });
    out.resize(max_anomalies);
    std::sort(out.begin(), out.end(), [](const Anomaly& a, const Anomaly& b) { return a.start < b.start; });
  }
  return out;
}

}  // namespace kscope
