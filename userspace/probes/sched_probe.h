// The scheduler probe (bpf/sched.bpf.c): run-queue latency by breakdown
// target, run-queue length per CPU, context switches by kind, and off-CPU
// time by (process, thread name, user stack, kernel stack) or by breakdown
// target alone.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "loader/probe.h"
#include "probes/stack_sample.h"

namespace kscope {

// How the off-CPU user stacks were obtained since load (the cache described
// in bpf/sched.bpf.c); what bench/offcpu reports.
struct OffcpuStats {
  uint64_t blocks = 0;        // voluntary switch-outs watched
  uint64_t stack_walks = 0;   // user stacks walked
  uint64_t stack_hits = 0;    // user stack ids reused from the task's cache
  uint64_t recorded = 0;      // blocks within [min_block, max_block]
};

class SchedProbe : public Probe {
 public:
  // Off-CPU time accumulated since start(), one entry per distinct key;
  // weight is blocked nanoseconds. Empty when probes.offcpu is disabled,
  // without stacks with StackKeys::kOmit.
  // Thread-safe against the kernel (reads maps); call from one thread.
  virtual std::vector<StackSample> offcpu_stacks() const = 0;
  virtual OffcpuStats offcpu_stats() const = 0;
  // Context switches counted since start(): {voluntary, involuntary}.
  virtual std::pair<uint64_t, uint64_t> context_switches() const = 0;
};

std::unique_ptr<SchedProbe> create_sched_probe(StackKeys offcpu_stacks = StackKeys::kRecord);
// For the registry (kscope run): StackKeys::kOmit.
std::unique_ptr<Probe> make_sched_probe();

}  // namespace kscope
