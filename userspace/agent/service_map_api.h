// GET /api/v1/services: the service map, who calls whom over the latest
// interval (signals/service_map.h), each edge's server resolved to the
// local process that listens on its address and port when it is on this
// host (agent/listening_sockets.h). The host's listeners are read at most
// every 10 s, on demand, not per collection.
//
// {"time": "...", "interval_seconds": 1.0, "breakdown": "comm",
//  "edges": [{"client": "curl", "protocol": "http",
//             "server": {"address": "127.0.0.1", "port": "8080", "process": "nginx", "pid": 812},
//             "requests_per_second": 40.0, "error_ratio": 0.0,
//             "p50_seconds": 0.0002, "p99_seconds": 0.004, "count": 40}, ...]}
// server.process and pid are null for a remote server or one not found.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "export/http_message.h"
#include "agent/listening_sockets.h"
#include "config/breakdown.h"
#include "signals/signals_engine.h"

namespace kscope {

class ServiceMapApi {
 public:
  ServiceMapApi(const SignalsEngine& signals, Breakdown breakdown, std::string proc_root = "/proc")
      : signals_(signals), breakdown_(breakdown), proc_root_(std::move(proc_root)) {}

  HttpResponse response(const HttpRequest& req);

 private:
  const ListenerIndex& listeners();

  const SignalsEngine& signals_;
  const Breakdown breakdown_;
  const std::string proc_root_;
  std::mutex mu_;  // guards the listeners
  std::optional<ListenerIndex> listeners_;
  std::chrono::steady_clock::time_point read_at_{};
};

}  // namespace kscope
