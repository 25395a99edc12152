#include "report/baseline.h"

#include <algorithm>
#include <cmath>

namespace kscope {

double sorted_quantile(const std::vector<double>& sorted, double q) {
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

std::optional<Baseline> compute_baseline(const std::vector<double>& values) {
  std::vector<double> all;
  all.reserve(values.size());
  for (double v : values) {
    if (std::isfinite(v)) all.push_back(v);
  }
  if (all.empty()) return std::nullopt;
  std::sort(all.begin(), all.end());
  Baseline b;
  const double q1 = sorted_quantile(all, 0.25), q3 = sorted_quantile(all, 0.75);
  b.low_fence = q1 - 1.5 * (q3 - q1);
  b.high_fence = q3 + 1.5 * (q3 - q1);
  std::vector<double> kept;
  kept.reserve(all.size());
  for (double v : all) {
    if (v >= b.low_fence && v <= b.high_fence) kept.push_back(v);  // still sorted
  }
  b.outliers = all.size() - kept.size();
  b.count = kept.size();  // never 0: the quartiles lie within the fences
  b.p50 = sorted_quantile(kept, 0.50);
  b.p95 = sorted_quantile(kept, 0.95);
  b.p99 = sorted_quantile(kept, 0.99);
  b.min = kept.front();
  b.max = kept.back();
  double sum = 0;
  for (double v : kept) sum += v;
  b.mean = sum / static_cast<double>(kept.size());
  double ss = 0;
  for (double v : kept) ss += (v - b.mean) * (v - b.mean);
  b.stddev = std::sqrt(ss / static_cast<double>(kept.size()));
  return b;
}

double robust_sigma(const std::vector<double>& residuals) {
  std::vector<double> r;
  for (double v : residuals) {
    if (std::isfinite(v)) r.push_back(v);
  }
  if (r.empty()) return 0;
  std::sort(r.begin(), r.end());
  const double med = sorted_quantile(r, 0.5);
  for (double& v : r) v = std::fabs(v - med);
  std::sort(r.begin(), r.end());
  return 1.4826 * sorted_quantile(r, 0.5);
}

}  // namespace kscope
