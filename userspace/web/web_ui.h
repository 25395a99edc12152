// Everything `kscope run` serves for people: the history of the last hour
// (fed by the collector), the dashboard at "/", /api/v1/query,
// /api/v1/metric-names, /api/v1/history and the /ws live feed.
#pragma once

#include <memory>

#include "collect/collector.h"
#include "common/heap_trim.h"
#include "export/http_server.h"
#include "history/history.h"
#include "web/websocket_hub.h"

namespace kscope {

class WebUi {
 public:
  // Adds the routes and the collector listener (call before
  // collector.start()).
  static std::unique_ptr<WebUi> install(HttpServer& http, Collector& collector, Nanos interval,
                                        HistoryOptions options = {});
  ~WebUi();

  // Stops pushing to WebSocket clients; call before the HTTP server stops.
  void stop();

  History& history() { return history_; }
  WebSocketHub& hub() { return *hub_; }

 private:
  explicit WebUi(HistoryOptions options) : history_(options) {}

  History history_;
  std::unique_ptr<WebSocketHub> hub_;
  // Run after each history append: the interval's garbage (the previous
  // snapshot, scrape bodies) is free by then, the frames that outlive it
  // are placed, and what glibc would otherwise keep resident goes back.
  HeapTrimmer trimmer_;
};

}  // namespace kscope
