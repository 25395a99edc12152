// Threshold rules: value <op> threshold, with optional hysteresis.
#include "alerts/rule_evaluator.h"

namespace kscope {
namespace {

class ThresholdEvaluator final : public RuleEvaluator {
 public:
  explicit ThresholdEvaluator(RuleConfig rule) : rule_(std::move(rule)) {}

  std::vector<RuleObservation> evaluate(const EvalContext& ctx) override {
    const ThresholdRule& t = std::get<ThresholdRule>(rule_.spec);
    const bool above = fires_above(t.op);
    const bool equal_breaches = inclusive(t.op);
    std::vector<RuleObservation> out;
    for (const auto& [target, v] : source_values(rule_, t.source, ctx)) {
      RuleObservation o;
      o.target = target;
      o.value = v;
      o.threshold = t.value;
      o.breach = above ? (equal_breaches ? v >= t.value : v > t.value) : (equal_breaches ? v <= t.value : v < t.value);
      o.clear = !t.has_clear ? !o.breach : (above ? v < t.clear : v > t.clear);
      out.push_back(o);
    }
    return out;
  }

 private:
  RuleConfig rule_;
};

}  // namespace

std::unique_ptr<RuleEvaluator> make_threshold_evaluator(const RuleConfig& rule) {
  return std::make_unique<ThresholdEvaluator>(rule);
}

}  // namespace kscope
