/* When the probe was last attached, for per-task timestamps that may be
 * stale. The CPU budget can detach a probe and attach it again later; a
 * start time taken before the detach (a syscall entered, a task woken or
 * blocked) was never closed by its matching event, and measuring from it
 * would count the whole detached period. Userspace writes CLOCK_MONOTONIC
 * (what bpf_ktime_get_ns reads) here before every attach. */
#ifndef KSCOPE_BPF_ATTACH_TIME_H
#define KSCOPE_BPF_ATTACH_TIME_H

#include "vmlinux.h"

__u64 kscope_attached_ns = 0;

/* Whether ts was taken while the probe was attached (0: never taken). */
static __always_inline int kscope_since_attach(__u64 ts)
{
	return ts && ts >= kscope_attached_ns;
}

#endif
