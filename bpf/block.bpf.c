// SPDX-License-Identifier: GPL-2.0
/* Block I/O latency, sizes and errors per device and operation, from the
 * block:block_rq_issue and block:block_rq_complete tracepoints (the request
 * handed to the driver, and its completion): the time /proc/diskstats
 * accounts as the device's, per request.
 *
 * A request is timed from issue to the completion that finishes it; one
 * issued before kscope attached is not timed (no start). tp_btf is the
 * primary flavour and raw_tp the fallback; userspace loads one. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "kscope/abi/block.h"
#include "lib/attach_time.bpf.h"
#include "lib/maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define KSCOPE_REQ_OP_MASK 0xff
#define KSCOPE_MINORBITS 20

/* Preallocated: an insert and a delete per request would otherwise be a
 * kernel allocation and a free each (measured: ~1,000 -> see bench/block). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192); /* requests in flight at once */
	__type(key, __u64);
	__type(value, struct block_start);
} block_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 512);
	__type(key, struct block_key);
	__type(value, struct block_stats);
} block_latency SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_BLOCK_OVF_MAX);
	__type(key, __u32);
	__type(value, __u64);
} block_overflow SEC(".maps");

static const struct block_stats zero_stats;

/* The disk's dev_t: the whole disk, as /proc/diskstats' first line for it.
 * btf: rq is a BTF pointer (tp_btf), read with plain loads, which cost
 * less than a helper call each. */
static __always_inline __u32 request_dev(struct request *rq, int btf)
{
	struct gendisk *disk = btf ? rq->q->disk : BPF_CORE_READ(rq, q, disk);

	if (!disk)
		return 0;
	if (btf)
		return ((__u32)disk->major << KSCOPE_MINORBITS) | (__u32)disk->first_minor;
	return ((__u32)BPF_CORE_READ(disk, major) << KSCOPE_MINORBITS) |
	       (__u32)BPF_CORE_READ(disk, first_minor);
}

static __always_inline void on_issue(struct request *rq, int btf)
{
	struct block_start start = {};
	__u64 key = (__u64)rq;

	start.issued_ns = bpf_ktime_get_ns();
	start.dev = request_dev(rq, btf);
	start.op = (btf ? rq->cmd_flags : BPF_CORE_READ(rq, cmd_flags)) & KSCOPE_REQ_OP_MASK;
	if (bpf_map_update_elem(&block_start, &key, &start, BPF_ANY))
		kscope_count(&block_overflow, KSCOPE_BLOCK_OVF_START);
}

static __always_inline void on_complete(struct request *rq, int error, __u32 nr_bytes, int btf)
{
	__u64 key = (__u64)rq, delta;
	struct block_start *start = bpf_map_lookup_elem(&block_start, &key);
	struct block_key bk = {};
	struct block_stats *stats;
	__u32 bucket;

	if (!start)
		return; /* issued before kscope attached, or not timed */
	if (!kscope_since_attach(start->issued_ns))
		goto done; /* issued before a detach: its time spans it */
	/* A request completing in parts stays in flight until its last part:
	 * its bytes are counted as they complete, its time and count once. */
	bk.dev = start->dev;
	bk.op = start->op;
	delta = bpf_ktime_get_ns() - start->issued_ns;
	stats = kscope_lookup_or_init(&block_latency, &bk, &zero_stats);
	if (!stats) {
		kscope_count(&block_overflow, KSCOPE_BLOCK_OVF_LATENCY);
		bk.dev = 0; /* exported as device "other" */
		bk.op = 0;
		stats = kscope_lookup_or_init(&block_latency, &bk, &zero_stats);
		if (!stats)
			goto done;
	}
	__sync_fetch_and_add(&stats->bytes, nr_bytes);
	if (nr_bytes < (btf ? rq->__data_len : BPF_CORE_READ(rq, __data_len)))
		return; /* more to come */
	bucket = kscope_hist_bucket(delta);
	if (bucket >= KSCOPE_HIST_BUCKETS) /* never; tells the verifier */
		bucket = KSCOPE_HIST_BUCKETS - 1;
	__sync_fetch_and_add(&stats->latency.buckets[bucket], 1);
	__sync_fetch_and_add(&stats->latency.sum_ns, delta);
	if (error)
		__sync_fetch_and_add(&stats->errors, 1);
done:
	bpf_map_delete_elem(&block_start, &key);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(handle_block_rq_issue, struct request *rq)
{
	on_issue(rq, 1);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(handle_block_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	on_complete(rq, error, nr_bytes, 1);
	return 0;
}

SEC("raw_tp/block_rq_issue")
int BPF_PROG(handle_block_rq_issue_raw, struct request *rq)
{
	on_issue(rq, 0);
	return 0;
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(handle_block_rq_complete_raw, struct request *rq, int error, unsigned int nr_bytes)
{
	on_complete(rq, error, nr_bytes, 0);
	return 0;
}
