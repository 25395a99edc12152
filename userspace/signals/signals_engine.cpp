#include "signals/signals_engine.h"

#include <algorithm>
#include <unordered_set>

#include "signals/request_signals.h"
#include "signals/resource_signals.h"

namespace kscope {
namespace {

constexpr std::string_view kSyscallLatency = "kscope_syscall_latency_seconds";
constexpr std::string_view kSyscallBytes = "kscope_syscall_bytes_total";
constexpr std::string_view kSyscallErrors = "kscope_syscall_errors_total";
constexpr std::string_view kTcpConnect = "kscope_tcp_connect_latency_seconds";
constexpr std::string_view kTcpRetransmits = "kscope_tcp_retransmits_total";
constexpr std::string_view kTcpResets = "kscope_tcp_resets_total";
constexpr std::string_view kRunqueueLatency = "kscope_runqueue_latency_seconds";
constexpr std::string_view kRunqueueLength = "kscope_runqueue_length";
constexpr std::string_view kOffcpu = "kscope_offcpu_seconds_total";
constexpr std::string_view kCpuSamples = "kscope_cpu_samples_total";

bool is_write_syscall(std::string_view name) {
  return name.starts_with("write") || name.starts_with("pwrite") || name.starts_with("send") ||
         name == "splice" || name == "tee" || name == "copy_file_range" || name == "vmsplice";
}

LatencySignal latency_of(const Histogram& h) {
  return {h.quantile_seconds(0.5), h.quantile_seconds(0.95), h.quantile_seconds(0.99), h.count()};
}

// Applies fn(set, value) to the host set and to every target's set.
template <class T, class F>
void spread(const Grouped<T>& g, Signals& out, std::map<TargetId, SignalSet>& targets, F fn) {
  if (!g.present) return;
  fn(out.host, g.host);
  for (const auto& [name, v] : g.targets) fn(targets[name], v);
}

}  // namespace

Signals compute_signals(const IntervalPair& p, const SignalsOptions& o) {
  Signals out;
  out.time = p.current.taken_at;
  out.sequence = p.current.sequence;
  out.interval_seconds = p.seconds;
  out.breakdown = o.breakdown;
  const double secs = p.seconds > 0 ? p.seconds : 1;
  std::map<TargetId, SignalSet> targets;

  std::unordered_set<std::string> chosen(o.syscalls.begin(), o.syscalls.end());
  SeriesFilter chosen_syscalls = [&chosen, &o](const Series& s) {
    if (!o.include_idle_waits) {
      const std::string* idle = s.label("idle");
      if (idle != nullptr && *idle == "true") return false;
    }
    if (chosen.empty()) return true;
    const std::string* sc = s.label("syscall");
    return sc != nullptr && chosen.count(*sc) != 0;
  };

  // Latency over the chosen syscalls; traffic (calls/s) over all of them.
  spread(histogram_increase(p, kSyscallLatency, chosen_syscalls), out, targets,
         [](SignalSet& s, const Histogram& h) { s.syscall_latency = latency_of(h); });
  if (p.current.find(kSyscallLatency) != nullptr && p.previous != nullptr) {
    // Targets absent from the interval still get a zero count.
    out.host.syscall_latency = out.host.syscall_latency.value_or(LatencySignal{});
  }
  spread(histogram_increase(p, kSyscallLatency, nullptr), out, targets,
         [secs](SignalSet& s, const Histogram& h) { s.syscalls_per_second = double(h.count()) / secs; });
  if (p.current.find(kSyscallLatency) != nullptr && p.previous != nullptr && !out.host.syscalls_per_second) {
    out.host.syscalls_per_second = 0;
  }

  auto bytes_filter = [](bool write) {
    return [write](const Series& s) {
      const std::string* sc = s.label("syscall");
      return sc != nullptr && is_write_syscall(*sc) == write;
    };
  };
  spread(counter_increase(p, kSyscallBytes, bytes_filter(false)), out, targets,
         [secs](SignalSet& s, double v) { s.read_bytes_per_second = v / secs; });
  spread(counter_increase(p, kSyscallBytes, bytes_filter(true)), out, targets,
         [secs](SignalSet& s, double v) { s.write_bytes_per_second = v / secs; });

  spread(counter_increase(p, kSyscallErrors, nullptr), out, targets,
         [secs](SignalSet& s, double v) { s.syscall_errors_per_second = v / secs; });
  for (size_t c = 0; c < kErrnoClassCount; ++c) {
    SeriesFilter in_class = [c](const Series& s) {
      const std::string* e = s.label("errno");
      return size_t(classify_errno(e != nullptr ? std::string_view(*e) : std::string_view())) == c;
    };
    spread(counter_increase(p, kSyscallErrors, in_class), out, targets,
           [secs, c](SignalSet& s, double v) { s.errors_by_class[c] = v / secs; });
  }

  spread(histogram_increase(p, kTcpConnect, nullptr), out, targets,
         [](SignalSet& s, const Histogram& h) { s.tcp_connect_latency = latency_of(h); });
  spread(counter_increase(p, kTcpRetransmits, nullptr), out, targets,
         [secs](SignalSet& s, double v) { s.tcp_retransmits_per_second = v / secs; });
  spread(counter_increase(p, kTcpResets, nullptr), out, targets,
         [secs](SignalSet& s, double v) { s.tcp_resets_per_second = v / secs; });

  spread(histogram_increase(p, kRunqueueLatency, nullptr), out, targets,
         [](SignalSet& s, const Histogram& h) { s.runqueue_p99 = h.quantile_seconds(0.99); });
  if (const Family* rq = p.current.find(kRunqueueLength); rq != nullptr && rq->type == MetricType::kGauge) {
    auto g = gauge_values(p, kRunqueueLength, nullptr);
    if (g.host.n > 0) out.host.runqueue_length = g.host.sum / double(g.host.n);
  }

  const double freq = o.profile_frequency > 0 ? double(o.profile_frequency) : 99.0;
  const double cpus = o.online_cpus > 0 ? double(o.online_cpus) : 1.0;
  spread(counter_increase(p, kCpuSamples, nullptr), out, targets, [&](SignalSet& s, double v) {
    s.cpu_cores = v / freq / secs;
    s.cpu_utilization = *s.cpu_cores / cpus;
  });
  spread(counter_increase(p, kOffcpu, nullptr), out, targets, [&](SignalSet& s, double v) {
    if (!s.cpu_cores) return;
    double off = v / secs, on = *s.cpu_cores;
    if (off + on > 0) s.offcpu_ratio = off / (off + on);
  });

  add_resource_signals(p, out.host, targets);
  add_request_signals(p, out.host, targets);

  auto finish = [](SignalSet& s) {
    if (s.syscalls_per_second && s.syscall_errors_per_second && *s.syscalls_per_second > 0) {
      s.error_ratio = std::min(1.0, *s.syscall_errors_per_second / *s.syscalls_per_second);
    }
    // A target with calls but no failures: errors are zero, not absent.
  };
  bool have_errors = out.host.syscall_errors_per_second.has_value();
  finish(out.host);
  for (auto& [id, set] : targets) {
    if (have_errors && !set.syscall_errors_per_second && set.syscalls_per_second) {
      set.syscall_errors_per_second = 0;
    }
    if (out.host.syscall_latency && !set.syscall_latency && set.syscalls_per_second) {
      set.syscall_latency = LatencySignal{};
    }
    finish(set);
    out.targets.push_back({id.name, std::move(set), id.kernel});
  }
  std::stable_sort(out.targets.begin(), out.targets.end(), [](const TargetSignals& a, const TargetSignals& b) {
    return a.signals.syscalls_per_second.value_or(0) > b.signals.syscalls_per_second.value_or(0);
  });
  return out;
}

std::shared_ptr<const Signals> SignalsEngine::update(std::shared_ptr<const Snapshot> snapshot,
                                                     const PairListener& also) {
  double secs = 0;
  if (previous_) secs = std::chrono::duration<double>(snapshot->taken_steady - previous_->taken_steady).count();
  IntervalPair p{previous_.get(), *snapshot, secs, options_.breakdown};
  auto sig = std::make_shared<const Signals>(compute_signals(p, options_));
  auto edges = std::make_shared<const std::vector<ServiceEdge>>(service_edges(p));
  if (also) also(p, *sig);
  previous_ = std::move(snapshot);
  std::lock_guard lock(mu_);
  latest_ = sig;
  edges_ = std::move(edges);
  return sig;
}

std::shared_ptr<const Signals> SignalsEngine::latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

std::shared_ptr<const std::vector<ServiceEdge>> SignalsEngine::latest_edges() const {
  std::lock_guard lock(mu_);
  return edges_;
}

}  // namespace kscope
