/* Map helpers shared by the probes. */
#ifndef KSCOPE_BPF_MAPS_H
#define KSCOPE_BPF_MAPS_H

#include <bpf/bpf_helpers.h>

/* Look a key up and insert init when it is absent. Returns NULL when the map
 * is full (or a racing insert lost): the caller folds the event into its
 * "other" key and counts the overflow, so nothing is dropped silently. */
static __always_inline void *kscope_lookup_or_init(void *map, const void *key,
						   const void *init)
{
	void *val = bpf_map_lookup_elem(map, key);
	long err;

	if (val)
		return val;
	err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST: another CPU inserted it */)
		return NULL;
	return bpf_map_lookup_elem(map, key);
}

/* Bump a per-CPU counter array slot. */
static __always_inline void kscope_count(void *map, __u32 slot)
{
	__u64 *cnt = bpf_map_lookup_elem(map, &slot);

	if (cnt)
		*cnt += 1;
}

#endif
