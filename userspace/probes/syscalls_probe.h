// The syscall probe (bpf/syscalls.bpf.c): per-syscall latency histograms,
// errors by errno and bytes moved, by breakdown target.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "loader/probe.h"

namespace kscope {

// Per-run settings that are not in the config file (`kscope trace`).
struct SyscallsProbeOptions {
  // Slow-syscall events only for these syscall numbers; empty: all.
  std::vector<uint32_t> slow_syscalls;
  uint32_t ring_buffer_bytes = 1u << 20;  // a power of two, at least a page
  // No events for kscope's own syscalls (its reader's polls are slow by
  // design and would trace themselves).
  bool exclude_self = true;
  // Capture the events' user and kernel stack ids (most of an event's cost).
  bool stacks = true;
  // Idle waits (probes/idle_waits.h) go out as slow events too; `kscope run`
  // takes probes.syscalls.slow_include_idle instead.
  bool slow_include_idle = false;
};

// What `kscope run` loads: slow-syscall events per probes.syscalls.slow_threshold.
std::unique_ptr<Probe> make_syscalls_probe();
std::unique_ptr<Probe> make_syscalls_probe(const SyscallsProbeOptions& options);

}  // namespace kscope
