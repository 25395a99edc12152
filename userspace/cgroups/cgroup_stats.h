// One cgroup's figures for one interval, whichever hierarchy (v1 or v2)
// each came from; a figure whose file is absent stays nullopt and its
// series is left out.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cgroups/cgroup_files.h"
#include "cgroups/cgroup_io.h"
#include "cgroups/cgroup_pressure.h"
#include "cgroups/cgroup_text.h"

namespace kscope {

struct CgroupStats {
  std::optional<double> cpu_seconds;
  CpuStat cpu;  // periods, throttling (usage_usec unused: cpu_seconds)
  std::optional<double> cpu_limit_cores;
  std::optional<uint64_t> memory_bytes;
  std::optional<uint64_t> memory_working_set_bytes;
  std::optional<uint64_t> memory_limit_bytes;
  MemoryEvents memory_events;
  std::vector<CgroupIoDevice> io;
  std::array<Pressure, 3> pressure;  // cpu, memory, io
};

// Only the CPU usage, read each interval for every cgroup to rank them.
// nullopt when absent; `gone` set when the cgroup was removed.
std::optional<double> read_cgroup_cpu_seconds(CgroupFiles& files, const CgroupFileMap& map, const std::string& rel,
                                              FdBudget& budget, std::span<char> buf, bool& gone);

// Everything else; `stats.cpu_seconds` is left as the caller set it, and
// the limits (cpu.max or cfs quota/period, memory.max or limit_in_bytes)
// are read only when `limits` is true, else kept. Returns false when the
// cgroup was removed.
bool read_cgroup_stats(CgroupFiles& files, const CgroupFileMap& map, const std::string& rel, FdBudget& budget,
                       std::span<char> buf, bool limits, CgroupStats& stats);

}  // namespace kscope
