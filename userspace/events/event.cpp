#include "events/event.h"

#include <arpa/inet.h>

#include <cstring>

#include "kscope/abi/events.h"
#include "kscope/abi/tcp.h"
#include "probes/syscall_names.h"

static_assert(sizeof(kscope_event_header) == 16, "kscope_event_header layout is shared with bpf/lib/events.bpf.h");
static_assert(sizeof(slow_syscall_event) == 72, "slow_syscall_event layout is shared with bpf/syscalls.bpf.c");
static_assert(offsetof(slow_syscall_event, comm) == 56, "slow_syscall_event layout");
static_assert(sizeof(tcp_event) == 96, "tcp_event layout is shared with bpf/tcp.bpf.c");
static_assert(offsetof(tcp_event, saddr) == 40 && offsetof(tcp_event, comm) == 80, "tcp_event layout");

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
    default:
      return Error("event of unknown type " + std::to_string(h.type));
  }
}

std::string_view event_type_name(const Event& e) {
  if (std::holds_alternative<SlowSyscallEvent>(e.body)) return "slow_syscall";
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

std::string tcp_state_name(uint8_t state) {
  // include/net/tcp_states.h
  static const char* const kNames[] = {"",          "ESTABLISHED", "SYN_SENT", "SYN_RECV",   "FIN_WAIT1",
                                       "FIN_WAIT2", "TIME_WAIT",   "CLOSE",    "CLOSE_WAIT", "LAST_ACK",
                                       "LISTEN",    "CLOSING",     "NEW_SYN_RECV", "BOUND_INACTIVE"};
  if (state >= 1 && state < sizeof(kNames) / sizeof(kNames[0])) return kNames[state];
  return "UNKNOWN_" + std::to_string(state);
}

std::string format_ip(uint16_t family, const std::array<uint8_t, 16>& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (family == AF_INET6 && std::memcmp(addr.data(), kMapped, 12) == 0) {
    inet_ntop(AF_INET, addr.data() + 12, buf, sizeof(buf));
  } else if (family == AF_INET6) {
    inet_ntop(AF_INET6, addr.data(), buf, sizeof(buf));
  } else if (family == AF_INET) {
    inet_ntop(AF_INET, addr.data(), buf, sizeof(buf));
  } else {
    return "family" + std::to_string(family);
  }
  return buf;
}

}  // namespace kscope
