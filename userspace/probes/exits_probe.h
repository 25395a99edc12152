// The exits probe (bpf/exits.bpf.c): OOM kills and processes ended by a
// fatal signal, as counters and as events.
//
//   kscope_oom_kills_total{comm, cgroup}            cgroup: the victim's memory cgroup
//   kscope_process_signal_exits_total{signal, comm}  SIGSEGV, SIGABRT, SIGKILL, ...
//
// A process the OOM killer chose is in both: once when chosen, once as a
// SIGKILL exit (its event says oom_victim). Exits with a status, exit(1)
// included, are in neither. Both families keep at most max_series values of
// each label, the rest summed into "other".
#pragma once

#include <cstdint>
#include <memory>

#include "loader/probe.h"

namespace kscope {

struct ExitsProbeOptions {
  uint32_t ring_buffer_bytes = 64 * 1024;  // a power of two, at least a page
};

// What `kscope run` and `kscope trace exits` load.
std::unique_ptr<Probe> make_exits_probe();
std::unique_ptr<Probe> make_exits_probe(const ExitsProbeOptions& options);

}  // namespace kscope
