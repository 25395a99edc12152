// SPDX-License-Identifier: GPL-2.0
/* OOM kills and crashes: oom:mark_victim (the process the OOM killer chose,
 * its memory and its memory cgroup's) and sched:sched_process_exit of whole
 * processes that ended by a fatal signal (SIGSEGV, SIGABRT, SIGKILL, ...).
 *
 * Both are rare, so every one is counted in exit_counts (by kind, signal,
 * process name and cgroup) and also sent as an event. A process the OOM
 * killer chose is counted twice, as an OOM kill when it is chosen and as a
 * SIGKILL exit when it dies; its exit carries KSCOPE_EXIT_OOM_VICTIM.
 *
 * Each handler is written once over CO-RE reads and attached through two
 * flavours, tp_btf (needs no tracefs) and raw_tp as the fallback. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "kscope/abi/exits.h"
#include "lib/events.bpf.h"
#include "lib/maps.bpf.h"
#include "lib/task_target.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* include/linux/sched/signal.h; a #define, so not in BTF. */
#define SIGNAL_GROUP_EXIT 0x00000004

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024); /* userspace sets probes.exits.max_entries */
	__type(key, struct exit_key);
	__type(value, __u64);
} exit_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_EXITS_OVF_MAX);
	__type(key, __u32);
	__type(value, __u64);
} exits_overflow SEC(".maps");

static const __u64 zero_count;

static __always_inline void count_exit(struct exit_key *key)
{
	__u64 *cnt = kscope_lookup_or_init(&exit_counts, key, &zero_count);

	if (!cnt) {
		kscope_count(&exits_overflow, KSCOPE_EXITS_OVF_COUNTS);
		key->cgroup_id = 0;
		__builtin_memset(key->comm, 0, sizeof(key->comm));
		key->flags = KSCOPE_KEY_OTHER;
		cnt = kscope_lookup_or_init(&exit_counts, key, &zero_count);
	}
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
}

static __always_inline struct exit_event *reserve_exit_event(__u32 kind)
{
	struct exit_event *e = kscope_event_reserve(sizeof(*e));

	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	kscope_event_header(&e->hdr, KSCOPE_EVENT_EXIT, sizeof(*e));
	e->kind = kind;
	return e;
}

/* The task's css of the memory controller (the cgroup v1 memory hierarchy
 * on hybrid hosts, the nearest cgroup v2 ancestor with memory enabled
 * otherwise); NULL without CONFIG_MEMCG. */
static __always_inline struct cgroup_subsys_state *memory_css(struct task_struct *task)
{
	int id;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (id < 0 || id >= 12) /* CGROUP_SUBSYS_COUNT bound for the verifier */
		return 0;
	return BPF_CORE_READ(task, cgroups, subsys[id]);
}

/* One of the mm's rss counters, in pages: the kernel's get_mm_counter()
 * reads the same approximate per-CPU-batched total. MM_*PAGES live in an
 * anonymous enum, so CO-RE can't relocate them; their values have not moved
 * since MM_SHMEMPAGES was added (4.5). */
static __always_inline __u64 mm_pages(struct mm_struct *mm, int member)
{
	__s64 v;

	if (member < 0 || member >= 4)
		return 0;
	v = BPF_CORE_READ(mm, rss_stat[member].count);
	return v > 0 ? v : 0;
}

static __always_inline void on_mark_victim(struct task_struct *task, __u32 uid)
{
	struct cgroup_subsys_state *css;
	struct task_struct *leader;
	struct exit_key key = {};
	struct exit_event *e;
	struct mm_struct *mm;

	if (kscope_task_filtered_out(task))
		return;
	leader = BPF_CORE_READ(task, group_leader);
	css = memory_css(task);
	key.kind = KSCOPE_EXIT_OOM_KILL;
	if (css)
		key.cgroup_id = BPF_CORE_READ(css, cgroup, kn, id);
	bpf_probe_read_kernel(key.comm, sizeof(key.comm), &leader->comm);
	count_exit(&key);

	e = reserve_exit_event(KSCOPE_EXIT_OOM_KILL);
	if (!e)
		return;
	e->pid = BPF_CORE_READ(task, tgid);
	e->signal = 9; /* the OOM killer sends SIGKILL */
	e->uid = uid;
	e->oom_score_adj = BPF_CORE_READ(task, signal, oom_score_adj);
	if (css) {
		/* css is the first member of struct mem_cgroup. */
		struct mem_cgroup *memcg = (struct mem_cgroup *)css;

		e->cgroup_id = key.cgroup_id;
		e->cgroup_usage_pages = BPF_CORE_READ(memcg, memory.usage.counter);
		e->cgroup_limit_pages = BPF_CORE_READ(memcg, memory.max);
	}
	/* mark_oom_victim runs under task_lock with the victim's mm held. */
	mm = BPF_CORE_READ(task, mm);
	if (mm) {
		e->total_vm_pages = BPF_CORE_READ(mm, total_vm);
		e->anon_rss_pages = mm_pages(mm, MM_ANONPAGES);
		e->file_rss_pages = mm_pages(mm, MM_FILEPAGES);
		e->shmem_rss_pages = mm_pages(mm, MM_SHMEMPAGES);
	}
	__builtin_memcpy(e->comm, key.comm, sizeof(e->comm));
	kscope_event_submit(e);
}

/* group_dead: this is the last thread of the process, so a process is seen
 * exactly once whichever thread goes last. */
static __always_inline void on_process_exit(struct task_struct *p, bool group_dead)
{
	struct task_struct *leader;
	struct exit_key key = {};
	struct exit_event *e;
	__u32 sflags;
	int code;

	if (!group_dead)
		return;
	/* A group exit (exit_group, a fatal signal, a core dump) stores the
	 * process's status in signal->group_exit_code, which every thread's
	 * exit_code copies; reading it does not depend on whether this
	 * tracepoint runs before or after do_exit sets task->exit_code. */
	sflags = BPF_CORE_READ(p, signal, flags);
	if (sflags & SIGNAL_GROUP_EXIT)
		code = BPF_CORE_READ(p, signal, group_exit_code);
	else
		code = BPF_CORE_READ(p, exit_code);
	if ((code & 0x7f) == 0) /* exited with a status, not a signal */
		return;
	if (kscope_task_filtered_out(p))
		return;
	leader = BPF_CORE_READ(p, group_leader);
	key.kind = KSCOPE_EXIT_SIGNAL;
	key.signal = code & 0x7f;
	key.cgroup_id = kscope_task_cgroup_id(p);
	bpf_probe_read_kernel(key.comm, sizeof(key.comm), &leader->comm);
	count_exit(&key);

	e = reserve_exit_event(KSCOPE_EXIT_SIGNAL);
	if (!e)
		return;
	e->pid = BPF_CORE_READ(p, tgid);
	e->signal = key.signal;
	e->exit_code = code;
	if (code & 0x80)
		e->flags |= KSCOPE_EXIT_CORE_DUMPED;
	if (BPF_CORE_READ(p, signal, oom_mm))
		e->flags |= KSCOPE_EXIT_OOM_VICTIM;
	e->oom_score_adj = BPF_CORE_READ(p, signal, oom_score_adj);
	e->cgroup_id = key.cgroup_id;
	__builtin_memcpy(e->comm, key.comm, sizeof(e->comm));
	kscope_event_submit(e);
}

/* tp_btf: typed arguments, no tracefs. sched_process_exit has carried
 * group_dead since 6.16; older kernels fail to load this object (reported). */
SEC("tp_btf/mark_victim")
int BPF_PROG(handle_mark_victim, struct task_struct *task, __u32 uid)
{
	on_mark_victim(task, uid);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_sched_process_exit, struct task_struct *p, bool group_dead)
{
	on_process_exit(p, group_dead);
	return 0;
}

/* raw_tp: the same handlers for kernels without BTF-typed tracepoints. */
SEC("raw_tp/mark_victim")
int BPF_PROG(handle_mark_victim_raw, struct task_struct *task, __u32 uid)
{
	on_mark_victim(task, uid);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(handle_sched_process_exit_raw, struct task_struct *p, bool group_dead)
{
	on_process_exit(p, group_dead);
	return 0;
}
