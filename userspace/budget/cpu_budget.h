// kscope's CPU budget: from the in-kernel cost of each probe (BPF run time
// and the estimated dispatch and syscall slow path, dispatch_cost.h),
// decides when to shed work and when to give it back. Pure logic with no clock or kernel of
// its own, so every transition is unit-tested; the collector applies what it
// decides (budget_enforcer.h).
//
// Shedding goes one step per window, cheapest loss first: halve the
// cpu-clock sampling rates, quarter them, then detach the probe not in
// `keep` that cost most over the window, then the next. Once the cost has
// stayed under half the budget for restore_after, the last step is undone,
// then the one before. A step that is shed again soon after it was undone
// (a steady load the budget cannot afford) doubles the wait before the next
// restore, up to 16 times, so the probe does not flap on and off.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace kscope {

// One probe's cost so far, as the collector reads it each interval.
struct ProbeCost {
  std::string probe;
  uint64_t run_time_ns = 0;  // cumulative over all its programs (BPF stats)
  bool attached = true;
  bool samples = false;  // has cpu-clock samplers the divisor applies to
  // Cumulative estimate of what the kernel spent running its programs
  // beyond their run time: the syscall tracing slow path and the dispatch,
  // which BPF statistics do not see (dispatch_cost.h).
  uint64_t dispatch_ns = 0;
};

struct BudgetStep {
  enum class Kind { kLowerSampling, kDetach };
  Kind kind = Kind::kLowerSampling;
  std::string probe;              // kDetach: which
  uint32_t sampling_divisor = 1;  // kLowerSampling: the divisor once taken
  double cost_ratio = 0;          // kDetach: the probe's cost when detached
};

struct BudgetDecision {
  enum class Kind { kNone, kShed, kRestore };
  Kind kind = Kind::kNone;
  BudgetStep step;  // kShed: the step to take; kRestore: the step to undo
  // kRestore of a kLowerSampling step: the divisor to go back to.
  uint32_t restore_divisor = 1;
};

class CpuBudget {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr uint32_t kMaxSamplingDivisor = 4;
  static constexpr uint32_t kMaxBackoff = 16;

  explicit CpuBudget(BudgetConfig config);

  // Each interval: the probes' cumulative costs at `now`. Returns at most
  // one step to take or undo; the caller reports back with applied().
  BudgetDecision observe(Clock::time_point now, const std::vector<ProbeCost>& probes);
  void applied(const BudgetDecision& decision, bool ok, Clock::time_point now);

  // kscope's whole in-kernel cost (BPF run time and dispatch) over the
  // last window (or as much of it as has been seen, at least one interval),
  // as a fraction of one core: what the budget is held to.
  std::optional<double> used_ratio() const { return used_; }
  // The BPF run time alone, the same way.
  std::optional<double> bpf_ratio() const { return bpf_used_; }
  double limit_ratio() const { return config_.cpu_percent / 100.0; }
  uint32_t sampling_divisor() const;
  const std::vector<BudgetStep>& steps() const { return steps_; }
  // Over budget with nothing left that may be shed.
  bool exhausted() const { return exhausted_; }
  uint32_t backoff() const { return backoff_; }

 private:
  struct Sample {
    Clock::time_point at;
    std::vector<ProbeCost> costs;
  };
  // Cost of each probe between the oldest kept sample and the newest.
  double probe_ratio(const std::string& probe) const;
  std::optional<BudgetStep> next_shed_step(const std::vector<ProbeCost>& probes) const;
  // Starts the window anew from the latest sample.
  void forget_window() {
    while (window_.size() > 1) window_.pop_front();
  }

  BudgetConfig config_;
  std::deque<Sample> window_;
  std::optional<double> used_;
  std::optional<double> bpf_used_;
  std::vector<BudgetStep> steps_;
  bool exhausted_ = false;
  std::optional<Clock::time_point> low_since_;
  std::optional<Clock::time_point> last_restore_;  // while a restore is on probation
  uint32_t backoff_ = 1;
};

}  // namespace kscope
