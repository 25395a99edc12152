// kscope's own frames at the top of a kernel stack taken from inside its
// BPF programs: the program itself (bpf_prog_<tag>_<name>), the tracepoint
// plumbing that called it (bpf_trace_run2, __traceiter_sys_exit, …) and the
// hook that raised the tracepoint (syscall_exit_work). They say where kscope
// looked, not where the thread was; stacks are shown without them.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "symbolize/frame.h"

namespace kscope {

// True for a function of the probe machinery above.
bool is_probe_frame(std::string_view function);

// How many leading frames (innermost first, as the kernel gives them)
// belong to the probe machinery: everything up to the deepest such frame
// among the first few, unresolved addresses in between included (a BPF
// program's address is unnamed unless bpf_jit_kallsyms is on).
size_t leading_probe_frames(std::span<const Frame> kernel_stack);

// The stack without those frames.
std::vector<Frame> trim_probe_frames(std::vector<Frame> kernel_stack);

}  // namespace kscope
