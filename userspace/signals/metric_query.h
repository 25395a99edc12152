// Reading metric families of two consecutive snapshots as per-interval
// values, grouped by breakdown target: counter deltas (surviving resets),
// histogram deltas, gauge values. Signals and alert rules both read metrics
// through this one place.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"
#include "common/result.h"
#include "query/label_matcher.h"
#include "query/statistic.h"

namespace kscope {

// A breakdown target: its label value, and whether it is a kernel thread
// (its series carry kernel="true", from PF_KTHREAD in the kernel). A process
// may give itself a kernel thread's name; the two stay apart.
struct TargetId {
  std::string name;
  bool kernel = false;
  auto operator<=>(const TargetId&) const = default;
  bool operator==(const TargetId&) const = default;
};

// Whether a series belongs to a kernel thread's target.
bool kernel_series(const Series& s);

// Per-interval values grouped by breakdown target. `present` is false when
// the family does not exist in the current snapshot.
template <class T>
struct Grouped {
  bool present = false;
  T host{};
  std::map<TargetId, T> targets;
};

struct IntervalPair {
  const Snapshot* previous = nullptr;  // null on the first interval: no rates yet
  const Snapshot& current;
  double seconds = 0;       // time between them
  std::string breakdown;    // breakdown label name, "" for none
};

using SeriesFilter = std::function<bool(const Series&)>;

// Counter increase per series since the previous snapshot, summed. A series
// whose value went down was reset: its current value is the increase. A
// series new since the previous snapshot counts from 0. Absent previous
// snapshot: not present (no rate yet).
Grouped<double> counter_increase(const IntervalPair& p, std::string_view family, const SeriesFilter& filter);

// Histogram delta per series since the previous snapshot, merged.
Grouped<Histogram> histogram_increase(const IntervalPair& p, std::string_view family, const SeriesFilter& filter);

// Histogram delta per series since the previous snapshot, summed by the
// key `key_of` gives each series (nullopt: the series is left out). Empty
// without a previous snapshot or the family.
using SeriesKey = std::function<std::optional<std::string>(const Series&)>;
std::map<std::string, Histogram> histogram_increase_by(const IntervalPair& p, std::string_view family,
                                                       const SeriesKey& key_of);

// Current gauge values: sum, and the number of series (for means).
struct GaugeAgg {
  double sum = 0;
  double min = 0;
  double max = 0;
  size_t n = 0;
};
Grouped<GaugeAgg> gauge_values(const IntervalPair& p, std::string_view family, const SeriesFilter& filter);

// A metric, label matchers and a statistic, evaluated per target.
struct MetricSelector {
  std::string metric;
  std::vector<LabelMatcher> matchers;
  Statistic stat = Statistic::of(Statistic::Kind::kRate);
};

// The statistic of the selected series per target (and host-wide), over the
// interval: counters rate or increase; gauges sum (the default for a
// selector naming one series), avg, min, max; histograms pNN, avg, rate,
// increase. Targets whose histogram saw nothing in the interval have no
// percentile or average.
Grouped<std::optional<double>> evaluate_selector(const IntervalPair& p, const MetricSelector& sel);

}  // namespace kscope
