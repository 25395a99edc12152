// The on-CPU profile probe (bpf/profile.bpf.c): cpu-clock samples on every
// CPU at probes.profile.frequency, counted by (process, thread name, user
// stack, kernel stack) in the kernel, or by breakdown target alone.
#pragma once

#include <memory>
#include <vector>

#include "loader/probe.h"
#include "probes/stack_sample.h"

namespace kscope {

class ProfileProbe : public Probe {
 public:
  // Samples accumulated since start(), one entry per distinct key; weight
  // and count are both the number of samples. Without stacks with
  // StackKeys::kOmit.
  virtual std::vector<StackSample> cpu_stacks() const = 0;
};

std::unique_ptr<ProfileProbe> create_profile_probe(StackKeys stacks = StackKeys::kRecord);
// For the registry (kscope run): StackKeys::kOmit.
std::unique_ptr<Probe> make_profile_probe();

}  // namespace kscope
