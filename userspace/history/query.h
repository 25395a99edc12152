// Range queries over the History: one metric, label matchers, a time range
// cut into steps, a statistic (query/statistic.h says what each means per
// metric type), and optional grouping by labels.
//
// Each point at time t covers the frames that ended in (t - step, t]. For
// counters, sum is rate summed over the series (the same as rate); for
// gauges, sum is the sum of the per-series averages over the step. A point
// without data is null (JSON), nullopt here.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "history/history.h"
#include "query/label_matcher.h"
#include "query/statistic.h"

namespace kscope {

struct QuerySpec {
  std::string name;
  std::vector<LabelMatcher> matchers;
  std::chrono::system_clock::time_point start{}, end{};
  Nanos step = std::chrono::seconds(1);
  Statistic stat;
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

// An Error for a range the API should reject (end before start, step not
// positive, too many points).
Result<QueryResult> run_query(const History& history, const QuerySpec& spec);

}  // namespace kscope
