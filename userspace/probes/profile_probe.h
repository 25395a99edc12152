// The on-CPU profile probe (bpf/profile.bpf.c): cpu-clock samples on every
// CPU at probes.profile.frequency, counted by (process, thread name, user
// stack, kernel stack) in the kernel.
#pragma once

#include <memory>
#include <vector>

#include "loader/probe.h"
#include "probes/stack_sample.h"

namespace kscope {

class ProfileProbe : public Probe {
 public:
  // Samples accumulated since start(), one entry per distinct key; weight
  // and count are both the number of samples.
  virtual std::vector<StackSample> cpu_stacks() const = 0;
};

std::unique_ptr<ProfileProbe> create_profile_probe();
std::unique_ptr<Probe> make_profile_probe();

}  // namespace kscope
