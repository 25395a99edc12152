// SPDX-License-Identifier: GPL-2.0
/* On-CPU profile: a perf_event program on the software cpu-clock of every
 * CPU counts (process, thread name, user stack, kernel stack) in the kernel,
 * or only the breakdown target when no stacks are wanted (targ_stacks).
 * Userspace reads the counts and the stack map; nothing per sample leaves the
 * kernel. The idle task is not counted: an idle CPU has no stack worth
 * drawing, and kscope_cpu_samples_total should be CPU time that was used. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "kscope/abi/profile.h"
#include "lib/maps.bpf.h"
#include "lib/target.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EEXIST 17

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct profile_key);
	__type(value, __u64);
} profile_samples SEC(".maps");

/* User and kernel stacks share one map, as in bcc's profile. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KSCOPE_STACK_DEPTH * sizeof(__u64));
} profile_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_PROFILE_OVF_MAX);
	__type(key, __u32);
	__type(value, __u64);
} profile_overflow SEC(".maps");

static const __u64 zero_count;

/* How many samples at probes.profile.frequency one sample stands for. The
 * CPU budget lowers the sampling rate by a factor and raises this by the
 * same factor, so kscope_cpu_samples_total keeps its unit and the CPU
 * signals derived from it stay right. */
__u64 kscope_sample_weight = 1;

/* 1: key samples by process, thread name and stacks (kscope profile,
 * /api/v1/profile). 0: by breakdown target only - kscope run exports no
 * stacks, so it neither walks them nor keeps a key per stack. */
const volatile __u32 targ_stacks = 1;

/* A stack id, or KSCOPE_NO_STACK when there is none (user stack of a kernel
 * thread, kernel stack of a sample taken in user mode), or KSCOPE_LOST_STACK
 * when the stack map had no room for it (counted). */
static __always_inline __s32 stack_id(void *ctx, __u64 flags)
{
	long id = bpf_get_stackid(ctx, &profile_stacks, flags);

	if (id >= 0)
		return (__s32)id;
	if (id == -EEXIST) {
		kscope_count(&profile_overflow, KSCOPE_PROFILE_OVF_STACKS);
		return KSCOPE_LOST_STACK;
	}
	return KSCOPE_NO_STACK;
}

SEC("perf_event")
int handle_cpu_sample(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct profile_key key = {};
	__u64 *cnt;

	if ((__u32)pid_tgid == 0 || kscope_filtered_out())
		return 0;
	kscope_fill_target(&key.target);
	key.flags = kscope_target_flags((struct task_struct *)bpf_get_current_task());
	if (targ_stacks) {
		bpf_get_current_comm(key.comm, sizeof(key.comm));
		key.tgid = pid_tgid >> 32;
		key.kstack_id = stack_id(ctx, 0);
		key.ustack_id = stack_id(ctx, BPF_F_USER_STACK);
	} else {
		key.kstack_id = KSCOPE_NO_STACK;
		key.ustack_id = KSCOPE_NO_STACK;
	}
	cnt = kscope_lookup_or_init(&profile_samples, &key, &zero_count);
	if (!cnt) {
		kscope_count(&profile_overflow, KSCOPE_PROFILE_OVF_COUNTS);
		__builtin_memset(&key, 0, sizeof(key));
		key.ustack_id = KSCOPE_NO_STACK;
		key.kstack_id = KSCOPE_NO_STACK;
		key.flags = KSCOPE_KEY_OTHER;
		cnt = kscope_lookup_or_init(&profile_samples, &key, &zero_count);
		if (!cnt)
			return 0;
	}
	__sync_fetch_and_add(cnt, kscope_sample_weight);
	return 0;
}
