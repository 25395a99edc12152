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
#define KSCOPE_BLOCK_OVF_MAX 2

/* Per device and operation. */
struct block_key {
	__u32 dev; /* major << 20 | minor, as the kernel's dev_t */
	__u32 op;  /* KSCOPE_BLOCK_OP_*, or the kernel's op number */
};

struct block_stats {
	struct kscope_hist latency; /* issue to completion */
	__u64 bytes;
	__u64 errors; /* completions with a non-zero status */
};

/* Per request in flight, keyed by the request's address. */
struct block_start {
	__u64 issued_ns;
	__u32 dev;
	__u32 op;
};

#endif
