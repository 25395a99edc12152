#include "probes/syscalls_probe.h"

#include <bpf/bpf.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "model/cardinality.h"
#include "model/key_aging.h"
#include "model/target_labels.h"
#include "kscope/abi/events.h"
#include "kscope/abi/syscalls.h"
#include "loader/bpf_support.h"
#include "loader/probe_setup.h"
#include "loader/skeleton.h"
#include "probes/idle_waits.h"
#include "probes/syscall_names.h"
#include "syscalls.skel.h"

static_assert(sizeof(syscall_key) == 40, "syscall_key layout is shared with bpf/syscalls.bpf.c");
static_assert(sizeof(syscall_stats) == (KSCOPE_HIST_BUCKETS + 2) * 8, "syscall_stats layout");
static_assert(sizeof(syscall_series) == sizeof(syscall_stats) + 8, "syscall_series layout");
static_assert(sizeof(syscall_start) == 16 + 24 + KSCOPE_SYSCALL_SLOT_CACHE * 16, "syscall_start layout");

namespace kscope {
namespace {

using Skeleton = SkeletonPtr<syscalls_bpf, syscalls_bpf__destroy>;

class SyscallsProbe final : public Probe {
 public:
  explicit SyscallsProbe(SyscallsProbeOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "syscalls"; }

  Status start(const Config& config) override {
    labeler_ = std::make_unique<TargetLabeler>(config.breakdown);
    latency_aging_ = std::make_unique<KeyAging>(config.series_ttl);
    errors_aging_ = std::make_unique<KeyAging>(config.series_ttl);
    // tp_btf needs no tracefs and is cheaper; raw_tp is the fallback for
    // kernels without BTF-typed raw tracepoints.
    auto first = open_and_load(config, /*btf=*/true);
    if (first) return attach_first();
    spdlog::debug("probe=syscalls tp_btf failed, trying raw_tp: {}", first.error().to_string());
    auto second = open_and_load(config, /*btf=*/false);
    if (!second) return first.error();
    return attach_first();
  }

  Status detach() override {
    if (skel_) syscalls_bpf__detach(skel_.get());
    return ok_status();
  }

  Status attach() override {
    if (!skel_) return Error("probe syscalls: not loaded");
    mark_attach_time(skel_->bss->kscope_attached_ns);
    int err = syscalls_bpf__attach(skel_.get());
    if (err) return libbpf_error("probe syscalls: attach failed", err);
    return ok_status();
  }

  void collect(CollectContext& ctx) override {
    if (!skel_) return;
    Family latency{"kscope_syscall_latency_seconds",
                   "Time from syscall entry to exit, per syscall.", MetricType::kHistogram, {}};
    Family bytes{"kscope_syscall_bytes_total",
                 "Bytes returned by the read and write families of syscalls.", MetricType::kCounter, {}};
    Family errors{"kscope_syscall_errors_total", "Syscalls that returned an error, by errno.",
                  MetricType::kCounter, {}};
    const std::string& label = labeler_->label_name();

    auto now = KeyAging::Clock::now();
    std::vector<std::pair<syscall_key, uint32_t>> idle;  // and its slot
    syscall_key key{}, next{};
    syscall_series series{};
    syscall_stats stats{};
    uint32_t slot = 0;
    int slots_fd = bpf_map__fd(skel_->maps.syscall_slots);
    int series_fd = bpf_map__fd(skel_->maps.syscall_latency);
    void* prev = nullptr;
    while (bpf_map_get_next_key(slots_fd, prev, &next) == 0) {
      key = next;
      prev = &key;
      if (bpf_map_lookup_elem(slots_fd, &key, &slot) != 0) continue;
      if (bpf_map_lookup_elem(series_fd, &slot, &series) != 0) continue;
      Labels labels{{"syscall", syscall_name(key.nr)}};
      if (!label.empty()) labels.emplace_back(label, labeler_->value(key.target, key.flags & KSCOPE_KEY_OTHER));
      if (key.flags & KSCOPE_KEY_IDLE) labels.emplace_back("idle", "true");
      Series s{labels, 0, Histogram::from_kernel(series.stats.latency)};
      if (latency_aging_->idle(key_bytes(key), s.histogram->count(), now)) {
        idle.emplace_back(key, slot);
        continue;
      }
      if (s.histogram->count() == 0) continue;
      if (syscall_returns_bytes(labels[0].second))
        bytes.series.push_back({labels, double(series.stats.ret_sum), {}});
      latency.series.push_back(std::move(s));
    }

    // Calls recorded after syscall_latency filled up, per syscall.
    int fd = bpf_map__fd(skel_->maps.syscall_latency_other);
    for (uint32_t nr = 0; nr < KSCOPE_SYSCALL_MAX_NR; ++nr) {
      if (bpf_map_lookup_elem(fd, &nr, &stats) != 0) continue;
      Histogram h = Histogram::from_kernel(stats.latency);
      if (h.count() == 0) continue;
      Labels labels{{"syscall", syscall_name(nr)}};
      if (!label.empty()) labels.emplace_back(label, "other");
      if (syscall_returns_bytes(labels[0].second)) bytes.series.push_back({labels, double(stats.ret_sum), {}});
      latency.series.push_back({labels, 0, std::move(h)});
    }

    // Deleted after the walk: deleting during get_next_key restarts it.
    for (const auto& [k, at] : idle) free_slot(k, at);
    latency_aging_->end_round();

    std::vector<syscall_key> idle_errors;
    fd = bpf_map__fd(skel_->maps.syscall_errors);
    prev = nullptr;
    uint64_t count = 0;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
      key = next;
      prev = &key;
      if (bpf_map_lookup_elem(fd, &key, &count) != 0 || count == 0) continue;
      if (errors_aging_->idle(key_bytes(key), count, now)) {
        idle_errors.push_back(key);
        continue;
      }
      Labels labels{{"syscall", syscall_name(key.nr)}, {"errno", errno_name(key.err)}};
      if (!label.empty()) labels.emplace_back(label, labeler_->value(key.target, key.flags & KSCOPE_KEY_OTHER));
      errors.series.push_back({labels, double(count), {}});
    }

    for (const auto& k : idle_errors) bpf_map_delete_elem(fd, &k);
    errors_aging_->end_round();

    for (Family* f : {&latency, &bytes, &errors}) {
      fold_breakdown(*f, label, ctx.config.max_series);
      ctx.out.push_back(std::move(*f));
    }
  }

  std::vector<ProgramStats> program_stats() const override {
    return skel_ ? object_program_stats(skel_->obj) : std::vector<ProgramStats>{};
  }

  std::vector<std::pair<std::string, uint64_t>> map_overflows() const override {
    if (!skel_) return {};
    const bpf_map* m = skel_->maps.syscall_overflow;
    return {{"syscall_latency", percpu_u64_sum(m, KSCOPE_SYSCALL_OVF_LATENCY)},
            {"syscall_errors", percpu_u64_sum(m, KSCOPE_SYSCALL_OVF_ERRORS)},
            {"syscall_start", percpu_u64_sum(m, KSCOPE_SYSCALL_OVF_START)}};
  }

  uint64_t events_lost() const override {
    return skel_ ? percpu_u64_sum(skel_->maps.events_lost, KSCOPE_EVENTS_LOST_SLOT) : 0;
  }

  std::optional<EventSource> event_source() const override {
    if (!skel_ || !slow_events_) return std::nullopt;
    return EventSource{"syscalls", bpf_map__fd(skel_->maps.events), bpf_map__fd(skel_->maps.syscall_stacks)};
  }

 private:
  Status open_and_load(const Config& config, bool btf) {
    skel_.reset(syscalls_bpf__open());
    if (!skel_) return libbpf_error("probe syscalls: open failed", -errno);
    auto* s = skel_.get();
    bpf_program__set_autoload(s->progs.handle_sys_enter, btf);
    bpf_program__set_autoload(s->progs.handle_sys_exit, btf);
    bpf_program__set_autoload(s->progs.handle_sys_enter_raw, !btf);
    bpf_program__set_autoload(s->progs.handle_sys_exit_raw, !btf);
    auto targets = target_tunables(config);
    if (!targets) return targets.error();
    s->rodata->targ_breakdown = targets->breakdown;
    s->rodata->targ_tgid = targets->tgid;
    s->rodata->targ_cgroup_id = targets->cgroup_id;
    uint32_t slots = config.probes.syscalls.max_entries;
    bpf_map__set_max_entries(s->maps.syscall_slots, slots);
    bpf_map__set_max_entries(s->maps.syscall_latency, slots);
    bpf_map__set_max_entries(s->maps.syscall_free_slots, slots);
    s->rodata->targ_slots = slots;
    bpf_map__set_max_entries(s->maps.syscall_errors, config.probes.syscalls.max_entries);
    if (btf) bpf_map__set_autocreate(s->maps.syscall_start_lru, false);
    set_slow_events(config);
    set_idle_class();
    set_byte_syscalls();
    int err = syscalls_bpf__load(s);
    if (err) {
      Error e = load_error("syscalls", err);
      skel_.reset();
      return e;
    }
    return ok_status();
  }

  // Off (threshold 0), the ring buffer and stack map shrink to their
  // minimum and the verifier drops the event code.
  void set_slow_events(const Config& config) {
    auto* s = skel_.get();
    slow_events_ = config.probes.syscalls.slow_threshold.count() > 0;
    s->rodata->targ_slow_ns = static_cast<uint64_t>(config.probes.syscalls.slow_threshold.count());
    s->rodata->targ_slow_stacks = options_.stacks ? 1 : 0;
    s->rodata->targ_slow_exclude_tgid = options_.exclude_self ? static_cast<uint32_t>(getpid()) : 0;
    s->rodata->targ_slow_include_idle =
        options_.slow_include_idle || config.probes.syscalls.slow_include_idle ? 1 : 0;
    for (uint32_t nr : options_.slow_syscalls) {
      if (nr >= KSCOPE_SYSCALL_MAX_NR) continue;
      s->rodata->targ_slow_filter = 1;
      set_bit(s->rodata->targ_slow_nrs, nr);
    }
    uint32_t ring = slow_events_ ? options_.ring_buffer_bytes : 4096;
    s->rodata->targ_wakeup_bytes = ring / 4;
    bpf_map__set_max_entries(s->maps.events, ring);
    bpf_map__set_max_entries(s->maps.syscall_stacks,
                             slow_events_ && options_.stacks ? config.probes.syscalls.max_stacks : 1);
  }

  // An aged-out series gives its slot back: the key leaves syscall_slots
  // first (a new event for it takes another slot), the slot is zeroed with
  // a new generation (tasks that cached it see theirs is stale), then it
  // joins the free queue.
  void free_slot(const syscall_key& key, uint32_t slot) {
    int series_fd = bpf_map__fd(skel_->maps.syscall_latency);
    syscall_series series{};
    if (bpf_map_delete_elem(bpf_map__fd(skel_->maps.syscall_slots), &key) != 0) return;
    if (bpf_map_lookup_elem(series_fd, &slot, &series) != 0) return;
    syscall_series fresh{};
    fresh.gen = series.gen + 1;
    if (bpf_map_update_elem(series_fd, &slot, &fresh, BPF_ANY) != 0) return;
    if (bpf_map_update_elem(bpf_map__fd(skel_->maps.syscall_free_slots), nullptr, &slot, BPF_ANY) != 0)
      spdlog::warn("probe=syscalls slot={} not returned to the free queue: {}", slot, std::strerror(errno));
  }

  static void set_bit(__u64* set, uint32_t nr) { set[nr / 64] |= 1ULL << (nr % 64); }

  // ret_sum is summed (an atomic add) only where it is exported.
  void set_byte_syscalls() {
    for (uint32_t nr = 0; nr < KSCOPE_SYSCALL_MAX_NR; ++nr) {
      if (syscall_returns_bytes(syscall_name(nr))) set_bit(skel_->rodata->targ_bytes_nrs, nr);
    }
  }

  void set_idle_class() {
    auto* s = skel_.get();
    for (const auto& member : idle_wait_syscalls()) {
      auto nr = syscall_number(member.name);
      if (!nr || *nr >= KSCOPE_SYSCALL_MAX_NR) continue;  // not on this architecture
      switch (member.when) {
        case IdleWhen::kAlways: set_bit(s->rodata->targ_idle_nrs, *nr); break;
        case IdleWhen::kTimedOut: set_bit(s->rodata->targ_idle_timeout_nrs, *nr); break;
        case IdleWhen::kFutexWait: s->rodata->targ_futex_nr = *nr; break;
      }
    }
  }

  // On failure the probe holds nothing (start()'s contract).
  Status attach_first() {
    auto st = attach();
    if (!st) skel_.reset();
    return st;
  }

  static std::string_view key_bytes(const syscall_key& k) {
    return {reinterpret_cast<const char*>(&k), sizeof(k)};
  }

  SyscallsProbeOptions options_;
  bool slow_events_ = false;
  Skeleton skel_;
  std::unique_ptr<TargetLabeler> labeler_;
  std::unique_ptr<KeyAging> latency_aging_;
  std::unique_ptr<KeyAging> errors_aging_;
};

}  // namespace

std::unique_ptr<Probe> make_syscalls_probe() { return std::make_unique<SyscallsProbe>(SyscallsProbeOptions{}); }
std::unique_ptr<Probe> make_syscalls_probe(const SyscallsProbeOptions& options) {
  return std::make_unique<SyscallsProbe>(options);
}

}  // namespace kscope
