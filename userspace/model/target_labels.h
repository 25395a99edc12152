// Turns the kernel's breakdown key (comm or cgroup id) into a label.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "model/breakdown.h"
#include "model/snapshot.h"
#include "kscope/abi/common.h"

namespace kscope {

// Resolves cgroup v2 ids (the cgroup directory's inode) to paths under the
// unified hierarchy, caching what it has seen. Not thread-safe.
//
// Bounded on hosts where containers come and go: each rescan (on a miss)
// forgets the ids that are gone from the hierarchy and were not asked for
// within `forget_after` (misses included), so the cache holds the live
// cgroups plus the recently used dead ones, not every id ever seen.
class CgroupPaths {
 public:
  using Clock = std::chrono::steady_clock;

  // root: where the cgroup v2 hierarchy is mounted; by default found in
  // /proc/mounts (hybrid hosts mount it at /sys/fs/cgroup/unified).
  explicit CgroupPaths(std::string root = cgroup2_mount(), Clock::duration forget_after = std::chrono::minutes(10))
      : root_(std::move(root)), forget_after_(forget_after) {}

  // The cgroup2 mount point from /proc/mounts, "/sys/fs/cgroup" if none.
  static std::string cgroup2_mount();
  // Where the memory controller's hierarchy is: a cgroup v1 mount with the
  // memory option (hybrid hosts: /sys/fs/cgroup/memory), else the cgroup2
  // mount. The ids of memory cgroups (bpf/exits.bpf.c) resolve under it.
  static std::string memory_mount(const std::string& mounts_file = "/proc/mounts");

  // "/system.slice/foo.service"; "cgroup:<id>" when not found (it may be
  // gone already).
  std::string path(uint64_t id, Clock::time_point now = Clock::now());

  // The id of a path (for the cgroup filter), 0 when it does not exist.
  uint64_t id_of(const std::string& path) const;

  // Ids held (for tests).
  size_t cached() const { return cache_.size(); }

 private:
  struct Entry {
    std::string path;
    Clock::time_point used{};  // last asked for
    uint64_t scan = 0;         // the last rescan that found it in the hierarchy
  };
  void rescan(Clock::time_point now);

  std::string root_;
  Clock::duration forget_after_;
  uint64_t scans_ = 0;
  std::unordered_map<uint64_t, Entry> cache_;
};

// The label on series of kernel threads' targets (value "true").
inline constexpr const char* kKernelLabel = "kernel";

class TargetLabeler {
 public:
  explicit TargetLabeler(Breakdown breakdown) : breakdown_(breakdown), label_name_(breakdown_label(breakdown)) {}

  // The label name ("comm", "cgroup"), empty for none.
  const std::string& label_name() const { return label_name_; }

  // The label value for a kernel target; "other" for the overflow key.
  std::string value(const kscope_target& t, bool other);

  // The target's labels from a map key: the breakdown label (none without a
  // breakdown), and kernel="true" when the key's flags say the target is a
  // kernel thread (KSCOPE_KEY_KERNEL). Other targets get no kernel label, so
  // their series are the same as before it existed.
  Labels labels(const kscope_target& t, uint32_t key_flags);

 private:
  Breakdown breakdown_;
  std::string label_name_;
  CgroupPaths cgroups_;
};

}  // namespace kscope
