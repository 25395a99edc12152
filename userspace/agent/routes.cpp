#include "agent/agent.h"
#include "agent/alerts_api.h"
#include "agent/service_map_api.h"
#include "profiling/profile_api.h"
#include "web/assets.h"

// Every path `kscope run` serves, in one table. A new route goes here: its
// handler lives with the module that owns the data (a method that takes the
// request and returns an HttpResponse), reads only thread-safe state,
// escapes every string it did not write and bounds what it returns.
// route() needs the bearer token when one is set; route_public() is for the
// dashboard's static files only. A path ending in "/" is a prefix.

namespace kscope {

void Agent::install_routes() {
  HttpServer& h = *http_;
  AlertsApi* alerts = alerts_api_.get();
  WebUi* web = web_.get();
  ProfileApi* profiles = profiles_.get();

  // The dashboard: files embedded in the binary (web/assets.h).
  h.route_public("/", serve_asset);
  h.route_public("/index.html", serve_asset);
  h.route_public("/assets/", serve_asset);

  // Prometheus, and the agent's own state (agent/agent_endpoints.cpp).
  h.route("/metrics", [this](const HttpRequest& req) { return metrics_response(req); });
  h.route("/api/v1/health", [this](const HttpRequest&) { return health_response(); });
  h.route("/api/v1/events", [this](const HttpRequest& req) { return events_response(req); });

  // The history behind the dashboard, `kscope top` and `kscope report`
  // (web/web_ui.h), and its live feed over WebSocket.
  h.route("/api/v1/query", [web](const HttpRequest& req) { return web->query_response(req); });
  h.route("/api/v1/metric-names", [web](const HttpRequest&) { return web->metric_names_response(); });
  h.route("/api/v1/history", [web](const HttpRequest&) { return web->history_response(); });
  web->hub().serve("/ws");

  // Signals, alerts and what people do about them (agent/alerts_api.h).
  h.route("/api/v1/signals", [alerts](const HttpRequest& req) { return alerts->signals_response(req); });
  h.route("/api/v1/alerts", [alerts](const HttpRequest& req) { return alerts->alerts_response(req); });
  h.route("/api/v1/alerts/", [alerts](const HttpRequest& req) { return alerts->alert_action_response(req); });
  h.route("/api/v1/silences", [alerts](const HttpRequest& req) { return alerts->silences_response(req); });
  h.route("/api/v1/silences/", [alerts](const HttpRequest& req) { return alerts->silences_response(req); });
  h.route("/api/v1/captures", [alerts](const HttpRequest& req) { return alerts->captures_response(req); });
  h.route("/api/v1/captures/", [alerts](const HttpRequest& req) { return alerts->captures_response(req); });

  // The service map (agent/service_map_api.h).
  h.route("/api/v1/services", [s = services_.get()](const HttpRequest& req) { return s->response(req); });

  // Profiles recorded on demand for N seconds: kBlocking keeps them off the
  // workers that answer the rest of the API; shutdown cuts a recording short.
  h.route("/api/v1/profile", [profiles](const HttpRequest& req) { return profiles->profile_response(req); },
          HandlerKind::kBlocking);
  h.route("/debug/pprof/profile", [profiles](const HttpRequest& req) { return profiles->pprof_response(req); },
          HandlerKind::kBlocking);
  h.on_stop([profiles] { profiles->stop(); });
}

}  // namespace kscope
