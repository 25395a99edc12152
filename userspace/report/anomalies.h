// Anomalies in the window: the steps the forecast model did not expect,
// i.e. whose one-step-ahead residual lies beyond k robust standard
// deviations (1.4826 times the residuals' median absolute deviation, which
// the anomalies themselves barely move, unlike the plain deviation).
// Neighbouring anomalous steps are one anomaly: a spike, and the level's
// swing back after it, are one event.
#pragma once

#include <cstddef>
#include <vector>

#include "report/baseline.h"
#include "report/time_series.h"

namespace kscope {

struct Anomaly {
  double start = 0, end = 0;  // unix seconds of the first and last anomalous step
  double peak_time = 0;       // the step furthest from what was expected
  double value = 0;           // observed there
  double expected = 0;        // the model's one-step prediction there
  double score = 0;           // |residual| / robust sigma there
};

// The series' grid gives the times; fitted and residuals are per step of
// it (NaN where there is none). Steps within `merge_gap` steps of each
// other join one anomaly. At most `max_anomalies`, the highest scores,
// returned in time order.
std::vector<Anomaly> find_anomalies(const RegularSeries& series, const std::vector<double>& fitted,
                                    const std::vector<double>& residuals, double k, size_t merge_gap = 2,
                                    size_t max_anomalies = 20);

}  // namespace kscope
