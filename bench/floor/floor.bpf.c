// SPDX-License-Identifier: GPL-2.0
/* The floor of a syscall probe, and the steps up from it, for
 * bench/overhead.py: each pair of programs does one more thing than the one
 * before, so the difference between two rows is what that thing costs per
 * syscall. bench/overhead.py (FLOOR_MODES) names the programs of each step.
 *
 *   floor           sys_enter only, returns 0 (what any raw-syscall tracepoint costs)
 *   floor2          sys_enter and sys_exit, both empty (the second dispatch)
 *   floor-clock2    each reads bpf_ktime_get_ns
 *   floor-storage2  each gets the task's storage (created on enter) and keeps
 *                   the start time there: a latency probe with no aggregation */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} floor_start SEC(".maps");

/* Written so the clock read is not optimised away. */
__u64 floor_sink = 0;

SEC("tp_btf/sys_enter")
int BPF_PROG(empty_enter) { return 0; }

SEC("tp_btf/sys_exit")
int BPF_PROG(empty_exit) { return 0; }

SEC("tp_btf/sys_enter")
int BPF_PROG(clock_enter) { floor_sink = bpf_ktime_get_ns(); return 0; }

SEC("tp_btf/sys_exit")
int BPF_PROG(clock_exit) { floor_sink = bpf_ktime_get_ns(); return 0; }

SEC("tp_btf/sys_enter")
int BPF_PROG(storage_enter)
{
	__u64 *ts = bpf_task_storage_get(&floor_start, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(storage_exit)
{
	__u64 *ts = bpf_task_storage_get(&floor_start, bpf_get_current_task_btf(), 0, 0);

	if (ts && *ts)
		floor_sink = bpf_ktime_get_ns() - *ts;
	return 0;
}
