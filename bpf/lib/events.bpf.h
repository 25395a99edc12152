/* The event path to userspace: one ring buffer per probe object, records
 * reserved and committed in place, and wakeups batched.
 *
 * A wakeup per record would cost an irq_work and a context switch each
 * during a burst; instead a record is committed without a wakeup until the
 * unread data passes targ_wakeup_bytes, and userspace polls with a timeout
 * so a lone record waits at most that long. A failed reserve (buffer full)
 * is counted in events_lost, which userspace exports. */
#ifndef KSCOPE_BPF_EVENTS_H
#define KSCOPE_BPF_EVENTS_H

#include <bpf/bpf_helpers.h>
#include "kscope/abi/events.h"
#include "lib/maps.bpf.h"

const volatile __u64 targ_wakeup_bytes = 0; /* 0: wake on every record */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* userspace resizes before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} events_lost SEC(".maps");

static __always_inline void *kscope_event_reserve(__u64 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);

	if (!rec)
		kscope_count(&events_lost, KSCOPE_EVENTS_LOST_SLOT);
	return rec;
}

static __always_inline void kscope_event_header(struct kscope_event_header *h, __u16 type,
						__u16 size)
{
	h->type = type;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_ns();
}

static __always_inline void kscope_event_submit(void *rec)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= targ_wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(rec, flags);
}

#endif
