/* OOM kills and exits by fatal signal (bpf/exits.bpf.c). */
#ifndef KSCOPE_ABI_EXITS_H
#define KSCOPE_ABI_EXITS_H

#include "kscope/abi/common.h"
#include "kscope/abi/events.h"

/* exit_key.kind and exit_event.kind. */
#define KSCOPE_EXIT_OOM_KILL 1 /* oom:mark_victim */
#define KSCOPE_EXIT_SIGNAL 2   /* a process ended by a fatal signal */

/* exit_event.flags */
#define KSCOPE_EXIT_CORE_DUMPED 1 /* the 0x80 bit of the exit code */
#define KSCOPE_EXIT_OOM_VICTIM 2  /* the process had been chosen by the OOM killer */

/* Indices into the per-CPU exits_overflow array. */
#define KSCOPE_EXITS_OVF_COUNTS 0
#define KSCOPE_EXITS_OVF_MAX 1

/* Key of exit_counts: what ended which process where. cgroup_id is the
 * victim's memory cgroup for OOM kills (the controller's hierarchy: cgroup v1
 * memory on hybrid hosts) and its cgroup v2 cgroup for signal exits. */
struct exit_key {
	__u64 cgroup_id;
	char comm[KSCOPE_COMM_LEN]; /* the process (thread group leader) name */
	__u8 kind;   /* KSCOPE_EXIT_* */
	__u8 signal; /* signal exits: the signal number */
	__u8 flags;  /* KSCOPE_KEY_OTHER: the map was full */
	__u8 pad[5];
};

struct exit_event {
	struct kscope_event_header hdr;
	__u32 kind; /* KSCOPE_EXIT_* */
	__u32 pid;  /* thread group id */
	__u32 signal;
	__u32 flags; /* KSCOPE_EXIT_CORE_DUMPED | KSCOPE_EXIT_OOM_VICTIM */
	__s32 exit_code; /* signal exits: task->exit_code as wait(2) sees it */
	__u32 uid; /* OOM kills: the victim's uid */
	__s16 oom_score_adj;
	__u16 pad[3];
	__u64 cgroup_id; /* as in exit_key */
	/* OOM kills: the victim's memory in pages when it was chosen, and its
	 * memory cgroup's usage and limit (limit: ~0 when unlimited). */
	__u64 total_vm_pages;
	__u64 anon_rss_pages;
	__u64 file_rss_pages;
	__u64 shmem_rss_pages;
	__u64 cgroup_usage_pages;
	__u64 cgroup_limit_pages;
	char comm[KSCOPE_COMM_LEN];
};

#endif
