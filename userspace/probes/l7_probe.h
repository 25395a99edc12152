// The l7 probe (bpf/l7.bpf.c): request capture. It tracks the TCP
// connections processes accept (role server) and connect (role client) and
// hands the request engine each connection's open and close and the first
// probes.l7.capture_bytes of every read and write on it
// (requests/socket_data.h), in the order they happened per connection.
//
// Losses, by reason, in kscope_l7_dropped_total{protocol="unknown", reason}
// (the kernel does not know the protocol; the engine adds its own):
//   ring_full        a record did not fit in the ring buffer
//   conn_table_full  a connection was not tracked (probes.l7.max_connections)
//   in_flight_full   a write's entry could not be kept (task storage)
//   unreadable       the process's buffer could not be read
//   truncated        fewer bytes captured than capture_bytes allowed
//                    (more iovec segments than the probe copies)
//   io_uring         socket operations submitted through io_uring (not
//                    syscalls: not seen)
//   malformed_record a record userspace could not decode
//   no_consumer      records read while nothing listened (no engine)
//   after_close      data of a connection already closed (a read or write
//                    racing its close on another thread)
//   preexisting_skipped  connections open before the attach that could not
//                    be picked up (the table was full)
//   tls_fd_unknown   SSL_read/SSL_write plaintext whose socket was never
//                    learned (l7_tls.bpf.h)
//   tls_unseen       connections that began with a TLS handshake with no
//                    SSL_* call seen on them (Go, rustls, static or
//                    unattached OpenSSL): their ciphertext is not sent
// TLS: uprobes on every libssl file found (the system's, every process's,
// and those of processes that exec later, looked for at each collect())
// send SSL_read/SSL_write plaintext with SocketData::tls set; the
// connection's ciphertext is not sent. kscope_l7_tls_libraries{state}
// counts the files.
// Connections open before the probe attached (at start, and again after
// the CPU budget re-attaches it) are picked up from /proc with
// Role::kUnknown (l7_preexisting.h), counted in
// kscope_l7_preexisting_connections_total. What is not captured at all
// (unix sockets, sendfile bodies, io_uring): docs/l7_capture.md.
//
// Thread safety: poll() and set_listener() on one thread (the engine's);
// collect(), detach() and attach() on the collector thread. The listener is
// called under the probe's lock, from poll() and from detach() (which
// delivers what the ring still holds and closes every connection).
#pragma once

#include <chrono>
#include <memory>

#include "common/result.h"
#include "loader/probe.h"
#include "probes/l7_records.h"

namespace kscope {

class L7Probe : public Probe {
 public:
  // Where records go; without one, collect() drains the ring and counts
  // what it read as no_consumer.
  virtual void set_listener(L7Listener listener) = 0;

  // Waits up to `timeout` for records, then delivers all the ring holds to
  // the listener on the calling thread. Returns the records read.
  virtual Result<int> poll(std::chrono::milliseconds timeout) = 0;

  // The ring buffer's fd (epoll-able), -1 before start().
  virtual int ring_fd() const = 0;

  // Bytes the kernel side saw moved on tracked connections since it
  // loaded, sent or not (kscope_l7_socket_bytes_total): what the coverage
  // of the request engines is measured against.
  virtual uint64_t socket_bytes() const = 0;
};

std::unique_ptr<L7Probe> make_l7_capture();
// The registry's factory (the same probe).
std::unique_ptr<Probe> make_l7_probe();

}  // namespace kscope
