#include "report/capacity_forecast.h"

namespace kscope {

std::optional<ForecastPeak> forecast_peak(const std::vector<ForecastPoint>& f, double last_time, double step) {
  if (f.empty()) return std::nullopt;
  size_t best = 0;
  for (size_t i = 1; i < f.size(); ++i) {
    if (f[i].mean > f[best].mean) best = i;
  }
  return ForecastPeak{last_time + static_cast<double>(best + 1) * step, f[best].mean, f[best].lower, f[best].upper};
}

ExhaustionEstimate estimate_exhaustion(const std::vector<ForecastPoint>& f, double last_time, double step,
                                       double last_value, double limit) {
  ExhaustionEstimate e;
  e.limit = limit;
  if (last_value >= limit) {
    e.exhausted_now = true;
    e.time = e.earliest = e.latest = last_time;
    return e;
  }
  // Linear interpolation between the step before the crossing and the
  // crossing step (the last observed value before the first), so the date is
  // not rounded up to a whole step.
  auto crossing = [&](auto value_of) -> std::optional<double> {
    double prev = last_value;
    for (size_t i = 0; i < f.size(); ++i) {
      const double v = value_of(f[i]);
      if (v >= limit) {
        const double frac = v > prev ? (limit - prev) / (v - prev) : 1.0;
        return last_time + (static_cast<double>(i) + frac) * step;
      }
      prev = v;
    }
    return std::nullopt;
  };
  e.time = crossing([](const ForecastPoint& p) { return p.mean; });
  e.earliest = crossing([](const ForecastPoint& p) { return p.upper; });
  e.latest = crossing([](const ForecastPoint& p) { return p.lower; });
  return e;
}

}  // namespace kscope
