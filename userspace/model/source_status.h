// Whether one of the kernel's files that kscope reads without BPF (PSI,
// /proc/diskstats, a cgroup controller, ...) exists on this host, for
// `kscope check` and /api/v1/health: a missing source degrades with its
// reason, as a probe that cannot load does.
#pragma once

#include <string>

namespace kscope {

struct SourceStatus {
  std::string name;    // "pressure", "cgroup.cpu", ...
  bool available = false;
  std::string detail;  // where it was found, or why it is missing
};

}  // namespace kscope
