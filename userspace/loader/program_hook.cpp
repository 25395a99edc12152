#include "loader/program_hook.h"

namespace kscope {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

ProgramHook program_hook(std::string_view section) {
  std::string_view event;
  for (std::string_view prefix : {"tp_btf/", "raw_tp/", "raw_tracepoint/", "tp/", "tracepoint/"}) {
    if (starts_with(section, prefix)) {
      event = section.substr(prefix.size());
      break;
    }
  }
  if (event.empty()) return ProgramHook::kOther;
  // tracepoint/<category>/<event>: the event is the last part.
  if (auto slash = event.rfind('/'); slash != std::string_view::npos) event = event.substr(slash + 1);
  // syscalls/sys_enter_<name> switch every syscall to the slow path too.
  if (event == "sys_enter" || event == "sys_exit" || starts_with(event, "sys_enter_") ||
      starts_with(event, "sys_exit_")) {
    return ProgramHook::kSyscallTracepoint;
  }
  return ProgramHook::kTracepoint;
}

}  // namespace kscope
