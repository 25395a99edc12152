// SPDX-License-Identifier: GPL-2.0
/* TCP errors and connect latency: retransmits (with the remote endpoint),
 * resets sent and received, connect latency and failed connects.
 *
 * Only tracepoints: tcp:tcp_retransmit_skb, tcp:tcp_retransmit_synack,
 * tcp:tcp_send_reset, tcp:tcp_receive_reset, sock:inet_sock_set_state.
 * Each handler is written once over CO-RE reads and attached through two
 * flavours, tp_btf (needs no tracefs) and raw_tp as the fallback; userspace
 * loads exactly one set. Counts are aggregated here; the ring buffer only
 * carries the events userspace asked for (targ_event_kinds). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "kscope/abi/tcp.h"
#include "lib/events.bpf.h"
#include "lib/maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10

/* Bit (1 << KSCOPE_TCP_*) set: send that kind of event to userspace. */
const volatile __u32 targ_event_kinds = 0;
/* Successful connects are events only from this latency on; 0: never. */
const volatile __u64 targ_connect_event_min_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct tcp_retransmit_key);
	__type(value, __u64);
} tcp_retransmits SEC(".maps");

/* By socket address. LRU: a socket freed in SYN_SENT without passing
 * through inet_sock_set_state (never happens today) can't leak an entry.
 * Sized for connects in flight at once; past that the oldest are evicted,
 * and counted when they complete without their start. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct tcp_connect_start);
} tcp_connect_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kscope_hist);
} tcp_connect_latency SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_TCP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} tcp_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_TCP_OVF_MAX);
	__type(key, __u32);
	__type(value, __u64);
} tcp_overflow SEC(".maps");

static const __u64 zero_count;

static __always_inline int wants_event(__u32 kind)
{
	return targ_event_kinds & (1u << kind);
}

/* Local (s) and remote (d) endpoint of a socket or request socket; both
 * start with struct sock_common. */
static __always_inline void read_endpoints(const struct sock_common *c, struct tcp_event *e)
{
	e->family = BPF_CORE_READ(c, skc_family);
	e->sport = BPF_CORE_READ(c, skc_num);
	e->dport = __builtin_bswap16(BPF_CORE_READ(c, skc_dport));
	if (e->family == AF_INET6) {
		BPF_CORE_READ_INTO(&e->saddr, c, skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&e->daddr, c, skc_v6_daddr.in6_u.u6_addr8);
	} else {
		BPF_CORE_READ_INTO((__u32 *)e->saddr, c, skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e->daddr, c, skc_daddr);
	}
}

static __always_inline struct tcp_event *reserve_tcp_event(__u32 kind)
{
	struct tcp_event *e = kscope_event_reserve(sizeof(*e));

	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	kscope_event_header(&e->hdr, KSCOPE_EVENT_TCP, sizeof(*e));
	e->kind = kind;
	return e;
}

static __always_inline void count_retransmit(const struct sock_common *c, __u8 state, __u32 segs)
{
	struct tcp_retransmit_key key = {};
	struct tcp_event *e;
	__u64 *cnt;

	key.family = BPF_CORE_READ(c, skc_family);
	key.dport = __builtin_bswap16(BPF_CORE_READ(c, skc_dport));
	key.state = state;
	if (key.family == AF_INET6)
		BPF_CORE_READ_INTO(&key.daddr, c, skc_v6_daddr.in6_u.u6_addr8);
	else
		BPF_CORE_READ_INTO((__u32 *)key.daddr, c, skc_daddr);
	cnt = kscope_lookup_or_init(&tcp_retransmits, &key, &zero_count);
	if (!cnt) {
		kscope_count(&tcp_overflow, KSCOPE_TCP_OVF_RETRANSMITS);
		__builtin_memset(&key, 0, sizeof(key));
		key.state = state;
		key.flags = KSCOPE_KEY_OTHER;
		cnt = kscope_lookup_or_init(&tcp_retransmits, &key, &zero_count);
	}
	if (cnt)
		__sync_fetch_and_add(cnt, segs);

	if (!wants_event(KSCOPE_TCP_RETRANSMIT))
		return;
	e = reserve_tcp_event(KSCOPE_TCP_RETRANSMIT);
	if (!e)
		return;
	read_endpoints(c, e);
	e->state = state;
	e->segs = segs;
	kscope_event_submit(e);
}

/* Since 6.x the tracepoint also fires for attempts that failed (err != 0);
 * TCP_MIB_RETRANSSEGS and kscope count the segments that went out. */
static __always_inline void on_retransmit_skb(const struct sock *sk, const struct sk_buff *skb, int err)
{
	struct tcp_skb_cb *tcb;
	__u16 segs;

	if (err)
		return;
	tcb = (struct tcp_skb_cb *)__builtin_preserve_access_index(&skb->cb);
	segs = BPF_CORE_READ(tcb, tcp_gso_segs);
	count_retransmit(&sk->__sk_common, BPF_CORE_READ(sk, __sk_common.skc_state), segs ?: 1);
}

/* tcp_rtx_synack: the listener re-sent a SYN-ACK (one segment). The request
 * socket holds the connection's endpoints. */
static __always_inline void on_retransmit_synack(const struct request_sock *req)
{
	count_retransmit(&req->__req_common, TCP_SYN_RECV, 1);
}

/* Endpoints of a reset sent in reply to skb when there is no socket: the
 * reply goes back to the packet's source. */
static __always_inline void endpoints_from_skb(const struct sk_buff *skb, struct tcp_event *e)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	struct tcphdr tcp;
	__u8 version = 0;

	bpf_probe_read_kernel(&version, 1, head + nh);
	if ((version >> 4) == 6) {
		struct ipv6hdr ip6;

		bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh);
		e->family = AF_INET6;
		__builtin_memcpy(e->saddr, &ip6.daddr, 16);
		__builtin_memcpy(e->daddr, &ip6.saddr, 16);
	} else {
		struct iphdr ip;

		bpf_probe_read_kernel(&ip, sizeof(ip), head + nh);
		e->family = AF_INET;
		__builtin_memcpy(e->saddr, &ip.daddr, 4);
		__builtin_memcpy(e->daddr, &ip.saddr, 4);
	}
	bpf_probe_read_kernel(&tcp, sizeof(tcp), head + th);
	e->sport = __builtin_bswap16(tcp.dest);
	e->dport = __builtin_bswap16(tcp.source);
}

static __always_inline void on_send_reset(const struct sock *sk, const struct sk_buff *skb, __u32 reason)
{
	struct tcp_event *e;

	kscope_count(&tcp_counters, KSCOPE_TCP_CNT_RESETS_SENT);
	if (!wants_event(KSCOPE_TCP_RESET_SENT))
		return;
	e = reserve_tcp_event(KSCOPE_TCP_RESET_SENT);
	if (!e)
		return;
	if (sk) {
		read_endpoints(&sk->__sk_common, e);
		e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	} else if (skb) {
		endpoints_from_skb(skb, e);
	}
	e->segs = reason;
	kscope_event_submit(e);
}

static __always_inline void on_receive_reset(const struct sock *sk)
{
	struct tcp_event *e;

	kscope_count(&tcp_counters, KSCOPE_TCP_CNT_RESETS_RECEIVED);
	if (!wants_event(KSCOPE_TCP_RESET_RECEIVED))
		return;
	e = reserve_tcp_event(KSCOPE_TCP_RESET_RECEIVED);
	if (!e)
		return;
	read_endpoints(&sk->__sk_common, e);
	e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	kscope_event_submit(e);
}

static __always_inline void connect_event(const struct sock *sk, __u32 kind,
					  const struct tcp_connect_start *start, __u64 latency)
{
	struct tcp_event *e = reserve_tcp_event(kind);

	if (!e)
		return;
	read_endpoints(&sk->__sk_common, e);
	/* A failed connect has given its local port back (skc_num = 0) by
	 * the time it closes; inet_sport still holds it. */
	if (!e->sport)
		e->sport = __builtin_bswap16(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
	e->state = TCP_SYN_SENT;
	e->latency_ns = latency;
	if (start) {
		e->pid = start->pid;
		__builtin_memcpy(e->comm, start->comm, sizeof(e->comm));
	}
	kscope_event_submit(e);
}

static __always_inline void on_set_state(const struct sock *sk, int oldstate, int newstate)
{
	struct tcp_connect_start *start;
	__u64 key = (__u64)sk, latency = 0;

	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return;
	if (newstate == TCP_SYN_SENT) {
		/* connect() runs in the caller's context: remember who. */
		struct tcp_connect_start s = {};

		s.ts = bpf_ktime_get_ns();
		s.pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(s.comm, sizeof(s.comm));
		if (bpf_map_update_elem(&tcp_connect_start, &key, &s, BPF_ANY))
			kscope_count(&tcp_overflow, KSCOPE_TCP_OVF_CONNECT_START);
		return;
	}
	if (oldstate != TCP_SYN_SENT)
		return;
	start = bpf_map_lookup_elem(&tcp_connect_start, &key);
	if (start)
		latency = bpf_ktime_get_ns() - start->ts;
	else /* evicted, or connecting since before kscope attached */
		kscope_count(&tcp_overflow, KSCOPE_TCP_OVF_CONNECT_START);

	if (newstate == TCP_ESTABLISHED && start) {
		__u32 zero = 0, bucket = kscope_hist_bucket(latency);
		struct kscope_hist *h = bpf_map_lookup_elem(&tcp_connect_latency, &zero);

		if (bucket >= KSCOPE_HIST_BUCKETS) /* never; tells the verifier */
			bucket = KSCOPE_HIST_BUCKETS - 1;
		if (h) {
			__sync_fetch_and_add(&h->buckets[bucket], 1);
			__sync_fetch_and_add(&h->sum_ns, latency);
		}
		if (targ_connect_event_min_ns && latency >= targ_connect_event_min_ns &&
		    wants_event(KSCOPE_TCP_CONNECT))
			connect_event(sk, KSCOPE_TCP_CONNECT, start, latency);
	} else if (newstate == TCP_CLOSE) {
		kscope_count(&tcp_counters, KSCOPE_TCP_CNT_CONNECT_FAILURES);
		if (wants_event(KSCOPE_TCP_CONNECT_FAILED))
			connect_event(sk, KSCOPE_TCP_CONNECT_FAILED, start, latency);
	}
	if (start)
		bpf_map_delete_elem(&tcp_connect_start, &key);
}

/* tp_btf: typed arguments, no tracefs. */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(handle_tcp_retransmit_skb, const struct sock *sk, const struct sk_buff *skb, int err)
{
	on_retransmit_skb(sk, skb, err);
	return 0;
}

SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(handle_tcp_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	on_retransmit_synack(req);
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(handle_tcp_send_reset, const struct sock *sk, const struct sk_buff *skb, int reason)
{
	on_send_reset(sk, skb, reason);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(handle_tcp_receive_reset, const struct sock *sk)
{
	on_receive_reset(sk);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_inet_sock_set_state, const struct sock *sk, int oldstate, int newstate)
{
	on_set_state(sk, oldstate, newstate);
	return 0;
}

/* raw_tp: the same handlers for kernels without BTF-typed tracepoints. */
SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(handle_tcp_retransmit_skb_raw, const struct sock *sk, const struct sk_buff *skb, int err)
{
	on_retransmit_skb(sk, skb, err);
	return 0;
}

SEC("raw_tp/tcp_retransmit_synack")
int BPF_PROG(handle_tcp_retransmit_synack_raw, const struct sock *sk, const struct request_sock *req)
{
	on_retransmit_synack(req);
	return 0;
}

SEC("raw_tp/tcp_send_reset")
int BPF_PROG(handle_tcp_send_reset_raw, const struct sock *sk, const struct sk_buff *skb, int reason)
{
	on_send_reset(sk, skb, reason);
	return 0;
}

SEC("raw_tp/tcp_receive_reset")
int BPF_PROG(handle_tcp_receive_reset_raw, const struct sock *sk)
{
	on_receive_reset(sk);
	return 0;
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(handle_inet_sock_set_state_raw, const struct sock *sk, int oldstate, int newstate)
{
	on_set_state(sk, oldstate, newstate);
	return 0;
}
