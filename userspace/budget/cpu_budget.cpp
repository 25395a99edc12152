#include "budget/cpu_budget.h"

#include <algorithm>

namespace kscope {
namespace {

// The whole cost (BPF run time and the estimated dispatch), or BPF only.
uint64_t cost_of(const std::vector<ProbeCost>& costs, const std::string& probe, bool bpf_only = false) {
  for (const auto& c : costs) {
    if (c.probe == probe) return c.run_time_ns + (bpf_only ? 0 : c.dispatch_ns);
  }
  return 0;
}

}  // namespace

CpuBudget::CpuBudget(BudgetConfig config) : config_(std::move(config)) {}

uint32_t CpuBudget::sampling_divisor() const {
  uint32_t d = 1;
  for (const auto& s : steps_) {
    if (s.kind == BudgetStep::Kind::kLowerSampling) d = std::max(d, s.sampling_divisor);
  }
  return d;
}

double CpuBudget::probe_ratio(const std::string& probe) const {
  if (window_.size() < 2) return 0;
  const auto& first = window_.front();
  const auto& last = window_.back();
  double span = std::chrono::duration<double>(last.at - first.at).count();
  uint64_t now = cost_of(last.costs, probe), then = cost_of(first.costs, probe);
  if (span <= 0 || now <= then) return 0;  // a counter that went back (reloaded) counts nothing
  return double(now - then) * 1e-9 / span;
}

std::optional<BudgetStep> CpuBudget::next_shed_step(const std::vector<ProbeCost>& probes) const {
  bool sampling = std::any_of(probes.begin(), probes.end(), [](const ProbeCost& p) { return p.attached && p.samples; });
  uint32_t divisor = sampling_divisor();
  if (sampling && divisor < kMaxSamplingDivisor) {
    BudgetStep step;
    step.kind = BudgetStep::Kind::kLowerSampling;
    step.sampling_divisor = divisor * 2;
    return step;
  }
  std::optional<BudgetStep> best;
  for (const auto& p : probes) {
    if (!p.attached || std::find(config_.keep.begin(), config_.keep.end(), p.probe) != config_.keep.end()) continue;
    double r = probe_ratio(p.probe);
    if (r <= 0 || (best && r <= best->cost_ratio)) continue;
    best = BudgetStep{BudgetStep::Kind::kDetach, p.probe, 1, r};
  }
  return best;
}

BudgetDecision CpuBudget::observe(Clock::time_point now, const std::vector<ProbeCost>& probes) {
  window_.push_back({now, probes});
  // Keep one sample at or before the window's start, as the base.
  while (window_.size() >= 2 && window_[1].at <= now - config_.window) window_.pop_front();
  if (last_restore_ && now - *last_restore_ >= config_.restore_after) {
    backoff_ = 1;  // the last restore held: the load really fell
    last_restore_.reset();
  }
  if (window_.size() < 2) {
    used_.reset();
    bpf_used_.reset();
    return {};
  }
  double span = std::chrono::duration<double>(now - window_.front().at).count();
  uint64_t total = 0, bpf = 0;
  for (const auto& p : probes) {
    uint64_t whole_then = cost_of(window_.front().costs, p.probe);
    uint64_t bpf_then = cost_of(window_.front().costs, p.probe, /*bpf_only=*/true);
    if (p.run_time_ns + p.dispatch_ns > whole_then) total += p.run_time_ns + p.dispatch_ns - whole_then;
    if (p.run_time_ns > bpf_then) bpf += p.run_time_ns - bpf_then;
  }
  used_ = span > 0 ? double(total) * 1e-9 / span : 0.0;
  bpf_used_ = span > 0 ? double(bpf) * 1e-9 / span : 0.0;

  double limit = limit_ratio();
  bool full_window = window_.front().at <= now - config_.window;
  if (limit <= 0 || !full_window) return {};
  if (*used_ > limit) {
    low_since_.reset();
    auto step = next_shed_step(probes);
    exhausted_ = !step;
    if (!step) return {};
    return {BudgetDecision::Kind::kShed, *step, 1};
  }
  exhausted_ = false;
  if (*used_ >= limit / 2 || steps_.empty()) {
    low_since_.reset();
    return {};
  }
  if (!low_since_) low_since_ = now;
  if (now - *low_since_ < config_.restore_after * backoff_) return {};
  BudgetDecision d{BudgetDecision::Kind::kRestore, steps_.back(), 1};
  if (d.step.kind == BudgetStep::Kind::kLowerSampling) {
    for (size_t i = 0; i + 1 < steps_.size(); ++i) {
      if (steps_[i].kind == BudgetStep::Kind::kLowerSampling) d.restore_divisor = steps_[i].sampling_divisor;
    }
  }
  return d;
}

void CpuBudget::applied(const BudgetDecision& decision, bool ok, Clock::time_point now) {
  // What was measured before a step says nothing about after it.
  forget_window();
  low_since_.reset();
  if (decision.kind == BudgetDecision::Kind::kShed) {
    if (ok) steps_.push_back(decision.step);
    if (last_restore_ && now - *last_restore_ < config_.restore_after) {
      backoff_ = std::min(backoff_ * 2, kMaxBackoff);  // undone too early: wait longer next time
    }
    last_restore_.reset();
  } else if (decision.kind == BudgetDecision::Kind::kRestore) {
    // Popped even when a re-attach failed: the collector reports that probe
    // down with the reason, and retrying every window would only flood the log.
    if (!steps_.empty()) steps_.pop_back();
    last_restore_ = now;
  }
}

}  // namespace kscope
