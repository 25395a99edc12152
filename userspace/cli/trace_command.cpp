// `kscope trace`: slow syscalls, TCP errors or OOM kills and crashes, one line (or JSON object) per
// event as they happen, stacks on request, a summary on Ctrl-C. Loads only
// the probe it needs, with host-wide aggregation reduced to the minimum.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include "agent/agent.h"
#include "cli/command.h"
#include "cli/trace_requests.h"
#include "cli/trace_setup.h"
#include "common/duration.h"
#include "events/event_format.h"
#include "events/event_reader.h"
#include "events/event_stream.h"
#include "probes/exits_probe.h"
#include "probes/syscall_names.h"
#include "probes/syscalls_probe.h"
#include "probes/tcp_probe.h"
#include "symbolize/probe_frames.h"
#include "symbolize/symbolizer.h"
#include "symbolize/target_process.h"

namespace kscope {
namespace {

struct TraceOptions {
  std::string what = "syscalls";
  std::string min_latency;
  uint32_t pid = 0;
  std::string syscalls;
  bool stacks = false;
  bool json = false;
  bool include_idle = false;
  std::string duration;
};

// The probe `kscope trace WHAT` needs, configured from the flags.
Result<std::unique_ptr<Probe>> make_probe(const TraceOptions& o, Config& cfg, std::string& banner) {
  Nanos min_latency{0};
  if (!o.min_latency.empty()) {
    auto d = parse_duration(o.min_latency);
    if (!d) return Error("--min-latency: " + d.error().message(), "e.g. --min-latency 10ms");
    min_latency = *d;
  }
  if (o.what == "tcp") {
    if (o.pid != 0 || !o.syscalls.empty()) {
      return Error("--pid and --syscall apply to `kscope trace syscalls`",
                   "TCP retransmits and resets happen in kernel context, on behalf of no process");
    }
    TcpProbeOptions t;
    t.event_kinds |= min_latency.count() > 0 ? (1u << KSCOPE_TCP_CONNECT) : 0;
    t.connect_event_min = min_latency;
    banner = "tracing TCP retransmits, resets and failed connects";
    if (min_latency.count() > 0) banner += ", and connects slower than " + format_duration(min_latency);
    return make_tcp_probe(t);
  }
  if (o.what == "exits") {
    if (min_latency.count() > 0 || !o.syscalls.empty() || o.stacks) {
      return Error("--min-latency, --syscall and --stacks apply to `kscope trace syscalls` and `tcp`",
                   "kscope trace exits shows every OOM kill and fatal signal; --pid narrows it to one process");
    }
    cfg.filter_pid = o.pid;
    banner = "tracing OOM kills and processes ended by a fatal signal";
    if (o.pid != 0) banner += " (pid " + std::to_string(o.pid) + ")";
    return make_exits_probe();
  }
  if (min_latency.count() <= 0) {
    return Error("kscope trace needs --min-latency", "e.g. kscope trace --min-latency 10ms, or kscope trace tcp");
  }
  SyscallsProbeOptions s;
  s.stacks = o.stacks;
  s.slow_include_idle = o.include_idle;
  std::stringstream names(o.syscalls);
  for (std::string name; std::getline(names, name, ',');) {
    if (name.empty()) continue;
    auto nr = syscall_number(name);
    if (!nr) return Error("unknown syscall '" + name + "'", "use the names of ausyscall --dump or syscalls(2)");
    s.slow_syscalls.push_back(*nr);
  }
  cfg.probes.syscalls.slow_threshold = min_latency;
  cfg.filter_pid = o.pid;
  banner = "tracing syscalls slower than " + format_duration(min_latency);
  if (o.pid != 0) banner += " in pid " + std::to_string(o.pid);
  if (!o.syscalls.empty()) banner += " (" + o.syscalls + ")";
  if (!o.include_idle) banner += ", idle waits left out (--include-idle)";
  return make_syscalls_probe(s);
}

EventStacks symbolize(Symbolizer& sym, const Event& e) {
  EventStacks st;
  if (const auto* s = std::get_if<SlowSyscallEvent>(&e.body)) {
    st.kernel = trim_probe_frames(sym.symbolize_kernel(s->kernel_stack));
    st.user = sym.symbolize_user(static_cast<pid_t>(s->pid), s->user_stack);
  }
  return st;
}

int run_trace(const TraceOptions& o) {
  int exit_code = 0;
  // TCP events happen in kernel context, for no process: no pid to check.
  auto setup = prepare_trace(o.duration, o.what == "tcp" ? 0 : o.pid, exit_code);
  if (!setup) return exit_code;
  const Nanos duration = setup->duration;
  const std::optional<TargetProcess>& target = setup->target;
  Config& cfg = setup->config;
  std::string banner;
  auto probe = make_probe(o, cfg, banner);
  if (!probe) {
    std::cerr << "kscope trace: " << probe.error().to_string() << "\n";
    return 2;
  }
  block_shutdown_signals();  // before any thread exists
  if (auto st = (*probe)->start(cfg); !st) {
    std::cerr << "kscope trace: " << st.error().to_string() << "\n";
    return 1;
  }
  EventStream stream;
  auto sub = stream.subscribe(1 << 16);
  auto source = (*probe)->event_source();
  auto reader = EventReader::create({*source}, [&stream](EventPtr e) { stream.publish(std::move(e)); });
  if (!reader) {
    std::cerr << "kscope trace: " << reader.error().to_string() << "\n";
    return 1;
  }
  (*reader)->start(std::chrono::milliseconds(100));
  std::cerr << banner << ". Ctrl-C to stop." << std::endl;

  Symbolizer symbolizer;
  EventClock clock;
  uint64_t printed = 0;
  auto print = [&](const Event& e) {
    std::string out;
    if (o.json) {
      EventStacks st;
      if (o.stacks) st = symbolize(symbolizer, e);
      out = json_line(event_to_json(e, clock, o.stacks ? &st : nullptr)) + "\n";
    } else {
      out = format_event_line(e, clock) + "\n";
      if (o.stacks) out += format_stacks(symbolize(symbolizer, e));
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    ++printed;
  };

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + duration;
  auto next_target_check = std::chrono::steady_clock::now();
  bool target_exited = false;
  // When the target is gone, tracing goes on for a moment: its own exit is
  // the event `trace exits` waits for, and reaches the ring buffer as it dies.
  std::optional<std::chrono::steady_clock::time_point> stop_at;
  while (!trace_signalled(set) && (duration.count() == 0 || std::chrono::steady_clock::now() < deadline)) {
    if (stop_at && std::chrono::steady_clock::now() >= *stop_at) break;
    if (target && !stop_at && std::chrono::steady_clock::now() >= next_target_check) {
      next_target_check += std::chrono::seconds(1);
      if (!target_running("/proc", *target)) {
        target_exited = true;
        stop_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.what == "exits" ? 500 : 0);
      }
    }
    auto e = sub->pop(std::chrono::milliseconds(100));
    if (!e) continue;
    print(**e);
    for (const auto& more : sub->drain()) print(*more);
    std::fflush(stdout);
  }
  (*reader)->stop();
  for (const auto& rest : sub->drain()) print(*rest);
  std::fflush(stdout);

  if (target_exited) std::cerr << "pid " << o.pid << " exited: tracing stopped" << std::endl;
  auto rs = (*reader)->stats();
  std::cerr << printed << " events, " << (*probe)->events_lost() << " lost in the kernel (ring buffer full), "
            << sub->dropped() << " dropped (output too slow)";
  if (rs.decode_errors != 0) std::cerr << ", " << rs.decode_errors << " undecodable";
  if (o.stacks && rs.stacks_missing != 0) std::cerr << ", " << rs.stacks_missing << " stacks missing";
  std::cerr << std::endl;
  return 0;
}

}  // namespace

void add_trace_command(CLI::App& app, CommandRunner& selected) {
  auto o = std::make_shared<TraceOptions>();
  auto r = std::make_shared<RequestTraceOptions>();
  auto* cmd = app.add_subcommand(
      "trace",
      "Stream slow syscalls (with stacks), TCP retransmits, resets and failed connects, OOM kills and "
      "processes ended by a fatal signal, or HTTP requests, gRPC calls and database operations, as they happen.");
  cmd->add_option("what", o->what, "syscalls (default), tcp, exits, http, db, rpc (gRPC) or requests (all three)")
      ->check(CLI::IsMember({"syscalls", "tcp", "exits", "http", "db", "rpc", "requests"}));
  cmd->add_option("--min-latency", o->min_latency,
                  "syscalls: show calls at least this slow (required); tcp: also show connects this slow; "
                  "http, db, requests: show requests at least this slow");
  cmd->add_option("--status", r->status,
                  "http, db, requests: only these statuses, comma-separated: 5xx (a class), 404, 42601 "
                  "(SQLSTATE), WRONGTYPE (Redis), or error (any failure)");
  cmd->add_option("--side", r->side, "http, db, requests: only the server or the client side")
      ->check(CLI::IsMember({"server", "client"}));
  cmd->add_flag("--tls", r->tls,
                "http, requests: also decode HTTPS of processes using OpenSSL (uprobes on SSL_read/SSL_write)");
  cmd->add_option("--capture-bytes", r->capture_bytes,
                  "http, db, requests: bytes of each read and write looked at (16..1024; default 256)")
      ->check(CLI::Range(16, 1024));
  cmd->add_option("--pid,-p", o->pid, "Only this process (thread group id)");
  cmd->add_option("--syscall", o->syscalls, "Only these syscalls, comma-separated (e.g. read,write)");
  cmd->add_flag("--stacks", o->stacks, "Add the kernel and user stacks, symbolized");
  cmd->add_flag("--json", o->json, "One JSON object per line");
  cmd->add_flag("--include-idle", o->include_idle,
                "Also syscalls that wait for work: epoll_wait, sleeps, futex waits, accept, "
                "poll/select that time out (see the README)");
  cmd->add_option("--duration,-d", o->duration, "Stop after this long (default: until Ctrl-C)");
  cmd->callback([o, r, cmd, &selected] {
    if (o->what == "http" || o->what == "db" || o->what == "rpc" || o->what == "requests") {
      for (const char* flag : {"--syscall", "--stacks", "--include-idle"}) {
        if (cmd->count(flag) != 0) {
          throw CLI::ValidationError(std::string(flag), "applies to `kscope trace syscalls`, not to " + o->what);
        }
      }
      r->what = o->what;
      r->min_latency = o->min_latency;
      r->pid = o->pid;
      r->json = o->json;
      r->duration = o->duration;
      selected = [r]() { return run_request_trace(*r); };
      return;
    }
    for (const char* flag : {"--status", "--side", "--tls", "--capture-bytes"}) {
      if (cmd->count(flag) != 0) {
        throw CLI::ValidationError(std::string(flag), "applies to `kscope trace http`, `db` and `requests`");
      }
    }
    selected = [o]() { return run_trace(*o); };
  });
}

}  // namespace kscope
