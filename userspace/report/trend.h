// Capacity-planning trends for `kscope report`: a least-squares line through
// a saturation signal's points and, when it rises, when it would cross its
// alert threshold.
#pragma once

#include <optional>
#include <vector>

namespace kscope {

struct LinearFit {
  double slope = 0;      // units per second
  double intercept = 0;  // value at x = 0
  double r2 = 0;         // coefficient of determination (1 when the points lie on the line)
  size_t points = 0;
};

// Ordinary least squares over (x, y) pairs; nullopt with fewer than two
// points or when every x is the same.
std::optional<LinearFit> fit_line(const std::vector<double>& x, const std::vector<double>& y);

struct Trend {
  LinearFit fit;
  double now_value = 0;                         // the line at the last x
  std::optional<double> threshold;
  bool above_threshold = false;                 // the line is already at or past it
  std::optional<double> seconds_to_threshold;   // from the last x, when rising and below
};

// The fit over points with x in seconds (nullopt values skipped), and the
// projection to `threshold` from the last point.
std::optional<Trend> project_trend(const std::vector<double>& x, const std::vector<std::optional<double>>& y,
                                   std::optional<double> threshold);

}  // namespace kscope
