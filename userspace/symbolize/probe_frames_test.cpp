#include "symbolize/probe_frames.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

Frame named(std::string f) {
  Frame fr;
  fr.function = std::move(f);
  fr.resolved = true;
  fr.module = "[kernel.kallsyms]";
  return fr;
}

Frame unnamed() {
  Frame fr;
  fr.function = "[kernel.kallsyms]+0xffffffffc0001234";
  return fr;
}

std::vector<std::string> names(const std::vector<Frame>& s) {
  std::vector<std::string> out;
  for (const auto& f : s) out.push_back(f.function);
  return out;
}

TEST(ProbeFrames, ASyscallExitStackStartsAtTheSyscallPath) {
  // As `kscope trace --stacks` got it from handle_sys_exit on 6.18.
  std::vector<Frame> stack{named("bpf_prog_6deef7357e7b4530_handle_sys_exit"), named("bpf_trace_run2"),
                           named("__traceiter_sys_exit"), named("syscall_exit_work"),
                           named("syscall_exit_to_user_mode"), named("do_syscall_64"),
                           named("entry_SYSCALL_64_after_hwframe")};
  EXPECT_EQ(leading_probe_frames(stack), 4u);
  EXPECT_EQ(names(trim_probe_frames(stack)),
            (std::vector<std::string>{"syscall_exit_to_user_mode", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"}));
}

TEST(ProbeFrames, AnUnnamedProgramAddressAboveTheMachineryGoesToo) {
  std::vector<Frame> stack{unnamed(), named("bpf_trace_run4"), named("__schedule"), named("schedule")};
  EXPECT_EQ(names(trim_probe_frames(stack)), (std::vector<std::string>{"__schedule", "schedule"}));
}

TEST(ProbeFrames, StacksWithoutTheMachineryAreLeftAlone) {
  std::vector<Frame> stack{unnamed(), named("__schedule"), named("schedule"), named("do_nanosleep")};
  EXPECT_EQ(leading_probe_frames(stack), 0u);
  EXPECT_EQ(trim_probe_frames(stack).size(), 4u);
  EXPECT_TRUE(trim_probe_frames({}).empty());
}

TEST(ProbeFrames, OnlyTheTopOfTheStackIsSearched) {
  // A BPF-looking name deep in a stack is the thread's own business (a
  // program being loaded by bpf(2)), not kscope's probe.
  std::vector<Frame> stack;
  for (int i = 0; i < 10; ++i) stack.push_back(named("f" + std::to_string(i)));
  stack.push_back(named("bpf_prog_load"));
  EXPECT_EQ(leading_probe_frames(stack), 0u);
  EXPECT_FALSE(is_probe_frame("bpf_check"));
  EXPECT_FALSE(is_probe_frame("bpf_prog_load"));
  EXPECT_FALSE(is_probe_frame("bpf_prog_run_pin_on_cpu"));
  EXPECT_TRUE(is_probe_frame("__bpf_trace_sched_switch"));
}

}  // namespace
}  // namespace kscope
