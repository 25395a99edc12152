// Turns the kernel's breakdown key (comm or cgroup id) into a label.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "kscope/abi/common.h"

namespace kscope {

// Resolves cgroup v2 ids (the cgroup directory's inode) to paths under the
// unified hierarchy, caching what it has seen. Not thread-safe.
class CgroupPaths {
 public:
  // root: where the cgroup v2 hierarchy is mounted; by default found in
  // /proc/mounts (hybrid hosts mount it at /sys/fs/cgroup/unified).
  explicit CgroupPaths(std::string root = cgroup2_mount()) : root_(std::move(root)) {}

  // The cgroup2 mount point from /proc/mounts, "/sys/fs/cgroup" if none.
  static std::string cgroup2_mount();

  // "/system.slice/foo.service"; "cgroup:<id>" when not found (it may be
  // gone already).
  std::string path(uint64_t id);

  // The id of a path (for the cgroup filter), 0 when it does not exist.
  uint64_t id_of(const std::string& path) const;

 private:
  void rescan();

  std::string root_;
  std::unordered_map<uint64_t, std::string> cache_;
};

class TargetLabeler {
 public:
  // breakdown: "comm", "cgroup" or "none".
  explicit TargetLabeler(std::string breakdown) : breakdown_(std::move(breakdown)) {}

  // The label name ("comm", "cgroup"), empty for none.
  const std::string& label_name() const { return breakdown_ == "none" ? empty_ : breakdown_; }

  // The label value for a kernel target; "other" for the overflow key.
  std::string value(const kscope_target& t, bool other);

 private:
  std::string breakdown_;
  std::string empty_;
  CgroupPaths cgroups_;
};

}  // namespace kscope
