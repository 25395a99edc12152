// Test support: a host whose kernel counters the test drives by hand, and
// snapshots of them one fake second apart (no kernel, no clock).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "model/snapshot.h"

namespace kscope::testing {

class FakeHost {
 public:
  // n calls of `syscall` by `comm`, each taking latency_ns; bytes each for the
  // read/write families.
  void calls(const std::string& syscall, const std::string& comm, int n, uint64_t latency_ns, double bytes = 0) {
    Histogram& h = latency_[{syscall, comm}];
    for (int i = 0; i < n; ++i) h.record_ns(latency_ns);
    if (bytes > 0) bytes_[{syscall, comm}] += bytes * n;
  }
  // The syscall's latency series carry idle="true", as the probe's do for
  // idle waits (probes/idle_waits.h).
  void idle_wait(const std::string& syscall) { idle_.insert(syscall); }
  void errors(const std::string& syscall, const std::string& err, const std::string& comm, int n) {
    errors_[{syscall, err, comm}] += n;
  }
  // n run-queue waits of latency_ns by comm's threads. kernel: comm is a
  // kernel thread, whose series carry kernel="true" as the sched probe's do
  // (a process of the same name is another target).
  void runq_waits(const std::string& comm, int n, uint64_t latency_ns, bool kernel = false) {
    Histogram& h = runq_[{comm, kernel}];
    for (int i = 0; i < n; ++i) h.record_ns(latency_ns);
  }
  void counter(const std::string& family, const std::string& comm, double add) { counters_[{family, comm}] += add; }
  void gauge(const std::string& family, const std::string& cpu, double v) { gauges_[{family, cpu}] = v; }
  // A counter series with labels of its own (cgroup, device, ...).
  void labeled_counter(const std::string& family, const Labels& labels, double add) {
    labeled_[{family, labels}] += add;
  }
  // n observations of latency_ns in a histogram series with labels of its
  // own (the request engines' duration families).
  void labeled_histogram(const std::string& family, const Labels& labels, int n, uint64_t latency_ns) {
    Histogram& h = labeled_hist_[{family, labels}];
    for (int i = 0; i < n; ++i) h.record_ns(latency_ns);
  }
  // Forgets every counter, as after a probe restart.
  void reset() {
    latency_.clear();
    bytes_.clear();
    errors_.clear();
    counters_.clear();
    runq_.clear();
  }

  std::chrono::steady_clock::time_point now() const { return t0_ + std::chrono::seconds(tick_); }
  std::chrono::system_clock::time_point wall() const { return w0_ + std::chrono::seconds(tick_); }

  // Advances the fake clock by `seconds` and snapshots the counters.
  std::shared_ptr<const Snapshot> snapshot(int seconds = 1) {
    tick_ += seconds;
    auto s = std::make_shared<Snapshot>();
    s->taken_steady = now();
    s->taken_at = wall();
    s->sequence = static_cast<uint64_t>(tick_);
    Family lat{"kscope_syscall_latency_seconds", "", MetricType::kHistogram, {}};
    for (const auto& [k, h] : latency_) {
      Labels labels{{"syscall", k.first}, {"comm", k.second}};
      if (idle_.count(k.first) != 0) labels.emplace_back("idle", "true");
      lat.series.push_back({labels, 0, h});
    }
    Family bytes{"kscope_syscall_bytes_total", "", MetricType::kCounter, {}};
    for (const auto& [k, v] : bytes_) bytes.series.push_back({{{"syscall", k.first}, {"comm", k.second}}, v, {}});
    Family errs{"kscope_syscall_errors_total", "", MetricType::kCounter, {}};
    for (const auto& [k, v] : errors_) {
      errs.series.push_back(
          {{{"syscall", std::get<0>(k)}, {"errno", std::get<1>(k)}, {"comm", std::get<2>(k)}}, v, {}});
    }
    s->families = {lat, bytes, errs};
    if (!runq_.empty()) {
      Family rq{"kscope_runqueue_latency_seconds", "", MetricType::kHistogram, {}};
      for (const auto& [k, h] : runq_) {
        Labels labels{{"comm", k.first}};
        if (k.second) labels.emplace_back("kernel", "true");
        rq.series.push_back({labels, 0, h});
      }
      s->families.push_back(rq);
    }
    std::map<std::string, Family> extra;
    for (const auto& [k, v] : counters_) {
      auto& f = extra[k.first];
      f.name = k.first;
      f.type = MetricType::kCounter;
      f.series.push_back({{{"comm", k.second}}, v, {}});
    }
    for (const auto& [k, v] : gauges_) {
      auto& f = extra[k.first];
      f.name = k.first;
      f.type = MetricType::kGauge;
      f.series.push_back({{{"cpu", k.second}}, v, {}});
    }
    for (const auto& [k, v] : labeled_) {
      auto& f = extra[k.first];
      f.name = k.first;
      f.type = MetricType::kCounter;
      f.series.push_back({k.second, v, {}});
    }
    for (const auto& [k, h] : labeled_hist_) {
      auto& f = extra[k.first];
      f.name = k.first;
      f.type = MetricType::kHistogram;
      f.series.push_back({k.second, 0, h});
    }
    for (auto& [n, f] : extra) s->families.push_back(f);
    return s;
  }

 private:
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::time_point(std::chrono::hours(1000));
  std::chrono::system_clock::time_point w0_ = std::chrono::system_clock::from_time_t(1800000000);
  int tick_ = 0;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::set<std::string> idle_;
  std::map<std::pair<std::string, std::string>, double> bytes_;
  std::map<std::tuple<std::string, std::string, std::string>, double> errors_;
  std::map<std::pair<std::string, std::string>, double> counters_;
  std::map<std::pair<std::string, bool>, Histogram> runq_;
  std::map<std::pair<std::string, std::string>, double> gauges_;
  std::map<std::pair<std::string, Labels>, double> labeled_;
  std::map<std::pair<std::string, Labels>, Histogram> labeled_hist_;
};

}  // namespace kscope::testing
