// The cgroups under each hierarchy root, by a bounded walk: at most
// `max_depth` levels below the root and `max_cgroups` directories in all.
// Paths are relative to the root ("/system.slice/nginx.service"); the root
// itself (the host, whose figures come from /proc) is left out. The walk
// reads directories only, never cgroup.procs: which cgroups are reported is
// decided later by CPU use (cgroup_metrics.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace kscope {

struct CgroupWalk {
  std::vector<std::string> paths;  // sorted, unique across roots
  bool truncated = false;          // max_cgroups reached: more exist
};

CgroupWalk walk_cgroups(const std::vector<std::string>& roots, size_t max_depth, size_t max_cgroups);

}  // namespace kscope
