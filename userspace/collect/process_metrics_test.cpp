#include "collect/process_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace kscope {
namespace {

TEST(ProcessStat, CountsFieldsFromTheLastParenthesis) {
  // A process may call itself ") S 1 2 (": the fields after the name start
  // at the last ')'.
  std::string line =
      "4242 (a) S 1 2 (x)) R 1 4242 4242 0 -1 4194560 900 0 0 0 250 125 0 0 20 0 7 0 123456 987654321 2048 "
      "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
  auto s = parse_proc_stat(line);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->utime_ticks, 250u);
  EXPECT_EQ(s->stime_ticks, 125u);
  EXPECT_EQ(s->threads, 7u);
  EXPECT_EQ(s->start_ticks, 123456u);
  EXPECT_EQ(s->vsize_bytes, 987654321u);
  EXPECT_EQ(s->rss_pages, 2048u);
}

TEST(ProcessStat, RejectsWhatIsNotAStatLine) {
  EXPECT_FALSE(parse_proc_stat("").has_value());
  EXPECT_FALSE(parse_proc_stat("no parenthesis here").has_value());
  EXPECT_FALSE(parse_proc_stat("1 (short) S 1 2").has_value());
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 ten 5 0 0 20 0 1 0 9 9 9").has_value());
}

TEST(ProcessMetrics, DescribeThisProcess) {
  std::ifstream in("/proc/self/stat");
  std::stringstream ss;
  ss << in.rdbuf();
  auto s = parse_proc_stat(ss.str());
  ASSERT_TRUE(s.has_value());
  EXPECT_GE(s->threads, 1u);
  EXPECT_GT(s->rss_pages, 0u);

  std::vector<Family> out;
  append_process_metrics(out);
  auto value = [&](const std::string& name) {
    for (const auto& f : out) {
      if (f.name == name) return f.series.at(0).value;
    }
    ADD_FAILURE() << name << " missing";
    return -1.0;
  };
  EXPECT_GT(value("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(value("process_cpu_seconds_total"), 0);
  EXPECT_GE(value("process_open_fds"), 3);  // stdin, stdout, stderr at least
  double start = value("process_start_time_seconds");
  EXPECT_GT(start, double(time(nullptr)) - 3600);  // started within the hour...
  EXPECT_LE(start, double(time(nullptr)) + 1);      // ...and not in the future
}

}  // namespace
}  // namespace kscope
