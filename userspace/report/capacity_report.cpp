#include "report/capacity_report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

namespace kscope {

const std::vector<CapacitySignalSpec>& capacity_signal_specs() {
  // Busy CPU is what is not idle or waiting on I/O (node_exporter's modes,
  // which kscope's host module exports under the same names); capacity is
  // the CPU count. Memory in use is what MemAvailable says cannot be
  // reclaimed. A filesystem's use is size - avail: the root reservation
  // counts as used, since an ordinary writer runs out when avail is 0.
  //
  // A service's requests are grouped by instance and job (an OpenTelemetry
  // SDK's service pushed over OTLP or scraped on its own job) and by
  // kscope's breakdown label, comm or cgroup: kscope exports every service
  // of a host under its own single job, so without it one row would blend
  // them all (a p99 and an error ratio of no service at all). A label a
  // series lacks groups as empty, so one grouping serves every exporter.
#define KSCOPE_SERVICE_BY "instance, job, comm, cgroup"
  static const std::vector<CapacitySignalSpec> specs = {
      {"cpu", "CPU busy", "cores",
       "sum by (instance) (rate(node_cpu_seconds_total{mode!~\"idle|iowait\"%M}[R]))",
       "count by (instance) (node_cpu_seconds_total{mode=\"idle\"%M})",
       "node_cpu_seconds_total is not in Prometheus for this selection (kscope's host module, or node_exporter, "
       "exports it)"},
      {"memory", "Memory in use", "bytes",
       "sum by (instance) (node_memory_MemTotal_bytes{%M} - node_memory_MemAvailable_bytes{%M})",
       "sum by (instance) (node_memory_MemTotal_bytes{%M})",
       "node_memory_MemAvailable_bytes is not in Prometheus for this selection"},
      {"filesystem", "Filesystem space used", "bytes",
       "max by (instance, mountpoint) (node_filesystem_size_bytes{fstype!~\"squashfs|iso9660|erofs\"%M} - "
       "node_filesystem_avail_bytes{fstype!~\"squashfs|iso9660|erofs\"%M})",
       "max by (instance, mountpoint) (node_filesystem_size_bytes{fstype!~\"squashfs|iso9660|erofs\"%M})",
       "node_filesystem_avail_bytes is not in Prometheus for this selection"},
      {"disk_latency", "Disk I/O latency (mean per operation)", "seconds",
       "sum by (instance, device) (rate(node_disk_read_time_seconds_total{%M}[R]) + "
       "rate(node_disk_write_time_seconds_total{%M}[R])) / sum by (instance, device) "
       "(rate(node_disk_reads_completed_total{%M}[R]) + rate(node_disk_writes_completed_total{%M}[R]))",
       "", "node_disk_read_time_seconds_total is not in Prometheus for this selection (or no disk did I/O)"},
      {"request_rate", "Request rate", "requests/s",
       "sum by (" KSCOPE_SERVICE_BY ") (rate(http_server_request_duration_seconds_count{%M}[R]))", "",
       "http_server_request_duration_seconds is not in Prometheus for this selection: no service exports "
       "OpenTelemetry's HTTP server metrics there, so request rate, latency and errors are left out"},
      {"request_latency_p99", "Request latency p99", "seconds",
       "histogram_quantile(0.99, sum by (" KSCOPE_SERVICE_BY ", le) "
       "(rate(http_server_request_duration_seconds_bucket{%M}[R])))",
       "", "http_server_request_duration_seconds_bucket is not in Prometheus for this selection"},
      {"error_ratio", "Request error ratio (5xx)", "ratio",
       "(sum by (" KSCOPE_SERVICE_BY ") (rate(http_server_request_duration_seconds_count{"
       "http_response_status_code=~\"5..\"%M}[R])) or 0 * sum by (" KSCOPE_SERVICE_BY ") "
       "(rate(http_server_request_duration_seconds_count{%M}[R]))) / sum by (" KSCOPE_SERVICE_BY ") "
       "(rate(http_server_request_duration_seconds_count{%M}[R]))",
       "", "http_server_request_duration_seconds_count is not in Prometheus for this selection"},
  };
#undef KSCOPE_SERVICE_BY
  return specs;
}

Result<std::string> parse_match(const std::string& match) {
  if (match.empty()) return std::string();
  if (match.size() > 1000) return Error("--match is longer than 1000 characters");
  if (match.front() != '{' || match.back() != '}') {
    return Error("--match '" + match + "' is not a selector's matchers in braces",
                 "e.g. --match '{instance=~\"web-.*\"}' or --match '{job=\"node\"}'");
  }
  for (char c : match) {
    if (c == '\n' || c == '\r' || c == '\0') return Error("--match has a control character");
  }
  std::string inner = match.substr(1, match.size() - 2);
  // Prometheus parses and validates the matchers; a brace of our own inside
  // would close the selector early and splice PromQL in.
  bool in_string = false;
  for (size_t i = 0; i < inner.size(); ++i) {
    const char c = inner[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '}' || c == '[' || c == ']' || c == '(' || c == ')') {
      return Error("--match must hold label matchers only (no '" + std::string(1, c) + "' outside quotes)",
                   "e.g. --match '{instance=~\"web-.*\"}'");
    }
  }
  if (in_string) return Error("--match has an unterminated string");
  return inner;
}

std::string expand_query(const std::string& tmpl, const std::string& inner, double range_seconds) {
  auto replace_all = [](std::string s, const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
    return s;
  };
  std::string q = replace_all(tmpl, "{%M}", "{" + inner + "}");
  q = replace_all(q, "%M", inner.empty() ? "" : "," + inner);
  return replace_all(q, "[R]", "[" + std::to_string(static_cast<long long>(range_seconds)) + "s]");
}

SeriesAnalysis analyze_series(RegularSeries series, std::optional<double> capacity, const CapacityOptions& o) {
  SeriesAnalysis a;
  trim_missing_ends(series);
  a.series = std::move(series);
  a.capacity = capacity;
  const RegularSeries& s = a.series;
  if (s.values.empty()) {
    a.note = "no samples in the window";
    return a;
  }
  a.last = s.values.back();
  a.baseline = compute_baseline(s.values);
  std::vector<double> xs, ys;
  for (size_t i = 0; i < s.values.size(); ++i) {
    if (!std::isfinite(s.values[i])) continue;
    xs.push_back(s.time_at(i) - s.start);
    ys.push_back(s.values[i]);
  }
  a.trend = fit_line(xs, ys);
  a.seasonality = detect_seasonality(s);
  const double span = s.end() - s.start + s.step;
  a.model_period_seconds = model_period(a.seasonality, span);
  const size_t period = a.model_period_seconds ? static_cast<size_t>(std::llround(*a.model_period_seconds / s.step)) : 0;
  a.model = holt_winters_fit(s.values, period, o.damped);
  if (!a.model) {
    a.note = "too few points for a forecast (" + std::to_string(s.finite_count()) + ")";
    return a;
  }
  a.anomalies = find_anomalies(s, a.model->fitted, a.model->residuals, o.anomaly_sigma);
  a.model->fitted.clear();
  a.model->residuals.clear();
  const size_t horizon_steps = std::max<size_t>(1, static_cast<size_t>(o.horizon_seconds / s.step));
  // Exhaustion is searched further than the horizon (up to two years, and
  // 100,000 steps), so a disk that fills in 40 days still gets a date.
  size_t search_steps = horizon_steps;
  if (capacity) {
    search_steps = std::max(horizon_steps, static_cast<size_t>(std::min(2 * 365 * 86400.0 / s.step, 100000.0)));
  }
  std::vector<ForecastPoint> f = holt_winters_forecast(*a.model, search_steps, o.confidence_z);
  if (capacity && a.last) a.exhaustion = estimate_exhaustion(f, s.end(), s.step, *a.last, *capacity);
  f.resize(horizon_steps);
  a.peak = forecast_peak(f, s.end(), s.step);
  if (a.peak) a.recommended_capacity = a.peak->mean * o.headroom;
  a.forecast = std::move(f);
  return a;
}

namespace {

std::map<std::string, std::string> without_name(std::map<std::string, std::string> labels) {
  labels.erase("__name__");
  return labels;
}

// The newest finite value of a series.
std::optional<double> newest(const PromSeries& s) {
  for (auto it = s.points.rbegin(); it != s.points.rend(); ++it) {
    if (std::isfinite(it->second)) return it->second;
  }
  return std::nullopt;
}

}  // namespace

Result<CapacityReport> build_capacity_report(const PrometheusClient& prom, const CapacityOptions& o) {
  auto inner = parse_match(o.match);
  if (!inner) return inner.error();
  CapacityReport r;
  r.url = prom.url();
  r.match = o.match;
  r.options = o;
  r.generated = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  r.step = choose_step(o.window_seconds, o.target_points);
  // Aligned to the step, so a day is the same whole number of steps from
  // every start, and two runs a minute apart ask for the same grid.
  r.end = std::floor((o.end > 0 ? o.end : r.generated) / r.step) * r.step;
  r.start = r.end - std::floor(o.window_seconds / r.step) * r.step;
  // Rates over at least two steps and ten minutes: two samples at any
  // usual scrape interval, and no step's increase left uncovered.
  const double range = std::max(2 * r.step, 600.0);
  std::set<std::string> hosts;
  bool first = true;
  for (const auto& spec : capacity_signal_specs()) {
    CapacitySignal sig;
    sig.spec = &spec;
    sig.query = expand_query(spec.usage, *inner, range);
    auto usage = prom.query_range(sig.query, r.start, r.end, r.step);
    if (!usage) {
      // The first query tells whether Prometheus is there at all.
      if (first) return usage.error().with_context("query " + std::string(spec.key));
      sig.note = usage.error().to_string();
      r.signals.push_back(std::move(sig));
      continue;
    }
    first = false;
    for (const auto& w : usage->warnings) r.warnings.push_back(w);
    sig.dropped_series = usage->dropped_series;
    std::map<std::map<std::string, std::string>, double> capacities;
    if (*spec.capacity != '\0' && !usage->series.empty()) {
      auto cap = prom.query_range(expand_query(spec.capacity, *inner, range), r.start, r.end, r.step);
      if (cap) {
        for (const auto& s : cap->series) {
          if (auto v = newest(s)) capacities[without_name(s.labels)] = *v;
        }
      } else {
        sig.note = "capacity: " + cap.error().to_string();
      }
    }
    for (const auto& ps : usage->series) {
      auto labels = without_name(ps.labels);
      std::optional<double> capacity;
      if (auto it = capacities.find(labels); it != capacities.end()) capacity = it->second;
      SeriesAnalysis a = analyze_series(to_regular(ps.points, r.start, r.end, r.step), capacity, o);
      a.labels = labels;
      a.instance = labels.count("instance") ? labels["instance"] : "";
      if (!a.instance.empty()) hosts.insert(a.instance);
      sig.series.push_back(std::move(a));
    }
    std::sort(sig.series.begin(), sig.series.end(),
              [](const SeriesAnalysis& a, const SeriesAnalysis& b) { return a.labels < b.labels; });
    sig.found = !sig.series.empty();
    if (!sig.found && sig.note.empty()) sig.note = spec.absent_note;
    r.signals.push_back(std::move(sig));
  }
  r.hosts.assign(hosts.begin(), hosts.end());
  return r;
}

}  // namespace kscope
