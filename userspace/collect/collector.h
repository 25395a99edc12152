// Reads every probe each interval into an immutable Snapshot, adds kscope's
// own metrics, publishes it, and tells listeners (signals, alerts, history).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "budget/budget_enforcer.h"
#include "collect/duty_cycle.h"
#include "collect/sampled_counters.h"
#include "model/snapshot.h"
#include "config/config.h"
#include "loader/probe.h"

namespace kscope {

// The syscall sampling mode's state (probes.syscalls.sampling), for health.
struct SyscallSamplingStatus {
  bool enabled = false;
  double attach_for_seconds = 0;
  double period_seconds = 0;
  bool attached = false;
  std::optional<double> attached_ratio;  // of the last closed window
  uint64_t cycles = 0;
  uint64_t attach_failures = 0;
};

class Collector {
 public:
  using Listener = std::function<void(const std::shared_ptr<const Snapshot>&)>;

  // `dispatch`: what a program run costs beyond its run time on this host
  // (budget/dispatch_calibration.h); the default counts run time only.
  Collector(Config config, std::vector<std::unique_ptr<Probe>> probes, std::vector<ProbeStatus> statuses,
            SnapshotStore& store, DispatchCost dispatch = {});
  ~Collector();

  // Called on the collector thread after each publish. Add before start().
  void add_listener(Listener listener);

  // Appends kscope's own families that live outside the probes (the event
  // stream's counters), each collection. Add before start().
  using MetricsSource = std::function<void(std::vector<Family>&)>;
  // Whether the kernel is counting BPF run time (checked each interval).
  // Without it the programs' stats are not read, the budget sees nothing and
  // kscope_bpf_program_run* / kscope_bpf_cpu_ratio are not exported. Default:
  // on. Call before start().
  void set_bpf_stats_active(std::function<bool()> active) { bpf_stats_active_ = std::move(active); }
  void add_metrics_source(MetricsSource source);

  // Collects once on the calling thread and publishes.
  void collect_once();

  // Starts the interval thread; stop() (or the destructor) ends it.
  void start();
  void stop();

  std::vector<ProbeStatus> statuses() const;
  // The CPU budget's state (config.budget); any thread.
  BudgetStatus budget_status() const { return budget_.status(); }
  std::chrono::steady_clock::time_point started_at() const { return started_; }
  // Any thread.
  SyscallSamplingStatus sampling_status() const;

 private:
  void loop();
  // Sampling mode: attaches or detaches the syscall probe when its duty
  // cycle says so (collector thread).
  void run_duty_cycle(std::chrono::steady_clock::time_point now);
  void append_sampling_metrics(std::vector<Family>& out);
  // program_stats[i]: probes_[i]'s, read this interval.
  void append_self_metrics(const std::vector<std::vector<ProgramStats>>& program_stats, std::vector<Family>& out);

  Config config_;
  std::vector<std::unique_ptr<Probe>> probes_;
  std::vector<ProbeStatus> statuses_;  // guarded by mu_
  BudgetEnforcer budget_;
  std::function<bool()> bpf_stats_active_ = [] { return true; };
  SnapshotStore& store_;
  std::vector<Listener> listeners_;
  std::vector<MetricsSource> metrics_sources_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  uint64_t sequence_ = 0;
  double last_collect_seconds_ = 0;
  // Sampling mode (probes.syscalls.sampling): the syscall probe's duty
  // cycle and the estimates of its families; empty when off.
  Probe* sampled_probe_ = nullptr;
  std::optional<DutyCycle> duty_;
  std::optional<SampledCounters> sampled_;
  SyscallSamplingStatus sampling_status_;  // guarded by mu_

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kscope
