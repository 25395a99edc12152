#include "cgroups/cgroup_stats.h"

namespace kscope {

std::optional<double> read_cgroup_cpu_seconds(CgroupFiles& files, const CgroupFileMap& map, const std::string& rel,
                                              FdBudget& budget, std::span<char> buf, bool& gone) {
  std::string_view text;
  auto st = files.read(CgroupFile::kCpuUsage, map, rel, budget, buf, text);
  gone = st == ReadStatus::kGone;
  if (st != ReadStatus::kOk) return std::nullopt;
  if (map.name(CgroupFile::kCpuUsage) == "/cpuacct.usage") {
    auto ns = parse_cgroup_u64(text);
    return ns ? std::optional<double>(double(*ns) / 1e9) : std::nullopt;
  }
  auto usec = parse_cpu_stat(text).usage_usec;
  return usec ? std::optional<double>(double(*usec) / 1e6) : std::nullopt;
}

bool read_cgroup_stats(CgroupFiles& files, const CgroupFileMap& map, const std::string& rel, FdBudget& budget,
                       std::span<char> buf, bool limits, CgroupStats& stats) {
  bool gone = false;
  // Reads one kind; false when absent. A removed cgroup ends the reading.
  auto read = [&](CgroupFile f, std::string_view& text) {
    if (gone) return false;
    auto st = files.read(f, map, rel, budget, buf, text);
    gone = st == ReadStatus::kGone;
    return st == ReadStatus::kOk;
  };
  std::string_view text;
  if (read(CgroupFile::kCpuStat, text)) {
    stats.cpu = parse_cpu_stat(text);
    stats.cpu.usage_usec.reset();
  }
  if (limits) {
    stats.cpu_limit_cores.reset();
    stats.memory_limit_bytes.reset();
    if (read(CgroupFile::kCpuMax, text)) stats.cpu_limit_cores = parse_cpu_max(text);
    if (read(CgroupFile::kCfsQuota, text)) {
      std::string quota(text);  // the period's read reuses the buffer
      if (read(CgroupFile::kCfsPeriod, text)) stats.cpu_limit_cores = cpu_limit_from_cfs(quota, text);
    }
    if (read(CgroupFile::kMemLimit, text)) stats.memory_limit_bytes = parse_memory_limit(text);
  }
  const bool v1_memory = map.name(CgroupFile::kMemUsage) == "/memory.usage_in_bytes";
  if (read(CgroupFile::kMemUsage, text)) stats.memory_bytes = parse_cgroup_u64(text);
  if (stats.memory_bytes && read(CgroupFile::kMemStat, text)) {
    auto ms = v1_memory ? parse_memory_stat_v1(text) : parse_memory_stat_v2(text);
    if (ms.inactive_file) stats.memory_working_set_bytes = working_set_bytes(*stats.memory_bytes, ms);
  }
  if (read(CgroupFile::kMemEvents, text)) stats.memory_events = parse_memory_events(text);
  // v1's counters: failcnt counts hitting the limit (v2's "max"); oom_kill
  // is in memory.oom_control since Linux 4.13.
  if (read(CgroupFile::kMemFailcnt, text)) stats.memory_events.max = parse_cgroup_u64(text);
  if (read(CgroupFile::kOomControl, text)) stats.memory_events.oom_kill = parse_oom_control_kills(text);
  stats.io.clear();
  if (read(CgroupFile::kIoStat, text)) stats.io = parse_io_stat(text);
  if (read(CgroupFile::kBlkioBytes, text)) merge_blkio_throttle(text, true, stats.io);
  if (read(CgroupFile::kBlkioOps, text)) merge_blkio_throttle(text, false, stats.io);
  const CgroupFile psi[3] = {CgroupFile::kPsiCpu, CgroupFile::kPsiMemory, CgroupFile::kPsiIo};
  for (size_t i = 0; i < 3; ++i) {
    if (read(psi[i], text)) stats.pressure[i] = parse_pressure(text);
  }
  return !gone;
}

}  // namespace kscope
