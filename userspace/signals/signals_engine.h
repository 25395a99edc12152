// Computes Signals from consecutive snapshots (collector thread) and hands
// the latest out to readers (HTTP, rules) on any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "signals/metric_query.h"
#include "signals/service_map.h"
#include "signals/signals.h"

namespace kscope {

struct SignalsOptions {
  std::string breakdown;                  // label name of targets ("comm", "cgroup"), "" for none
  std::vector<std::string> syscalls;      // latency signal over these syscalls; empty: all
  // Idle waits (series with idle="true") in the latency signal too. Off:
  // an event loop's epoll_wait would make every server look slow.
  bool include_idle_waits = false;
  uint32_t profile_frequency = 99;        // samples per second per busy CPU
  unsigned online_cpus = 1;
};

// The signals between two snapshots (p.previous may be null: latency and
// rates are then absent, gauges present).
Signals compute_signals(const IntervalPair& p, const SignalsOptions& options);

class SignalsEngine {
 public:
  explicit SignalsEngine(SignalsOptions options) : options_(std::move(options)) {}

  // Collector thread only: computes the signals since the previous snapshot
  // given here and publishes them. `also` (may be empty) runs before the
  // publish with the same pair of snapshots, for rules that read metrics.
  using PairListener = std::function<void(const IntervalPair&, const Signals&)>;
  std::shared_ptr<const Signals> update(std::shared_ptr<const Snapshot> snapshot, const PairListener& also = {});

  // Never null (empty Signals before the first update). Thread-safe.
  std::shared_ptr<const Signals> latest() const;
  // Who called whom over the latest interval (signals/service_map.h); never
  // null. Thread-safe.
  std::shared_ptr<const std::vector<ServiceEdge>> latest_edges() const;

 private:
  SignalsOptions options_;
  std::shared_ptr<const Snapshot> previous_;
  mutable std::mutex mu_;
  std::shared_ptr<const Signals> latest_ = std::make_shared<Signals>();
  std::shared_ptr<const std::vector<ServiceEdge>> edges_ = std::make_shared<std::vector<ServiceEdge>>();
};

}  // namespace kscope
