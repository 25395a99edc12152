// SPDX-License-Identifier: GPL-2.0
/* Scheduler saturation and off-CPU time, aggregated in the kernel.
 *
 * One program per kernel event: sched_wakeup and sched_wakeup_new stamp the
 * wakee; sched_switch, from a single handler, counts the switch by kind,
 * stamps prev (run-queue wait when preempted, off-CPU start when it blocked)
 * and closes next's run-queue wait and off-CPU interval. A perf_event program
 * on the software cpu-clock samples each CPU's run-queue length.
 *
 * Off-CPU stacks, and why they are cheap here. bcc's offcputime walks the
 * kernel and the user stack at every switch-out (about 4 us per switch on
 * the development VM) although most blocks end up below min_block and are
 * thrown away at switch-in. Two observations remove nearly all of that:
 *  - The kernel stack of a blocked task is still there at switch-in, and
 *    bpf_get_task_stack(next) reads it. So the kernel stack is walked only
 *    for blocks that passed the min/max filter, after the fact.
 *  - The user stack can only be read while the task is current, i.e. at
 *    switch-out, but it only changes when the task went back to user space
 *    and entered the kernel from somewhere else. Each task caches its last
 *    user stack id with a signature of the user context it was taken in:
 *    the user ip, sp and frame pointer at kernel entry, the return address
 *    one frame up, and the mm (exec). A thread that blocks again from the
 *    same place - the common case: event loops, worker pools, ping-pong -
 *    reuses the id for one 8-byte user read instead of a full walk.
 * No sampling is involved, so every block's time is counted exactly once,
 * with weight 1: totals are exact, not estimates. The cost of the cache is
 * attribution in a corner case: two call paths that reach the same blocking
 * call with identical ip/sp/fp and the same immediate caller but differ
 * further up share one stack id until the signature changes. And kscope run,
 * which exports off-CPU time by target but no stacks, walks none at all
 * (targ_offcpu_stacks = 0).
 *
 * Off-CPU time accrues as it happens. A block counted only when it ends
 * would put a thread's half hour of sleep into one interval (1,800 s in
 * 10 s) and leave a recording of a sleeping process empty. So an iterator
 * over all tasks (accrue_offcpu, run by userspace before each read) counts
 * each block in progress up to now and moves its blocked_ns mark there;
 * switch-in counts the rest. The mark is swapped atomically (cmpxchg by
 * the iterator, xchg at switch-in), so each nanosecond is counted once
 * whichever runs first. A block's min/max filter looks at its whole length
 * (block_start_ns); with max_block set, blocks are counted when they end
 * (a block in progress might yet exceed it). The same pass, run once at
 * start with seed_blocked set, marks the tasks already blocked when kscope
 * attached, so their time is counted from then on.
 *
 * tp_btf (task-local storage, no tracefs) is the primary flavour; raw_tp is
 * the fallback, with state in an LRU hash by thread id, and without kernel
 * stacks for off-CPU time (bpf_get_task_stack needs a BTF task pointer)
 * and without the accrual (iterators come with BTF). Userspace enables
 * exactly one flavour. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "kscope/abi/sched.h"
#include "lib/attach_time.bpf.h"
#include "lib/maps.bpf.h"
#include "lib/target.bpf.h"
#include "lib/task_target.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EEXIST 17

const volatile __u32 targ_offcpu = 1;	      /* record off-CPU time */
/* 1: key off-CPU time by process, thread name and stacks (kscope offcpu,
 * /api/v1/profile). 0: by breakdown target only, and no stack is walked:
 * kscope run exports no stacks. */
const volatile __u32 targ_offcpu_stacks = 1;
const volatile __u64 targ_min_block_ns = 1000000; /* shorter blocks are not recorded */
const volatile __u64 targ_max_block_ns = 0;	      /* 0: no upper bound */
/* Set by userspace around the first accrual pass only. */
__u32 seed_blocked = 0;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sched_task_state);
} sched_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sched_task_state);
} sched_task_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct runq_key);
	__type(value, struct kscope_hist);
} runq_latency SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_SWITCH_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} sched_switches SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct runq_length);
} sched_runq_samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct offcpu_key);
	__type(value, struct offcpu_value);
} offcpu_time SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KSCOPE_STACK_DEPTH * sizeof(__u64));
} offcpu_user_stacks SEC(".maps");

/* Kernel stacks by content hash: bpf_get_task_stack fills a buffer, not a
 * stack map, so kscope keys them itself (64-bit FNV-1a; a collision would
 * need ~2^32 distinct stacks). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct kscope_kstack);
} offcpu_kernel_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kscope_kstack);
} kstack_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_SCHED_OVF_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sched_overflow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_OFFCPU_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sched_offcpu_stats SEC(".maps");

static const struct kscope_hist zero_hist;
static const struct offcpu_value zero_offcpu;

static __always_inline __u64 mix64(__u64 h, __u64 v)
{
	h ^= v;
	h *= 0x100000001b3ULL; /* FNV-1a prime */
	return h;
}

/* btf: task is a BTF pointer (tp_btf), read with plain loads. */
static __always_inline void fill_task_target(struct task_struct *task, struct kscope_target *t,
					     int btf)
{
	if (btf)
		kscope_fill_task_target_btf(task, t);
	else
		kscope_fill_task_target(task, t);
}

/* The key flags of task's target (KSCOPE_KEY_KERNEL), as above. */
static __always_inline __u32 task_target_flags(struct task_struct *task, int btf)
{
	return btf ? kscope_target_flags_btf(task) : kscope_target_flags(task);
}

static __always_inline void record_runq_latency(struct task_struct *task, __u64 delta, int btf)
{
	struct runq_key key = {};
	struct kscope_hist *hist;
	__u32 bucket;

	fill_task_target(task, &key.target, btf);
	key.flags = task_target_flags(task, btf);
	hist = kscope_lookup_or_init(&runq_latency, &key, &zero_hist);
	if (!hist) {
		kscope_count(&sched_overflow, KSCOPE_SCHED_OVF_RUNQ_LATENCY);
		__builtin_memset(&key.target, 0, sizeof(key.target));
		key.flags = KSCOPE_KEY_OTHER;
		hist = kscope_lookup_or_init(&runq_latency, &key, &zero_hist);
		if (!hist)
			return;
	}
	bucket = kscope_hist_bucket(delta);
	if (bucket >= KSCOPE_HIST_BUCKETS) /* never; tells the verifier */
		bucket = KSCOPE_HIST_BUCKETS - 1;
	__sync_fetch_and_add(&hist->buckets[bucket], 1);
	__sync_fetch_and_add(&hist->sum_ns, delta);
}

/* The user stack id of current (prev, switching out), from the task's cache
 * when its user context is unchanged; see the top of this file. */
static __always_inline void cache_user_stack(void *ctx, struct sched_task_state *st)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	/* Read as a number: the verifier forbids arithmetic on the pointer. */
	__u64 mm = (__u64)BPF_CORE_READ(cur, mm);
	struct pt_regs *regs;
	__u64 sig, fp, ret = 0;
	long id;

	if (!mm) { /* kernel thread */
		st->ustack_id = KSCOPE_NO_STACK;
		st->ustack_sig = 0;
		return;
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	fp = PT_REGS_FP_CORE(regs);
	bpf_probe_read_user(&ret, sizeof(ret), (void *)(fp + sizeof(__u64)));
	sig = mix64(0xcbf29ce484222325ULL, PT_REGS_IP_CORE(regs));
	sig = mix64(sig, PT_REGS_SP_CORE(regs));
	sig = mix64(sig, fp);
	sig = mix64(sig, ret);
	sig = mix64(sig, mm);
	if (sig == st->ustack_sig && st->ustack_id >= 0) {
		kscope_count(&sched_offcpu_stats, KSCOPE_OFFCPU_USTACK_HITS);
		return;
	}
	kscope_count(&sched_offcpu_stats, KSCOPE_OFFCPU_USTACK_WALKS);
	id = bpf_get_stackid(ctx, &offcpu_user_stacks, BPF_F_USER_STACK);
	if (id >= 0) {
		st->ustack_id = (__s32)id;
		st->ustack_sig = sig;
		return;
	}
	if (id == -EEXIST)
		kscope_count(&sched_overflow, KSCOPE_SCHED_OVF_USER_STACKS);
	st->ustack_id = id == -EEXIST ? KSCOPE_LOST_STACK : KSCOPE_NO_STACK;
	st->ustack_sig = 0;
}

/* The kernel stack a blocked task is about to resume from, stored by content
 * hash; 0 when unavailable or the map is full (counted). */
static __always_inline __u64 blocked_kernel_stack(struct task_struct *task)
{
	__u32 zero = 0;
	struct kscope_kstack *buf = bpf_map_lookup_elem(&kstack_scratch, &zero);
	__u64 h = 0xcbf29ce484222325ULL;
	long n, err;
	int i;

	if (!buf)
		return 0;
	/* Zero-fills the rest of the buffer, so equal stacks are equal values. */
	n = bpf_get_task_stack(task, buf->ips, sizeof(buf->ips), 0);
	if (n <= 0)
		return 0;
	for (i = 0; i < KSCOPE_KSTACK_DEPTH; i++) {
		if (!buf->ips[i])
			break;
		h = mix64(h, buf->ips[i]);
	}
	if (h == 0)
		h = 1;
	if (bpf_map_lookup_elem(&offcpu_kernel_stacks, &h))
		return h;
	err = bpf_map_update_elem(&offcpu_kernel_stacks, &h, buf, BPF_NOEXIST);
	if (err && err != -EEXIST) {
		kscope_count(&sched_overflow, KSCOPE_SCHED_OVF_KERNEL_STACKS);
		return 0;
	}
	return h;
}

/* Whether a block of this length is recorded (probes.offcpu min/max). */
static __always_inline int block_counts(__u64 length)
{
	return length >= targ_min_block_ns && !(targ_max_block_ns && length > targ_max_block_ns);
}

/* task blocked for delta ns more (ended: 1 when this ends its block, 0 for
 * time accrued while it goes on). btf: whether task is a BTF pointer
 * (bpf_get_task_stack needs one). */
static __always_inline void record_offcpu(struct task_struct *task, struct sched_task_state *st,
					  __u64 delta, int btf, __u64 ended)
{
	struct offcpu_key key = {};
	struct offcpu_value *val;

	if (ended)
		kscope_count(&sched_offcpu_stats, KSCOPE_OFFCPU_RECORDED);
	fill_task_target(task, &key.target, btf);
	key.flags = task_target_flags(task, btf);
	if (targ_offcpu_stacks) {
		BPF_CORE_READ_STR_INTO(&key.comm, task, comm);
		key.tgid = BPF_CORE_READ(task, tgid);
		key.ustack_id = st->ustack_id;
		if (btf)
			key.kstack = blocked_kernel_stack(task);
	} else {
		key.ustack_id = KSCOPE_NO_STACK;
	}
	val = kscope_lookup_or_init(&offcpu_time, &key, &zero_offcpu);
	if (!val) {
		kscope_count(&sched_overflow, KSCOPE_SCHED_OVF_OFFCPU);
		__builtin_memset(&key, 0, sizeof(key));
		key.ustack_id = KSCOPE_NO_STACK;
		key.flags = KSCOPE_KEY_OTHER;
		val = kscope_lookup_or_init(&offcpu_time, &key, &zero_offcpu);
		if (!val)
			return;
	}
	__sync_fetch_and_add(&val->total_ns, delta);
	if (ended)
		__sync_fetch_and_add(&val->count, 1);
}

static __always_inline void on_wakeup(struct sched_task_state *st)
{
	if (st)
		st->enqueued_ns = bpf_ktime_get_ns();
	else
		kscope_count(&sched_overflow, KSCOPE_SCHED_OVF_TASK_STATE);
}

/* prev is current. st: its state (created), NULL when filtered out or no
 * slot could be had. */
static __always_inline void on_switch_out(void *ctx, int voluntary, struct sched_task_state *st,
					  __u64 now)
{
	if (!st)
		return;
	if (voluntary) {
		st->enqueued_ns = 0;
		if (targ_offcpu) {
			kscope_count(&sched_offcpu_stats, KSCOPE_OFFCPU_BLOCKS);
			st->block_start_ns = now;
			st->blocked_ns = now;
			if (targ_offcpu_stacks)
				cache_user_stack(ctx, st);
		}
	} else {
		st->enqueued_ns = now; /* still runnable: back on the run queue */
		st->blocked_ns = 0;
	}
}

static __always_inline void on_switch_in(struct task_struct *next, struct sched_task_state *st,
					 __u64 now, int btf)
{
	if (!st)
		return;
	/* Older than the latest attach: the matching events were missed while
	 * the CPU budget had the probe detached. */
	if (st->enqueued_ns) {
		if (st->enqueued_ns >= kscope_attached_ns)
			record_runq_latency(next, now - st->enqueued_ns, btf);
		st->enqueued_ns = 0;
	}
	if (st->blocked_ns) {
		__u64 start = st->block_start_ns;
		/* What the accrual pass has not counted yet: from its mark. */
		__u64 from = __sync_lock_test_and_set(&st->blocked_ns, 0);

		if (from && from <= now && start >= kscope_attached_ns && block_counts(now - start))
			record_offcpu(next, st, now - from, btf, 1);
	}
}

/* Returns whether prev's switch was voluntary, after counting it. The
 * kernel's own rule (__schedule): a task that is not TASK_RUNNING and was not
 * preempted leaves the run queue, i.e. it blocked. */
static __always_inline int count_switch(int preempt, struct task_struct *prev)
{
	int voluntary = !preempt && kscope_task_state(prev) != 0;

	kscope_count(&sched_switches,
		     voluntary ? KSCOPE_SWITCH_VOLUNTARY : KSCOPE_SWITCH_INVOLUNTARY);
	return voluntary;
}

/* ---- tp_btf: state in task-local storage ---- */

static __always_inline struct sched_task_state *task_state_btf(struct task_struct *t, __u64 flags)
{
	return bpf_task_storage_get(&sched_task, t, 0, flags);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(handle_sched_wakeup, struct task_struct *p)
{
	if (kscope_task_filtered_out(p))
		return 0;
	on_wakeup(task_state_btf(p, BPF_LOCAL_STORAGE_GET_F_CREATE));
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(handle_sched_wakeup_new, struct task_struct *p)
{
	if (kscope_task_filtered_out(p))
		return 0;
	on_wakeup(task_state_btf(p, BPF_LOCAL_STORAGE_GET_F_CREATE));
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(handle_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();

	if (prev->pid && !kscope_filtered_out()) {
		int voluntary = count_switch(preempt, prev);
		struct sched_task_state *st = task_state_btf(prev, BPF_LOCAL_STORAGE_GET_F_CREATE);

		if (!st)
			kscope_count(&sched_overflow, KSCOPE_SCHED_OVF_TASK_STATE);
		on_switch_out(ctx, voluntary, st, now);
	}
	if (next->pid)
		on_switch_in(next, task_state_btf(next, 0), now, 1);
	return 0;
}

/* ---- raw_tp fallback: state in an LRU hash by thread id ---- */

static __always_inline struct sched_task_state *task_state_lru(__u32 tid, int create)
{
	static const struct sched_task_state fresh = {.ustack_id = KSCOPE_NO_STACK};
	struct sched_task_state *st = bpf_map_lookup_elem(&sched_task_lru, &tid);

	if (st || !create)
		return st;
	bpf_map_update_elem(&sched_task_lru, &tid, &fresh, BPF_NOEXIST);
	st = bpf_map_lookup_elem(&sched_task_lru, &tid);
	if (!st)
		kscope_count(&sched_overflow, KSCOPE_SCHED_OVF_TASK_STATE);
	return st;
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(handle_sched_wakeup_raw, struct task_struct *p)
{
	if (kscope_task_filtered_out(p))
		return 0;
	on_wakeup(task_state_lru(BPF_CORE_READ(p, pid), 1));
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(handle_sched_wakeup_new_raw, struct task_struct *p)
{
	if (kscope_task_filtered_out(p))
		return 0;
	on_wakeup(task_state_lru(BPF_CORE_READ(p, pid), 1));
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(handle_sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 prev_pid = BPF_CORE_READ(prev, pid), next_pid = BPF_CORE_READ(next, pid);

	if (prev_pid && !kscope_filtered_out()) {
		int voluntary = count_switch(preempt, prev);

		on_switch_out(ctx, voluntary, task_state_lru(prev_pid, 1), now);
	}
	if (next_pid)
		on_switch_in(next, task_state_lru(next_pid, 0), now, 0);
	return 0;
}

/* ---- off-CPU time of blocks in progress (see the top of this file) ---- */

/* A task that is blocked now: not on a CPU and not runnable. */
static __always_inline int blocked_now(struct task_struct *task)
{
	return kscope_task_state(task) != 0 && !BPF_CORE_READ(task, on_cpu);
}

SEC("iter/task")
int accrue_offcpu(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct sched_task_state *st;
	__u64 now, from;

	if (!task || !targ_offcpu || targ_max_block_ns || !task->pid || kscope_task_filtered_out(task))
		return 0;
	/* Only a task blocked now has time to accrue: a mark left on a task
	 * that woke meanwhile is never counted by this pass. */
	if (!blocked_now(task))
		return 0;
	now = bpf_ktime_get_ns();
	st = task_state_btf(task, 0);
	if (seed_blocked && (!st || !st->blocked_ns || st->block_start_ns < kscope_attached_ns)) {
		/* Blocked since before kscope attached (or while it was
		 * detached): counted from now. */
		if (!st)
			st = task_state_btf(task, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!st) {
			kscope_count(&sched_overflow, KSCOPE_SCHED_OVF_TASK_STATE);
			return 0;
		}
		/* Its user stack could only be read while it ran. */
		st->ustack_id = KSCOPE_NO_STACK;
		st->ustack_sig = 0;
		st->block_start_ns = now;
		st->blocked_ns = now;
		return 0;
	}
	if (!st)
		return 0;
	from = st->blocked_ns;
	if (!from || from >= now || st->block_start_ns < kscope_attached_ns ||
	    !block_counts(now - st->block_start_ns))
		return 0;
	if (__sync_val_compare_and_swap(&st->blocked_ns, from, now) != from)
		return 0; /* it woke meanwhile: switch-in counted it */
	record_offcpu(task, st, now - from, 1, 0);
	return 0;
}

/* ---- run-queue length, sampled on the software cpu-clock ---- */

SEC("perf_event")
int handle_runq_sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct cfs_rq *cfs = BPF_CORE_READ(task, se.cfs_rq);
	__u32 zero = 0;
	struct runq_length *len;
	struct rq *rq;
	__u64 queued;

	/* The run queue of this CPU, through the current task's CFS queue:
	 * bpf_this_cpu_ptr(&runqueues) would be simpler but needs the symbol in
	 * kallsyms, i.e. CONFIG_KALLSYMS_ALL, which this kernel lacks. */
	if (!cfs)
		return 0;
	if (bpf_core_field_exists(cfs->rq)) /* CONFIG_FAIR_GROUP_SCHED */
		rq = BPF_CORE_READ(cfs, rq);
	else /* the only cfs_rq is the one embedded in the rq */
		rq = (struct rq *)((void *)cfs - bpf_core_field_offset(struct rq, cfs));
	queued = BPF_CORE_READ(rq, nr_running);
	/* nr_running counts the task on the CPU too, unless it is idle. */
	if (queued && bpf_get_current_pid_tgid() != 0)
		queued--;
	len = bpf_map_lookup_elem(&sched_runq_samples, &zero);
	if (!len)
		return 0;
	len->samples++;
	len->queued_sum += queued;
	if (queued > len->queued_max)
		len->queued_max = queued;
	return 0;
}
