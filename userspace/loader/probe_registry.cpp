#include "loader/probe.h"
#include "probes/syscalls_probe.h"
#include "probes/tcp_probe.h"

namespace kscope {

const std::vector<ProbeInfo>& probe_registry() {
  static const std::vector<ProbeInfo> probes = {
      {"syscalls", "per-syscall latency, errors and bytes (tp_btf sys_enter/sys_exit)",
       make_syscalls_probe, [](const Config& c) { return c.probes.syscalls.enabled; }},
      {"tcp", "TCP retransmits, resets, connect latency and failures (tp_btf tcp:*, sock:inet_sock_set_state)",
       make_tcp_probe, [](const Config& c) { return c.probes.tcp.enabled; }},
  };
  return probes;
}

}  // namespace kscope
