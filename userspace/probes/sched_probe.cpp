#include "probes/sched_probe.h"

#include <bpf/bpf.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <map>
#include <numeric>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/cardinality.h"
#include "model/key_aging.h"
#include "model/target_labels.h"
#include "kscope/abi/sched.h"
#include "loader/bpf_support.h"
#include "loader/probe_setup.h"
#include "loader/skeleton.h"
#include "probes/breakdown_counter.h"
#include "probes/live_entries.h"
#include "probes/perf_sampler.h"
#include "probes/stack_maps.h"
#include "sched.skel.h"

static_assert(sizeof(runq_key) == 32, "runq_key layout is shared with bpf/sched.bpf.c");
static_assert(sizeof(sched_task_state) == 40, "sched_task_state layout");
static_assert(sizeof(offcpu_key) == 64, "offcpu_key layout");
static_assert(offsetof(offcpu_key, kstack) == 40 && offsetof(offcpu_key, ustack_id) == 52, "offcpu_key offsets");
static_assert(sizeof(offcpu_value) == 16, "offcpu_value layout");
static_assert(sizeof(runq_length) == 24, "runq_length layout");
static_assert(sizeof(kscope_kstack) == KSCOPE_KSTACK_DEPTH * 8, "kscope_kstack layout");

namespace kscope {
namespace {

using Skeleton = SkeletonPtr<sched_bpf, sched_bpf__destroy>;

class SchedProbeImpl final : public SchedProbe {
 public:
  explicit SchedProbeImpl(StackKeys offcpu_stacks) : offcpu_stacks_(offcpu_stacks) {}

  std::string_view name() const override { return "sched"; }

  Status start(const Config& config) override {
    labeler_ = std::make_unique<TargetLabeler>(config.breakdown);
    runq_aging_ = std::make_unique<KeyAging>(config.series_ttl);
    offcpu_key_aging_ = std::make_unique<KeyAging>(config.series_ttl);
    offcpu_aging_ = std::make_unique<SeriesAging>(config.series_ttl);
    runq_enabled_ = config.probes.sched.enabled;
    offcpu_enabled_ = config.probes.offcpu.enabled;
    // tp_btf needs no tracefs, keeps per-task state in task storage and can
    // read a blocked task's kernel stack; raw_tp is the fallback.
    auto first = open_and_load(config, /*btf=*/true);
    if (!first) {
      spdlog::debug("probe=sched tp_btf failed, trying raw_tp: {}", first.error().to_string());
      auto second = open_and_load(config, /*btf=*/false);
      if (!second) return first.error();
      spdlog::warn("probe=sched using raw_tp: off-CPU stacks have no kernel frames");
    }
    runq_frequency_ = config.probes.sched.runqueue_frequency;
    mark_attach_time(skel_->bss->kscope_attached_ns);
    int err = sched_bpf__attach(skel_.get());
    if (err) {
      skel_.reset();
      return libbpf_error("probe sched: attach failed", err);
    }
    seed_blocked_tasks();
    if (runq_enabled_) {
      auto st = attach_runq_sampler();
      // Run-queue latency and switches still work; say what is missing.
      if (!st) spdlog::warn("probe=sched no run-queue length: {}", st.error().to_string());
      runq_sampling_ = st.ok();
    }
    return ok_status();
  }

  Status detach() override {
    if (!skel_) return ok_status();
    runq_sampler_ = PerfSampler();
    sched_bpf__detach(skel_.get());
    return ok_status();
  }

  Status attach() override {
    if (!skel_) return Error("probe sched: not loaded");
    mark_attach_time(skel_->bss->kscope_attached_ns);
    int err = sched_bpf__attach(skel_.get());
    if (err) return libbpf_error("probe sched: attach failed", err);
    seed_blocked_tasks();
    return runq_sampling_ ? attach_runq_sampler() : ok_status();
  }

  // Run-queue length is a mean over samples: a lower rate keeps its unit.
  bool samples() const override { return runq_sampling_; }

  Status set_sampling_divisor(uint32_t divisor) override {
    runq_divisor_ = std::max<uint32_t>(divisor, 1);
    if (!runq_sampling_ || runq_sampler_.cpus() == 0) return ok_status();  // detached: applies at attach()
    return attach_runq_sampler();
  }

  void collect(CollectContext& ctx) override {
    if (!skel_) return;
    const std::string& label = labeler_->label_name();
    if (runq_enabled_) {
      Family latency{"kscope_runqueue_latency_seconds",
                     "Time runnable tasks waited on a run queue, from wakeup or preemption to running.",
                     MetricType::kHistogram, {}};
      // Targets idle for series_ttl leave the kernel map too, so processes
      // that come and go don't fill it (a returning one starts from zero).
      // Without a breakdown the one host-wide key stays.
      for_each_live_entry<runq_key, kscope_hist>(
          skel_->maps.runq_latency, label.empty() ? nullptr : runq_aging_.get(),
          [](const kscope_hist& h) { return std::accumulate(std::begin(h.buckets), std::end(h.buckets), uint64_t{0}); },
          [&](const runq_key& k, const kscope_hist& h) {
            Series s{{}, 0, Histogram::from_kernel(h)};
            if (s.histogram->count() == 0) return;
            s.labels = labeler_->labels(k.target, k.flags);
            latency.series.push_back(std::move(s));
          });
      fold_breakdown(latency, label, ctx.config.max_series);
      ctx.out.push_back(std::move(latency));
      collect_runq_length(ctx);
    }

    auto [vol, invol] = context_switches();
    ctx.out.push_back({"kscope_context_switches_total",
                       "Tasks switched off a CPU: voluntary when they blocked, involuntary when preempted.",
                       MetricType::kCounter,
                       {{{{"kind", "voluntary"}}, double(vol), {}}, {{{"kind", "involuntary"}}, double(invol), {}}}});

    if (offcpu_enabled_) {
      accrue_offcpu();
      std::map<Labels, double> by_label;
      // Keyed by target alone (kscope run), idle targets leave the kernel
      // map as run-queue latency's do; keys with stacks stay for the reader.
      const bool per_target = offcpu_stacks_ == StackKeys::kOmit && !label.empty();
      for_each_live_entry<offcpu_key, offcpu_value>(
          skel_->maps.offcpu_time, per_target ? offcpu_key_aging_.get() : nullptr,
          // Time, not blocks: a thread asleep for an hour accrues all along.
          [](const offcpu_value& v) { return v.total_ns; },
          [&](const offcpu_key& k, const offcpu_value& v) {
            by_label[labeler_->labels(k.target, k.flags)] += double(v.total_ns) / 1e9;
          });
      ctx.out.push_back(breakdown_counter(
          "kscope_offcpu_seconds_total",
          "Time tasks spent blocked off-CPU, counted as it passes (at most one second per thread per second), "
          "for blocks of at least probes.offcpu min_block.",
          label, by_label,
          ctx.config.max_series, offcpu_aging_.get()));
    }
  }

  std::vector<ProgramStats> program_stats() const override {
    return skel_ ? object_program_stats(skel_->obj) : std::vector<ProgramStats>{};
  }

  std::vector<std::pair<std::string, uint64_t>> map_overflows() const override {
    if (!skel_) return {};
    const bpf_map* m = skel_->maps.sched_overflow;
    return {{"runq_latency", percpu_u64_sum(m, KSCOPE_SCHED_OVF_RUNQ_LATENCY)},
            {"offcpu_time", percpu_u64_sum(m, KSCOPE_SCHED_OVF_OFFCPU)},
            {"offcpu_user_stacks", percpu_u64_sum(m, KSCOPE_SCHED_OVF_USER_STACKS)},
            {"offcpu_kernel_stacks", percpu_u64_sum(m, KSCOPE_SCHED_OVF_KERNEL_STACKS)},
            {"sched_task", percpu_u64_sum(m, KSCOPE_SCHED_OVF_TASK_STATE)}};
  }

  std::vector<StackSample> offcpu_stacks() const override {
    std::vector<StackSample> out;
    if (!skel_ || !offcpu_enabled_) return out;
    accrue_offcpu();  // blocks still in progress count up to now
    std::unordered_map<uint64_t, std::vector<uint64_t>> kernel_stacks;
    auto kernel_stack = [&](uint64_t key) -> const std::vector<uint64_t>& {
      auto it = kernel_stacks.find(key);
      if (it != kernel_stacks.end()) return it->second;
      kscope_kstack ks{};
      std::vector<uint64_t> frames;
      if (key != 0 && bpf_map__lookup_elem(skel_->maps.offcpu_kernel_stacks, &key, sizeof(key), &ks, sizeof(ks), 0) == 0) {
        frames = trim_frames(reinterpret_cast<const uint64_t*>(ks.ips), KSCOPE_KSTACK_DEPTH);
      }
      return kernel_stacks.emplace(key, std::move(frames)).first->second;
    };
    for_each_entry<offcpu_key, offcpu_value>(skel_->maps.offcpu_time, [&](const offcpu_key& k, const offcpu_value& v) {
      StackSample s;
      s.other = (k.flags & KSCOPE_KEY_OTHER) != 0;
      s.tgid = k.tgid;
      s.comm.assign(k.comm, strnlen(k.comm, sizeof(k.comm)));
      s.user = read_stack_trace(skel_->maps.offcpu_user_stacks, k.ustack_id);
      s.user_lost = k.ustack_id == KSCOPE_LOST_STACK;
      s.kernel = kernel_stack(k.kstack);
      s.weight = v.total_ns;
      s.count = v.count;
      out.push_back(std::move(s));
    });
    return out;
  }

  OffcpuStats offcpu_stats() const override {
    if (!skel_) return {};
    const bpf_map* m = skel_->maps.sched_offcpu_stats;
    return {percpu_u64_sum(m, KSCOPE_OFFCPU_BLOCKS), percpu_u64_sum(m, KSCOPE_OFFCPU_USTACK_WALKS),
            percpu_u64_sum(m, KSCOPE_OFFCPU_USTACK_HITS), percpu_u64_sum(m, KSCOPE_OFFCPU_RECORDED)};
  }

  std::pair<uint64_t, uint64_t> context_switches() const override {
    if (!skel_) return {0, 0};
    const bpf_map* m = skel_->maps.sched_switches;
    return {percpu_u64_sum(m, KSCOPE_SWITCH_VOLUNTARY), percpu_u64_sum(m, KSCOPE_SWITCH_INVOLUNTARY)};
  }

 private:
  Status open_and_load(const Config& config, bool btf) {
    skel_.reset(sched_bpf__open());
    if (!skel_) return libbpf_error("probe sched: open failed", -errno);
    auto* s = skel_.get();
    bpf_program__set_autoload(s->progs.handle_sched_wakeup, btf);
    bpf_program__set_autoload(s->progs.handle_sched_wakeup_new, btf);
    bpf_program__set_autoload(s->progs.handle_sched_switch, btf);
    bpf_program__set_autoload(s->progs.handle_sched_wakeup_raw, !btf);
    bpf_program__set_autoload(s->progs.handle_sched_wakeup_new_raw, !btf);
    bpf_program__set_autoload(s->progs.handle_sched_switch_raw, !btf);
    bpf_program__set_autoload(s->progs.handle_runq_sample, runq_enabled_);
    // Iterators need BTF too; under raw_tp a block counts when it ends.
    bpf_program__set_autoload(s->progs.accrue_offcpu, btf && config.probes.offcpu.enabled);
    bpf_map__set_autocreate(btf ? s->maps.sched_task_lru : s->maps.sched_task, false);
    auto targets = target_tunables(config);
    if (!targets) return targets.error();
    s->rodata->targ_breakdown = targets->breakdown;
    s->rodata->targ_tgid = targets->tgid;
    s->rodata->targ_cgroup_id = targets->cgroup_id;
    const auto& off = config.probes.offcpu;
    s->rodata->targ_offcpu = off.enabled ? 1 : 0;
    const bool stacks = off.enabled && offcpu_stacks_ == StackKeys::kRecord;
    s->rodata->targ_offcpu_stacks = stacks ? 1 : 0;
    s->rodata->targ_min_block_ns = static_cast<uint64_t>(off.min_block.count());
    s->rodata->targ_max_block_ns = static_cast<uint64_t>(off.max_block.count());
    bpf_map__set_max_entries(s->maps.runq_latency, config.probes.sched.max_entries);
    // Off-CPU maps cost memory (a user stack is 1 KiB): one entry when off.
    bpf_map__set_max_entries(s->maps.offcpu_time, off.enabled ? off.max_stacks : 1);
    bpf_map__set_max_entries(s->maps.offcpu_user_stacks, stacks ? off.max_stacks : 1);
    bpf_map__set_max_entries(s->maps.offcpu_kernel_stacks, stacks ? off.max_stacks : 1);
    int err = sched_bpf__load(s);
    if (err) {
      Error e = load_error("sched", err);
      skel_.reset();
      return e;
    }
    return ok_status();
  }

  // Counts the blocks in progress up to now (bpf/sched.bpf.c): one pass of
  // the task iterator. A failure leaves the time to be counted at wake-up.
  void accrue_offcpu() const {
    const bpf_link* link = skel_ ? skel_->links.accrue_offcpu : nullptr;
    if (link == nullptr) return;
    int fd = bpf_iter_create(bpf_link__fd(link));
    if (fd < 0) {
      spdlog::debug("probe=sched off-CPU accrual: bpf_iter_create: {}", -fd);
      return;
    }
    char buf[64];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    close(fd);
  }

  // Tasks blocked when kscope attached are counted from then on.
  void seed_blocked_tasks() {
    if (!skel_ || skel_->links.accrue_offcpu == nullptr) return;
    skel_->bss->seed_blocked = 1;
    accrue_offcpu();
    skel_->bss->seed_blocked = 0;
  }

  Status attach_runq_sampler() {
    runq_sampler_ = PerfSampler();
    auto sampler = PerfSampler::attach(skel_->progs.handle_runq_sample, divided_rate(runq_frequency_, runq_divisor_));
    if (!sampler) return sampler.error().with_context("probe sched");
    runq_sampler_ = std::move(*sampler);
    return ok_status();
  }

  // kscope_runqueue_length{cpu}: tasks waiting for each CPU, the mean of the
  // samples taken since the previous collection.
  void collect_runq_length(CollectContext& ctx) {
    if (runq_sampler_.cpus() == 0) return;
    std::vector<runq_length> per_cpu(static_cast<size_t>(possible_cpus()));
    uint32_t zero = 0;
    if (bpf_map__lookup_elem(skel_->maps.sched_runq_samples, &zero, sizeof(zero), per_cpu.data(),
                             per_cpu.size() * sizeof(runq_length), 0) != 0) {
      return;
    }
    prev_runq_.resize(per_cpu.size());
    Family length{"kscope_runqueue_length",
                  "Runnable tasks waiting for the CPU (not running), mean of cpu-clock samples over the last "
                  "interval.",
                  MetricType::kGauge, {}};
    for (size_t cpu = 0; cpu < per_cpu.size(); ++cpu) {
      uint64_t samples = per_cpu[cpu].samples - prev_runq_[cpu].samples;
      uint64_t queued = per_cpu[cpu].queued_sum - prev_runq_[cpu].queued_sum;
      if (samples == 0) continue;
      length.series.push_back({{{"cpu", std::to_string(cpu)}}, double(queued) / double(samples), {}});
    }
    prev_runq_ = per_cpu;
    ctx.out.push_back(std::move(length));
  }

  Skeleton skel_;
  PerfSampler runq_sampler_;
  bool runq_sampling_ = false;  // the run-queue length sampler could attach
  uint32_t runq_frequency_ = 49;
  uint32_t runq_divisor_ = 1;  // the CPU budget's: sampling at runq_frequency_ / runq_divisor_
  std::vector<runq_length> prev_runq_;
  std::unique_ptr<TargetLabeler> labeler_;
  StackKeys offcpu_stacks_;
  // Exited targets leave the per-target families after series_ttl, and
  // their keys the kernel maps (offcpu_time: when keyed by target alone).
  std::unique_ptr<KeyAging> runq_aging_;
  std::unique_ptr<KeyAging> offcpu_key_aging_;
  std::unique_ptr<SeriesAging> offcpu_aging_;
  bool runq_enabled_ = true;
  bool offcpu_enabled_ = true;
};

}  // namespace

std::unique_ptr<SchedProbe> create_sched_probe(StackKeys offcpu_stacks) {
  return std::make_unique<SchedProbeImpl>(offcpu_stacks);
}
std::unique_ptr<Probe> make_sched_probe() { return create_sched_probe(StackKeys::kOmit); }

}  // namespace kscope
