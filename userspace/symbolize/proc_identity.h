// Facts about a live process that identify it across pid reuse and
// pid namespaces.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace kscope {

// Field 22 of /proc/PID/stat (clock ticks after boot): a pid with a different
// start time is a different process. nullopt when the process is gone.
std::optional<uint64_t> read_start_time(const std::string& proc_root, pid_t pid);

// The pid as the process itself sees it (last NSpid entry of
// /proc/PID/status): a JIT in a container names its perf map with it.
// Falls back to `pid`.
pid_t read_innermost_pid(const std::string& proc_root, pid_t pid);

// The start time parsed from /proc/PID/stat text; nullopt if malformed. The
// comm field may contain spaces and ')' so parsing starts after the last ')'.
std::optional<uint64_t> parse_start_time(std::string_view stat);

}  // namespace kscope
