#include "events/event_format.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <ctime>

#include "common/escape.h"
#include "probes/kernel_names.h"
#include "probes/syscall_names.h"

namespace kscope {
namespace {

int64_t clock_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string ms(uint64_t ns) { return fmt::format("{:.3f}ms", static_cast<double>(ns) / 1e6); }

std::string ret_text(int64_t ret) {
  if (ret < 0 && ret >= -4095) return fmt::format("{} ({})", ret, errno_name(static_cast<uint32_t>(-ret)));
  return std::to_string(ret);
}

// A comm as one token of a key=value line.
std::string comm_token(const std::string& comm) {
  std::string p = printable(comm);
  for (auto& c : p) {
    if (c == ' ') c = '_';
  }
  return p.empty() ? "?" : p;
}

// "8.0MiB", "512KiB", "0B": memory sizes as a person reads them.
std::string bytes_text(uint64_t b) {
  if (b >= (1ull << 30)) return fmt::format("{:.1f}GiB", static_cast<double>(b) / (1ull << 30));
  if (b >= (1ull << 20)) return fmt::format("{:.1f}MiB", static_cast<double>(b) / (1ull << 20));
  if (b >= (1ull << 10)) return fmt::format("{:.0f}KiB", static_cast<double>(b) / (1ull << 10));
  return std::to_string(b) + "B";
}

std::string exit_line(const ExitEvent& x) {
  std::string out = fmt::format(" pid={} comm={}", x.pid, comm_token(x.comm));
  if (x.kind == ExitEventKind::kSignal) {
    out += " signal=" + signal_name(x.signal);
    if (x.core_dumped) out += " core_dumped";
    if (x.oom_victim) out += " oom_victim";
  }
  if (!x.cgroup.empty()) out += " cgroup=" + comm_token(x.cgroup);
  if (x.kind == ExitEventKind::kOomKill) {
    out += fmt::format(" rss_anon={} rss_file={} rss_shmem={} vm={}", bytes_text(x.anon_rss_bytes),
                       bytes_text(x.file_rss_bytes), bytes_text(x.shmem_rss_bytes), bytes_text(x.total_vm_bytes));
    if (!x.cgroup.empty()) {
      out += " cgroup_usage=" + bytes_text(x.cgroup_usage_bytes);
      out += " cgroup_limit=" + (x.cgroup_limit_bytes == 0 ? std::string("none") : bytes_text(x.cgroup_limit_bytes));
    }
    out += fmt::format(" oom_score_adj={}", x.oom_score_adj);
  }
  return out;
}

// A request path as one token: printable, spaces encoded as in a URL.
std::string path_token(const std::string& path) {
  std::string out;
  for (char c : printable(path)) {
    if (c == ' ') {
      out += "%20";
    } else {
      out += c;
    }
  }
  return out.empty() ? "-" : out;
}

// The other end; IPv4-mapped addresses print as IPv4 (format_ip).
std::string peer_text(const RequestEvent& r) {
  return r.peer_port == 0 ? "unknown" : format_endpoint(AF_INET6, r.peer, r.peer_port);
}

// "http server pid=42 comm=nginx peer=127.0.0.1:41234 GET /users/7
// route=/users/{id} status=503 duration=1.234ms error".
std::string request_line(const RequestEvent& r) {
  std::string out = fmt::format(" {} {} pid={} comm={} peer={} {}", printable(r.protocol),
                                r.server ? "server" : "client", r.pid, comm_token(r.comm), peer_text(r),
                                comm_token(r.operation));
  if (!r.target.empty() || r.protocol == "http") out += " " + path_token(r.target);
  if (!r.route.empty()) out += " route=" + path_token(r.route);
  if (!r.status.empty()) out += " status=" + comm_token(r.status);
  out += " duration=" + ms(r.duration_ns);
  if (r.tls) out += " tls";
  if (r.error) out += " error";
  return out;
}

std::string frame_text(const Frame& f) {
  std::string out = printable(f.function);
  if (f.resolved && f.offset != 0) out += fmt::format("+0x{:x}", f.offset);
  if (!f.module.empty() && f.kind != FrameKind::kKernel) out += " (" + printable(f.module) + ")";
  return out;
}

nlohmann::json frames_json(const std::vector<Frame>& frames) {
  auto arr = nlohmann::json::array();
  for (const auto& f : frames) {
    arr.push_back({{"address", fmt::format("0x{:x}", f.address)},
                   {"function", sanitize_utf8(f.function)},
                   {"offset", f.offset},
                   {"module", sanitize_utf8(f.module)}});
  }
  return arr;
}

}  // namespace

EventClock::EventClock() : offset_ns_(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC)) {}

std::string EventClock::time_of_day(uint64_t monotonic_ns) const {
  int64_t ns = unix_ns(monotonic_ns);
  time_t secs = static_cast<time_t>(ns / 1000000000);
  tm local{};
  localtime_r(&secs, &local);
  return fmt::format("{:02}:{:02}:{:02}.{:06}", local.tm_hour, local.tm_min, local.tm_sec, (ns % 1000000000) / 1000);
}

std::string format_endpoint(uint16_t family, const std::array<uint8_t, 16>& addr, uint16_t port) {
  std::string ip = format_ip(family, addr);
  if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + std::to_string(port);
  return ip + ":" + std::to_string(port);
}

std::string format_event_line(const Event& e, const EventClock& clock) {
  std::string out = clock.time_of_day(e.ts_ns) + " " + std::string(event_type_name(e));
  if (const auto* s = std::get_if<SlowSyscallEvent>(&e.body)) {
    out += fmt::format(" pid={} tid={} comm={} syscall={} duration={} ret={}", s->pid, s->tid, comm_token(s->comm),
                       s->syscall, ms(s->duration_ns), ret_text(s->ret));
    if (s->idle_wait) out += " idle_wait";
    return out;
  }
  if (const auto* x = std::get_if<ExitEvent>(&e.body)) return out + exit_line(*x);
  if (const auto* r = std::get_if<RequestEvent>(&e.body)) return out + request_line(*r);
  const auto& t = std::get<TcpEvent>(e.body);
  out += " " + format_endpoint(t.family, t.saddr, t.sport) + " -> " + format_endpoint(t.family, t.daddr, t.dport);
  switch (t.kind) {
    case TcpEventKind::kRetransmit:
      out += fmt::format(" state={} segs={}", tcp_state_name(t.state), t.segs);
      break;
    case TcpEventKind::kResetSent:
    case TcpEventKind::kResetReceived:
      if (t.state != 0) out += " state=" + tcp_state_name(t.state);
      break;
    case TcpEventKind::kConnect:
      out += " latency=" + ms(t.latency_ns);
      break;
    case TcpEventKind::kConnectFailed:
      if (t.latency_ns != 0) out += " after=" + ms(t.latency_ns);
      break;
  }
  if (t.pid != 0) out += fmt::format(" pid={} comm={}", t.pid, comm_token(t.comm));
  return out;
}

std::string format_stacks(const EventStacks& stacks) {
  std::string out;
  for (const auto& f : stacks.kernel) out += "    " + frame_text(f) + "\n";
  if (!stacks.kernel.empty() && !stacks.user.empty()) out += "    --\n";
  for (const auto& f : stacks.user) out += "    " + frame_text(f) + "\n";
  return out;
}

nlohmann::json event_to_json(const Event& e, const EventClock& clock, const EventStacks* stacks) {
  nlohmann::json j = {{"type", event_type_name(e)},
                      {"probe", e.probe},
                      {"time_unix_ns", clock.unix_ns(e.ts_ns)},
                      {"cpu", e.cpu}};
  if (const auto* s = std::get_if<SlowSyscallEvent>(&e.body)) {
    j["pid"] = s->pid;
    j["tid"] = s->tid;
    j["comm"] = sanitize_utf8(s->comm);
    j["syscall"] = s->syscall;
    j["duration_ns"] = s->duration_ns;
    j["ret"] = s->ret;
    j["idle_wait"] = s->idle_wait;
    if (s->ret < 0 && s->ret >= -4095) j["errno"] = errno_name(static_cast<uint32_t>(-s->ret));
    j["user_stack_id"] = s->user_stack_id;
    j["kernel_stack_id"] = s->kernel_stack_id;
  } else if (const auto* x = std::get_if<ExitEvent>(&e.body)) {
    j["pid"] = x->pid;
    j["comm"] = sanitize_utf8(x->comm);
    j["signal"] = signal_name(x->signal);
    j["signal_number"] = x->signal;
    if (x->kind == ExitEventKind::kSignal) {
      j["exit_code"] = x->exit_code;
      j["core_dumped"] = x->core_dumped;
      j["oom_victim"] = x->oom_victim;
    }
    j["cgroup"] = sanitize_utf8(x->cgroup);
    j["cgroup_id"] = x->cgroup_id;
    j["oom_score_adj"] = x->oom_score_adj;
    if (x->kind == ExitEventKind::kOomKill) {
      j["uid"] = x->uid;
      j["total_vm_bytes"] = x->total_vm_bytes;
      j["anon_rss_bytes"] = x->anon_rss_bytes;
      j["file_rss_bytes"] = x->file_rss_bytes;
      j["shmem_rss_bytes"] = x->shmem_rss_bytes;
      j["cgroup_usage_bytes"] = x->cgroup_usage_bytes;
      j["cgroup_limit_bytes"] = x->cgroup_limit_bytes;  // 0: unlimited
    }
  } else if (const auto* r = std::get_if<RequestEvent>(&e.body)) {
    j["protocol"] = sanitize_utf8(r->protocol);
    j["side"] = r->server ? "server" : "client";
    j["pid"] = r->pid;
    j["comm"] = sanitize_utf8(r->comm);
    j["operation"] = sanitize_utf8(r->operation);
    j["target"] = sanitize_utf8(r->target);
    if (r->protocol == "http") j["route"] = sanitize_utf8(r->route);
    j["status"] = sanitize_utf8(r->status);
    j["error"] = r->error;
    j["tls"] = r->tls;
    j["duration_ns"] = r->duration_ns;
    if (r->peer_port != 0) {
      j["peer"] = peer_text(*r);
    }
  } else {
    const auto& t = std::get<TcpEvent>(e.body);
    j["family"] = t.family == AF_INET6 ? "ipv6" : "ipv4";
    j["saddr"] = format_ip(t.family, t.saddr);
    j["sport"] = t.sport;
    j["daddr"] = format_ip(t.family, t.daddr);
    j["dport"] = t.dport;
    if (t.state != 0) j["state"] = tcp_state_name(t.state);
    if (t.kind == TcpEventKind::kRetransmit) j["segs"] = t.segs;
    if (t.kind == TcpEventKind::kConnect || t.kind == TcpEventKind::kConnectFailed) j["latency_ns"] = t.latency_ns;
    if (t.pid != 0) {
      j["pid"] = t.pid;
      j["comm"] = sanitize_utf8(t.comm);
    }
  }
  if (stacks != nullptr) {
    j["kernel_stack"] = frames_json(stacks->kernel);
    j["user_stack"] = frames_json(stacks->user);
  }
  return j;
}

std::string json_line(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kscope
