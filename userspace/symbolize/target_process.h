// The process a command was pointed at with --pid: that it exists before
// anything is loaded, and whether it still runs while recording (pids are
// reused, so "still runs" means same pid and same start time).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace kscope {

struct TargetProcess {
  pid_t pid = 0;
  uint64_t start_time = 0;  // field 22 of /proc/PID/stat
};

// The fields of /proc/PID/status that say whether PID is a live process.
struct ProcessStatus {
  char state = '?';      // R, S, D, Z, ...
  pid_t tgid = 0;        // the process a thread belongs to
  uint32_t threads = 0;  // threads not yet reaped, the leader included
};
// Parses /proc/PID/status text; nullopt when State or Tgid is missing.
std::optional<ProcessStatus> parse_process_status(std::string_view text);

// Whether a process with this status has exited: a zombie with no thread
// left but its leader. (A leader that called pthread_exit is a zombie too,
// while its other threads run on.)
bool has_exited(const ProcessStatus& status);

// The running process `pid` (a thread group id). An Error that says what is
// wrong otherwise: no such process, it has exited, or `pid` is a thread of
// another process (the hint names that process).
Result<TargetProcess> find_target_process(const std::string& proc_root, pid_t pid);

// Whether `target` still runs: the pid exists, has the same start time and
// has not exited.
bool target_running(const std::string& proc_root, const TargetProcess& target);

}  // namespace kscope
