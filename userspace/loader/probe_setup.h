// Helpers every probe's start() uses: the shared targeting tunables and a
// load error that says where the verifier log went.
#pragma once

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

}  // namespace kscope
