/* SPDX-License-Identifier: GPL-2.0 */
/* The TLS half of request capture, part of bpf/l7.bpf.c (it shares that
 * object's ring buffer, connection table and helpers, and its syscall
 * programs ask tls_call_claims() about every tracked read and write).
 *
 * Plaintext comes from uprobes on OpenSSL's SSL_read, SSL_write and their
 * _ex forms, attached by userspace to every libssl file it finds
 * (userspace/probes/l7_tls_libraries.h). No OpenSSL struct offsets are
 * read: the socket under an SSL object is learned from the syscalls.
 *
 * - At an SSL_* entry the thread's call is kept in task storage: the SSL
 *   pointer, the buffer, the _ex forms' size_t* out-parameter and the entry
 *   time. If this process's SSL pointer was seen on a socket before
 *   (l7_ssl_fds, an LRU cache), the call is attributed to it at once: an
 *   SSL_read served from OpenSSL's buffer makes no syscall.
 * - A read or write syscall on a tracked socket during the call names the
 *   socket: the call is attributed to it, the cache learns it, the
 *   connection is marked KSCOPE_L7_TLS_SSL, and the syscall's ciphertext
 *   is not sent.
 * - At the return, the returned plaintext (SSL_read/SSL_write's return
 *   value; *written or *readbytes of the _ex forms when they return 1) is
 *   sent as a data record with KSCOPE_L7_REC_F_TLS for that connection: a
 *   write stamped with its entry time, a read with its return time.
 * - SSL_do_handshake (SSL_connect and SSL_accept end in a call of it) is
 *   hooked only to learn the socket early (the handshake's syscalls), so
 *   that the first SSL_read from OpenSSL's buffer is attributed.
 *
 * Losses: a call whose socket was never learned (tls_fd_unknown); a
 * connection whose first bytes were a TLS handshake with no SSL_* call on
 * it by its close (tls_unseen: Go's crypto/tls, rustls, a statically
 * linked or unattached OpenSSL). */
#ifndef KSCOPE_BPF_L7_TLS_H
#define KSCOPE_BPF_L7_TLS_H

#define L7_SSL_READ 1
#define L7_SSL_WRITE 2
#define L7_SSL_HANDSHAKE 3

/* One thread's SSL_* call in flight. */
struct l7_ssl_call {
	__u64 ssl;
	__u64 buf;
	__u64 out_len; /* size_t * of SSL_read_ex/SSL_write_ex; 0 otherwise */
	__u64 ts_ns;   /* entry */
	__u64 generation;
	__u32 fd;
	__u8 op; /* L7_SSL_*; 0: none */
	__u8 role;
	__u8 fd_known;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct l7_ssl_call);
} l7_ssl_calls SEC(".maps");

struct l7_ssl_key {
	__u64 ssl;
	__u32 tgid;
	__u32 pad;
};

struct l7_ssl_fd {
	__u64 generation;
	__u32 fd;
	__u32 pad;
};

/* (process, SSL pointer) -> the connection it was last seen on. A cache:
 * an evicted entry is learned again at the next call that makes a syscall,
 * and a call before that is counted as tls_fd_unknown. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384); /* probes.l7.max_connections */
	__type(key, struct l7_ssl_key);
	__type(value, struct l7_ssl_fd);
} l7_ssl_fds SEC(".maps");

/* Processes that exec'd since userspace last looked: it reads their maps
 * for libssl files not attached yet. Full: l7_execs_overflowed is set and
 * userspace rescans all of /proc instead. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} l7_execs SEC(".maps");

__u32 l7_execs_overflowed = 0;

static __always_inline void note_exec(__u32 tgid)
{
	__u8 one = 1;

	if (kscope_filtered_out())
		return;
	if (bpf_map_update_elem(&l7_execs, &tgid, &one, BPF_ANY))
		l7_execs_overflowed = 1;
}

/* The current thread's SSL_* call in flight (entered while attached). */
static __always_inline struct l7_ssl_call *ssl_call_in_flight(struct task_struct *task)
{
	struct l7_ssl_call *c = bpf_task_storage_get(&l7_ssl_calls, task, 0, 0);

	/* An entry from before the last attach lost its return (detached in
	 * between): stale. */
	if (!c || !c->op || !kscope_since_attach(c->ts_ns))
		return 0;
	return c;
}

/* A read or write syscall on tracked socket fd: if the thread is inside an
 * SSL_* call, the syscall moves that call's ciphertext. The call learns its
 * socket and the connection is marked as TLS. Returns 1 then. */
static __always_inline int tls_call_claims(struct task_struct *task, __u32 tgid, __u32 fd,
					   struct l7_conn_value *conn)
{
	struct l7_ssl_call *c = ssl_call_in_flight(task);
	struct l7_ssl_key k = {};
	struct l7_ssl_fd v = {};

	if (!c)
		return 0;
	if (!c->fd_known) {
		c->fd = fd;
		c->generation = conn->generation;
		c->role = conn->role;
		c->fd_known = 1;
		k.ssl = c->ssl;
		k.tgid = tgid;
		v.generation = conn->generation;
		v.fd = fd;
		bpf_map_update_elem(&l7_ssl_fds, &k, &v, BPF_ANY);
	}
	if (!(conn->tls & KSCOPE_L7_TLS_SSL))
		__sync_fetch_and_or(&conn->tls, KSCOPE_L7_TLS_SSL);
	return 1;
}

static __always_inline void ssl_enter(void *ssl, const void *buf, void *out_len, __u8 op)
{
	struct task_struct *task;
	struct l7_ssl_call *c;
	struct l7_conn_value *conn;
	struct l7_ssl_key k = {};
	struct l7_ssl_fd *v;
	__u32 tgid;
	__u64 key;

	if (kscope_filtered_out())
		return;
	task = bpf_get_current_task_btf();
	c = bpf_task_storage_get(&l7_ssl_calls, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c) {
		l7_drop(KSCOPE_L7_DROP_IN_FLIGHT_FULL);
		return;
	}
	/* A handshake inside an SSL_read/SSL_write: the outer call stays. */
	if (op == L7_SSL_HANDSHAKE && c->op && kscope_since_attach(c->ts_ns))
		return;
	tgid = bpf_get_current_pid_tgid() >> 32;
	c->ssl = (__u64)ssl;
	c->buf = (__u64)buf;
	c->out_len = (__u64)out_len;
	c->ts_ns = bpf_ktime_get_ns();
	c->fd_known = 0;
	c->op = op;
	k.ssl = (__u64)ssl;
	k.tgid = tgid;
	v = bpf_map_lookup_elem(&l7_ssl_fds, &k);
	if (!v)
		return;
	key = conn_key(tgid, v->fd);
	conn = bpf_map_lookup_elem(&l7_conns, &key);
	/* The same fd number with another generation is a new connection:
	 * this SSL pointer was freed and reused. Learn it again. */
	if (!conn || conn->generation != v->generation)
		return;
	c->fd = v->fd;
	c->generation = v->generation;
	c->role = conn->role;
	c->fd_known = 1;
}

/* SSL_read/SSL_write (and _ex) returned: send the plaintext it moved. */
static __always_inline void ssl_return(long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct l7_ssl_call *c = ssl_call_in_flight(task);
	struct l7_data_scratch *s;
	__u32 captured, zero = 0;
	__u64 moved = 0;
	__u8 op;

	if (!c || (c->op != L7_SSL_READ && c->op != L7_SSL_WRITE))
		return;
	op = c->op;
	c->op = 0;
	if (c->out_len) {
		/* _ex: 1 on success, the count in *readbytes / *written. */
		if ((int)ret != 1)
			return;
		if (bpf_probe_read_user(&moved, sizeof(moved), (void *)c->out_len)) {
			l7_drop(KSCOPE_L7_DROP_UNREADABLE);
			return;
		}
	} else {
		if ((int)ret <= 0)
			return;
		moved = (__u64)(int)ret;
	}
	if (moved == 0)
		return;
	l7_count_bytes(moved);
	if (!c->fd_known) {
		l7_drop(KSCOPE_L7_DROP_TLS_FD_UNKNOWN);
		return;
	}
	s = bpf_map_lookup_elem(&l7_scratch, &zero);
	if (!s)
		return;
	captured = verifier_bound(capture_limit(moved));
	if (bpf_probe_read_user(s->rec.data, captured, (void *)c->buf)) {
		l7_drop(KSCOPE_L7_DROP_UNREADABLE);
		captured = 0;
	}
	send_data(s, bpf_get_current_pid_tgid() >> 32, c->fd, c->generation, c->role,
		  op == L7_SSL_WRITE ? KSCOPE_L7_WRITE : KSCOPE_L7_READ,
		  op == L7_SSL_WRITE ? c->ts_ns : bpf_ktime_get_ns(), moved, captured,
		  KSCOPE_L7_REC_F_TLS);
}

/* The handshake returned: nothing to send (it only taught the socket). */
static __always_inline void ssl_handshake_return(void)
{
	struct l7_ssl_call *c = bpf_task_storage_get(&l7_ssl_calls, bpf_get_current_task_btf(), 0, 0);

	if (c && c->op == L7_SSL_HANDSHAKE)
		c->op = 0;
}

/* Programs without a target: userspace attaches them to each libssl file
 * (SSL_write and SSL_read: (ssl, buf, num); the _ex forms add a size_t *). */
SEC("uprobe")
int BPF_KPROBE(handle_ssl_write, void *ssl, const void *buf, int num)
{
	ssl_enter(ssl, buf, 0, L7_SSL_WRITE);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(handle_ssl_write_ex, void *ssl, const void *buf, __u64 num, void *written)
{
	ssl_enter(ssl, buf, written, L7_SSL_WRITE);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(handle_ssl_read, void *ssl, void *buf, int num)
{
	ssl_enter(ssl, buf, 0, L7_SSL_READ);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(handle_ssl_read_ex, void *ssl, void *buf, __u64 num, void *readbytes)
{
	ssl_enter(ssl, buf, readbytes, L7_SSL_READ);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(handle_ssl_rw_return, long ret)
{
	ssl_return(ret);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(handle_ssl_handshake, void *ssl)
{
	ssl_enter(ssl, 0, 0, L7_SSL_HANDSHAKE);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(handle_ssl_handshake_return)
{
	ssl_handshake_return();
	return 0;
}

#endif
