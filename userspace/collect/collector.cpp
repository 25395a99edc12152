#include "collect/collector.h"

#include <spdlog/spdlog.h>

#include "collect/process_metrics.h"
#include "common/thread_name.h"

namespace kscope {

Collector::Collector(Config config, std::vector<std::unique_ptr<Probe>> probes,
                     std::vector<ProbeStatus> statuses, SnapshotStore& store, DispatchCost dispatch)
    : config_(std::move(config)),
      probes_(std::move(probes)),
      statuses_(std::move(statuses)),
      budget_(config_.budget, std::move(dispatch)),
      store_(store) {}

Collector::~Collector() { stop(); }

void Collector::add_listener(Listener listener) { listeners_.push_back(std::move(listener)); }

void Collector::add_metrics_source(MetricsSource source) { metrics_sources_.push_back(std::move(source)); }

std::vector<ProbeStatus> Collector::statuses() const {
  std::lock_guard lock(mu_);
  return statuses_;
}

void Collector::collect_once() {
  auto t0 = std::chrono::steady_clock::now();
  auto snap = std::make_shared<Snapshot>();
  snap->taken_at = std::chrono::system_clock::now();
  snap->taken_steady = t0;
  snap->sequence = ++sequence_;
  // The budget acts before the maps are read, so a snapshot that shows a
  // probe detached also holds its counts as they froze.
  // Read once: the budget measures with it and the self-metrics export it.
  const bool stats = bpf_stats_active_();
  std::vector<std::vector<ProgramStats>> program_stats(probes_.size());
  if (stats) {
    for (size_t i = 0; i < probes_.size(); ++i) program_stats[i] = probes_[i]->program_stats();
    std::lock_guard lock(mu_);
    budget_.tick(t0, probes_, program_stats, statuses_);
  }
  for (auto& probe : probes_) {
    CollectContext ctx{config_, snap->families};
    probe->collect(ctx);
  }
  append_self_metrics(program_stats, snap->families);
  std::shared_ptr<const Snapshot> published = snap;
  store_.publish(published);
  last_collect_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto& l : listeners_) l(published);
}

void Collector::append_self_metrics(const std::vector<std::vector<ProgramStats>>& program_stats,
                                    std::vector<Family>& out) {
  Family up{"kscope_probe_up", "Whether a probe family is loaded and attached (1) or not (0).",
            MetricType::kGauge, {}};
  for (const auto& st : statuses()) up.series.push_back({{{"probe", st.name}}, st.up ? 1.0 : 0.0, {}});

  Family runs{"kscope_bpf_program_runs_total", "Times each kscope BPF program ran.", MetricType::kCounter, {}};
  Family run_time{"kscope_bpf_program_run_seconds_total", "Time spent in each kscope BPF program.",
                  MetricType::kCounter, {}};
  Family overflow{"kscope_map_overflow_total",
                  "Events folded into 'other' or dropped because a BPF map was full.", MetricType::kCounter, {}};
  Family lost{"kscope_events_lost_total", "Events lost on the way from the kernel (ring buffer full).",
              MetricType::kCounter, {}};
  for (size_t i = 0; i < probes_.size(); ++i) {
    const auto& probe = probes_[i];
    for (const auto& ps : program_stats[i]) {
      Labels l{{"probe", std::string(probe->name())}, {"program", ps.name}};
      runs.series.push_back({l, static_cast<double>(ps.run_count), {}});
      run_time.series.push_back({l, static_cast<double>(ps.run_time_ns) * 1e-9, {}});
    }
    for (const auto& [map, n] : probe->map_overflows()) {
      overflow.series.push_back({{{"probe", std::string(probe->name())}, {"map", map}}, static_cast<double>(n), {}});
    }
    lost.series.push_back({{{"probe", std::string(probe->name())}}, static_cast<double>(probe->events_lost()), {}});
  }
  Family build{"kscope_build_info", "kscope version; always 1.", MetricType::kGauge,
               {{{{"version", KSCOPE_VERSION}}, 1.0, {}}}};
  Family collect{"kscope_collect_duration_seconds", "How long the previous collection of all probes took.",
                 MetricType::kGauge, {{{}, last_collect_seconds_, {}}}};
  Family uptime{"kscope_uptime_seconds", "Seconds since kscope started.", MetricType::kGauge,
                {{{}, std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(), {}}}};
  for (Family* f : {&up, &runs, &run_time, &overflow, &lost, &build, &collect, &uptime}) out.push_back(std::move(*f));
  budget_.append_metrics(out);
  append_process_metrics(out);
  for (const auto& source : metrics_sources_) source(out);
}

void Collector::start() {
  thread_ = std::thread([this] {
    name_this_thread("kscope-collect");
    loop();
  });
}

void Collector::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Collector::loop() {
  auto next = std::chrono::steady_clock::now();
  while (true) {
    collect_once();
    next += config_.interval;
    auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;  // fell behind: don't burst to catch up
    std::unique_lock lock(mu_);
    if (cv_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

}  // namespace kscope
