// What the kernel side of request capture hands the request engine: the
// opening and closing of a connection, and the first bytes of each read or
// write on it, in the order they happened on that connection. The l7 probe
// (userspace/probes) produces these from its BPF records; the protocol
// parsers and the exchange matcher (this module) consume them. Nothing here
// knows BPF, so the parsers are tested and fuzzed without a kernel.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kscope::requests {

// Which end of the connection the watched process is: it accepted it
// (server) or connected it (client). Unknown for a connection that existed
// before kscope started (only its reads and writes were seen).
enum class Role : uint8_t { kUnknown = 0, kServer = 1, kClient = 2 };

// From the watched process's point of view.
enum class Direction : uint8_t { kRead = 0, kWrite = 1 };

// One connection for its whole life. fd numbers are reused after close: the
// generation (bumped by the kernel side on every accept/connect/close of
// that (tgid, fd)) keeps a new connection from inheriting an old one's
// state.
struct ConnectionId {
  uint32_t tgid = 0;
  uint32_t fd = 0;
  uint64_t generation = 0;
  friend bool operator==(const ConnectionId&, const ConnectionId&) = default;
};

struct ConnectionIdHash {
  size_t operator()(const ConnectionId& c) const noexcept {
    uint64_t h = (static_cast<uint64_t>(c.tgid) << 32 | c.fd) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h ^ (c.generation + (h >> 29)));
  }
};

// An IPv4 address is stored IPv4-mapped (::ffff:a.b.c.d).
struct SocketAddress {
  std::array<uint8_t, 16> address{};
  uint16_t port = 0;  // host byte order; 0 when unknown
  bool known = false;
};

struct ConnectionEvent {
  enum class Kind : uint8_t { kOpen = 0, kClose = 1 };
  ConnectionId conn;
  Kind kind = Kind::kOpen;
  Role role = Role::kUnknown;
  uint64_t timestamp_ns = 0;  // CLOCK_MONOTONIC
  SocketAddress peer;         // the other end (kOpen only)
  SocketAddress local;        // this end, when known (kOpen only)
  uint32_t parent_tgid = 0;   // kOpen handed over by a fork: the parent process
  std::string comm;           // kOpen: the process's name then (raw kernel bytes, at most 16)
};

// One read or write. timestamp_ns is taken at the entry of a write (when
// the process starts sending) and at the exit of a read (when the bytes
// arrived in the process): server latency runs from the read that brought
// the request's first bytes to the write that sends the response's first
// bytes (docs/requests.md).
struct SocketData {
  ConnectionId conn;
  Role role = Role::kUnknown;
  Direction direction = Direction::kRead;
  uint64_t timestamp_ns = 0;  // CLOCK_MONOTONIC
  uint32_t total_bytes = 0;   // what the call moved; may exceed prefix
  std::string_view prefix;    // the captured first bytes (bounded by the probe)
  bool tls = false;           // plaintext seen through SSL_read/SSL_write
};

}  // namespace kscope::requests
