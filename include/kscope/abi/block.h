/* Block I/O probe maps (bpf/block.bpf.c). */
#ifndef KSCOPE_ABI_BLOCK_H
#define KSCOPE_ABI_BLOCK_H

#include "kscope/abi/common.h"
#include "kscope/abi/hist.h"

/* The request's operation (REQ_OP_* of the kernel, cmd_flags & 0xff): the
 * ones with a name of their own; the rest are exported as "other". */
#define KSCOPE_BLOCK_OP_READ 0
#define KSCOPE_BLOCK_OP_WRITE 1
#define KSCOPE_BLOCK_OP_FLUSH 2
#define KSCOPE_BLOCK_OP_DISCARD 3

/* Overflow counters, indices into block_overflow. */
#define KSCOPE_BLOCK_OVF_START 0   /* block_start full: the request is not timed */
#define KSCOPE_BLOCK_OVF_LATENCY 1 /* block_latency full: folded into dev 0, exported as "other" */
#define KSCOPE_BLOCK_OVF_TARGETS 2 /* block_targets full: folded into the KSCOPE_KEY_OTHER target */
#define KSCOPE_BLOCK_OVF_MAX 3

/* Per device and operation. */
struct block_key {
	__u32 dev; /* major << 20 | minor, as the kernel's dev_t */
	__u32 op;  /* KSCOPE_BLOCK_OP_*, or the kernel's op number */
};

struct block_stats {
	struct kscope_hist latency; /* issue to completion */
	/* From the request's start in the block layer (rq->start_time_ns,
	 * set when the queue keeps I/O statistics or has a scheduler) to its
	 * issue: time in plugs and queues. */
	struct kscope_hist queue;
	/* Request sizes, recorded as bytes - 1 in the latency layout, so that
	 * a 4096-byte request lands in the bucket that ends at 4096 and an
	 * exported le="4096" counts it; sum_ns holds the true bytes. */
	struct kscope_hist size;
	__u64 bytes;
	__u64 errors; /* completions with a non-zero status */
};

/* Per request in flight, keyed by the request's address. */
struct block_start {
	__u64 issued_ns;
	__u64 queued_ns; /* start to issue; 0: the request has no start time */
	__u32 dev;
	__u32 op;
	__u32 size;  /* bytes at issue */
	__u32 flags; /* KSCOPE_KEY_KERNEL when the issuer is a kernel thread */
	struct kscope_target target; /* who issued it */
};

/* Completed requests and bytes per device, operation and issuing target
 * (the breakdown: process name or cgroup). Direct I/O is the process's own;
 * page-cache writeback is issued by the kernel's flusher threads. */
struct block_target_key {
	__u32 dev;
	__u32 op;
	__u32 flags; /* KSCOPE_KEY_OTHER, KSCOPE_KEY_KERNEL */
	__u32 pad;
	struct kscope_target target;
};

struct block_target_stats {
	__u64 requests;
	__u64 bytes;
};

#endif
