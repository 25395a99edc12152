#include "budget/dispatch_cost.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

DispatchCost calibrated(double syscall_ns, double tracepoint_ns) {
  DispatchCost c;
  c.syscall_tracepoint_ns = syscall_ns;
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
  EXPECT_EQ(dispatch_ns(programs, calibrated(60, 15)), 2000u * 60 + 300u * 15);
}

TEST(DispatchCost, UncalibratedEstimatesNothing) {
  std::vector<ProgramStats> programs = {{"handle_sys_enter", 1000, 50000, ProgramHook::kSyscallTracepoint}};
  DispatchCost c = calibrated(60, 15);
  c.calibrated = false;
  EXPECT_EQ(dispatch_ns(programs, c), 0u);
}

}  // namespace
}  // namespace kscope
