// Per-cgroup resources as metric families, read from the cgroup files each
// interval (no BPF): CPU usage and throttling, memory and its events, I/O
// per device, and pressure, labelled with the cgroup's path and identity
// (service, container_id, pod_uid; "" when unknown, which Prometheus reads
// as absent, so every series of a family has the same label names).
//
// Which cgroups: every cgroup below the root (the host's own figures come
// from /proc) down to `max_depth` levels, found by walking the hierarchies
// (the walk is redone when /proc/cgroups or the cgroup2 root's cgroup.stat
// says cgroups came or went, and every `rediscover_intervals` anyway; it
// costs ~10 ms per 1000 cgroup directories here).
// Empty cgroups are kept: a service just OOM-killed is empty and its
// oom_kill count is what one wants to read. When more than `max_cgroups`
// exist, the busiest by CPU in the last interval (then by total CPU) are
// read and the rest counted in kscope_cgroups_skipped. A parent's usage
// includes its children's, so slices stay above the services in them.
//
// Cost: files are kept open and re-read with one pread each (FdBudget), so
// an interval costs the kernel's text generation, not path lookups. That
// generation is still ~4 µs a file on the development VM, 30 ms for 500
// cgroups' 15 files, so, like cAdvisor's dynamic housekeeping, only the CPU
// usage is read every interval for every cgroup; the rest of a cgroup's
// files are re-read when its CPU usage moved since the last interval, and
// every `idle_refresh_intervals` otherwise (a cgroup none of whose tasks
// ran changes little: reclaim, late writeback, a task blocked throughout).
// Limits are re-read every `idle_refresh_intervals`. Between reads a
// cgroup's series repeat its last reading. See bench/cgroups/README.md.
// Thread: the collector's only.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/cgroup_files.h"
#include "cgroups/cgroup_identity.h"
#include "cgroups/cgroup_layout.h"
#include "cgroups/cgroup_stats.h"
#include "model/snapshot.h"
#include "host/block_devices.h"

namespace kscope {

struct CgroupMetricsOptions {
  size_t max_cgroups = 500;  // config resources.max_cgroups
  size_t max_depth = 8;      // k8s pods' containers sit at 4, user services at 5
  // Cgroups walked (and ranked by CPU) at most: this many times max_cgroups.
  size_t walk_factor = 4;
  // A walk also follows any change of /proc/cgroups or cgroup.stat; this
  // catches what counts miss (a cgroup created and another removed at once).
  uint32_t rediscover_intervals = 300;
  // 1: every file of every cgroup each interval (the bench's worst case).
  uint32_t idle_refresh_intervals = 30;
  std::string proc_root = "/proc";
  std::string sys_root = "/sys";  // for block device names
};

class CgroupMetrics {
 public:
  CgroupMetrics(CgroupLayout layout, CgroupMetricsOptions options);
  ~CgroupMetrics();

  // Reads the cgroups and appends the kscope_cgroup_* families.
  void append(std::vector<Family>& out);

  size_t tracked() const { return entries_.size(); }
  size_t open_fds() const { return budget_.used(); }

 private:
  struct Entry {
    std::string rel;
    CgroupIdentity id;
    CgroupFiles files;
    std::optional<double> cpu_seconds;  // this interval
    double cpu_delta = 0;               // since the previous interval
    bool gone = false;
    CgroupStats stats;                  // the last full reading
    uint64_t read_at = 0;               // interval of that reading; 0: never
    uint64_t limits_at = 0;             // interval the limits were read
    uint32_t phase = 0;                 // spreads idle re-reads over the intervals
  };

  bool tree_changed();
  void rediscover();

  CgroupLayout layout_;
  CgroupMetricsOptions options_;
  CgroupFileMap map_;
  FdBudget budget_;
  BlockDeviceNames devices_;
  std::vector<Entry> entries_;  // sorted by rel
  std::vector<char> buf_;
  std::string signature_;
  uint64_t intervals_ = 0;
  bool walk_truncated_ = false;
  bool warned_truncated_ = false;
  double last_read_seconds_ = 0;
};

}  // namespace kscope
