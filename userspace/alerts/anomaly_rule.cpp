// Anomaly rules: a per-target baseline (EWMA mean and variance, or a rolling
// window's mean and standard deviation) and a breach when a value is z
// deviations away from it and at least min_change in absolute terms, so a
// quiet series with a tiny variance does not page on noise. Nothing
// breaches during the warm-up.
#include <cmath>
#include <deque>
#include <map>

#include "alerts/rule_evaluator.h"

namespace kscope {
namespace {

constexpr size_t kMaxTargets = 1000;
constexpr auto kForgetAfter = std::chrono::minutes(30);  // a target not seen this long loses its baseline

struct Baseline {
  SteadyTime first_seen{}, last_seen{};
  size_t samples = 0;
  double mean = 0, var = 0;   // ewma
  std::deque<double> window;  // zscore
};

class AnomalyEvaluator final : public RuleEvaluator {
 public:
  explicit AnomalyEvaluator(RuleConfig rule) : rule_(std::move(rule)) {}

  std::vector<RuleObservation> evaluate(const EvalContext& ctx) override {
    const AnomalyRule& a = std::get<AnomalyRule>(rule_.spec);
    std::vector<RuleObservation> out;
    for (const auto& [target, x] : source_values(rule_, a.source, ctx)) {
      auto it = baselines_.find(target);
      if (it == baselines_.end()) {
        if (baselines_.size() >= kMaxTargets) continue;
        it = baselines_.emplace(target, Baseline{ctx.now, ctx.now}).first;
      }
      Baseline& b = it->second;
      RuleObservation o;
      o.target = target;
      o.value = x;
      if (b.samples > 0) {
        auto [mean, sd] = stats(b);
        double diff = x - mean;
        bool dir = a.direction == AnomalyDirection::kBoth ? true : a.direction == AnomalyDirection::kUp ? diff > 0 : diff < 0;
        bool warm = ctx.now - b.first_seen >= a.warmup && b.samples >= 2;
        bool far = std::abs(diff) >= a.z * sd && std::abs(diff) > 0;
        o.breach = warm && dir && far && std::abs(diff) >= a.min_change;
        o.threshold = a.direction == AnomalyDirection::kDown ? mean - a.z * sd : mean + a.z * sd;
      }
      o.clear = !o.breach;
      learn(b, x);
      b.last_seen = ctx.now;
      out.push_back(o);
    }
    for (auto it = baselines_.begin(); it != baselines_.end();) {
      it = ctx.now - it->second.last_seen > kForgetAfter ? baselines_.erase(it) : std::next(it);
    }
    return out;
  }

 private:
  std::pair<double, double> stats(const Baseline& b) const {
    if (std::get<AnomalyRule>(rule_.spec).method == AnomalyMethod::kEwma) return {b.mean, std::sqrt(b.var)};
    double sum = 0, sq = 0;
    for (double v : b.window) sum += v;
    double mean = sum / double(b.window.size());
    for (double v : b.window) sq += (v - mean) * (v - mean);
    return {mean, std::sqrt(sq / double(b.window.size()))};
  }

  void learn(Baseline& b, double x) {
    const AnomalyRule& a = std::get<AnomalyRule>(rule_.spec);
    if (b.samples == 0) {
      b.mean = x;
      b.var = 0;
    } else {
      // Exponentially weighted mean and variance (West's incremental form).
      double diff = x - b.mean;
      double incr = a.alpha * diff;
      b.mean += incr;
      b.var = (1 - a.alpha) * (b.var + diff * incr);
    }
    if (a.method == AnomalyMethod::kZscore) {
      b.window.push_back(x);
      while (b.window.size() > a.window) b.window.pop_front();
    }
    ++b.samples;
  }

  RuleConfig rule_;
  std::map<TargetId, Baseline> baselines_;
};

}  // namespace

std::unique_ptr<RuleEvaluator> make_anomaly_evaluator(const RuleConfig& rule) {
  return std::make_unique<AnomalyEvaluator>(rule);
}

}  // namespace kscope
