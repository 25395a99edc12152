#include "signals/resource_signals.h"

#include <algorithm>
#include <string>

namespace kscope {
namespace {

// Share of the interval some (or all) tasks stalled, from a PSI total.
std::optional<double> stall_ratio(const IntervalPair& p, std::string_view family, const SeriesFilter& filter) {
  auto g = counter_increase(p, family, filter);
  if (!g.present || p.seconds <= 0) return std::nullopt;
  return std::clamp(g.host / p.seconds, 0.0, 1.0);
}

std::optional<double> gauge_of(const IntervalPair& p, std::string_view family) {
  auto g = gauge_values(p, family, nullptr);
  if (!g.present || g.host.n == 0) return std::nullopt;
  return g.host.sum;
}

void host_signals(const IntervalPair& p, SignalSet& host) {
  IntervalPair whole = p;
  whole.breakdown.clear();
  host.cpu_pressure = stall_ratio(whole, "node_pressure_cpu_waiting_seconds_total", nullptr);
  host.memory_pressure = stall_ratio(whole, "node_pressure_memory_waiting_seconds_total", nullptr);
  host.memory_pressure_full = stall_ratio(whole, "node_pressure_memory_stalled_seconds_total", nullptr);
  host.io_pressure = stall_ratio(whole, "node_pressure_io_waiting_seconds_total", nullptr);
  host.io_pressure_full = stall_ratio(whole, "node_pressure_io_stalled_seconds_total", nullptr);
  auto total = gauge_of(whole, "node_memory_MemTotal_bytes");
  auto available = gauge_of(whole, "node_memory_MemAvailable_bytes");
  if (total && available && *total > 0) host.memory_used_ratio = std::clamp(1 - *available / *total, 0.0, 1.0);

  // Disk latency over every device's requests; the busiest device's
  // utilisation (the share of the interval it had requests in flight).
  auto latency = histogram_increase(whole, "kscope_block_io_latency_seconds", nullptr);
  if (latency.present) host.disk_latency_p99 = latency.host.count() > 0 ? latency.host.quantile_seconds(0.99) : 0;
  IntervalPair by_device = p;
  by_device.breakdown = "device";
  auto busy = counter_increase(by_device, "node_disk_io_time_seconds_total", nullptr);
  if (busy.present && p.seconds > 0) {
    double worst = 0;
    for (const auto& [device, seconds] : busy.targets) worst = std::max(worst, seconds / p.seconds);
    host.disk_utilization = std::min(worst, 1.0);
  }
}

SeriesFilter resource_is(std::string resource) {
  return [resource = std::move(resource)](const Series& s) {
    const std::string* r = s.label("resource");
    return r != nullptr && *r == resource;
  };
}

// Per cgroup target: its own PSI, memory against its limit, throttling.
void cgroup_signals(const IntervalPair& p, std::map<TargetId, SignalSet>& targets) {
  if (p.breakdown != "cgroup" || p.seconds <= 0) return;
  auto stall = [&](std::string_view family, const char* resource, std::optional<double> SignalSet::*field) {
    auto g = counter_increase(p, family, resource_is(resource));
    for (const auto& [id, v] : g.targets) targets[id].*field = std::clamp(v / p.seconds, 0.0, 1.0);
  };
  stall("kscope_cgroup_pressure_waiting_seconds_total", "cpu", &SignalSet::cpu_pressure);
  stall("kscope_cgroup_pressure_waiting_seconds_total", "memory", &SignalSet::memory_pressure);
  stall("kscope_cgroup_pressure_stalled_seconds_total", "memory", &SignalSet::memory_pressure_full);
  stall("kscope_cgroup_pressure_waiting_seconds_total", "io", &SignalSet::io_pressure);
  stall("kscope_cgroup_pressure_stalled_seconds_total", "io", &SignalSet::io_pressure_full);

  auto used = gauge_values(p, "kscope_cgroup_memory_working_set_bytes", nullptr);
  auto limit = gauge_values(p, "kscope_cgroup_memory_limit_bytes", nullptr);
  for (const auto& [id, l] : limit.targets) {
    auto u = used.targets.find(id);
    if (u != used.targets.end() && l.sum > 0) targets[id].memory_used_ratio = std::min(u->second.sum / l.sum, 1.0);
  }
  auto throttled = counter_increase(p, "kscope_cgroup_cpu_throttled_periods_total", nullptr);
  auto periods = counter_increase(p, "kscope_cgroup_cpu_periods_total", nullptr);
  for (const auto& [id, n] : periods.targets) {
    auto t = throttled.targets.find(id);
    // No period ran in the interval (an idle or unlimited cgroup): no ratio.
    if (n > 0) targets[id].cpu_throttled_ratio = std::min((t != throttled.targets.end() ? t->second : 0) / n, 1.0);
  }
}

}  // namespace

void add_resource_signals(const IntervalPair& p, SignalSet& host, std::map<TargetId, SignalSet>& targets) {
  host_signals(p, host);
  cgroup_signals(p, targets);
}

}  // namespace kscope
