#include "loader/probe.h"
#include "probes/syscalls_probe.h"

namespace kscope {

const std::vector<ProbeInfo>& probe_registry() {
  static const std::vector<ProbeInfo> probes = {
      {"syscalls", "per-syscall latency, errors and bytes (tp_btf sys_enter/sys_exit)",
       make_syscalls_probe, [](const Config& c) { return c.probes.syscalls.enabled; }},
  };
  return probes;
}

}  // namespace kscope
