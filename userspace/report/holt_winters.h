// The forecast model of `kscope report --prometheus`: additive Holt-Winters
// (exponential smoothing of a level, a trend and, when the series has one,
// a daily or weekly seasonal pattern), with an optional damped trend.
//
// Why Holt-Winters and not a trend + seasonal decomposition (Prophet-style
// regression on a piecewise-linear trend and Fourier terms):
// - it follows a level that shifts (a deploy, a cleaned disk) within a few
//   steps, where a decomposition fitted over the whole window keeps the old
//   level in its trend until change points are tuned;
// - the prediction interval has a closed form for the additive model
//   (Hyndman et al., "Forecasting with Exponential Smoothing", 2008, class 1:
//   Var(h) = sigma^2 (1 + sum_{j<h} c_j^2), c_j = alpha + beta phi_j +
//   gamma [j mod m = 0]), so the interval widens with the horizon as the
//   data warrant, not by a simulation;
// - it costs O(n) per parameter set, so a small grid search per series stays
//   well under a second for a fleet's worth of series.
// Additive first: capacity signals (bytes used, busy cores) mostly grow by
// amounts, and a multiplicative season fails on values at or near 0 (an
// idle disk's latency). A seasonal, positive series is also fitted on log y
// (the multiplicative case: the daily peak grows with the level, as traffic
// does), and the better score wins; the interval then maps through exp.
// Damped trend (phi < 1) is off by default: it bends every forecast flat,
// which hides the very exhaustion a capacity report is for; --damped turns
// it on for signals known to saturate.
//
// The model is in error-correction form, with e_t = y_t - yhat_t:
//   yhat_t = l + phi b + s_{t-m}
//   l' = l + phi b + alpha e;  b' = phi b + beta e;  s_t = s_{t-m} + gamma e
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace kscope {

struct HoltWintersParams {
  double alpha = 0.2, beta = 0.01, gamma = 0.05, phi = 1.0;
  size_t period = 0;  // seasonal period in steps; 0: no seasonal component
  bool log_scale = false;  // the model runs on log y (a season that grows with the level)
  double clip = 0;  // > 0: errors beyond +-clip (model scale) update the state as +-clip
};

struct HoltWintersFit {
  HoltWintersParams params;
  double level = 0, trend = 0;   // at the last step
  std::vector<double> season;    // the last `period` seasonal terms, oldest first
  std::vector<double> fitted;    // one-step-ahead prediction per input step, in y's units (NaN during warm-up)
  std::vector<double> residuals; // y - fitted (NaN where either is)
  std::vector<double> errors;    // the one-step errors in the model's scale, unclipped
  double sigma = 0;              // standard deviation of the (clipped) one-step errors, in the model's scale (log y or y)
  double sse = 0;                // of the (clipped) one-step errors, in the model's scale
  // What holt_winters_fit minimises: the mean squared one-step error plus
  // the mean squared error of forecasts made h steps ahead (h: a season, or
  // the warm-up's length). One-step error alone rewards a trend that chases
  // every swing, whose forecast weeks out is wild; the h-step term
  // penalises exactly that.
  double score = 0;
  size_t warmup = 0;             // steps used only to initialise
};

struct ForecastPoint {
  double mean = 0, lower = 0, upper = 0;
};

// Runs the recursions with fixed parameters. NaN inputs skip the update (the
// state carries on). The warm-up (two full seasons when seasonal, else a
// tenth of the series, 4 to 200 steps) only initialises the state from a
// least-squares line; nullopt when the series is no longer than that or the
// warm-up has fewer than two finite values.
std::optional<HoltWintersFit> holt_winters_run(const std::vector<double>& y, const HoltWintersParams& p);

// Chooses alpha, beta and gamma (and phi among 0.98 and 0.995 when damped)
// on a grid, by the smallest score (one-step plus h-step mean squared
// error after the warm-up); then runs those parameters again with the
// errors clipped at 3 robust standard deviations, and returns that fit.
std::optional<HoltWintersFit> holt_winters_fit(const std::vector<double>& y, size_t period, bool damped);

// The forecast 1..steps steps after the last input, with a two-sided
// interval at `z` standard deviations (1.96: 95%).
std::vector<ForecastPoint> holt_winters_forecast(const HoltWintersFit& fit, size_t steps, double z);

}  // namespace kscope
