/* Syscall probe maps (bpf/syscalls.bpf.c). */
#ifndef KSCOPE_ABI_SYSCALLS_H
#define KSCOPE_ABI_SYSCALLS_H

#include "kscope/abi/common.h"
#include "kscope/abi/hist.h"

#define KSCOPE_SYSCALL_MAX_NR 512

/* Overflow counters, indices into syscall_overflow. The errors map folds
 * into a key with KSCOPE_KEY_OTHER and a zero target; if even that cannot be
 * inserted the error is only counted here. */
#define KSCOPE_SYSCALL_OVF_LATENCY 0
#define KSCOPE_SYSCALL_OVF_ERRORS 1
#define KSCOPE_SYSCALL_OVF_START 2
#define KSCOPE_SYSCALL_OVF_MAX 3

/* No free slot in syscall_latency (also the "no series yet" slot value). */
#define KSCOPE_SYSCALL_NO_SLOT 0xffffffffu

struct syscall_key {
	struct kscope_target target;
	__u32 nr;
	__u32 err; /* positive errno in syscall_errors, 0 in syscall_latency */
	__u32 flags; /* KSCOPE_KEY_* */
	__u32 pad;
};

struct syscall_stats {
	struct kscope_hist latency;
	/* Sum of positive return values of the read/write families (the
	 * syscalls in targ_bytes_nrs), 0 for the rest. */
	__u64 ret_sum;
};

/* One element of the syscall_latency array: a series' stats at the slot
 * that syscall_slots gives its key. gen changes whenever userspace frees
 * the slot (the series aged out), so a slot cached by a task for the old
 * key is known stale. */
struct syscall_series {
	struct syscall_stats stats;
	__u64 gen;
};

/* Per-task cache of series slots, direct-mapped by syscall number: a hit
 * spares the exit a hash lookup of the whole key. tag is 0 when empty, else
 * 1 + nr + (idle << KSCOPE_SYSCALL_TAG_IDLE_SHIFT). */
#define KSCOPE_SYSCALL_SLOT_CACHE 8
#define KSCOPE_SYSCALL_TAG_IDLE_SHIFT 16

struct syscall_slot_ref {
	__u32 tag;
	__u32 slot;
	__u64 gen;
};

/* Per-task state between sys_enter and sys_exit, and the task's slot cache,
 * valid for the target it was filled for (a process renames itself with
 * prctl or exec, a thread id is reused: the target is compared on every
 * exit). */
struct syscall_start {
	__u64 ts;
	__u32 nr;
	__u32 futex_op; /* futex's second argument, for futex only */
	struct kscope_target cached_target;
	struct syscall_slot_ref slots[KSCOPE_SYSCALL_SLOT_CACHE];
};

#endif
