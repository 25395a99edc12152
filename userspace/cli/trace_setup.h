// What every kind of `kscope trace` does before it loads a probe: checks the
// BPF privileges, reads --duration, takes the embedded default config with
// breakdown none (the aggregation nobody reads costs least), and makes sure
// --pid names a running process (else it would trace nothing until Ctrl-C).
#pragma once

#include <signal.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/duration.h"
#include "config/config.h"
#include "symbolize/target_process.h"

namespace kscope {

struct TraceSetup {
  Nanos duration{0};  // 0: until Ctrl-C
  Config config;
  std::optional<TargetProcess> target;  // when a pid was given and checked
};

// Nullopt after printing why, with `exit_code` set (1: cannot run here,
// 2: a bad flag).
std::optional<TraceSetup> prepare_trace(const std::string& duration, uint32_t pid, int& exit_code);

// Whether SIGINT or SIGTERM (blocked, in `set`) is pending; consumes it.
bool trace_signalled(const sigset_t& set);

}  // namespace kscope
