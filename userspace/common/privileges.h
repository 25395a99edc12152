// What the process may do: capabilities for loading and attaching BPF.
#pragma once

#include <string>

#include "common/result.h"

namespace kscope {

// True when the effective set has capability `cap` (CAP_* number).
bool has_capability(int cap);

// OK when kscope can load tracing programs (root with its capabilities, or
// CAP_BPF + CAP_PERFMON); otherwise one sentence naming what is missing.
Status check_bpf_privileges();

}  // namespace kscope
