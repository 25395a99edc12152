// A series on a regular grid, as Prometheus' query_range returns it: the
// value at start + i * step, NaN where the range had no sample. The
// capacity analysis (baseline, seasonality, Holt-Winters, anomalies) reads
// this one shape.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace kscope {

struct RegularSeries {
  double start = 0;  // unix seconds of values[0]
  double step = 0;   // seconds, > 0
  std::vector<double> values;  // NaN: no sample at that step

  double time_at(size_t i) const { return start + static_cast<double>(i) * step; }
  double end() const { return values.empty() ? start : time_at(values.size() - 1); }
  size_t finite_count() const;
};

// Places (unix seconds, value) points on the grid start + i * step covering
// [start, end]; a point off the grid goes to the nearest step, a later one
// at the same step wins. Points outside [start, end] are dropped.
RegularSeries to_regular(const std::vector<std::pair<double, double>>& points, double start, double end, double step);

// Drops the leading and trailing NaN steps (history that ends before the
// query's end, a host that joined late), so the series' end is its newest
// sample.
void trim_missing_ends(RegularSeries& s);

}  // namespace kscope
