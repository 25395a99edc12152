// Helpers every probe's start() uses: the shared targeting tunables and a
// load error that says where the verifier log went.
#pragma once

#include <linux/types.h>

#include <cstdint>

#include "common/result.h"
#include "config/config.h"

namespace kscope {

struct TargetTunables {
  uint32_t breakdown = 0;  // KSCOPE_BREAKDOWN_*
  uint32_t tgid = 0;
  uint64_t cgroup_id = 0;
};

// From config.breakdown and config.filter_*; an error when the filter's
// cgroup path does not exist.
Result<TargetTunables> target_tunables(const Config& config);

// "probe NAME: load failed: <errno> (verifier log: /tmp/kscope-NAME-verifier.log)",
// writing the captured libbpf/verifier output to that file.
Error load_error(const std::string& probe, int err);

// Stores the current CLOCK_MONOTONIC time (bpf_ktime_get_ns's clock) in a
// probe's kscope_attached_ns (bpf/lib/attach_time.bpf.h); call before each
// attach.
void mark_attach_time(__u64& attached_ns);

}  // namespace kscope
