/* TCP probe maps and events (bpf/tcp.bpf.c). */
#ifndef KSCOPE_ABI_TCP_H
#define KSCOPE_ABI_TCP_H

#include "kscope/abi/common.h"
#include "kscope/abi/events.h"
#include "kscope/abi/hist.h"

/* tcp_event.kind; also bit positions of the targ_event_kinds mask. */
#define KSCOPE_TCP_RETRANSMIT 1
#define KSCOPE_TCP_RESET_SENT 2
#define KSCOPE_TCP_RESET_RECEIVED 3
#define KSCOPE_TCP_CONNECT 4 /* SYN_SENT -> ESTABLISHED */
#define KSCOPE_TCP_CONNECT_FAILED 5 /* SYN_SENT -> CLOSE */

/* Indices into the per-CPU tcp_counters array. */
#define KSCOPE_TCP_CNT_RESETS_SENT 0
#define KSCOPE_TCP_CNT_RESETS_RECEIVED 1
#define KSCOPE_TCP_CNT_CONNECT_FAILURES 2
#define KSCOPE_TCP_CNT_MAX 3

/* Indices into the per-CPU tcp_overflow array. */
#define KSCOPE_TCP_OVF_RETRANSMITS 0
#define KSCOPE_TCP_OVF_CONNECT_START 1
#define KSCOPE_TCP_OVF_MAX 2

/* Key of tcp_retransmits: the remote endpoint and the socket's state.
 * Addresses are in network byte order; IPv4 uses the first 4 bytes. */
struct tcp_retransmit_key {
	__u8 daddr[16];
	__u16 dport; /* host byte order */
	__u16 family; /* AF_INET, AF_INET6 */
	__u8 state; /* TCP_ESTABLISHED ... (include/net/tcp_states.h) */
	__u8 flags; /* KSCOPE_KEY_OTHER: the map was full */
	__u8 pad[2];
};

/* A connect in flight, by socket, from SYN_SENT until it leaves it. */
struct tcp_connect_start {
	__u64 ts;
	__u32 pid;
	__u32 pad;
	char comm[KSCOPE_COMM_LEN];
};

struct tcp_event {
	struct kscope_event_header hdr;
	__u32 kind; /* KSCOPE_TCP_* */
	/* The process that connected (connect events); 0 for the others,
	 * which run in softirq or timer context on behalf of no one. */
	__u32 pid;
	__u16 family;
	__u16 sport; /* host byte order; s = this host, d = the peer */
	__u16 dport;
	__u8 state; /* the socket's TCP state when it happened */
	__u8 pad;
	__u32 segs; /* retransmits: segments; resets sent: sk_rst_reason */
	__u32 pad2;
	__u8 saddr[16];
	__u8 daddr[16];
	__u64 latency_ns; /* connects: since SYN_SENT; 0 when not seen */
	char comm[KSCOPE_COMM_LEN];
};

#endif
