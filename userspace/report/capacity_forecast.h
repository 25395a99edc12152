// From a forecast to the numbers a capacity plan is made of: the predicted
// peak over the horizon and the capacity it calls for (peak times
// headroom), and when a finite resource runs out, with an interval: the
// forecast's mean reaching the limit is the estimate, its upper bound
// reaching it the earliest date, its lower bound the latest.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "report/holt_winters.h"

namespace kscope {

struct ForecastPeak {
  double time = 0;  // unix seconds
  double mean = 0, lower = 0, upper = 0;
};

// The step with the highest mean; nullopt for an empty forecast. The
// forecast's step i is at last_time + (i + 1) * step.
std::optional<ForecastPeak> forecast_peak(const std::vector<ForecastPoint>& f, double last_time, double step);

struct ExhaustionEstimate {
  double limit = 0;
  bool exhausted_now = false;       // the last observed value is at or past the limit
  std::optional<double> time;       // unix seconds: the mean reaches the limit
  std::optional<double> earliest;   // the upper bound reaches it
  std::optional<double> latest;     // the lower bound reaches it (nullopt: not within the forecast)
};

// When the usage (rising toward `limit`) reaches it, searched over the
// forecast; a nullopt field means "not within the forecast".
ExhaustionEstimate estimate_exhaustion(const std::vector<ForecastPoint>& f, double last_time, double step,
                                       double last_value, double limit);

}  // namespace kscope
