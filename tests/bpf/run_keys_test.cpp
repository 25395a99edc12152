// kscope run's off-CPU and on-CPU probes (StackKeys::kOmit, what the registry
// starts) key by breakdown target alone: a process blocking from 60 distinct
// stacks is one kernel map entry, no stack is walked, and the entry of a
// target idle for series_ttl leaves the map.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "bpf_test_support.h"
#include "probes/profile_probe.h"
#include "probes/sched_probe.h"
#include "sched_workload.h"

namespace kscope {
namespace {

using testing::Workload;
using testing::workload_path;

double family_total(const std::vector<Family>& families, const std::string& name) {
  double total = 0;
  for (const auto& f : families) {
    if (f.name != name) continue;
    for (const auto& s : f.series) total += s.value;
  }
  return total;
}

TEST(RunKeysTest, OffCpuTimeIsOneEntryPerTargetWithoutStackWalks) {
  KSCOPE_REQUIRE_BPF();
  ASSERT_TRUE(std::filesystem::exists(workload_path("stack_fanout"))) << "workloads not built";
  constexpr int kStacks = 60;
  Workload fanout({workload_path("stack_fanout"), std::to_string(kStacks)});

  Config config = testing::quiet_config();
  config.breakdown = Breakdown::kComm;
  config.series_ttl = std::chrono::seconds(1);
  config.probes.offcpu.enabled = true;
  config.filter_pid = static_cast<uint32_t>(fanout.pid());
  auto probe = create_sched_probe(StackKeys::kOmit);
  auto st = probe->start(config);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  ASSERT_TRUE(fanout.send('g'));
  ASSERT_EQ(fanout.read_line(), "done");

  auto read_at = std::chrono::steady_clock::now();
  auto entries = probe->offcpu_stacks();
  ASSERT_EQ(entries.size(), 1u) << "60 stacks of one process, keyed by target: one entry";
  const StackSample& e = entries[0];
  EXPECT_TRUE(e.user.empty() && e.kernel.empty() && !e.user_lost && !e.other);
  OffcpuStats stats = probe->offcpu_stats();
  EXPECT_EQ(e.count, stats.recorded);
  // As in sched_overflow_test: a few sleeps may never block on a busy host.
  EXPECT_GE(e.count, static_cast<uint64_t>(kStacks * 9 / 10));
  EXPECT_GE(static_cast<double>(e.weight), double(e.count) * 2e6);
  EXPECT_EQ(stats.stack_walks + stats.stack_hits, 0u) << "no user stack is read without stacks";

  std::vector<Family> families;
  CollectContext ctx{config, families};
  probe->collect(ctx);
  // The same time, plus what its read of stdin accrued in between.
  double between = std::chrono::duration<double>(std::chrono::steady_clock::now() - read_at).count();
  double exported = family_total(families, "kscope_offcpu_seconds_total");
  EXPECT_GE(exported, double(e.weight) / 1e9 - 1e-9);
  EXPECT_LE(exported, double(e.weight) / 1e9 + between + 1e-3);
  auto ovf = testing::overflows_by_map(*probe);
  EXPECT_EQ(ovf["offcpu_time"] + ovf["offcpu_user_stacks"] + ovf["offcpu_kernel_stacks"], 0u);

  // Gone for series_ttl (a blocked process still accrues off-CPU time, an
  // exited one does not): the key leaves the kernel map, and what was
  // counted leaves with it.
  EXPECT_EQ(fanout.finish(), 0);
  bool gone = false;
  for (int i = 0; i < 40 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    families.clear();
    probe->collect(ctx);
    gone = probe->offcpu_stacks().empty();
  }
  EXPECT_TRUE(gone) << "the idle target's key is still in offcpu_time after series_ttl";
}

TEST(RunKeysTest, CpuSamplesAreOneEntryPerTargetWithoutStacks) {
  KSCOPE_REQUIRE_BPF();
  ASSERT_TRUE(std::filesystem::exists(workload_path("cpu_burner"))) << "workloads not built";
  Workload burner({workload_path("cpu_burner"), "1"});

  Config config = testing::quiet_config();
  config.breakdown = Breakdown::kComm;
  config.probes.profile.enabled = true;
  config.probes.profile.frequency = 999;
  config.filter_pid = static_cast<uint32_t>(burner.pid());
  auto probe = create_profile_probe(StackKeys::kOmit);
  auto st = probe->start(config);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  ASSERT_EQ(burner.read_line(), "done");

  auto entries = probe->cpu_stacks();
  ASSERT_EQ(entries.size(), 1u) << "one process keyed by target: one entry, whatever its stacks";
  const StackSample& e = entries[0];
  EXPECT_TRUE(e.user.empty() && e.kernel.empty() && !e.user_lost && !e.kernel_lost && !e.other);
  // Up to 999 samples per second of CPU the burner got (the CPUs are shared).
  EXPECT_GT(e.count, 50u);
  EXPECT_LE(e.count, 999u * 11 / 10);

  std::vector<Family> families;
  CollectContext ctx{config, families};
  probe->collect(ctx);
  EXPECT_EQ(family_total(families, "kscope_cpu_samples_total"), double(e.count));
  auto ovf = testing::overflows_by_map(*probe);
  EXPECT_EQ(ovf["profile_samples"] + ovf["profile_stacks"], 0u);
  EXPECT_EQ(burner.finish(), 0);
}

}  // namespace
}  // namespace kscope
