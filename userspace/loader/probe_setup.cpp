#include "loader/probe_setup.h"

#include <time.h>

#include <fstream>

#include "model/target_labels.h"
#include "kscope/abi/common.h"
#include "loader/bpf_support.h"

namespace kscope {

Result<TargetTunables> target_tunables(const Config& config) {
  TargetTunables t;
  switch (config.breakdown) {
    case Breakdown::kComm: t.breakdown = KSCOPE_BREAKDOWN_COMM; break;
    case Breakdown::kCgroup: t.breakdown = KSCOPE_BREAKDOWN_CGROUP; break;
    case Breakdown::kNone: break;
  }
  t.tgid = config.filter_pid;
  if (!config.filter_cgroup.empty()) {
    CgroupPaths cgroups;
    t.cgroup_id = cgroups.id_of(config.filter_cgroup);
    if (t.cgroup_id == 0) {
      return Error("cgroup filter '" + config.filter_cgroup + "' not found under the cgroup v2 mount " +
                       CgroupPaths::cgroup2_mount(),
                   "give a cgroup v2 path such as /system.slice/nginx.service");
    }
  }
  return t;
}

Error load_error(const std::string& probe, int err) {
  std::string path = "/tmp/kscope-" + probe + "-verifier.log";
  std::ofstream(path) << last_libbpf_log();
  clear_libbpf_log();
  return Error("probe " + probe + ": load failed", "verifier log: " + path, err < 0 ? -err : err);
}

void mark_attach_time(__u64& attached_ns) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  attached_ns = static_cast<__u64>(ts.tv_sec) * 1000000000ULL + static_cast<__u64>(ts.tv_nsec);
}

}  // namespace kscope
