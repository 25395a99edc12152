// Where this host's cgroup controllers live, from /proc/self/mounts and the
// cgroup2 root's cgroup.controllers:
//   pure v2   one cgroup2 mount with controllers (most current hosts)
//   hybrid    controllers on cgroup v1 mounts (/sys/fs/cgroup/<controller>)
//             plus a cgroup2 at /sys/fs/cgroup/unified without controllers,
//             which still has cpu.stat's usage_usec and the pressure files
//   pure v1   only cgroup v1 mounts
// Each resource kscope reads is mapped to one hierarchy; `kscope check`
// lists them with cgroup_sources().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/source_status.h"

namespace kscope {

enum class CgroupVersion { kNone, kV1, kV2 };

// One resource's files: which hierarchy and whether it is v1 or v2.
struct CgroupHierarchy {
  CgroupVersion version = CgroupVersion::kNone;
  std::string root;  // mount point, "" when the resource has no source
  bool found() const { return version != CgroupVersion::kNone; }
  bool operator==(const CgroupHierarchy&) const = default;
};

struct CgroupLayout {
  std::string unified;  // the cgroup2 mount point, "" when none
  std::vector<std::string> unified_controllers;  // its root's cgroup.controllers
  bool unified_pressure = false;  // cgroup2 has cpu.pressure & co. (PSI on)
  // Per resource, where it is read:
  CgroupHierarchy cpu_usage;     // v1 cpuacct.usage, or v2 cpu.stat usage_usec
  CgroupHierarchy cpu_throttle;  // v1 cpu controller, or v2 with "cpu" enabled
  CgroupHierarchy memory;        // v1 memory controller, or v2 with "memory"
  CgroupHierarchy io;            // v1 blkio controller, or v2 with "io"
  CgroupHierarchy pressure;      // always v2 when found

  // "v2", "hybrid", "v1", "none".
  std::string mode() const;
  // The distinct mount points to walk for cgroups, in a fixed order.
  std::vector<std::string> roots() const;
};

// From the text of /proc/self/mounts. `unified_controllers` is the content
// of <cgroup2 mount>/cgroup.controllers ("" when there is none), and
// `unified_pressure` whether <cgroup2 mount>/cpu.pressure exists; the
// caller reads them (discover_cgroup_layout does).
CgroupLayout parse_cgroup_layout(std::string_view mounts, std::string_view unified_controllers,
                                 bool unified_pressure);

// Reads `proc_root`/self/mounts and the cgroup2 root's files. A root other
// than "/" is for tests (a temporary tree shaped like /proc and /sys).
CgroupLayout discover_cgroup_layout(const std::string& proc_root = "/proc");

// One entry per resource ("cgroup.cpu", "cgroup.cpu_throttling",
// "cgroup.memory", "cgroup.io", "cgroup.pressure"), with where it is read
// from or why it is missing.
std::vector<SourceStatus> cgroup_sources(const CgroupLayout& layout);
std::vector<SourceStatus> cgroup_sources();

}  // namespace kscope
