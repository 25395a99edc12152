#include "budget/budget_enforcer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace kscope {
namespace {

std::string percent(double ratio) { return fmt::format("{:.2f}%", ratio * 100); }

// Every status of the probe gets the reason (a move would leave the second
// one empty).
void set_status(std::vector<ProbeStatus>& statuses, const std::string& probe, bool up, const std::string& reason) {
  for (auto& st : statuses) {
    if (st.name == probe) {
      st.up = up;
      st.reason = reason;
    }
  }
}

}  // namespace

std::string describe_step(const BudgetStep& step) {
  if (step.kind == BudgetStep::Kind::kLowerSampling) {
    return "cpu-clock sampling at 1/" + std::to_string(step.sampling_divisor) + " of the configured rates";
  }
  return "probe " + step.probe + " detached (it took " + percent(step.cost_ratio) + " of a core)";
}

BudgetEnforcer::BudgetEnforcer(BudgetConfig config, DispatchCost dispatch)
    : budget_(std::move(config)), dispatch_(std::move(dispatch)) {
  publish();
}

void BudgetEnforcer::tick(CpuBudget::Clock::time_point now, std::vector<std::unique_ptr<Probe>>& probes,
                          const std::vector<std::vector<ProgramStats>>& program_stats,
                          std::vector<ProbeStatus>& statuses) {
  std::vector<ProbeCost> costs;
  for (size_t i = 0; i < probes.size(); ++i) {
    const auto& probe = probes[i];
    ProbeCost c;
    c.probe = std::string(probe->name());
    for (const auto& ps : program_stats[i]) c.run_time_ns += ps.run_time_ns;
    c.dispatch_ns = dispatch_ns(program_stats[i], dispatch_);
    c.samples = probe->samples();
    for (const auto& step : budget_.steps()) {
      if (step.kind == BudgetStep::Kind::kDetach && step.probe == c.probe) c.attached = false;
    }
    costs.push_back(std::move(c));
  }
  auto decision = budget_.observe(now, costs);
  if (budget_.exhausted() && !warned_exhausted_) {
    spdlog::warn("cpu budget: kscope's probes cost {} of a core, over the budget of {}, and nothing is left "
                 "to shed (probes in budget.keep stay attached)",
                 percent(budget_.used_ratio().value_or(0)), percent(budget_.limit_ratio()));
  }
  warned_exhausted_ = budget_.exhausted();
  if (decision.kind != BudgetDecision::Kind::kNone) apply(decision, now, probes, statuses);
  publish();
}

void BudgetEnforcer::apply(const BudgetDecision& d, CpuBudget::Clock::time_point now,
                           std::vector<std::unique_ptr<Probe>>& probes, std::vector<ProbeStatus>& statuses) {
  const BudgetStep& step = d.step;
  bool shed = d.kind == BudgetDecision::Kind::kShed;
  std::string used = percent(budget_.used_ratio().value_or(0));
  std::string limit = percent(budget_.limit_ratio());
  bool ok = true;
  std::string failure;
  if (step.kind == BudgetStep::Kind::kLowerSampling) {
    uint32_t divisor = shed ? step.sampling_divisor : d.restore_divisor;
    for (auto& probe : probes) {
      if (!probe->samples()) continue;
      if (auto st = probe->set_sampling_divisor(divisor); !st) {
        ok = false;
        failure = st.error().to_string();
      }
    }
  } else {
    for (auto& probe : probes) {
      if (probe->name() != step.probe) continue;
      auto st = shed ? probe->detach() : probe->attach();
      if (!st) {
        ok = false;
        failure = st.error().to_string();
      }
      if (shed && ok) {
        set_status(statuses, step.probe, false, "detached by the CPU budget: kscope's probes cost " + used +
                                                    " of a core, over the budget of " + limit);
      } else if (!shed) {
        set_status(statuses, step.probe, ok, ok ? "" : "re-attach after the CPU budget failed: " + failure);
      }
    }
  }
  if (shed) {
    ++sheds_;
    spdlog::warn("cpu budget: kscope's probes cost {} of a core over the last window, over the budget of {}: "
                 "{}{}",
                 used, limit, describe_step(step), ok ? "" : " failed: " + failure);
  } else {
    ++restores_;
    spdlog::info("cpu budget: cost {} of a core, under half the budget of {}: undone: {}{}", used, limit,
                 describe_step(step), ok ? "" : " (failed: " + failure + ")");
  }
  budget_.applied(d, ok, now);
}

void BudgetEnforcer::publish() {
  BudgetStatus s;
  s.limit_ratio = budget_.limit_ratio();
  s.used_ratio = budget_.used_ratio();
  s.bpf_ratio = budget_.bpf_ratio();
  s.dispatch = dispatch_;
  s.sampling_divisor = budget_.sampling_divisor();
  for (const auto& step : budget_.steps()) {
    if (step.kind == BudgetStep::Kind::kDetach) s.detached.push_back(step.probe);
    s.steps.push_back(describe_step(step));
  }
  s.exhausted = budget_.exhausted();
  s.sheds = sheds_;
  s.restores = restores_;
  std::lock_guard lock(mu_);
  status_ = std::move(s);
}

BudgetStatus BudgetEnforcer::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void BudgetEnforcer::append_metrics(std::vector<Family>& out) const {
  BudgetStatus s = status();
  if (s.used_ratio) {
    out.push_back({"kscope_overhead_ratio",
                   "kscope's whole in-kernel cost over the CPU budget's window, as a fraction of one core: BPF run "
                   "time plus the estimated dispatch and syscall tracing slow path (what budget.cpu_percent holds).",
                   MetricType::kGauge, {{{}, *s.used_ratio, {}}}});
  }
  if (s.bpf_ratio) {
    out.push_back({"kscope_bpf_cpu_ratio",
                   "CPU time kscope's BPF programs took over the CPU budget's window, as a fraction of one core.",
                   MetricType::kGauge, {{{}, *s.bpf_ratio, {}}}});
  }
  if (s.dispatch.calibrated) {
    out.push_back({"kscope_dispatch_cost_seconds",
                   "What one run of a BPF program costs on this host beyond its run time, by hook, measured at start "
                   "with empty programs; hook=\"syscall_slow_path\" is per syscall, paid once a probe has a program "
                   "on sys_enter or sys_exit.",
                   MetricType::kGauge,
                   {{{{"hook", "syscall_slow_path"}}, s.dispatch.syscall_slow_path_ns * 1e-9, {}},
                    {{{"hook", "syscall_tracepoint"}}, s.dispatch.syscall_dispatch_ns * 1e-9, {}},
                    {{{"hook", "tracepoint"}}, s.dispatch.tracepoint_ns * 1e-9, {}}}});
  }
  if (s.limit_ratio <= 0) return;
  out.push_back({"kscope_cpu_budget_ratio", "budget.cpu_percent as a fraction of one core.", MetricType::kGauge,
                 {{{}, s.limit_ratio, {}}}});
  out.push_back({"kscope_cpu_budget_steps", "Steps the CPU budget has taken to shed work and not yet undone.",
                 MetricType::kGauge, {{{}, double(s.steps.size()), {}}}});
  out.push_back({"kscope_cpu_budget_sampling_divisor",
                 "The cpu-clock samplers run at 1/this of their configured rates (1: as configured).",
                 MetricType::kGauge, {{{}, double(s.sampling_divisor), {}}}});
  out.push_back({"kscope_cpu_budget_actions_total", "Steps the CPU budget took (shed) and undid (restore).",
                 MetricType::kCounter,
                 {{{{"action", "shed"}}, double(s.sheds), {}}, {{{"action", "restore"}}, double(s.restores), {}}}});
}

}  // namespace kscope
