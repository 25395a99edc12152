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

struct syscall_key {
	struct kscope_target target;
	__u32 nr;
	__u32 err; /* positive errno in syscall_errors, 0 in syscall_latency */
	__u32 flags; /* KSCOPE_KEY_* */
	__u32 pad;
};

struct syscall_stats {
	struct kscope_hist latency;
	/* Sum of positive return values: bytes for the read/write families,
	 * meaningless (and not exported) for the rest. */
	__u64 ret_sum;
};

/* Per-task state between sys_enter and sys_exit. */
struct syscall_start {
	__u64 ts;
	__u32 nr;
	__u32 futex_op; /* futex's second argument, for futex only */
};

#endif
