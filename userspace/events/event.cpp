#include "events/event.h"

#include <arpa/inet.h>

#include <unistd.h>

#include <csignal>
#include <cstring>

#include "model/target_labels.h"
#include "kscope/abi/events.h"
#include "kscope/abi/exits.h"
#include "kscope/abi/tcp.h"
#include "probes/syscall_names.h"

static_assert(sizeof(kscope_event_header) == 16, "kscope_event_header layout is shared with bpf/lib/events.bpf.h");
static_assert(sizeof(slow_syscall_event) == 72, "slow_syscall_event layout is shared with bpf/syscalls.bpf.c");
static_assert(offsetof(slow_syscall_event, comm) == 56, "slow_syscall_event layout");
static_assert(sizeof(tcp_event) == 96, "tcp_event layout is shared with bpf/tcp.bpf.c");
static_assert(offsetof(tcp_event, saddr) == 40 && offsetof(tcp_event, comm) == 80, "tcp_event layout");
static_assert(sizeof(exit_event) == 120, "exit_event layout is shared with bpf/exits.bpf.c");
static_assert(offsetof(exit_event, cgroup_id) == 48 && offsetof(exit_event, comm) == 104, "exit_event layout");

namespace kscope {
namespace {

std::string comm_of(const char (&comm)[KSCOPE_COMM_LEN]) { return std::string(comm, strnlen(comm, sizeof(comm))); }

template <class T>
Result<T> record_as(const void* data, size_t size, const kscope_event_header& h) {
  if (size < sizeof(T) || h.size != sizeof(T)) {
    return Error("event type " + std::to_string(h.type) + " has size " + std::to_string(h.size) + " (record " +
                 std::to_string(size) + " bytes), expected " + std::to_string(sizeof(T)));
  }
  T rec;
  std::memcpy(&rec, data, sizeof(T));
  return rec;
}

// Paths of the cgroup ids in exit events. Events are decoded on one thread
// (the reader's), and are rare: a miss costs one walk of the hierarchy.
std::string exit_cgroup_path(ExitEventKind kind, uint64_t id) {
  if (id == 0) return "";
  thread_local CgroupPaths memory(CgroupPaths::memory_mount());
  thread_local CgroupPaths unified;
  return kind == ExitEventKind::kOomKill ? memory.path(id) : unified.path(id);
}

uint64_t page_bytes(uint64_t pages) {
  static const uint64_t kPage = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return pages * kPage;
}

ExitEvent exit_from(const exit_event& rec) {
  ExitEvent x;
  x.kind = static_cast<ExitEventKind>(rec.kind);
  x.pid = rec.pid;
  x.comm = comm_of(rec.comm);
  x.signal = rec.signal;
  x.exit_code = rec.exit_code;
  x.core_dumped = (rec.flags & KSCOPE_EXIT_CORE_DUMPED) != 0;
  x.oom_victim = (rec.flags & KSCOPE_EXIT_OOM_VICTIM) != 0;
  x.oom_score_adj = rec.oom_score_adj;
  x.uid = rec.uid;
  x.cgroup_id = rec.cgroup_id;
  x.cgroup = exit_cgroup_path(x.kind, rec.cgroup_id);
  x.total_vm_bytes = page_bytes(rec.total_vm_pages);
  x.anon_rss_bytes = page_bytes(rec.anon_rss_pages);
  x.file_rss_bytes = page_bytes(rec.file_rss_pages);
  x.shmem_rss_bytes = page_bytes(rec.shmem_rss_pages);
  x.cgroup_usage_bytes = page_bytes(rec.cgroup_usage_pages);
  // An unlimited page_counter holds PAGE_COUNTER_MAX (LONG_MAX / page size).
  const uint64_t unlimited = static_cast<uint64_t>(INT64_MAX) / page_bytes(1);
  x.cgroup_limit_bytes = rec.cgroup_limit_pages >= unlimited ? 0 : page_bytes(rec.cgroup_limit_pages);
  return x;
}

}  // namespace

Result<Event> decode_event(std::string_view probe, const void* data, size_t size) {
  kscope_event_header h;
  if (size < sizeof(h)) return Error("event record of " + std::to_string(size) + " bytes is shorter than its header");
  std::memcpy(&h, data, sizeof(h));
  Event ev;
  ev.probe = std::string(probe);
  ev.ts_ns = h.ts_ns;
  ev.cpu = h.cpu;
  switch (h.type) {
    case KSCOPE_EVENT_SLOW_SYSCALL: {
      auto rec = record_as<slow_syscall_event>(data, size, h);
      if (!rec) return rec.error();
      SlowSyscallEvent s;
      s.pid = rec->pid;
      s.tid = rec->tid;
      s.nr = rec->nr;
      s.syscall = syscall_name(rec->nr);
      s.duration_ns = rec->duration_ns;
      s.ret = rec->ret;
      s.idle_wait = (rec->flags & KSCOPE_KEY_IDLE) != 0;
      s.comm = comm_of(rec->comm);
      s.user_stack_id = rec->user_stack_id;
      s.kernel_stack_id = rec->kernel_stack_id;
      ev.body = std::move(s);
      return ev;
    }
    case KSCOPE_EVENT_TCP: {
      auto rec = record_as<tcp_event>(data, size, h);
      if (!rec) return rec.error();
      if (rec->kind < KSCOPE_TCP_RETRANSMIT || rec->kind > KSCOPE_TCP_CONNECT_FAILED) {
        return Error("tcp event of unknown kind " + std::to_string(rec->kind));
      }
      TcpEvent t;
      t.kind = static_cast<TcpEventKind>(rec->kind);
      t.pid = rec->pid;
      t.comm = comm_of(rec->comm);
      t.family = rec->family;
      std::memcpy(t.saddr.data(), rec->saddr, 16);
      std::memcpy(t.daddr.data(), rec->daddr, 16);
      t.sport = rec->sport;
      t.dport = rec->dport;
      t.state = rec->state;
      t.segs = rec->segs;
      t.latency_ns = rec->latency_ns;
      ev.body = std::move(t);
      return ev;
    }
    case KSCOPE_EVENT_EXIT: {
      auto rec = record_as<exit_event>(data, size, h);
      if (!rec) return rec.error();
      if (rec->kind != KSCOPE_EXIT_OOM_KILL && rec->kind != KSCOPE_EXIT_SIGNAL) {
        return Error("exit event of unknown kind " + std::to_string(rec->kind));
      }
      ev.body = exit_from(*rec);
      return ev;
    }
    default:
      return Error("event of unknown type " + std::to_string(h.type));
  }
}

std::string_view event_type_name(const Event& e) {
  if (std::holds_alternative<SlowSyscallEvent>(e.body)) return "slow_syscall";
  if (std::holds_alternative<RequestEvent>(e.body)) return "request";
  if (const auto* x = std::get_if<ExitEvent>(&e.body)) {
    return x->kind == ExitEventKind::kOomKill ? "oom_kill" : "signal_exit";
  }
  switch (std::get<TcpEvent>(e.body).kind) {
    case TcpEventKind::kRetransmit:
      return "retransmit";
    case TcpEventKind::kResetSent:
      return "reset_sent";
    case TcpEventKind::kResetReceived:
      return "reset_received";
    case TcpEventKind::kConnect:
      return "connect";
    case TcpEventKind::kConnectFailed:
      return "connect_failed";
  }
  return "unknown";
}

}  // namespace kscope
