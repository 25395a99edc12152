#include "host/pressure.h"

#include <gtest/gtest.h>

#include "host/loadavg.h"
#include "host/test_sample.h"
#include "host/vmstat.h"

namespace kscope::host {
namespace {

TEST(Pressure, ParsesRealFiles) {
  Pressure cpu = parse_pressure(sample("pressure_cpu.txt"));
  ASSERT_TRUE(cpu.some_total_us.has_value());
  EXPECT_GT(*cpu.some_total_us, 0u);
  Pressure mem = parse_pressure(sample("pressure_memory.txt"));
  ASSERT_TRUE(mem.some_total_us && mem.full_total_us);
  EXPECT_GE(*mem.some_total_us, *mem.full_total_us);  // all stalled implies some stalled
}

TEST(Pressure, ReadsTotalWhereverItIs) {
  Pressure p = parse_pressure("some avg10=1.00 avg60=2.00 avg300=3.00 total=42\nfull total=7 avg10=0.00\n");
  EXPECT_EQ(*p.some_total_us, 42u);
  EXPECT_EQ(*p.full_total_us, 7u);
}

TEST(Pressure, HostileTextGivesNothing) {
  Pressure p = parse_pressure("some avg10=1.00 total=\nfull total=99999999999999999999999\nother total=5\n");
  EXPECT_FALSE(p.some_total_us.has_value());
  EXPECT_FALSE(p.full_total_us.has_value());
  EXPECT_FALSE(parse_pressure("").some_total_us.has_value());
  // irq has only "full".
  Pressure irq = parse_pressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=12\n");
  EXPECT_FALSE(irq.some_total_us.has_value());
  EXPECT_EQ(*irq.full_total_us, 12u);
}

TEST(LoadAvg, ParsesARealFile) {
  auto l = parse_loadavg(sample("loadavg.txt"));
  ASSERT_TRUE(l.has_value());
  EXPECT_GE(l->load1, 0);
  auto exact = parse_loadavg("0.38 1.13 1.39 2/132 25794\n");
  ASSERT_TRUE(exact.has_value());
  EXPECT_DOUBLE_EQ(exact->load1, 0.38);
  EXPECT_DOUBLE_EQ(exact->load5, 1.13);
  EXPECT_DOUBLE_EQ(exact->load15, 1.39);
}

TEST(LoadAvg, RejectsTruncatedText) {
  EXPECT_FALSE(parse_loadavg("").has_value());
  EXPECT_FALSE(parse_loadavg("0.38 1.13").has_value());
  EXPECT_FALSE(parse_loadavg("0.38 x 1.39").has_value());
  EXPECT_FALSE(parse_loadavg("0.38 1.13\n1.39").has_value());  // the numbers are on the first line
}

TEST(Vmstat, ParsesNodeExportersDefaultFields) {
  auto f = parse_vmstat(sample("vmstat.txt"));
  std::vector<std::string> names;
  for (const auto& x : f) names.push_back(x.name);
  for (const char* want : {"oom_kill", "pgpgin", "pgpgout", "pswpin", "pswpout", "pgfault", "pgmajfault"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
  for (const auto& n : names) EXPECT_TRUE(vmstat_field_exported(n)) << n;
  EXPECT_FALSE(vmstat_field_exported("nr_free_pages"));
  EXPECT_FALSE(vmstat_field_exported("pgsteal_kswapd"));
  EXPECT_TRUE(vmstat_field_exported("pgmajfault"));
}

TEST(Vmstat, SkipsHostileLines) {
  auto f = parse_vmstat("oom_kill\noom_kill x\npgfault 99999999999999999999999\npgfault\"} 1\noom_kill 3\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].name, "oom_kill");
  EXPECT_EQ(f[0].value, 3);
}

}  // namespace
}  // namespace kscope::host
