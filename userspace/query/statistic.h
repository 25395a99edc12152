// The one vocabulary for what to read from a metric, shared by history
// queries (/api/v1/query `aggregation=`), WebSocket subscriptions, signals
// and alert rules (`stat:`):
//   avg  min  max  sum  rate  increase  pNN (p50, p95, p99, p999)
// What each means depends on the metric type:
//   counter    rate: increase per second; increase: the increase;
//              avg/min/max/pNN: of the per-series rates (queries)
//   gauge      avg/min/max: of the values; sum: of the series' values;
//              pNN: of the per-series averages (queries)
//   histogram  pNN: quantile of the merged distribution; avg: mean
//              observation; rate: observations per second; increase:
//              observations; sum: observed seconds per second;
//              min/max: bounds of the lowest/highest bucket hit (queries)
// Older alert configs said mean, value and count_rate: they are read as
// avg, sum and rate.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace kscope {

struct Statistic {
  enum class Kind { kDefault, kAvg, kMin, kMax, kSum, kRate, kIncrease, kQuantile };
  Kind kind = Kind::kDefault;
  double quantile = 0.99;  // with kQuantile

  static Statistic of(Kind k) { return Statistic{k, 0.99}; }
  static Statistic percentile(double q) { return Statistic{Kind::kQuantile, q}; }
  bool operator==(const Statistic&) const = default;
};

// nullopt for an unknown name. "" is kDefault.
std::optional<Statistic> parse_statistic(std::string_view name);
// The statistic a metric type reads when none is given: counters rate,
// gauges avg, histograms p99.
Statistic default_statistic(MetricType type);
// The canonical name ("p99", "avg", ...); kDefault is named by the type's default.
std::string statistic_name(Statistic s, MetricType type = MetricType::kGauge);
// The names a user may write, for error messages.
const std::vector<std::string>& statistic_names();
// Whether a per-interval evaluation (signals, alert rules) can compute it
// for the type: counters rate, increase; gauges avg, min, max, sum;
// histograms avg, rate, increase, pNN.
bool statistic_fits(Statistic s, MetricType type);

}  // namespace kscope
