#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "alerts/payloads.h"
#include "events/event_format.h"
#include "export/prometheus.h"
#include "export/prometheus_protobuf.h"
#include "probes/probe_registry.h"

// The agent's own endpoints: /metrics, /api/v1/events, /api/v1/health.

namespace kscope {

// The export view, not the snapshot: bounded series (config export:).
// Prometheus with native histograms asks for protobuf in Accept.
HttpResponse Agent::metrics_response(const HttpRequest& req) {
  HttpResponse r;
  r.headers.emplace_back("Vary", "Accept");  // one URL, two formats
  auto view = metrics_view_->latest();
  auto accept = req.headers.find("accept");
  if (accept != req.headers.end() && accepts_protobuf(accept->second)) {
    r.content_type = std::string(kProtobufContentType);
    r.body = render_prometheus_protobuf(view->families, latency_le_);
  } else {
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = render_prometheus(view->families, latency_le_);
  }
  return r;
}

// The latest events (newest last), for a dashboard's first paint; live ones
// come through events().subscribe().
HttpResponse Agent::events_response(const HttpRequest& req) {
  size_t limit = 100;
  try {
    limit = std::stoul(req.param("limit", "100"));
  } catch (const std::exception&) {
    return HttpResponse::json_error(400, "limit must be a number");
  }
  auto recent = events_.recent();
  size_t from = recent.size() > limit ? recent.size() - limit : 0;
  EventClock clock;
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = from; i < recent.size(); ++i) list.push_back(event_to_json(*recent[i], clock, nullptr));
  auto st = events_.stats();
  nlohmann::json body = {{"published", st.published}, {"dropped", st.dropped}, {"events", list}};
  return HttpResponse::json(json_line(body) + "\n");
}

// Probe settings apply at restart: the families and the breakdown are the
// started config's (started_probes_, started_breakdown_: copies, as reload()
// replaces config_ while HTTP threads read). The dashboard names its targets
// by the breakdown label.
HttpResponse Agent::health_response() {
  // Built once per snapshot and per 100 ms (export/short_lived_body.h): the
  // requests meanwhile share it, uptime_seconds included.
  auto snap = store_.latest();
  return HttpResponse::json(*health_body_.get(snap->sequence, [&] { return health_json(*snap); }));
}

std::string Agent::health_json(const Snapshot& snap) const {
  nlohmann::json probes = nlohmann::json::array();
  bool all_up = true;
  for (const auto& st : family_statuses(started_probes_, collector_->statuses())) {
    probes.push_back({{"name", st.family}, {"probe", st.probe}, {"up", st.up}, {"reason", st.reason}});
    all_up = all_up && (st.up || st.reason == "disabled in config");
  }
  nlohmann::json sinks = alerts_->sinks_health(all_up);
  nlohmann::json body = {
      {"status", all_up ? "ok" : "degraded"},
      {"version", KSCOPE_VERSION},
      {"breakdown", to_string(started_breakdown_)},
      {"uptime_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()},
      {"snapshot_sequence", snap.sequence},
      {"probes", probes},
      {"alert_sinks", sinks},
      {"alert_state", alerts_->state_health()},
  };
  // The kernel files read without BPF (resources:). A missing one (PSI off
  // at boot, no cgroup controller) leaves its figures out and says why
  // here; it does not make kscope degraded, as the host simply has not it.
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& src : sources_) {
    sources.push_back({{"name", src.name}, {"available", src.available}, {"detail", src.detail}});
  }
  body["sources"] = sources;
  auto budget = collector_->budget_status();
  body["budget"] = {
      {"cpu_percent", budget.limit_ratio * 100},
      {"used_percent", budget.used_ratio ? nlohmann::json(*budget.used_ratio * 100) : nlohmann::json()},
      {"bpf_percent", budget.bpf_ratio ? nlohmann::json(*budget.bpf_ratio * 100) : nlohmann::json()},
      {"dispatch_calibrated", budget.dispatch.calibrated},
      {"sampling_divisor", budget.sampling_divisor},
      {"detached", budget.detached},
      {"steps", budget.steps},
      {"exhausted", budget.exhausted},
      {"sheds", budget.sheds},
      {"restores", budget.restores},
  };
  if (budget.degraded()) body["status"] = "degraded";
  // Sampling mode: the syscall families are estimates (docs/sampling.md).
  auto sampling = collector_->sampling_status();
  body["syscall_sampling"] = {
      {"enabled", sampling.enabled},
      {"attach_for_seconds", sampling.attach_for_seconds},
      {"period_seconds", sampling.period_seconds},
      {"attached", sampling.attached},
      {"attached_ratio", sampling.attached_ratio ? nlohmann::json(*sampling.attached_ratio) : nlohmann::json()},
      {"cycles", sampling.cycles},
      {"attach_failures", sampling.attach_failures},
      {"estimated_families",
       sampling.enabled ? nlohmann::json{"kscope_syscall_latency_seconds", "kscope_syscall_bytes_total",
                                         "kscope_syscall_errors_total", "kscope_syscalls_total",
                                         "kscope_syscall_seconds_total"}
                        : nlohmann::json::array()},
  };
  {
    std::lock_guard lock(reload_mu_);
    const bool failed = !reload_error_.empty();
    const bool reloaded = reloaded_at_ != std::chrono::system_clock::time_point{};
    body["config"] = {{"path", config_path_},
                      {"reload_error", failed ? nlohmann::json(reload_error_) : nlohmann::json()},
                      {"reload_failed_at", failed ? nlohmann::json(rfc3339(reload_failed_at_)) : nlohmann::json()},
                      {"reloaded_at", reloaded ? nlohmann::json(rfc3339(reloaded_at_)) : nlohmann::json()},
                      {"reloads_failed", reloads_failed_}};
    if (!reload_error_.empty()) body["status"] = "degraded";
  }
  return body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace kscope
