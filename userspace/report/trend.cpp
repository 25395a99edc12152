#include "report/trend.h"

#include <cmath>

namespace kscope {

std::optional<LinearFit> fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = std::min(x.size(), y.size());
  if (n < 2) return std::nullopt;
  // Centered sums: unix-second x values would lose precision in x*x.
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx <= 0) return std::nullopt;
  LinearFit f;
  f.points = n;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  f.r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1.0;
  return f;
}

namespace {

// The finite points, in order.
std::pair<std::vector<double>, std::vector<double>> finite_points(const std::vector<double>& x,
                                                                  const std::vector<std::optional<double>>& y) {
  std::vector<double> xs, ys;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (y[i] && std::isfinite(*y[i]) && std::isfinite(x[i])) {
      xs.push_back(x[i]);
      ys.push_back(*y[i]);
    }
  }
  return {std::move(xs), std::move(ys)};
}

}  // namespace

std::optional<Trend> project_trend(const std::vector<double>& x, const std::vector<std::optional<double>>& y,
                                   std::optional<double> threshold) {
  auto [xs, ys] = finite_points(x, y);
  auto fit = fit_line(xs, ys);
  if (!fit) return std::nullopt;
  Trend t;
  t.fit = *fit;
  t.threshold = threshold;
  const double last_x = xs.back();
  t.now_value = fit->intercept + fit->slope * last_x;
  if (threshold) {
    t.above_threshold = t.now_value >= *threshold;
    if (!t.above_threshold && fit->slope > 0) t.seconds_to_threshold = (*threshold - t.now_value) / fit->slope;
  }
  return t;
}

std::optional<Exhaustion> project_exhaustion(const std::vector<double>& x,
                                             const std::vector<std::optional<double>>& y) {
  auto [xs, ys] = finite_points(x, y);
  auto fit = fit_line(xs, ys);
  if (!fit) return std::nullopt;
  Exhaustion e;
  e.fit = *fit;
  e.now_value = fit->intercept + fit->slope * xs.back();
  e.last_value = ys.back();
  e.exhausted = e.now_value <= 0;
  if (!e.exhausted && fit->slope < 0) e.seconds_to_exhaustion = e.now_value / -fit->slope;
  return e;
}

}  // namespace kscope
