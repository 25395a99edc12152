#include "budget/cpu_budget.h"

#include <gtest/gtest.h>

#include <map>

namespace kscope {
namespace {

using namespace std::chrono_literals;
using Kind = BudgetDecision::Kind;
using StepKind = BudgetStep::Kind;

// Probes whose BPF programs run for a set fraction of a core, advanced one
// collector interval (1 s) at a time.
class Host {
 public:
  explicit Host(BudgetConfig config) : budget(std::move(config)) {}

  // `dispatch_ratio`: the estimated cost beyond the BPF run time.
  void add(const std::string& probe, double ratio, bool samples = false, double dispatch_ratio = 0) {
    probes_[probe] = {ratio, samples, 0, true, dispatch_ratio, 0};
  }
  void set_ratio(const std::string& probe, double ratio) { probes_[probe].ratio = ratio; }

  // One interval; applies whatever the budget decides, as the collector
  // would, and returns it.
  BudgetDecision tick() {
    now_ += 1s;
    std::vector<ProbeCost> costs;
    for (auto& [name, p] : probes_) {
      if (p.attached) p.ns += uint64_t(p.ratio * 1e9);
      if (p.attached) p.dispatch_ns += uint64_t(p.dispatch_ratio * 1e9);
      costs.push_back({name, p.ns, p.attached, p.samples, p.dispatch_ns});
    }
    auto d = budget.observe(now_, costs);
    if (d.kind != Kind::kNone) {
      if (d.step.kind == StepKind::kDetach) probes_[d.step.probe].attached = d.kind == Kind::kRestore;
      budget.applied(d, true, now_);
    }
    return d;
  }

  // Ticks until a decision (at most `limit` intervals); returns it and how
  // many intervals it took.
  std::pair<BudgetDecision, int> next_decision(int limit = 1000) {
    for (int i = 1; i <= limit; ++i) {
      auto d = tick();
      if (d.kind != Kind::kNone) return {d, i};
    }
    return {BudgetDecision{}, limit};
  }

  bool attached(const std::string& probe) { return probes_[probe].attached; }

  CpuBudget budget;

 private:
  struct P {
    double ratio;
    bool samples;
    uint64_t ns;
    bool attached;
    double dispatch_ratio;
    uint64_t dispatch_ns;
  };
  std::map<std::string, P> probes_;
  CpuBudget::Clock::time_point now_{};
};

BudgetConfig budget_of(double percent, std::vector<std::string> keep = {"syscalls"}) {
  BudgetConfig c;
  c.cpu_percent = percent;
  c.window = 10s;
  c.restore_after = 60s;
  c.keep = std::move(keep);
  return c;
}

TEST(CpuBudget, WithoutBudgetMeasuresButNeverActs) {
  Host h(budget_of(0));
  h.add("syscalls", 0.30);
  h.add("sched", 0.05, true);
  auto [d, n] = h.next_decision(100);
  EXPECT_EQ(d.kind, Kind::kNone);
  ASSERT_TRUE(h.budget.used_ratio().has_value());
  EXPECT_NEAR(*h.budget.used_ratio(), 0.35, 1e-6);
}

TEST(CpuBudget, UnderBudgetDoesNothing) {
  Host h(budget_of(2));
  h.add("syscalls", 0.015);
  h.add("profile", 0.004, true);
  EXPECT_EQ(h.next_decision(300).first.kind, Kind::kNone);
  EXPECT_NEAR(*h.budget.used_ratio(), 0.019, 1e-6);
}

TEST(CpuBudget, ShedsSamplingFirstThenTheMostExpensiveOptionalProbe) {
  Host h(budget_of(2));
  h.add("syscalls", 0.10);  // kept: never detached, however expensive
  h.add("sched", 0.04, true);
  h.add("tcp", 0.01);
  h.add("profile", 0.002, true);

  // Nothing until a whole window has been seen: 10 intervals after the
  // first sample.
  auto [first, after] = h.next_decision();
  EXPECT_EQ(after, 11);
  EXPECT_EQ(first.kind, Kind::kShed);
  EXPECT_EQ(first.step.kind, StepKind::kLowerSampling);
  EXPECT_EQ(first.step.sampling_divisor, 2u);

  // One step per window: the next needs a window measured after the first.
  auto [second, wait2] = h.next_decision();
  EXPECT_EQ(wait2, 10);
  EXPECT_EQ(second.step.kind, StepKind::kLowerSampling);
  EXPECT_EQ(second.step.sampling_divisor, 4u);

  auto [third, wait3] = h.next_decision();
  EXPECT_EQ(third.step.kind, StepKind::kDetach);
  EXPECT_EQ(third.step.probe, "sched");
  EXPECT_NEAR(third.step.cost_ratio, 0.04, 1e-6);
  EXPECT_FALSE(h.attached("sched"));

  auto fourth = h.next_decision().first;
  EXPECT_EQ(fourth.step.probe, "tcp");
  auto fifth = h.next_decision().first;
  EXPECT_EQ(fifth.step.probe, "profile");

  // Only the kept probe is left: over budget, nothing more to shed.
  EXPECT_EQ(h.next_decision(50).first.kind, Kind::kNone);
  EXPECT_TRUE(h.budget.exhausted());
  EXPECT_TRUE(h.attached("syscalls"));
  EXPECT_EQ(h.budget.steps().size(), 5u);
  EXPECT_EQ(h.budget.sampling_divisor(), 4u);
}

TEST(CpuBudget, WithoutSamplersGoesStraightToDetaching) {
  Host h(budget_of(1, {}));
  h.add("syscalls", 0.05);
  h.add("tcp", 0.02);
  auto d = h.next_decision().first;
  EXPECT_EQ(d.step.kind, StepKind::kDetach);
  EXPECT_EQ(d.step.probe, "syscalls");  // not kept here, and the most expensive
}

TEST(CpuBudget, RestoresLastStepFirstOnceTheCostStaysLow) {
  Host h(budget_of(2));
  h.add("syscalls", 0.005);
  h.add("sched", 0.03, true);
  h.next_decision();  // 1/2
  h.next_decision();  // 1/4
  auto detach = h.next_decision().first;
  ASSERT_EQ(detach.step.probe, "sched");

  // Detaching sched took the cost to 0.5%, under half the budget: after a
  // window to measure it and restore_after of it staying low, sched comes back.
  auto [back, waited] = h.next_decision();
  EXPECT_EQ(back.kind, Kind::kRestore);
  EXPECT_EQ(back.step.kind, StepKind::kDetach);
  EXPECT_EQ(back.step.probe, "sched");
  EXPECT_EQ(waited, 10 + 60);
  EXPECT_TRUE(h.attached("sched"));

  // The load has fallen meanwhile: sched is cheap now and stays.
  h.set_ratio("sched", 0.002);
  auto [rate, w2] = h.next_decision();
  EXPECT_EQ(rate.kind, Kind::kRestore);
  EXPECT_EQ(rate.step.kind, StepKind::kLowerSampling);
  EXPECT_EQ(rate.restore_divisor, 2u);
  EXPECT_EQ(w2, 70);
  auto full = h.next_decision().first;
  EXPECT_EQ(full.restore_divisor, 1u);
  EXPECT_TRUE(h.budget.steps().empty());
  EXPECT_EQ(h.budget.sampling_divisor(), 1u);
  EXPECT_EQ(h.next_decision(200).first.kind, Kind::kNone);
}

TEST(CpuBudget, BetweenHalfAndFullBudgetHoldsSteps) {
  Host h(budget_of(2));
  h.add("syscalls", 0.005);
  h.add("tcp", 0.03);
  ASSERT_EQ(h.next_decision().first.step.probe, "tcp");
  h.set_ratio("syscalls", 0.015);  // 1.5%: not over, not low enough to restore
  EXPECT_EQ(h.next_decision(500).first.kind, Kind::kNone);
  EXPECT_FALSE(h.attached("tcp"));
}

TEST(CpuBudget, ASteadyLoadBacksOffInsteadOfFlapping) {
  Host h(budget_of(2));
  h.add("syscalls", 0.005);
  h.add("tcp", 0.03);  // costs 3% whenever attached
  ASSERT_EQ(h.next_decision().first.step.probe, "tcp");
  std::vector<int> waits;
  for (int round = 0; round < 6; ++round) {
    auto [restore, waited] = h.next_decision();
    ASSERT_EQ(restore.kind, Kind::kRestore);
    waits.push_back(waited);
    auto shed = h.next_decision().first;  // a window later, over again
    ASSERT_EQ(shed.kind, Kind::kShed);
  }
  // window + restore_after x 1, 2, 4, 8, 16, 16
  EXPECT_EQ(waits, (std::vector<int>{70, 130, 250, 490, 970, 970}));
  EXPECT_EQ(h.budget.backoff(), CpuBudget::kMaxBackoff);
}

TEST(CpuBudget, ARestoreThatHoldsResetsTheBackoff) {
  Host h(budget_of(2));
  h.add("syscalls", 0.005);
  h.add("tcp", 0.03);
  h.next_decision();                       // shed tcp
  ASSERT_EQ(h.next_decision().first.kind, Kind::kRestore);
  h.next_decision();                       // shed again at once: backoff 2
  EXPECT_EQ(h.budget.backoff(), 2u);
  h.set_ratio("tcp", 0.001);               // the load goes away
  ASSERT_EQ(h.next_decision().first.kind, Kind::kRestore);
  for (int i = 0; i < 61; ++i) h.tick();   // held for restore_after
  EXPECT_EQ(h.budget.backoff(), 1u);
}

TEST(CpuBudget, ACounterThatGoesBackCountsNothing) {
  CpuBudget b(budget_of(2));
  CpuBudget::Clock::time_point t{};
  b.observe(t, {{"sched", 5'000'000'000, true, false}});
  b.observe(t + 1s, {{"sched", 1'000, true, false}});
  ASSERT_TRUE(b.used_ratio().has_value());
  EXPECT_EQ(*b.used_ratio(), 0.0);
}

// The budget holds the whole cost: a probe whose BPF run time alone is well
// under the budget is shed when its dispatch (the syscall slow path) takes
// it over; the BPF share is still reported on its own.
TEST(CpuBudget, CountsTheDispatchBesideTheRunTime) {
  Host h(budget_of(2));
  h.add("syscalls", 0.005, false, 0.004);
  h.add("tcp", 0.004, false, 0.010);
  auto [d, n] = h.next_decision(30);
  ASSERT_EQ(d.kind, Kind::kShed);
  EXPECT_EQ(d.step.kind, StepKind::kDetach);
  EXPECT_EQ(d.step.probe, "tcp");
  EXPECT_NEAR(d.step.cost_ratio, 0.014, 1e-6);
  ASSERT_TRUE(h.budget.used_ratio() && h.budget.bpf_ratio());
  EXPECT_NEAR(*h.budget.used_ratio(), 0.023, 1e-6);
  EXPECT_NEAR(*h.budget.bpf_ratio(), 0.009, 1e-6);
}

TEST(CpuBudget, WithoutDispatchTheTwoRatiosAgree) {
  Host h(budget_of(2));
  h.add("syscalls", 0.005);
  for (int i = 0; i < 12; ++i) h.tick();
  ASSERT_TRUE(h.budget.used_ratio() && h.budget.bpf_ratio());
  EXPECT_NEAR(*h.budget.used_ratio(), 0.005, 1e-9);
  EXPECT_EQ(*h.budget.used_ratio(), *h.budget.bpf_ratio());
}

}  // namespace
}  // namespace kscope
