#include "signals/metric_query.h"

#include <unordered_map>

#include "collect/target_labels.h"
#include "common/regex_limits.h"

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

Result<LabelMatcher> LabelMatcher::parse(std::string name, const std::string& spec) {
  Op op = Op::kEq;
  std::string_view v = spec;
  if (v.starts_with("!=")) {
    op = Op::kNe;
    v.remove_prefix(2);
  } else if (v.starts_with("=~")) {
    op = Op::kRe;
    v.remove_prefix(2);
  } else if (v.starts_with("!~")) {
    op = Op::kNre;
    v.remove_prefix(2);
  }
  return make(std::move(name), op, std::string(v));
}

Result<LabelMatcher> LabelMatcher::make(std::string name, Op op, std::string value) {
  LabelMatcher m;
  m.name_ = std::move(name);
  m.op_ = op;
  m.value_ = std::move(value);
  if (m.op_ == Op::kRe || m.op_ == Op::kNre) {
    if (auto why = unsafe_regex_number(m.value_, RegexSyntax::kPosixExtended); !why.empty()) {
      return Error("invalid regular expression '" + m.value_ + "': " + why);
    }
    try {
      m.re_ = std::make_shared<const std::regex>(m.value_, std::regex::extended);
    } catch (const std::regex_error& e) {
      return Error("invalid regular expression '" + m.value_ + "': " + e.what());
    }
  }
  return m;
}

bool LabelMatcher::matches_value(std::string_view v) const {
  switch (op_) {
    case Op::kEq: return v == value_;
    case Op::kNe: return v != value_;
    case Op::kRe: return std::regex_match(v.begin(), v.end(), *re_);
    case Op::kNre: return !std::regex_match(v.begin(), v.end(), *re_);
  }
  return false;
}

bool LabelMatcher::matches(const Series& s) const {
  const std::string* v = s.label(name_);
  return matches_value(v != nullptr ? std::string_view(*v) : std::string_view());
}

namespace {
struct StatName {
  Statistic stat;
  const char* name;
};
constexpr StatName kStatNames[] = {
    {Statistic::kValue, "value"}, {Statistic::kMean, "mean"}, {Statistic::kMax, "max"},
    {Statistic::kRate, "rate"},   {Statistic::kCountRate, "count_rate"}, {Statistic::kP50, "p50"},
    {Statistic::kP90, "p90"},     {Statistic::kP95, "p95"},   {Statistic::kP99, "p99"},
    {Statistic::kP999, "p999"},
};

double quantile_of(Statistic s) {
  switch (s) {
    case Statistic::kP50: return 0.5;
    case Statistic::kP90: return 0.9;
    case Statistic::kP95: return 0.95;
    case Statistic::kP99: return 0.99;
    case Statistic::kP999: return 0.999;
    default: return -1;
  }
}
}  // namespace

std::optional<Statistic> parse_statistic(std::string_view name) {
  for (const auto& s : kStatNames) {
    if (name == s.name) return s.stat;
  }
  return std::nullopt;
}

std::string_view statistic_name(Statistic s) {
  for (const auto& n : kStatNames) {
    if (n.stat == s) return n.name;
  }
  return "?";
}

const std::vector<std::string>& statistic_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& s : kStatNames) v.emplace_back(s.name);
    return v;
  }();
  return names;
}

bool statistic_fits(Statistic s, MetricType t) {
  switch (t) {
    case MetricType::kCounter: return s == Statistic::kRate;
    case MetricType::kGauge: return s == Statistic::kValue || s == Statistic::kMean || s == Statistic::kMax;
    case MetricType::kHistogram:
      return s == Statistic::kMean || s == Statistic::kCountRate || quantile_of(s) > 0;
  }
  return false;
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
    double b = before == nullptr ? 0 : before->value;
    return s.value >= b ? s.value - b : s.value;  // went down: reset, the new value is the increase
  });
}

Grouped<Histogram> histogram_increase(const IntervalPair& p, std::string_view family, const SeriesFilter& filter) {
  return increase<Histogram>(p, family, filter, [](const Series& s, const Series* before) -> std::optional<Histogram> {
    if (!s.histogram) return std::nullopt;
    Histogram inc = (before == nullptr || !before->histogram) ? *s.histogram : s.histogram->delta_since(*before->histogram);
    if (inc.count() == 0) return std::nullopt;
    return inc;
  });
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
  const Family* fam = p.current.find(sel.metric);
  if (fam == nullptr) return {};
  SeriesFilter filter = [&sel](const Series& s) {
    for (const auto& m : sel.matchers) {
      if (!m.matches(s)) return false;
    }
    return true;
  };
  const double secs = p.seconds > 0 ? p.seconds : 1;
  switch (fam->type) {
    case MetricType::kCounter:
      return map_grouped(counter_increase(p, sel.metric, filter),
                         [secs](double v) -> std::optional<double> { return v / secs; });
    case MetricType::kGauge: {
      Statistic st = sel.stat;
      return map_grouped(gauge_values(p, sel.metric, filter), [st](const GaugeAgg& g) -> std::optional<double> {
        if (g.n == 0) return std::nullopt;
        if (st == Statistic::kMean) return g.sum / double(g.n);
        if (st == Statistic::kMax) return g.max;
        return g.sum;
      });
    }
    case MetricType::kHistogram: {
      Statistic st = sel.stat;
      return map_grouped(histogram_increase(p, sel.metric, filter),
                         [st, secs](const Histogram& h) -> std::optional<double> {
                           uint64_t n = h.count();
                           if (st == Statistic::kCountRate) return double(n) / secs;
                           if (n == 0) return std::nullopt;
                           if (st == Statistic::kMean) return h.sum_seconds / double(n);
                           return h.quantile_seconds(quantile_of(st));
                         });
    }
  }
  return {};
}

}  // namespace kscope
