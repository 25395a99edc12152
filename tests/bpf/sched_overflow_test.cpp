// Full maps: more distinct off-CPU stacks than probes.offcpu.max_stacks.
// What does not fit is folded into "other" or marked lost, and counted in
// kscope_map_overflow_total; no block's time disappears.
#include <unistd.h>

#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "bpf_test_support.h"
#include "probes/sched_probe.h"
#include "sched_workload.h"

namespace kscope {
namespace {

using testing::Workload;
using testing::workload_path;

TEST(SchedOverflowTest, FullStackMapsAreCountedAndNoTimeIsLost) {
  if (geteuid() != 0) GTEST_SKIP() << "loading BPF programs needs root";
  ASSERT_TRUE(std::filesystem::exists(workload_path("stack_fanout"))) << "workloads not built";
  constexpr int kStacks = 300;
  Workload fanout({workload_path("stack_fanout"), std::to_string(kStacks)});

  Config config = testing::quiet_config();
  config.probes.offcpu.enabled = true;
  config.probes.offcpu.max_stacks = 64;
  config.filter_pid = static_cast<uint32_t>(fanout.pid());
  auto probe = create_sched_probe();
  auto st = probe->start(config);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  ASSERT_TRUE(fanout.send('g'));
  ASSERT_EQ(fanout.read_line(), "done");

  uint64_t blocks = 0, other = 0, lost_user = 0, ns = 0;
  for (const auto& s : probe->offcpu_stacks()) {
    blocks += s.count;
    ns += s.weight;
    if (s.other) other += s.count;
    if (s.user_lost) lost_user += s.count;
  }
  OffcpuStats stats = probe->offcpu_stats();
  // Every recorded block is in exactly one entry, "other" included.
  EXPECT_EQ(blocks, stats.recorded);
  // A sleep whose task was preempted before it could block and only ran
  // again after the timer fired never blocked (the kernel does not count a
  // voluntary switch either): on a busy host a few of the 300 do that.
  EXPECT_GE(blocks, static_cast<uint64_t>(kStacks * 9 / 10));
  EXPECT_GE(static_cast<double>(ns), blocks * 2e6);
  // 300 stacks in a 64-bucket stack map: most collide and are lost (their
  // time stays, under the process with no user stack). The key map has as
  // many entries as there are stack ids, so it may or may not fill.
  EXPECT_GT(lost_user, 0u);

  auto overflows = testing::overflows_by_map(*probe);
  EXPECT_EQ(overflows["offcpu_time"], other);
  EXPECT_GE(overflows["offcpu_user_stacks"], lost_user > 0 ? 1u : 0u);
  EXPECT_EQ(overflows["sched_task"], 0u);
  EXPECT_EQ(fanout.finish(), 0);
}

}  // namespace
}  // namespace kscope
