// What an hour of history costs in memory and time, for a given churn of
// series: SERIES latency histograms, of which a random CHANGED fraction
// grows each 1 s interval, each change touching BUCKETS fine buckets (a busy
// process's syscall spreads over 5-15). Simulated time, so an hour takes
// seconds; prints the history's bytes, frames and series at 1, 5, 15, 30
// and 60 minutes, the process's resident memory after a malloc_trim (what
// the history really costs, fragmentation included: each snapshot is built
// and freed between the frames, as in kscope) and the append time.
//   build/bench/history_bench [series] [changed_fraction] [buckets]
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "history/history.h"

static double resident_mb() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

int main(int argc, char** argv) {
  using namespace kscope;
  using Clock = std::chrono::system_clock;
  const size_t series = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 3000;
  const double changed = argc > 2 ? std::atof(argv[2]) : 0.15;
  const int buckets = argc > 3 ? std::atoi(argv[3]) : 8;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> coin(0, 1);

  // The cumulative state the collector would read from the kernel.
  std::vector<Histogram> state(series);
  std::vector<Labels> labels(series);
  for (size_t i = 0; i < series; ++i) {
    labels[i] = {{"syscall", "sys" + std::to_string(i % 40)}, {"comm", "proc" + std::to_string(i / 40)}};
  }
  History history;
  const auto t0 = Clock::time_point(std::chrono::hours(24 * 365 * 50));
  std::vector<double> append_us;
  std::printf("series=%zu changed/s=%.0f%% buckets/change=%d\n", series, changed * 100, buckets);
  std::printf("minute  history_MB  rss_MB  frames  series  growth_B/s(last minute)\n");
  size_t bytes_a_minute_ago = 0;
  for (int s = 0; s <= 3600; ++s) {
    for (size_t i = 0; i < series; ++i) {
      if (s > 0 && coin(rng) >= changed) continue;
      // A latency around this series' own typical value: its changes fall
      // in a few neighbouring buckets, as a real syscall's do.
      const uint64_t base = 1000 + (i * 7919) % 5'000'000;
      for (int b = 0; b < buckets; ++b) state[i].record_ns(base + (rng() % base) * b / 2);
    }
    auto snap = std::make_shared<Snapshot>();
    snap->taken_at = t0 + std::chrono::seconds(s);
    snap->sequence = static_cast<uint64_t>(s);
    Family f{"kscope_syscall_latency_seconds", "Latency.", MetricType::kHistogram, {}};
    f.series.reserve(series);
    for (size_t i = 0; i < series; ++i) f.series.push_back({labels[i], 0, state[i]});
    snap->families.push_back(std::move(f));
    const auto a0 = std::chrono::steady_clock::now();
    history.append(std::move(snap));
    append_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a0).count());
    if (s % 60 == 0 && s > 0) {
      const int minute = s / 60;
      const auto st = history.stats();
      if (minute == 1 || minute == 5 || minute == 15 || minute == 30 || minute == 60) {
        malloc_trim(0);
        std::printf("%6d  %10.1f  %6.1f  %6zu  %6zu  %zu\n", minute, st.bytes / 1048576.0, resident_mb(), st.frames,
                    st.series, (st.bytes - std::min(st.bytes, bytes_a_minute_ago)) / 60);
      }
      bytes_a_minute_ago = st.bytes;
    }
  }
  std::sort(append_us.begin(), append_us.end());
  std::printf("append p50=%.0f us p99=%.0f us max=%.0f us\n", append_us[append_us.size() / 2],
              append_us[append_us.size() * 99 / 100], append_us.back());
  return 0;
}
