#include "history/query.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

namespace kscope {
namespace {

using Clock = std::chrono::system_clock;

// Everything one group collects within one step.
struct Accumulator {
  // Per series: counter increase, or gauge sum/samples/min/max.
  struct PerSeries {
    double value = 0;
    uint32_t samples = 0;
    double min = 0, max = 0;
  };
  std::unordered_map<uint32_t, PerSeries> per_series;
  Histogram hist;
  bool has_hist = false;
  double hist_sum = 0;
};

double quantile_of(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

std::optional<double> reduce(const Accumulator& acc, MetricType type, Statistic stat, double covered_seconds) {
  using Aggregation = Statistic::Kind;
  const Aggregation agg = stat.kind;
  const double q = stat.quantile;
  if (type == MetricType::kHistogram) {
    uint64_t n = acc.has_hist ? acc.hist.count() : 0;
    switch (agg) {
      case Aggregation::kRate: return covered_seconds > 0 ? n / covered_seconds : 0.0;
      case Aggregation::kIncrease: return static_cast<double>(n);
      case Aggregation::kSum: return covered_seconds > 0 ? acc.hist_sum / covered_seconds : 0.0;
      default: break;
    }
    if (n == 0) return std::nullopt;
    switch (agg) {
      case Aggregation::kAvg: return acc.hist_sum / static_cast<double>(n);
      case Aggregation::kMin:
      case Aggregation::kMax: {
        const Histogram& h = acc.hist;
        if (agg == Aggregation::kMin) {
          int i = h.begin_bucket();
          while (i + 1 < h.end_bucket() && h.bucket(i) == 0) ++i;
          return hist_bucket_lower_ns(i) * 1e-9;
        }
        int i = h.end_bucket() - 1;
        while (i > h.begin_bucket() && h.bucket(i) == 0) --i;
        double up = hist_bucket_upper_ns(i);
        return (std::isinf(up) ? hist_bucket_lower_ns(i) : up) * 1e-9;
      }
      default: return acc.hist.quantile_seconds(q);
    }
  }
  if (type == MetricType::kCounter) {
    if (covered_seconds <= 0) return std::nullopt;
    double total = 0;
    std::vector<double> rates;
    for (const auto& [id, s] : acc.per_series) {
      total += s.value;
      rates.push_back(s.value / covered_seconds);
    }
    switch (agg) {
      case Aggregation::kIncrease: return total;
      case Aggregation::kAvg:
      case Aggregation::kMin:
      case Aggregation::kMax:
      case Aggregation::kQuantile: {
        if (rates.empty()) return 0.0;
        if (agg == Aggregation::kAvg) return total / covered_seconds / static_cast<double>(rates.size());
        if (agg == Aggregation::kMin) return *std::min_element(rates.begin(), rates.end());
        if (agg == Aggregation::kMax) return *std::max_element(rates.begin(), rates.end());
        return quantile_of(rates, q);
      }
      default: return total / covered_seconds;
    }
  }
  // Gauges.
  if (acc.per_series.empty()) return std::nullopt;
  double sum = 0, mn = INFINITY, mx = -INFINITY, avg_sum = 0;
  uint32_t samples = 0;
  std::vector<double> avgs;
  for (const auto& [id, s] : acc.per_series) {
    sum += s.value;
    samples += s.samples;
    mn = std::min(mn, s.min);
    mx = std::max(mx, s.max);
    double a = s.samples ? s.value / s.samples : 0;
    avg_sum += a;
    avgs.push_back(a);
  }
  switch (agg) {
    case Aggregation::kMin: return mn;
    case Aggregation::kMax: return mx;
    case Aggregation::kSum:
    case Aggregation::kRate:
    case Aggregation::kIncrease: return avg_sum;
    case Aggregation::kQuantile: return quantile_of(avgs, q);
    default: return samples ? sum / samples : 0.0;
  }
}

}  // namespace

Result<QueryResult> run_query(const History& history, const QuerySpec& spec) {
  if (spec.step <= Nanos(0)) return Error("step must be positive");
  if (spec.end < spec.start) return Error("end is before start");
  const auto span = spec.end - spec.start;
  const size_t points = static_cast<size_t>(span / spec.step) + 1;
  if (points > kMaxQueryPoints) {
    return Error("the range needs " + std::to_string(points) + " points, more than " +
                     std::to_string(kMaxQueryPoints),
                 "use a larger step or a shorter range");
  }
  return history.read([&](const std::deque<HistoryFrame>& frames,
                          const std::unordered_map<uint32_t, HistorySeries>& series) -> Result<QueryResult> {
    QueryResult out;
    // Which series take part, and the group each falls in.
    std::unordered_map<uint32_t, size_t> group_of;
    std::map<Labels, size_t> groups;
    std::vector<Labels> group_labels;
    for (const auto& entry : series) {
      const uint32_t id = entry.first;
      const HistorySeries& s = entry.second;  // not a structured binding: clang 14 cannot capture those
      if (*s.name != spec.name) continue;
      out.found = true;
      out.type = s.type;
      if (!std::all_of(spec.matchers.begin(), spec.matchers.end(),
                       [&s](const LabelMatcher& m) { return m.matches(s); })) {
        continue;
      }
      Labels key;
      for (const auto& l : spec.by) {
        const std::string* v = s.label(l);
        key.emplace_back(l, v ? *v : "");
      }
      auto [git, inserted] = groups.emplace(key, group_labels.size());
      if (inserted) group_labels.push_back(key);
      group_of[id] = git->second;
    }
    out.aggregation = statistic_name(spec.stat, out.type);
    for (size_t k = 0; k < points; ++k) out.timestamps.push_back(spec.start + k * spec.step);
    out.series.resize(group_labels.size());
    for (size_t g = 0; g < group_labels.size(); ++g) {
      out.series[g].labels = group_labels[g];
      out.series[g].values.assign(points, std::nullopt);
    }
    if (group_labels.empty()) return out;

    // Frames are in time order, so the steps are walked once.
    auto fit = std::lower_bound(frames.begin(), frames.end(), spec.start - spec.step,
                                [](const HistoryFrame& f, Clock::time_point t) { return f.end <= t; });
    std::vector<Accumulator> accs(group_labels.size());
    for (size_t k = 0; k < points; ++k) {
      const auto t = out.timestamps[k];
      for (auto& a : accs) a = Accumulator{};
      double covered = 0;
      bool any_frame = false;
      for (; fit != frames.end() && fit->end <= t; ++fit) {
        if (fit->end <= t - spec.step) continue;
        any_frame = true;
        covered += fit->seconds();
        fit->for_each([&](const HistoryEntry& e, std::span<const HistoryBucket> buckets, const HistoryGauge* gauge) {
          auto g = group_of.find(e.series());
          if (g == group_of.end()) return;
          Accumulator& acc = accs[g->second];
          if (out.type == MetricType::kHistogram) {
            acc.has_hist = true;
            acc.hist_sum += e.value;
            for (const HistoryBucket& hb : buckets) acc.hist.add_to_bucket(hb.index, hb.count);
          } else {
            auto& ps = acc.per_series[e.series()];
            bool first = ps.samples == 0 && ps.value == 0;
            ps.value += e.value;
            if (gauge != nullptr) {
              ps.samples += gauge->samples;
              ps.min = first ? gauge->min : std::min(ps.min, gauge->min);
              ps.max = first ? gauge->max : std::max(ps.max, gauge->max);
            }
          }
        });
      }
      if (!any_frame) continue;
      for (size_t g = 0; g < accs.size(); ++g) {
        out.series[g].values[k] = reduce(accs[g], out.type, spec.stat, covered);
      }
    }
    for (auto& s : out.series) {
      double sum = 0;
      size_t n = 0;
      for (const auto& v : s.values) {
        if (v) {
          sum += *v;
          ++n;
        }
      }
      s.mean = n ? sum / n : 0;
    }
    std::stable_sort(out.series.begin(), out.series.end(),
                     [](const QuerySeries& a, const QuerySeries& b) { return a.mean > b.mean; });
    if (spec.limit > 0 && out.series.size() > spec.limit) out.series.resize(spec.limit);
    return out;
  });
}

}  // namespace kscope
