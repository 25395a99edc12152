#include "alerts/rule_evaluator.h"

namespace kscope {

std::vector<LabelMatcher> build_matchers(const StringPairs& match) {
  std::vector<LabelMatcher> out;
  for (const auto& [name, spec] : match) {
    auto m = LabelMatcher::parse(name, spec);
    if (m) out.push_back(std::move(*m));
  }
  return out;
}

bool in_scope(const RuleConfig& rule, const TargetId& target) {
  if (target.kernel && !rule.kernel_threads) return false;
  return rule.target.empty() || rule.target == target.name;
}

std::vector<std::pair<TargetId, double>> source_values(const RuleConfig& rule, const RuleSource& source,
                                                          const EvalContext& ctx) {
  std::vector<std::pair<TargetId, double>> out;
  const bool host = rule.scope == "host" || ctx.pair.breakdown.empty();
  if (!source.signal.empty()) {
    if (host) {
      if (auto v = signal_value(ctx.signals.host, source.signal)) out.emplace_back(TargetId{}, *v);
      return out;
    }
    for (const auto& t : ctx.signals.targets) {
      TargetId id{t.target, t.kernel};
      if (!in_scope(rule, id)) continue;
      if (auto v = signal_value(t.signals, source.signal)) out.emplace_back(std::move(id), *v);
    }
    return out;
  }
  MetricSelector sel{source.metric, build_matchers(source.match),
                     parse_statistic(source.stat).value_or(Statistic::kRate)};
  auto g = evaluate_selector(ctx.pair, sel);
  if (!g.present) return out;
  if (host) {
    if (g.host) out.emplace_back(TargetId{}, *g.host);
    return out;
  }
  for (const auto& [target, v] : g.targets) {
    if (v && in_scope(rule, target)) out.emplace_back(target, *v);
  }
  return out;
}

std::unique_ptr<RuleEvaluator> make_rule_evaluator(const RuleConfig& rule) {
  if (rule.kind == "slo") return make_slo_evaluator(rule);
  if (rule.kind == "anomaly") return make_anomaly_evaluator(rule);
  return make_threshold_evaluator(rule);
}

}  // namespace kscope
