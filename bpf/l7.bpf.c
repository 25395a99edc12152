// SPDX-License-Identifier: GPL-2.0
/* Request capture: the connections that processes accept and connect, and
 * the first bytes of every read and write on them, sent to userspace as
 * ring buffer records (include/kscope/abi/l7.h) for the request engine.
 *
 * Hooks are the raw syscall tracepoints (sys_enter/sys_exit; tp_btf, raw_tp
 * as the fallback: neither needs tracefs) and sched_process_exit. On this
 * kernel any syscall tracepoint already puts every syscall on the slow path
 * (the floor); the programs below add a switch on the syscall number, and
 * for reads and writes one hash lookup on (tgid, fd): I/O on files, pipes
 * and untracked sockets stops there.
 *
 * - accept/accept4 exit (role server) and connect exit (role client, also
 *   -EINPROGRESS): the new connection gets a generation that is unique for
 *   the probe's life, and its addresses are read from the socket itself
 *   (task->files->fdt->fd[fd]->private_data->sk), so accept(fd, NULL, NULL)
 *   has them too. Only TCP (SOCK_STREAM over AF_INET/AF_INET6).
 * - close entry: the connection is forgotten and a CLOSE record sent.
 * - write/writev/sendto/sendmsg: the entry time is kept in task storage and
 *   the record sent at the exit with what the call actually moved (a failed
 *   or partial non-blocking write never claims bytes it did not send).
 * - read/readv/recvfrom/recvmsg exit: the bytes that arrived.
 * - dup2/dup3 entry over a tracked fd: as a close.
 * - sched_process_exit (last thread) or sched_process_exec of a process
 *   with tracked sockets: a PROCESS_EXIT record (the kernel closed fds
 *   without a close()).
 *
 * - TLS: uprobes on OpenSSL's SSL_read/SSL_write send the plaintext, and
 *   the connection's ciphertext is not sent (l7_tls.bpf.h).
 *
 * Every loss is counted in l7_dropped by reason. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "kscope/abi/l7.h"
#include "lib/attach_time.bpf.h"
#include "lib/events.bpf.h"
#include "lib/maps.bpf.h"
#include "lib/target.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Not in BTF (macros). */
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define EINPROGRESS 115

const volatile __u32 targ_capture_bytes = 256; /* <= KSCOPE_L7_CAPTURE_MAX */

/* Syscall numbers of this architecture (userspace sets them from
 * <sys/syscall.h>; -1: the architecture has no such call). */
const volatile long targ_nr_read = -1;
const volatile long targ_nr_readv = -1;
const volatile long targ_nr_recvfrom = -1;
const volatile long targ_nr_recvmsg = -1;
const volatile long targ_nr_write = -1;
const volatile long targ_nr_writev = -1;
const volatile long targ_nr_sendto = -1;
const volatile long targ_nr_sendmsg = -1;
const volatile long targ_nr_accept = -1;
const volatile long targ_nr_accept4 = -1;
const volatile long targ_nr_connect = -1;
const volatile long targ_nr_close = -1;
const volatile long targ_nr_dup2 = -1;
const volatile long targ_nr_dup3 = -1;

/* (tgid << 32 | fd) -> the connection that fd is now. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* probes.l7.max_connections */
	__type(key, __u64);
	__type(value, struct l7_conn_value);
} l7_conns SEC(".maps");

/* Processes with at least one tracked socket: their exit is reported. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096); /* probes.l7.max_connections / 4 */
	__type(key, __u32);
	__type(value, __u8);
} l7_procs SEC(".maps");

/* Each process's latest accepted connection, for a child forked to serve
 * it (PostgreSQL's postmaster accepts, forks a backend, then closes its own
 * copy): the child inherits the entry at the fork. */
struct l7_accepted {
	__u64 generation;
	__u32 fd;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096); /* probes.l7.max_connections / 4 */
	__type(key, __u32);
	__type(value, struct l7_accepted);
} l7_last_accepted SEC(".maps");

/* A write in flight on a tracked socket: its entry, for the exit. */
struct l7_write_entry {
	__u64 ts_ns;
	__u64 generation;
	long nr;
	__u32 fd;
	__u8 role;
	__u8 check_first; /* the connection's first bytes are not looked at yet */
	__u8 count_only;  /* TLS ciphertext no SSL call claims: counted, not sent */
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct l7_write_entry);
} l7_writes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} l7_generation SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_L7_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} l7_dropped SEC(".maps");

/* Bytes moved by reads and writes on tracked connections, whether sent or
 * not: a plain call's, an SSL_read/SSL_write's plaintext (not its
 * ciphertext), a TLS connection's ciphertext no SSL call claims. The
 * coverage gauge divides what the engines recognised by it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} l7_bytes SEC(".maps");

/* A data record is built here, then only its used part copied to the ring.
 * The slack lets the copy of a segment start anywhere below
 * KSCOPE_L7_CAPTURE_MAX with a length up to it, which the verifier checks
 * without knowing the sum stays below the capture size. */
struct l7_data_scratch {
	struct l7_data_record rec;
	__u8 slack[KSCOPE_L7_CAPTURE_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct l7_data_scratch);
} l7_scratch SEC(".maps");

/* The syscall number at sys_exit (sys_exit's tracepoint does not pass it). */
#if defined(__TARGET_ARCH_x86)
#define L7_SYSCALL_NR(regs) ((long)BPF_CORE_READ(regs, orig_ax))
#elif defined(__TARGET_ARCH_arm64)
#define L7_SYSCALL_NR(regs) ((long)BPF_CORE_READ(regs, syscallno))
#else
#error "l7.bpf.c: the syscall number at sys_exit is not known for this architecture"
#endif

static __always_inline __u64 conn_key(__u32 tgid, __u32 fd)
{
	return (__u64)tgid << 32 | fd;
}

/* x below 2 * KSCOPE_L7_CAPTURE_MAX, in a way the verifier sees: the
 * barrier keeps the compiler from dropping a mask it can prove useless
 * (callers already clamped x to KSCOPE_L7_CAPTURE_MAX). */
static __always_inline __u32 verifier_bound(__u32 x)
{
	asm volatile("" : "+r"(x));
	return x & (2 * KSCOPE_L7_CAPTURE_MAX - 1);
}

static __always_inline void l7_drop(__u32 reason)
{
	kscope_count(&l7_dropped, reason);
}

static __always_inline void l7_count_bytes(__u64 moved)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&l7_bytes, &zero);

	if (n)
		*n += moved;
}

/* Copies rec to the ring buffer with the wakeup batching of
 * lib/events.bpf.h; a full ring is counted. */
static __always_inline int l7_output(void *rec, __u64 size)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size >= targ_wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, rec, size, flags)) {
		l7_drop(KSCOPE_L7_DROP_RING_FULL);
		return -1;
	}
	return 0;
}

static __always_inline void fill_header(struct l7_record_header *h, __u16 type, __u16 size,
					__u32 tgid, __u32 fd, __u64 generation, __u64 ts)
{
	h->type = type;
	h->size = size;
	h->tgid = tgid;
	h->fd = fd;
	h->flags = 0;
	h->generation = generation;
	h->ts_ns = ts;
}

/* The socket behind the current process's fd (a connect or accept just
 * succeeded on it, so it is one); NULL when the walk fails. */
static __always_inline struct sock *fd_sock(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = 0;
	struct socket *sock;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return 0;
	return BPF_CORE_READ(sock, sk);
}

static __always_inline void map_v4(__u8 out[16], __u32 addr_be)
{
	__builtin_memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	__builtin_memcpy(&out[12], &addr_be, 4);
}

/* Both ends of a TCP socket; 0 when it is not TCP over IPv4/IPv6 (the
 * caller then does not track it). */
static __always_inline int sock_addresses(struct sock *sk, struct l7_conn_record *r)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	/* sk_type is a plain __u16 since 5.6 (bitfield before, commit
	 * bf9765145b85); the probe targets BTF kernels well past that. */
	__u16 type = BPF_CORE_READ(sk, sk_type);

	if (type != SOCK_STREAM)
		return 0;
	if (family == AF_INET) {
		map_v4(r->peer_addr, BPF_CORE_READ(sk, __sk_common.skc_daddr));
		map_v4(r->local_addr, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
	} else if (family == AF_INET6) {
		BPF_CORE_READ_INTO(&r->peer_addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&r->local_addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	} else {
		return 0;
	}
	r->peer_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	r->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	r->flags = KSCOPE_L7_PEER_KNOWN | KSCOPE_L7_LOCAL_KNOWN;
	return 1;
}

static __always_inline void on_open(__u32 tgid, __u32 fd, __u8 role, __u32 parent_tgid)
{
	struct l7_conn_record r = {};
	struct l7_conn_value conn = {};
	__u64 key = conn_key(tgid, fd);
	__u32 zero = 0;
	__u64 *gen;
	__u8 one = 1;
	struct sock *sk;

	if (kscope_filtered_out())
		return;
	sk = fd_sock(fd);
	if (!sk || !sock_addresses(sk, &r))
		return;
	gen = bpf_map_lookup_elem(&l7_generation, &zero);
	if (!gen)
		return;
	conn.generation = __sync_fetch_and_add(gen, 1) + 1;
	conn.role = role;
	/* BPF_ANY: an entry left by a close kscope missed (detached, or a
	 * dup2 over the fd) is replaced, never inherited. */
	if (bpf_map_update_elem(&l7_conns, &key, &conn, BPF_ANY)) {
		l7_drop(KSCOPE_L7_DROP_CONN_TABLE_FULL);
		return;
	}
	if (!bpf_map_lookup_elem(&l7_procs, &tgid))
		bpf_map_update_elem(&l7_procs, &tgid, &one, BPF_NOEXIST);
	if (role == KSCOPE_L7_ROLE_SERVER) {
		struct l7_accepted a = {.generation = conn.generation, .fd = fd};

		bpf_map_update_elem(&l7_last_accepted, &tgid, &a, BPF_ANY);
	}
	fill_header(&r.hdr, KSCOPE_L7_REC_OPEN, sizeof(r), tgid, fd, conn.generation,
		    bpf_ktime_get_ns());
	r.role = role;
	r.parent_tgid = parent_tgid;
	/* A fork hands the connection over in the parent's context: its comm
	 * is the child's until an exec, which stops the following anyway. */
	bpf_get_current_comm(r.comm, sizeof(r.comm));
	/* Without its OPEN record userspace could not place the data: the
	 * connection is not tracked (counted as ring_full). */
	if (l7_output(&r, sizeof(r)))
		bpf_map_delete_elem(&l7_conns, &key);
}

static __always_inline void on_close(__u32 tgid, __u32 fd)
{
	struct l7_conn_record r = {};
	__u64 key = conn_key(tgid, fd);
	struct l7_conn_value *conn = bpf_map_lookup_elem(&l7_conns, &key);

	if (!conn)
		return;
	if ((conn->tls & (KSCOPE_L7_TLS_WIRE | KSCOPE_L7_TLS_SSL)) == KSCOPE_L7_TLS_WIRE)
		l7_drop(KSCOPE_L7_DROP_TLS_UNSEEN);
	fill_header(&r.hdr, KSCOPE_L7_REC_CLOSE, sizeof(r), tgid, fd, conn->generation,
		    bpf_ktime_get_ns());
	r.role = conn->role;
	bpf_map_delete_elem(&l7_conns, &key);
	l7_output(&r, sizeof(r));
}

/* Copies up to limit bytes from the first KSCOPE_L7_MAX_IOV segments. */
static __always_inline __u32 copy_iovecs(__u8 *data, const struct iovec *iov, __u64 iovcnt,
					 __u32 limit, int *unreadable)
{
	__u32 off = 0;

#pragma unroll
	for (int i = 0; i < KSCOPE_L7_MAX_IOV; i++) {
		struct iovec v;
		__u64 len;

		if (i >= iovcnt || off >= limit || off >= KSCOPE_L7_CAPTURE_MAX)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i])) {
			*unreadable = 1;
			break;
		}
		len = v.iov_len;
		if (len > limit - off)
			len = limit - off;
		if (len > KSCOPE_L7_CAPTURE_MAX)
			len = KSCOPE_L7_CAPTURE_MAX;
		if (len == 0)
			continue;
		if (bpf_probe_read_user(data + verifier_bound(off), verifier_bound(len), v.iov_base)) {
			*unreadable = 1;
			break;
		}
		off += len;
	}
	return off;
}

static __always_inline __u32 capture_limit(__u64 moved)
{
	__u32 limit = targ_capture_bytes;

	if (limit > KSCOPE_L7_CAPTURE_MAX)
		limit = KSCOPE_L7_CAPTURE_MAX;
	if (moved < limit)
		limit = moved;
	return limit;
}

/* Fills the record's head around the `captured` bytes already in
 * s->rec.data and sends it. */
static __always_inline void send_data(struct l7_data_scratch *s, __u32 tgid, __u32 fd,
				      __u64 generation, __u8 role, __u8 direction, __u64 ts,
				      __u64 moved, __u32 captured, __u32 flags)
{
	if (captured > KSCOPE_L7_CAPTURE_MAX)
		captured = KSCOPE_L7_CAPTURE_MAX;
	captured = verifier_bound(captured);
	fill_header(&s->rec.hdr, KSCOPE_L7_REC_DATA, KSCOPE_L7_DATA_HEAD_SIZE + captured, tgid, fd,
		    generation, ts);
	s->rec.hdr.flags = flags;
	s->rec.role = role;
	s->rec.direction = direction;
	s->rec.captured = captured;
	s->rec.total_bytes = moved > 0xffffffffULL ? 0xffffffffU : (__u32)moved;
	l7_output(&s->rec, KSCOPE_L7_DATA_HEAD_SIZE + captured);
}

/* A TLS record header: handshake (0x16), version 3.x with x <= 4 (SSL 3.0
 * to TLS 1.3 all say 3.1 to 3.3 on the wire). Checked on the bytes that
 * were captured: nginx peeks at one byte before its handshake. No text
 * protocol kscope parses starts with 0x16. */
static __always_inline int looks_like_tls(const __u8 *data, __u32 captured)
{
	if (captured < 1 || data[0] != 0x16)
		return 0;
	if (captured >= 2 && data[1] != 0x03)
		return 0;
	if (captured >= 3 && data[2] > 0x04)
		return 0;
	return 1;
}

/* The connection's first data: is it a TLS handshake? Then this and all
 * its later ciphertext is not sent (KSCOPE_L7_TLS_WIRE). Returns 1 when
 * the record is to be dropped. */
static __always_inline int first_bytes_are_tls(struct l7_conn_value *conn, __u64 generation,
					       const __u8 *data, __u32 captured)
{
	__u32 learned = KSCOPE_L7_TLS_FIRST_SEEN;

	if (!conn || conn->generation != generation || (conn->tls & KSCOPE_L7_TLS_FIRST_SEEN))
		return 0;
	if (looks_like_tls(data, captured))
		learned |= KSCOPE_L7_TLS_WIRE;
	__sync_fetch_and_or(&conn->tls, learned);
	return learned & KSCOPE_L7_TLS_WIRE ? 1 : 0;
}

/* Sends the first bytes of a read or write that moved `moved` bytes. conn,
 * when not NULL, is the connection's entry, for the first-bytes check. */
static __always_inline void emit_data(struct pt_regs *regs, long nr, __u32 tgid, __u32 fd,
				      __u64 generation, __u8 role, __u8 direction, __u64 ts,
				      long moved, struct l7_conn_value *conn)
{
	struct l7_data_scratch *s;
	const struct iovec *iov = 0;
	__u64 iovcnt = 0;
	int vectored = 1;
	__u32 limit, captured, zero = 0;
	int unreadable = 0;

	l7_count_bytes(moved);
	s = bpf_map_lookup_elem(&l7_scratch, &zero);
	if (!s)
		return;
	limit = capture_limit(moved);
	if (nr == targ_nr_readv || nr == targ_nr_writev) {
		iov = (const struct iovec *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		iovcnt = PT_REGS_PARM3_CORE_SYSCALL(regs);
	} else if (nr == targ_nr_recvmsg || nr == targ_nr_sendmsg) {
		struct user_msghdr *msg = (struct user_msghdr *)PT_REGS_PARM2_CORE_SYSCALL(regs);

		if (bpf_probe_read_user(&iov, sizeof(iov), &msg->msg_iov) ||
		    bpf_probe_read_user(&iovcnt, sizeof(iovcnt), &msg->msg_iovlen))
			unreadable = 1;
	} else {
		vectored = 0;
	}
	if (unreadable) {
		captured = 0;
	} else if (vectored) {
		captured = copy_iovecs(s->rec.data, iov, iovcnt, limit, &unreadable);
	} else {
		/* read/write/recvfrom/sendto: one buffer, the second argument. */
		captured = verifier_bound(limit);
		if (bpf_probe_read_user(s->rec.data, captured,
					(void *)PT_REGS_PARM2_CORE_SYSCALL(regs))) {
			unreadable = 1;
			captured = 0;
		}
	}
	if (!unreadable && first_bytes_are_tls(conn, generation, s->rec.data, captured))
		return;
	if (unreadable)
		l7_drop(KSCOPE_L7_DROP_UNREADABLE);
	else if (captured < limit)
		l7_drop(KSCOPE_L7_DROP_TRUNCATED); /* more segments than KSCOPE_L7_MAX_IOV */
	send_data(s, tgid, fd, generation, role, direction, ts, moved, captured, 0);
}

#include "l7_tls.bpf.h"

static __always_inline int is_read(long nr)
{
	return nr == targ_nr_read || nr == targ_nr_readv || nr == targ_nr_recvfrom ||
	       nr == targ_nr_recvmsg;
}

static __always_inline int is_write(long nr)
{
	return nr == targ_nr_write || nr == targ_nr_writev || nr == targ_nr_sendto ||
	       nr == targ_nr_sendmsg;
}

static __always_inline void on_enter(struct task_struct *task, struct pt_regs *regs, long nr)
{
	__u32 tgid, fd;
	struct l7_conn_value *conn;
	struct l7_write_entry *w;
	__u64 key;

	if (nr == targ_nr_close) {
		tgid = bpf_get_current_pid_tgid() >> 32;
		on_close(tgid, (__u32)PT_REGS_PARM1_CORE_SYSCALL(regs));
		return;
	}
	if (nr == targ_nr_dup2 || nr == targ_nr_dup3) {
		/* dup2(old, new) closes new first: the socket it named ends. */
		tgid = bpf_get_current_pid_tgid() >> 32;
		on_close(tgid, (__u32)PT_REGS_PARM2_CORE_SYSCALL(regs));
		return;
	}
	if (!is_write(nr))
		return;
	tgid = bpf_get_current_pid_tgid() >> 32;
	fd = (__u32)PT_REGS_PARM1_CORE_SYSCALL(regs);
	key = conn_key(tgid, fd);
	conn = bpf_map_lookup_elem(&l7_conns, &key);
	if (!conn)
		return;
	/* Ciphertext of an SSL_write or handshake, or of a connection whose
	 * plaintext the uprobes send. */
	if (tls_call_claims(task, tgid, fd, conn) || (conn->tls & KSCOPE_L7_TLS_SSL))
		return;
	w = bpf_task_storage_get(&l7_writes, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!w) {
		l7_drop(KSCOPE_L7_DROP_IN_FLIGHT_FULL);
		return;
	}
	w->ts_ns = bpf_ktime_get_ns();
	w->generation = conn->generation;
	w->nr = nr;
	w->fd = fd;
	w->role = conn->role;
	w->check_first = !(conn->tls & KSCOPE_L7_TLS_FIRST_SEEN);
	/* Ciphertext no SSL call claims: only its size is counted. */
	w->count_only = !!(conn->tls & KSCOPE_L7_TLS_WIRE);
}

static __always_inline void on_exit(struct task_struct *task, struct pt_regs *regs, long ret)
{
	long nr = L7_SYSCALL_NR(regs);
	struct l7_write_entry *w;
	struct l7_conn_value *conn;
	__u32 tgid, fd;
	__u64 key;

	if (nr == targ_nr_accept || nr == targ_nr_accept4) {
		if (ret >= 0)
			on_open(bpf_get_current_pid_tgid() >> 32, (__u32)ret, KSCOPE_L7_ROLE_SERVER, 0);
		return;
	}
	if (nr == targ_nr_connect) {
		if (ret == 0 || ret == -EINPROGRESS)
			on_open(bpf_get_current_pid_tgid() >> 32,
				(__u32)PT_REGS_PARM1_CORE_SYSCALL(regs), KSCOPE_L7_ROLE_CLIENT, 0);
		return;
	}
	if (is_write(nr)) {
		w = bpf_task_storage_get(&l7_writes, task, 0, 0);
		if (!w || w->nr != nr)
			return;
		w->nr = -1;
		if (ret <= 0 || !kscope_since_attach(w->ts_ns))
			return;
		if (w->count_only) {
			l7_count_bytes(ret);
			return;
		}
		tgid = bpf_get_current_pid_tgid() >> 32;
		conn = 0;
		if (w->check_first) {
			key = conn_key(tgid, w->fd);
			conn = bpf_map_lookup_elem(&l7_conns, &key);
		}
		emit_data(regs, nr, tgid, w->fd, w->generation, w->role, KSCOPE_L7_WRITE, w->ts_ns, ret,
			  conn);
		return;
	}
	if (!is_read(nr) || ret <= 0)
		return;
	tgid = bpf_get_current_pid_tgid() >> 32;
	fd = (__u32)PT_REGS_PARM1_CORE_SYSCALL(regs);
	key = conn_key(tgid, fd);
	conn = bpf_map_lookup_elem(&l7_conns, &key);
	if (!conn)
		return;
	if (tls_call_claims(task, tgid, fd, conn) || (conn->tls & KSCOPE_L7_TLS_SSL))
		return;
	if (conn->tls & KSCOPE_L7_TLS_WIRE) {
		l7_count_bytes(ret);
		return;
	}
	emit_data(regs, nr, tgid, fd, conn->generation, conn->role, KSCOPE_L7_READ,
		  bpf_ktime_get_ns(), ret, conn);
}

/* A process with tracked sockets ends its tracking: userspace closes its
 * connections and deletes their entries. */
static __always_inline void end_process(__u32 tgid)
{
	struct l7_record_header h = {};

	bpf_map_delete_elem(&l7_last_accepted, &tgid);
	if (!bpf_map_lookup_elem(&l7_procs, &tgid))
		return;
	bpf_map_delete_elem(&l7_procs, &tgid);
	fill_header(&h, KSCOPE_L7_REC_PROCESS_EXIT, sizeof(h), tgid, 0, 0, bpf_ktime_get_ns());
	l7_output(&h, sizeof(h));
}

/* The last thread of a process ended: the kernel closes its fds without a
 * close() for us to see. signal->live drops to 0 before the tracepoint
 * (do_exit), on any kernel, unlike the group_dead argument that only 6.16
 * passes. */
static __always_inline void on_process_exit(struct task_struct *p)
{
	if (BPF_CORE_READ(p, signal, live.counter) == 0)
		end_process(BPF_CORE_READ(p, tgid));
}

SEC("tp_btf/sys_enter")
int BPF_PROG(handle_sys_enter, struct pt_regs *regs, long id)
{
	on_enter(bpf_get_current_task_btf(), regs, id);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	on_exit(bpf_get_current_task_btf(), regs, ret);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_sched_process_exit, struct task_struct *p)
{
	on_process_exit(p);
	return 0;
}

/* exec closed the close-on-exec fds without a close(); which ones is not
 * known here, so the process's connections all end (a socket kept across
 * exec is no longer tracked). */
static __always_inline void on_process_exec(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	end_process(tgid);
	note_exec(tgid); /* a libssl file not attached yet, maybe */
}

/* A new process (not a thread) forked by one that just accepted a
 * connection, still open, gets that connection as its own (a new
 * generation, role server): servers that fork a child per connection
 * (PostgreSQL, sshd) accept in the parent and serve in the child, and the
 * parent closes its copy. Runs in the parent, whose fd names the same
 * socket. Only the latest accepted fd is passed on: a parent holding many
 * (a prefork server) forks before it accepts. A child sharing the fd table
 * (CLONE_FILES) is the parent's fds, not a copy: not tracked. */
static __always_inline void on_process_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	struct l7_accepted *a;
	struct l7_conn_value *conn;
	__u64 key;

	if (ptgid == ctgid || BPF_CORE_READ(parent, files) == BPF_CORE_READ(child, files))
		return;
	/* A pid filter names one process: its children are others. (A cgroup
	 * filter passes the child, which starts in its parent's cgroup.) */
	if (targ_tgid && ctgid != targ_tgid)
		return;
	a = bpf_map_lookup_elem(&l7_last_accepted, &ptgid);
	if (!a)
		return;
	key = conn_key(ptgid, a->fd);
	conn = bpf_map_lookup_elem(&l7_conns, &key);
	if (!conn || conn->generation != a->generation)
		return;
	on_open(ctgid, a->fd, KSCOPE_L7_ROLE_SERVER, ptgid);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	on_process_fork(parent, child);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_sched_process_exec, struct task_struct *p)
{
	on_process_exec(p);
	return 0;
}

/* io_uring's socket operations are not syscalls: the probe cannot see
 * them, so it counts them (a read or write opcode on a socket is not told
 * apart from one on a file, and is not counted). Loaded only where the
 * tracepoint exists (userspace checks the kernel's BTF). */
static __always_inline int io_uring_socket_op(__u8 op)
{
	return (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SEND) &&
		(op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SEND) ||
		 op == bpf_core_enum_value(enum io_uring_op, IORING_OP_RECV) ||
		 op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SENDMSG) ||
		 op == bpf_core_enum_value(enum io_uring_op, IORING_OP_RECVMSG) ||
		 op == bpf_core_enum_value(enum io_uring_op, IORING_OP_ACCEPT) ||
		 op == bpf_core_enum_value(enum io_uring_op, IORING_OP_CONNECT))) ||
	       (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SEND_ZC) &&
		(op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SEND_ZC) ||
		 op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SENDMSG_ZC)));
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(handle_io_uring_submit_req, struct io_kiocb *req)
{
	if (kscope_filtered_out())
		return 0;
	if (io_uring_socket_op(BPF_CORE_READ(req, opcode)))
		l7_drop(KSCOPE_L7_DROP_IO_URING);
	return 0;
}

/* raw_tp: the same handlers for kernels without BTF-typed tracepoints. */
SEC("raw_tp/sys_enter")
int BPF_PROG(handle_sys_enter_raw, struct pt_regs *regs, long id)
{
	on_enter(bpf_get_current_task_btf(), regs, id);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(handle_sys_exit_raw, struct pt_regs *regs, long ret)
{
	on_exit(bpf_get_current_task_btf(), regs, ret);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(handle_sched_process_exit_raw, struct task_struct *p)
{
	on_process_exit(p);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(handle_sched_process_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	on_process_fork(parent, child);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(handle_sched_process_exec_raw, struct task_struct *p)
{
	on_process_exec(p);
	return 0;
}
