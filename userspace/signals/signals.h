// The four golden signals (latency, traffic, errors, saturation) for the
// whole host and for each breakdown target, computed each interval from two
// consecutive snapshots. Rates come from counter deltas; a counter that went
// backwards (map entry recreated, probe restarted) counts its new value as the
// delta instead of a negative rate.
//
// A signal whose metric does not exist (probe not loaded, not built yet) is
// absent (std::nullopt, JSON null), never 0: "no data" and "nothing happened"
// differ for alerting.
//
// JSON shape served at GET /api/v1/signals (to_json below):
//
// {
//   "time": "2026-11-22T08:40:01.123Z",      // snapshot time (UTC)
//   "sequence": 42,                          // snapshot sequence number
//   "interval_seconds": 1.0,                 // time between the two snapshots
//   "breakdown": "comm",                     // comm | cgroup | none
//   "host": <SignalSet>,
//   "targets": [ {"target": "nginx", "kernel": false, ...<SignalSet> fields...}, ... ]   // busiest first
//                                     // kernel: a kernel thread (ksoftirqd/0, kworker/...), known by PF_KTHREAD
// }
//
// <SignalSet>:
// {
//   "latency": {
//     "syscall":     {"p50": 1.2e-06, "p95": 8.0e-06, "p99": 2.1e-05, "count": 1234},  // seconds; count in interval
//     "tcp_connect": {"p50": ..., "p95": ..., "p99": ..., "count": ...},                // or null
//     "request":     {"p50": ..., "p95": ..., "p99": ..., "count": ...}   // requests served (HTTP, databases), or null
//   },
//   "traffic": {
//     "syscalls_per_second": 1234.0,
//     "read_bytes_per_second": 5.0e6,        // read, pread64, readv, preadv*, recv*
//     "write_bytes_per_second": 1.0e6,       // write, pwrite64, writev, pwritev*, send*
//     "requests_per_second": 250.0           // requests served; null while request capture is off
//   },
//   "errors": {
//     "syscall_errors_per_second": 3.0,
//     "error_ratio": 0.0024,                 // errors / syscalls in the interval (0..1), null when no calls
//     "by_class": {"not_found": 2.0, "permission": 0, "would_block": 1.0, "interrupted": 0,
//                  "connection": 0, "timeout": 0, "resource": 0, "invalid": 0, "other": 0},
//     "tcp_retransmits_per_second": 0.0,     // null until the tcp probe exports it
//     "tcp_resets_per_second": 0.0,
//     "request_errors_per_second": 1.0,      // requests served that failed: HTTP 5xx, database errors
//     "request_error_ratio": 0.004           // of the requests served (0..1), null when none
//   },
//   "saturation": {
//     "runqueue_p99": 4.0e-05,               // seconds waiting to run, p99 over the interval
//     "runqueue_length": 0.5,                // host only: mean run-queue length across CPUs
//     "offcpu_ratio": 0.3,                   // off-CPU / (on-CPU + off-CPU) time (0..1)
//     "cpu_cores": 0.8,                      // CPUs busy, from profile samples / frequency
//     "cpu_utilization": 0.4,                // cpu_cores / online CPUs (0..1)
//     "cpu_pressure": 0.02,                  // PSI cpu some: share of the interval tasks waited for a CPU
//     "memory_pressure": 0.0,                // PSI memory some (0..1)
//     "memory_pressure_full": 0.0,           // PSI memory full: every non-idle task stalled
//     "io_pressure": 0.1,                    // PSI io some
//     "io_pressure_full": 0.05,              // PSI io full
//     "memory_used_ratio": 0.6,              // host: 1 - MemAvailable/MemTotal; cgroup: working set / limit
//     "disk_latency_p99": 0.004,             // host only: block I/O p99 over every device, seconds
//     "disk_utilization": 0.3,               // host only: the busiest disk's share of time with I/O in flight
//     "cpu_throttled_ratio": 0.9             // cgroup targets: share of CPU periods throttled (0..1)
//   }
// }
//
// Rules name a signal by its dotted path in this shape, e.g.
// "latency.syscall.p99", "traffic.syscalls_per_second",
// "errors.by_class.not_found", "saturation.runqueue_p99",
// "latency.request.p99", "errors.request_error_ratio" (see signal_value).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kscope {

// Where an errno falls, for the errors signal. Names are the JSON keys.
enum class ErrnoClass {
  kNotFound,     // ENOENT, ENOTDIR, ENXIO, ESRCH, ENODEV
  kPermission,   // EACCES, EPERM, EROFS
  kWouldBlock,   // EAGAIN/EWOULDBLOCK, EINPROGRESS, EALREADY
  kInterrupted,  // EINTR, ERESTART*
  kConnection,   // ECONNREFUSED, ECONNRESET, ECONNABORTED, EPIPE, ENOTCONN, EHOSTUNREACH, ENETUNREACH, ...
  kTimeout,      // ETIMEDOUT, ETIME
  kResource,     // ENOMEM, EMFILE, ENFILE, ENOSPC, EDQUOT, ENOBUFS, EBUSY
  kInvalid,      // EINVAL, EBADF, EFAULT, ENOTSOCK, ENOTTY, ESPIPE, EISDIR, ...
  kOther,
};
inline constexpr size_t kErrnoClassCount = 9;

// "not_found", "permission", ... (the JSON keys).
std::string_view errno_class_name(ErrnoClass c);
// From the errno name as exported in kscope_syscall_errors_total{errno}.
ErrnoClass classify_errno(std::string_view errno_name);

struct LatencySignal {
  double p50 = 0, p95 = 0, p99 = 0;  // seconds
  uint64_t count = 0;                // observations in the interval
};

struct SignalSet {
  // Latency (absent when the histogram family is missing; count 0 when it
  // exists but saw nothing in the interval).
  std::optional<LatencySignal> syscall_latency;
  std::optional<LatencySignal> tcp_connect_latency;
  // Requests served (signals/request_signals.h): absent while request
  // capture is off.
  std::optional<LatencySignal> request_latency;
  std::optional<double> requests_per_second;
  std::optional<double> request_errors_per_second;
  std::optional<double> request_error_ratio;  // absent when no request was served

  // Traffic, per second.
  std::optional<double> syscalls_per_second;
  std::optional<double> read_bytes_per_second;
  std::optional<double> write_bytes_per_second;

  // Errors, per second.
  std::optional<double> syscall_errors_per_second;
  std::optional<double> error_ratio;
  std::array<double, kErrnoClassCount> errors_by_class{};  // indexed by ErrnoClass; valid when syscall_errors_per_second is
  std::optional<double> tcp_retransmits_per_second;
  std::optional<double> tcp_resets_per_second;

  // Saturation.
  std::optional<double> runqueue_p99;     // seconds
  std::optional<double> runqueue_length;  // host only
  std::optional<double> offcpu_ratio;
  std::optional<double> cpu_cores;
  std::optional<double> cpu_utilization;
  // Resources (signals/resource_signals.h): PSI shares of the interval
  // (some: at least one task stalled; full: all non-idle tasks), memory in
  // use (host: 1 - MemAvailable/MemTotal; a cgroup: working set / limit),
  // disk latency p99 over every device and the busiest device's share of
  // time busy (host only), and the share of a cgroup's CPU periods that
  // were throttled.
  std::optional<double> cpu_pressure;
  std::optional<double> memory_pressure;
  std::optional<double> memory_pressure_full;
  std::optional<double> io_pressure;
  std::optional<double> io_pressure_full;
  std::optional<double> memory_used_ratio;
  std::optional<double> disk_latency_p99;  // seconds
  std::optional<double> disk_utilization;
  std::optional<double> cpu_throttled_ratio;
};

struct TargetSignals {
  std::string target;  // breakdown label value (raw, unescaped), e.g. comm "nginx" or "other"
  SignalSet signals;
  // A kernel thread (its series carry kernel="true"); a process of the same
  // name is another entry.
  bool kernel = false;
};

struct Signals {
  std::chrono::system_clock::time_point time{};
  uint64_t sequence = 0;
  double interval_seconds = 0;
  std::string breakdown;  // label name of targets: "comm", "cgroup" or "" (none)
  SignalSet host;
  std::vector<TargetSignals> targets;  // sorted by syscalls_per_second, busiest first

  const SignalSet* target(std::string_view name, bool kernel = false) const;
};

// Every signal path rules may name ("latency.syscall.p99", ...), for config
// validation and help text.
const std::vector<std::string>& signal_names();

// Reads a signal by its dotted path; nullopt when absent or the path is
// unknown. Latency values are in seconds, ratios in 0..1, rates per second.
std::optional<double> signal_value(const SignalSet& set, std::string_view path);

// The JSON document described above; every string escaped.
std::string to_json(const Signals& signals);

// "2026-11-22T08:40:01.123Z"
std::string format_time_utc(std::chrono::system_clock::time_point t);

}  // namespace kscope
