// libFuzzer target: the HTTP request engine (userspace/requests) fed an
// arbitrary sequence of socket events decoded from the input, with small
// tables so that eviction, fd reuse and the in-flight limit are reached.
// Beyond "no crash": no exchange runs backwards in time, no route carries
// a query string or is a bare '*', the tables stay within their bounds, and
// the whole input as one head never makes a parser read past it.
//
// Input: socket events as socket_events.h decodes them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "requests/http_engine.h"
#include "requests/http_parser.h"
#include "socket_events.h"

namespace {

using namespace kscope::requests;

void check(bool ok) {
  if (!ok) std::abort();
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  HttpHead head;
  if (parse_request_head(in, head) == ParseStatus::kComplete) check(head.head_end <= in.size());
  if (parse_response_head(in, head) == ParseStatus::kComplete) check(head.head_end <= in.size());

  HttpEngineConfig cfg;
  cfg.limits.max_connections = 3;
  cfg.limits.max_in_flight = 4;
  cfg.limits.max_pending_total = 6;
  cfg.limits.max_carried_bytes = 2 * kMaxHeadCarry;
  cfg.limits.idle_timeout_ns = 50ull * 1000 * 1000;
  cfg.max_routes = 8;
  cfg.max_series = 16;
  cfg.breakdown_label = "comm";
  cfg.max_breakdown = 2;
  auto pattern = RoutePattern::parse("/users/{id}");
  check(pattern.ok());
  cfg.routes.push_back({"*", {pattern.value()}});
  HttpEngine engine(cfg, [](uint32_t tgid) { return ProcessLabels{"svc", "p" + std::to_string(tgid % 3)}; });
  uint64_t exchanges = 0;
  engine.set_exchange_listener([&](const Exchange& e, std::string_view route) {
    ++exchanges;
    check(e.response_ns >= e.request_ns);
    check(e.role == Role::kServer || e.role == Role::kClient);
    check(route.find('?') == std::string_view::npos || route == "/users/{id}");
    check(route != "*" && !route.empty());
    check(route.size() <= kMaxRouteBytes);
  });

  struct Sink {
    HttpEngine& engine;
    const HttpEngineConfig& cfg;
    void on_data(const SocketData& d) { engine.on_data(d); }
    void on_connection(const ConnectionEvent& e) { engine.on_connection(e); }
    void evict_idle(uint64_t now) { engine.evict_idle(now); }
    void check() const {
      ::check(engine.matcher().connections() <= cfg.limits.max_connections);
      ::check(engine.matcher().pending() <= cfg.limits.max_pending_total);
      ::check(engine.matcher().carried_bytes() <= cfg.limits.max_carried_bytes);
    }
  } sink{engine, cfg};
  kscope::fuzz::decode_events(in, sink);
  std::vector<kscope::Family> out;
  engine.append(out);
  uint64_t recorded = 0;
  for (const auto& f : out) {
    if (f.type != kscope::MetricType::kHistogram) continue;
    check(f.series.size() <= 2 * cfg.max_series + 1);
    for (const auto& s : f.series) recorded += s.histogram->count();
  }
  check(recorded == exchanges);  // every exchange is in some series
  return 0;
}
