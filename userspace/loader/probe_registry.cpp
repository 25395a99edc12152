#include "loader/probe.h"
#include "probes/profile_probe.h"
#include "probes/sched_probe.h"
#include "probes/syscalls_probe.h"
#include "probes/tcp_probe.h"

namespace kscope {

const std::vector<ProbeInfo>& probe_registry() {
  static const std::vector<ProbeInfo> probes = {
      {"syscalls", "per-syscall latency, errors and bytes (tp_btf sys_enter/sys_exit)",
       make_syscalls_probe, [](const Config& c) { return c.probes.syscalls.enabled; }},
      // One sched_switch handler feeds run-queue latency and off-CPU time,
      // so probes.sched and probes.offcpu share this probe.
      {"sched",
       "run-queue latency and length, context switches, off-CPU time (tp_btf sched_wakeup/"
       "sched_switch, cpu-clock)",
       make_sched_probe, [](const Config& c) { return c.probes.sched.enabled || c.probes.offcpu.enabled; }},
      {"profile", "on-CPU samples (perf_event software cpu-clock)", make_profile_probe,
       [](const Config& c) { return c.probes.profile.enabled; }},
      {"tcp", "TCP retransmits, resets, connect latency and failures (tp_btf tcp:*, sock:inet_sock_set_state)",
       make_tcp_probe, [](const Config& c) { return c.probes.tcp.enabled; }},
  };
  return probes;
}

}  // namespace kscope
