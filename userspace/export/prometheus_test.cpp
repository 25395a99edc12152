#include "export/prometheus.h"

#include <gtest/gtest.h>

#include "export/own_buckets_snapshot.h"

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

// The HTTP durations carry OpenTelemetry's boundaries (Family::le_seconds);
// every other histogram keeps the configured ones, in the same body.
TEST(Prometheus, AFamilyWithItsOwnBucketsIsExportedAtThem) {
  std::string out = render_prometheus(own_buckets_snapshot(), {1e-3, 1});
  EXPECT_NE(out.find("a_seconds_bucket{le=\"0.001\"} 0\na_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("b_seconds_bucket{le=\"0.005\"} 1\nb_seconds_bucket{le=\"0.025\"} 2\n"
                     "b_seconds_bucket{le=\"+Inf\"} 2\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("b_seconds_bucket{le=\"0.001\"}"), std::string::npos) << out;
}

TEST(Prometheus, HistogramWithoutLabelsHasOnlyLe) {
  Histogram h;
  h.record_ns(2'050'000);
  Snapshot s;
  s.families.push_back({"kscope_tcp_connect_latency_seconds", "Connect.", MetricType::kHistogram, {{{}, 0, h}}});
  std::string out = render_prometheus(s, {1e-3, 2.5e-3});
  EXPECT_NE(out.find("kscope_tcp_connect_latency_seconds_bucket{le=\"0.001\"} 0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("kscope_tcp_connect_latency_seconds_bucket{le=\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("kscope_tcp_connect_latency_seconds_sum 0.00205\n"), std::string::npos) << out;
  EXPECT_NE(out.find("kscope_tcp_connect_latency_seconds_count 1\n"), std::string::npos);
}

// Labels are escaped once per series and reused on each of its lines: every
// line carries the same escaped text, for plain values and hostile ones.
TEST(Prometheus, EveryHistogramLineCarriesTheEscapedLabels) {
  Histogram h;
  h.record_ns(20'000);
  Snapshot s;
  s.families.push_back({"kscope_syscall_latency_seconds", "Latency.", MetricType::kHistogram,
                        {{{{"syscall", "read"}, {"comm", "plain-name_1"}}, 0, h},
                         {{{"syscall", "read"}, {"comm", "q\"b\\s\nn caf\xc3\xa9 \x01\xff"}}, 0, h}}});
  std::string out = render_prometheus(s, default_le_seconds());
  const std::string plain = "{syscall=\"read\",comm=\"plain-name_1\"";
  const std::string hostile = "{syscall=\"read\",comm=\"q\\\"b\\\\s\\nn caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD\"";
  size_t lines = 0, with_plain = 0, with_hostile = 0;
  for (size_t pos = 0; pos < out.size();) {
    size_t end = out.find('\n', pos);
    std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("kscope_syscall_latency_seconds", 0) != 0) continue;
    ++lines;
    with_plain += line.find(plain) != std::string::npos;
    with_hostile += line.find(hostile) != std::string::npos;
  }
  const size_t per_series = default_le_seconds().size() + 3;
  EXPECT_EQ(lines, 2 * per_series) << out;
  EXPECT_EQ(with_plain, per_series) << out;
  EXPECT_EQ(with_hostile, per_series) << out;
  EXPECT_NE(out.find(plain + ",le=\"+Inf\"} 1\n"), std::string::npos) << out;
}

TEST(Prometheus, GaugesAndCountersInShortestForm) {
  Snapshot s;
  s.families.push_back({"kscope_runqueue_length", "Len.", MetricType::kGauge,
                        {{{{"cpu", "0"}}, 0.1, {}}, {{{"cpu", "1"}}, -3, {}}, {{{"cpu", "2"}}, 1e20, {}}}});
  std::string out = render_prometheus(s, default_le_seconds());
  EXPECT_NE(out.find("kscope_runqueue_length{cpu=\"0\"} 0.1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("kscope_runqueue_length{cpu=\"1\"} -3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("kscope_runqueue_length{cpu=\"2\"} 1e+20\n"), std::string::npos) << out;
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

// A size histogram's buckets are bytes: a 4 KiB request is at le="4096",
// not below it, and the sum is bytes.
TEST(Prometheus, SizeHistogramsInBytes) {
  Histogram h;
  for (int k = 0; k < 3; ++k) h.record_ns(4096 - 1);
  h.sum_seconds = 3 * 4096e-9;
  Family f{"kscope_block_io_size_bytes", "Sizes.", MetricType::kHistogram, {{{{"device", "vda"}}, 0, h}}};
  f.unit = HistogramUnit::kBytes;
  Snapshot s;
  s.families.push_back(f);
  const std::string text = render_prometheus(s, default_le_seconds());
  EXPECT_NE(text.find("kscope_block_io_size_bytes_bucket{device=\"vda\",le=\"2048\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("kscope_block_io_size_bytes_bucket{device=\"vda\",le=\"4096\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("kscope_block_io_size_bytes_bucket{device=\"vda\",le=\"4194304\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("kscope_block_io_size_bytes_sum{device=\"vda\"} 12288\n"), std::string::npos);
  EXPECT_EQ(text.find("le=\"0.01\""), std::string::npos);
}

}  // namespace kscope
