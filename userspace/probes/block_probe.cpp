#include "probes/block_probe.h"

#include <bpf/bpf.h>
#include <spdlog/spdlog.h>

#include "block.skel.h"
#include "kscope/abi/block.h"
#include "loader/bpf_support.h"
#include "loader/probe_setup.h"
#include "loader/skeleton.h"
#include "probes/block_devices.h"
#include "probes/stack_maps.h"

static_assert(sizeof(block_key) == 8, "block_key layout is shared with bpf/block.bpf.c");
static_assert(sizeof(block_stats) == (KSCOPE_HIST_BUCKETS + 3) * 8, "block_stats layout");

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
    Family bytes{"kscope_block_io_bytes_total", "Bytes of completed block I/O requests.", MetricType::kCounter, {}};
    Family errors{"kscope_block_io_errors_total", "Block I/O requests that completed with an error.",
                  MetricType::kCounter, {}};
    // Several op numbers fold into "other": sum them per device.
    std::map<std::pair<std::string, std::string>, block_stats> merged;
    for_each_entry<block_key, block_stats>(skel_->maps.block_latency, [&](const block_key& k, const block_stats& v) {
      const std::string device = k.dev == 0 ? "other" : names_.name(k.dev);
      auto [it, fresh] = merged.try_emplace({device, op_name(k.op)}, v);
      if (fresh) return;
      for (int b = 0; b < KSCOPE_HIST_BUCKETS; ++b) it->second.latency.buckets[b] += v.latency.buckets[b];
      it->second.latency.sum_ns += v.latency.sum_ns;
      it->second.bytes += v.bytes;
      it->second.errors += v.errors;
    });
    for (const auto& [key, v] : merged) {
      Labels labels{{"device", key.first}, {"op", key.second}};
      latency.series.push_back({labels, 0, Histogram::from_kernel(v.latency)});
      bytes.series.push_back({labels, double(v.bytes), {}});
      errors.series.push_back({labels, double(v.errors), {}});
    }
    for (Family* f : {&latency, &bytes, &errors}) ctx.out.push_back(std::move(*f));
  }

  std::vector<ProgramStats> program_stats() const override {
    return skel_ ? object_program_stats(skel_->obj) : std::vector<ProgramStats>{};
  }

  std::vector<std::pair<std::string, uint64_t>> map_overflows() const override {
    if (!skel_) return {};
    const bpf_map* m = skel_->maps.block_overflow;
    return {{"block_start", percpu_u64_sum(m, KSCOPE_BLOCK_OVF_START)},
            {"block_latency", percpu_u64_sum(m, KSCOPE_BLOCK_OVF_LATENCY)}};
  }

 private:
  Status open_and_load(const Config& config, bool btf) {
    skel_.reset(block_bpf__open());
    if (!skel_) return libbpf_error("probe block: open failed", -errno);
    auto* s = skel_.get();
    bpf_program__set_autoload(s->progs.handle_block_rq_issue, btf);
    bpf_program__set_autoload(s->progs.handle_block_rq_complete, btf);
    bpf_program__set_autoload(s->progs.handle_block_rq_issue_raw, !btf);
    bpf_program__set_autoload(s->progs.handle_block_rq_complete_raw, !btf);
    bpf_map__set_max_entries(s->maps.block_start, config.probes.block.max_in_flight);
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
};

}  // namespace

std::unique_ptr<Probe> make_block_probe() { return std::make_unique<BlockProbe>(); }

}  // namespace kscope
