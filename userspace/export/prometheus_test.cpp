#include "export/prometheus.h"

#include <gtest/gtest.h>

namespace kscope {

TEST(Prometheus, RendersCountersWithEscapedLabels) {
  Snapshot s;
  s.families.push_back({"kscope_syscall_errors_total", "Errors.\nBy errno \\ name.", MetricType::kCounter,
                        {{{{"syscall", "openat"}, {"errno", "ENOENT"}, {"comm", "a\"b\\c\nd"}}, 5, {}}}});
  std::string out = render_prometheus(s, default_le_seconds());
  EXPECT_NE(out.find("# HELP kscope_syscall_errors_total Errors.\\nBy errno \\\\ name.\n"), std::string::npos);
  EXPECT_NE(out.find("# TYPE kscope_syscall_errors_total counter\n"), std::string::npos);
  EXPECT_NE(out.find("kscope_syscall_errors_total{syscall=\"openat\",errno=\"ENOENT\",comm=\"a\\\"b\\\\c\\nd\"} 5\n"),
            std::string::npos)
      << out;
}

TEST(Prometheus, HistogramHasCumulativeBucketsSumAndCount) {
  Histogram h;
  h.record_ns(2'050'000);
  h.record_ns(2'050'000);
  h.record_ns(20'000);
  Snapshot s;
  s.families.push_back({"kscope_syscall_latency_seconds", "Latency.", MetricType::kHistogram,
                        {{{{"syscall", "nanosleep"}}, 0, h}}});
  std::vector<double> le = {1e-3, 2.5e-3, 1};
  std::string out = render_prometheus(s, le);
  EXPECT_NE(out.find("kscope_syscall_latency_seconds_bucket{syscall=\"nanosleep\",le=\"0.001\"} 1\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("kscope_syscall_latency_seconds_bucket{syscall=\"nanosleep\",le=\"0.0025\"} 3\n"),
            std::string::npos);
  EXPECT_NE(out.find("kscope_syscall_latency_seconds_bucket{syscall=\"nanosleep\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(out.find("kscope_syscall_latency_seconds_count{syscall=\"nanosleep\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("kscope_syscall_latency_seconds_sum{syscall=\"nanosleep\"} 0.00412\n"), std::string::npos)
      << out;
}

TEST(Prometheus, EmptyFamiliesAreLeftOut) {
  Snapshot s;
  s.families.push_back({"kscope_empty_total", "Nothing.", MetricType::kCounter, {}});
  EXPECT_EQ(render_prometheus(s, default_le_seconds()), "");
}

TEST(Prometheus, NumbersInPrometheusSyntax) {
  EXPECT_EQ(prometheus_number(3), "3");
  EXPECT_EQ(prometheus_number(0.25), "0.25");
  EXPECT_EQ(prometheus_number(1.0 / 0.0), "+Inf");
  EXPECT_EQ(prometheus_number(1e-05), "1e-05");
}

}  // namespace kscope
