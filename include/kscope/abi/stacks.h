/* Stack storage shared by the sched (off-CPU) and profile (on-CPU) probes. */
#ifndef KSCOPE_ABI_STACKS_H
#define KSCOPE_ABI_STACKS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Frames per stack in BPF_MAP_TYPE_STACK_TRACE maps: the kernel's default
 * perf_event_max_stack. Deeper stacks keep their innermost frames. */
#define KSCOPE_STACK_DEPTH 127

/* Frames of a blocked task's kernel stack (bpf_get_task_stack at switch-in):
 * blocking paths are shallow; 64 covers nested filesystems and networking. */
#define KSCOPE_KSTACK_DEPTH 64

/* A stack id that is not a stack: no user stack (kernel thread, or the
 * sample hit kernel mode only), or no kernel stack. Ids >= 0 are valid. */
#define KSCOPE_NO_STACK (-1)
/* The stack could not be stored (stack map full or hash collision);
 * counted in the probe's overflow counters. */
#define KSCOPE_LOST_STACK (-2)

struct kscope_kstack {
	__u64 ips[KSCOPE_KSTACK_DEPTH]; /* innermost first, zero-padded */
};

#endif
