// The alerting pipeline of `kscope run`: signals from each snapshot, rule
// evaluation, sinks, profile captures, and what the HTTP API and /metrics
// show of them. The agent feeds it snapshots (collector thread) and calls
// reload() on SIGHUP; everything else is read-only and thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/alert_engine.h"
#include "alerts/capture.h"
#include "alerts/sink.h"
#include "collect/snapshot.h"
#include "common/result.h"
#include "config/config.h"
#include "export/http_server.h"
#include "signals/signals_engine.h"

namespace kscope {

class AlertsService {
 public:
  // Builds sinks and rules from the config. Fails on a sink that cannot be
  // set up (token_env unset). base_url: how kscope's API is reached, for links.
  static Result<std::unique_ptr<AlertsService>> create(const Config& config, std::shared_ptr<ProfileCapturer> capturer);
  ~AlertsService();

  // Collector thread: signals, then rules, then notifications to the sinks.
  void on_snapshot(const std::shared_ptr<const Snapshot>& snapshot);

  // New rules and sinks, keeping alert state (alerts of rules that keep their
  // name) and unchanged sinks with their queues. On error nothing changes.
  Status reload(const Config& config);

  // GET /api/v1/signals, /api/v1/alerts, /api/v1/captures[/ID[/FILE]].
  HttpResponse signals_response(const HttpRequest& req) const;
  HttpResponse alerts_response(const HttpRequest& req) const;
  HttpResponse captures_response(const HttpRequest& req) const;

  // For /api/v1/health: one object per sink; false when a sink is down.
  nlohmann::json sinks_health(bool& all_up) const;

  // kscope_alerts_firing, kscope_alert_notifications_total, kscope_alert_sink_up,
  // kscope_alert_captures_total, kscope_alert_evaluation_seconds.
  std::vector<Family> metric_families() const;

  AlertEngine& engine() { return *engine_; }
  CaptureManager& captures() { return *captures_; }
  std::vector<std::shared_ptr<SinkWorker>> sinks() const;

 private:
  AlertsService() = default;
  Result<std::vector<std::shared_ptr<SinkWorker>>> build_sinks(const AlertsConfig& c) const;
  StringPairs on_fire(const RuleConfig& rule, const Alert& alert);
  void dispatch(const std::vector<Notification>& notes);

  std::string breakdown_;
  std::string base_url_;
  std::unique_ptr<SignalsEngine> signals_;
  std::unique_ptr<AlertEngine> engine_;
  std::unique_ptr<CaptureManager> captures_;
  mutable std::mutex eval_mu_;  // on_snapshot vs reload vs readers of rules_
  mutable std::mutex sinks_mu_;
  std::vector<std::shared_ptr<SinkWorker>> sinks_;
  std::vector<RuleConfig> rules_;
  bool enabled_ = true;
  std::atomic<double> last_eval_seconds_{0};  // signals + rules, the last interval
};

// The base URL of kscope's API: alerts.external_url, else from http.listen
// (a wildcard address becomes the host name).
std::string api_base_url(const Config& config);

}  // namespace kscope
