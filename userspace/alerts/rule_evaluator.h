// A rule's condition, evaluated each interval for every target in its scope.
// Evaluators keep their own history (SLO windows, anomaly baselines); the
// alert states live in the engine.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert.h"
#include "config/alerts_config.h"
#include "signals/metric_query.h"
#include "signals/signals.h"

namespace kscope {

struct RuleObservation {
  TargetId target;     // breakdown value and kernel-thread flag; name "" for the host
  double value = 0;    // what the rule looked at (base units)
  double threshold = 0;
  bool breach = false;  // the condition holds
  bool clear = true;    // back past the hysteresis line (!breach without one)
};

struct EvalContext {
  const IntervalPair& pair;
  const Signals& signals;
  SteadyTime now;
};

class RuleEvaluator {
 public:
  virtual ~RuleEvaluator() = default;
  // Targets without data this interval are left out.
  virtual std::vector<RuleObservation> evaluate(const EvalContext& ctx) = 0;
};

// Builds the evaluator of a rule that passed read_alerts_config.
std::unique_ptr<RuleEvaluator> make_rule_evaluator(const RuleConfig& rule);

// The values of a threshold/anomaly source for each target in the rule's
// scope (host-wide for scope host or when there is no breakdown).
std::vector<std::pair<TargetId, double>> source_values(const RuleConfig& rule, const RuleSource& source,
                                                          const EvalContext& ctx);

// Matchers of a validated config (invalid ones are skipped).
std::vector<LabelMatcher> build_matchers(const StringPairs& match);

// Whether a target is in the rule's scope: the rule's one target if it names
// one, and kernel threads only with kernel_threads: true.
bool in_scope(const RuleConfig& rule, const TargetId& target);

std::unique_ptr<RuleEvaluator> make_threshold_evaluator(const RuleConfig& rule);
std::unique_ptr<RuleEvaluator> make_slo_evaluator(const RuleConfig& rule);
std::unique_ptr<RuleEvaluator> make_anomaly_evaluator(const RuleConfig& rule);

}  // namespace kscope
