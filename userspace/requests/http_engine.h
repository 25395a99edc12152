// The HTTP/1.x request engine: the exchange matcher, route templates and
// request metrics put together. Feed it the capture's events in order per
// connection (on_connection, on_data), call evict_idle() now and then (each
// collection interval), and append() its families to a snapshot.
//
// Not thread-safe: one thread feeds it and collects from it, or the caller
// serialises the two.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"
#include "requests/exchange_matcher.h"
#include "requests/process_labels.h"
#include "requests/request_metrics.h"
#include "requests/route_template.h"

namespace kscope::requests {

struct HttpEngineConfig {
  MatcherLimits limits;
  std::vector<ServiceRoutes> routes;  // configured patterns per service
  size_t max_routes = 500;            // distinct (service, template) pairs
  size_t max_series = 2000;           // per duration family
  std::string breakdown_label;        // "comm", "cgroup", ... or "" for none
  size_t max_breakdown = 0;           // values of the breakdown label kept; 0: no cap
};

class HttpEngine {
 public:
  // `resolver` may be empty: every process is service "" with breakdown "".
  HttpEngine(HttpEngineConfig config, ProcessResolver resolver);

  void on_connection(const ConnectionEvent& event) { matcher_.on_connection(event); }
  void on_data(const SocketData& data) { matcher_.on_data(data); }
  // Forgets idle connections and the processes' labels (re-resolved when
  // next seen: a process may have exec'd).
  void evict_idle(uint64_t now_ns);

  // Called with each exchange and its route after it is recorded (for a
  // trace stream); views live for the call only.
  void set_exchange_listener(std::function<void(const Exchange&, std::string_view route)> f) {
    listener_ = std::move(f);
  }

  void append(std::vector<Family>& out) const;

  // An exchange matched elsewhere (HTTP/2: h2_engine.h), recorded as this
  // engine's own are.
  void record(const Exchange& e) { on_exchange(e); }

  const DropCounts& drops() const { return matcher_.drops(); }
  const ExchangeMatcher& matcher() const { return matcher_; }
  const RouteTable& routes() const { return routes_; }

 private:
  void on_exchange(const Exchange& e);

  HttpEngineConfig config_;
  RouteTable routes_;
  RequestMetrics metrics_;
  ProcessLabelCache processes_;
  std::function<void(const Exchange&, std::string_view)> listener_;
  ExchangeMatcher matcher_;  // last: its sink calls into the members above
};

}  // namespace kscope::requests
