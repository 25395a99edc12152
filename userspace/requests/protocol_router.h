// Hands each connection to the engine of the protocol it speaks: the
// connection's open is held until its first read or write, whose bytes
// decide (protocol_recognition.h), then the open and everything after go
// to that protocol's sink. What is not recognised goes to the kUnknown
// sink (the HTTP engine, which counts what it cannot parse).
//
// At most max_connections are held; past it a connection goes straight to
// the kUnknown sink, counted in unrouted(). A connection that opened and
// sent nothing is forgotten by evict_idle(). Not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "requests/protocol_recognition.h"
#include "requests/socket_data.h"

namespace kscope::requests {

struct ProtocolSink {
  std::function<void(const ConnectionEvent&)> on_connection;
  std::function<void(const SocketData&)> on_data;
};

class ProtocolRouter {
 public:
  // sinks[L7Protocol]: each must be set.
  ProtocolRouter(std::array<ProtocolSink, kL7ProtocolCount> sinks, size_t max_connections);

  void on_connection(const ConnectionEvent& event);
  void on_data(const SocketData& data);
  // Forgets connections that have sent nothing for idle_ns.
  void evict_idle(uint64_t now_ns, uint64_t idle_ns);

  uint64_t unrouted() const { return unrouted_; }
  // Bytes (each call's total, captured or not) handed to each protocol's
  // sink, indexed by L7Protocol; kUnknown is what no protocol claimed.
  const std::array<uint64_t, kL7ProtocolCount>& routed_bytes() const { return routed_bytes_; }
  size_t connections() const { return connections_.size(); }

 private:
  struct Entry {
    ConnectionEvent open;
    bool decided = false;
    L7Protocol protocol = L7Protocol::kUnknown;
    uint64_t last_ns = 0;
  };
  const ProtocolSink& sink(L7Protocol p) const { return sinks_[static_cast<size_t>(p)]; }

  std::array<ProtocolSink, kL7ProtocolCount> sinks_;
  size_t max_;
  uint64_t unrouted_ = 0;
  std::array<uint64_t, kL7ProtocolCount> routed_bytes_{};
  std::unordered_map<ConnectionId, Entry, ConnectionIdHash> connections_;
};

}  // namespace kscope::requests
