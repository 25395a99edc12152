// GET /api/v1/services: the service map, who calls whom over the latest
// interval (signals/service_map.h), each edge's server resolved to the
// local process that listens on its address and port when it is on this
// host (agent/listening_sockets.h). The host's listeners are read at most
// every 10 s, on demand, not per collection. The answer's shape is
// api/service_map_answer.h.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "export/http_message.h"
#include "agent/listening_sockets.h"
#include "model/breakdown.h"
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
