#include "probes/exits_probe.h"

#include <bpf/bpf.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <map>

#include "model/cardinality.h"
#include "model/target_labels.h"
#include "probes/kernel_names.h"
#include "kscope/abi/exits.h"
#include "loader/bpf_support.h"
#include "loader/probe_setup.h"
#include "loader/skeleton.h"
#include "exits.skel.h"

static_assert(sizeof(exit_key) == 32, "exit_key layout is shared with bpf/exits.bpf.c");
static_assert(offsetof(exit_key, kind) == 24, "exit_key layout");

namespace kscope {
namespace {

using Skeleton = SkeletonPtr<exits_bpf, exits_bpf__destroy>;

class ExitsProbe final : public Probe {
 public:
  explicit ExitsProbe(const ExitsProbeOptions& options) : options_(options) {}

  std::string_view name() const override { return "exits"; }

  Status start(const Config& config) override {
    auto first = open_and_load(config, /*btf=*/true);
    if (first) return attach_first();
    spdlog::debug("probe=exits tp_btf failed, trying raw_tp: {}", first.error().to_string());
    auto second = open_and_load(config, /*btf=*/false);
    if (!second) return first.error();
    return attach_first();
  }

  // No per-task state: an exit seen is an exit, whenever it was attached.
  Status detach() override {
    if (skel_) exits_bpf__detach(skel_.get());
    return ok_status();
  }

  Status attach() override {
    if (!skel_) return Error("probe exits: not loaded");
    int err = exits_bpf__attach(skel_.get());
    if (err) return libbpf_error("probe exits: attach failed", err);
    return ok_status();
  }

  void collect(CollectContext& ctx) override {
    if (!skel_) return;
    std::map<Labels, double> oom, signals;
    int fd = bpf_map__fd(skel_->maps.exit_counts);
    exit_key key{}, next{};
    void* prev = nullptr;
    uint64_t count = 0;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
      key = next;
      prev = &key;
      if (bpf_map_lookup_elem(fd, &key, &count) != 0 || count == 0) continue;
      const bool other = key.flags & KSCOPE_KEY_OTHER;
      std::string comm = other ? "other" : std::string(key.comm, strnlen(key.comm, sizeof(key.comm)));
      if (key.kind == KSCOPE_EXIT_OOM_KILL) {
        std::string cgroup = other ? "other" : key.cgroup_id == 0 ? "" : memory_cgroups_.path(key.cgroup_id);
        oom[{{"comm", std::move(comm)}, {"cgroup", std::move(cgroup)}}] += double(count);
      } else if (key.kind == KSCOPE_EXIT_SIGNAL) {
        signals[{{"signal", signal_name(key.signal)}, {"comm", std::move(comm)}}] += double(count);
      }
    }
    const size_t cap = ctx.config.max_series;
    Family kills{"kscope_oom_kills_total",
                 "Processes chosen by the OOM killer (oom:mark_victim), by process name and memory cgroup.",
                 MetricType::kCounter, {}};
    for (auto& [labels, v] : oom) kills.series.push_back({labels, v, {}});
    fold_breakdown(kills, "comm", cap);
    fold_breakdown(kills, "cgroup", cap);
    Family exits{"kscope_process_signal_exits_total",
                 "Processes that ended by a fatal signal (an OOM kill is a SIGKILL here too), by signal and "
                 "process name.",
                 MetricType::kCounter, {}};
    for (auto& [labels, v] : signals) exits.series.push_back({labels, v, {}});
    fold_breakdown(exits, "comm", cap);
    ctx.out.push_back(std::move(kills));
    ctx.out.push_back(std::move(exits));
  }

  std::vector<ProgramStats> program_stats() const override {
    return skel_ ? object_program_stats(skel_->obj) : std::vector<ProgramStats>{};
  }

  std::vector<std::pair<std::string, uint64_t>> map_overflows() const override {
    if (!skel_) return {};
    return {{"exit_counts", percpu_u64_sum(skel_->maps.exits_overflow, KSCOPE_EXITS_OVF_COUNTS)}};
  }

  uint64_t events_lost() const override {
    return skel_ ? percpu_u64_sum(skel_->maps.events_lost, KSCOPE_EVENTS_LOST_SLOT) : 0;
  }

  std::optional<EventSource> event_source() const override {
    if (!skel_) return std::nullopt;
    return EventSource{"exits", bpf_map__fd(skel_->maps.events), -1};
  }

 private:
  Status open_and_load(const Config& config, bool btf) {
    skel_.reset(exits_bpf__open());
    if (!skel_) return libbpf_error("probe exits: open failed", -errno);
    auto* s = skel_.get();
    for (auto* p : {s->progs.handle_mark_victim, s->progs.handle_sched_process_exit}) {
      bpf_program__set_autoload(p, btf);
    }
    for (auto* p : {s->progs.handle_mark_victim_raw, s->progs.handle_sched_process_exit_raw}) {
      bpf_program__set_autoload(p, !btf);
    }
    auto targets = target_tunables(config);
    if (!targets) {
      skel_.reset();
      return targets.error();
    }
    s->rodata->targ_tgid = targets->tgid;
    s->rodata->targ_cgroup_id = targets->cgroup_id;
    bpf_map__set_max_entries(s->maps.exit_counts, config.probes.exits.max_entries);
    // Exits are rare: every record wakes the reader.
    s->rodata->targ_wakeup_bytes = 0;
    bpf_map__set_max_entries(s->maps.events, options_.ring_buffer_bytes);
    int err = exits_bpf__load(s);
    if (err) {
      Error e = load_error("exits", err);
      skel_.reset();
      return e;
    }
    return ok_status();
  }

  // On failure the probe holds nothing (start()'s contract).
  Status attach_first() {
    auto st = attach();
    if (!st) skel_.reset();
    return st;
  }

  ExitsProbeOptions options_;
  Skeleton skel_;
  CgroupPaths memory_cgroups_{CgroupPaths::memory_mount()};
};

}  // namespace

std::unique_ptr<Probe> make_exits_probe() { return std::make_unique<ExitsProbe>(ExitsProbeOptions{}); }
std::unique_ptr<Probe> make_exits_probe(const ExitsProbeOptions& options) {
  return std::make_unique<ExitsProbe>(options);
}

}  // namespace kscope
