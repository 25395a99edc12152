// Reading metric families of two consecutive snapshots as per-interval
// values, grouped by breakdown target: counter deltas (surviving resets),
// histogram deltas, gauge values. Signals and alert rules both read metrics
// through this one place.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "collect/snapshot.h"
#include "common/result.h"

namespace kscope {

// One label condition, PromQL style: name="v", name!="v", name=~"re", name!~"re".
// A label the series does not have reads as "" (as in PromQL).
class LabelMatcher {
 public:
  enum class Op { kEq, kNe, kRe, kNre };
  // Parses the config form: a plain value is equality; a value starting with
  // "!=", "=~" or "!~" uses that operator. Regexes are anchored.
  static Result<LabelMatcher> parse(std::string name, const std::string& spec);
  // The same with the operator given apart from the value (Alertmanager's
  // silence matchers), so an equality value may start with "!=".
  static Result<LabelMatcher> make(std::string name, Op op, std::string value);

  const std::string& name() const { return name_; }
  bool matches(const Series& s) const;
  bool matches_value(std::string_view v) const;

 private:
  std::string name_;
  Op op_ = Op::kEq;
  std::string value_;
  std::shared_ptr<const std::regex> re_;
};

// What to read from a family over one interval.
enum class Statistic { kValue, kMean, kMax, kRate, kCountRate, kP50, kP90, kP95, kP99, kP999 };

// "p99" -> kP99 ...; nullopt for unknown names. Gauges: value (sum over the
// selected series), mean, max. Counters: rate (per second). Histograms:
// p50..p999, mean (of the observations), count_rate (observations/s).
std::optional<Statistic> parse_statistic(std::string_view name);
std::string_view statistic_name(Statistic s);
// Which metric types a statistic applies to, for config validation.
bool statistic_fits(Statistic s, MetricType t);
const std::vector<std::string>& statistic_names();

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

// Current gauge values: sum, and the number of series (for means).
struct GaugeAgg {
  double sum = 0;
  double max = 0;
  size_t n = 0;
};
Grouped<GaugeAgg> gauge_values(const IntervalPair& p, std::string_view family, const SeriesFilter& filter);

// A metric, label matchers and a statistic, evaluated per target.
struct MetricSelector {
  std::string metric;
  std::vector<LabelMatcher> matchers;
  Statistic stat = Statistic::kRate;
};

// The statistic of the selected series per target (and host-wide). Targets
// whose histogram saw nothing in the interval have no percentile.
Grouped<std::optional<double>> evaluate_selector(const IntervalPair& p, const MetricSelector& sel);

}  // namespace kscope
