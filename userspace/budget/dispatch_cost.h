// What the kernel spends running kscope's programs beyond their own run
// time. BPF statistics time a program from its first instruction to its
// last; they do not see the syscall tracing slow path that any program on
// sys_enter/sys_exit puts every syscall of the host on, nor the dispatch
// that calls the program. On the getppid loop of bench/ that is most of
// what a syscall probe costs (bench/README.md), so a budget that counted
// only run time would allow several times what it says.
//
// The estimate, from costs measured on this host at start
// (dispatch_calibration.h): each run of a program on a tracepoint costs the
// dispatch to it; a probe with programs on sys_enter/sys_exit also costs the
// slow path once per syscall (the run count of its busiest syscall program).
// Two probes on the syscall path both count the slow path, which the kernel
// takes once: there the estimate errs high, never low.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loader/probe.h"

namespace kscope {

struct DispatchCost {
  double syscall_slow_path_ns = 0;  // per syscall, once the path has a program
  double syscall_dispatch_ns = 0;   // per run on sys_enter/sys_exit
  double tracepoint_ns = 0;         // per run on any other tracepoint
  bool calibrated = false;
  std::string reason;  // why not calibrated
};

// The estimated cost of one probe's runs counted in `programs` (cumulative,
// as the kernel's run counts are).
uint64_t dispatch_ns(const std::vector<ProgramStats>& programs, const DispatchCost& cost);

}  // namespace kscope
