// Everything `kscope run` serves for people: the history of the last hour
// (fed by the collector) and what the dashboard reads of it: /api/v1/query,
// /api/v1/metric-names, /api/v1/history and the live feed (hub()). The
// agent's route table (agent/routes.cpp) puts them on the server, with the
// dashboard's files (web/assets.h).
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
  // Adds the collector listener and metrics source (call before
  // collector.start()).
  static std::unique_ptr<WebUi> install(HttpServer& http, Collector& collector, Nanos interval,
                                        HistoryOptions options = {});
  ~WebUi();

  // Stops pushing to WebSocket clients; call before the HTTP server stops.
  void stop();

  HttpResponse query_response(const HttpRequest& req) const;
  HttpResponse metric_names_response() const;
  HttpResponse history_response() const;

  History& history() { return history_; }
  WebSocketHub& hub() { return *hub_; }

 private:
  WebUi(HistoryOptions options, Nanos interval) : history_(options), interval_(interval) {}

  History history_;
  Nanos interval_;
  std::unique_ptr<WebSocketHub> hub_;
  // Run after each history append: the interval's garbage (the previous
  // snapshot, scrape bodies) is free by then, the frames that outlive it
  // are placed, and what glibc would otherwise keep resident goes back.
  HeapTrimmer trimmer_;
};

}  // namespace kscope
