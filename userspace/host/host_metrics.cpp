#include "host/host_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "host/diskstats.h"
#include "host/loadavg.h"
#include "host/meminfo.h"
#include "host/mounts.h"
#include "host/net_dev.h"
#include "host/netstat.h"
#include "host/pressure.h"
#include "host/proc_stat.h"
#include "host/tcp_states.h"
#include "host/vmstat.h"
#include "common/file_read.h"
#include "common/unique_fd.h"

namespace kscope {
namespace {

// Larger than any of these files on a sane host; /proc/self/mounts of a
// container host with thousands of mounts is the biggest.
constexpr size_t kSmallFile = 1 << 20;
constexpr size_t kMountsFile = 8 << 20;

Family family(std::string name, std::string help, MetricType type) {
  return Family{std::move(name), std::move(help), type, {}};
}

void add(Family& f, Labels labels, double value) { f.series.push_back(Series{std::move(labels), value, {}}); }

Family single(std::string name, std::string help, MetricType type, double value) {
  Family f = family(std::move(name), std::move(help), type);
  add(f, {}, value);
  return f;
}

// The mount namespace a mount table is read from: kscope's own, or, when
// kscope runs in a container of its own (a DaemonSet pod with hostPID, a
// `docker run --pid=host`), the host's, that of PID 1. A node's disks fill
// in the host's namespace; the container's own overlay and volumes are not
// what a node filesystem alert is about. The host's mount points are
// reached through /proc/1/root (CAP_SYS_PTRACE, which kscope keeps), as
// node_exporter reaches them through --path.rootfs.
std::string mount_table_of(const std::string& proc) {
  char own[64] = {}, init[64] = {};
  ssize_t a = readlink((proc + "/self/ns/mnt").c_str(), own, sizeof own - 1);
  ssize_t b = readlink((proc + "/1/ns/mnt").c_str(), init, sizeof init - 1);
  if (a <= 0 || b <= 0 || std::string_view(own, size_t(a)) == std::string_view(init, size_t(b))) return "self";
  if (access((proc + "/1/mounts").c_str(), R_OK) != 0) return "self";
  return "1";
}

}  // namespace

HostMetrics::HostMetrics(std::string proc) : HostMetrics(std::move(proc), host::StatvfsOptions{}) {}

HostMetrics::HostMetrics(std::string proc, host::StatvfsOptions statvfs)
    : proc_(std::move(proc)),
      mount_table_(mount_table_of(proc_)),
      ticks_per_second_(double(sysconf(_SC_CLK_TCK))),
      statvfs_(std::move(statvfs)) {
  if (ticks_per_second_ <= 0) ticks_per_second_ = 100;  // USER_HZ on every Linux architecture
}

bool HostMetrics::read(const char* relative, size_t max_bytes) {
  return bool(read_file_bounded(proc_ + "/" + relative, max_bytes, buf_));
}

void HostMetrics::append(std::vector<Family>& out) {
  append_stat(out);
  append_meminfo(out);
  append_pressure(out);
  append_loadavg(out);
  append_vmstat(out);
  append_filesystems(out);
  append_diskstats(out);
  append_net_dev(out);
  append_tcp_states(out);
  append_netstat(out);
  Family dropped = family("kscope_host_series_dropped_total",
                          "Devices, filesystems, interfaces or CPUs left out of the node_* families because the "
                          "host has more than kscope exports (256 each, 1024 CPUs), by node_exporter collector.",
                          MetricType::kCounter);
  static constexpr const char* kNames[kCollectors] = {"cpu", "filesystem", "diskstats", "netdev"};
  for (size_t i = 0; i < kCollectors; ++i) add(dropped, {{"collector", kNames[i]}}, double(dropped_[i]));
  out.push_back(std::move(dropped));
}

void HostMetrics::append_stat(std::vector<Family>& out) {
  if (!read("stat", kSmallFile)) return;
  host::KernelStat st = host::parse_kernel_stat(buf_);
  dropped_[kCpu] += st.cpus_dropped;
  if (!st.cpus.empty()) {
    static constexpr const char* kModes[] = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
    Family cpu = family("node_cpu_seconds_total", "Seconds the CPUs spent in each mode (/proc/stat).",
                        MetricType::kCounter);
    Family guest = family("node_cpu_guest_seconds_total",
                          "Seconds the CPUs spent running guests (VMs), also counted in user and nice.",
                          MetricType::kCounter);
    cpu.series.reserve(st.cpus.size() * 8);
    for (const auto& c : st.cpus) {
      std::string id = std::to_string(c.cpu);
      for (size_t m = 0; m < 8; ++m) add(cpu, {{"cpu", id}, {"mode", kModes[m]}}, double(c.ticks[m]) / ticks_per_second_);
      add(guest, {{"cpu", id}, {"mode", "user"}}, double(c.ticks[host::kGuest]) / ticks_per_second_);
      add(guest, {{"cpu", id}, {"mode", "nice"}}, double(c.ticks[host::kGuestNice]) / ticks_per_second_);
    }
    out.push_back(std::move(cpu));
    out.push_back(std::move(guest));
  }
  if (st.context_switches) {
    out.push_back(single("node_context_switches_total", "Context switches since boot.", MetricType::kCounter,
                         double(*st.context_switches)));
  }
  if (st.forks) {
    out.push_back(single("node_forks_total", "Processes and threads created since boot.", MetricType::kCounter,
                         double(*st.forks)));
  }
  if (st.interrupts) {
    out.push_back(single("node_intr_total", "Interrupts serviced since boot.", MetricType::kCounter,
                         double(*st.interrupts)));
  }
  if (st.boot_time) {
    out.push_back(single("node_boot_time_seconds", "When the machine booted, in seconds since the epoch.",
                         MetricType::kGauge, double(*st.boot_time)));
  }
  if (st.procs_running) {
    out.push_back(single("node_procs_running", "Threads runnable or running on a CPU now.", MetricType::kGauge,
                         double(*st.procs_running)));
  }
  if (st.procs_blocked) {
    out.push_back(single("node_procs_blocked", "Threads blocked waiting for I/O to complete now.",
                         MetricType::kGauge, double(*st.procs_blocked)));
  }
}

void HostMetrics::append_meminfo(std::vector<Family>& out) {
  if (!read("meminfo", kSmallFile)) return;
  for (auto& f : host::parse_meminfo(buf_)) {
    std::string help = "Memory information field " + f.name + " (/proc/meminfo).";
    out.push_back(single("node_memory_" + f.name, std::move(help), MetricType::kGauge, f.value));
  }
}

void HostMetrics::append_pressure(std::vector<Family>& out) {
  struct Resource {
    const char* file;
    const char* waiting;  // node_exporter's name for "some", or null
    const char* stalled;  // for "full", or null
    const char* what;
  };
  // node_exporter exports no cpu "full" (undefined at the system level before
  // 5.13, always 0 since) and no irq "some" (the kernel has none).
  static constexpr Resource kResources[] = {
      {"pressure/cpu", "node_pressure_cpu_waiting_seconds_total", nullptr, "CPU"},
      {"pressure/io", "node_pressure_io_waiting_seconds_total", "node_pressure_io_stalled_seconds_total", "I/O"},
      {"pressure/memory", "node_pressure_memory_waiting_seconds_total", "node_pressure_memory_stalled_seconds_total",
       "memory"},
      {"pressure/irq", nullptr, "node_pressure_irq_stalled_seconds_total", "IRQ"},
  };
  for (const auto& r : kResources) {
    if (!read(r.file, kSmallFile)) continue;
    host::Pressure p = host::parse_pressure(buf_);
    if (r.waiting && p.some_total_us) {
      out.push_back(single(r.waiting,
                           std::string("Seconds in which at least one task was stalled waiting for ") + r.what +
                               " (PSI some).",
                           MetricType::kCounter, double(*p.some_total_us) / 1e6));
    }
    if (r.stalled && p.full_total_us) {
      out.push_back(single(r.stalled,
                           std::string("Seconds in which no task could make progress for lack of ") + r.what +
                               " (PSI full).",
                           MetricType::kCounter, double(*p.full_total_us) / 1e6));
    }
  }
}

void HostMetrics::append_loadavg(std::vector<Family>& out) {
  if (!read("loadavg", kSmallFile)) return;
  auto l = host::parse_loadavg(buf_);
  if (!l) return;
  out.push_back(single("node_load1", "Load average over 1 minute.", MetricType::kGauge, l->load1));
  out.push_back(single("node_load5", "Load average over 5 minutes.", MetricType::kGauge, l->load5));
  out.push_back(single("node_load15", "Load average over 15 minutes.", MetricType::kGauge, l->load15));
}

void HostMetrics::append_vmstat(std::vector<Family>& out) {
  if (!read("vmstat", kSmallFile)) return;
  // node_exporter types these untyped; kscope's closest is gauge (no _total,
  // so the names stay node_exporter's).
  for (auto& f : host::parse_vmstat(buf_)) {
    std::string help = "Field " + f.name + " of /proc/vmstat, since boot.";
    out.push_back(single("node_vmstat_" + f.name, std::move(help), MetricType::kGauge, f.value));
  }
}

void HostMetrics::append_filesystems(std::vector<Family>& out) {
  if (!read((mount_table_ + "/mounts").c_str(), kMountsFile)) return;
  host::Mounts mounts = host::parse_mounts(buf_);
  dropped_[kFilesystem] += mounts.dropped;
  Family size = family("node_filesystem_size_bytes", "Filesystem size in bytes.", MetricType::kGauge);
  Family free = family("node_filesystem_free_bytes", "Free bytes, the root-reserved blocks included.",
                       MetricType::kGauge);
  Family avail = family("node_filesystem_avail_bytes", "Bytes available to unprivileged users.", MetricType::kGauge);
  Family files = family("node_filesystem_files", "Inodes in the filesystem.", MetricType::kGauge);
  Family files_free = family("node_filesystem_files_free", "Free inodes.", MetricType::kGauge);
  Family readonly = family("node_filesystem_readonly", "1 when the filesystem is mounted read-only.",
                           MetricType::kGauge);
  Family error = family("node_filesystem_device_error",
                        "1 when statvfs failed on the mount point or did not return within the deadline (the "
                        "device_error label says why; \"mountpoint timeout\" for a hung mount).",
                        MetricType::kGauge);
  std::vector<std::string> points;
  points.reserve(mounts.mounts.size());
  // Labels keep the mount point as the host names it; statvfs reaches the
  // host's through PID 1's root when the table is the host's.
  const std::string root = mount_table_ == "self" ? "" : proc_ + "/1/root";
  for (const auto& m : mounts.mounts) points.push_back(root + m.mountpoint);
  const std::vector<host::StatvfsOutcome> outcomes = statvfs_.stat_all(points);
  for (size_t i = 0; i < mounts.mounts.size(); ++i) {
    const host::Mount& m = mounts.mounts[i];
    const host::StatvfsOutcome& r = outcomes[i];
    if (r.kind == host::StatvfsOutcome::kNotReached) continue;
    Labels labels = {{"device", m.device}, {"mountpoint", m.mountpoint}, {"fstype", m.fstype}};
    if (r.kind != host::StatvfsOutcome::kOk) {
      // node_exporter's words for a hung mount, so its alerts match.
      labels.emplace_back("device_error",
                          r.kind == host::StatvfsOutcome::kStuck ? "mountpoint timeout" : std::strerror(r.error));
      add(readonly, labels, m.readonly ? 1 : 0);
      add(error, std::move(labels), 1);
      continue;
    }
    const struct statvfs& st = r.st;
    const double frsize = double(st.f_frsize ? st.f_frsize : st.f_bsize);
    add(size, labels, double(st.f_blocks) * frsize);
    add(free, labels, double(st.f_bfree) * frsize);
    add(avail, labels, double(st.f_bavail) * frsize);
    add(files, labels, double(st.f_files));
    add(files_free, labels, double(st.f_ffree));
    add(readonly, labels, m.readonly || (st.f_flag & ST_RDONLY) ? 1 : 0);
    add(error, std::move(labels), 0);
  }
  for (Family* f : {&size, &free, &avail, &files, &files_free, &readonly, &error}) {
    if (!f->series.empty()) out.push_back(std::move(*f));
  }
  out.push_back(single("kscope_host_filesystems_stuck",
                       "Mount points whose statvfs has not returned within the deadline (1 s an interval), each "
                       "holding one kscope thread until it does; not called again before that.",
                       MetricType::kGauge, double(statvfs_.stuck())));
  out.push_back(single("kscope_host_filesystem_stuck_total",
                       "statvfs calls that missed the deadline since kscope started (a mount became stuck).",
                       MetricType::kCounter, double(statvfs_.stuck_total())));
}

void HostMetrics::append_diskstats(std::vector<Family>& out) {
  if (!read("diskstats", kSmallFile)) return;
  host::Diskstats ds = host::parse_diskstats(buf_);
  dropped_[kDiskstats] += ds.dropped;
  if (ds.disks.empty()) return;
  struct Column {
    host::DiskField field;
    const char* name;
    const char* help;
    double scale;  // sectors are 512 bytes whatever the device's; times are ms
    MetricType type;
  };
  static constexpr Column kColumns[] = {
      {host::kReads, "node_disk_reads_completed_total", "Reads completed.", 1, MetricType::kCounter},
      {host::kReadsMerged, "node_disk_reads_merged_total", "Adjacent reads merged into one.", 1, MetricType::kCounter},
      {host::kSectorsRead, "node_disk_read_bytes_total", "Bytes read.", 512, MetricType::kCounter},
      {host::kReadMs, "node_disk_read_time_seconds_total", "Seconds spent by all reads.", 1e-3, MetricType::kCounter},
      {host::kWrites, "node_disk_writes_completed_total", "Writes completed.", 1, MetricType::kCounter},
      {host::kWritesMerged, "node_disk_writes_merged_total", "Adjacent writes merged into one.", 1,
       MetricType::kCounter},
      {host::kSectorsWritten, "node_disk_written_bytes_total", "Bytes written.", 512, MetricType::kCounter},
      {host::kWriteMs, "node_disk_write_time_seconds_total", "Seconds spent by all writes.", 1e-3,
       MetricType::kCounter},
      {host::kIosInProgress, "node_disk_io_now", "I/Os in flight now.", 1, MetricType::kGauge},
      {host::kIoMs, "node_disk_io_time_seconds_total", "Seconds the device had I/O in flight (utilisation).", 1e-3,
       MetricType::kCounter},
      {host::kWeightedIoMs, "node_disk_io_time_weighted_seconds_total",
       "Seconds of I/O in flight weighted by the number in flight (queue length).", 1e-3, MetricType::kCounter},
      {host::kDiscards, "node_disk_discards_completed_total", "Discards completed.", 1, MetricType::kCounter},
      {host::kDiscardsMerged, "node_disk_discards_merged_total", "Adjacent discards merged into one.", 1,
       MetricType::kCounter},
      {host::kSectorsDiscarded, "node_disk_discarded_sectors_total", "512-byte sectors discarded.", 1,
       MetricType::kCounter},
      {host::kDiscardMs, "node_disk_discard_time_seconds_total", "Seconds spent by all discards.", 1e-3,
       MetricType::kCounter},
      {host::kFlushes, "node_disk_flush_requests_total", "Flush requests completed.", 1, MetricType::kCounter},
      {host::kFlushMs, "node_disk_flush_requests_time_seconds_total", "Seconds spent by all flush requests.", 1e-3,
       MetricType::kCounter},
  };
  for (const auto& c : kColumns) {
    Family f = family(c.name, std::string(c.help) + " (/proc/diskstats)", c.type);
    for (const auto& d : ds.disks) {
      if (size_t(c.field) < d.fields) add(f, {{"device", d.name}}, double(d.v[c.field]) * c.scale);
    }
    if (!f.series.empty()) out.push_back(std::move(f));
  }
}

void HostMetrics::append_net_dev(std::vector<Family>& out) {
  if (!read("net/dev", kSmallFile)) return;
  host::NetDevs nd = host::parse_net_dev(buf_);
  dropped_[kNetdev] += nd.dropped;
  if (nd.interfaces.empty()) return;
  for (size_t col = 0; col < host::kNetDevColumns.size(); ++col) {
    std::string name(host::kNetDevColumns[col]);
    Family f = family("node_network_" + name + "_total", "Network device statistic " + name + " (/proc/net/dev).",
                      MetricType::kCounter);
    f.series.reserve(nd.interfaces.size());
    for (const auto& i : nd.interfaces) add(f, {{"device", i.name}}, double(i.v[col]));
    out.push_back(std::move(f));
  }
}

void HostMetrics::append_tcp_states(std::vector<Family>& out) {
  const auto now = std::chrono::steady_clock::now();
  if (now >= tcp_.next) {
    host::TcpStateCounter counter;
    bool any = false;
    char chunk[65536];
    for (const char* file : {"net/tcp", "net/tcp6"}) {
      auto fd = open_regular_file(proc_ + "/" + file);
      if (!fd) continue;
      any = true;
      for (;;) {
        ssize_t n = ::read(fd->get(), chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        counter.feed(std::string_view(chunk, size_t(n)));
      }
      counter.finish_file();
    }
    static_assert(std::tuple_size_v<decltype(tcp_.counts)> == host::kTcpStateNames.size());
    tcp_.read = any;
    tcp_.counts = counter.counts();
    tcp_.skipped = counter.skipped();
    const auto cost = std::chrono::steady_clock::now() - now;
    tcp_.next = now + std::clamp<std::chrono::steady_clock::duration>(cost * 1000, std::chrono::seconds(1),
                                                                      std::chrono::seconds(30));
  }
  if (!tcp_.read) return;
  Family f = family("node_tcp_connection_states",
                    "TCP sockets in each state, IPv4 and IPv6 (/proc/net/tcp, tcp6; re-read every 1 to 30 s, "
                    "as its cost allows).",
                    MetricType::kGauge);
  for (size_t s = 1; s < host::kTcpStateNames.size(); ++s) {
    add(f, {{"state", std::string(host::kTcpStateNames[s])}}, double(tcp_.counts[s]));
  }
  out.push_back(std::move(f));
  out.push_back(single("kscope_host_tcp_sockets_uncounted",
                       "TCP sockets left out of node_tcp_connection_states in the last read: past 262,144 a file, "
                       "or lines that did not parse.",
                       MetricType::kGauge, double(tcp_.skipped)));
}

void HostMetrics::append_netstat(std::vector<Family>& out) {
  std::vector<host::NetstatValue> values;
  if (read("net/netstat", kSmallFile)) host::parse_netstat(buf_, values);
  if (read("net/snmp", kSmallFile)) host::parse_netstat(buf_, values);
  if (read("net/snmp6", kSmallFile)) host::parse_snmp6(buf_, values);
  // Untyped in node_exporter; gauge here, names unchanged (no _total).
  for (auto& v : values) {
    std::string help = "Protocol statistic " + v.name + " (/proc/net/netstat, snmp, snmp6), since boot.";
    out.push_back(single("node_netstat_" + v.name, std::move(help), MetricType::kGauge, v.value));
  }
}

void append_host_metrics(std::vector<Family>& out) {
  thread_local HostMetrics reader;
  reader.append(out);
}

std::vector<SourceStatus> host_sources(const std::string& proc) {
  struct Source {
    const char* name;
    const char* file;
    const char* missing;  // why it may be missing
  };
  static constexpr Source kSources[] = {
      {"stat", "stat", "procfs is not mounted"},
      {"meminfo", "meminfo", "procfs is not mounted"},
      {"loadavg", "loadavg", "procfs is not mounted"},
      {"vmstat", "vmstat", "procfs is not mounted"},
      {"filesystems", "self/mounts", "procfs is not mounted"},
      {"diskstats", "diskstats", "the kernel is built without block devices (CONFIG_BLOCK)"},
      {"net_dev", "net/dev", "the kernel is built without networking"},
      {"tcp_states", "net/tcp", "the kernel is built without IPv4"},
      {"netstat", "net/netstat", "the kernel is built without IPv4"},
      {"pressure", "pressure/cpu", nullptr},
  };
  std::vector<SourceStatus> out;
  std::string buf;
  for (const auto& s : kSources) {
    std::string path = proc + "/" + s.file;
    auto st = read_file_bounded(path, kMountsFile, buf);
    if (st) {
      out.push_back({s.name, true, path});
      continue;
    }
    std::string why = st.error().to_string();
    if (std::string_view(s.name) == "pressure") {
      std::string cmdline;
      bool psi_off = read_file_bounded(proc + "/cmdline", kSmallFile, cmdline) &&
                     (" " + cmdline).find(" psi=0") != std::string::npos;
      if (st.error().errno_value() == EOPNOTSUPP || psi_off) {
        why += ": PSI is off at boot (psi=0 on the kernel command line); boot with psi=1 for node_pressure_*";
      } else {
        why += ": the kernel has no pressure stall information (needs 4.20+ with CONFIG_PSI=y; a kernel built "
               "with CONFIG_PSI_DEFAULT_DISABLED needs psi=1 on its command line)";
      }
    } else {
      why += std::string(": ") + s.missing;
    }
    out.push_back({s.name, false, std::move(why)});
  }
  return out;
}

}  // namespace kscope
