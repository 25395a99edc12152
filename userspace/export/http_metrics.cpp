#include "export/http_metrics.h"

namespace kscope {

void append_http_families(const HttpServerStats& s, std::vector<Family>& out) {
  out.push_back({"kscope_http_connections", "HTTP connections open now, WebSocket clients included.",
                 MetricType::kGauge, {{{}, double(s.connections), {}}}});
  out.push_back({"kscope_http_connections_refused_total",
                 "Connections closed at once because http.max_connections were open.", MetricType::kCounter,
                 {{{}, double(s.connections_refused), {}}}});
  out.push_back({"kscope_http_requests_total", "HTTP requests read.", MetricType::kCounter,
                 {{{}, double(s.requests), {}}}});
  out.push_back({"kscope_http_requests_rejected_total",
                 "Requests refused before any handler ran, by reason (headers or body too large, malformed, "
                 "worker queue full, request deadline passed).",
                 MetricType::kCounter,
                 {{{{"reason", "header_too_large"}}, double(s.rejected_header_too_large), {}},
                  {{{"reason", "body_too_large"}}, double(s.rejected_body_too_large), {}},
                  {{{"reason", "bad_request"}}, double(s.rejected_bad_request), {}},
                  {{{"reason", "busy"}}, double(s.rejected_busy), {}},
                  {{{"reason", "timeout"}}, double(s.timed_out), {}}}});
  out.push_back({"kscope_websocket_clients", "WebSocket clients connected now.", MetricType::kGauge,
                 {{{}, double(s.websocket_clients), {}}}});
  out.push_back({"kscope_websocket_refused_total", "WebSocket upgrades refused (the endpoint's client limit).",
                 MetricType::kCounter, {{{}, double(s.websocket_refused), {}}}});
  out.push_back({"kscope_websocket_messages_sent_total", "WebSocket messages written to clients.",
                 MetricType::kCounter, {{{}, double(s.websocket_sent), {}}}});
  out.push_back({"kscope_websocket_dropped_total",
                 "WebSocket messages dropped for a client that reads slower than it is sent to, by reason.",
                 MetricType::kCounter, {{{{"reason", "queue_full"}}, double(s.websocket_dropped_queue_full), {}}}});
  out.push_back({"kscope_websocket_cut_total",
                 "WebSocket clients disconnected for not reading (send queue full and a write stalled), by reason.",
                 MetricType::kCounter, {{{{"reason", "slow"}}, double(s.websocket_cut_slow), {}}}});
}

}  // namespace kscope
