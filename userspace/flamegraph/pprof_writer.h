// pprof: the gzipped perftools.profiles.Profile protobuf that go tool pprof,
// Pyroscope and Parca read.
//
// On-CPU profiles carry two sample values, samples/count and
// cpu/nanoseconds (count x period); off-CPU profiles one, offcpu/nanoseconds.
// The process root frame becomes the sample label "comm" (pprof's way to
// split a profile by process: -tagroot=comm). Kernel and JIT frames without
// a mapping of their own get the mappings "[kernel.kallsyms]" and "[jit]", so
// the kind survives a round trip through read_pprof().
#pragma once

#include <string>

#include "common/result.h"
#include "flamegraph/output_sink.h"
#include "flamegraph/profile.h"

namespace kscope {

// Streams the gzipped protobuf to out.
void write_pprof(const Profile& profile, const Sink& out);

// The uncompressed protobuf (tests, and callers that compress themselves).
std::string encode_pprof_proto(const Profile& profile);

inline constexpr std::string_view kKernelMappingName = "[kernel.kallsyms]";
inline constexpr std::string_view kJitMappingName = "[jit]";

}  // namespace kscope
