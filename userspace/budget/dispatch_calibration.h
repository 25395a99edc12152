// Measures on this host what an empty BPF program costs per run on each kind
// of hook (dispatch_cost.h), by timing a loop of syscalls on the calling
// thread with and without the programs attached (bpf/dispatch_floor.bpf.c):
// the first program on sys_enter (slow path and dispatch), a second on
// sys_exit beside it (dispatch alone), one on task_rename.
//
// Runs before kscope's probes attach, in about a third of a second. Each
// condition is timed several times in alternation and the fastest of each is
// kept, so a burst of other work on the host or CPU steal during one round
// does not move the result; the thread's CPU time is the clock, so time the
// thread spends preempted does not count either. With BPF statistics on
// (as they are whenever the budget runs), the two clock reads they add to
// every run are part of what is measured: a cost the budget itself brings.
#pragma once

#include "budget/dispatch_cost.h"

namespace kscope {

// Needs CAP_BPF/CAP_PERFMON (or root) to load and attach; without them, or
// on a kernel with neither tp_btf nor raw_tp, returns calibrated=false with
// the reason.
DispatchCost calibrate_dispatch_cost();

}  // namespace kscope
