#include "symbolize/probe_frames.h"

#include <array>
#include <cctype>

namespace kscope {
namespace {

// Deeper than this the machinery never is: program, trampoline or
// bpf_trace_run, __bpf_trace_/__traceiter_, the hook, and slack for an
// unnamed program address.
constexpr size_t kSearchDepth = 8;

}  // namespace

// A JIT-compiled program's symbol: bpf_prog_<16 hex digits of its tag>_<name>
// (bpf_prog_load and the like are the bpf(2) syscall's own functions).
bool is_program_symbol(std::string_view f) {
  constexpr std::string_view kPrefix = "bpf_prog_";
  if (!f.starts_with(kPrefix) || f.size() < kPrefix.size() + 17) return false;
  for (size_t i = kPrefix.size(); i < kPrefix.size() + 16; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(f[i]))) return false;
  }
  return f[kPrefix.size() + 16] == '_';
}

bool is_probe_frame(std::string_view f) {
  if (is_program_symbol(f)) return true;
  static constexpr std::array<std::string_view, 7> kPrefixes = {
      "bpf_trace_run", "__bpf_trace_", "__traceiter_", "bpf_trampoline_", "__bpf_prog_enter",
      "__bpf_prog_exit", "perf_trace_run_bpf_submit"};
  static constexpr std::array<std::string_view, 4> kExact = {"trace_call_bpf", "syscall_exit_work",
                                                             "syscall_trace_enter", "bpf_overflow_handler"};
  for (auto p : kPrefixes) {
    if (f.starts_with(p)) return true;
  }
  for (auto e : kExact) {
    if (f == e) return true;
  }
  return false;
}

size_t leading_probe_frames(std::span<const Frame> stack) {
  size_t n = 0;
  for (size_t i = 0; i < stack.size() && i < kSearchDepth; ++i) {
    if (stack[i].resolved && is_probe_frame(stack[i].function)) n = i + 1;
  }
  return n;
}

std::vector<Frame> trim_probe_frames(std::vector<Frame> stack) {
  size_t n = leading_probe_frames(stack);
  stack.erase(stack.begin(), stack.begin() + static_cast<std::ptrdiff_t>(n));
  return stack;
}

}  // namespace kscope
