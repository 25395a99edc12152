// `kscope report --prometheus`: weeks of a fleet's history read from
// Prometheus, and per signal and per host (and filesystem, disk, service)
// the numbers a capacity plan needs: a baseline, the trend, daily and weekly
// seasonality, a forecast with a prediction interval, the anomalies of the
// window, the recommended capacity and, for finite resources, when they run
// out. The JSON shape of CapacityReport is documented in docs/report.md.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "report/anomalies.h"
#include "report/baseline.h"
#include "report/capacity_forecast.h"
#include "report/holt_winters.h"
#include "report/prometheus_client.h"
#include "report/seasonality.h"
#include "report/time_series.h"
#include "report/trend.h"

namespace kscope {

struct CapacityOptions {
  double window_seconds = 14 * 86400.0;
  double horizon_seconds = 30 * 86400.0;
  double headroom = 1.3;          // recommended capacity = forecast peak * headroom
  double anomaly_sigma = 5.0;     // k of "residual beyond k robust sigma" (5: over a fleet's thousands of steps, 3 or 4 flag noise)
  double confidence_z = 1.96;     // prediction interval: 95%
  bool damped = false;            // damped Holt-Winters trend
  std::string match;              // "{instance=~"web.*"}" or empty
  double end = 0;                 // unix seconds; 0: now
  double target_points = 2000;    // per series: the step is chosen for about this many
};

// A signal read from Prometheus: the PromQL of its usage, grouped by the
// labels that make one row (instance and maybe mountpoint, device, job),
// and of its capacity when it is a finite resource. "%M" inside a
// selector's braces stands for the matchers of --match; "[R]" for the rate
// range.
struct CapacitySignalSpec {
  const char* key;
  const char* title;
  const char* unit;  // "cores", "bytes", "seconds", "requests/s", "ratio"
  const char* usage;
  const char* capacity;  // "" when unbounded
  const char* absent_note;  // why the signal may be missing
};

const std::vector<CapacitySignalSpec>& capacity_signal_specs();

// The series of one row over the window and what the analysis made of it.
struct SeriesAnalysis {
  std::map<std::string, std::string> labels;  // the grouping labels (instance, mountpoint, ...)
  std::string instance;
  RegularSeries series;  // trimmed of missing ends
  std::optional<double> last;      // newest value
  std::optional<double> capacity;  // newest capacity value (finite resources)
  std::optional<Baseline> baseline;
  std::optional<LinearFit> trend;  // slope per second over the window
  std::vector<SeasonalityResult> seasonality;
  std::optional<double> model_period_seconds;
  std::optional<HoltWintersFit> model;  // fitted/residuals cleared once used
  std::vector<ForecastPoint> forecast;  // over the horizon
  std::optional<ForecastPeak> peak;
  std::optional<double> recommended_capacity;
  std::optional<ExhaustionEstimate> exhaustion;
  std::vector<Anomaly> anomalies;
  std::string note;  // why something is missing (too few points)
};

struct CapacitySignal {
  const CapacitySignalSpec* spec = nullptr;
  std::string query;  // the usage PromQL sent
  bool found = false;
  std::string note;   // why it is missing, or a query's error
  size_t dropped_series = 0;
  std::vector<SeriesAnalysis> series;
};

struct CapacityReport {
  std::string url, match;
  double generated = 0;  // unix seconds
  double start = 0, end = 0, step = 0;
  CapacityOptions options;
  std::vector<std::string> hosts;  // every instance seen, sorted
  std::vector<CapacitySignal> signals;
  std::vector<std::string> warnings;  // Prometheus' warnings
};

// Checks --match: one selector's braces, "{...}", at most 1000 characters;
// returns what is inside them ("" for "" or "{}").
Result<std::string> parse_match(const std::string& match);

// Fills a template: "{%M}" becomes "{inner}", "%M" after other matchers
// ",inner" (nothing when inner is empty), "[R]" the range ("[600s]").
std::string expand_query(const std::string& tmpl, const std::string& inner, double range_seconds);

// Analyses one series (the tests call this on synthetic data).
SeriesAnalysis analyze_series(RegularSeries series, std::optional<double> capacity, const CapacityOptions& o);

// Runs every signal's queries and analyses. An unreachable Prometheus, or
// one that refuses the first query, is an error; a later signal that fails
// is noted in that signal.
Result<CapacityReport> build_capacity_report(const PrometheusClient& prom, const CapacityOptions& o);

}  // namespace kscope
