// Is there a daily or a weekly pattern? The autocorrelation of the series,
// less its least-squares line (a growing signal correlates with itself at
// every lag), at the period's lag, compared with lags where that period's
// pattern would be out of step. Reported only when it is significant: a
// forecast with a seasonal component where there is none only adds noise.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/time_series.h"

namespace kscope {

inline constexpr double kDaySeconds = 86400;
inline constexpr double kWeekSeconds = 7 * kDaySeconds;

struct SeasonalityResult {
  std::string name;        // "daily", "weekly"
  double period_seconds = 0;
  bool tested = false;     // the series spans enough periods to tell
  double autocorrelation = 0;  // at the period's lag, in [-1, 1]
  double contrast = 0;     // minus the highest autocorrelation at the off lags
  bool significant = false;
};

// Pearson correlation of x[t] and x[t + lag] over the pairs where both are
// finite (each pair's own means, so a long lag is not shrunk toward 0 the
// way the textbook estimator, divided by n, shrinks it). nullopt with fewer
// than 8 pairs or a constant side.
std::optional<double> lag_correlation(const std::vector<double>& x, size_t lag);

// The series minus its least-squares line (NaN kept).
std::vector<double> detrend(const RegularSeries& s);

// Tests the daily and the weekly period. A period is tested when the series
// spans at least 1.9 periods; it is significant when the autocorrelation at
// its lag is at least 0.3 and exceeds, by at least 0.2, that at the off
// lags: half a day for daily; 6 and 8 days for weekly (a daily pattern
// repeats at 6, 7 and 8 days alike, a weekly one only at 7).
std::vector<SeasonalityResult> detect_seasonality(const RegularSeries& s);

// The period the forecast should model: the weekly one when it is
// significant and the series spans at least three weeks (Holt-Winters
// initialises from two full seasons and needs one more to settle), else the
// daily one when significant; nullopt when none is.
std::optional<double> model_period(const std::vector<SeasonalityResult>& found, double span_seconds);

}  // namespace kscope
