// Records an on-CPU or off-CPU profile for a while with probes of its own
// (independent of any running agent's probes), then symbolizes it. Used by
// `kscope profile`, `kscope offcpu`, the /api/v1/profile endpoint and
// captures on alert.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "common/duration.h"
#include "common/result.h"
#include "flamegraph/profile.h"
#include "profiling/profile_builder.h"
#include "symbolize/symbolizer.h"

namespace kscope {

struct ProfileRequest {
  ProfileKind kind = ProfileKind::kCpu;
  Nanos duration = std::chrono::seconds(10);
  uint32_t tgid = 0;       // 0: every process
  std::string cgroup;      // cgroup v2 path; empty: every cgroup
  // Keep only processes of this name (their /proc/PID/comm, or the thread
  // name the kernel recorded); empty: all. Recording is host-wide then.
  std::string process_name;
  uint32_t frequency = 99;  // on-CPU samples per second per CPU
  Nanos min_block = std::chrono::milliseconds(1);
  Nanos max_block = Nanos(0);  // 0: no upper bound
  StackSelection stacks;
};

struct ProfileProgress {
  Nanos elapsed{0};
  Nanos total{0};
  uint64_t samples = 0;  // on-CPU samples, or off-CPU blocks, so far
};

// Called about once a second while recording.
using ProgressFn = std::function<void(const ProfileProgress&)>;

// Records for request.duration, until *stop becomes true (Ctrl-C) or until
// the process request.tgid exits, then returns the profile of what was
// recorded (its duration says how long that was). An Error, before anything
// is loaded, when request.tgid names no running process. Processes seen while recording
// are remembered, so their stacks get names even if they exit before the
// end.
Result<Profile> record_profile(const ProfileRequest& request, Symbolizer& symbolizer,
                               const std::atomic<bool>* stop = nullptr, const ProgressFn& progress = {});

}  // namespace kscope
