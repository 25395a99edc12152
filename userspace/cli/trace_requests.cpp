#include "cli/trace_requests.h"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

#include "agent/agent.h"
#include "agent/request_events.h"
#include "agent/request_pipeline.h"
#include "cli/trace_setup.h"
#include "common/duration.h"
#include "common/escape.h"
#include "events/event_format.h"
#include "events/event_stream.h"
#include "probes/l7_probe.h"
#include "requests/db_engine.h"
#include "requests/request_metrics.h"
#include "requests/rpc_metrics.h"

namespace kscope {
namespace {

// The protocols `kscope trace WHAT` shows.
std::vector<std::string> protocols_of(const std::string& what) {
  if (what == "http") return {"http"};
  if (what == "db") return {std::string(requests::db_system_name(requests::DbSystem::kRedis)),
                            std::string(requests::db_system_name(requests::DbSystem::kPostgres)),
                            std::string(requests::db_system_name(requests::DbSystem::kMySql))};
  if (what == "rpc") return {"grpc"};
  return {};
}

Result<RequestEventFilter> make_filter(const RequestTraceOptions& o) {
  RequestEventFilter f;
  f.protocols = protocols_of(o.what);
  f.pid = o.pid;
  if (!o.min_latency.empty()) {
    auto d = parse_duration(o.min_latency);
    if (!d) return Error("--min-latency: " + d.error().message(), "e.g. --min-latency 100ms");
    f.min_duration_ns = static_cast<uint64_t>(d->count());
  }
  if (!o.status.empty()) {
    auto s = parse_status_list(o.status);
    if (!s) return s.error().with_context("--status");
    f.statuses = std::move(*s);
  }
  if (o.side == "server") f.side = RequestSide::kServer;
  if (o.side == "client") f.side = RequestSide::kClient;
  return f;
}

// What the engines and the capture counted, for the closing summary.
struct RequestTotals {
  uint64_t requests = 0;  // answered requests the engines recorded
  std::map<std::string, uint64_t> lost;  // "protocol/reason" -> count
};

bool is_duration_family(const std::string& name) {
  return name == requests::kServerDurationMetric || name == requests::kClientDurationMetric ||
         name == requests::kDbClientDurationMetric || name == requests::kDbServerDurationMetric ||
         name == requests::kRpcServerDurationMetric || name == requests::kRpcClientDurationMetric;
}

RequestTotals totals_of(const std::vector<Family>& families) {
  RequestTotals t;
  for (const auto& f : families) {
    if (is_duration_family(f.name)) {
      for (const auto& s : f.series) t.requests += s.histogram ? s.histogram->count() : 0;
    } else if (f.name == "kscope_l7_dropped_total") {
      for (const auto& s : f.series) {
        if (s.value <= 0) continue;
        const std::string* proto = s.label("protocol");
        const std::string* reason = s.label("reason");
        t.lost[(proto ? *proto : "?") + "/" + (reason ? *reason : "?")] += static_cast<uint64_t>(s.value);
      }
    }
  }
  return t;
}

}  // namespace

int run_request_trace(const RequestTraceOptions& o) {
  auto filter = make_filter(o);
  if (!filter) {
    std::cerr << "kscope trace: " << filter.error().to_string() << "\n";
    return 2;
  }
  int exit_code = 0;
  auto setup = prepare_trace(o.duration, o.pid, exit_code);
  if (!setup) return exit_code;
  const Nanos duration = setup->duration;
  const std::optional<TargetProcess>& target = setup->target;
  Config& cfg = setup->config;
  cfg.probes.l7.enabled = true;
  cfg.probes.l7.tls = o.tls;
  if (o.capture_bytes != 0) cfg.probes.l7.capture_bytes = o.capture_bytes;

  block_shutdown_signals();  // before any thread exists
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(make_l7_capture());
  Probe& probe = *probes.back();
  if (auto st = probe.start(cfg); !st) {
    std::cerr << "kscope trace: " << st.error().to_string() << "\n";
    return 1;
  }
  auto pipeline = RequestPipeline::create(cfg, probes);
  if (!pipeline || !*pipeline) {
    std::cerr << "kscope trace: " << (pipeline ? "no request pipeline" : pipeline.error().to_string()) << "\n";
    return 1;
  }
  EventStream stream;
  auto sub = stream.subscribe(1 << 16);
  (*pipeline)->set_event_sink(*filter, 0, [&stream](EventPtr e) { stream.publish(std::move(e)); });
  (*pipeline)->start();

  std::string banner = "tracing " + (o.what == "requests" ? std::string("HTTP, gRPC and database requests")
                                     : o.what == "db"     ? std::string("database operations")
                                     : o.what == "rpc"    ? std::string("gRPC calls")
                                                          : std::string("HTTP requests"));
  if (filter->min_duration_ns != 0) banner += " at least " + format_duration(Nanos(filter->min_duration_ns)) + " long";
  if (!filter->statuses.empty()) banner += " with status " + printable(o.status);
  if (o.pid != 0) banner += " of pid " + std::to_string(o.pid);
  if (!o.side.empty()) banner += " (" + o.side + " side)";
  banner += o.tls ? "; HTTPS through OpenSSL too" : "; TLS connections are not decoded (--tls)";
  std::cerr << banner << ". Ctrl-C to stop." << std::endl;

  EventClock clock;
  uint64_t printed = 0;
  auto print = [&](const Event& e) {
    std::string out = o.json ? json_line(event_to_json(e, clock, nullptr)) + "\n" : format_event_line(e, clock) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    ++printed;
  };
  // The probe's collect() finds OpenSSL in programs that start later, and
  // the pipeline's append() forgets idle connections: each second, as the
  // collector would.
  auto collect = [&]() {
    std::vector<Family> ignored;
    CollectContext ctx{cfg, ignored};
    probe.collect(ctx);
    (*pipeline)->append(ignored);
  };

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  const auto start = std::chrono::steady_clock::now();
  auto next_collect = start + std::chrono::seconds(1);
  bool target_exited = false;
  while (!trace_signalled(set) && (duration.count() == 0 || std::chrono::steady_clock::now() - start < duration)) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_collect) {
      next_collect = now + std::chrono::seconds(1);
      collect();
      if (target && !target_running("/proc", *target)) {
        target_exited = true;
        break;
      }
    }
    auto e = sub->pop(std::chrono::milliseconds(100));
    if (!e) continue;
    print(**e);
    for (const auto& more : sub->drain()) print(*more);
    std::fflush(stdout);
  }
  (*pipeline)->stop();
  // The capture's counts before the detach (a collect() after it would
  // look for OpenSSL again); what the ring still holds reaches the engines
  // at the detach, and their counts after it.
  std::vector<Family> families;
  CollectContext ctx{cfg, families};
  probe.collect(ctx);
  (void)probe.detach();
  (*pipeline)->append(families);
  for (const auto& rest : sub->drain()) print(*rest);
  std::fflush(stdout);

  auto totals = totals_of(families);
  if (target_exited) std::cerr << "pid " << o.pid << " exited: tracing stopped" << std::endl;
  std::cerr << printed << " shown of " << totals.requests << " requests seen";
  if (sub->dropped() != 0) std::cerr << ", " << sub->dropped() << " not shown (output too slow)";
  uint64_t lost = 0;
  for (const auto& [key, n] : totals.lost) lost += n;
  std::cerr << "; " << lost << " missed";
  if (lost != 0) {
    std::cerr << " (";
    const char* sep = "";
    for (const auto& [key, n] : totals.lost) {
      std::cerr << sep << key << "=" << n;
      sep = ", ";
    }
    std::cerr << "; kscope_l7_dropped_total in docs/requests.md says what each means)";
  }
  std::cerr << std::endl;
  return 0;
}

}  // namespace kscope
