// Turns off glibc's per-thread malloc cache (tcache) for `kscope run`.
//
// Why: every thread that ever allocated keeps up to 7 freed blocks of each
// size up to 1 KiB (~240 KiB at most) in its own cache, where neither other
// threads nor malloc_trim can reach them. kscope's 64 HTTP worker threads
// each serve a mix of /metrics, queries and WebSocket work, so each fills
// its cache: 4.7 MB held that way 5 minutes into a soak (tcache->counts of
// all 69 threads, read with gdb), the bulk of the resident memory that
// heaptrack did not see as in use. kscope allocates tens of thousands of
// blocks a second, which the arenas serve as fast without the cache.
//
// Remeasured with 11 threads (2026-12-07, bench/glibc_soak: variants side
// by side for an hour, figures in bench/README.md): with the arena limit of
// the time (two arenas) the cache cost nothing (+0.0 MB RSS at the hour).
// That limit is gone now (glibc's own arena count saved 1.9 MB), and
// without the limit the cache back on cost +1.9 MB (minutes 30-40 of a
// second run beside its own control). So it stays.
//
// The cache is set up before main (GLIBC_TUNABLES is read by the dynamic
// loader), so kscope executes itself again, once, with
// glibc.malloc.tcache_count=0 added to the environment. Same PID, same
// arguments (from /proc/self/cmdline), same name (comm: not the "exe" of
// /proc/self/exe).
#pragma once

#include <string>

#include "common/result.h"

namespace kscope {

// The GLIBC_TUNABLES value with tcache_count=0 added to `current` (null:
// unset); empty when `current` already sets tcache_count (the operator's
// choice stands).
std::string tunables_without_thread_caches(const char* current);

// Re-executes this process with the thread caches off. Returns only when it
// did not: already done (the tunable is set), the loader would ignore the
// tunable (secure execution: file capabilities, setuid), or exec failed
// (the Error; kscope runs on with the caches).
Status reexec_without_thread_caches();

}  // namespace kscope
