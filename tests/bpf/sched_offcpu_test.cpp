// Off-CPU time and context switches against a workload whose truth is known:
// 10 nanosleeps of 200 ms, and the kernel's own per-task switch counters.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "bpf_test_support.h"
#include "model/target_labels.h"
#include "probes/sched_probe.h"
#include "sched_workload.h"
#include "symbolize/symbolizer.h"

namespace kscope {
namespace {

using testing::Workload;
using testing::workload_path;

// The kernel's count of the times the process (its one thread) blocked.
uint64_t voluntary_switches(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stoull(line.substr(24));
  }
  ADD_FAILURE() << "no voluntary_ctxt_switches for " << pid;
  return 0;
}

bool wait_for_state(pid_t pid, char state) {
  for (int i = 0; i < 400; ++i) {
    if (testing::proc_state(pid) == state) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

bool contains(const std::vector<Frame>& frames, const std::string& name) {
  for (const auto& f : frames) {
    if (f.function == name) return true;
  }
  return false;
}

std::string describe(const std::vector<Frame>& frames) {
  std::string out;
  for (const auto& f : frames) out += f.function + ";";
  return out;
}

TEST(SchedOffcpuTest, SleeperOffCpuTimeStackAndExactSwitchCounts) {
  if (geteuid() != 0) GTEST_SKIP() << "loading BPF programs needs root";
  ASSERT_TRUE(std::filesystem::exists(workload_path("offcpu_sleeper"))) << "workloads not built";

  Workload sleeper({workload_path("offcpu_sleeper")});
  ASSERT_TRUE(wait_for_state(sleeper.pid(), 'S')) << "the sleeper should block reading stdin";
  long long vol0 = testing::proc_status_field(sleeper.pid(), "voluntary_ctxt_switches");
  long long invol0 = testing::proc_status_field(sleeper.pid(), "nonvoluntary_ctxt_switches");

  Config config = testing::quiet_config();
  config.probes.sched.enabled = config.probes.offcpu.enabled = true;
  config.probes.offcpu.min_block = std::chrono::milliseconds(1);
  config.filter_pid = static_cast<uint32_t>(sleeper.pid());
  auto probe = create_sched_probe();
  auto st = probe->start(config);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  ASSERT_TRUE(sleeper.send('g'));
  ASSERT_EQ(sleeper.read_line(), "done");
  ASSERT_TRUE(wait_for_state(sleeper.pid(), 'S')) << "the sleeper should block reading stdin again";
  long long vol1 = testing::proc_status_field(sleeper.pid(), "voluntary_ctxt_switches");
  long long invol1 = testing::proc_status_field(sleeper.pid(), "nonvoluntary_ctxt_switches");

  // The kernel's counters and kscope's count the same switches: 10 sleeps
  // and the final read, plus whatever preemption happened.
  auto [vol, invol] = probe->context_switches();
  EXPECT_EQ(vol, static_cast<uint64_t>(vol1 - vol0));
  EXPECT_EQ(invol, static_cast<uint64_t>(invol1 - invol0));
  EXPECT_GE(vol, 11u);

  Symbolizer sym;
  uint64_t ns = 0, blocks = 0, all_ns = 0;
  std::string seen;
  auto read_at = std::chrono::steady_clock::now();
  for (const auto& s : probe->offcpu_stacks()) {
    all_ns += s.weight;
    ASSERT_EQ(s.tgid, static_cast<uint32_t>(sleeper.pid())) << "the pid filter lets nothing else in";
    auto user = sym.symbolize_user(sleeper.pid(), s.user);
    auto kernel = sym.symbolize_kernel(s.kernel);
    seen += describe(kernel) + "|" + describe(user) + " " + std::to_string(s.weight) + "\n";
    if (!contains(user, "sleeper_loop")) continue;
    // The kernel drops __sched functions (schedule, do_nanosleep) from the
    // stacks of tasks that are not running: the path starts one level up.
    EXPECT_TRUE(contains(kernel, "hrtimer_nanosleep")) << describe(kernel);
    EXPECT_TRUE(contains(kernel, "__x64_sys_clock_nanosleep") || contains(kernel, "__x64_sys_nanosleep"))
        << describe(kernel);
    EXPECT_TRUE(contains(user, "main")) << describe(user);
    EXPECT_EQ(s.comm, "offcpu_sleeper");
    ns += s.weight;
    blocks += s.count;
  }
  EXPECT_EQ(blocks, 10u) << seen;
  EXPECT_NEAR(static_cast<double>(ns) / 1e9, 2.0, 0.2) << seen;

  // The user stack was walked once for the sleeps (then reused from the
  // task's cache) and once for the final read.
  OffcpuStats stats = probe->offcpu_stats();
  EXPECT_EQ(stats.blocks, vol);
  EXPECT_EQ(stats.stack_hits, 9u);
  EXPECT_EQ(stats.stack_walks, 2u);
  // The sleeps, and the read of stdin that was in progress at the start
  // when it lasted min_block (1 ms) past it.
  EXPECT_GE(stats.recorded, 10u);
  EXPECT_LE(stats.recorded, 11u);

  // The metric carries the same total, under the process name.
  std::vector<Family> families;
  CollectContext ctx{config, families};
  probe->collect(ctx);
  double metric = -1;
  for (const auto& f : families) {
    if (f.name != "kscope_offcpu_seconds_total") continue;
    for (const auto& series : f.series) {
      if (const auto* comm = series.label("comm"); comm && *comm == "offcpu_sleeper") metric = series.value;
    }
  }
  // The same time as the stacks (the sleeps, and the reads of stdin before
  // and after, counted as they pass), plus what the blocked read accrued
  // between the two reads.
  double between = std::chrono::duration<double>(std::chrono::steady_clock::now() - read_at).count();
  EXPECT_GE(metric, static_cast<double>(all_ns) / 1e9 - 1e-9);
  EXPECT_LE(metric, static_cast<double>(all_ns) / 1e9 + between + 1e-3);
  EXPECT_EQ(sleeper.finish(), 0);
}

// The CPU budget's detach/attach: a task that blocked while the probe was
// attached and wakes after it was detached and attached again is not
// recorded with a block that spans the detached period.
TEST(SchedOffcpuTest, ABlockAcrossADetachIsNotRecorded) {
  KSCOPE_REQUIRE_BPF();
  // CMake builds the workloads before this binary: missing is a broken build.
  ASSERT_TRUE(std::filesystem::exists(workload_path("offcpu_sleeper"))) << "workloads not built";
  Workload sleeper({workload_path("offcpu_sleeper")});
  ASSERT_TRUE(wait_for_state(sleeper.pid(), 'S'));
  Config config = testing::quiet_config();
  config.probes.sched.enabled = config.probes.offcpu.enabled = true;
  config.filter_pid = static_cast<uint32_t>(sleeper.pid());
  auto probe = create_sched_probe();
  auto st = probe->start(config);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  const uint64_t switches_before = voluntary_switches(sleeper.pid());
  ASSERT_TRUE(sleeper.send('g'));  // 10 x 200 ms, then blocks reading stdin
  ASSERT_EQ(sleeper.read_line(), "done");
  ASSERT_TRUE(wait_for_state(sleeper.pid(), 'S'));
  // The kernel's own count of the times the sleeper blocked: each sleep
  // that blocked, and the read after "done". A sleep need not block: on a
  // loaded host a task preempted between setting its sleep state and
  // calling schedule() is still runnable when its timer fires, and its 200
  // ms were spent waiting for a CPU, not off it (nor are they off-CPU time).
  // (Another block, a page fault waiting for the disk, would be one more,
  // and recorded too: the time bound counts at most the 10 sleeps.)
  const uint64_t sleeps_blocked = voluntary_switches(sleeper.pid()) - switches_before - 1;
  ASSERT_TRUE(probe->detach().ok());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(probe->attach().ok());
  ASSERT_TRUE(sleeper.send('g'));  // wakes the read that began before the detach
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(wait_for_state(sleeper.pid(), 'S'));

  uint64_t ns = 0, blocks = 0, longest = 0;
  std::string entries;  // what the map held, for a failure's message
  for (const auto& s : probe->offcpu_stacks()) {
    ns += s.weight;
    blocks += s.count;
    if (s.count > 0) longest = std::max(longest, s.weight / s.count);
    entries += std::to_string(s.count) + " blocks " + std::to_string(s.weight) + " ns (" +
               std::to_string(s.user.size()) + " user, " + std::to_string(s.kernel.size()) + " kernel frames); ";
  }
  for (const auto& [name, n] : probe->map_overflows()) entries += name + " overflow " + std::to_string(n) + "; ";
  // Every sleep that blocked; the reads of stdin count only from an attach
  // on (the first from the start, the second from the re-attach): never
  // the second spent detached.
  entries += std::to_string(sleeps_blocked) + " of 10 sleeps blocked (voluntary switches)";
  EXPECT_GE(blocks, sleeps_blocked) << entries;
  EXPECT_LE(blocks, sleeps_blocked + 2) << entries;
  EXPECT_GE(static_cast<double>(ns) / 1e9, 0.19 * double(std::min<uint64_t>(sleeps_blocked, 10))) << entries;
  EXPECT_LT(static_cast<double>(ns) / 1e9, 2.6) << entries;
  EXPECT_LT(longest, 900'000'000u) << entries;
  EXPECT_EQ(sleeper.finish(), 0);
}

// Off-CPU time accrues as it passes: a thread blocked the whole time (since
// before the probe started) adds at most one second per second to every
// interval, and in total the time it was watched.
TEST(SchedOffcpuTest, ABlockInProgressAccruesAtMostOneSecondPerSecond) {
  KSCOPE_REQUIRE_BPF();
  ASSERT_TRUE(std::filesystem::exists(workload_path("offcpu_sleeper"))) << "workloads not built";
  Workload sleeper({workload_path("offcpu_sleeper")});  // blocks reading stdin
  ASSERT_TRUE(wait_for_state(sleeper.pid(), 'S'));
  Config config = testing::quiet_config();
  config.breakdown = Breakdown::kComm;
  config.probes.sched.enabled = config.probes.offcpu.enabled = true;
  config.filter_pid = static_cast<uint32_t>(sleeper.pid());
  auto probe = create_sched_probe();
  // Counting begins somewhere inside start() (loading takes a while under
  // a sanitizer on a busy host): the total lies between the time watched
  // from after start() and the time from before it.
  auto started = std::chrono::steady_clock::now();
  auto st = probe->start(config);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  auto attached = std::chrono::steady_clock::now();

  auto offcpu_seconds = [&] {
    std::vector<Family> families;
    CollectContext ctx{config, families};
    probe->collect(ctx);
    for (const auto& f : families) {
      if (f.name != "kscope_offcpu_seconds_total") continue;
      for (const auto& series : f.series) {
        if (const auto* comm = series.label("comm"); comm && *comm == "offcpu_sleeper") return series.value;
      }
    }
    return 0.0;
  };
  // The kernel counts up to a moment inside each read (collect() is slow
  // under a sanitizer): an interval lies between the time from the end of
  // one read to the start of the next and the time from the start of one
  // to the end of the next.
  using Clock = std::chrono::steady_clock;
  auto last_before = Clock::now();
  double last = offcpu_seconds();
  auto last_after = Clock::now();
  std::string intervals;
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto before = Clock::now();
    double now_value = offcpu_seconds();
    auto after = Clock::now();
    double wall_max = std::chrono::duration<double>(after - last_before).count();
    double wall_min = std::chrono::duration<double>(before - last_after).count();
    double added = now_value - last;
    intervals += std::to_string(added) + "/" + std::to_string(wall_min) + ".." + std::to_string(wall_max) + " ";
    EXPECT_LE(added, wall_max + 1e-3) << "more than one second per second: " << intervals;
    EXPECT_GE(added, wall_min - 0.05) << "the blocked thread's time is missing: " << intervals;
    last = now_value;
    last_before = before;
    last_after = after;
  }
  double at_most = std::chrono::duration<double>(last_after - started).count();
  double at_least = std::chrono::duration<double>(last_before - attached).count();
  EXPECT_LE(last, at_most + 1e-3) << intervals;
  EXPECT_GE(last, at_least - 0.05) << intervals;
  EXPECT_EQ(testing::proc_state(sleeper.pid()), 'S') << "blocked all along";
  sleeper.finish();  // exits 1: stdin closes before its byte came
}

// The cgroup filter is set before load and applies to tasks that are not
// current too (the wakee, next): only the sleeper inside the cgroup counts.
TEST(SchedOffcpuTest, CgroupFilterSelectsOnlyTasksInsideIt) {
  if (geteuid() != 0) GTEST_SKIP() << "loading BPF programs needs root";
  ASSERT_TRUE(std::filesystem::exists(workload_path("offcpu_sleeper"))) << "workloads not built";
  // The filter path is relative to the cgroup v2 mount, wherever it is (a
  // hybrid host mounts it at /sys/fs/cgroup/unified).
  const std::string v2 = CgroupPaths::cgroup2_mount();
  const std::string name = "/kscope-sched-test-" + std::to_string(getpid());
  const std::string dir = v2 + name;
  if (mkdir(dir.c_str(), 0755) != 0) GTEST_SKIP() << "cannot create a cgroup v2 at " << dir;
  // Removed when the test ends, after the workloads (declared below) died.
  struct RemoveDir {
    std::string path;
    ~RemoveDir() { rmdir(path.c_str()); }
  } remove_dir{dir};

  {
    Workload inside({workload_path("offcpu_sleeper")});
    Workload outside({workload_path("offcpu_sleeper")});
    std::ofstream(dir + "/cgroup.procs") << inside.pid() << std::endl;
    ASSERT_TRUE(wait_for_state(inside.pid(), 'S'));
    long long vol0 = testing::proc_status_field(inside.pid(), "voluntary_ctxt_switches");

    Config config = testing::quiet_config();
    config.probes.sched.enabled = config.probes.offcpu.enabled = true;
    config.filter_cgroup = name;
    auto probe = create_sched_probe();
    auto st = probe->start(config);
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    ASSERT_TRUE(inside.send('g'));
    ASSERT_TRUE(outside.send('g'));
    ASSERT_EQ(inside.read_line(), "done");
    ASSERT_EQ(outside.read_line(), "done");
    ASSERT_TRUE(wait_for_state(inside.pid(), 'S'));
    long long vol1 = testing::proc_status_field(inside.pid(), "voluntary_ctxt_switches");

    EXPECT_EQ(probe->context_switches().first, static_cast<uint64_t>(vol1 - vol0));
    uint64_t ns = 0;
    for (const auto& s : probe->offcpu_stacks()) {
      EXPECT_EQ(s.tgid, static_cast<uint32_t>(inside.pid()));
      ns += s.weight;
    }
    EXPECT_NEAR(static_cast<double>(ns) / 1e9, 2.0, 0.2);
    EXPECT_EQ(inside.finish(), 0);
  }
}

}  // namespace
}  // namespace kscope
