// What kind of hook a BPF program runs on, from its ELF section name: the
// kernel charges each kind differently for running a program, beyond the
// program's own run time (budget/dispatch_cost.h).
#pragma once

#include <cstdint>
#include <string_view>

namespace kscope {

enum class ProgramHook : uint8_t {
  kOther,              // perf_event samplers, iterators, uprobes: not estimated
  kSyscallTracepoint,  // raw_syscalls sys_enter/sys_exit: slow path + dispatch
  kTracepoint,         // any other tracepoint (tp_btf, raw_tp, tracepoint)
};

// "tp_btf/sys_enter", "raw_tp/sys_exit", "tracepoint/raw_syscalls/sys_enter"
// are syscall tracepoints; "tp_btf/sched_switch" a tracepoint.
ProgramHook program_hook(std::string_view section);

}  // namespace kscope
