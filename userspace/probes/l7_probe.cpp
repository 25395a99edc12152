#include "probes/l7_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <atomic>
#include <mutex>
#include <vector>

#include "kscope/abi/l7.h"
#include "loader/bpf_support.h"
#include "loader/probe_setup.h"
#include "loader/skeleton.h"
#include "probes/l7_preexisting.h"
#include "probes/l7_tls_libraries.h"
#include "probes/l7_tls_uprobes.h"
#include "l7.skel.h"

static_assert(sizeof(l7_conn_value) == 16, "l7_conn_value layout is shared with bpf/l7.bpf.c");
static_assert(offsetof(l7_conn_value, tls) == 12, "l7_conn_value layout is shared with bpf/l7.bpf.c");

namespace kscope {
namespace {

using Skeleton = SkeletonPtr<l7_bpf, l7_bpf__destroy>;

// Reasons counted in userspace, after the kernel's KSCOPE_L7_DROP_*.
constexpr std::array<const char*, KSCOPE_L7_DROP_MAX> kKernelReasons = {
    "ring_full", "conn_table_full", "in_flight_full", "unreadable", "truncated", "io_uring", "tls_fd_unknown",
    "tls_unseen"};

// Bounds of the libssl search (l7_tls_libraries.h).
// 10 uprobes each, and removing one takes ~100 ms (l7_tls_uprobes.h): a
// detach (the CPU budget's, or the agent's end) waits ~1 s per library.
constexpr size_t kMaxTlsLibraries = 16;
constexpr size_t kMaxScannedProcesses = 65536;

struct RingBufferDeleter {
  void operator()(ring_buffer* rb) const { ring_buffer__free(rb); }
};

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

class L7ProbeImpl final : public L7Probe {
 public:
  std::string_view name() const override { return "l7"; }

  Status start(const Config& config) override {
    tls_enabled_ = config.probes.l7.tls;
    auto first = open_and_load(config, /*btf=*/true);
    if (!first) {
      spdlog::debug("probe=l7 tp_btf failed, trying raw_tp: {}", first.error().to_string());
      auto second = open_and_load(config, /*btf=*/false);
      if (!second) return first.error();
    }
    ring_.reset(ring_buffer__new(bpf_map__fd(skel_->maps.events), &L7ProbeImpl::on_record, this, nullptr));
    if (!ring_) {
      Error e = libbpf_error("probe l7: ring buffer setup failed", -errno);
      skel_.reset();
      return e;
    }
    auto st = attach();
    if (!st) {
      ring_.reset();
      skel_.reset();
    }
    return st;
  }


  void set_listener(L7Listener listener) override {
    std::lock_guard lock(poll_mu_);
    listener_ = std::move(listener);
    has_listener_ = true;
  }

  Result<int> poll(std::chrono::milliseconds timeout) override {
    std::lock_guard lock(poll_mu_);
    return poll_locked(timeout);
  }

  int ring_fd() const override { return ring_ ? ring_buffer__epoll_fd(ring_.get()) : -1; }

  // Connections opened or closed while detached are unknown: the records
  // already in the ring are delivered, every connection is closed and the
  // kernel's table emptied; attach() picks up what is open then.
  Status detach() override {
    if (!skel_) return ok_status();
    tls_.clear();
    l7_bpf__detach(skel_.get());
    std::lock_guard lock(poll_mu_);
    if (ring_) ring_buffer__consume(ring_.get());
    connections_.close_all(monotonic_ns(), listener_);
    clear_map(skel_->maps.l7_conns);
    clear_map(skel_->maps.l7_procs);
    clear_map(skel_->maps.l7_last_accepted);
    return ok_status();
  }

  Status attach() override {
    if (!skel_) return Error("probe l7: not loaded");
    mark_attach_time(skel_->bss->kscope_attached_ns);
    int err = l7_bpf__attach(skel_.get());
    if (err) return libbpf_error("probe l7: attach failed", err);
    // After the attach, so that a close from here on is seen.
    pick_up_open_connections();
    attach_tls(/*all=*/true);
    return ok_status();
  }

  void collect(CollectContext& ctx) override {
    if (!skel_) return;
    attach_tls(/*all=*/false);
    if (!has_listener_) {
      std::lock_guard lock(poll_mu_);
      (void)poll_locked(std::chrono::milliseconds(0));
    }
    Family dropped{"kscope_l7_dropped_total",
                   "Reads, writes and connections request capture missed, by reason (docs/l7_capture.md).",
                   MetricType::kCounter,
                   {}};
    auto add = [&](const char* reason, uint64_t v) {
      dropped.series.push_back({{{"protocol", "unknown"}, {"reason", reason}}, double(v), {}});
    };
    for (uint32_t i = 0; i < KSCOPE_L7_DROP_MAX; ++i) {
      uint64_t v = percpu_u64_sum(skel_->maps.l7_dropped, i);
      if (i == KSCOPE_L7_DROP_TLS_UNSEEN) v += tls_unseen_at_exit_.load(std::memory_order_relaxed);
      add(kKernelReasons[i], v);
    }
    add("malformed_record", malformed_.load(std::memory_order_relaxed));
    add("no_consumer", unconsumed_.load(std::memory_order_relaxed));
    add("preexisting_skipped", preexisting_skipped_.load(std::memory_order_relaxed));
    add("after_close", stale_.load(std::memory_order_relaxed));
    ctx.out.push_back(std::move(dropped));
    Family picked{"kscope_l7_preexisting_connections_total",
                  "TCP connections open before request capture attached, picked up from /proc with an unknown "
                  "role.",
                  MetricType::kCounter,
                  {}};
    picked.series.push_back({{}, double(preexisting_.load(std::memory_order_relaxed)), {}});
    ctx.out.push_back(std::move(picked));
    Family libs{"kscope_l7_tls_libraries",
                "libssl files found by request capture: attached (TLS plaintext seen), failed (no SSL_read/SSL_write "
                "to hook), over_limit (not attached: too many files).",
                MetricType::kGauge,
                {}};
    libs.series.push_back({{{"state", "attached"}}, double(tls_.attached()), {}});
    libs.series.push_back({{{"state", "failed"}}, double(tls_.failed()), {}});
    libs.series.push_back({{{"state", "over_limit"}}, double(tls_.over_limit()), {}});
    ctx.out.push_back(std::move(libs));
    ctx.out.push_back({"kscope_l7_socket_bytes_total",
                       "Bytes moved by reads and writes on TCP connections request capture tracks, sent to the "
                       "engines or not: plaintext, SSL_read/SSL_write plaintext, and TLS ciphertext no SSL call "
                       "claimed.",
                       MetricType::kCounter,
                       {{{}, double(socket_bytes()), {}}}});
  }

  uint64_t socket_bytes() const override { return skel_ ? percpu_u64_sum(skel_->maps.l7_bytes, 0) : 0; }

  std::vector<ProgramStats> program_stats() const override {
    return skel_ ? object_program_stats(skel_->obj) : std::vector<ProgramStats>{};
  }

  std::vector<std::pair<std::string, uint64_t>> map_overflows() const override {
    if (!skel_) return {};
    return {{"l7_conns", percpu_u64_sum(skel_->maps.l7_dropped, KSCOPE_L7_DROP_CONN_TABLE_FULL)}};
  }

  uint64_t events_lost() const override {
    return skel_ ? percpu_u64_sum(skel_->maps.l7_dropped, KSCOPE_L7_DROP_RING_FULL) : 0;
  }

 private:
  Status open_and_load(const Config& config, bool btf) {
    skel_.reset(l7_bpf__open());
    if (!skel_) return libbpf_error("probe l7: open failed", -errno);
    auto* s = skel_.get();
    for (auto* p : {s->progs.handle_sys_enter, s->progs.handle_sys_exit, s->progs.handle_sched_process_exit,
                    s->progs.handle_sched_process_exec, s->progs.handle_sched_process_fork}) {
      bpf_program__set_autoload(p, btf);
    }
    for (auto* p : {s->progs.handle_sys_enter_raw, s->progs.handle_sys_exit_raw, s->progs.handle_sched_process_exit_raw,
                    s->progs.handle_sched_process_exec_raw, s->progs.handle_sched_process_fork_raw}) {
      bpf_program__set_autoload(p, !btf);
    }
    // Only where the kernel has io_uring and the tracepoint (5.19+ name).
    // The TLS uprobes have no target: attach_tls() attaches them per file.
    for (auto* p : tls_programs(s)) bpf_program__set_autoattach(p, false);
    bpf_program__set_autoload(s->progs.handle_io_uring_submit_req,
                              btf && libbpf_find_vmlinux_btf_id("io_uring_submit_req", BPF_TRACE_RAW_TP) > 0);
    auto targets = target_tunables(config);
    if (!targets) {
      skel_.reset();
      return targets.error();
    }
    const auto& l7 = config.probes.l7;
    s->rodata->targ_tgid = targets->tgid;
    s->rodata->targ_cgroup_id = targets->cgroup_id;
    s->rodata->targ_capture_bytes = std::min<uint32_t>(l7.capture_bytes, KSCOPE_L7_CAPTURE_MAX);
    set_syscall_numbers(*s->rodata);
    bpf_map__set_max_entries(s->maps.l7_conns, l7.max_connections);
    bpf_map__set_max_entries(s->maps.l7_procs, std::max<uint32_t>(64, l7.max_connections / 4));
    bpf_map__set_max_entries(s->maps.l7_last_accepted, std::max<uint32_t>(64, l7.max_connections / 4));
    bpf_map__set_max_entries(s->maps.l7_ssl_fds, l7.max_connections);
    bpf_map__set_max_entries(s->maps.events, l7.ring_buffer_bytes);
    // Batch wakeups: a reader polling with a timeout picks up the rest.
    s->rodata->targ_wakeup_bytes = l7.ring_buffer_bytes / 16;
    max_connections_ = l7.max_connections;
    only_tgid_ = targets->tgid;
    // /proc cannot tell cheaply which cgroup a socket's process is in the
    // way the kernel filter does; with a cgroup filter nothing is picked up.
    pick_up_ = targets->cgroup_id == 0;
    connections_ = L7Connections(max_connections_);
    int err = l7_bpf__load(s);
    if (err) {
      Error e = load_error("l7", err);
      skel_.reset();
      return e;
    }
    tls_ = L7TlsUprobes({s->progs.handle_ssl_write, s->progs.handle_ssl_write_ex, s->progs.handle_ssl_read,
                         s->progs.handle_ssl_read_ex, s->progs.handle_ssl_rw_return, s->progs.handle_ssl_handshake,
                         s->progs.handle_ssl_handshake_return},
                        kMaxTlsLibraries);
    return ok_status();
  }

  static std::array<bpf_program*, 7> tls_programs(l7_bpf* s) {
    return {s->progs.handle_ssl_write,     s->progs.handle_ssl_write_ex,  s->progs.handle_ssl_read,
            s->progs.handle_ssl_read_ex,   s->progs.handle_ssl_rw_return, s->progs.handle_ssl_handshake,
            s->progs.handle_ssl_handshake_return};
  }

  // The TLS uprobes on every libssl file in use. all: at attach, the
  // system's libssl and every process's; otherwise (each collection) the
  // processes that exec'd since (the kernel notes them in l7_execs), or all
  // of /proc again when that table overflowed.
  void attach_tls(bool all) {
    if (!tls_enabled_) return;  // probes.l7.tls off: TLS connections count as tls_unseen
    const int execs = bpf_map__fd(skel_->maps.l7_execs);
    std::vector<uint32_t> pids;
    uint32_t key = 0;
    // Drained before the scan: an exec from here on is looked at next time.
    while (bpf_map_get_next_key(execs, nullptr, &key) == 0) {
      if (bpf_map_delete_elem(execs, &key) != 0) break;
      pids.push_back(key);
    }
    if (skel_->bss->l7_execs_overflowed) {
      skel_->bss->l7_execs_overflowed = 0;
      all = true;
    }
    std::vector<TlsLibrary> found;
    if (all) {
      found = system_libssl();
      bool truncated = false;
      for (auto& lib : libssl_of_processes("/proc", only_tgid_, kMaxScannedProcesses, &truncated)) {
        found.push_back(std::move(lib));
      }
      if (truncated) spdlog::warn("probe=l7 tls: more than {} processes, the rest not searched for libssl",
                                  kMaxScannedProcesses);
    } else {
      for (uint32_t pid : pids) {
        for (auto& lib : libssl_of_process("/proc", pid)) found.push_back(std::move(lib));
      }
    }
    tls_.add(found);
  }

  template <class Rodata>
  static void set_syscall_numbers(Rodata& r) {
#ifdef SYS_read
    r.targ_nr_read = SYS_read;
#endif
#ifdef SYS_write
    r.targ_nr_write = SYS_write;
#endif
    r.targ_nr_readv = SYS_readv;
    r.targ_nr_writev = SYS_writev;
    r.targ_nr_recvfrom = SYS_recvfrom;
    r.targ_nr_sendto = SYS_sendto;
    r.targ_nr_recvmsg = SYS_recvmsg;
    r.targ_nr_sendmsg = SYS_sendmsg;
#ifdef SYS_accept
    r.targ_nr_accept = SYS_accept;
#endif
    r.targ_nr_accept4 = SYS_accept4;
    r.targ_nr_connect = SYS_connect;
    r.targ_nr_close = SYS_close;
#ifdef SYS_dup2
    r.targ_nr_dup2 = SYS_dup2;
#endif
    r.targ_nr_dup3 = SYS_dup3;
  }

  Result<int> poll_locked(std::chrono::milliseconds timeout) {
    if (!ring_) return Error("probe l7: not started");
    // Held while the ring is read: a connection being picked up has its
    // open delivered before any of its data.
    std::lock_guard pending(pending_mu_);
    for (const auto& e : pending_opens_) (void)connections_.deliver(e, listener_);
    pending_opens_.clear();
    int n = ring_buffer__poll(ring_.get(), static_cast<int>(timeout.count()));
    if (n < 0 && n != -EINTR) return libbpf_error("probe l7: ring buffer poll failed", n);
    // Records committed without a wakeup (bpf/lib/events.bpf.h batches
    // them) do not end the wait: read them once it is over.
    int more = ring_buffer__consume(ring_.get());
    if (more > 0) n = std::max(n, 0) + more;
    stale_.store(connections_.stale_data(), std::memory_order_relaxed);
    if (!has_listener_ && n > 0) unconsumed_.fetch_add(uint64_t(n), std::memory_order_relaxed);
    return n < 0 ? 0 : n;
  }

  static int on_record(void* ctx, void* data, size_t size) {
    auto* self = static_cast<L7ProbeImpl*>(ctx);
    auto rec = decode_l7_record({static_cast<const uint8_t*>(data), size});
    if (!rec) {
      self->malformed_.fetch_add(1, std::memory_order_relaxed);
      return 0;
    }
    for (const auto& id : self->connections_.deliver(*rec, self->listener_)) self->forget(id);
    return 0;
  }

  // A process ended with this connection open: delete the kernel's entry
  // unless the fd number already names a newer connection.
  void forget(const requests::ConnectionId& id) {
    l7_conn_value value{};
    const uint64_t key = uint64_t(id.tgid) << 32 | id.fd;
    int fd = bpf_map__fd(skel_->maps.l7_conns);
    if (bpf_map_lookup_elem(fd, &key, &value) == 0 && value.generation == id.generation) {
      // As the kernel's close would: a TLS handshake, no SSL_* call.
      if ((value.tls & (KSCOPE_L7_TLS_WIRE | KSCOPE_L7_TLS_SSL)) == KSCOPE_L7_TLS_WIRE) {
        tls_unseen_at_exit_.fetch_add(1, std::memory_order_relaxed);
      }
      bpf_map_delete_elem(fd, &key);
    }
  }

  // Connections open before the attach: into the kernel's table with a
  // generation of their own and an unknown role, each checked again after
  // the insert (a close after it is seen by the kernel; one before it
  // leaves the fd naming something else, and the entry is taken back).
  void pick_up_open_connections() {
    if (!pick_up_) return;
    auto scan = find_established_sockets("/proc", only_tgid_, max_connections_);
    std::lock_guard lock(pending_mu_);
    const int conns = bpf_map__fd(skel_->maps.l7_conns);
    const int procs = bpf_map__fd(skel_->maps.l7_procs);
    const uint64_t now = monotonic_ns();
    uint64_t skipped = scan.skipped;
    std::vector<requests::ConnectionEvent> opens;
    for (const auto& sock : scan.sockets) {
      const uint64_t key = uint64_t(sock.tgid) << 32 | sock.fd;
      l7_conn_value value{};
      value.generation = KSCOPE_L7_GEN_PREEXISTING | ++preexisting_generation_;
      value.role = KSCOPE_L7_ROLE_UNKNOWN;
      if (bpf_map_update_elem(conns, &key, &value, BPF_NOEXIST) != 0) {
        if (errno != EEXIST) ++skipped;  // the table is full; EEXIST: the kernel saw a newer one
        continue;
      }
      if (!fd_names_socket("/proc", sock.tgid, sock.fd, sock.inode)) {
        forget({sock.tgid, sock.fd, value.generation});
        continue;
      }
      const uint8_t one = 1;
      bpf_map_update_elem(procs, &sock.tgid, &one, BPF_ANY);
      requests::ConnectionEvent e;
      e.conn = {sock.tgid, sock.fd, value.generation};
      e.kind = requests::ConnectionEvent::Kind::kOpen;
      e.role = requests::Role::kUnknown;
      e.timestamp_ns = now;
      e.peer = sock.peer;
      e.local = sock.local;
      opens.push_back(e);
    }
    preexisting_.fetch_add(opens.size(), std::memory_order_relaxed);
    preexisting_skipped_.fetch_add(skipped, std::memory_order_relaxed);
    pending_opens_.insert(pending_opens_.end(), opens.begin(), opens.end());
  }

  static void clear_map(bpf_map* map) {  // keys of at most 8 bytes
    int fd = bpf_map__fd(map);
    std::array<uint8_t, 8> key{};
    // Deleting while iterating restarts from the first key each time.
    while (bpf_map_get_next_key(fd, nullptr, key.data()) == 0) {
      if (bpf_map_delete_elem(fd, key.data()) != 0) break;
    }
  }

  Skeleton skel_;
  std::unique_ptr<ring_buffer, RingBufferDeleter> ring_;
  std::mutex poll_mu_;
  L7Listener listener_;
  std::atomic<bool> has_listener_{false};
  uint32_t max_connections_ = 0;
  L7Connections connections_{0};
  std::atomic<uint64_t> malformed_{0};
  std::atomic<uint64_t> unconsumed_{0};
  std::atomic<uint64_t> stale_{0};
  bool pick_up_ = true;
  uint32_t only_tgid_ = 0;
  uint64_t preexisting_generation_ = 0;
  std::atomic<uint64_t> preexisting_{0};
  std::atomic<uint64_t> preexisting_skipped_{0};
  std::mutex pending_mu_;
  std::vector<requests::ConnectionEvent> pending_opens_;  // picked up, for the next poll
  L7TlsUprobes tls_;
  bool tls_enabled_ = false;
  std::atomic<uint64_t> tls_unseen_at_exit_{0};
};

}  // namespace

std::unique_ptr<L7Probe> make_l7_capture() { return std::make_unique<L7ProbeImpl>(); }
std::unique_ptr<Probe> make_l7_probe() { return make_l7_capture(); }

}  // namespace kscope
