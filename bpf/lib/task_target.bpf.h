/* The target filters and breakdown of lib/target.bpf.h for a task that is
 * not current (the wakee of sched_wakeup, next in sched_switch). */
#ifndef KSCOPE_BPF_TASK_TARGET_H
#define KSCOPE_BPF_TASK_TARGET_H

#include "lib/target.bpf.h"

/* The cgroup v2 id (kernfs node id) bpf_get_current_cgroup_id() would give
 * if task were current. */
static __always_inline __u64 kscope_task_cgroup_id(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

static __always_inline int kscope_task_filtered_out(struct task_struct *task)
{
	if (targ_tgid && (__u32)BPF_CORE_READ(task, tgid) != targ_tgid)
		return 1;
	if (targ_cgroup_id && kscope_task_cgroup_id(task) != targ_cgroup_id)
		return 1;
	return 0;
}

static __always_inline void kscope_fill_task_target(struct task_struct *task,
						    struct kscope_target *t)
{
	if (targ_breakdown == KSCOPE_BREAKDOWN_COMM) {
		struct task_struct *leader = BPF_CORE_READ(task, group_leader);

		bpf_probe_read_kernel(t->comm, sizeof(t->comm), &leader->comm);
	} else if (targ_breakdown == KSCOPE_BREAKDOWN_CGROUP) {
		t->cgroup_id = kscope_task_cgroup_id(task);
	}
}

/* The same for a BTF-typed task pointer (tp_btf arguments): plain loads,
 * cheaper than the probe reads above. */
static __always_inline void kscope_fill_task_target_btf(struct task_struct *task,
							struct kscope_target *t)
{
	if (targ_breakdown == KSCOPE_BREAKDOWN_COMM)
		__builtin_memcpy(t->comm, task->group_leader->comm, sizeof(t->comm));
	else if (targ_breakdown == KSCOPE_BREAKDOWN_CGROUP)
		t->cgroup_id = kscope_task_cgroup_id(task);
}

/* task->__state, named state before 5.14 (commit 2f064a59a11f). */
struct task_struct___pre_5_14 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline __u32 kscope_task_state(struct task_struct *task)
{
	if (bpf_core_field_exists(task->__state))
		return BPF_CORE_READ(task, __state);
	return (__u32)BPF_CORE_READ((struct task_struct___pre_5_14 *)task, state);
}

#endif
