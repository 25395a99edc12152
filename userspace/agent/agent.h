// `kscope run`: every enabled probe, the collector, and the HTTP endpoints,
// for the life of the process.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alerts/alerts_service.h"
#include "collect/collector.h"
#include "model/snapshot.h"
#include "model/source_status.h"
#include "common/result.h"
#include "config/config.h"
#include "events/event_reader.h"
#include "events/event_stream.h"
#include "export/http_server.h"
#include "export/metrics_view.h"
#include "export/short_lived_body.h"
#include "loader/bpf_support.h"
#include "web/web_ui.h"

namespace kscope {

class AlertsApi;        // agent/alerts_api.h
class ProfileApi;       // profiling/profile_api.h
class RequestPipeline;  // agent/request_pipeline.h
class ServiceMapApi;    // agent/service_map_api.h

// Loads every enabled probe of the registry. A probe that fails is reported
// in the statuses (and logged once) and the others go on; with
// config.strict the first failure is returned instead.
struct LoadedProbes {
  std::vector<std::unique_ptr<Probe>> probes;
  std::vector<ProbeStatus> statuses;
};
Result<LoadedProbes> load_probes(const Config& config);

class Agent {
 public:
  // Checks privileges, loads probes, binds HTTP and starts collecting.
  static Result<std::unique_ptr<Agent>> start(Config config, std::string config_path);
  ~Agent();

  // Blocks until SIGINT or SIGTERM; SIGHUP reloads the config file.
  // The caller must have blocked these signals in every thread
  // (block_shutdown_signals) before start().
  void run_until_signal();

  const Config& config() const { return config_; }
  SnapshotStore& store() { return store_; }
  HttpServer& http() { return *http_; }
  Collector& collector() { return *collector_; }
  // Slow syscalls, retransmits, resets and failed connects as they happen
  // (for the dashboard's live view): subscribe with a bounded queue.
  EventStream& events() { return events_; }
  AlertsService& alerts() { return *alerts_; }

 private:
  Agent() = default;
  // Every path kscope serves, in one table (agent/routes.cpp).
  void install_routes();
  // The agent's own endpoints (agent/agent_endpoints.cpp).
  HttpResponse metrics_response(const HttpRequest& req);
  HttpResponse events_response(const HttpRequest& req);
  HttpResponse health_response();
  // /api/v1/health's JSON: the probes, alert sinks, budget, sampling and the
  // last reload, with the families and breakdown the agent started with.
  std::string health_json(const Snapshot& snap) const;
  void start_events(const std::vector<std::unique_ptr<Probe>>& probes);
  void reload();
  // Records a SIGHUP's outcome for /api/v1/health: an error stays (and
  // makes the agent degraded) until a reload succeeds.
  void note_reload(std::string error);

  Config config_;
  // What a reload does not change (probes and breakdown apply at restart),
  // read by HTTP threads while reload() replaces config_.
  ProbesConfig started_probes_;
  Breakdown started_breakdown_ = Breakdown::kComm;
  std::vector<double> latency_le_;  // /metrics histogram buckets, seconds
  std::string config_path_;
  std::vector<SourceStatus> sources_;  // resources read from kernel files, for health
  std::unique_ptr<BpfStatsEnabler> stats_;
  SnapshotStore store_;
  std::unique_ptr<AlertsService> alerts_;  // outlives the collector, whose listener feeds it
  std::unique_ptr<MetricsView> metrics_view_;  // /metrics; fed by a collector listener too
  std::unique_ptr<RequestPipeline> requests_;  // null without the l7 probe; outlives the collector
  std::unique_ptr<Collector> collector_;
  EventStream events_;
  std::unique_ptr<EventReader> event_reader_;  // reads the probes' rings: stopped before they go
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<WebUi> web_;
  std::unique_ptr<ServiceMapApi> services_;  // GET /api/v1/services
  std::unique_ptr<AlertsApi> alerts_api_;    // signals, alerts, silences, captures
  std::unique_ptr<ProfileApi> profiles_;     // /api/v1/profile, /debug/pprof/profile
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // The last SIGHUP's outcome, for /api/v1/health (read by HTTP threads).
  mutable std::mutex reload_mu_;
  std::string reload_error_;
  std::chrono::system_clock::time_point reload_failed_at_;  // of reload_error_
  std::chrono::system_clock::time_point reloaded_at_;       // the last good reload; epoch: none
  uint64_t reloads_failed_ = 0;
  ShortLivedBody health_body_{std::chrono::milliseconds(100)};  // /api/v1/health
};

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and every thread
// it creates afterwards) so they are taken with sigwait.
void block_shutdown_signals();

// The bearer token from http.token_file / http.token_env; empty if none.
Result<std::string> read_http_token(const HttpConfig& http);

}  // namespace kscope
