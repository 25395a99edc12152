/* Request capture (bpf/l7.bpf.c): the records its ring buffer carries to
 * userspace/probes/l7_probe, and the reasons it counts for what it could
 * not capture. Every record starts with l7_record_header; `size` is what
 * the record occupies (a data record's is its header plus the captured
 * bytes), so a decoder rejects a record that does not match its type. */
#ifndef KSCOPE_ABI_L7_H
#define KSCOPE_ABI_L7_H

#include "kscope/abi/common.h"

/* The most bytes of one read or write that a record carries
 * (probes.l7.capture_bytes is at most this). */
#define KSCOPE_L7_CAPTURE_MAX 1024
/* iovec segments of readv/writev/sendmsg/recvmsg copied, at most. gRPC
 * (grpcio's core) writes an HTTP/2 connection's preface, SETTINGS and
 * first HEADERS as ~30 small segments of one sendmsg, each later call as
 * 3-10: fewer segments lose header blocks (docs/http2.md). */
#define KSCOPE_L7_MAX_IOV 32

/* l7_record_header.type */
#define KSCOPE_L7_REC_OPEN 1	     /* accept/accept4/connect returned a socket */
#define KSCOPE_L7_REC_CLOSE 2	     /* close() of a tracked socket */
#define KSCOPE_L7_REC_DATA 3	     /* a read or write on a tracked socket */
#define KSCOPE_L7_REC_PROCESS_EXIT 4 /* a process with tracked sockets exited or exec'd */

/* l7_conn_record.role and l7_data_record.role (requests::Role). */
#define KSCOPE_L7_ROLE_UNKNOWN 0
#define KSCOPE_L7_ROLE_SERVER 1 /* accepted */
#define KSCOPE_L7_ROLE_CLIENT 2 /* connected */

/* l7_data_record.direction (requests::Direction). */
#define KSCOPE_L7_READ 0
#define KSCOPE_L7_WRITE 1

/* l7_conn_record.flags */
#define KSCOPE_L7_PEER_KNOWN 1
#define KSCOPE_L7_LOCAL_KNOWN 2

/* Indices of the per-CPU l7_dropped array: what was not captured, by
 * reason (kscope_l7_dropped_total{reason}). */
#define KSCOPE_L7_DROP_RING_FULL 0	  /* a record did not fit in the ring buffer */
#define KSCOPE_L7_DROP_CONN_TABLE_FULL 1 /* a connection not tracked: l7_conns full */
#define KSCOPE_L7_DROP_IN_FLIGHT_FULL 2  /* a call's arguments could not be kept */
#define KSCOPE_L7_DROP_UNREADABLE 3	  /* the process's buffer could not be read */
#define KSCOPE_L7_DROP_TRUNCATED 4	  /* fewer bytes captured than allowed (iovec segments) */
#define KSCOPE_L7_DROP_IO_URING 5	  /* a socket operation submitted through io_uring */
#define KSCOPE_L7_DROP_TLS_FD_UNKNOWN 6  /* SSL_read/SSL_write plaintext whose socket was not learned */
#define KSCOPE_L7_DROP_TLS_UNSEEN 7	  /* a connection that began with a TLS handshake, no SSL_* call seen */
#define KSCOPE_L7_DROP_MAX 8

/* Value of the kernel's l7_conns table ((tgid << 32 | fd) -> connection).
 * Userspace writes it too, for connections open before the probe attached
 * (userspace/probes/l7_preexisting.h): their generations have
 * KSCOPE_L7_GEN_PREEXISTING set, the kernel's count up from 1, so the two
 * never meet. */
struct l7_conn_value {
	__u64 generation;
	__u8 role; /* KSCOPE_L7_ROLE_* */
	__u8 pad[3];
	__u32 tls; /* KSCOPE_L7_TLS_* (the kernel ORs them in atomically) */
};

/* l7_conn_value.tls: what the kernel learned of a connection's TLS. Once
 * SSL or WIRE is set, the connection's ciphertext is not sent as data. */
#define KSCOPE_L7_TLS_FIRST_SEEN 1 /* its first data bytes were looked at */
#define KSCOPE_L7_TLS_WIRE 2	   /* they were a TLS handshake record */
#define KSCOPE_L7_TLS_SSL 4	   /* an SSL_* call did I/O on it: plaintext comes from the uprobes */

#define KSCOPE_L7_GEN_PREEXISTING (1ULL << 63)

/* l7_record_header.flags */
#define KSCOPE_L7_REC_F_TLS 1 /* DATA: plaintext from SSL_read/SSL_write, not the socket's bytes */

/* 32 bytes. ts_ns is bpf_ktime_get_ns() (CLOCK_MONOTONIC); generation is
 * unique for the life of the loaded probe, so a (tgid, fd) reused after a
 * close names a new connection. PROCESS_EXIT records carry fd 0 and
 * generation 0. */
struct l7_record_header {
	__u16 type;
	__u16 size;
	__u32 tgid;
	__u32 fd;
	__u32 flags; /* KSCOPE_L7_REC_F_* */
	__u64 generation;
	__u64 ts_ns;
};

/* OPEN and CLOSE (CLOSE: role only, addresses zero). IPv4 addresses are
 * stored IPv4-mapped (::ffff:a.b.c.d); ports in host byte order. */
struct l7_conn_record {
	struct l7_record_header hdr;
	__u8 role;  /* KSCOPE_L7_ROLE_* */
	__u8 flags; /* KSCOPE_L7_PEER_KNOWN | KSCOPE_L7_LOCAL_KNOWN */
	__u16 peer_port;
	__u16 local_port;
	__u16 pad;
	__u8 peer_addr[16];
	__u8 local_addr[16];
	/* OPEN of a connection a fork handed to a new process: the parent's
	 * tgid (its labels are the child's, which may be gone before
	 * userspace reads it); 0 otherwise. */
	__u32 parent_tgid;
	__u32 pad2;
	/* OPEN: the process's name when the connection opened (a client that
	 * exits within a poll interval is gone before userspace reads /proc);
	 * NUL-padded, not always NUL-terminated. */
	char comm[16];
};

/* DATA: the first `captured` bytes of what the call moved (total_bytes,
 * its return value). Only the first offsetof(data) + captured bytes are
 * sent; hdr.size says so. ts_ns: a write's entry, a read's exit. */
struct l7_data_record {
	struct l7_record_header hdr;
	__u8 role;	/* KSCOPE_L7_ROLE_* */
	__u8 direction; /* KSCOPE_L7_READ / KSCOPE_L7_WRITE */
	__u16 captured;
	__u32 total_bytes;
	__u8 data[KSCOPE_L7_CAPTURE_MAX];
};

#define KSCOPE_L7_DATA_HEAD_SIZE 40 /* offsetof(struct l7_data_record, data) */

#endif
