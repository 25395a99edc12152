#include "report/seasonality.h"

#include <algorithm>
#include <cmath>

#include "report/trend.h"

namespace kscope {

std::optional<double> lag_correlation(const std::vector<double>& x, size_t lag) {
  if (lag >= x.size()) return std::nullopt;
  double sa = 0, sb = 0;
  size_t n = 0;
  for (size_t i = 0; i + lag < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(x[i + lag])) continue;
    sa += x[i];
    sb += x[i + lag];
    ++n;
  }
  if (n < 8) return std::nullopt;
  const double ma = sa / static_cast<double>(n), mb = sb / static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i + lag < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(x[i + lag])) continue;
    const double a = x[i] - ma, b = x[i + lag] - mb;
    sab += a * b;
    saa += a * a;
    sbb += b * b;
  }
  if (saa <= 0 || sbb <= 0) return std::nullopt;
  return sab / std::sqrt(saa * sbb);
}

std::vector<double> detrend(const RegularSeries& s) {
  std::vector<double> xs, ys;
  for (size_t i = 0; i < s.values.size(); ++i) {
    if (!std::isfinite(s.values[i])) continue;
    xs.push_back(static_cast<double>(i));
    ys.push_back(s.values[i]);
  }
  std::vector<double> out = s.values;
  auto fit = fit_line(xs, ys);
  if (!fit) return out;
  for (size_t i = 0; i < out.size(); ++i) {
    if (std::isfinite(out[i])) out[i] -= fit->intercept + fit->slope * static_cast<double>(i);
  }
  return out;
}

namespace {

struct Candidate {
  const char* name;
  double period;
  std::vector<double> off_lags;  // seconds
};

}  // namespace

std::vector<SeasonalityResult> detect_seasonality(const RegularSeries& s) {
  const std::vector<Candidate> candidates = {
      {"daily", kDaySeconds, {kDaySeconds / 2}},
      {"weekly", kWeekSeconds, {kWeekSeconds - kDaySeconds, kWeekSeconds + kDaySeconds}},
  };
  std::vector<SeasonalityResult> out;
  const double span = s.values.empty() ? 0 : s.end() - s.start + s.step;
  std::vector<double> x;
  for (const auto& c : candidates) {
    SeasonalityResult r;
    r.name = c.name;
    r.period_seconds = c.period;
    // A step coarser than an eighth of the period cannot show its shape.
    if (s.step > 0 && span >= 1.9 * c.period && s.step <= c.period / 8) {
      if (x.empty()) x = detrend(s);
      auto lag_of = [&](double seconds) { return static_cast<size_t>(std::llround(seconds / s.step)); };
      auto at = lag_correlation(x, lag_of(c.period));
      if (at) {
        r.tested = true;
        r.autocorrelation = *at;
        double off_max = -1;
        for (double off : c.off_lags) {
          // An off lag the series is too short for does not count against.
          if (auto v = lag_correlation(x, lag_of(off))) off_max = std::max(off_max, *v);
        }
        r.contrast = *at - off_max;
        r.significant = *at >= 0.3 && r.contrast >= 0.2;
      }
    }
    out.push_back(r);
  }
  return out;
}

std::optional<double> model_period(const std::vector<SeasonalityResult>& found, double span_seconds) {
  std::optional<double> daily;
  for (const auto& r : found) {
    if (!r.significant) continue;
    if (r.period_seconds == kWeekSeconds && span_seconds >= 3 * kWeekSeconds) return r.period_seconds;
    if (r.period_seconds == kDaySeconds) daily = r.period_seconds;
  }
  return daily;
}

}  // namespace kscope
