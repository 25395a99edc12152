#include "budget/dispatch_cost.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

DispatchCost calibrated(double slow_path_ns, double syscall_ns, double tracepoint_ns) {
  DispatchCost c;
  c.syscall_slow_path_ns = slow_path_ns;
  c.syscall_dispatch_ns = syscall_ns;
  c.tracepoint_ns = tracepoint_ns;
  c.calibrated = true;
  return c;
}

TEST(DispatchCost, EachRunCostsWhatItsHookCosts) {
  std::vector<ProgramStats> programs = {
      {"handle_sys_enter", 1000, 50000, ProgramHook::kSyscallTracepoint},
      {"handle_sys_exit", 1000, 70000, ProgramHook::kSyscallTracepoint},
      {"handle_sched_switch", 300, 9000, ProgramHook::kTracepoint},
      {"handle_cpu_sample", 99, 40000, ProgramHook::kOther},
  };
  // The slow path once per syscall (1000), the dispatch per run.
  EXPECT_EQ(dispatch_ns(programs, calibrated(20, 40, 15)), 1000u * 20 + 2000u * 40 + 300u * 15);
}

// A program that filters (a run that returns at once) still ran: runs, not
// events kept, are what cost. Without syscall programs no slow path.
TEST(DispatchCost, NoSlowPathWithoutASyscallProgram) {
  std::vector<ProgramStats> programs = {{"handle_sched_switch", 300, 9000, ProgramHook::kTracepoint}};
  EXPECT_EQ(dispatch_ns(programs, calibrated(20, 40, 15)), 300u * 15);
}

TEST(DispatchCost, UncalibratedEstimatesNothing) {
  std::vector<ProgramStats> programs = {{"handle_sys_enter", 1000, 50000, ProgramHook::kSyscallTracepoint}};
  DispatchCost c = calibrated(20, 40, 15);
  c.calibrated = false;
  EXPECT_EQ(dispatch_ns(programs, c), 0u);
}

}  // namespace
}  // namespace kscope
