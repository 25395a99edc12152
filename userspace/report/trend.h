// Capacity-planning trends for `kscope report`: a least-squares line through
// a saturation signal's points and, when it rises, when it would cross its
// alert threshold; and through what is left of a resource (memory
// available, a filesystem's free bytes) and, when it falls, when it runs out.
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

struct Exhaustion {
  LinearFit fit;
  double now_value = 0;                        // the line at the last x
  double last_value = 0;                       // the last point itself
  bool exhausted = false;                      // the line is at or below 0 now
  std::optional<double> seconds_to_exhaustion; // from the last x, when falling and above 0
};

// The fit over what is left (x in seconds, nullopt values skipped) and, when
// the line falls, the seconds until it reaches 0 at the fitted rate (as
// Prometheus' predict_linear would put it). nullopt with fewer than two points.
std::optional<Exhaustion> project_exhaustion(const std::vector<double>& x,
                                             const std::vector<std::optional<double>>& y);

}  // namespace kscope
