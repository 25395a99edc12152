#include "report/time_series.h"

#include <cmath>
#include <limits>

namespace kscope {

size_t RegularSeries::finite_count() const {
  size_t n = 0;
  for (double v : values) n += std::isfinite(v) ? 1 : 0;
  return n;
}

RegularSeries to_regular(const std::vector<std::pair<double, double>>& points, double start, double end, double step) {
  RegularSeries s;
  s.start = start;
  s.step = step;
  if (!(step > 0) || !(end >= start)) return s;
  const size_t n = static_cast<size_t>(std::floor((end - start) / step + 1e-9)) + 1;
  s.values.assign(n, std::numeric_limits<double>::quiet_NaN());
  for (const auto& [t, v] : points) {
    if (!(t >= start && t <= end)) continue;
    const double pos = std::round((t - start) / step);
    if (!(pos >= 0) || pos >= static_cast<double>(n)) continue;
    s.values[static_cast<size_t>(pos)] = v;
  }
  return s;
}

void trim_missing_ends(RegularSeries& s) {
  size_t first = 0;
  while (first < s.values.size() && !std::isfinite(s.values[first])) ++first;
  size_t last = s.values.size();
  while (last > first && !std::isfinite(s.values[last - 1])) --last;
  s.values = std::vector<double>(s.values.begin() + static_cast<std::ptrdiff_t>(first),
                                 s.values.begin() + static_cast<std::ptrdiff_t>(last));
  s.start += static_cast<double>(first) * s.step;
}

}  // namespace kscope
