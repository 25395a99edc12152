#include "alerts/rule_evaluator.h"

namespace kscope {

std::vector<LabelMatcher> build_matchers(const StringPairs& match) {
  std::vector<LabelMatcher> out;
  for (const auto& [name, spec] : match) {
    auto m = LabelMatcher::parse_spec(name, spec);
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
  const bool host = rule.scope == RuleScope::kHost || ctx.pair.breakdown.empty();
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
  // Grouped by the rule's own label (cgroup, device, ...) or the breakdown.
  IntervalPair pair = ctx.pair;
  if (!source.by.empty()) pair.breakdown = source.by;
  const bool whole = source.by.empty() && host;
  MetricSelector sel{source.metric, build_matchers(source.match),
                     parse_statistic(source.stat).value_or(Statistic{})};
  auto g = evaluate_selector(pair, sel);
  if (!g.present) return out;
  std::optional<Grouped<std::optional<double>>> denominator;
  if (!source.divide_by.metric.empty()) {
    MetricSelector d{source.divide_by.metric, build_matchers(source.divide_by.match),
                     parse_statistic(source.divide_by.stat).value_or(Statistic{})};
    denominator = evaluate_selector(pair, d);
    if (!denominator->present) return out;
  }
  // The value, or the ratio to the denominator's value for the same group.
  auto value_of = [&](const std::optional<double>& v, const std::optional<double>& d) -> std::optional<double> {
    if (!v) return std::nullopt;
    if (!denominator) return v;
    if (!d || *d == 0) return std::nullopt;
    return *v / *d;
  };
  if (whole) {
    if (auto v = value_of(g.host, denominator ? denominator->host : std::nullopt)) out.emplace_back(TargetId{}, *v);
    return out;
  }
  for (const auto& [target, v] : g.targets) {
    std::optional<double> d;
    if (denominator) {
      auto it = denominator->targets.find(target);
      if (it != denominator->targets.end()) d = it->second;
    }
    auto value = value_of(v, d);
    if (value && in_scope(rule, target)) out.emplace_back(target, *value);
  }
  return out;
}

std::unique_ptr<RuleEvaluator> make_rule_evaluator(const RuleConfig& rule) {
  switch (rule.kind()) {
    case RuleKind::kSlo: return make_slo_evaluator(rule);
    case RuleKind::kAnomaly: return make_anomaly_evaluator(rule);
    case RuleKind::kThreshold: break;
  }
  return make_threshold_evaluator(rule);
}

}  // namespace kscope
