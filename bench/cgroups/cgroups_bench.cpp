// Cost of one interval of per-cgroup reading (userspace/cgroups) with N
// cgroups: creates N cgroups under every hierarchy kscope reads here (the
// v1 cpu, cpuacct, memory and blkio controllers on a hybrid host, and the
// cgroup2 hierarchy), reads them `intervals` times as the agent does each
// interval, and prints the time per interval. Root only; the cgroups are
// removed at the end.
//
//   sudo build/bench/cgroups_bench [cgroups=500] [intervals=50] [idle_refresh=10]
//
// The bench's cgroups hold no tasks, so with the agent's default
// idle_refresh (10) each is fully read every tenth interval; idle_refresh=1
// reads every file of every cgroup each interval, as if all were busy.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cgroups/cgroup_layout.h"
#include "cgroups/cgroup_metrics.h"
#include "cgroups/cgroup_tree.h"

using namespace kscope;

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 500;
  const int intervals = argc > 2 ? std::atoi(argv[2]) : 50;
  const uint32_t idle_refresh = argc > 3 ? uint32_t(std::atoi(argv[3])) : CgroupMetricsOptions{}.idle_refresh_intervals;
  if (::geteuid() != 0) {
    std::fprintf(stderr, "cgroups_bench: needs root to create cgroups\n");
    return 77;
  }
  auto layout = discover_cgroup_layout();
  std::printf("layout: %s; hierarchies:", layout.mode().c_str());
  for (const auto& r : layout.roots()) std::printf(" %s", r.c_str());
  std::printf("\n");
  const std::string parent = "/kscope-bench-" + std::to_string(::getpid());
  std::vector<std::string> made;
  // Ten slices of services, like a host's system.slice.
  for (const auto& root : layout.roots()) {
    if (::mkdir((root + parent).c_str(), 0755) != 0) continue;
    made.push_back(root + parent);
    for (size_t i = 0; i < n; ++i) {
      std::string slice = root + parent + "/s" + std::to_string(i % 10) + ".slice";
      if (i < 10 && ::mkdir(slice.c_str(), 0755) == 0) made.push_back(slice);
      std::string svc = slice + "/bench-" + std::to_string(i) + ".service";
      if (::mkdir(svc.c_str(), 0755) == 0) made.push_back(svc);
    }
  }
  CgroupMetricsOptions opts;
  opts.max_cgroups = n;
  opts.idle_refresh_intervals = idle_refresh;
  CgroupMetrics metrics(layout, opts);
  std::vector<double> ms;
  size_t series = 0;
  for (int i = 0; i < intervals + 1; ++i) {
    std::vector<Family> out;
    auto t0 = std::chrono::steady_clock::now();
    metrics.append(out);
    auto t1 = std::chrono::steady_clock::now();
    if (i == 0) {  // the first walks the hierarchies and opens every file
      std::printf("first interval (walk + open): %.2f ms\n", std::chrono::duration<double, std::milli>(t1 - t0).count());
      continue;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    series = 0;
    for (const auto& f : out) series += f.series.size();
  }
  {
    auto t0 = std::chrono::steady_clock::now();
    auto walk = walk_cgroups(layout.roots(), opts.max_depth, n * opts.walk_factor);
    auto t1 = std::chrono::steady_clock::now();
    std::printf("a walk alone (redone when cgroups come or go): %.2f ms for %zu cgroups\n",
                std::chrono::duration<double, std::milli>(t1 - t0).count(), walk.paths.size());
  }
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  std::printf("cgroups tracked %zu (read %zu, created %zu dirs), open fds %zu, series %zu\n", metrics.tracked(),
              std::min(metrics.tracked(), n), made.size(), metrics.open_fds(), series);
  std::printf("ms per interval over %d intervals (idle_refresh %u): mean %.2f p50 %.2f max %.2f\n", intervals,
              idle_refresh, sum / double(ms.size()),
              ms[ms.size() / 2], ms.back());
  // Children before parents.
  std::sort(made.begin(), made.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& d : made) ::rmdir(d.c_str());
  return 0;
}
