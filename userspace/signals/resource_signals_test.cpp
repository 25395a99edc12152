#include "signals/resource_signals.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

Family counter(std::string name, std::vector<std::pair<Labels, double>> series) {
  Family f{std::move(name), "", MetricType::kCounter, {}};
  for (auto& [l, v] : series) f.series.push_back({l, v, {}});
  return f;
}

Family gauge(std::string name, std::vector<std::pair<Labels, double>> series) {
  Family f = counter(std::move(name), std::move(series));
  f.type = MetricType::kGauge;
  return f;
}

// Two snapshots 2 s apart: PSI totals, meminfo, two disks, two cgroups.
struct TwoSnapshots {
  Snapshot before, after;
  TwoSnapshots() {
    const Labels pay{{"cgroup", "/system.slice/pay.service"}};
    const Labels web{{"cgroup", "/system.slice/web.service"}};
    before.families = {
        counter("node_pressure_memory_waiting_seconds_total", {{{}, 10}}),
        counter("node_pressure_io_stalled_seconds_total", {{{}, 3}}),
        counter("node_disk_io_time_seconds_total", {{{{"device", "vda"}}, 5}, {{{"device", "vdb"}}, 1}}),
        counter("kscope_cgroup_cpu_periods_total", {{pay, 100}, {web, 100}}),
        counter("kscope_cgroup_cpu_throttled_periods_total", {{pay, 10}, {web, 0}}),
    };
    after.families = {
        counter("node_pressure_memory_waiting_seconds_total", {{{}, 10.5}}),
        counter("node_pressure_io_stalled_seconds_total", {{{}, 3}}),
        gauge("node_memory_MemTotal_bytes", {{{}, 1000}}),
        gauge("node_memory_MemAvailable_bytes", {{{}, 250}}),
        counter("node_disk_io_time_seconds_total", {{{{"device", "vda"}}, 5.2}, {{{"device", "vdb"}}, 2.6}}),
        counter("kscope_cgroup_cpu_periods_total", {{pay, 120}, {web, 120}}),
        counter("kscope_cgroup_cpu_throttled_periods_total", {{pay, 28}, {web, 0}}),
        gauge("kscope_cgroup_memory_working_set_bytes", {{pay, 90}, {web, 10}}),
        gauge("kscope_cgroup_memory_limit_bytes", {{pay, 100}}),
    };
  }
};

TEST(ResourceSignals, HostFromItsOwnCountersCgroupsFromTheirs) {
  TwoSnapshots s;
  IntervalPair p{&s.before, s.after, 2.0, "cgroup"};
  SignalSet host;
  std::map<TargetId, SignalSet> targets;
  add_resource_signals(p, host, targets);
  EXPECT_DOUBLE_EQ(*host.memory_pressure, 0.25);  // 0.5 s stalled in 2 s
  EXPECT_DOUBLE_EQ(*host.io_pressure_full, 0);
  EXPECT_FALSE(host.cpu_pressure) << "no PSI cpu family: absent, not 0";
  EXPECT_DOUBLE_EQ(*host.memory_used_ratio, 0.75);
  EXPECT_DOUBLE_EQ(*host.disk_utilization, 0.8) << "the busiest disk, vdb: 1.6 s of 2";
  EXPECT_FALSE(host.disk_latency_p99) << "no block probe";
  EXPECT_FALSE(host.cpu_throttled_ratio) << "host-wide throttling is not a sum of cgroups";
  const auto& pay = targets[TargetId{"/system.slice/pay.service", false}];
  EXPECT_DOUBLE_EQ(*pay.cpu_throttled_ratio, 0.9);
  EXPECT_DOUBLE_EQ(*pay.memory_used_ratio, 0.9);
  const auto& web = targets[TargetId{"/system.slice/web.service", false}];
  EXPECT_DOUBLE_EQ(*web.cpu_throttled_ratio, 0);
  EXPECT_FALSE(web.memory_used_ratio) << "no limit, no ratio";
}

TEST(ResourceSignals, CgroupFiguresOnlyForTheCgroupBreakdown) {
  TwoSnapshots s;
  IntervalPair p{&s.before, s.after, 2.0, "comm"};
  SignalSet host;
  std::map<TargetId, SignalSet> targets;
  add_resource_signals(p, host, targets);
  EXPECT_TRUE(targets.empty());
  EXPECT_DOUBLE_EQ(*host.memory_pressure, 0.25);
}

}  // namespace
}  // namespace kscope
