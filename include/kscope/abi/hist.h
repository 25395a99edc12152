/* Log-linear latency histogram shared by the BPF probes and userspace.
 *
 * Bucket 0 holds values below 2^KSCOPE_HIST_MIN_SHIFT ns; each power of two
 * from there up to 2^KSCOPE_HIST_MAX_SHIFT ns is split into KSCOPE_HIST_SUBS
 * equal sub-buckets; the last bucket holds everything above. With 4
 * sub-buckets a percentile interpolated inside a bucket is within ~13% of the
 * truth, and the range (128 ns .. 17 s) covers 1 us .. 10 s with margin.
 *
 * Plain C on purpose: this header is compiled into BPF programs too. */
#ifndef KSCOPE_ABI_HIST_H
#define KSCOPE_ABI_HIST_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define KSCOPE_HIST_SUB_BITS 2
#define KSCOPE_HIST_SUBS (1 << KSCOPE_HIST_SUB_BITS)
#define KSCOPE_HIST_MIN_SHIFT 7
#define KSCOPE_HIST_MAX_SHIFT 34
#define KSCOPE_HIST_BUCKETS \
	(2 + (KSCOPE_HIST_MAX_SHIFT - KSCOPE_HIST_MIN_SHIFT) * KSCOPE_HIST_SUBS)

struct kscope_hist {
	__u64 buckets[KSCOPE_HIST_BUCKETS];
	__u64 sum_ns;
};

/* floor(log2(v)) for v > 0, without a count-leading-zeros instruction
 * (the BPF ISA of clang 14 has none). */
static inline __u32 kscope_log2_u64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

static inline __u32 kscope_hist_bucket(__u64 ns)
{
	__u32 msb, sub;

	if (ns < (1ULL << KSCOPE_HIST_MIN_SHIFT))
		return 0;
	msb = kscope_log2_u64(ns);
	if (msb >= KSCOPE_HIST_MAX_SHIFT)
		return KSCOPE_HIST_BUCKETS - 1;
	sub = (__u32)(ns >> (msb - KSCOPE_HIST_SUB_BITS)) & (KSCOPE_HIST_SUBS - 1);
	return 1 + (msb - KSCOPE_HIST_MIN_SHIFT) * KSCOPE_HIST_SUBS + sub;
}

#endif
