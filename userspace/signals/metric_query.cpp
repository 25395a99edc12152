#include "signals/metric_query.h"

#include <unordered_map>

#include "model/target_labels.h"

namespace kscope {
namespace {

std::string series_key(const Labels& labels) {
  std::string k;
  for (const auto& [n, v] : labels) {
    k += n;
    k += '\0';
    k += v;
    k += '\0';
  }
  return k;
}

std::unordered_map<std::string, const Series*> index_family(const Family* f) {
  std::unordered_map<std::string, const Series*> out;
  if (f == nullptr) return out;
  out.reserve(f->series.size());
  for (const auto& s : f->series) out.emplace(series_key(s.labels), &s);
  return out;
}

// A series' observations since `before` (null: since it began); nullopt
// for none or for a series that is not a histogram.
std::optional<Histogram> histogram_delta(const Series& s, const Series* before) {
  if (!s.histogram) return std::nullopt;
  Histogram inc = (before == nullptr || !before->histogram) ? *s.histogram : s.histogram->delta_since(*before->histogram);
  if (inc.count() == 0) return std::nullopt;
  return inc;
}

template <class T, class V, class Add>
void add_grouped(Grouped<T>& g, const IntervalPair& p, const Series& s, const V& v, Add add) {
  add(g.host, v);
  if (p.breakdown.empty()) return;
  const std::string* target = s.label(p.breakdown);
  if (target != nullptr) add(g.targets[TargetId{*target, kernel_series(s)}], v);
}

}  // namespace

bool kernel_series(const Series& s) {
  const std::string* k = s.label(kKernelLabel);
  return k != nullptr && *k == "true";
}

namespace {

void accumulate(double& acc, double v) { acc += v; }
void accumulate(Histogram& acc, const Histogram& v) { acc.add(v); }

// The per-series increase since the previous snapshot, summed per target.
// inc(current, previous or null) returns nullopt to skip a series.
template <class T, class Inc>
Grouped<T> increase(const IntervalPair& p, std::string_view family, const SeriesFilter& filter, Inc inc) {
  Grouped<T> g;
  const Family* cur = p.current.find(family);
  if (cur == nullptr || p.previous == nullptr) return g;
  g.present = true;
  auto prev = index_family(p.previous->find(family));
  for (const auto& s : cur->series) {
    if (filter && !filter(s)) continue;
    auto it = prev.find(series_key(s.labels));
    std::optional<T> v = inc(s, it == prev.end() ? nullptr : it->second);
    if (v) add_grouped(g, p, s, *v, [](T& acc, const T& x) { accumulate(acc, x); });
  }
  return g;
}

}  // namespace

Grouped<double> counter_increase(const IntervalPair& p, std::string_view family, const SeriesFilter& filter) {
  return increase<double>(p, family, filter, [](const Series& s, const Series* before) -> std::optional<double> {
    return counter_delta(s.value, before == nullptr ? 0 : before->value);
  });
}

Grouped<Histogram> histogram_increase(const IntervalPair& p, std::string_view family, const SeriesFilter& filter) {
  return increase<Histogram>(p, family, filter, [](const Series& s, const Series* before) -> std::optional<Histogram> {
    return histogram_delta(s, before);
  });
}

std::map<std::string, Histogram> histogram_increase_by(const IntervalPair& p, std::string_view family,
                                                       const SeriesKey& key_of) {
  std::map<std::string, Histogram> out;
  const Family* cur = p.current.find(family);
  if (cur == nullptr || p.previous == nullptr) return out;
  auto prev = index_family(p.previous->find(family));
  for (const auto& s : cur->series) {
    auto key = key_of(s);
    if (!key) continue;
    auto it = prev.find(series_key(s.labels));
    auto inc = histogram_delta(s, it == prev.end() ? nullptr : it->second);
    if (inc) out[*key].add(*inc);
  }
  return out;
}

Grouped<GaugeAgg> gauge_values(const IntervalPair& p, std::string_view family, const SeriesFilter& filter) {
  Grouped<GaugeAgg> g;
  const Family* cur = p.current.find(family);
  if (cur == nullptr) return g;
  g.present = true;
  for (const auto& s : cur->series) {
    if (filter && !filter(s)) continue;
    add_grouped(g, p, s, s.value, [](GaugeAgg& acc, double v) {
      acc.max = acc.n == 0 ? v : std::max(acc.max, v);
      acc.min = acc.n == 0 ? v : std::min(acc.min, v);
      acc.sum += v;
      ++acc.n;
    });
  }
  return g;
}

namespace {

template <class T, class F>
Grouped<std::optional<double>> map_grouped(const Grouped<T>& in, F f) {
  Grouped<std::optional<double>> out;
  out.present = in.present;
  if (!in.present) return out;
  out.host = f(in.host);
  for (const auto& [k, v] : in.targets) out.targets[k] = f(v);
  return out;
}

}  // namespace

Grouped<std::optional<double>> evaluate_selector(const IntervalPair& p, const MetricSelector& sel) {
  using K = Statistic::Kind;
  const Family* fam = p.current.find(sel.metric);
  if (fam == nullptr) return {};
  SeriesFilter filter = [&sel](const Series& s) { return matches_all(sel.matchers, s); };
  const double secs = p.seconds > 0 ? p.seconds : 1;
  const Statistic st = sel.stat.kind == K::kDefault ? default_statistic(fam->type) : sel.stat;
  switch (fam->type) {
    case MetricType::kCounter:
      return map_grouped(counter_increase(p, sel.metric, filter), [st, secs](double v) -> std::optional<double> {
        return st.kind == K::kIncrease ? v : v / secs;
      });
    case MetricType::kGauge:
      return map_grouped(gauge_values(p, sel.metric, filter), [st](const GaugeAgg& g) -> std::optional<double> {
        if (g.n == 0) return std::nullopt;
        switch (st.kind) {
          case K::kAvg: return g.sum / double(g.n);
          case K::kMax: return g.max;
          case K::kMin: return g.min;
          default: return g.sum;
        }
      });
    case MetricType::kHistogram:
      return map_grouped(histogram_increase(p, sel.metric, filter),
                         [st, secs](const Histogram& h) -> std::optional<double> {
                           uint64_t n = h.count();
                           if (st.kind == K::kRate) return double(n) / secs;
                           if (st.kind == K::kIncrease) return double(n);
                           if (n == 0) return std::nullopt;
                           if (st.kind == K::kAvg) return h.sum_seconds / double(n);
                           return h.quantile_seconds(st.kind == K::kQuantile ? st.quantile : 0.99);
                         });
  }
  return {};
}

}  // namespace kscope
