#include "cgroups/cgroup_metrics.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include "cgroups/cgroup_tree.h"

namespace kscope {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;

// The whole of a small file by path ("" when unreadable), for the tree
// signature: /proc/cgroups and the cgroup2 root's cgroup.stat.
std::string read_small(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return {};
  char buf[4096];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

// Room for the two labels a family adds (device, op), so `with` copies
// without growing: label building is most of the reader's own CPU.
Labels identity_labels(const std::string& rel, const CgroupIdentity& id) {
  Labels l;
  l.reserve(6);
  l.emplace_back("cgroup", rel);
  l.emplace_back("service", id.service);
  l.emplace_back("container_id", id.container_id);
  l.emplace_back("pod_uid", id.pod_uid);
  return l;
}

Labels with(const Labels& base, std::initializer_list<std::pair<const char*, std::string>> extra) {
  Labels labels;
  labels.reserve(base.size() + extra.size());
  labels = base;
  for (const auto& [k, v] : extra) labels.emplace_back(k, v);
  return labels;
}

struct Families {
  Family cpu{"kscope_cgroup_cpu_seconds_total",
             "CPU time used by the cgroup's tasks and its descendants' (cpuacct.usage, or cpu.stat usage_usec).",
             MetricType::kCounter};
  Family periods{"kscope_cgroup_cpu_periods_total", "CFS enforcement periods that elapsed while the cgroup was runnable (cpu.stat nr_periods).",
                 MetricType::kCounter};
  Family throttled_periods{"kscope_cgroup_cpu_throttled_periods_total",
                           "Periods in which the cgroup was throttled by its CPU limit (cpu.stat nr_throttled).",
                           MetricType::kCounter};
  Family throttled_seconds{"kscope_cgroup_cpu_throttled_seconds_total",
                           "Time the cgroup's tasks were held back by its CPU limit (cpu.stat throttled_usec / throttled_time).",
                           MetricType::kCounter};
  Family cpu_limit{"kscope_cgroup_cpu_limit_cores",
                   "The cgroup's CPU limit in CPUs (quota / period); absent when unlimited.", MetricType::kGauge};
  Family memory{"kscope_cgroup_memory_bytes",
                "Memory charged to the cgroup, page cache included (memory.current, memory.usage_in_bytes).",
                MetricType::kGauge};
  Family working_set{"kscope_cgroup_memory_working_set_bytes",
                     "Memory usage minus inactive file pages (cAdvisor's working set), what the OOM killer weighs.",
                     MetricType::kGauge};
  Family memory_limit{"kscope_cgroup_memory_limit_bytes",
                      "The cgroup's memory limit (memory.max, memory.limit_in_bytes); absent when unlimited.",
                      MetricType::kGauge};
  Family memory_events{"kscope_cgroup_memory_events_total",
                       "Memory events of the cgroup (memory.events; v1: failcnt as max, oom_kill from memory.oom_control).",
                       MetricType::kCounter};
  Family io_bytes{"kscope_cgroup_io_bytes_total", "Bytes the cgroup read from and wrote to each block device.",
                  MetricType::kCounter};
  Family io_ops{"kscope_cgroup_io_operations_total", "Read and write operations of the cgroup per block device.",
                MetricType::kCounter};
  Family waiting{"kscope_cgroup_pressure_waiting_seconds_total",
                 "Time at least one of the cgroup's tasks stalled on the resource (PSI \"some\").",
                 MetricType::kCounter};
  Family stalled{"kscope_cgroup_pressure_stalled_seconds_total",
                 "Time all of the cgroup's non-idle tasks stalled on the resource at once (PSI \"full\").",
                 MetricType::kCounter};

  void add(Family& f, Labels labels, double value) { f.series.push_back({std::move(labels), value, std::nullopt}); }
};

}  // namespace

CgroupMetrics::CgroupMetrics(CgroupLayout layout, CgroupMetricsOptions options)
    : layout_(std::move(layout)),
      options_(std::move(options)),
      map_(layout_),
      budget_(FdBudget::from_rlimit()),
      devices_(options_.sys_root),
      buf_(kBufferBytes) {}

CgroupMetrics::~CgroupMetrics() = default;

bool CgroupMetrics::tree_changed() {
  std::string sig = read_small(options_.proc_root + "/cgroups");
  if (!layout_.unified.empty()) sig += read_small(layout_.unified + "/cgroup.stat");
  if (sig == signature_) return false;
  signature_ = std::move(sig);
  return true;
}

void CgroupMetrics::rediscover() {
  auto walk = walk_cgroups(layout_.roots(), options_.max_depth, options_.max_cgroups * options_.walk_factor);
  walk_truncated_ = walk.truncated;
  if (walk.truncated && !warned_truncated_) {
    spdlog::warn("cgroups: more than {} cgroups; the rest are not read (raise resources.max_cgroups)",
                 walk.paths.size());
    warned_truncated_ = true;
  }
  // Merge: known cgroups keep their open files and last CPU reading.
  std::vector<Entry> next;
  next.reserve(walk.paths.size());
  auto old = entries_.begin();
  for (auto& rel : walk.paths) {
    while (old != entries_.end() && old->rel < rel) ++old;
    if (old != entries_.end() && old->rel == rel && !old->gone) {
      next.push_back(std::move(*old));
      continue;
    }
    Entry e;
    e.id = identify_cgroup(rel);
    e.phase = uint32_t(std::hash<std::string>{}(rel));
    e.rel = std::move(rel);
    next.push_back(std::move(e));
  }
  entries_ = std::move(next);
}

void CgroupMetrics::append(std::vector<Family>& out) {
  const auto started = std::chrono::steady_clock::now();
  bool changed = tree_changed();
  if (changed || intervals_ % options_.rediscover_intervals == 0 ||
      std::any_of(entries_.begin(), entries_.end(), [](const Entry& e) { return e.gone; })) {
    rediscover();
  }
  ++intervals_;

  // CPU of every cgroup, to choose the busiest when there are too many.
  for (auto& e : entries_) {
    bool gone = false;
    auto now = read_cgroup_cpu_seconds(e.files, map_, e.rel, budget_, buf_, gone);
    e.gone = gone;
    e.cpu_delta = now && e.cpu_seconds ? std::max(0.0, *now - *e.cpu_seconds) : 0;
    e.cpu_seconds = now;
  }
  std::vector<Entry*> chosen;
  chosen.reserve(entries_.size());
  for (auto& e : entries_) {
    if (!e.gone) chosen.push_back(&e);
  }
  size_t skipped = 0;
  if (chosen.size() > options_.max_cgroups) {
    auto busier = [](const Entry* a, const Entry* b) {
      if (a->cpu_delta != b->cpu_delta) return a->cpu_delta > b->cpu_delta;
      double ca = a->cpu_seconds.value_or(0), cb = b->cpu_seconds.value_or(0);
      if (ca != cb) return ca > cb;
      return a->rel < b->rel;
    };
    std::nth_element(chosen.begin(), chosen.begin() + long(options_.max_cgroups), chosen.end(), busier);
    skipped = chosen.size() - options_.max_cgroups;
    chosen.resize(options_.max_cgroups);
    std::sort(chosen.begin(), chosen.end(), [](const Entry* a, const Entry* b) { return a->rel < b->rel; });
  }

  Families f;
  static const char* const kResources[3] = {"cpu", "memory", "io"};
  const uint64_t now = intervals_;  // 1 on the first interval
  const uint64_t every = std::max<uint32_t>(1, options_.idle_refresh_intervals);
  for (Entry* e : chosen) {
    CgroupStats& s = e->stats;
    // Idle cgroups take turns: each is due once every `every` intervals, a
    // different tenth of them each time, so no interval reads them all.
    const bool due = (now + e->phase) % every == 0;
    if (e->read_at == 0 || due || e->cpu_delta > 0 || !e->cpu_seconds) {
      const bool limits = e->limits_at == 0 || due;
      if (!read_cgroup_stats(e->files, map_, e->rel, budget_, buf_, limits, s)) {
        e->gone = true;  // removed mid-read: left out, dropped at the next walk
        continue;
      }
      e->read_at = now;
      if (limits) e->limits_at = now;
    }
    s.cpu_seconds = e->cpu_seconds;
    const Labels base = identity_labels(e->rel, e->id);
    if (s.cpu_seconds) f.add(f.cpu, base, *s.cpu_seconds);
    if (s.cpu.nr_periods) f.add(f.periods, base, double(*s.cpu.nr_periods));
    if (s.cpu.nr_throttled) f.add(f.throttled_periods, base, double(*s.cpu.nr_throttled));
    if (s.cpu.throttled_seconds) f.add(f.throttled_seconds, base, *s.cpu.throttled_seconds);
    if (s.cpu_limit_cores) f.add(f.cpu_limit, base, *s.cpu_limit_cores);
    if (s.memory_bytes) f.add(f.memory, base, double(*s.memory_bytes));
    if (s.memory_working_set_bytes) f.add(f.working_set, base, double(*s.memory_working_set_bytes));
    if (s.memory_limit_bytes) f.add(f.memory_limit, base, double(*s.memory_limit_bytes));
    const auto& ev = s.memory_events;
    for (const auto& [name, v] : {std::pair{"low", ev.low}, {"high", ev.high}, {"max", ev.max}, {"oom", ev.oom},
                                  {"oom_kill", ev.oom_kill}}) {
      if (v) f.add(f.memory_events, with(base, {{"event", name}}), double(*v));
    }
    for (const auto& d : s.io) {
      const std::string& dev = devices_.name(d.major << 20 | d.minor);
      f.add(f.io_bytes, with(base, {{"device", dev}, {"op", "read"}}), double(d.read_bytes));
      f.add(f.io_bytes, with(base, {{"device", dev}, {"op", "write"}}), double(d.write_bytes));
      f.add(f.io_ops, with(base, {{"device", dev}, {"op", "read"}}), double(d.read_ops));
      f.add(f.io_ops, with(base, {{"device", dev}, {"op", "write"}}), double(d.write_ops));
    }
    for (size_t i = 0; i < 3; ++i) {
      const auto& p = s.pressure[i];
      if (p.some_usec) f.add(f.waiting, with(base, {{"resource", kResources[i]}}), double(*p.some_usec) / 1e6);
      if (p.full_usec) f.add(f.stalled, with(base, {{"resource", kResources[i]}}), double(*p.full_usec) / 1e6);
    }
  }
  for (Family* fam : {&f.cpu, &f.periods, &f.throttled_periods, &f.throttled_seconds, &f.cpu_limit, &f.memory,
                      &f.working_set, &f.memory_limit, &f.memory_events, &f.io_bytes, &f.io_ops, &f.waiting,
                      &f.stalled}) {
    if (!fam->series.empty()) out.push_back(std::move(*fam));
  }
  out.push_back({"kscope_cgroups_skipped",
                 "Cgroups found but not read this interval: more than resources.max_cgroups exist and these used "
                 "the least CPU.",
                 MetricType::kGauge, {{{}, double(skipped), {}}}});
  out.push_back({"kscope_cgroups_read_seconds", "Time the last interval spent reading cgroup files.",
                 MetricType::kGauge, {{{}, last_read_seconds_, {}}}});
  last_read_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace kscope
