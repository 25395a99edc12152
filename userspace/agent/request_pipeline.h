// Request metrics in `kscope run`: the l7 probe's records (probes/l7_probe.h)
// fed, on a thread of their own, to the request engines: each connection to
// the one of the protocol its first bytes speak (requests/protocol_router.h):
// Redis, PostgreSQL and MySQL to a database engine each (requests/db_engine.h),
// HTTP/2 and gRPC to requests/h2_engine.h,
// everything else to the HTTP engine (requests/http_engine.h). Their
// families join every snapshot. What the metrics mean: docs/requests.md,
// docs/databases.md.
//
// Threads: the poll thread ("kscope-l7") calls the probe's poll(), which
// calls the listener; the probe's detach() calls it too, on the collector
// thread (the CPU budget, the collector's shutdown). append() runs on the
// collector thread. One mutex guards the engine and the process labels; it
// is taken inside the probe's lock (from the listener), never the other way
// round.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/l7_coverage.h"
#include "agent/process_label_cache.h"
#include "agent/request_events.h"
#include "common/result.h"
#include "config/config.h"
#include "events/event_stream.h"
#include "loader/probe.h"
#include "probes/l7_probe.h"
#include "requests/db_engine.h"
#include "requests/h2_engine.h"
#include "requests/http_engine.h"
#include "requests/protocol_router.h"

namespace kscope {

// The engine's settings from the config (probes.l7, breakdown, max_series);
// fails when a route pattern does not parse, naming it.
Result<requests::HttpEngineConfig> http_engine_config(const Config& config);

class RequestPipeline {
 public:
  // The pipeline of the l7 probe among `probes`; null when it is not
  // loaded. The probe must outlive stop().
  static Result<std::unique_ptr<RequestPipeline>> create(const Config& config,
                                                         const std::vector<std::unique_ptr<Probe>>& probes);
  ~RequestPipeline();

  // Requests `filter` admits go to `sink` as events (RequestEvent), at most
  // `per_second` a second (0: no limit), the rest counted in
  // events_suppressed(). The sink runs on the poll thread with the
  // pipeline's lock held: it must not block (EventStream::publish does
  // not). Call before start().
  void set_event_sink(RequestEventFilter filter, uint32_t per_second, std::function<void(EventPtr)> sink);
  uint64_t events_suppressed();

  // Starts the poll thread.
  void start();
  // Ends the poll thread (within one poll timeout). The engine stays: the
  // probe's detach, when the collector goes, still delivers into it, so
  // destroy the pipeline after the collector.
  void stop();

  // A collector metrics source: the engine's families (its drops merged
  // into the probe's kscope_l7_dropped_total), then forgets idle
  // connections.
  void append(std::vector<Family>& out);

 private:
  RequestPipeline(L7Probe& probe, const Config& full_config, requests::HttpEngineConfig config);
  void poll_loop();

  L7Probe& probe_;
  std::mutex mu_;  // guards the engines, router_ and labels_
  ProcessLabelCache labels_;
  requests::HttpEngine engine_;
  requests::H2Engine h2_;  // its HTTP requests go into engine_
  requests::DbEngine redis_;
  requests::DbEngine postgres_;
  requests::DbEngine mysql_;
  requests::ProtocolRouter router_;  // it calls into the engines
  L7Coverage coverage_;  // collector thread only
  RequestEventFilter event_filter_;
  RequestEventRate event_rate_{0};
  std::function<void(EventPtr)> event_sink_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace kscope
