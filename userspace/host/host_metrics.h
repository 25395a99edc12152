// The host's resources from /proc, each interval, under node_exporter's
// names and labels (node_cpu_seconds_total, node_memory_MemAvailable_bytes,
// node_pressure_io_stalled_seconds_total, node_filesystem_avail_bytes, ...),
// so the dashboards and alerts users have for node_exporter work on kscope.
// No BPF: the kernel's own counters, read as node_exporter reads them.
//
// Cost: one read of each small file per interval into a reused buffer,
// parsers without regexes, one statvfs per real filesystem (bench/host/):
// well under a millisecond, except /proc/net/tcp{,6}, which the kernel
// produces by walking its whole established-socket hash table (sized by RAM:
// 6 ms a file on a 24 GB VM with four sockets). The TCP states are therefore
// re-read only when 1,000 times the last read's cost has passed (0.1% of a
// CPU; between 1 and 30 s), and exported from the last read in between.
// Series are bounded: at most 256 filesystems, disks and interfaces and 1024
// CPUs, the rest counted in kscope_host_series_dropped_total{collector}.
//
// statvfs alone can block (a hung NFS, CIFS or FUSE mount): it runs on a
// worker thread with a deadline of 1 s an interval (host/statvfs_worker.h).
// A mount whose call did not return in time is exported as node_exporter
// does, node_filesystem_device_error{device_error="mountpoint timeout"} 1
// without size figures, and is not called again until that call returns;
// kscope_host_filesystems_stuck counts them. The mounts after it in that one
// interval are left out (their turn came too late).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "model/source_status.h"
#include "host/statvfs_worker.h"

namespace kscope {

class HostMetrics {
 public:
  // `proc`: where procfs is mounted (a test may point elsewhere).
  explicit HostMetrics(std::string proc = "/proc");
  // `statvfs`: the deadline, and the call itself (a test's may block).
  HostMetrics(std::string proc, host::StatvfsOptions statvfs);

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
  // "self", or "1" when kscope's mount namespace is not the host's: whose
  // /proc/<x>/mounts lists the filesystems.
  std::string mount_table_;
  std::string buf_;  // each file's text in turn; its capacity stays
  struct TcpStates {
    bool read = false;  // /proc/net/tcp or tcp6 could be opened
    std::array<uint64_t, 12> counts{};
    uint64_t skipped = 0;
    std::chrono::steady_clock::time_point next{};  // when to read again
  } tcp_;
  double ticks_per_second_;
  std::array<uint64_t, kCollectors> dropped_{};  // cumulative
  host::StatvfsWorker statvfs_;
};

// The same with one reader per calling thread (the collector's).
void append_host_metrics(std::vector<Family>& out);

// Which of the files above exist and can be read here, with the reason when
// not (PSI off at boot or missing from the kernel, /proc/net not mounted, ...).
std::vector<SourceStatus> host_sources(const std::string& proc = "/proc");

}  // namespace kscope
