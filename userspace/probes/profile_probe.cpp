#include "probes/profile_probe.h"

#include <bpf/bpf.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "model/target_labels.h"
#include "kscope/abi/profile.h"
#include "loader/bpf_support.h"
#include "loader/probe_setup.h"
#include "loader/skeleton.h"
#include "probes/breakdown_counter.h"
#include "probes/live_entries.h"
#include "probes/perf_sampler.h"
#include "probes/stack_maps.h"
#include "profile.skel.h"

static_assert(sizeof(profile_key) == 56, "profile_key layout is shared with bpf/profile.bpf.c");
static_assert(offsetof(profile_key, tgid) == 40 && offsetof(profile_key, flags) == 52, "profile_key offsets");

namespace kscope {
namespace {

using Skeleton = SkeletonPtr<profile_bpf, profile_bpf__destroy>;

class ProfileProbeImpl final : public ProfileProbe {
 public:
  explicit ProfileProbeImpl(StackKeys stacks) : stacks_(stacks) {}

  std::string_view name() const override { return "profile"; }

  Status start(const Config& config) override {
    labeler_ = std::make_unique<TargetLabeler>(config.breakdown);
    aging_ = std::make_unique<SeriesAging>(config.series_ttl);
    key_aging_ = std::make_unique<KeyAging>(config.series_ttl);
    skel_.reset(profile_bpf__open());
    if (!skel_) return libbpf_error("probe profile: open failed", -errno);
    auto* s = skel_.get();
    auto targets = target_tunables(config);
    if (!targets) return targets.error();
    s->rodata->targ_breakdown = targets->breakdown;
    s->rodata->targ_tgid = targets->tgid;
    s->rodata->targ_cgroup_id = targets->cgroup_id;
    const bool stacks = stacks_ == StackKeys::kRecord;
    s->rodata->targ_stacks = stacks ? 1 : 0;
    bpf_map__set_max_entries(s->maps.profile_samples, config.probes.profile.max_stacks);
    bpf_map__set_max_entries(s->maps.profile_stacks, stacks ? config.probes.profile.max_stacks : 1);
    int err = profile_bpf__load(s);
    if (err) {
      Error e = load_error("profile", err);
      skel_.reset();
      return e;
    }
    frequency_ = config.probes.profile.frequency;
    auto st = attach();
    if (!st) skel_.reset();
    return st;
  }

  // The programs hang on perf events only: detaching closes them.
  Status detach() override {
    sampler_ = PerfSampler();
    return ok_status();
  }

  Status attach() override {
    if (!skel_) return Error("probe profile: not loaded");
    sampler_ = PerfSampler();
    auto sampler = PerfSampler::attach(skel_->progs.handle_cpu_sample, divided_rate(frequency_, divisor_));
    if (!sampler) return sampler.error().with_context("probe profile");
    sampler_ = std::move(*sampler);
    return ok_status();
  }

  bool samples() const override { return true; }

  Status set_sampling_divisor(uint32_t divisor) override {
    if (!skel_) return Error("probe profile: not loaded");
    divisor_ = std::max<uint32_t>(divisor, 1);
    // Each sample then stands for frequency / rate samples at the
    // configured rate (rounded: within 2% at 99 Hz for divisors up to 4).
    skel_->data->kscope_sample_weight = divisor_;
    if (sampler_.cpus() == 0) return ok_status();  // detached: applies at attach()
    return attach();
  }

  void collect(CollectContext& ctx) override {
    if (!skel_) return;
    const std::string& label = labeler_->label_name();
    std::map<Labels, double> by_label;
    // Keyed by target alone (kscope run), idle targets leave the kernel map
    // as run-queue latency's do; keys with stacks stay for the reader.
    const bool per_target = stacks_ == StackKeys::kOmit && !label.empty();
    for_each_live_entry<profile_key, uint64_t>(
        skel_->maps.profile_samples, per_target ? key_aging_.get() : nullptr, [](uint64_t n) { return n; },
        [&](const profile_key& k, const uint64_t& n) {
          by_label[labeler_->labels(k.target, k.flags)] += double(n);
        });
    Family samples = breakdown_counter("kscope_cpu_samples_total",
                                       "On-CPU samples of the software cpu-clock (probes.profile.frequency per CPU "
                                       "per second, also while the CPU budget samples less often); idle CPUs "
                                       "are not counted.",
                                       label, by_label, ctx.config.max_series, aging_.get());
    // The same samples as CPU time: its rate is the cores a target keeps
    // busy (top's and the dashboard's CPU column), estimated from samples.
    Family seconds{"kscope_cpu_seconds_total",
                   "CPU time on-CPU, estimated from the cpu-clock samples (samples / probes.profile.frequency); "
                   "its rate is CPUs kept busy.",
                   MetricType::kCounter, samples.series};
    for (auto& series : seconds.series) series.value /= double(frequency_);
    ctx.out.push_back(std::move(samples));
    ctx.out.push_back(std::move(seconds));
  }

  std::vector<ProgramStats> program_stats() const override {
    return skel_ ? object_program_stats(skel_->obj) : std::vector<ProgramStats>{};
  }

  std::vector<std::pair<std::string, uint64_t>> map_overflows() const override {
    if (!skel_) return {};
    const bpf_map* m = skel_->maps.profile_overflow;
    return {{"profile_samples", percpu_u64_sum(m, KSCOPE_PROFILE_OVF_COUNTS)},
            {"profile_stacks", percpu_u64_sum(m, KSCOPE_PROFILE_OVF_STACKS)}};
  }

  std::vector<StackSample> cpu_stacks() const override {
    std::vector<StackSample> out;
    if (!skel_) return out;
    const bpf_map* stacks = skel_->maps.profile_stacks;
    for_each_entry<profile_key, uint64_t>(skel_->maps.profile_samples, [&](const profile_key& k, const uint64_t& n) {
      StackSample s;
      s.other = (k.flags & KSCOPE_KEY_OTHER) != 0;
      s.tgid = k.tgid;
      s.comm.assign(k.comm, strnlen(k.comm, sizeof(k.comm)));
      s.user = read_stack_trace(stacks, k.ustack_id);
      s.kernel = read_stack_trace(stacks, k.kstack_id);
      s.user_lost = k.ustack_id == KSCOPE_LOST_STACK;
      s.kernel_lost = k.kstack_id == KSCOPE_LOST_STACK;
      s.weight = s.count = n;
      out.push_back(std::move(s));
    });
    return out;
  }

 private:
  Skeleton skel_;
  PerfSampler sampler_;
  uint32_t frequency_ = 99;  // configured samples per second per CPU
  uint32_t divisor_ = 1;     // the CPU budget's: sampling at frequency_ / divisor_
  StackKeys stacks_;
  std::unique_ptr<TargetLabeler> labeler_;
  std::unique_ptr<SeriesAging> aging_;   // exited targets leave after series_ttl
  std::unique_ptr<KeyAging> key_aging_;  // and their keys the kernel map, when keyed by target alone
};

}  // namespace

std::unique_ptr<ProfileProbe> create_profile_probe(StackKeys stacks) {
  return std::make_unique<ProfileProbeImpl>(stacks);
}
std::unique_ptr<Probe> make_profile_probe() { return create_profile_probe(StackKeys::kOmit); }

}  // namespace kscope
