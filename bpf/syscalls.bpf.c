// SPDX-License-Identifier: GPL-2.0
/* Syscall latency, errors and bytes, aggregated in the kernel; syscalls
 * slower than targ_slow_ns also go to userspace as events with their stacks.
 *
 * One enter/exit pair of programs per attach flavour: tp_btf (needs no
 * tracefs, task-local storage for the start time) and raw_tp as the fallback
 * (LRU hash keyed by thread id). Userspace enables exactly one pair.
 *
 * Every syscall pays this, so the exit is kept to one array access in the
 * common case (notes/issue-19.md has the measurements): a series' stats live
 * at a slot of the syscall_latency array, syscall_slots maps its key to the
 * slot, and each task caches the slots of its recent syscalls beside its
 * start time, so the key is hashed only when a task first makes a syscall,
 * or after it renamed itself or the series aged out. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "kscope/abi/syscalls.h"
#include "lib/attach_time.bpf.h"
#include "lib/events.bpf.h"
#include "lib/maps.bpf.h"
#include "lib/target.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct syscall_start);
} syscall_start_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct syscall_start);
} syscall_start_lru SEC(".maps");

/* Series key -> slot in syscall_latency. Userspace ages a key out by
 * deleting it here, zeroing its slot with a new generation and pushing the
 * slot onto syscall_free_slots. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct syscall_key);
	__type(value, __u32);
} syscall_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096); /* as syscall_slots: both sized by userspace */
	__type(key, __u32);
	__type(value, struct syscall_series);
} syscall_latency SEC(".maps");

/* Slots given back by userspace; slots never used yet come from
 * syscall_next_slot. */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4096);
	__type(value, __u32);
} syscall_free_slots SEC(".maps");

const volatile __u32 targ_slots = 4096; /* syscall_latency's max_entries */
__u32 syscall_next_slot = 0;

/* Where events go when syscall_latency is full: one slot per syscall number,
 * so a full map loses the breakdown but never the syscall or the count. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KSCOPE_SYSCALL_MAX_NR);
	__type(key, __u32);
	__type(value, struct syscall_stats);
} syscall_latency_other SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct syscall_key);
	__type(value, __u64);
} syscall_errors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_SYSCALL_OVF_MAX);
	__type(key, __u32);
	__type(value, __u64);
} syscall_overflow SEC(".maps");

/* Slow-syscall events: off (0) unless a run asks. The check is one compare
 * on the aggregation path; with the threshold 0 the verifier removes the
 * whole branch, since read-only data is known at load time. */
const volatile __u64 targ_slow_ns = 0;
/* When set, only the syscalls whose bit is set in targ_slow_nrs. */
const volatile __u32 targ_slow_filter = 0;
const volatile __u64 targ_slow_nrs[KSCOPE_SYSCALL_MAX_NR / 64] = {};
/* The syscalls whose positive return is a byte count (ret_sum). */
const volatile __u64 targ_bytes_nrs[KSCOPE_SYSCALL_MAX_NR / 64] = {};
/* Capture stack ids (the biggest part of an event's cost). */
const volatile __u32 targ_slow_stacks = 1;
/* The reader itself (its polling is slow by design), 0: none. */
const volatile __u32 targ_slow_exclude_tgid = 0;
/* Idle waits also go out as slow events (trace --include-idle). */
const volatile __u32 targ_slow_include_idle = 0;

/* The idle-wait class, filled by userspace from syscall names so that no
 * syscall number is written here (userspace/probes/idle_waits.h says which
 * and why): always idle, idle when they return 0 (timed out with nothing
 * ready), and futex, idle for its wait operations. */
const volatile __u64 targ_idle_nrs[KSCOPE_SYSCALL_MAX_NR / 64] = {};
const volatile __u64 targ_idle_timeout_nrs[KSCOPE_SYSCALL_MAX_NR / 64] = {};
const volatile __u32 targ_futex_nr = KSCOPE_SYSCALL_MAX_NR; /* none */

#define KSCOPE_FUTEX_CMD_MASK 127 /* without FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME */
#define KSCOPE_FUTEX_WAIT 0
#define KSCOPE_FUTEX_WAIT_BITSET 9
#define KSCOPE_FUTEX_WAIT_REQUEUE_PI 11

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1); /* sized by userspace when slow events are on */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KSCOPE_STACK_DEPTH * sizeof(__u64));
} syscall_stacks SEC(".maps");

static const __u64 zero_count;

static __always_inline bool nr_in(const volatile __u64 *set, __u32 nr)
{
	return set[(nr >> 6) & (KSCOPE_SYSCALL_MAX_NR / 64 - 1)] & (1ULL << (nr & 63));
}

static __always_inline bool idle_wait(const struct syscall_start *start, __u32 nr, long ret)
{
	__u32 cmd;

	if (nr_in(targ_idle_nrs, nr))
		return true;
	if (ret == 0 && nr_in(targ_idle_timeout_nrs, nr))
		return true;
	if (nr != targ_futex_nr)
		return false;
	cmd = start->futex_op & KSCOPE_FUTEX_CMD_MASK;
	return cmd == KSCOPE_FUTEX_WAIT || cmd == KSCOPE_FUTEX_WAIT_BITSET ||
	       cmd == KSCOPE_FUTEX_WAIT_REQUEUE_PI;
}

static __always_inline void record_enter(struct syscall_start *start, struct pt_regs *regs, long id)
{
	start->ts = bpf_ktime_get_ns();
	start->nr = (__u32)id;
	/* Only futex pays for the read; its operation says wait or wake. */
	start->futex_op = id == targ_futex_nr ? (__u32)PT_REGS_PARM2_CORE_SYSCALL(regs) : 0;
}

static __noinline void emit_slow(void *ctx, __u32 nr, __u64 delta, long ret, __u32 flags)
{
	struct slow_syscall_event *e;
	__u64 pid_tgid;

	if ((flags & KSCOPE_KEY_IDLE) && !targ_slow_include_idle)
		return;
	if (targ_slow_filter && !nr_in(targ_slow_nrs, nr))
		return;
	pid_tgid = bpf_get_current_pid_tgid();
	if (targ_slow_exclude_tgid && (__u32)(pid_tgid >> 32) == targ_slow_exclude_tgid)
		return;
	e = kscope_event_reserve(sizeof(*e));
	if (!e)
		return;
	kscope_event_header(&e->hdr, KSCOPE_EVENT_SLOW_SYSCALL, sizeof(*e));
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->duration_ns = delta;
	e->ret = ret;
	e->nr = nr;
	e->flags = flags;
	e->user_stack_id = -1;
	e->kernel_stack_id = -1;
	if (targ_slow_stacks) {
		e->user_stack_id = bpf_get_stackid(ctx, &syscall_stacks, BPF_F_USER_STACK);
		e->kernel_stack_id = bpf_get_stackid(ctx, &syscall_stacks, 0);
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	kscope_event_submit(e);
}

static __always_inline int take_free_slot(__u32 *slot)
{
	__u32 next = syscall_next_slot;

	if (next < targ_slots) {
		next = __sync_fetch_and_add(&syscall_next_slot, 1);
		if (next < targ_slots) {
			*slot = next;
			return 0;
		}
	}
	return bpf_map_pop_elem(&syscall_free_slots, slot) ? -1 : 0;
}

/* The slot of key's series, inserted with a free slot when key is new.
 * Returns -1 when syscall_slots is full or no slot is free. */
static __noinline int find_slot(const struct syscall_key *key, __u32 *slot)
{
	__u32 *found = bpf_map_lookup_elem(&syscall_slots, key);
	__u32 fresh;
	long err;

	if (found) {
		*slot = *found;
		return 0;
	}
	if (take_free_slot(&fresh))
		return -1;
	err = bpf_map_update_elem(&syscall_slots, key, &fresh, BPF_NOEXIST);
	if (!err) {
		*slot = fresh;
		return 0;
	}
	bpf_map_push_elem(&syscall_free_slots, &fresh, 0); /* not ours after all */
	if (err != -17 /* EEXIST: another CPU inserted it */)
		return -1;
	found = bpf_map_lookup_elem(&syscall_slots, key);
	if (!found)
		return -1;
	*slot = *found;
	return 0;
}

/* The stats of key's series: from the task's slot cache, else through
 * syscall_slots (and cached), else NULL (no room: the caller folds). */
static __always_inline struct syscall_stats *series_stats(struct syscall_start *start,
							  struct syscall_key *key)
{
	struct syscall_slot_ref *ref;
	struct syscall_series *series = NULL;
	__u32 tag, slot;

	/* A task that renamed itself (prctl, exec), or a reused thread id in
	 * the raw_tp flavour, starts its cache over. */
	if (start->cached_target.cgroup_id != key->target.cgroup_id ||
	    *(__u64 *)&start->cached_target.comm[0] != *(__u64 *)&key->target.comm[0] ||
	    *(__u64 *)&start->cached_target.comm[8] != *(__u64 *)&key->target.comm[8]) {
		start->cached_target = key->target;
		for (int i = 0; i < KSCOPE_SYSCALL_SLOT_CACHE; i++)
			start->slots[i].tag = 0;
	}
	tag = 1 + key->nr + ((key->flags & KSCOPE_KEY_IDLE) << (KSCOPE_SYSCALL_TAG_IDLE_SHIFT - 1));
	ref = &start->slots[key->nr & (KSCOPE_SYSCALL_SLOT_CACHE - 1)];
	if (ref->tag == tag) {
		slot = ref->slot;
		series = bpf_map_lookup_elem(&syscall_latency, &slot);
		if (series && series->gen == ref->gen)
			return &series->stats;
	}
	if (find_slot(key, &slot))
		return NULL;
	series = bpf_map_lookup_elem(&syscall_latency, &slot);
	if (!series)
		return NULL;
	ref->tag = tag;
	ref->slot = slot;
	ref->gen = series->gen;
	return &series->stats;
}

/* task: the current task as a BTF pointer (tp_btf), NULL for raw_tp. */
static __always_inline void record_exit(void *ctx, struct syscall_start *start, long ret,
					struct task_struct *task)
{
	struct syscall_key key = {};
	struct syscall_stats *stats;
	__u64 ts = start->ts, delta;
	__u32 nr = start->nr, bucket, flags;

	start->ts = 0;
	if (!kscope_since_attach(ts))
		return; /* entered before we attached */
	delta = bpf_ktime_get_ns() - ts;
	if (nr >= KSCOPE_SYSCALL_MAX_NR)
		return;
	flags = idle_wait(start, nr, ret) ? KSCOPE_KEY_IDLE : 0;
	if (targ_slow_ns && delta >= targ_slow_ns)
		emit_slow(ctx, nr, delta, ret, flags);

	/* No KSCOPE_KEY_KERNEL here: kernel threads never enter through a
	 * system call, so these tracepoints only see user tasks. */
	if (task)
		kscope_fill_current_target_btf(task, &key.target);
	else
		kscope_fill_target(&key.target);
	key.nr = nr;
	key.flags = flags;
	stats = series_stats(start, &key);
	if (!stats) {
		kscope_count(&syscall_overflow, KSCOPE_SYSCALL_OVF_LATENCY);
		stats = bpf_map_lookup_elem(&syscall_latency_other, &nr);
		if (!stats)
			return;
	}
	bucket = kscope_hist_bucket(delta);
	if (bucket >= KSCOPE_HIST_BUCKETS) /* never; tells the verifier */
		bucket = KSCOPE_HIST_BUCKETS - 1;
	__sync_fetch_and_add(&stats->latency.buckets[bucket], 1);
	__sync_fetch_and_add(&stats->latency.sum_ns, delta);
	if (ret > 0 && nr_in(targ_bytes_nrs, nr))
		__sync_fetch_and_add(&stats->ret_sum, ret);

	if (ret < 0 && ret >= -4095) {
		__u64 *cnt;

		key.err = (__u32)-ret;
		key.flags = 0; /* errors are counted whatever the class */
		cnt = kscope_lookup_or_init(&syscall_errors, &key, &zero_count);
		if (!cnt) {
			kscope_count(&syscall_overflow, KSCOPE_SYSCALL_OVF_ERRORS);
			__builtin_memset(&key.target, 0, sizeof(key.target));
			key.flags = KSCOPE_KEY_OTHER;
			cnt = kscope_lookup_or_init(&syscall_errors, &key, &zero_count);
			if (!cnt)
				return;
		}
		__sync_fetch_and_add(cnt, 1);
	}
}

SEC("tp_btf/sys_enter")
int BPF_PROG(handle_sys_enter, struct pt_regs *regs, long id)
{
	struct syscall_start *start;

	if (kscope_filtered_out())
		return 0;
	start = bpf_task_storage_get(&syscall_start_task, bpf_get_current_task_btf(), 0,
				     BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!start) {
		kscope_count(&syscall_overflow, KSCOPE_SYSCALL_OVF_START);
		return 0;
	}
	record_enter(start, regs, id);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct syscall_start *start;

	start = bpf_task_storage_get(&syscall_start_task, task, 0, 0);
	if (start)
		record_exit(ctx, start, ret, task);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(handle_sys_enter_raw, struct pt_regs *regs, long id)
{
	struct syscall_start start = {};
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;

	if (kscope_filtered_out())
		return 0;
	record_enter(&start, regs, id);
	if (bpf_map_update_elem(&syscall_start_lru, &tid, &start, BPF_ANY))
		kscope_count(&syscall_overflow, KSCOPE_SYSCALL_OVF_START);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(handle_sys_exit_raw, struct pt_regs *regs, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct syscall_start *start = bpf_map_lookup_elem(&syscall_start_lru, &tid);

	if (start)
		record_exit(ctx, start, ret, NULL);
	return 0;
}
