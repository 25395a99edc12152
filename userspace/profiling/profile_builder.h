// Raw kernel stacks (probes/stack_sample.h) to a symbolized flame graph
// Profile: the process name as the root, then user frames outermost first,
// then kernel frames, leaf last.
#pragma once

#include <cstdint>
#include <vector>

#include "flamegraph/profile.h"
#include "probes/stack_sample.h"
#include "symbolize/symbolizer.h"

namespace kscope {

struct StackSelection {
  bool user = true;
  bool kernel = true;
};

// kind decides the weight: kCpu uses the sample count (period_ns is the
// sampling period), kOffCpu the blocked nanoseconds.
Profile build_profile(const std::vector<StackSample>& samples, Symbolizer& symbolizer, ProfileKind kind,
                      uint64_t period_ns, StackSelection selection = {});

// The samples added between two readings of a probe's cumulative stacks
// (equal keys: same tgid, comm and addresses). Stacks that went backwards
// (a map entry was recreated) count as new.
std::vector<StackSample> stack_delta(const std::vector<StackSample>& before, const std::vector<StackSample>& after);

}  // namespace kscope
