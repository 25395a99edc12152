#include "web/web_ui.h"

#include "web/assets.h"
#include "web/query_api.h"

namespace kscope {

std::unique_ptr<WebUi> WebUi::install(HttpServer& http, Collector& collector, Nanos interval,
                                      HistoryOptions options) {
  std::unique_ptr<WebUi> ui(new WebUi(options, interval));
  WebUi* self = ui.get();
  ui->hub_ = std::make_unique<WebSocketHub>(http, ui->history_, interval);
  collector.add_listener([self](const std::shared_ptr<const Snapshot>& snap) {
    self->history_.append(snap);
    self->hub_->notify();
    self->trimmer_.maybe_trim();
  });
  collector.add_metrics_source([self](std::vector<Family>& out) {
    const auto st = self->history_.stats();
    out.push_back({"kscope_history_bytes", "Memory held by the in-memory history (frames and series table).",
                   MetricType::kGauge, {{{}, double(st.bytes), {}}}});
    out.push_back({"kscope_history_span_seconds",
                   "Time the history reaches back; below history.retention once max_mib was reached.",
                   MetricType::kGauge,
                   {{{}, st.frames ? std::chrono::duration<double>(st.newest - st.oldest).count() : 0.0, {}}}});
    out.push_back({"kscope_history_dropped_frames_total",
                   "History frames dropped before history.retention to stay under history.max_mib.",
                   MetricType::kCounter, {{{}, double(st.dropped_frames), {}}}});
  });
  return ui;
}

HttpResponse WebUi::query_response(const HttpRequest& req) const { return handle_query(history_, req, interval_); }

HttpResponse WebUi::metric_names_response() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, type] : history_.names()) {
    out.push_back({{"name", name},
                   {"type", type == MetricType::kCounter  ? "counter"
                            : type == MetricType::kGauge ? "gauge"
                                                         : "histogram"}});
  }
  return HttpResponse::json(dump_json(out));
}

HttpResponse WebUi::history_response() const {
  auto s = history_.stats();
  const auto& o = history_.options();
  const auto trim = trimmer_.stats();
  nlohmann::json body = {
      {"bytes", s.bytes},
      {"max_bytes", o.max_bytes},
      {"frames", s.frames},
      {"series", s.series},
      {"dropped_frames", s.dropped_frames},
      {"retention_seconds", std::chrono::duration<double>(o.retention).count()},
      {"oldest", s.frames ? unix_seconds(s.oldest) : 0.0},
      {"newest", s.frames ? unix_seconds(s.newest) : 0.0},
      {"websocket_clients", hub_->clients()},
      {"websocket_messages_sent", hub_->messages_sent()},
      {"heap_trims", trim.trims},
      {"heap_released_bytes", trim.released_bytes},
      {"heap_trim_seconds", trim.seconds},
  };
  return HttpResponse::json(dump_json(body, 2));
}

WebUi::~WebUi() { stop(); }

void WebUi::stop() {
  if (hub_) hub_->stop();
}

}  // namespace kscope
