// Range queries over the History: one metric, label matchers, a time range
// cut into steps, an aggregation, and optional grouping by labels.
//
// Each point at time t covers the frames that ended in (t - step, t]. What a
// point holds, by metric type and aggregation:
//   counter    rate (default) | sum: increase per second, summed over series
//              increase: the increase itself, summed
//              avg | min | max | pNN: of the per-series rates
//   gauge      avg (default) | min | max: of the samples of all series
//              sum: of the per-series averages;  pNN: of the per-series averages
//   histogram  pNN (default p99): quantile of the merged distribution, seconds
//              avg: mean observation;  min | max: the bounds of the lowest or
//              highest bucket hit;  rate: observations per second;
//              increase: observations;  sum: observed seconds per second
// A point without data is null (JSON), nullopt here.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "history/history.h"
#include "history/selector.h"

namespace kscope {

enum class Aggregation { kDefault, kAvg, kMin, kMax, kSum, kRate, kIncrease, kQuantile };

struct QuerySpec {
  std::string name;
  std::vector<SelectorMatcher> matchers;
  std::chrono::system_clock::time_point start{}, end{};
  Nanos step = std::chrono::seconds(1);
  Aggregation aggregation = Aggregation::kDefault;
  double quantile = 0.99;  // with kQuantile
  std::vector<std::string> by;  // group by these labels; empty: one series
  size_t limit = 0;             // keep the groups with the highest mean; 0: all
};

struct QuerySeries {
  Labels labels;  // the `by` labels of the group
  std::vector<std::optional<double>> values;
  double mean = 0;  // of the non-null values (for ordering)
};

struct QueryResult {
  MetricType type = MetricType::kGauge;
  bool found = false;  // the metric has series in the history
  std::vector<std::chrono::system_clock::time_point> timestamps;
  std::vector<QuerySeries> series;  // highest mean first
  std::string aggregation;          // the one applied, as named in the API
};

// The most points a query may ask for (like Prometheus's 11,000).
inline constexpr size_t kMaxQueryPoints = 11000;

// Parses "avg", "min", "max", "sum", "rate", "increase", "p50", "p99", "p999"
// (p + digits: 99 -> 0.99, 999 -> 0.999).
Result<std::pair<Aggregation, double>> parse_aggregation(const std::string& text);

// An Error for a range the API should reject (end before start, step not
// positive, too many points).
Result<QueryResult> run_query(const History& history, const QuerySpec& spec);

}  // namespace kscope
