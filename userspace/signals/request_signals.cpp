#include "signals/request_signals.h"

#include <algorithm>
#include <string_view>

#include "signals/request_families.h"

namespace kscope {
namespace {

struct Served {
  Histogram latency;
  double errors = 0;
};

void merge(Grouped<Served>& into, const Grouped<Histogram>& h, const Grouped<double>& errors) {
  if (h.present) {
    into.present = true;
    into.host.latency.add(h.host);
    for (const auto& [id, v] : h.targets) into.targets[id].latency.add(v);
  }
  if (errors.present) {
    into.host.errors += errors.host;
    for (const auto& [id, v] : errors.targets) into.targets[id].errors += v;
  }
}

// Counts of a histogram family's series that pass `filter`, per target.
Grouped<double> counts(const IntervalPair& p, std::string_view family, const SeriesFilter& filter) {
  auto h = histogram_increase(p, family, filter);
  Grouped<double> out;
  out.present = h.present;
  out.host = double(h.host.count());
  for (const auto& [id, v] : h.targets) out.targets[id] = double(v.count());
  return out;
}

void set_signals(SignalSet& s, const Served& v, double secs) {
  const uint64_t n = v.latency.count();
  s.request_latency = LatencySignal{v.latency.quantile_seconds(0.5), v.latency.quantile_seconds(0.95),
                                    v.latency.quantile_seconds(0.99), n};
  s.requests_per_second = double(n) / secs;
  s.request_errors_per_second = v.errors / secs;
  if (n > 0) s.request_error_ratio = std::min(1.0, v.errors / double(n));
}

}  // namespace

void add_request_signals(const IntervalPair& p, SignalSet& host, std::map<TargetId, SignalSet>& targets) {
  if (p.previous == nullptr) return;
  const double secs = p.seconds > 0 ? p.seconds : 1;
  Grouped<Served> served;
  for (const auto& f : kServedRequestFamilies) {
    SeriesFilter failed = [&f](const Series& s) { return request_series_failed(f, s); };
    merge(served, histogram_increase(p, f.name, nullptr), counts(p, f.name, failed));
  }
  if (!served.present) return;
  set_signals(host, served.host, secs);
  for (const auto& [id, v] : served.targets) set_signals(targets[id], v, secs);
}

}  // namespace kscope
