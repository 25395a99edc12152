#include "requests/protocol_router.h"

namespace kscope::requests {
namespace {

// The port that hints at the protocol where the bytes are ambiguous: the
// server's, which is the local one of an accepted connection and the peer's
// of a connected one. A connection picked up with no role: whichever end
// has a database's well-known port, else none.
uint16_t server_port(const ConnectionEvent& open) {
  if (open.role == Role::kServer) return open.local.port;
  if (open.role == Role::kClient) return open.peer.port;
  for (uint16_t p : {open.local.port, open.peer.port}) {
    if (p == 6379 || p == 5432 || p == 3306) return p;
  }
  return 0;
}

}  // namespace

ProtocolRouter::ProtocolRouter(std::array<ProtocolSink, kL7ProtocolCount> sinks, size_t max_connections)
    : sinks_(std::move(sinks)), max_(max_connections == 0 ? 1 : max_connections) {}

void ProtocolRouter::on_connection(const ConnectionEvent& event) {
  auto it = connections_.find(event.conn);
  if (event.kind == ConnectionEvent::Kind::kOpen) {
    if (it != connections_.end()) return;  // a repeated open: the first one stands
    if (connections_.size() >= max_) {
      ++unrouted_;
      sink(L7Protocol::kUnknown).on_connection(event);
      return;
    }
    connections_.emplace(event.conn, Entry{event, false, L7Protocol::kUnknown, event.timestamp_ns});
    return;
  }
  if (it == connections_.end()) {  // unrouted, or never opened here
    sink(L7Protocol::kUnknown).on_connection(event);
    return;
  }
  // A connection that closed before any data reached no engine: nothing to end.
  if (it->second.decided) sink(it->second.protocol).on_connection(event);
  connections_.erase(it);
}

void ProtocolRouter::on_data(const SocketData& data) {
  auto it = connections_.find(data.conn);
  if (it == connections_.end()) {
    // A connection picked up in the middle that speaks HTTP/2 stays with
    // that engine (it counts it) until it closes; room permitting.
    if (connections_.size() < max_ && looks_like_h2_frames(data.prefix)) {
      ConnectionEvent open;
      open.conn = data.conn;
      open.role = data.role;
      open.timestamp_ns = data.timestamp_ns;
      connections_.emplace(data.conn, Entry{open, true, L7Protocol::kHttp2, data.timestamp_ns});
      routed_bytes_[static_cast<size_t>(L7Protocol::kHttp2)] += data.total_bytes;
      sink(L7Protocol::kHttp2).on_data(data);
      return;
    }
    routed_bytes_[static_cast<size_t>(L7Protocol::kUnknown)] += data.total_bytes;
    sink(L7Protocol::kUnknown).on_data(data);
    return;
  }
  Entry& e = it->second;
  e.last_ns = data.timestamp_ns;
  if (!e.decided) {
    e.protocol = recognize_protocol(data.prefix, server_port(e.open));
    e.decided = true;
    sink(e.protocol).on_connection(e.open);
  }
  routed_bytes_[static_cast<size_t>(e.protocol)] += data.total_bytes;
  sink(e.protocol).on_data(data);
}

void ProtocolRouter::evict_idle(uint64_t now_ns, uint64_t idle_ns) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    // A routed connection stays however long it idles (a database pool's
    // connection may sit for hours): its close, which the capture delivers
    // on close, exit, exec and detach alike, ends it.
    const Entry& e = it->second;
    if (!e.decided && now_ns > e.last_ns && now_ns - e.last_ns > idle_ns) {
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace kscope::requests
