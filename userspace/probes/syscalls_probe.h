// The syscall probe (bpf/syscalls.bpf.c): per-syscall latency histograms,
// errors by errno and bytes moved, by breakdown target.
#pragma once

#include <memory>

#include "loader/probe.h"

namespace kscope {

std::unique_ptr<Probe> make_syscalls_probe();

}  // namespace kscope
