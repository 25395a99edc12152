#include "signals/signals.h"

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/escape.h"

namespace kscope {

std::string_view errno_class_name(ErrnoClass c) {
  static constexpr std::string_view kNames[kErrnoClassCount] = {
      "not_found", "permission", "would_block", "interrupted", "connection",
      "timeout",   "resource",   "invalid",     "other"};
  return kNames[static_cast<size_t>(c)];
}

ErrnoClass classify_errno(std::string_view name) {
  static const std::unordered_map<std::string_view, ErrnoClass> kClasses = {
      {"ENOENT", ErrnoClass::kNotFound},        {"ENOTDIR", ErrnoClass::kNotFound},
      {"ENXIO", ErrnoClass::kNotFound},         {"ESRCH", ErrnoClass::kNotFound},
      {"ENODEV", ErrnoClass::kNotFound},        {"ENODATA", ErrnoClass::kNotFound},
      {"EACCES", ErrnoClass::kPermission},      {"EPERM", ErrnoClass::kPermission},
      {"EROFS", ErrnoClass::kPermission},       {"EAGAIN", ErrnoClass::kWouldBlock},
      {"EWOULDBLOCK", ErrnoClass::kWouldBlock}, {"EINPROGRESS", ErrnoClass::kWouldBlock},
      {"EALREADY", ErrnoClass::kWouldBlock},    {"EINTR", ErrnoClass::kInterrupted},
      {"ERESTARTSYS", ErrnoClass::kInterrupted}, {"ERESTARTNOINTR", ErrnoClass::kInterrupted},
      {"ERESTARTNOHAND", ErrnoClass::kInterrupted}, {"ERESTART_RESTARTBLOCK", ErrnoClass::kInterrupted},
      {"E512", ErrnoClass::kInterrupted},       {"E513", ErrnoClass::kInterrupted},
      {"E514", ErrnoClass::kInterrupted},       {"E516", ErrnoClass::kInterrupted},
      {"ECONNREFUSED", ErrnoClass::kConnection}, {"ECONNRESET", ErrnoClass::kConnection},
      {"ECONNABORTED", ErrnoClass::kConnection}, {"EPIPE", ErrnoClass::kConnection},
      {"ENOTCONN", ErrnoClass::kConnection},    {"EHOSTUNREACH", ErrnoClass::kConnection},
      {"ENETUNREACH", ErrnoClass::kConnection}, {"ENETDOWN", ErrnoClass::kConnection},
      {"EADDRNOTAVAIL", ErrnoClass::kConnection}, {"EADDRINUSE", ErrnoClass::kConnection},
      {"ESHUTDOWN", ErrnoClass::kConnection},   {"ETIMEDOUT", ErrnoClass::kTimeout},
      {"ETIME", ErrnoClass::kTimeout},          {"ENOMEM", ErrnoClass::kResource},
      {"EMFILE", ErrnoClass::kResource},        {"ENFILE", ErrnoClass::kResource},
      {"ENOSPC", ErrnoClass::kResource},        {"EDQUOT", ErrnoClass::kResource},
      {"ENOBUFS", ErrnoClass::kResource},       {"EBUSY", ErrnoClass::kResource},
      {"EMLINK", ErrnoClass::kResource},        {"EFBIG", ErrnoClass::kResource},
      {"EINVAL", ErrnoClass::kInvalid},         {"EBADF", ErrnoClass::kInvalid},
      {"EFAULT", ErrnoClass::kInvalid},         {"ENOTSOCK", ErrnoClass::kInvalid},
      {"ENOTTY", ErrnoClass::kInvalid},         {"ESPIPE", ErrnoClass::kInvalid},
      {"EISDIR", ErrnoClass::kInvalid},         {"EEXIST", ErrnoClass::kInvalid},
      {"ENOSYS", ErrnoClass::kInvalid},         {"EOPNOTSUPP", ErrnoClass::kInvalid},
      {"ENAMETOOLONG", ErrnoClass::kInvalid},   {"ELOOP", ErrnoClass::kInvalid},
      {"E2BIG", ErrnoClass::kInvalid},          {"ERANGE", ErrnoClass::kInvalid},
  };
  auto it = kClasses.find(name);
  return it == kClasses.end() ? ErrnoClass::kOther : it->second;
}

const SignalSet* Signals::target(std::string_view name, bool kernel) const {
  for (const auto& t : targets) {
    if (t.target == name && t.kernel == kernel) return &t.signals;
  }
  return nullptr;
}

namespace {

enum class Field {
  kSyscallP50, kSyscallP95, kSyscallP99, kSyscallCount,
  kTcpP50, kTcpP95, kTcpP99, kTcpCount,
  kRequestP50, kRequestP95, kRequestP99, kRequestCount,
  kRequestsPerSecond, kRequestErrorsPerSecond, kRequestErrorRatio,
  kSyscallsPerSecond, kReadBytes, kWriteBytes,
  kErrorsPerSecond, kErrorRatio, kRetransmits, kResets,
  kRunqueueP99, kRunqueueLength, kOffcpuRatio, kCpuCores, kCpuUtilization,
  kCpuPressure, kMemoryPressure, kMemoryPressureFull, kIoPressure, kIoPressureFull,
  kMemoryUsedRatio, kDiskLatencyP99, kDiskUtilization, kCpuThrottledRatio,
  kErrnoClass0,  // kErrnoClass0 + i for each ErrnoClass
};

const std::vector<std::pair<std::string, int>>& paths() {
  static const std::vector<std::pair<std::string, int>> p = [] {
    std::vector<std::pair<std::string, int>> v = {
        {"latency.syscall.p50", int(Field::kSyscallP50)},
        {"latency.syscall.p95", int(Field::kSyscallP95)},
        {"latency.syscall.p99", int(Field::kSyscallP99)},
        {"latency.syscall.count", int(Field::kSyscallCount)},
        {"latency.tcp_connect.p50", int(Field::kTcpP50)},
        {"latency.tcp_connect.p95", int(Field::kTcpP95)},
        {"latency.tcp_connect.p99", int(Field::kTcpP99)},
        {"latency.tcp_connect.count", int(Field::kTcpCount)},
        {"latency.request.p50", int(Field::kRequestP50)},
        {"latency.request.p95", int(Field::kRequestP95)},
        {"latency.request.p99", int(Field::kRequestP99)},
        {"latency.request.count", int(Field::kRequestCount)},
        {"traffic.requests_per_second", int(Field::kRequestsPerSecond)},
        {"errors.request_errors_per_second", int(Field::kRequestErrorsPerSecond)},
        {"errors.request_error_ratio", int(Field::kRequestErrorRatio)},
        {"traffic.syscalls_per_second", int(Field::kSyscallsPerSecond)},
        {"traffic.read_bytes_per_second", int(Field::kReadBytes)},
        {"traffic.write_bytes_per_second", int(Field::kWriteBytes)},
        {"errors.syscall_errors_per_second", int(Field::kErrorsPerSecond)},
        {"errors.error_ratio", int(Field::kErrorRatio)},
        {"errors.tcp_retransmits_per_second", int(Field::kRetransmits)},
        {"errors.tcp_resets_per_second", int(Field::kResets)},
        {"saturation.runqueue_p99", int(Field::kRunqueueP99)},
        {"saturation.runqueue_length", int(Field::kRunqueueLength)},
        {"saturation.offcpu_ratio", int(Field::kOffcpuRatio)},
        {"saturation.cpu_cores", int(Field::kCpuCores)},
        {"saturation.cpu_utilization", int(Field::kCpuUtilization)},
        {"saturation.cpu_pressure", int(Field::kCpuPressure)},
        {"saturation.memory_pressure", int(Field::kMemoryPressure)},
        {"saturation.memory_pressure_full", int(Field::kMemoryPressureFull)},
        {"saturation.io_pressure", int(Field::kIoPressure)},
        {"saturation.io_pressure_full", int(Field::kIoPressureFull)},
        {"saturation.memory_used_ratio", int(Field::kMemoryUsedRatio)},
        {"saturation.disk_latency_p99", int(Field::kDiskLatencyP99)},
        {"saturation.disk_utilization", int(Field::kDiskUtilization)},
        {"saturation.cpu_throttled_ratio", int(Field::kCpuThrottledRatio)},
    };
    for (size_t i = 0; i < kErrnoClassCount; ++i) {
      v.emplace_back("errors.by_class." + std::string(errno_class_name(ErrnoClass(i))),
                     int(Field::kErrnoClass0) + int(i));
    }
    return v;
  }();
  return p;
}

std::optional<double> latency_field(const std::optional<LatencySignal>& l, int which) {
  if (!l) return std::nullopt;
  if (which == 3) return double(l->count);
  if (l->count == 0) return std::nullopt;  // no calls: no percentile
  return which == 0 ? l->p50 : which == 1 ? l->p95 : l->p99;
}

std::optional<double> field_value(const SignalSet& s, int f) {
  if (f >= int(Field::kErrnoClass0)) {
    if (!s.syscall_errors_per_second) return std::nullopt;
    return s.errors_by_class[size_t(f - int(Field::kErrnoClass0))];
  }
  switch (Field(f)) {
    case Field::kSyscallP50: return latency_field(s.syscall_latency, 0);
    case Field::kSyscallP95: return latency_field(s.syscall_latency, 1);
    case Field::kSyscallP99: return latency_field(s.syscall_latency, 2);
    case Field::kSyscallCount: return latency_field(s.syscall_latency, 3);
    case Field::kTcpP50: return latency_field(s.tcp_connect_latency, 0);
    case Field::kTcpP95: return latency_field(s.tcp_connect_latency, 1);
    case Field::kTcpP99: return latency_field(s.tcp_connect_latency, 2);
    case Field::kTcpCount: return latency_field(s.tcp_connect_latency, 3);
    case Field::kRequestP50: return latency_field(s.request_latency, 0);
    case Field::kRequestP95: return latency_field(s.request_latency, 1);
    case Field::kRequestP99: return latency_field(s.request_latency, 2);
    case Field::kRequestCount: return latency_field(s.request_latency, 3);
    case Field::kRequestsPerSecond: return s.requests_per_second;
    case Field::kRequestErrorsPerSecond: return s.request_errors_per_second;
    case Field::kRequestErrorRatio: return s.request_error_ratio;
    case Field::kSyscallsPerSecond: return s.syscalls_per_second;
    case Field::kReadBytes: return s.read_bytes_per_second;
    case Field::kWriteBytes: return s.write_bytes_per_second;
    case Field::kErrorsPerSecond: return s.syscall_errors_per_second;
    case Field::kErrorRatio: return s.error_ratio;
    case Field::kRetransmits: return s.tcp_retransmits_per_second;
    case Field::kResets: return s.tcp_resets_per_second;
    case Field::kRunqueueP99: return s.runqueue_p99;
    case Field::kRunqueueLength: return s.runqueue_length;
    case Field::kOffcpuRatio: return s.offcpu_ratio;
    case Field::kCpuCores: return s.cpu_cores;
    case Field::kCpuUtilization: return s.cpu_utilization;
    case Field::kCpuPressure: return s.cpu_pressure;
    case Field::kMemoryPressure: return s.memory_pressure;
    case Field::kMemoryPressureFull: return s.memory_pressure_full;
    case Field::kIoPressure: return s.io_pressure;
    case Field::kIoPressureFull: return s.io_pressure_full;
    case Field::kMemoryUsedRatio: return s.memory_used_ratio;
    case Field::kDiskLatencyP99: return s.disk_latency_p99;
    case Field::kDiskUtilization: return s.disk_utilization;
    case Field::kCpuThrottledRatio: return s.cpu_throttled_ratio;
    default: return std::nullopt;
  }
}

nlohmann::json opt(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json latency_json(const std::optional<LatencySignal>& l) {
  if (!l) return nullptr;
  return {{"p50", l->p50}, {"p95", l->p95}, {"p99", l->p99}, {"count", l->count}};
}

nlohmann::json set_json(const SignalSet& s) {
  nlohmann::json by_class = nlohmann::json::object();
  for (size_t i = 0; i < kErrnoClassCount; ++i) {
    by_class[std::string(errno_class_name(ErrnoClass(i)))] =
        s.syscall_errors_per_second ? nlohmann::json(s.errors_by_class[i]) : nlohmann::json(nullptr);
  }
  return {
      {"latency",
       {{"syscall", latency_json(s.syscall_latency)},
        {"tcp_connect", latency_json(s.tcp_connect_latency)},
        {"request", latency_json(s.request_latency)}}},
      {"traffic",
       {{"syscalls_per_second", opt(s.syscalls_per_second)},
        {"read_bytes_per_second", opt(s.read_bytes_per_second)},
        {"write_bytes_per_second", opt(s.write_bytes_per_second)},
        {"requests_per_second", opt(s.requests_per_second)}}},
      {"errors",
       {{"syscall_errors_per_second", opt(s.syscall_errors_per_second)},
        {"error_ratio", opt(s.error_ratio)},
        {"by_class", by_class},
        {"tcp_retransmits_per_second", opt(s.tcp_retransmits_per_second)},
        {"tcp_resets_per_second", opt(s.tcp_resets_per_second)},
        {"request_errors_per_second", opt(s.request_errors_per_second)},
        {"request_error_ratio", opt(s.request_error_ratio)}}},
      {"saturation",
       {{"runqueue_p99", opt(s.runqueue_p99)},
        {"runqueue_length", opt(s.runqueue_length)},
        {"offcpu_ratio", opt(s.offcpu_ratio)},
        {"cpu_cores", opt(s.cpu_cores)},
        {"cpu_utilization", opt(s.cpu_utilization)},
        {"cpu_pressure", opt(s.cpu_pressure)},
        {"memory_pressure", opt(s.memory_pressure)},
        {"memory_pressure_full", opt(s.memory_pressure_full)},
        {"io_pressure", opt(s.io_pressure)},
        {"io_pressure_full", opt(s.io_pressure_full)},
        {"memory_used_ratio", opt(s.memory_used_ratio)},
        {"disk_latency_p99", opt(s.disk_latency_p99)},
        {"disk_utilization", opt(s.disk_utilization)},
        {"cpu_throttled_ratio", opt(s.cpu_throttled_ratio)}}},
  };
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

const std::vector<std::string>& signal_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [p, f] : paths()) v.push_back(p);
    return v;
  }();
  return names;
}

std::optional<double> signal_value(const SignalSet& set, std::string_view path) {
  for (const auto& [p, f] : paths()) {
    if (p == path) return field_value(set, f);
  }
  return std::nullopt;
}

std::string format_time_utc(std::chrono::system_clock::time_point t) { return iso8601(t); }

std::string to_json(const Signals& s) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : s.targets) {
    nlohmann::json j = set_json(t.signals);
    j["target"] = sanitize_utf8(t.target);
    j["kernel"] = t.kernel;
    targets.push_back(std::move(j));
  }
  nlohmann::json doc = {
      {"time", iso8601(s.time)},
      {"sequence", s.sequence},
      {"interval_seconds", s.interval_seconds},
      {"breakdown", s.breakdown.empty() ? std::string("none") : s.breakdown},
      {"host", set_json(s.host)},
      {"targets", std::move(targets)},
  };
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kscope
