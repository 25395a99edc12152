#include "loader/program_hook.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(ProgramHook, SyscallTracepointsInEveryForm) {
  for (const char* s : {"tp_btf/sys_enter", "tp_btf/sys_exit", "raw_tp/sys_enter", "raw_tracepoint/sys_exit",
                        "tracepoint/raw_syscalls/sys_enter", "tp/raw_syscalls/sys_exit",
                        "tracepoint/syscalls/sys_enter_read"}) {
    EXPECT_EQ(program_hook(s), ProgramHook::kSyscallTracepoint) << s;
  }
}

TEST(ProgramHook, OtherTracepoints) {
  for (const char* s : {"tp_btf/sched_switch", "raw_tp/block_rq_issue", "tp_btf/sys_enterx"}) {
    EXPECT_EQ(program_hook(s), ProgramHook::kTracepoint) << s;
  }
}

TEST(ProgramHook, EverythingElseIsNotEstimated) {
  for (const char* s : {"perf_event", "iter/task", "uprobe/libssl:SSL_read", "", "tp_btf/", "sys_enter"}) {
    EXPECT_EQ(program_hook(s), ProgramHook::kOther) << s;
  }
}

}  // namespace
}  // namespace kscope
