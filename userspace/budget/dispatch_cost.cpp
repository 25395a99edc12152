#include "budget/dispatch_cost.h"

#include <algorithm>

namespace kscope {

uint64_t dispatch_ns(const std::vector<ProgramStats>& programs, const DispatchCost& cost) {
  if (!cost.calibrated) return 0;
  double total = 0;
  uint64_t syscalls = 0;  // every program on sys_enter (or sys_exit) runs once per syscall
  for (const auto& p : programs) {
    if (p.hook == ProgramHook::kSyscallTracepoint) {
      total += double(p.run_count) * cost.syscall_dispatch_ns;
      syscalls = std::max(syscalls, p.run_count);
    }
    if (p.hook == ProgramHook::kTracepoint) total += double(p.run_count) * cost.tracepoint_ns;
  }
  total += double(syscalls) * cost.syscall_slow_path_ns;
  return uint64_t(total);
}

}  // namespace kscope
