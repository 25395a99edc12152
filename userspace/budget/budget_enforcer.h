// Applies the CPU budget's decisions (cpu_budget.h) to the running probes,
// on the collector thread, and reports what it did: log lines, the state
// for /api/v1/health, and kscope_overhead_ratio, kscope_bpf_cpu_ratio and
// kscope_cpu_budget_*.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "budget/cpu_budget.h"
#include "budget/dispatch_cost.h"
#include "model/snapshot.h"
#include "loader/probe.h"

namespace kscope {

// A copy of the budget's state for readers on other threads.
struct BudgetStatus {
  double limit_ratio = 0;  // 0: no budget
  std::optional<double> used_ratio;  // the whole in-kernel cost
  std::optional<double> bpf_ratio;   // BPF run time alone
  DispatchCost dispatch;
  uint32_t sampling_divisor = 1;
  std::vector<std::string> detached;
  std::vector<std::string> steps;  // in force, oldest first, as sentences
  bool exhausted = false;
  uint64_t sheds = 0;
  uint64_t restores = 0;
  // Whether kscope is doing less than configured because of the budget.
  bool degraded() const { return !steps.empty(); }
};

class BudgetEnforcer {
 public:
  // `dispatch`: what each program run costs beyond its run time on this
  // host (calibrate_dispatch_cost()); uncalibrated, the budget counts BPF
  // run time only.
  BudgetEnforcer(BudgetConfig config, DispatchCost dispatch);

  // Collector thread: measures (program_stats[i] is probes[i]'s, read this
  // interval), decides and applies at most one step. statuses is updated
  // for probes detached or re-attached.
  void tick(CpuBudget::Clock::time_point now, std::vector<std::unique_ptr<Probe>>& probes,
            const std::vector<std::vector<ProgramStats>>& program_stats, std::vector<ProbeStatus>& statuses);

  // kscope_overhead_ratio, kscope_bpf_cpu_ratio, kscope_dispatch_cost_seconds
  // and, with a budget, kscope_cpu_budget_*.
  void append_metrics(std::vector<Family>& out) const;

  // Any thread.
  BudgetStatus status() const;

 private:
  void apply(const BudgetDecision& d, CpuBudget::Clock::time_point now, std::vector<std::unique_ptr<Probe>>& probes,
             std::vector<ProbeStatus>& statuses);
  void publish();

  CpuBudget budget_;
  DispatchCost dispatch_;
  bool warned_exhausted_ = false;
  uint64_t sheds_ = 0;
  uint64_t restores_ = 0;
  mutable std::mutex mu_;
  BudgetStatus status_;
};

// "sampling at 1/2 rate", "probe sched detached (3.1% of a core)".
std::string describe_step(const BudgetStep& step);

}  // namespace kscope
