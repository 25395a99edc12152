// Raw stacks accumulated in the kernel, as the probes hand them out: the
// input of the symbolizer and the flame graph writers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kscope {

// Whether a probe keys its counts by stack. kscope run exports per-target
// totals only, so its probes walk no stacks and keep one kernel map entry per
// target; the recorders (kscope profile/offcpu, /api/v1/profile) keep stacks.
enum class StackKeys { kOmit, kRecord };

struct StackSample {
  uint32_t tgid = 0;
  std::string comm;             // thread name, raw bytes from the kernel
  std::vector<uint64_t> user;   // innermost frame first; empty: none
  std::vector<uint64_t> kernel;  // innermost frame first; empty: none
  // What the samples weigh: off-CPU nanoseconds blocked, or on-CPU samples.
  uint64_t weight = 0;
  uint64_t count = 0;  // blocks (off-CPU) or samples (on-CPU)
  // The stack existed but a full or colliding stack map lost it (counted in
  // kscope_map_overflow_total).
  bool user_lost = false;
  bool kernel_lost = false;
  // The key map was full: this is everything that did not fit, without
  // process or stacks.
  bool other = false;
};

}  // namespace kscope
