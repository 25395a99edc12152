#include "probes/block_probe.h"

#include <bpf/bpf.h>
#include <spdlog/spdlog.h>

#include "block.skel.h"
#include "kscope/abi/block.h"
#include "loader/bpf_support.h"
#include "loader/probe_setup.h"
#include "loader/skeleton.h"
#include "model/target_labels.h"
#include "host/block_devices.h"
#include "probes/breakdown_counter.h"
#include "probes/stack_maps.h"

static_assert(sizeof(block_key) == 8, "block_key layout is shared with bpf/block.bpf.c");
static_assert(sizeof(block_stats) == (3 * (KSCOPE_HIST_BUCKETS + 1) + 2) * 8, "block_stats layout");
static_assert(sizeof(block_target_key) == 16 + sizeof(kscope_target), "block_target_key layout");

namespace kscope {
namespace {

using Skeleton = SkeletonPtr<block_bpf, block_bpf__destroy>;

std::string op_name(uint32_t op) {
  switch (op) {
    case KSCOPE_BLOCK_OP_READ: return "read";
    case KSCOPE_BLOCK_OP_WRITE: return "write";
    case KSCOPE_BLOCK_OP_FLUSH: return "flush";
    case KSCOPE_BLOCK_OP_DISCARD: return "discard";
    default: return "other";
  }
}

void add_hist(kscope_hist& into, const kscope_hist& from) {
  for (int b = 0; b < KSCOPE_HIST_BUCKETS; ++b) into.buckets[b] += from.buckets[b];
  into.sum_ns += from.sum_ns;
}

class BlockProbe final : public Probe {
 public:
  std::string_view name() const override { return "block"; }

  Status start(const Config& config) override {
    auto first = open_and_load(config, /*btf=*/true);
    if (!first) {
      spdlog::debug("probe=block tp_btf failed, trying raw_tp: {}", first.error().to_string());
      auto second = open_and_load(config, /*btf=*/false);
      if (!second) return first.error();
    }
    auto st = attach();
    if (!st) skel_.reset();
    return st;
  }

  Status detach() override {
    if (skel_) block_bpf__detach(skel_.get());
    return ok_status();
  }

  Status attach() override {
    if (!skel_) return Error("probe block: not loaded");
    mark_attach_time(skel_->bss->kscope_attached_ns);
    int err = block_bpf__attach(skel_.get());
    if (err) return libbpf_error("probe block: attach failed", err);
    return ok_status();
  }

  void collect(CollectContext& ctx) override {
    if (!skel_) return;
    Family latency{"kscope_block_io_latency_seconds",
                   "Block I/O requests from issue to the driver to completion, per device and operation "
                   "(the requests /proc/diskstats counts as completed).",
                   MetricType::kHistogram, {}};
    Family queue{"kscope_block_io_queue_seconds",
                 "Time block I/O requests spent in the block layer before their issue to the driver (plugs, "
                 "the I/O scheduler), from the start /proc/diskstats times them from.",
                 MetricType::kHistogram, {}};
    Family size{"kscope_block_io_size_bytes", "Sizes of completed block I/O requests.", MetricType::kHistogram, {}};
    size.unit = HistogramUnit::kBytes;
    Family bytes{"kscope_block_io_bytes_total", "Bytes of completed block I/O requests.", MetricType::kCounter, {}};
    Family errors{"kscope_block_io_errors_total", "Block I/O requests that completed with an error.",
                  MetricType::kCounter, {}};
    // Several op numbers fold into "other": sum them per device.
    std::map<std::pair<std::string, std::string>, block_stats> merged;
    for_each_entry<block_key, block_stats>(skel_->maps.block_latency, [&](const block_key& k, const block_stats& v) {
      const std::string device = k.dev == 0 ? "other" : names_.name(k.dev);
      auto [it, fresh] = merged.try_emplace({device, op_name(k.op)}, v);
      if (fresh) return;
      add_hist(it->second.latency, v.latency);
      add_hist(it->second.queue, v.queue);
      add_hist(it->second.size, v.size);
      it->second.bytes += v.bytes;
      it->second.errors += v.errors;
    });
    for (const auto& [key, v] : merged) {
      Labels labels{{"device", key.first}, {"op", key.second}};
      latency.series.push_back({labels, 0, Histogram::from_kernel(v.latency)});
      queue.series.push_back({labels, 0, Histogram::from_kernel(v.queue)});
      size.series.push_back({labels, 0, Histogram::from_kernel(v.size)});
      bytes.series.push_back({labels, double(v.bytes), {}});
      errors.series.push_back({labels, double(v.errors), {}});
    }
    for (Family* f : {&latency, &queue, &size, &bytes, &errors}) ctx.out.push_back(std::move(*f));
    if (labeler_ && !labeler_->label_name().empty()) collect_targets(ctx);
  }

  // Requests and bytes per issuing target, capped at max_series targets.
  void collect_targets(CollectContext& ctx) {
    std::map<Labels, double> requests, bytes;
    for_each_entry<block_target_key, block_target_stats>(
        skel_->maps.block_targets, [&](const block_target_key& k, const block_target_stats& v) {
          Labels labels{{"device", k.dev == 0 ? "other" : names_.name(k.dev)}, {"op", op_name(k.op)}};
          for (auto& l : labeler_->labels(k.target, k.flags)) labels.push_back(std::move(l));
          requests[labels] += double(v.requests);
          bytes[labels] += double(v.bytes);
        });
    const std::string& label = labeler_->label_name();
    ctx.out.push_back(breakdown_counter("kscope_block_io_target_requests_total",
                                        "Completed block I/O requests per device, operation and the target that "
                                        "issued them (page-cache writeback: the kernel's flusher threads).",
                                        label, requests, ctx.config.max_series));
    ctx.out.push_back(breakdown_counter("kscope_block_io_target_bytes_total",
                                        "Bytes of completed block I/O requests per device, operation and issuing "
                                        "target.",
                                        label, bytes, ctx.config.max_series));
  }

  std::vector<ProgramStats> program_stats() const override {
    return skel_ ? object_program_stats(skel_->obj) : std::vector<ProgramStats>{};
  }

  std::vector<std::pair<std::string, uint64_t>> map_overflows() const override {
    if (!skel_) return {};
    const bpf_map* m = skel_->maps.block_overflow;
    return {{"block_start", percpu_u64_sum(m, KSCOPE_BLOCK_OVF_START)},
            {"block_latency", percpu_u64_sum(m, KSCOPE_BLOCK_OVF_LATENCY)},
            {"block_targets", percpu_u64_sum(m, KSCOPE_BLOCK_OVF_TARGETS)}};
  }

 private:
  Status open_and_load(const Config& config, bool btf) {
    skel_.reset(block_bpf__open());
    if (!skel_) return libbpf_error("probe block: open failed", -errno);
    auto* s = skel_.get();
    auto targets = target_tunables(config);
    if (!targets) return targets.error();
    s->rodata->targ_breakdown = targets->breakdown;
    labeler_ = std::make_unique<TargetLabeler>(config.breakdown);
    bpf_program__set_autoload(s->progs.handle_block_rq_issue, btf);
    bpf_program__set_autoload(s->progs.handle_block_rq_complete, btf);
    bpf_program__set_autoload(s->progs.handle_block_rq_issue_raw, !btf);
    bpf_program__set_autoload(s->progs.handle_block_rq_complete_raw, !btf);
    bpf_map__set_max_entries(s->maps.block_start, config.probes.block.max_in_flight);
    bpf_map__set_max_entries(s->maps.block_targets, config.probes.block.max_targets);
    int err = block_bpf__load(s);
    if (err) {
      Error e = load_error("block", err);
      skel_.reset();
      return e;
    }
    return ok_status();
  }

  Skeleton skel_;
  BlockDeviceNames names_;
  std::unique_ptr<TargetLabeler> labeler_;
};

}  // namespace

std::unique_ptr<Probe> make_block_probe() { return std::make_unique<BlockProbe>(); }

}  // namespace kscope
