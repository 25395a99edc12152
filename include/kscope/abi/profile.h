/* On-CPU profile maps (bpf/profile.bpf.c). */
#ifndef KSCOPE_ABI_PROFILE_H
#define KSCOPE_ABI_PROFILE_H

#include "kscope/abi/common.h"
#include "kscope/abi/stacks.h"

/* Overflow counters, indices into profile_overflow. */
#define KSCOPE_PROFILE_OVF_COUNTS 0 /* profile_samples full: folded into "other" */
#define KSCOPE_PROFILE_OVF_STACKS 1 /* profile_stacks full or hash collision */
#define KSCOPE_PROFILE_OVF_MAX 2

struct profile_key {
	struct kscope_target target; /* breakdown of the metric */
	char comm[KSCOPE_COMM_LEN];  /* thread name */
	__u32 tgid;
	__s32 ustack_id; /* profile_stacks id or KSCOPE_*_STACK */
	__s32 kstack_id;
	__u32 flags; /* KSCOPE_KEY_* */
};

#endif
