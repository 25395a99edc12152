// The TCP probe (bpf/tcp.bpf.c): retransmits by state and remote endpoint,
// resets sent and received, connect latency and failed connects; and, as
// events, the retransmits, resets and failed connects themselves.
#pragma once

#include <cstdint>
#include <memory>

#include "common/duration.h"
#include "kscope/abi/tcp.h"
#include "loader/probe.h"

namespace kscope {

struct TcpProbeOptions {
  // Bits (1u << KSCOPE_TCP_*) of the events to send to userspace; the
  // default is the error events, which are rare on a healthy host.
  uint32_t event_kinds = (1u << KSCOPE_TCP_RETRANSMIT) | (1u << KSCOPE_TCP_RESET_SENT) |
                         (1u << KSCOPE_TCP_RESET_RECEIVED) | (1u << KSCOPE_TCP_CONNECT_FAILED);
  // Successful connects are events from this latency on (needs the
  // KSCOPE_TCP_CONNECT bit); 0: none.
  Nanos connect_event_min{0};
  uint32_t ring_buffer_bytes = 256 * 1024;  // a power of two, at least a page
};

// What `kscope run` loads (default options).
std::unique_ptr<Probe> make_tcp_probe();
std::unique_ptr<Probe> make_tcp_probe(const TcpProbeOptions& options);

}  // namespace kscope
