// The HTTP/2 request engine: fed the capture's events of the connections
// that speak HTTP/2 (protocol_recognition.h: the client's connection
// preface, or the server's SETTINGS when it writes first), one session per
// connection (h2_session.h). Its plain HTTP requests go, as Exchanges with
// network_protocol_version "2", to the HTTP engine's sink, so they land in
// the same route table and http_*_request_duration_seconds families as
// HTTP/1's; its gRPC calls go to the rpc_*_call_duration_seconds families
// (rpc_metrics.h). Drops: kscope_l7_dropped_total{protocol="http2"}.
//
// A connection whose open was not seen (picked up from /proc at start, or
// routed here by frames that look like HTTP/2) is counted once as
// h2_preexisting and not decoded: its HPACK tables are unknown.
//
// Not thread-safe: one thread feeds it and collects from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "requests/connection_table.h"
#include "requests/drop_reason.h"
#include "requests/exchange_matcher.h"
#include "requests/h2_session.h"
#include "requests/process_labels.h"
#include "requests/rpc_metrics.h"
#include "requests/socket_data.h"

namespace kscope::requests {

struct H2EngineConfig {
  size_t max_connections = 4096;
  uint64_t idle_timeout_ns = 300ull * 1000 * 1000 * 1000;
  H2Limits limits;
  size_t max_series = 2000;     // per rpc family
  std::string breakdown_label;  // "comm", "cgroup", ... or ""
  size_t max_breakdown = 0;     // values of the breakdown label kept; 0: no cap
};

class H2Engine {
 public:
  // http_sink: where HTTP/2 requests that are not gRPC go (the HTTP
  // engine's record()).
  H2Engine(H2EngineConfig config, ProcessResolver resolver, std::function<void(const Exchange&)> http_sink);
  H2Engine(const H2Engine&) = delete;
  H2Engine& operator=(const H2Engine&) = delete;

  void on_connection(const ConnectionEvent& event);
  void on_data(const SocketData& data);
  // Forgets connections idle for idle_timeout_ns and the cached process labels.
  void evict_idle(uint64_t now_ns);

  void set_rpc_listener(std::function<void(const RpcCall&)> f) { rpc_listener_ = std::move(f); }

  // The rpc families (series with data) and the http2 series of
  // kscope_l7_dropped_total.
  void append(std::vector<Family>& out) const;

  const DropCounts& drops() const { return drops_; }
  size_t connections() const { return connections_.size(); }
  size_t carried_bytes() const { return carried_; }

 private:
  struct Connection {
    ConnectionId id;
    Role role = Role::kUnknown;
    bool opened = false;  // its open was seen: decoded from its first byte
    bool tls = false;
    SocketAddress peer;
    SocketAddress server;
    std::unique_ptr<H2Session> session;
    uint64_t last_ns = 0;
    std::list<uint64_t>::iterator lru;
  };
  class Events;

  void release(Connection& c, DropReason reason);
  Connection* find_or_add(const ConnectionId& id, uint64_t now_ns, bool& table_full);
  void on_call(const Connection& c, const H2Call& call);
  void count(DropReason r, uint64_t n) { drops_[static_cast<size_t>(r)] += n; }

  H2EngineConfig config_;
  ProcessLabelCache processes_;
  RpcMetrics rpc_;
  std::function<void(const Exchange&)> http_sink_;
  std::function<void(const RpcCall&)> rpc_listener_;
  size_t carried_ = 0;  // the sessions' kept bytes (they hold a reference: declared first)
  DropCounts drops_{};
  ConnectionTable<Connection> connections_;
};

}  // namespace kscope::requests
