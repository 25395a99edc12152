// Dropping the capabilities `kscope run` no longer needs once its probes are
// loaded and attached. Capabilities are per thread in Linux, and the HTTP
// server's threads exist by then, so the drop reaches every thread of the
// process (the way libpsx does it: a signal whose handler calls capset).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace kscope {

// What the running agent keeps, and why:
//   CAP_BPF, CAP_PERFMON  load and attach programs later (on-demand profiles,
//                         probes restored after a CPU-budget detach), open
//                         perf events; reading already-open maps needs none.
//   CAP_SYS_PTRACE        /proc/PID/maps, /proc/PID/root/... of other users'
//                         processes, for symbolizing their stacks.
//   CAP_DAC_READ_SEARCH   read binaries and debug files of any owner
//                         (root's DAC override is dropped).
//   CAP_SYSLOG            real addresses in /proc/kallsyms (kptr_restrict).
// Everything else (CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SETUID, CAP_CHOWN, ...)
// goes from the effective, permitted, inheritable, ambient and bounding sets.
std::vector<int> agent_kept_capabilities();

// Lowers every thread's effective and permitted sets to `keep` (intersected
// with what it has), clears inheritable and ambient, and drops the rest of
// the bounding set, so not even an exec gets them back. Returns the number
// of threads changed.
Result<int> drop_capabilities(const std::vector<int>& keep);

// Lowers the calling thread's sets alone to `keep`, as drop_capabilities
// does for each thread. For a thread that may sit in a call no signal ends
// (statvfs on a hung network or FUSE mount) when drop_capabilities signals
// every thread: lowered beforehand, it holds nothing the drop removes, so
// the drop's check passes without it. False when a set could not be lowered.
bool drop_this_thread_capabilities(const std::vector<int>& keep);

// "cap_bpf,cap_perfmon,..." for logs.
std::string capability_names(const std::vector<int>& caps);

}  // namespace kscope
