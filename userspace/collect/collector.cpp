#include "collect/collector.h"

#include <spdlog/spdlog.h>

#include "collect/process_metrics.h"
#include "common/duration.h"
#include "common/thread_name.h"

namespace kscope {

Collector::Collector(Config config, std::vector<std::unique_ptr<Probe>> probes,
                     std::vector<ProbeStatus> statuses, SnapshotStore& store, DispatchCost dispatch)
    : config_(std::move(config)),
      probes_(std::move(probes)),
      statuses_(std::move(statuses)),
      budget_(config_.budget, std::move(dispatch)),
      store_(store) {
  const auto& sampling = config_.probes.syscalls.sampling;
  if (!sampling.enabled) return;
  for (auto& probe : probes_) {
    if (probe->name() == "syscalls") sampled_probe_ = probe.get();
  }
  if (!sampled_probe_) return;
  auto now = std::chrono::steady_clock::now();
  duty_.emplace(sampling.attach_for, sampling.period, now);
  duty_->attached(now);  // start() attached it
  sampled_.emplace(sampling.period, now);
  spdlog::info("syscall sampling: the syscall probe is attached {} of every {}; its counts, bytes and histograms are "
               "estimates (scaled by time attached, one period late) and carry sampled=\"true\"",
               format_duration(sampling.attach_for), format_duration(sampling.period));
}

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
  // A sampling-mode transition due now happens before the maps are read.
  run_duty_cycle(t0);
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
    size_t first = snap->families.size();
    probe->collect(ctx);
    if (probe.get() == sampled_probe_ && sampled_) {
      auto read_at = std::chrono::steady_clock::now();
      sampled_->apply(snap->families, first, read_at, duty_->close_if_due(read_at));
    }
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
  append_sampling_metrics(out);
  append_process_metrics(out);
  for (const auto& source : metrics_sources_) source(out);
}

void Collector::run_duty_cycle(std::chrono::steady_clock::time_point now) {
  if (!duty_) return;
  switch (duty_->next_action(now)) {
    case DutyCycle::Action::kNone: return;
    case DutyCycle::Action::kDetach: {
      auto before = std::chrono::steady_clock::now();
      if (auto st = sampled_probe_->detach(); !st) {
        // Detach destroys links and does not fail today; if it does, the
        // programs may still count: treated as attached until the next try.
        spdlog::warn("syscall sampling: detach failed: {}", st.error().to_string());
        return;
      }
      duty_->detached(before);
      return;
    }
    case DutyCycle::Action::kAttach: {
      auto st = sampled_probe_->attach();
      auto after = std::chrono::steady_clock::now();
      if (st) {
        duty_->attached(after);
      } else if (duty_->attach_failed(after)) {
        spdlog::warn("syscall sampling: re-attach failed, retrying every second while this period's attached part "
                     "lasts (kscope_syscall_sampling_attach_failures_total counts them): {}",
                     st.error().to_string());
      }
      return;
    }
  }
}

SyscallSamplingStatus Collector::sampling_status() const {
  std::lock_guard lock(mu_);
  return sampling_status_;
}

void Collector::append_sampling_metrics(std::vector<Family>& out) {
  if (!duty_) return;
  SyscallSamplingStatus s;
  s.enabled = true;
  s.attach_for_seconds = std::chrono::duration<double>(duty_->on()).count();
  s.period_seconds = std::chrono::duration<double>(duty_->period()).count();
  s.attached = duty_->is_attached();
  s.attached_ratio = duty_->last_attached_ratio();
  s.cycles = duty_->cycles();
  s.attach_failures = duty_->attach_failures();
  out.push_back({"kscope_syscall_sampling_attached",
                 "Sampling mode: whether the syscall probe's programs are attached now (1) or detached (0).",
                 MetricType::kGauge, {{{}, s.attached ? 1.0 : 0.0, {}}}});
  if (s.attached_ratio) {
    out.push_back({"kscope_syscall_sampling_attached_ratio",
                   "Sampling mode: the fraction of the last period the syscall programs were really attached; the "
                   "sampled=\"true\" series were scaled by its inverse.",
                   MetricType::kGauge, {{{}, *s.attached_ratio, {}}}});
  }
  out.push_back({"kscope_syscall_sampling_cycles_total",
                 "Sampling mode: attach/detach cycles of the syscall probe's programs.", MetricType::kCounter,
                 {{{}, double(s.cycles), {}}}});
  out.push_back({"kscope_syscall_sampling_attach_failures_total",
                 "Sampling mode: attaches of the syscall probe that failed (each is retried).", MetricType::kCounter,
                 {{{}, double(s.attach_failures), {}}}});
  std::lock_guard lock(mu_);
  sampling_status_ = s;
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
    auto now = std::chrono::steady_clock::now();
    if (now >= next) {
      collect_once();
      next += config_.interval;
      now = std::chrono::steady_clock::now();
      if (next < now) next = now;  // fell behind: don't burst to catch up
    } else {
      run_duty_cycle(now);  // woken for the sampling mode's attach or detach
    }
    // The sampling mode's transitions fall between collections (one still
    // due after it was tried waits for the next collection).
    auto wake = next;
    if (duty_ && duty_->next_due() > now) wake = std::min(next, duty_->next_due());
    std::unique_lock lock(mu_);
    if (cv_.wait_until(lock, wake, [this] { return stopping_; })) return;
  }
}

}  // namespace kscope
