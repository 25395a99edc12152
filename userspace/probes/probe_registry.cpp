#include "probes/probe_registry.h"

#include <algorithm>

#include "probes/block_probe.h"
#include "probes/exits_probe.h"
#include "probes/l7_probe.h"
#include "probes/profile_probe.h"
#include "probes/sched_probe.h"
#include "probes/syscalls_probe.h"
#include "probes/tcp_probe.h"

namespace kscope {

const std::vector<ProbeInfo>& probe_registry() {
  static const std::vector<ProbeInfo> probes = {
      {"syscalls", "per-syscall latency, errors and bytes (tp_btf sys_enter/sys_exit)",
       make_syscalls_probe, [](const Config& c) { return c.probes.syscalls.enabled; }, {"syscalls"}},
      // One sched_switch handler feeds run-queue latency and off-CPU time,
      // so probes.sched and probes.offcpu share this probe.
      {"sched",
       "run-queue latency and length, context switches, off-CPU time (tp_btf sched_wakeup/"
       "sched_switch, cpu-clock)",
       make_sched_probe, [](const Config& c) { return c.probes.sched.enabled || c.probes.offcpu.enabled; },
       {"sched", "offcpu"}},
      {"profile", "on-CPU samples (perf_event software cpu-clock)", make_profile_probe,
       [](const Config& c) { return c.probes.profile.enabled; }, {"profile"}},
      {"tcp", "TCP retransmits, resets, connect latency and failures (tp_btf tcp:*, sock:inet_sock_set_state)",
       make_tcp_probe, [](const Config& c) { return c.probes.tcp.enabled; }, {"tcp"}},
      {"block", "block I/O latency, bytes and errors per device and operation (tp_btf block_rq_issue/complete)",
       make_block_probe, [](const Config& c) { return c.probes.block.enabled; }, {"block"}},
      {"exits", "OOM kills and processes ended by a fatal signal (tp_btf oom:mark_victim, sched_process_exit)",
       make_exits_probe, [](const Config& c) { return c.probes.exits.enabled; }, {"exits"}},
      {"l7", "request capture: TCP connections and the first bytes of their reads and writes (tp_btf sys_enter/sys_exit)",
       make_l7_probe, [](const Config& c) { return c.probes.l7.enabled; }, {"l7"}},
  };
  return probes;
}

std::vector<FamilyStatus> family_statuses(const ProbesConfig& config, const std::vector<ProbeStatus>& probes) {
  std::vector<FamilyStatus> out;
  for (const auto& family : probe_families(config)) {
    FamilyStatus fs{family.name, "", false, "no probe serves this family"};
    for (const auto& info : probe_registry()) {
      if (std::find(info.families.begin(), info.families.end(), family.name) == info.families.end()) continue;
      fs.probe = info.name;
      if (!family.enabled) {
        fs.reason = "disabled in config";
        break;
      }
      fs.reason = "not loaded";
      for (const auto& st : probes) {
        if (st.name == info.name) {
          fs.up = st.up;
          fs.reason = st.reason;
        }
      }
      break;
    }
    out.push_back(std::move(fs));
  }
  return out;
}

}  // namespace kscope
