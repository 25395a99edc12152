// Who calls whom: the edges client -> server of the requests kscope's
// request engines saw from the client side over one interval
// (http_client_request_duration_seconds, db_client_operation_duration_seconds),
// one per (client, protocol, server address, server port), with the rate,
// the share that failed (an HTTP 5xx, any database error) and p50/p99.
// The client is the breakdown target (a process name or a cgroup), "" with
// breakdown: none. Which process serves a local address is not known here
// (agent/service_map_api.h resolves it from the host's listening sockets).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signals/metric_query.h"

namespace kscope {

struct ServiceEdge {
  std::string client;    // breakdown value of the caller ("" for none)
  std::string protocol;  // "http", "redis", "postgresql", ...
  std::string server_address;  // as exported ("127.0.0.1", "unknown")
  std::string server_port;     // as exported ("8080", "unknown")
  double requests_per_second = 0;
  double error_ratio = 0;  // 0..1
  double p50_seconds = 0;
  double p99_seconds = 0;
  uint64_t count = 0;  // requests in the interval
};

// The edges with requests in the interval, busiest first, at most max_edges.
std::vector<ServiceEdge> service_edges(const IntervalPair& p, size_t max_edges = 500);

}  // namespace kscope
