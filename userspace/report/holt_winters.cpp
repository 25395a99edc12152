#include "report/holt_winters.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/baseline.h"
#include "report/trend.h"

namespace kscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The trend: seasonal, the least-squares slope through each full season's
// mean (one point per season, at its centre, so the season itself cannot
// tilt the line the way a line through a sinusoid's raw points is tilted);
// else the slope through the warm-up's points. The level: that line at the
// warm-up's last step. The seasonal terms: the mean residual from the line
// at each phase over the warm-up, centred so they sum to 0 (the level
// carries the mean).
void initialise(const std::vector<double>& y, size_t warmup, size_t period, double& level, double& trend,
                std::vector<double>& season) {
  std::vector<double> xs, ys;
  if (period > 0) {
    for (size_t start = 0; start + period <= y.size(); start += period) {
      double sum = 0;
      size_t n = 0;
      for (size_t i = start; i < start + period; ++i) {
        if (!std::isfinite(y[i])) continue;
        sum += y[i];
        ++n;
      }
      // A season mostly missing would be a biased mean.
      if (n * 2 < period) continue;
      xs.push_back(static_cast<double>(start) + static_cast<double>(period - 1) / 2);
      ys.push_back(sum / static_cast<double>(n));
    }
  } else {
    for (size_t i = 0; i < warmup; ++i) {
      if (!std::isfinite(y[i])) continue;
      xs.push_back(static_cast<double>(i));
      ys.push_back(y[i]);
    }
  }
  auto line = fit_line(xs, ys);
  double b = line ? line->slope : 0;
  double a = line ? line->intercept : 0;
  if (!line) {
    for (double v : y) {
      if (std::isfinite(v)) {
        a = v;
        break;
      }
    }
  }
  season.assign(period, 0);
  if (period > 0) {
    std::vector<double> sum(period, 0);
    std::vector<size_t> n(period, 0);
    for (size_t i = 0; i < warmup; ++i) {
      if (!std::isfinite(y[i])) continue;
      sum[i % period] += y[i] - (a + b * static_cast<double>(i));
      ++n[i % period];
    }
    double mean = 0;
    for (size_t j = 0; j < period; ++j) {
      season[j] = n[j] > 0 ? sum[j] / static_cast<double>(n[j]) : 0;
      mean += season[j];
    }
    mean /= static_cast<double>(period);
    for (double& s : season) s -= mean;
    a += mean;
  }
  // The state after the warm-up's last step. The season's phase is
  // i % period, which the recursion continues.
  level = a + b * static_cast<double>(warmup - 1);
  trend = b;
}

}  // namespace

std::optional<HoltWintersFit> holt_winters_run(const std::vector<double>& y_in, const HoltWintersParams& p) {
  // The model runs on x (y or log y); what is reported and scored is in y's
  // units, so an additive and a log-scale fit compare fairly.
  std::vector<double> log_y;
  if (p.log_scale) {
    log_y.reserve(y_in.size());
    for (double v : y_in) log_y.push_back(v > 0 ? std::log(v) : kNaN);
  }
  const std::vector<double>& y = p.log_scale ? log_y : y_in;
  auto unit = [&](double v) { return p.log_scale ? std::exp(v) : v; };
  // Seasonal: two full seasons, so each phase's term averages two values.
  // Else a tenth of the series (4 to 200 steps), so the initial trend is a
  // line through more than a few noisy points.
  const size_t warmup = p.period > 0 ? 2 * p.period : std::clamp<size_t>(y.size() / 10, 4, 200);
  if (y.size() <= warmup) return std::nullopt;
  size_t finite_warmup = 0;
  for (size_t i = 0; i < warmup; ++i) finite_warmup += std::isfinite(y[i]) ? 1 : 0;
  if (finite_warmup < 2) return std::nullopt;
  HoltWintersFit f;
  f.params = p;
  f.warmup = warmup;
  std::vector<double> season;  // indexed by phase i % period
  initialise(y, warmup, p.period, f.level, f.trend, season);
  f.fitted.assign(y.size(), kNaN);
  f.residuals.assign(y.size(), kNaN);
  f.errors.assign(y.size(), kNaN);
  // The forecast made `h` steps earlier for each step, to score parameters
  // on a longer horizon than one step (see HoltWintersFit::score).
  const size_t h = p.period > 0 ? p.period : warmup;
  double phi_h = 0, phi_pow = 1;
  for (size_t k = 0; k < h; ++k) {
    phi_pow *= p.phi;
    phi_h += phi_pow;
  }
  std::vector<double> ahead(y.size(), kNaN);
  double sse_1 = 0, sse_h = 0;  // in y's units
  size_t used = 0, used_h = 0;
  for (size_t i = warmup; i < y.size(); ++i) {
    const double s = p.period > 0 ? season[i % p.period] : 0;
    const double pred = f.level + p.phi * f.trend + s;
    f.fitted[i] = unit(pred);
    double e = 0;
    if (std::isfinite(y[i])) {
      e = y[i] - pred;
      f.errors[i] = e;
      // Robust updates: an error past the clip is an outlier, whose full
      // weight would bend the level and trend for many steps after it.
      if (p.clip > 0) e = std::clamp(e, -p.clip, p.clip);
      f.residuals[i] = y_in[i] - f.fitted[i];
      f.sse += e * e;
      sse_1 += f.residuals[i] * f.residuals[i];
      ++used;
      if (std::isfinite(ahead[i])) {
        sse_h += (y_in[i] - ahead[i]) * (y_in[i] - ahead[i]);
        ++used_h;
      }
    }
    f.level = f.level + p.phi * f.trend + p.alpha * e;
    f.trend = p.phi * f.trend + p.beta * e;
    if (p.period > 0) season[i % p.period] = s + p.gamma * e;
    // h <= period, so the term for step i + h is the one just stored for its phase.
    if (i + h < y.size()) ahead[i + h] = unit(f.level + phi_h * f.trend + (p.period > 0 ? season[(i + h) % p.period] : 0));
  }
  f.score = (used > 0 ? sse_1 / static_cast<double>(used) : 0) +
            (used_h > 0 ? sse_h / static_cast<double>(used_h) : 0);
  // Degrees of freedom: the smoothing parameters and the initial state.
  const size_t params = 2 + (p.period > 0 ? 2 : 0);
  f.sigma = used > params ? std::sqrt(f.sse / static_cast<double>(used - params)) : 0;
  if (p.period > 0) {
    // Oldest first: the phase of the step after the last comes first.
    f.season.resize(p.period);
    for (size_t k = 0; k < p.period; ++k) f.season[k] = season[(y.size() + k) % p.period];
  }
  return f;
}

std::optional<HoltWintersFit> holt_winters_fit(const std::vector<double>& y, size_t period, bool damped) {
  static const double kAlphas[] = {0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9};
  // beta as a share of alpha: the trend must move slower than the level.
  static const double kBetaShares[] = {0.0, 0.01, 0.05, 0.15, 0.4};
  static const double kGammas[] = {0.01, 0.05, 0.15, 0.3};
  static const double kNoGamma[] = {0.0};
  static const double kPhisDamped[] = {0.98, 0.995};
  static const double kPhiNone[] = {1.0};
  // A season on a growing level usually grows with it (twice the traffic,
  // twice the evening peak): additive terms would keep the old amplitude.
  // The same model on log y is that multiplicative case; it is tried when
  // the series is seasonal and positive, and wins only on the score.
  bool positive = period > 0;
  for (double v : y) {
    if (std::isfinite(v) && v <= 0) positive = false;
  }
  std::optional<HoltWintersFit> best;
  for (bool log_scale : {false, true}) {
    if (log_scale && !positive) break;
    for (double phi : damped ? std::vector<double>(std::begin(kPhisDamped), std::end(kPhisDamped))
                             : std::vector<double>(std::begin(kPhiNone), std::end(kPhiNone))) {
      for (double alpha : kAlphas) {
        for (double share : kBetaShares) {
          for (double gamma : period > 0 ? std::vector<double>(std::begin(kGammas), std::end(kGammas))
                                         : std::vector<double>(std::begin(kNoGamma), std::end(kNoGamma))) {
            if (gamma >= 1 - alpha) continue;  // the admissible region of the additive model
            HoltWintersParams p{alpha, alpha * share, gamma, phi, period, log_scale};
            auto f = holt_winters_run(y, p);
            if (!f) return std::nullopt;  // too short for any parameters
            if (!best || f->score < best->score) best = std::move(f);
          }
        }
      }
    }
  }
  if (!best) return best;
  // Once more with the chosen parameters and the errors clipped at 3 robust
  // standard deviations (after Gelper, Fried and Croux, "Robust forecasting
  // with exponential and Holt-Winters smoothing", 2010): a spike then moves
  // the state by at most 3 sigma * alpha, and its square does not inflate
  // the prediction interval of every forecast.
  const double scale = robust_sigma(best->errors);
  if (scale > 0) {
    HoltWintersParams p = best->params;
    p.clip = 3 * scale;
    if (auto robust = holt_winters_run(y, p)) best = std::move(robust);
  }
  return best;
}

std::vector<ForecastPoint> holt_winters_forecast(const HoltWintersFit& fit, size_t steps, double z) {
  const HoltWintersParams& p = fit.params;
  std::vector<ForecastPoint> out;
  out.reserve(steps);
  double phi_h = 0;         // phi + phi^2 + ... + phi^h
  double phi_pow = 1;
  double sum_c2 = 0;        // sum over j < h of c_j^2
  for (size_t h = 1; h <= steps; ++h) {
    phi_pow *= p.phi;
    const double phi_prev = phi_h;  // phi_{h-1}, for c_{h-1}
    phi_h += phi_pow;
    if (h >= 2) {
      const size_t j = h - 1;
      const double c = p.alpha + p.beta * phi_prev + ((p.period > 0 && j % p.period == 0) ? p.gamma : 0);
      sum_c2 += c * c;
    }
    const double s = p.period > 0 ? fit.season[(h - 1) % p.period] : 0;
    const double mean = fit.level + phi_h * fit.trend + s;
    const double sd = fit.sigma * std::sqrt(1 + sum_c2);
    if (p.log_scale) {
      // exp is monotonic: the interval's bounds map exactly; the mean maps to
      // the median, which is what is reported.
      out.push_back({std::exp(mean), std::exp(mean - z * sd), std::exp(mean + z * sd)});
    } else {
      out.push_back({mean, mean - z * sd, mean + z * sd});
    }
  }
  return out;
}

}  // namespace kscope
