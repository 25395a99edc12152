// Evaluates every rule each interval and keeps one state machine per
// (rule, target). Emits a notification on each transition to firing or
// resolved (never twice for the same one: dedup by fingerprint), and a
// refresh of firing alerts every resend interval for Alertmanager.
//
// Thread safety: evaluate() and set_rules() on one thread (the collector);
// alerts() and firing_counts() from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alerts/alert.h"
#include "alerts/alert_state.h"
#include "alerts/rule_evaluator.h"
#include "config/alerts_config.h"

namespace kscope {

struct AlertEngineOptions {
  std::string breakdown;     // the target label name ("comm", "cgroup"), "" for none
  std::string instance;      // the instance label (host name)
  std::string external_url;  // base of generatorURL
  Nanos resend_interval = std::chrono::minutes(1);
  Nanos resolved_retention = std::chrono::minutes(5);  // resolved alerts stay listed this long
};

class AlertEngine {
 public:
  explicit AlertEngine(AlertEngineOptions options) : options_(std::move(options)) {}

  // Replaces the rules. Alerts of rules that keep their name keep their
  // state; a rule whose definition is unchanged keeps its evaluator history
  // (SLO windows, anomaly baselines). Firing alerts of removed rules resolve:
  // their notifications are returned.
  std::vector<Notification> set_rules(const std::vector<RuleConfig>& rules, WallTime wall);

  // Extra annotations for an alert that starts firing (profile capture links).
  using FireHook = std::function<StringPairs(const RuleConfig&, const Alert&)>;
  void set_fire_hook(FireHook hook) { fire_hook_ = std::move(hook); }

  // One evaluation of every rule; the notifications to send.
  std::vector<Notification> evaluate(const EvalContext& ctx, WallTime wall);

  // Pending, firing and recently resolved alerts, firing first.
  std::vector<Alert> alerts() const;
  // (rule, severity) -> firing alerts, with a 0 for every rule.
  std::map<std::pair<std::string, std::string>, int> firing_counts() const;

 private:
  struct Instance {
    InstanceState state;
    Alert alert;
    WallTime last_sent{};
    SteadyTime resolved_steady{};
  };
  struct RuleSlot {
    RuleConfig rule;
    std::unique_ptr<RuleEvaluator> evaluator;
  };

  void apply(RuleSlot& slot, Instance& inst, const RuleObservation* obs, const EvalContext& ctx, WallTime wall,
             std::vector<Notification>& out);
  Alert make_alert(const RuleConfig& rule, const TargetId& target) const;
  void fill_annotations(const RuleConfig& rule, Alert& a) const;

  AlertEngineOptions options_;
  FireHook fire_hook_;
  std::vector<RuleSlot> rules_;
  mutable std::mutex mu_;  // guards rules_ and instances_ against readers (the writer is one thread)
  std::map<std::pair<std::string, TargetId>, Instance> instances_;  // (rule, target)
};

// A value in the rule's unit for people: "123ms", "5.2%", "120/s", "14.4x".
std::string format_rule_value(double v, const std::string& unit);

}  // namespace kscope
