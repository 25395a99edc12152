#include "cli/trace_setup.h"

#include <iostream>

#include "common/privileges.h"

namespace kscope {

std::optional<TraceSetup> prepare_trace(const std::string& duration, uint32_t pid, int& exit_code) {
  auto priv = check_bpf_privileges();
  if (!priv) {
    std::cerr << "kscope trace: " << priv.error().to_string() << "\n";
    exit_code = 1;
    return std::nullopt;
  }
  TraceSetup s;
  if (!duration.empty()) {
    auto d = parse_duration(duration);
    if (!d) {
      std::cerr << "kscope trace: --duration: " << d.error().message() << "\n";
      exit_code = 2;
      return std::nullopt;
    }
    s.duration = *d;
  }
  auto base = parse_config(default_config_text(), "<embedded default config>");
  if (!base) {
    std::cerr << base.error().to_string() << "\n";
    exit_code = 1;
    return std::nullopt;
  }
  s.config = *base;
  s.config.breakdown = Breakdown::kNone;
  if (pid != 0) {
    auto found = find_target_process("/proc", static_cast<pid_t>(pid));
    if (!found) {
      std::cerr << "kscope trace: " << found.error().to_string() << "\n";
      exit_code = 1;
      return std::nullopt;
    }
    s.target = *found;
  }
  return s;
}

bool trace_signalled(const sigset_t& set) {
  timespec zero{};
  return sigtimedwait(&set, nullptr, &zero) > 0;
}

}  // namespace kscope
