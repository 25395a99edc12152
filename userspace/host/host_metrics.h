// The host's resources from /proc, each interval, under node_exporter's
// names and labels (node_cpu_seconds_total, node_memory_MemAvailable_bytes,
// node_pressure_io_stalled_seconds_total, node_filesystem_avail_bytes, ...),
// so the dashboards and alerts users have for node_exporter work on kscope.
// No BPF: the kernel's own counters, read as node_exporter reads them.
//
// Cost: one read of each small file per interval into a reused buffer,
// parsers without regexes, one statvfs per real filesystem (bench/host/).
// Series are bounded: at most 256 filesystems, disks and interfaces and 1024
// CPUs, the rest counted in kscope_host_series_dropped_total{collector}.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "collect/snapshot.h"
#include "collect/source_status.h"

namespace kscope {

class HostMetrics {
 public:
  // `proc`: where procfs is mounted (a test may point elsewhere).
  explicit HostMetrics(std::string proc = "/proc");

  // Appends the node_* families and kscope_host_*; a file that cannot be read
  // leaves its families out. Not thread-safe: one caller (the collector).
  void append(std::vector<Family>& out);

 private:
  enum Collector { kCpu, kFilesystem, kDiskstats, kNetdev, kCollectors };

  bool read(const char* relative, size_t max_bytes);
  void append_stat(std::vector<Family>& out);
  void append_meminfo(std::vector<Family>& out);
  void append_pressure(std::vector<Family>& out);
  void append_loadavg(std::vector<Family>& out);
  void append_vmstat(std::vector<Family>& out);
  void append_filesystems(std::vector<Family>& out);
  void append_diskstats(std::vector<Family>& out);
  void append_net_dev(std::vector<Family>& out);
  void append_tcp_states(std::vector<Family>& out);
  void append_netstat(std::vector<Family>& out);

  std::string proc_;
  std::string buf_;  // each file's text in turn; its capacity stays
  double ticks_per_second_;
  std::array<uint64_t, kCollectors> dropped_{};  // cumulative
};

// The same with one reader per calling thread (the collector's).
void append_host_metrics(std::vector<Family>& out);

// Which of the files above exist and can be read here, with the reason when
// not (PSI off at boot or missing from the kernel, /proc/net not mounted, ...).
std::vector<SourceStatus> host_sources(const std::string& proc = "/proc");

}  // namespace kscope
