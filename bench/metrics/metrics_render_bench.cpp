// /metrics render time for a large snapshot: N Prometheus series (sample
// lines; by default 10,000: 80% from latency histograms at the 19 default
// `le` boundaries + Inf + sum + count, 20% counters), rendered repeatedly;
// prints p50/p99/max in ms and the body size.
//   build/bench/metrics_render_bench [series] [renders]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "export/prometheus.h"

int main(int argc, char** argv) {
  using namespace kscope;
  size_t series = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
  int renders = argc > 2 ? std::atoi(argv[2]) : 200;
  std::mt19937_64 rng(1);
  Snapshot snap;
  Family hist{"kscope_syscall_latency_seconds", "Latency.", MetricType::kHistogram, {}};
  Family errors{"kscope_syscall_errors_total", "Errors.", MetricType::kCounter, {}};
  Family bytes{"kscope_syscall_bytes_total", "Bytes.", MetricType::kCounter, {}};
  const size_t lines_per_histogram = default_le_seconds().size() + 3;
  const size_t histograms = series * 8 / 10 / lines_per_histogram;
  const size_t counters = series - histograms * lines_per_histogram;
  for (size_t i = 0; i < histograms + counters; ++i) {
    Labels l{{"syscall", "sys" + std::to_string(i % 60)}, {"comm", "proc-\"" + std::to_string(i / 60) + "\""}};
    if (i < histograms) {
      Histogram h;
      for (int k = 0; k < 50; ++k) h.record_ns(rng() % 50'000'000);
      hist.series.push_back({l, 0, h});
    } else if (i % 2 == 0) {
      l.emplace_back("errno", "ENOENT");
      errors.series.push_back({l, double(rng() % 100000), {}});
    } else {
      bytes.series.push_back({l, double(rng()), {}});
    }
  }
  snap.families = {hist, errors, bytes};
  std::vector<double> ms;
  size_t size = 0;
  for (int i = 0; i < renders; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    std::string body = render_prometheus(snap, default_le_seconds());
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    size = body.size();
  }
  std::sort(ms.begin(), ms.end());
  std::printf("series=%zu renders=%d body=%.1f MB p50=%.2f ms p99=%.2f ms max=%.2f ms\n", series, renders,
              size / 1e6, ms[ms.size() / 2], ms[ms.size() * 99 / 100], ms.back());
  return 0;
}
