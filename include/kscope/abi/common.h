/* Types shared by every probe and userspace. Fixed-width fields only. */
#ifndef KSCOPE_ABI_COMMON_H
#define KSCOPE_ABI_COMMON_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define KSCOPE_COMM_LEN 16

/* How the per-target maps are keyed (const volatile targ_breakdown). */
#define KSCOPE_BREAKDOWN_NONE 0
#define KSCOPE_BREAKDOWN_COMM 1
#define KSCOPE_BREAKDOWN_CGROUP 2

/* Set in a key's flags when the map was full and the event was folded into
 * the shared "other" entry. */
#define KSCOPE_KEY_OTHER 1
/* A syscall that waits for work to arrive (an idle wait, see
 * userspace/probes/idle_waits.h): kept apart from the latency signal. */
#define KSCOPE_KEY_IDLE 2
/* The target is a kernel thread (PF_KTHREAD; for the comm breakdown, the
 * group leader's flag): its series carry kernel="true" and the default alert
 * rules leave it out. Never set without a breakdown, so the one host-wide
 * series stays whole. */
#define KSCOPE_KEY_KERNEL 4

/* Identifies who did something, at the breakdown granularity: comm is the
 * process (thread group leader) name, cgroup_id the cgroup v2 inode. Unused
 * fields are zero. */
struct kscope_target {
	__u64 cgroup_id;
	char comm[KSCOPE_COMM_LEN];
};

#endif
