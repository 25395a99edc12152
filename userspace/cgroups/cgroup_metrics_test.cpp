#include "cgroups/cgroup_metrics.h"

#include <gtest/gtest.h>

#include "cgroups/cgroup_test_tree.h"

namespace kscope {
namespace {

const Series* find(const std::vector<Family>& fams, const std::string& name, const Labels& want) {
  for (const auto& f : fams) {
    if (f.name != name) continue;
    for (const auto& s : f.series) {
      bool all = true;
      for (const auto& [k, v] : want) {
        const std::string* got = s.label(k);
        all = all && got != nullptr && *got == v;
      }
      if (all) return &s;
    }
  }
  return nullptr;
}

double value(const std::vector<Family>& fams, const std::string& name, const Labels& want) {
  const Series* s = find(fams, name, want);
  EXPECT_NE(s, nullptr) << name;
  return s != nullptr ? s->value : -1;
}

// Rewrites a file in place (same inode, as the kernel's files are), so a
// kept fd reads the new text. `text` must be at least as long as the old.
void overwrite(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::in | std::ios::out);
  f << text;
}

// A pure cgroup v2 host with one service, as the kernel lays it out.
class CgroupMetricsV2 : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.write("/proc/self/mounts", "cgroup2 " + t_.path("/cg") + " cgroup2 rw 0 0\n");
    t_.write("/proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\n");
    t_.write("/cg/cgroup.controllers", "cpu io memory pids\n");
    t_.write("/cg/cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n");
    t_.write("/cg/cgroup.stat", "nr_descendants 2\nnr_dying_descendants 0\n");
    t_.write("/sys/dev/block/8:0/uevent", "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n");
    t_.mkdir("/cg/system.slice");
    service("/system.slice/nginx.service", 2500000);
  }
  void service(const std::string& rel, uint64_t usage_usec) {
    const std::string d = "/cg" + rel;
    t_.write(d + "/cpu.stat", "usage_usec " + std::to_string(usage_usec) +
                                  "\nuser_usec 1\nsystem_usec 1\nnr_periods 100\nnr_throttled 90\nthrottled_usec "
                                  "4500000\nnr_bursts 0\nburst_usec 0\n");
    t_.write(d + "/cpu.max", "10000 100000\n");
    t_.write(d + "/memory.current", "10485760\n");
    t_.write(d + "/memory.max", "16777216\n");
    t_.write(d + "/memory.stat", "anon 6291456\nfile 4194304\ninactive_file 3145728\nactive_file 1048576\n");
    t_.write(d + "/memory.events", "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n");
    t_.write(d + "/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
    t_.write(d + "/cpu.pressure", "some avg10=90.00 avg60=0 avg300=0 total=2000000\nfull avg10=0 avg60=0 avg300=0 total=1000000\n");
    t_.write(d + "/memory.pressure", "some avg10=0 avg60=0 avg300=0 total=0\nfull avg10=0 avg60=0 avg300=0 total=0\n");
    t_.write(d + "/io.pressure", "some avg10=0 avg60=0 avg300=0 total=300\nfull avg10=0 avg60=0 avg300=0 total=200\n");
  }
  CgroupMetrics make(size_t max_cgroups = 500, uint32_t idle_refresh = 10) {
    CgroupMetricsOptions o;
    o.max_cgroups = max_cgroups;
    o.idle_refresh_intervals = idle_refresh;
    o.proc_root = t_.path("/proc");
    o.sys_root = t_.path("/sys");
    return CgroupMetrics(discover_cgroup_layout(o.proc_root), o);
  }
  CgroupTestTree t_;
};

TEST_F(CgroupMetricsV2, EveryFamilyFromTheFiles) {
  auto m = make();
  std::vector<Family> out;
  m.append(out);
  const Labels nginx = {{"cgroup", "/system.slice/nginx.service"}, {"service", "nginx.service"}};
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_cpu_seconds_total", nginx), 2.5);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_cpu_periods_total", nginx), 100);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_cpu_throttled_periods_total", nginx), 90);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_cpu_throttled_seconds_total", nginx), 4.5);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_cpu_limit_cores", nginx), 0.1);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_memory_bytes", nginx), 10485760);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_memory_working_set_bytes", nginx), 10485760 - 3145728);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_memory_limit_bytes", nginx), 16777216);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_memory_events_total", {{"cgroup", "/system.slice/nginx.service"}, {"event", "oom_kill"}}), 1);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_memory_events_total", {{"cgroup", "/system.slice/nginx.service"}, {"event", "max"}}), 12);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_io_bytes_total", {{"cgroup", "/system.slice/nginx.service"}, {"device", "sda"}, {"op", "write"}}), 8192);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_io_operations_total", {{"cgroup", "/system.slice/nginx.service"}, {"device", "sda"}, {"op", "read"}}), 1);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_pressure_waiting_seconds_total", {{"cgroup", "/system.slice/nginx.service"}, {"resource", "cpu"}}), 2);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_pressure_stalled_seconds_total", {{"cgroup", "/system.slice/nginx.service"}, {"resource", "io"}}), 0.0002);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroups_skipped", {}), 0);
  // Every series of a family carries the same four identity labels.
  const Series* s = find(out, "kscope_cgroup_memory_bytes", nginx);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->labels, (Labels{{"cgroup", "/system.slice/nginx.service"}, {"service", "nginx.service"},
                                {"container_id", ""}, {"pod_uid", ""}}));
  // /system.slice has no files here: it appears in no family, and the root never does.
  EXPECT_EQ(find(out, "kscope_cgroup_cpu_seconds_total", {{"cgroup", "/system.slice"}}), nullptr);
  EXPECT_EQ(find(out, "kscope_cgroup_cpu_seconds_total", {{"cgroup", "/"}}), nullptr);
  EXPECT_EQ(find(out, "kscope_cgroup_cpu_seconds_total", {{"cgroup", ""}}), nullptr);
}

TEST_F(CgroupMetricsV2, UnlimitedLimitsAreAbsent) {
  t_.write("/cg/system.slice/nginx.service/cpu.max", "max 100000\n");
  t_.write("/cg/system.slice/nginx.service/memory.max", "max\n");
  auto m = make();
  std::vector<Family> out;
  m.append(out);
  EXPECT_EQ(find(out, "kscope_cgroup_cpu_limit_cores", {}), nullptr);
  EXPECT_EQ(find(out, "kscope_cgroup_memory_limit_bytes", {}), nullptr);
  EXPECT_NE(find(out, "kscope_cgroup_memory_bytes", {}), nullptr);
}

TEST_F(CgroupMetricsV2, KeptFilesSeeNewValues) {
  auto m = make(500, 1);
  std::vector<Family> out;
  m.append(out);
  EXPECT_GT(m.open_fds(), 5u);
  // Rewritten in place (same inode, as the kernel's files are): a kept fd
  // reads the new text.
  overwrite(t_.path("/cg/system.slice/nginx.service/memory.events"),
            "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n");
  out.clear();
  m.append(out);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_memory_events_total", {{"event", "oom_kill"}}), 2);
}

TEST_F(CgroupMetricsV2, IdleCgroupsAreReReadLessOften) {
  const std::string d = t_.path("/cg/system.slice/nginx.service");
  auto m = make(500, 3);
  std::vector<Family> out;
  m.append(out);  // first interval: read
  // CPU moved: everything is re-read in that interval.
  overwrite(d + "/memory.current", "20000000\n");
  overwrite(d + "/cpu.stat", "usage_usec 2600000\n");
  out.clear();
  m.append(out);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_memory_bytes", {}), 20000000);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroup_cpu_seconds_total", {}), 2.6);
  // Idle (CPU still): memory changes every interval, but is read one
  // interval in three; in between the last reading repeats.
  int fresh = 0;
  for (int i = 1; i <= 9; ++i) {
    const double want = 20000000 + i;
    overwrite(d + "/memory.current", std::to_string(uint64_t(want)) + "\n");
    out.clear();
    m.append(out);
    double got = value(out, "kscope_cgroup_memory_bytes", {});
    if (got == want) ++fresh;
    else EXPECT_GE(got, want - 2) << "a reading older than three intervals at " << i;
  }
  EXPECT_EQ(fresh, 3);
}

TEST_F(CgroupMetricsV2, NewAndRemovedCgroupsFollowTheTree) {
  auto m = make();
  std::vector<Family> out;
  m.append(out);
  EXPECT_EQ(m.tracked(), 2u);
  service("/system.slice/redis.service", 100);
  t_.write("/cg/cgroup.stat", "nr_descendants 3\nnr_dying_descendants 0\n");  // the kernel's count moves
  out.clear();
  m.append(out);
  EXPECT_EQ(m.tracked(), 3u);
  EXPECT_NE(find(out, "kscope_cgroup_cpu_seconds_total", {{"service", "redis.service"}}), nullptr);
  std::filesystem::remove_all(t_.path("/cg/system.slice/redis.service"));
  t_.write("/cg/cgroup.stat", "nr_descendants 2\nnr_dying_descendants 0\n");
  out.clear();
  m.append(out);
  EXPECT_EQ(m.tracked(), 2u);
  EXPECT_EQ(find(out, "kscope_cgroup_cpu_seconds_total", {{"service", "redis.service"}}), nullptr);
}

TEST_F(CgroupMetricsV2, OverTheCapTheBusiestAreKept) {
  service("/system.slice/idle.service", 1000000000);  // most CPU in total, none lately
  service("/system.slice/busy.service", 100);
  t_.write("/cg/cgroup.stat", "nr_descendants 4\n");
  auto m = make(1);
  std::vector<Family> out;
  m.append(out);
  // First interval: no rates yet, so total CPU decides.
  EXPECT_NE(find(out, "kscope_cgroup_cpu_seconds_total", {{"service", "idle.service"}}), nullptr);
  EXPECT_DOUBLE_EQ(value(out, "kscope_cgroups_skipped", {}), 3);
  overwrite(t_.path("/cg/system.slice/busy.service/cpu.stat"), "usage_usec 5000100\n");
  out.clear();
  m.append(out);
  EXPECT_NE(find(out, "kscope_cgroup_cpu_seconds_total", {{"service", "busy.service"}}), nullptr);
  EXPECT_EQ(find(out, "kscope_cgroup_cpu_seconds_total", {{"service", "idle.service"}}), nullptr);
}

}  // namespace
}  // namespace kscope
