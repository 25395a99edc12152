#include "agent/agent.h"

#include <signal.h>
#include <sys/resource.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/alerts_api.h"
#include "agent/request_pipeline.h"
#include "agent/service_map_api.h"
#include "alerts/payloads.h"
#include "budget/dispatch_calibration.h"
#include "cgroups/cgroup_metrics.h"
#include "common/bearer_token.h"
#include "common/capabilities.h"
#include "common/privileges.h"
#include "events/event_format.h"
#include "export/http_metrics.h"
#include "export/prometheus.h"
#include "export/prometheus_protobuf.h"
#include "host/host_metrics.h"
#include "probes/probe_registry.h"
#include "profiling/alert_capturer.h"
#include "profiling/profile_api.h"
#include "symbolize/symbolizer.h"

namespace kscope {

Result<LoadedProbes> load_probes(const Config& config) {
  LoadedProbes loaded;
  for (const auto& info : probe_registry()) {
    if (!info.enabled(config)) {
      loaded.statuses.push_back({info.name, false, "disabled in config"});
      continue;
    }
    auto probe = info.create();
    auto st = probe->start(config);
    if (!st) {
      if (config.strict) return st.error();
      spdlog::warn("probe={} not loaded: {}", info.name, st.error().to_string());
      loaded.statuses.push_back({info.name, false, st.error().to_string()});
      continue;
    }
    spdlog::info("probe={} attached", info.name);
    loaded.statuses.push_back({info.name, true, ""});
    loaded.probes.push_back(std::move(probe));
  }
  return loaded;
}

void block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

namespace {

void raise_fd_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  const rlim_t before = lim.rlim_cur;
  lim.rlim_cur = lim.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &lim) == 0) spdlog::debug("fd limit raised from={} to={}", before, lim.rlim_cur);
}

}  // namespace

Result<std::string> read_http_token(const HttpConfig& http) {
  auto token = read_bearer_token(http.token_file, http.token_env, MissingTokenEnv::kError);
  if (!token) return token.error().with_context("http");
  return token;
}

Result<std::unique_ptr<Agent>> Agent::start(Config config, std::string config_path) {
  auto priv = check_bpf_privileges();
  if (!priv) return priv.error();
  std::unique_ptr<Agent> agent(new Agent());
  agent->config_ = std::move(config);
  agent->started_probes_ = agent->config_.probes;
  agent->started_breakdown_ = agent->config_.breakdown;
  agent->latency_le_ = agent->config_.latency_buckets_seconds.empty() ? default_le_seconds()
                                                                      : agent->config_.latency_buckets_seconds;
  agent->config_path_ = std::move(config_path);
  auto token = read_http_token(agent->config_.http);
  if (!token) return token.error();

  // Bind first: a port in use should fail fast, before probes attach.
  HttpServerOptions http_opts;
  http_opts.listen = agent->config_.http.listen;
  http_opts.token = *token;
  http_opts.protect_metrics = agent->config_.http.protect_metrics;
  http_opts.tls_cert = agent->config_.http.tls_cert;
  http_opts.tls_key = agent->config_.http.tls_key;
  http_opts.max_connections = agent->config_.http.max_connections;
  // Each client is an fd: the soft limit (often 1024) would cap the
  // dashboards and scrapers long before max_connections.
  raise_fd_limit();
  auto server = HttpServer::start(http_opts);
  if (!server) return server.error();
  agent->http_ = std::move(*server);

  // The statistics slow every BPF program on the host: on only when asked.
  if (agent->config_.budget.cpu_percent > 0 || agent->config_.budget.measure) {
    agent->stats_ = std::make_unique<BpfStatsEnabler>();
  }
  if (agent->config_.budget.cpu_percent > 0 && !agent->stats_->active()) {
    spdlog::warn("cpu budget: BPF run-time statistics cannot be enabled here, so the budget sees no cost and "
                 "never sheds (needs CAP_SYS_ADMIN for BPF_ENABLE_STATS)");
  }
  // Before the probes attach: the calibration times syscalls with only its
  // own empty program on the hook.
  DispatchCost dispatch;
  if (agent->stats_ && agent->stats_->active()) {
    dispatch = calibrate_dispatch_cost();
    if (dispatch.calibrated) {
      spdlog::info("cpu budget: a program run costs {:.0f} ns beyond its run time on a syscall tracepoint, {:.0f} ns "
                   "on another tracepoint, and the syscall slow path {:.0f} ns a syscall (measured here)",
                   dispatch.syscall_dispatch_ns, dispatch.tracepoint_ns, dispatch.syscall_slow_path_ns);
    } else {
      spdlog::warn("cpu budget: counts BPF run time only, not the dispatch and syscall slow path: {}",
                   dispatch.reason);
    }
  }
  auto loaded = load_probes(agent->config_);
  if (!loaded) return loaded.error();
  if (loaded->probes.empty()) {
    return Error("no probe could be loaded", "run `kscope check` to see why each one failed");
  }
  agent->start_events(loaded->probes);
  // HTTP request durations from the l7 probe, when it is loaded.
  auto requests = RequestPipeline::create(agent->config_, loaded->probes);
  if (!requests) return requests.error();
  agent->requests_ = std::move(*requests);
  if (agent->requests_) {
    // The slow and failed requests join the kernel's events (/api/v1/events).
    const auto& l7 = agent->config_.probes.l7;
    if (l7.slow_threshold.count() > 0 || l7.error_events) {
      RequestEventFilter filter;
      filter.min_duration_ns = l7.slow_threshold.count() > 0 ? uint64_t(l7.slow_threshold.count()) : UINT64_MAX;
      filter.errors_regardless_of_duration = l7.error_events;
      agent->requests_->set_event_sink(filter, l7.events_per_second,
                                       [a = agent.get()](EventPtr e) { a->events_.publish(std::move(e)); });
    }
    agent->requests_->start();
  }
  agent->collector_ = std::make_unique<Collector>(agent->config_, std::move(loaded->probes),
                                                  std::move(loaded->statuses), agent->store_, dispatch);
  if (agent->requests_) {
    agent->collector_->add_metrics_source(
        [r = agent->requests_.get()](std::vector<Family>& out) { r->append(out); });
  }
  agent->collector_->set_bpf_stats_active(
      [a = agent.get()] { return (a->stats_ && a->stats_->active()) || bpf_stats_sysctl_enabled(); });
  // The collector outlives the server at shutdown: the reader, not http_.
  agent->collector_->add_metrics_source(
      [read = agent->http_->stats_reader()](std::vector<Family>& out) { append_http_families(read(), out); });
  agent->collector_->add_metrics_source([a = agent.get()](std::vector<Family>& out) {
    auto st = a->events_.stats();
    out.push_back({"kscope_event_stream_dropped_total",
                   "Events a subscriber of the live event stream (dashboard) missed because it fell behind.",
                   MetricType::kCounter, {{{}, double(st.dropped), {}}}});
    if (a->event_reader_) {
      out.push_back({"kscope_event_decode_errors_total", "Ring-buffer records kscope could not decode.",
                     MetricType::kCounter, {{{}, double(a->event_reader_->stats().decode_errors), {}}}});
    }
  });
  if (agent->config_.resources.host) {
    // The host's /proc figures under node_exporter's names; the MetricsView
    // leaves them out of /metrics when resources.export_node_metrics is false.
    agent->collector_->add_metrics_source(
        [host = std::make_shared<HostMetrics>()](std::vector<Family>& out) { host->append(out); });
    for (auto& src : host_sources()) agent->sources_.push_back(std::move(src));
  }
  auto alerts = AlertsService::create(agent->config_, std::make_shared<AlertProfileCapturer>(std::make_shared<Symbolizer>()));
  if (!alerts) return alerts.error();
  agent->alerts_ = std::move(*alerts);
  agent->collector_->add_listener([a = agent->alerts_.get()](const auto& snap) { a->on_snapshot(snap); });
  agent->metrics_view_ = std::make_unique<MetricsView>(
      agent->config_.export_, std::string(breakdown_label(agent->config_.breakdown)));
  agent->metrics_view_->set_export_node_metrics(agent->config_.resources.export_node_metrics);
  agent->collector_->add_listener([v = agent->metrics_view_.get()](const auto& snap) { v->update(snap); });
  agent->collector_->add_metrics_source([a = agent->alerts_.get()](std::vector<Family>& out) {
    for (auto& f : a->metric_families()) out.push_back(std::move(f));
  });
  if (agent->config_.resources.cgroups) {
    // Per-cgroup resources from the cgroup files. Opened here and re-read
    // through kept fds, so the capability drop below changes nothing.
    auto layout = discover_cgroup_layout();
    for (const auto& src : cgroup_sources(layout)) {
      if (!src.available) spdlog::info("cgroups: {} ({})", src.detail, src.name);
      agent->sources_.push_back(src);
    }
    CgroupMetricsOptions opts;
    opts.max_cgroups = agent->config_.resources.max_cgroups;
    auto cgroups = std::make_shared<CgroupMetrics>(std::move(layout), opts);
    agent->collector_->add_metrics_source([cgroups](std::vector<Family>& out) { cgroups->append(out); });
  }
  agent->collector_->collect_once();
  HistoryOptions history;
  history.retention = agent->config_.history.retention;
  history.max_bytes = size_t{agent->config_.history.max_mib} << 20;
  agent->web_ = WebUi::install(*agent->http_, *agent->collector_, agent->config_.interval, history);
  agent->alerts_api_ = std::make_unique<AlertsApi>(*agent->alerts_);
  agent->services_ = std::make_unique<ServiceMapApi>(agent->alerts_->signals(), agent->config_.breakdown);
  agent->profiles_ = std::make_unique<ProfileApi>(std::make_shared<Symbolizer>());
  agent->install_routes();
  agent->collector_->start();
  // Everything is loaded, attached and bound: from here on kscope only reads.
  auto kept = agent_kept_capabilities();
  auto dropped = drop_capabilities(kept);
  if (!dropped) return dropped.error();
  spdlog::info("capabilities dropped threads={} kept={}", *dropped, capability_names(kept));
  spdlog::info("serving listen={} dashboard=/ metrics=/metrics health=/api/v1/health", agent->config_.http.listen);
  return agent;
}

Agent::~Agent() {
  // Order: stop pushing to WebSocket clients, stop serving, stop reading
  // events, stop collecting (the probes detach with the collector).
  if (web_) web_->stop();
  http_.reset();
  event_reader_.reset();
  events_.close();
  // The l7 probe's poll thread before the probe goes; the engine after it,
  // as the probe's detach delivers what its ring still holds.
  if (requests_) requests_->stop();
  collector_.reset();
  requests_.reset();
}

void Agent::start_events(const std::vector<std::unique_ptr<Probe>>& probes) {
  std::vector<EventSource> sources;
  for (const auto& p : probes) {
    if (auto src = p->event_source()) sources.push_back(*src);
  }
  if (sources.empty()) return;
  auto reader = EventReader::create(sources, [this](EventPtr e) { events_.publish(std::move(e)); });
  if (!reader) {
    spdlog::warn("event stream not available: {}", reader.error().to_string());
    return;
  }
  event_reader_ = std::move(*reader);
  event_reader_->start(std::chrono::milliseconds(100));
}

void Agent::reload() {
  if (config_path_.empty()) {
    spdlog::info("SIGHUP: no config file to reload (started with the embedded default)");
    return;
  }
  auto cfg = load_config(config_path_);
  if (!cfg) {
    spdlog::error("SIGHUP: keeping the running config; the new one is invalid:\n{}", cfg.error().to_string());
    note_reload(cfg.error().to_string());
    return;
  }
  // A file that parses can still fail here (a sink's token_env unset): the
  // running rules and sinks stay, and health says so like a parse error.
  if (auto st = alerts_->reload(*cfg); !st) {
    spdlog::error("SIGHUP: keeping the running alert rules and sinks: {}", st.error().to_string());
    note_reload(config_path_ + ": " + st.error().to_string());
    return;
  }
  spdlog::info("SIGHUP: config {} reloaded (alert rules and sinks; probe and budget settings apply at restart)", config_path_);
  config_ = *cfg;
  note_reload("");
}

void Agent::note_reload(std::string error) {
  auto now = std::chrono::system_clock::now();
  std::lock_guard lock(reload_mu_);
  if (error.empty()) {
    reloaded_at_ = now;
  } else {
    reload_failed_at_ = now;
    ++reloads_failed_;
  }
  reload_error_ = std::move(error);
  health_body_.invalidate();
}

void Agent::run_until_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      reload();
      continue;
    }
    spdlog::info("signal={} detaching", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return;
  }
}

}  // namespace kscope
