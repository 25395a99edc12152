// SLO burn-rate rules (multi-window, multi-burn-rate as in the SRE workbook):
// the error budget is 1 - objective; a window's burn rate is its bad-event
// ratio divided by the budget. A pair of windows breaches when both burn
// faster than its factor: the long window proves it matters, the short one
// that it is still happening (so the alert resolves soon after recovery).
#include <algorithm>
#include <deque>
#include <map>

#include "alerts/rule_evaluator.h"

namespace kscope {
namespace {

constexpr size_t kMaxTargets = 1000;  // per rule; more are not tracked (host-wide still is)

// Bad and total events in time buckets of a fixed width, enough of them to
// cover the longest window.
class BucketWindow {
 public:
  BucketWindow(Nanos width, Nanos span) : width_(width), span_(span) {}

  void add(SteadyTime now, double bad, double total) {
    if (buckets_.empty() || now - buckets_.back().start >= width_) buckets_.push_back({now, 0, 0});
    buckets_.back().bad += bad;
    buckets_.back().total += total;
    while (!buckets_.empty() && now - buckets_.front().start > span_ + width_) buckets_.pop_front();
    last_ = now;
  }

  // Sum over the buckets that started within `window` of now.
  std::pair<double, double> sum(SteadyTime now, Nanos window) const {
    double bad = 0, total = 0;
    for (auto it = buckets_.rbegin(); it != buckets_.rend(); ++it) {
      if (now - it->start >= window) break;
      bad += it->bad;
      total += it->total;
    }
    return {bad, total};
  }

  SteadyTime last() const { return last_; }

 private:
  struct Bucket {
    SteadyTime start;
    double bad, total;
  };
  Nanos width_, span_;
  std::deque<Bucket> buckets_;
  SteadyTime last_{};
};

class SloEvaluator final : public RuleEvaluator {
 public:
  explicit SloEvaluator(RuleConfig rule)
      : rule_(std::move(rule)),
        matchers_(build_matchers(slo().match)),
        bad_matchers_(build_matchers(slo().bad)) {
    Nanos shortest = Nanos::max(), longest{0};
    for (const auto& w : slo().windows) {
      shortest = std::min(shortest, w.short_window);
      longest = std::max(longest, w.long_window);
    }
    // A tenth of the shortest window: its edge is at most 10% off, and a
    // 6h window costs 720 buckets per target.
    width_ = std::max<Nanos>(shortest / 10, std::chrono::seconds(1));
    span_ = longest;
  }

  std::vector<RuleObservation> evaluate(const EvalContext& ctx) override {
    const bool host = rule_.scope == RuleScope::kHost || ctx.pair.breakdown.empty();
    std::map<TargetId, std::pair<double, double>> counts;  // target -> bad, total
    auto record = [&](const TargetId& target, double bad, double total) {
      if (host != target.name.empty() || (!host && !in_scope(rule_, target))) return;
      auto& c = counts[target];
      c.first += bad;
      c.second += total;
    };
    auto matches = [this](const Series& s, bool skip_errno) {
      for (const auto& m : matchers_) {
        if (skip_errno && m.name() == "errno") continue;
        if (!m.matches(s)) return false;
      }
      return true;
    };
    if (slo().kind == SloKind::kLatency) {
      auto g = histogram_increase(ctx.pair, slo().metric, [&](const Series& s) { return matches(s, false); });
      if (!g.present) return {};
      const double limit_ns = slo().under_seconds * 1e9;
      auto add = [&](const TargetId& t, const Histogram& h) {
        double total = double(h.count());
        record(t, std::max(0.0, total - h.count_below_ns(limit_ns)), total);
      };
      add(TargetId{}, g.host);
      for (const auto& [t, h] : g.targets) add(t, h);
    } else if (!bad_matchers_.empty()) {
      // Requests: the failed ones are observations of the same histogram
      // whose series also match `bad`.
      auto total = histogram_increase(ctx.pair, slo().metric, [&](const Series& s) { return matches(s, false); });
      auto bad = histogram_increase(ctx.pair, slo().metric, [&](const Series& s) {
        if (!matches(s, false)) return false;
        return std::all_of(bad_matchers_.begin(), bad_matchers_.end(), [&](const LabelMatcher& m) { return m.matches(s); });
      });
      if (!total.present) return {};
      record(TargetId{}, double(bad.host.count()), double(total.host.count()));
      for (const auto& [t, h] : total.targets) {
        auto it = bad.targets.find(t);
        record(t, it == bad.targets.end() ? 0 : double(it->second.count()), double(h.count()));
      }
    } else {
      auto total = histogram_increase(ctx.pair, "kscope_syscall_latency_seconds",
                                      [&](const Series& s) { return matches(s, true); });
      auto bad = counter_increase(ctx.pair, "kscope_syscall_errors_total",
                                  [&](const Series& s) { return matches(s, false); });
      if (!total.present) return {};
      record(TargetId{}, bad.host, double(total.host.count()));
      for (const auto& [t, h] : total.targets) {
        auto it = bad.targets.find(t);
        record(t, it == bad.targets.end() ? 0 : it->second, double(h.count()));
      }
    }
    const double budget = 1 - slo().objective;
    std::vector<RuleObservation> out;
    for (const auto& [target, c] : counts) {
      auto it = windows_.find(target);
      if (it == windows_.end()) {
        if (windows_.size() >= kMaxTargets) continue;
        it = windows_.emplace(target, BucketWindow(width_, span_)).first;
      }
      it->second.add(ctx.now, c.first, c.second);
    }
    for (auto it = windows_.begin(); it != windows_.end();) {
      if (ctx.now - it->second.last() > span_) {
        it = windows_.erase(it);  // a target gone for longer than the longest window
        continue;
      }
      RuleObservation o;
      o.target = it->first;
      bool first = true;
      for (const auto& w : slo().windows) {
        auto burn = [&](Nanos window) {
          auto [b, t] = it->second.sum(ctx.now, window);
          return t > 0 ? (b / t) / budget : 0.0;
        };
        double lng = burn(w.long_window), shrt = burn(w.short_window);
        bool breach = lng > w.factor && shrt > w.factor;
        if (first || (breach && !o.breach)) {
          o.value = lng;
          o.threshold = w.factor;
        }
        first = false;
        o.breach = o.breach || breach;
      }
      o.clear = !o.breach;
      out.push_back(o);
      ++it;
    }
    return out;
  }

 private:
  const SloRule& slo() const { return std::get<SloRule>(rule_.spec); }

  RuleConfig rule_;
  std::vector<LabelMatcher> matchers_;
  std::vector<LabelMatcher> bad_matchers_;  // requests: which observations failed
  Nanos width_{}, span_{};
  std::map<TargetId, BucketWindow> windows_;
};

}  // namespace

std::unique_ptr<RuleEvaluator> make_slo_evaluator(const RuleConfig& rule) {
  return std::make_unique<SloEvaluator>(rule);
}

}  // namespace kscope
