// Reads pprof profiles (gzipped or plain perftools.profiles.Profile
// protobuf) into the profile model, for `kscope diff` of two pprof files.
//
// Input is untrusted: a corrupt, truncated or hostile file gives an Error,
// never a crash or unbounded memory.
#pragma once

#include <string_view>

#include "common/result.h"
#include "flamegraph/profile.h"

namespace kscope {

struct PprofReadOptions {
  size_t max_inflated_bytes = size_t{1} << 30;
};

// Which value becomes the weight: offcpu/nanoseconds makes an off-CPU
// profile; otherwise samples/count (or the default sample type, else the
// last one) makes a CPU profile. A "comm" label becomes the process root
// frame; mappings named like kernel or JIT code give those frame kinds.
Result<Profile> read_pprof(std::string_view data, const PprofReadOptions& options = {});

}  // namespace kscope
