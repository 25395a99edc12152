#include "host/proc_stat.h"

#include <gtest/gtest.h>

#include "host/test_sample.h"

namespace kscope::host {
namespace {

TEST(KernelStat, ParsesARealFile) {
  // testdata/stat.txt: a 2-CPU VM, kernel 6.18.
  KernelStat s = parse_kernel_stat(sample("stat.txt"));
  ASSERT_EQ(s.cpus.size(), 2u);
  EXPECT_EQ(s.cpus[0].cpu, 0u);
  EXPECT_EQ(s.cpus[1].cpu, 1u);
  EXPECT_GT(s.cpus[0].ticks[kIdle], 0u);
  EXPECT_GT(s.cpus[1].ticks[kUser], 0u);
  ASSERT_TRUE(s.context_switches && s.boot_time && s.forks && s.interrupts);
  EXPECT_GT(*s.boot_time, 1'500'000'000u);
  EXPECT_TRUE(s.procs_running.has_value());
  EXPECT_TRUE(s.procs_blocked.has_value());
  EXPECT_EQ(s.cpus_dropped, 0u);
}

TEST(KernelStat, ReadsEachModeInTheKernelsOrder) {
  KernelStat s = parse_kernel_stat(
      "cpu  10 20 30 40 50 60 70 80 90 100\n"
      "cpu7 1 2 3 4 5 6 7 8 9 10\n"
      "ctxt 123\nbtime 1700000000\nprocesses 9\nprocs_running 3\nprocs_blocked 1\n");
  ASSERT_EQ(s.cpus.size(), 1u);  // the "cpu" total line is not a CPU
  EXPECT_EQ(s.cpus[0].cpu, 7u);
  for (size_t m = 0; m < kCpuModes; ++m) EXPECT_EQ(s.cpus[0].ticks[m], m + 1);
  EXPECT_EQ(*s.context_switches, 123u);
  EXPECT_EQ(*s.procs_running, 3u);
  EXPECT_EQ(*s.procs_blocked, 1u);
}

TEST(KernelStat, OldKernelsLackTheLastModes) {
  // Before 2.6.33 there is no guest_nice, before 2.6.11 no steal: they read 0.
  KernelStat s = parse_kernel_stat("cpu0 1 2 3 4 5 6 7\n");
  ASSERT_EQ(s.cpus.size(), 1u);
  EXPECT_EQ(s.cpus[0].ticks[kSoftirq], 7u);
  EXPECT_EQ(s.cpus[0].ticks[kSteal], 0u);
}

TEST(KernelStat, SkipsHostileLines) {
  KernelStat s = parse_kernel_stat(
      "cpu0 1 2\n"                                   // truncated: fewer than four modes
      "cpu1 1 2 x 4\n"                               // not a number
      "cpu2 99999999999999999999999 2 3 4\n"         // past 64 bits
      "cpuX 1 2 3 4\n"                               // not a CPU number
      "cpu99999999999 1 2 3 4\n"                     // past 32 bits
      "ctxt\nbtime -5\nprocs_running 18446744073709551615\n");
  EXPECT_TRUE(s.cpus.empty());
  EXPECT_FALSE(s.context_switches.has_value());
  EXPECT_FALSE(s.boot_time.has_value());
  EXPECT_EQ(*s.procs_running, UINT64_MAX);
}

TEST(KernelStat, KeepsAtMostTheCpuCap) {
  std::string text;
  for (size_t i = 0; i < kMaxCpus + 10; ++i) text += "cpu" + std::to_string(i) + " 1 2 3 4\n";
  KernelStat s = parse_kernel_stat(text);
  EXPECT_EQ(s.cpus.size(), kMaxCpus);
  EXPECT_EQ(s.cpus_dropped, 10u);
}

}  // namespace
}  // namespace kscope::host
