#include "agent/request_pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "common/thread_name.h"
#include "requests/route_template.h"

namespace kscope {
namespace {

// How long a poll waits for the ring's wakeup, which the kernel side
// batches: the delay before a record is read, and so before a connection's
// process is looked up in /proc (a short-lived client may be gone by then).
constexpr std::chrono::milliseconds kPollTimeout{10};

// A connection that opened and sent nothing for this long is forgotten by
// the protocol router (its first bytes would still route it to the HTTP
// engine, which counts what it cannot parse).
constexpr uint64_t kUnroutedIdleNs = 300ull * 1000 * 1000 * 1000;

// The records' clock: libstdc++'s steady_clock is CLOCK_MONOTONIC, as the
// kernel's bpf_ktime_get_ns.
uint64_t monotonic_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

}  // namespace

Result<requests::HttpEngineConfig> http_engine_config(const Config& config) {
  const auto& l7 = config.probes.l7;
  requests::HttpEngineConfig out;
  out.limits.max_connections = l7.max_connections;
  out.max_series = l7.max_series;
  out.max_routes = l7.max_routes;
  out.breakdown_label = breakdown_label(config.breakdown);
  out.max_breakdown = config.max_series;
  for (size_t i = 0; i < l7.routes.size(); ++i) {
    requests::ServiceRoutes service{l7.routes[i].service, {}};
    for (size_t j = 0; j < l7.routes[i].patterns.size(); ++j) {
      auto pattern = requests::RoutePattern::parse(l7.routes[i].patterns[j]);
      if (!pattern) {
        return pattern.error().with_context("probes.l7.routes[" + std::to_string(i) + "].patterns[" +
                                            std::to_string(j) + "]");
      }
      service.patterns.push_back(std::move(*pattern));
    }
    out.routes.push_back(std::move(service));
  }
  return out;
}

Result<std::unique_ptr<RequestPipeline>> RequestPipeline::create(const Config& config,
                                                                 const std::vector<std::unique_ptr<Probe>>& probes) {
  L7Probe* l7 = nullptr;
  for (const auto& p : probes) {
    if (auto* found = dynamic_cast<L7Probe*>(p.get())) l7 = found;
  }
  if (!l7) return std::unique_ptr<RequestPipeline>();
  auto engine_config = http_engine_config(config);
  if (!engine_config) return engine_config.error();
  std::unique_ptr<RequestPipeline> pipeline(new RequestPipeline(*l7, config, std::move(*engine_config)));
  // Before the collector's thread runs the probe's collect(), which reads
  // whether a listener is set.
  RequestPipeline* self = pipeline.get();
  l7->set_listener({
      [self](const requests::ConnectionEvent& e) {
        std::lock_guard lock(self->mu_);
        // Labels are read at the open, while the process surely lives
        // (agent/process_label_cache.h), and forgotten after the engine
        // has seen the close.
        if (e.kind == requests::ConnectionEvent::Kind::kOpen) self->labels_.on_open(e.conn.tgid, e.parent_tgid, e.comm);
        self->router_.on_connection(e);
        if (e.kind == requests::ConnectionEvent::Kind::kClose) self->labels_.on_close(e.conn.tgid);
      },
      [self](const requests::SocketData& d) {
        std::lock_guard lock(self->mu_);
        self->router_.on_data(d);
      },
  });
  return pipeline;
}

namespace {

requests::DbEngineConfig db_engine_config(const Config& config, requests::DbSystem system) {
  requests::DbEngineConfig out;
  out.system = system;
  out.max_connections = config.probes.l7.max_connections;
  out.max_series = config.probes.l7.max_series;
  out.breakdown_label = breakdown_label(config.breakdown);
  out.max_breakdown = config.max_series;
  return out;
}

requests::H2EngineConfig h2_engine_config(const Config& config) {
  requests::H2EngineConfig out;
  out.max_connections = config.probes.l7.max_connections;
  out.max_series = config.probes.l7.max_series;
  out.breakdown_label = breakdown_label(config.breakdown);
  out.max_breakdown = config.max_series;
  return out;
}

// Where a connection goes that speaks `engine`'s protocol.
template <typename Engine>
requests::ProtocolSink sink_of(Engine& engine) {
  return {[&engine](const requests::ConnectionEvent& e) { engine.on_connection(e); },
          [&engine](const requests::SocketData& d) { engine.on_data(d); }};
}

}  // namespace

// The resolvers are called by the engines, so with mu_ held.
RequestPipeline::RequestPipeline(L7Probe& probe, const Config& full_config, requests::HttpEngineConfig config)
    : probe_(probe),
      labels_(full_config.breakdown),
      engine_(std::move(config), [this](uint32_t tgid) { return labels_.labels(tgid); }),
      h2_(h2_engine_config(full_config), [this](uint32_t tgid) { return labels_.labels(tgid); },
          [this](const requests::Exchange& e) { engine_.record(e); }),
      redis_(db_engine_config(full_config, requests::DbSystem::kRedis),
             [this](uint32_t tgid) { return labels_.labels(tgid); }),
      postgres_(db_engine_config(full_config, requests::DbSystem::kPostgres),
                [this](uint32_t tgid) { return labels_.labels(tgid); }),
      mysql_(db_engine_config(full_config, requests::DbSystem::kMySql),
             [this](uint32_t tgid) { return labels_.labels(tgid); }),
      // Indexed by requests::L7Protocol: unknown, http, redis, postgresql, mysql, http2.
      router_({sink_of(engine_), sink_of(engine_), sink_of(redis_), sink_of(postgres_), sink_of(mysql_), sink_of(h2_)},
              full_config.probes.l7.max_connections) {}

RequestPipeline::~RequestPipeline() { stop(); }

void RequestPipeline::set_event_sink(RequestEventFilter filter, uint32_t per_second,
                                     std::function<void(EventPtr)> sink) {
  std::lock_guard lock(mu_);
  event_filter_ = std::move(filter);
  event_rate_ = RequestEventRate(per_second);
  event_sink_ = std::move(sink);
  auto offer = [this](Event ev) {
    const auto& r = std::get<RequestEvent>(ev.body);
    if (!event_filter_.admits(r) || !event_rate_.admit(ev.ts_ns)) return;
    event_sink_(std::make_shared<const Event>(std::move(ev)));
  };
  // Most requests are fast and fine: they are skipped before an event is
  // built (the filter has the final word).
  engine_.set_exchange_listener([this, offer](const requests::Exchange& e, std::string_view route) {
    bool may_be_error = e.status >= 400;
    if (e.duration_ns() < event_filter_.min_duration_ns &&
        !(event_filter_.errors_regardless_of_duration && may_be_error)) {
      return;
    }
    offer(http_request_event(e, route, labels_.labels(e.tgid).service));
  });
  auto db_listener = [this, offer](const requests::DbExchange& e) {
    uint64_t d = e.outcome.response_ns - e.outcome.request_ns;
    if (d < event_filter_.min_duration_ns &&
        !(event_filter_.errors_regardless_of_duration && !e.outcome.status.empty())) {
      return;
    }
    offer(db_request_event(e, labels_.labels(e.tgid).service));
  };
  redis_.set_exchange_listener(db_listener);
  postgres_.set_exchange_listener(db_listener);
  mysql_.set_exchange_listener(db_listener);
  h2_.set_rpc_listener([this, offer](const requests::RpcCall& c) {
    if (c.duration_ns() < event_filter_.min_duration_ns &&
        !(event_filter_.errors_regardless_of_duration && c.grpc_status != 0)) {
      return;
    }
    offer(rpc_request_event(c, labels_.labels(c.tgid).service));
  });
}

uint64_t RequestPipeline::events_suppressed() {
  std::lock_guard lock(mu_);
  return event_rate_.suppressed();
}

void RequestPipeline::start() {
  thread_ = std::thread([this] {
    name_this_thread("kscope-l7");
    poll_loop();
  });
}

void RequestPipeline::stop() {
  stopping_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

void RequestPipeline::poll_loop() {
  bool failing = false;
  while (!stopping_.load(std::memory_order_relaxed)) {
    auto n = probe_.poll(kPollTimeout);
    if (n) {
      failing = false;
      continue;
    }
    if (n.error().errno_value() == EINTR) continue;
    // Logged once per failing spell, not per poll.
    if (!failing) spdlog::warn("probe=l7 ring buffer poll failed: {}", n.error().to_string());
    failing = true;
    std::this_thread::sleep_for(kPollTimeout);
  }
}

void RequestPipeline::append(std::vector<Family>& out) {
  std::vector<Family> families;
  // The kernel's count first, then the ring drained, so that the bytes it
  // counted have (all but the records being written now) reached the router.
  const uint64_t seen = probe_.socket_bytes();
  (void)probe_.poll(std::chrono::milliseconds(0));
  {
    std::lock_guard lock(mu_);
    const uint64_t now = monotonic_ns();
    router_.evict_idle(now, kUnroutedIdleNs);
    engine_.evict_idle(now);
    redis_.evict_idle(now);
    postgres_.evict_idle(now);
    mysql_.evict_idle(now);
    h2_.evict_idle(now);
    // HTTP first: the database engines add their drops to its family.
    engine_.append(families);
    redis_.append(families);
    postgres_.append(families);
    mysql_.append(families);
    h2_.append(families);
    families.push_back({"kscope_l7_unrouted_connections_total",
                        "Connections handed to the HTTP engine unrecognised because the protocol router's table "
                        "(probes.l7.max_connections) was full.",
                        MetricType::kCounter, {{{}, double(router_.unrouted()), {}}}});
    Family routed{"kscope_l7_routed_bytes_total",
                  "Bytes of reads and writes handed to each protocol's engine (protocol=\"unknown\": no protocol "
                  "recognised from the connection's first bytes).",
                  MetricType::kCounter,
                  {}};
    uint64_t recognised = 0;
    for (size_t p = 0; p < requests::kL7ProtocolCount; ++p) {
      const auto protocol = static_cast<requests::L7Protocol>(p);
      const uint64_t bytes = router_.routed_bytes()[p];
      if (protocol != requests::L7Protocol::kUnknown) recognised += bytes;
      routed.series.push_back({{{"protocol", std::string(requests::l7_protocol_name(protocol))}}, double(bytes), {}});
    }
    families.push_back(std::move(routed));
    Family coverage{"kscope_l7_coverage_ratio",
                    "Share of the bytes moved on tracked connections (kscope_l7_socket_bytes_total) that reached an "
                    "engine of a recognised protocol, over the last collection interval; absent when none moved.",
                    MetricType::kGauge,
                    {}};
    if (auto ratio = coverage_.update(recognised, seen)) {
      coverage.series.push_back({{}, *ratio, {}});
      families.push_back(std::move(coverage));
    }
    families.push_back({"kscope_l7_events_suppressed_total",
                        "Slow or failed requests not sent as events because probes.l7.events_per_second was "
                        "reached (they are in the request metrics all the same).",
                        MetricType::kCounter, {{{}, double(event_rate_.suppressed()), {}}}});
  }
  // One family per name: the engine's drops join the capture's (the
  // probe's collect() ran before the metrics sources).
  for (auto& f : families) {
    auto same = std::find_if(out.begin(), out.end(), [&](const Family& o) { return o.name == f.name; });
    if (same == out.end()) {
      out.push_back(std::move(f));
      continue;
    }
    for (auto& s : f.series) same->series.push_back(std::move(s));
  }
}

}  // namespace kscope
