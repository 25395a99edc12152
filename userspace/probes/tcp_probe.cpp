#include "probes/tcp_probe.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>

#include "probes/kernel_names.h"
#include "loader/bpf_support.h"
#include "loader/probe_setup.h"
#include "loader/skeleton.h"
#include "probes/tcp_endpoints.h"
#include "tcp.skel.h"

static_assert(sizeof(tcp_retransmit_key) == 24, "tcp_retransmit_key layout is shared with bpf/tcp.bpf.c");
static_assert(sizeof(tcp_connect_start) == 32, "tcp_connect_start layout is shared with bpf/tcp.bpf.c");

namespace kscope {
namespace {

using Skeleton = SkeletonPtr<tcp_bpf, tcp_bpf__destroy>;

class TcpProbe final : public Probe {
 public:
  explicit TcpProbe(const TcpProbeOptions& options) : options_(options) {}

  std::string_view name() const override { return "tcp"; }

  Status start(const Config& config) override {
    endpoints_ = std::make_unique<EndpointCap>(config.probes.tcp.max_endpoints);
    auto first = open_and_load(/*btf=*/true);
    if (first) return attach_first();
    spdlog::debug("probe=tcp tp_btf failed, trying raw_tp: {}", first.error().to_string());
    auto second = open_and_load(/*btf=*/false);
    if (!second) return first.error();
    return attach_first();
  }

  // No per-task timestamps here: a connect start taken before a detach is
  // still the real start of that connect.
  Status detach() override {
    if (skel_) tcp_bpf__detach(skel_.get());
    return ok_status();
  }

  Status attach() override {
    if (!skel_) return Error("probe tcp: not loaded");
    int err = tcp_bpf__attach(skel_.get());
    if (err) return libbpf_error("probe tcp: attach failed", err);
    return ok_status();
  }

  void collect(CollectContext& ctx) override {
    if (!skel_) return;
    Family retrans{"kscope_tcp_retransmits_total",
                   "TCP segments retransmitted (as TCP_MIB_RETRANSSEGS), by socket state and remote endpoint.",
                   MetricType::kCounter, endpoints_->series(read_retransmits())};
    const bpf_map* counters = skel_->maps.tcp_counters;
    Family resets{"kscope_tcp_resets_total", "TCP resets sent and received.", MetricType::kCounter, {}};
    resets.series.push_back(
        {{{"direction", "sent"}}, double(percpu_u64_sum(counters, KSCOPE_TCP_CNT_RESETS_SENT)), {}});
    resets.series.push_back(
        {{{"direction", "received"}}, double(percpu_u64_sum(counters, KSCOPE_TCP_CNT_RESETS_RECEIVED)), {}});
    Family failures{"kscope_tcp_connect_failures_total",
                    "Active TCP opens that went from SYN_SENT to CLOSE (refused, timed out, aborted).",
                    MetricType::kCounter,
                    {{{}, double(percpu_u64_sum(counters, KSCOPE_TCP_CNT_CONNECT_FAILURES)), {}}}};
    Family latency{"kscope_tcp_connect_latency_seconds", "Time from SYN_SENT to ESTABLISHED of active TCP opens.",
                   MetricType::kHistogram, {}};
    uint32_t zero = 0;
    kscope_hist hist{};
    if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.tcp_connect_latency), &zero, &hist) == 0) {
      Series s{{}, 0, Histogram::from_kernel(hist)};
      if (s.histogram->count() > 0) latency.series.push_back(std::move(s));
    }
    for (Family* f : {&retrans, &resets, &failures, &latency}) ctx.out.push_back(std::move(*f));
  }

  std::vector<ProgramStats> program_stats() const override {
    return skel_ ? object_program_stats(skel_->obj) : std::vector<ProgramStats>{};
  }

  std::vector<std::pair<std::string, uint64_t>> map_overflows() const override {
    if (!skel_) return {};
    const bpf_map* m = skel_->maps.tcp_overflow;
    return {{"tcp_retransmits", percpu_u64_sum(m, KSCOPE_TCP_OVF_RETRANSMITS)},
            {"tcp_connect_start", percpu_u64_sum(m, KSCOPE_TCP_OVF_CONNECT_START)}};
  }

  uint64_t events_lost() const override {
    return skel_ ? percpu_u64_sum(skel_->maps.events_lost, KSCOPE_EVENTS_LOST_SLOT) : 0;
  }

  std::optional<EventSource> event_source() const override {
    if (!skel_ || options_.event_kinds == 0) return std::nullopt;
    return EventSource{"tcp", bpf_map__fd(skel_->maps.events), -1};
  }

 private:
  std::vector<RetransmitCount> read_retransmits() {
    std::vector<RetransmitCount> out;
    int fd = bpf_map__fd(skel_->maps.tcp_retransmits);
    tcp_retransmit_key key{}, next{};
    void* prev = nullptr;
    uint64_t count = 0;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
      key = next;
      prev = &key;
      if (bpf_map_lookup_elem(fd, &key, &count) != 0 || count == 0) continue;
      RetransmitCount c;
      c.state = tcp_state_name(key.state);
      c.other = key.flags & KSCOPE_KEY_OTHER;
      if (!c.other) {
        std::array<uint8_t, 16> addr{};
        std::memcpy(addr.data(), key.daddr, 16);
        c.addr = format_ip(key.family, addr);
        c.port = key.dport;
      }
      c.segments = count;
      out.push_back(std::move(c));
    }
    return out;
  }

  Status open_and_load(bool btf) {
    skel_.reset(tcp_bpf__open());
    if (!skel_) return libbpf_error("probe tcp: open failed", -errno);
    auto* s = skel_.get();
    bpf_program* tp_btf[] = {s->progs.handle_tcp_retransmit_skb, s->progs.handle_tcp_retransmit_synack,
                             s->progs.handle_tcp_send_reset, s->progs.handle_tcp_receive_reset,
                             s->progs.handle_inet_sock_set_state};
    bpf_program* raw_tp[] = {s->progs.handle_tcp_retransmit_skb_raw, s->progs.handle_tcp_retransmit_synack_raw,
                             s->progs.handle_tcp_send_reset_raw, s->progs.handle_tcp_receive_reset_raw,
                             s->progs.handle_inet_sock_set_state_raw};
    for (auto* p : tp_btf) bpf_program__set_autoload(p, btf);
    for (auto* p : raw_tp) bpf_program__set_autoload(p, !btf);
    s->rodata->targ_event_kinds = options_.event_kinds;
    s->rodata->targ_connect_event_min_ns = static_cast<uint64_t>(options_.connect_event_min.count());
    // Wake the reader once a quarter of the buffer is waiting; below that
    // its poll timeout picks records up.
    uint32_t ring = options_.event_kinds ? options_.ring_buffer_bytes : 4096;
    s->rodata->targ_wakeup_bytes = ring / 4;
    bpf_map__set_max_entries(s->maps.events, ring);
    int err = tcp_bpf__load(s);
    if (err) {
      Error e = load_error("tcp", err);
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

  TcpProbeOptions options_;
  Skeleton skel_;
  std::unique_ptr<EndpointCap> endpoints_;
};

}  // namespace

std::unique_ptr<Probe> make_tcp_probe() { return std::make_unique<TcpProbe>(TcpProbeOptions{}); }
std::unique_ptr<Probe> make_tcp_probe(const TcpProbeOptions& options) { return std::make_unique<TcpProbe>(options); }

}  // namespace kscope
