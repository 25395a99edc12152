#include "budget/dispatch_cost.h"

namespace kscope {

uint64_t dispatch_ns(const std::vector<ProgramStats>& programs, const DispatchCost& cost) {
  if (!cost.calibrated) return 0;
  double total = 0;
  for (const auto& p : programs) {
    if (p.hook == ProgramHook::kSyscallTracepoint) total += double(p.run_count) * cost.syscall_tracepoint_ns;
    if (p.hook == ProgramHook::kTracepoint) total += double(p.run_count) * cost.tracepoint_ns;
  }
  return uint64_t(total);
}

}  // namespace kscope
