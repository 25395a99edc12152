/* Scheduler probe maps (bpf/sched.bpf.c): run-queue latency, run-queue
 * length, context switches and off-CPU time. */
#ifndef KSCOPE_ABI_SCHED_H
#define KSCOPE_ABI_SCHED_H

#include "kscope/abi/common.h"
#include "kscope/abi/hist.h"
#include "kscope/abi/stacks.h"

/* Slots of sched_switches (per-CPU array). The kernel's own definition, as
 * for /proc/PID/status voluntary_ctxt_switches: voluntary when the task left
 * the CPU because it blocked (state != TASK_RUNNING and not preempted). */
#define KSCOPE_SWITCH_VOLUNTARY 0
#define KSCOPE_SWITCH_INVOLUNTARY 1
#define KSCOPE_SWITCH_KINDS 2

/* Overflow counters, indices into sched_overflow. */
#define KSCOPE_SCHED_OVF_RUNQ_LATENCY 0 /* runq_latency full: folded into "other" */
#define KSCOPE_SCHED_OVF_OFFCPU 1	/* offcpu_time full: folded into "other" */
#define KSCOPE_SCHED_OVF_USER_STACKS 2	/* offcpu_user_stacks full or collision */
#define KSCOPE_SCHED_OVF_KERNEL_STACKS 3 /* offcpu_kernel_stacks full */
#define KSCOPE_SCHED_OVF_TASK_STATE 4	/* no per-task slot: event not timed */
#define KSCOPE_SCHED_OVF_MAX 5

/* Counters of how off-CPU stacks were obtained (sched_offcpu_stats), for the
 * benchmark and kscope's own metrics. */
#define KSCOPE_OFFCPU_BLOCKS 0	     /* voluntary switch-outs watched */
#define KSCOPE_OFFCPU_USTACK_WALKS 1 /* user stack walked (cache miss) */
#define KSCOPE_OFFCPU_USTACK_HITS 2  /* user stack id reused from the task cache */
#define KSCOPE_OFFCPU_RECORDED 3     /* blocks within [min_block, max_block] */
#define KSCOPE_OFFCPU_STAT_MAX 4

struct runq_key {
	struct kscope_target target;
	__u32 flags; /* KSCOPE_KEY_* */
	__u32 pad;
};

/* Per-task scheduler state (task storage, or an LRU hash by tid under
 * raw_tp). */
struct sched_task_state {
	__u64 enqueued_ns; /* woken or preempted at; 0 when not on a run queue */
	/* Blocked (switched out voluntarily) since block_start_ns; its time up
	 * to blocked_ns has been counted already, by the accrual pass that
	 * counts blocks in progress (bpf/sched.bpf.c). 0: not blocked. */
	__u64 blocked_ns;
	__u64 block_start_ns;
	/* The user stack id taken at an earlier switch-out, and the signature
	 * of the user context it was taken in (see bpf/sched.bpf.c). */
	__u64 ustack_sig;
	__s32 ustack_id;
	__u32 pad;
};

struct offcpu_key {
	struct kscope_target target; /* breakdown of the metric */
	char comm[KSCOPE_COMM_LEN];  /* thread name, for the stack's root */
	__u64 kstack;		     /* key of offcpu_kernel_stacks, 0: none */
	__u32 tgid;
	__s32 ustack_id; /* offcpu_user_stacks id or KSCOPE_*_STACK */
	__u32 flags;	 /* KSCOPE_KEY_* */
	__u32 pad;
};

struct offcpu_value {
	__u64 total_ns;
	__u64 count;
};

/* Run-queue length samples of one CPU (sched_runq_samples, per-CPU). */
struct runq_length {
	__u64 samples;
	__u64 queued_sum; /* tasks waiting (runnable, not running), summed */
	__u64 queued_max; /* since load; userspace resets nothing */
};

#endif
