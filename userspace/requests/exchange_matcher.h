// Request/response exchanges matched per connection from the engine's
// input (socket_data.h). On each connection, requests and responses pair
// up in order (HTTP/1.x answers in order, keep-alive and pipelined alike).
// A server reads requests and writes responses; a client writes requests
// and reads responses; a connection whose opening was not seen gets its
// role from the first message seen on it.
//
// Timing, both taken from the capture's timestamps:
// - server: from the exit of the read that brought the request's start line
//   to the entry of the write that begins its response;
// - client: from the entry of the write that begins the request to the exit
//   of the read that brought the response's status line.
//
// Bounded: at most max_connections connections (idle ones are forgotten
// first), at most max_in_flight requests waiting per connection and
// max_pending_total in all, heads kept across calls up to kMaxHeadCarry
// bytes each and max_carried_bytes in all, request targets up to
// kMaxStoredTarget bytes. Every request missed is counted by reason.
//
// Not thread-safe: one thread feeds a matcher in per-connection order.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <vector>

#include "requests/connection_table.h"
#include "requests/drop_reason.h"
#include "requests/http_parser.h"
#include "requests/message_stream.h"
#include "requests/socket_data.h"

namespace kscope::requests {

// A request target is kept up to this many bytes (for its route).
inline constexpr size_t kMaxStoredTarget = 256;

struct MatcherLimits {
  size_t max_connections = 16384;
  size_t max_in_flight = 64;  // per connection
  // Requests waiting on all connections together, and bytes of heads kept
  // across calls: what bounds the matcher's memory (a few MiB) when many
  // connections fill their queues or stop in the middle of a head.
  size_t max_pending_total = 16384;
  size_t max_carried_bytes = 1 << 20;
  uint64_t idle_timeout_ns = 300ull * 1000 * 1000 * 1000;
};

// One request and its response. Views live for the sink call only.
struct Exchange {
  Role role = Role::kUnknown;  // kServer or kClient
  uint32_t tgid = 0;
  std::string_view method;  // canonical_method()
  std::string_view target;  // as sent, at most kMaxStoredTarget bytes
  HttpVersion version = HttpVersion::k11;
  int status = 0;
  uint64_t request_ns = 0;
  uint64_t response_ns = 0;
  SocketAddress peer;  // the other end, when the opening was seen
  bool tls = false;

  uint64_t duration_ns() const { return response_ns - request_ns; }
};

class ExchangeMatcher {
 public:
  using Sink = std::function<void(const Exchange&)>;

  ExchangeMatcher(MatcherLimits limits, Sink sink);
  ExchangeMatcher(const ExchangeMatcher&) = delete;
  ExchangeMatcher& operator=(const ExchangeMatcher&) = delete;

  void on_connection(const ConnectionEvent& event);
  void on_data(const SocketData& data);
  // Forgets connections with no event since now_ns - idle_timeout.
  void evict_idle(uint64_t now_ns);

  const DropCounts& drops() const { return drops_; }
  size_t connections() const { return connections_.size(); }
  size_t pending() const { return pending_; }
  size_t carried_bytes() const { return carried_; }

 private:
  struct Pending {
    std::string_view method;  // empty: a request already counted as dropped, held for its place in line
    HttpVersion version = HttpVersion::k11;
    std::string target;
    uint64_t timestamp_ns = 0;
  };
  struct Connection {
    ConnectionId id;
    Role role = Role::kUnknown;
    SocketAddress peer;
    bool tls = false;   // TLS plaintext seen: plain data on it is ciphertext
    bool http = false;  // a message was recognised on it
    MessageStream requests{MessageStream::Kind::kRequests};
    MessageStream responses{MessageStream::Kind::kResponses};
    std::vector<Pending> pending;  // oldest first, at most max_in_flight
    // Requests dropped after the queue filled, whose answers are still to
    // come after those of `pending`: until they have, newer requests are
    // dropped too, so that answers never pair with the wrong request.
    uint64_t dropped_tail = 0;
    uint64_t last_ns = 0;
    std::list<uint64_t>::iterator lru;
  };
  class RequestListener;
  class ResponseListener;

  // A connection being forgotten: its waiting requests counted as `reason`.
  void release(Connection& c, DropReason reason);
  void count(DropReason r, uint64_t n = 1) { drops_[static_cast<size_t>(r)] += n; }
  // A request entering the queue, or lost (counted as `reason`) but kept
  // in line so that its response is not paired with another request.
  void enqueue(Connection& c, Pending p);
  void enqueue_lost(Connection& c, DropReason reason);
  bool queue_full(const Connection& c) const {
    return c.pending.size() >= limits_.max_in_flight || c.dropped_tail > 0 || pending_ >= limits_.max_pending_total;
  }
  void pop_front(Connection& c) {
    c.pending.erase(c.pending.begin());
    --pending_;
  }

  MatcherLimits limits_;
  Sink sink_;
  ConnectionTable<Connection> connections_;
  DropCounts drops_{};
  size_t pending_ = 0;  // requests waiting on all connections
  size_t carried_ = 0;  // bytes of heads kept across calls, all connections
};

}  // namespace kscope::requests
