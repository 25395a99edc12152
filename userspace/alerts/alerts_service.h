// The alerting pipeline of `kscope run`: signals from each snapshot, rule
// evaluation, sinks, profile captures, silences and acks, and what /metrics
// shows of them. The agent feeds it snapshots (collector thread), calls
// reload() on SIGHUP and serves its HTTP API (agent/alerts_api.h); the rest
// is thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/alert_engine.h"
#include "alerts/capture.h"
#include "alerts/notify_policy.h"
#include "alerts/policy_state.h"
#include "alerts/sink.h"
#include "model/snapshot.h"
#include "common/result.h"
#include "config/config.h"
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

  // The signals engine (each snapshot feeds it first), for readers of its
  // other products: the service map.
  const SignalsEngine& signals() const { return *signals_; }

  // For /api/v1/health: where the policy state is kept and its last problem.
  nlohmann::json state_health() const;

  // For /api/v1/health: one object per sink; false when a sink is down.
  nlohmann::json sinks_health(bool& all_up) const;

  // kscope_alerts_firing, kscope_alert_notifications_total, kscope_alert_sink_up,
  // kscope_alert_captures_total, kscope_alert_evaluation_seconds,
  // kscope_alert_notifications_suppressed_total.
  std::vector<Family> metric_families() const;

  AlertEngine& engine() { return *engine_; }
  const AlertEngine& engine() const { return *engine_; }
  CaptureManager& captures() { return *captures_; }
  const CaptureManager& captures() const { return *captures_; }
  std::vector<std::shared_ptr<SinkWorker>> sinks() const;
  // Routes, silences, acks (thread-safe); after a change, save_state()
  // keeps it across restarts.
  NotificationPolicy& policy() { return *policy_; }
  const NotificationPolicy& policy() const { return *policy_; }
  void save_state();
  // The rules in force (a copy: a reload replaces them).
  std::vector<RuleConfig> rules() const;
  // How kscope's API is reached, for links (api_base_url).
  const std::string& base_url() const { return base_url_; }

 private:
  AlertsService() = default;
  Result<std::vector<std::shared_ptr<SinkWorker>>> build_sinks(const AlertsConfig& c) const;
  StringPairs on_fire(const RuleConfig& rule, const Alert& alert);
  void dispatch(const std::vector<Notification>& notes);
  void deliver(std::vector<Delivery> deliveries);
  void notifier_loop();
  static PolicyConfig policy_config(const AlertsConfig& c, const std::vector<std::shared_ptr<SinkWorker>>& sinks);

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
  std::unique_ptr<NotificationPolicy> policy_;
  std::unique_ptr<PolicyStateFile> state_file_;  // null: alerts.state_dir is empty
  mutable std::mutex state_mu_;                  // state_file_ writes vs health
  std::string state_error_;                      // the load's problem (corrupt file), kept for health
  std::mutex notifier_mu_;
  std::condition_variable notifier_cv_;
  bool stopping_ = false;
  bool kicked_ = false;  // the engine reported changes
  std::thread notifier_;  // ticks the policy: group timers, repeats, escalations
};

// The base URL of kscope's API: alerts.external_url, else from http.listen
// (a wildcard address becomes the host name).
std::string api_base_url(const Config& config);

}  // namespace kscope
