/* Records that probes send to userspace through their BPF ring buffer
 * (bpf/lib/events.bpf.h). Every record starts with kscope_event_header;
 * `type` says which struct it is, `size` is the struct's size so a decoder
 * can reject a record that does not match. */
#ifndef KSCOPE_ABI_EVENTS_H
#define KSCOPE_ABI_EVENTS_H

#include "kscope/abi/common.h"
#include "kscope/abi/stacks.h" /* KSCOPE_STACK_DEPTH */

#define KSCOPE_EVENT_SLOW_SYSCALL 1
#define KSCOPE_EVENT_TCP 2
#define KSCOPE_EVENT_EXIT 3

/* Slot of the per-CPU events_lost array: records that could not be
 * reserved because the ring buffer was full. */
#define KSCOPE_EVENTS_LOST_SLOT 0

struct kscope_event_header {
	__u16 type;
	__u16 size;
	__u32 cpu;
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
};

/* A syscall that took at least the probe's slow threshold. */
struct slow_syscall_event {
	struct kscope_event_header hdr;
	__u32 pid; /* thread group id */
	__u32 tid;
	__u64 duration_ns;
	__s64 ret;
	/* Ids in the probe's stack map; negative: -errno of bpf_get_stackid
	 * (e.g. -EFAULT for a kernel thread's user stack, -EEXIST when the
	 * map's bucket held another stack). */
	__s32 user_stack_id;
	__s32 kernel_stack_id;
	__u32 nr;
	__u32 flags; /* KSCOPE_KEY_IDLE for an idle wait */
	char comm[KSCOPE_COMM_LEN]; /* the thread's name */
};

#endif
