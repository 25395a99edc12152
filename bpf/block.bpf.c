// SPDX-License-Identifier: GPL-2.0
/* Block I/O latency, sizes and errors per device and operation, from the
 * block:block_rq_issue and block:block_rq_complete tracepoints (the request
 * handed to the driver, and its completion): the time /proc/diskstats
 * accounts as the device's, per request, with the time it waited in the
 * block layer before that and the task that issued it.
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
#include "lib/target.bpf.h"

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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024); /* set by userspace */
	__type(key, struct block_target_key);
	__type(value, struct block_target_stats);
} block_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_BLOCK_OVF_MAX);
	__type(key, __u32);
	__type(value, __u64);
} block_overflow SEC(".maps");

static const struct block_stats zero_stats;
static const struct block_target_stats zero_target_stats;

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

/* Who issues the request: the current task at issue (the submitter, for
 * a request dispatched in its own context; a kworker for writeback or an
 * asynchronous queue run). Without a breakdown, nothing. */
static __always_inline void fill_issuer(struct block_start *start, int btf)
{
	if (targ_breakdown == KSCOPE_BREAKDOWN_NONE)
		return;
	if (btf) {
		kscope_fill_target_btf(&start->target);
		start->flags = kscope_target_flags_btf(bpf_get_current_task_btf());
	} else {
		kscope_fill_target(&start->target);
		start->flags = kscope_target_flags((struct task_struct *)bpf_get_current_task());
	}
}

/* The queue time is the block layer's own: rq->start_time_ns is stamped
 * when the request is set up from its bio (the start /proc/diskstats times
 * I/O from, set when the queue keeps I/O statistics or has a scheduler),
 * so issue - start is the time it waited in plugs and queues before the
 * driver, with no insert program and no second map update per request. */
static __always_inline void on_issue(struct request *rq, int btf)
{
	struct block_start start = {};
	__u64 key = (__u64)rq, began;

	start.issued_ns = bpf_ktime_get_ns();
	start.dev = request_dev(rq, btf);
	start.op = (btf ? rq->cmd_flags : BPF_CORE_READ(rq, cmd_flags)) & KSCOPE_REQ_OP_MASK;
	start.size = btf ? rq->__data_len : BPF_CORE_READ(rq, __data_len);
	began = btf ? rq->start_time_ns : BPF_CORE_READ(rq, start_time_ns);
	if (began && began <= start.issued_ns)
		start.queued_ns = start.issued_ns - began;
	fill_issuer(&start, btf);
	if (bpf_map_update_elem(&block_start, &key, &start, BPF_ANY))
		kscope_count(&block_overflow, KSCOPE_BLOCK_OVF_START);
}

static __always_inline void count_issuer(const struct block_start *start)
{
	struct block_target_key tk = {};
	struct block_target_stats *ts;

	tk.dev = start->dev;
	tk.op = start->op;
	tk.flags = start->flags;
	tk.target = start->target;
	ts = kscope_lookup_or_init(&block_targets, &tk, &zero_target_stats);
	if (!ts) {
		kscope_count(&block_overflow, KSCOPE_BLOCK_OVF_TARGETS);
		__builtin_memset(&tk.target, 0, sizeof(tk.target));
		tk.flags = KSCOPE_KEY_OTHER;
		ts = kscope_lookup_or_init(&block_targets, &tk, &zero_target_stats);
		if (!ts)
			return;
	}
	__sync_fetch_and_add(&ts->requests, 1);
	__sync_fetch_and_add(&ts->bytes, start->size);
}

static __always_inline void record(struct kscope_hist *h, __u64 value)
{
	__u32 bucket = kscope_hist_bucket(value);

	if (bucket >= KSCOPE_HIST_BUCKETS) /* never; tells the verifier */
		bucket = KSCOPE_HIST_BUCKETS - 1;
	__sync_fetch_and_add(&h->buckets[bucket], 1);
}

static __always_inline void on_complete(struct request *rq, int error, __u32 nr_bytes, int btf)
{
	__u64 key = (__u64)rq, delta;
	struct block_start *start = bpf_map_lookup_elem(&block_start, &key);
	struct block_key bk = {};
	struct block_stats *stats;

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
	record(&stats->latency, delta);
	__sync_fetch_and_add(&stats->latency.sum_ns, delta);
	if (start->queued_ns) {
		record(&stats->queue, start->queued_ns);
		__sync_fetch_and_add(&stats->queue.sum_ns, start->queued_ns);
	}
	if (start->size) {
		record(&stats->size, start->size - 1);
		__sync_fetch_and_add(&stats->size.sum_ns, start->size);
	}
	if (error)
		__sync_fetch_and_add(&stats->errors, 1);
	if (targ_breakdown != KSCOPE_BREAKDOWN_NONE)
		count_issuer(start);
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
