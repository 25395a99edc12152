#include "cgroups/cgroup_text.h"

#include <gtest/gtest.h>

#include <string>

namespace kscope {
namespace {

// cpu.stat of a throttled cgroup on a 6.x cgroup v2 kernel.
constexpr const char* kCpuStatV2 =
    "usage_usec 8357926\nuser_usec 5834573\nsystem_usec 2523352\ncore_sched.force_idle_usec 0\n"
    "nr_periods 120\nnr_throttled 95\nthrottled_usec 1908241\nnr_bursts 0\nburst_usec 0\n";
// cpu.stat of the v1 cpu controller (nanoseconds).
constexpr const char* kCpuStatV1 = "nr_periods 31\nnr_throttled 28\nthrottled_time 2741318440\nnr_bursts 0\nburst_time 0\n";

TEST(CgroupText, CpuStatV2) {
  auto s = parse_cpu_stat(kCpuStatV2);
  EXPECT_EQ(s.usage_usec, 8357926u);
  EXPECT_EQ(s.nr_periods, 120u);
  EXPECT_EQ(s.nr_throttled, 95u);
  ASSERT_TRUE(s.throttled_seconds);
  EXPECT_DOUBLE_EQ(*s.throttled_seconds, 1.908241);
}

TEST(CgroupText, CpuStatV1InNanoseconds) {
  auto s = parse_cpu_stat(kCpuStatV1);
  EXPECT_FALSE(s.usage_usec);
  EXPECT_EQ(s.nr_periods, 31u);
  EXPECT_EQ(s.nr_throttled, 28u);
  ASSERT_TRUE(s.throttled_seconds);
  EXPECT_DOUBLE_EQ(*s.throttled_seconds, 2.74131844);
}

TEST(CgroupText, HybridUnifiedCpuStatHasOnlyUsage) {
  // The cgroup2 of a hybrid host has no cpu controller: no throttling keys.
  auto s = parse_cpu_stat("usage_usec 22949132561\nuser_usec 19730942248\nsystem_usec 3218190312\nnice_usec 1\n");
  EXPECT_EQ(s.usage_usec, 22949132561u);
  EXPECT_FALSE(s.nr_periods);
  EXPECT_FALSE(s.throttled_seconds);
}

TEST(CgroupText, SingleNumbers) {
  EXPECT_EQ(parse_cgroup_u64("123456789\n"), 123456789u);
  EXPECT_EQ(parse_cgroup_u64("18446744073709551615\n"), UINT64_MAX);
  EXPECT_FALSE(parse_cgroup_u64("18446744073709551616\n"));  // overflow
  EXPECT_FALSE(parse_cgroup_u64(""));
  EXPECT_FALSE(parse_cgroup_u64("-1\n"));
  EXPECT_FALSE(parse_cgroup_u64("12 34\n"));
  EXPECT_FALSE(parse_cgroup_u64("0x10\n"));
}

TEST(CgroupText, MemoryLimits) {
  EXPECT_EQ(parse_memory_limit("8388608\n"), 8388608u);
  EXPECT_FALSE(parse_memory_limit("max\n"));                  // v2 unlimited
  EXPECT_FALSE(parse_memory_limit("9223372036854771712\n"));  // v1 unlimited, 4 KiB pages
  EXPECT_FALSE(parse_memory_limit("9223372036854710272\n"));  // v1 unlimited, 64 KiB pages
  EXPECT_FALSE(parse_memory_limit("lots\n"));
}

TEST(CgroupText, CpuLimits) {
  EXPECT_DOUBLE_EQ(*parse_cpu_max("10000 100000\n"), 0.1);
  EXPECT_DOUBLE_EQ(*parse_cpu_max("250000 100000\n"), 2.5);
  EXPECT_FALSE(parse_cpu_max("max 100000\n"));
  EXPECT_FALSE(parse_cpu_max("10000 0\n"));
  EXPECT_FALSE(parse_cpu_max("10000\n"));
  EXPECT_DOUBLE_EQ(*cpu_limit_from_cfs("10000\n", "100000\n"), 0.1);
  EXPECT_FALSE(cpu_limit_from_cfs("-1\n", "100000\n"));
  EXPECT_FALSE(cpu_limit_from_cfs("10000\n", "0\n"));
}

TEST(CgroupText, MemoryStatV2AndWorkingSet) {
  const char* text =
      "anon 1234944\nfile 8192000\nkernel 1048576\nkernel_stack 49152\npagetables 90112\nsock 0\nshmem 0\n"
      "file_mapped 1024000\nfile_dirty 0\nfile_writeback 0\ninactive_anon 1200000\nactive_anon 34944\n"
      "inactive_file 4096000\nactive_file 4096000\nunevictable 0\n";
  auto s = parse_memory_stat_v2(text);
  EXPECT_EQ(s.anon, 1234944u);
  EXPECT_EQ(s.file, 8192000u);
  EXPECT_EQ(s.inactive_file, 4096000u);
  EXPECT_EQ(working_set_bytes(10000000, s), 10000000u - 4096000u);
  EXPECT_EQ(working_set_bytes(1000, s), 0u);  // floored: stat and usage are not read atomically
}

TEST(CgroupText, MemoryStatV1UsesHierarchicalTotals) {
  const char* text =
      "cache 4096\nrss 8192\nrss_huge 0\nshmem 0\nmapped_file 0\ninactive_file 4096\nactive_file 0\n"
      "hierarchical_memory_limit 8388608\ntotal_cache 40960\ntotal_rss 81920\ntotal_inactive_file 20480\n";
  auto s = parse_memory_stat_v1(text);
  EXPECT_EQ(s.anon, 81920u);
  EXPECT_EQ(s.file, 40960u);
  EXPECT_EQ(s.inactive_file, 20480u);
}

TEST(CgroupText, MemoryEventsAndOomControl) {
  auto e = parse_memory_events("low 0\nhigh 7\nmax 42\noom 3\noom_kill 2\noom_group_kill 0\n");
  EXPECT_EQ(e.low, 0u);
  EXPECT_EQ(e.high, 7u);
  EXPECT_EQ(e.max, 42u);
  EXPECT_EQ(e.oom, 3u);
  EXPECT_EQ(e.oom_kill, 2u);
  EXPECT_EQ(parse_oom_control_kills("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"), 1u);
  EXPECT_FALSE(parse_oom_control_kills("oom_kill_disable 0\nunder_oom 0\n"));  // before Linux 4.13
}

TEST(CgroupText, HostileTextIsAbsentNotZero) {
  auto s = parse_cpu_stat("nr_periods\nnr_throttled -5\nthrottled_usec 1e9\n nr_periods 4\n\n\n");
  EXPECT_FALSE(s.nr_periods);
  EXPECT_FALSE(s.nr_throttled);
  EXPECT_FALSE(s.throttled_seconds);
  // Past the line bound nothing more is read.
  std::string many;
  for (size_t i = 0; i < kCgroupMaxLines; ++i) many += "x 1\n";
  many += "oom_kill 9\n";
  EXPECT_FALSE(parse_memory_events(many).oom_kill);
  // A NUL or a huge key does not confuse it.
  EXPECT_FALSE(parse_memory_events(std::string("oom_kill\0 3\n", 12)).oom_kill);
  EXPECT_FALSE(parse_memory_events(std::string(100000, 'a') + " 1\n").oom_kill);
}

}  // namespace
}  // namespace kscope
