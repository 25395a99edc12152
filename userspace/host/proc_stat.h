// /proc/stat: CPU time by mode for each CPU, context switches, forks, boot
// time and the runnable/blocked process counts (proc(5)).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace kscope::host {

// CPUs kept from one read; a larger machine's rest are counted in `cpus_dropped`.
inline constexpr size_t kMaxCpus = 1024;

// The modes of a "cpuN" line in the kernel's order, in USER_HZ ticks.
enum CpuMode { kUser, kNice, kSystem, kIdle, kIowait, kIrq, kSoftirq, kSteal, kGuest, kGuestNice, kCpuModes };

struct CpuTimes {
  uint32_t cpu = 0;
  std::array<uint64_t, kCpuModes> ticks{};  // a mode an old kernel lacks reads 0
};

struct KernelStat {
  std::vector<CpuTimes> cpus;  // per CPU, not the "cpu " total line
  size_t cpus_dropped = 0;
  std::optional<uint64_t> context_switches;  // ctxt
  std::optional<uint64_t> boot_time;         // btime, seconds since the epoch
  std::optional<uint64_t> forks;             // processes
  std::optional<uint64_t> interrupts;        // intr (its first number, the total)
  std::optional<uint64_t> procs_running;
  std::optional<uint64_t> procs_blocked;
};

// Lines that do not parse are skipped; a CPU line needs at least the four
// modes every kernel has (user, nice, system, idle).
KernelStat parse_kernel_stat(std::string_view text);

}  // namespace kscope::host
