// libFuzzer target: the HTTP request engine (userspace/requests) fed an
// arbitrary sequence of socket events decoded from the input, with small
// tables so that eviction, fd reuse and the in-flight limit are reached.
// Beyond "no crash": no exchange runs backwards in time, no route carries
// a query string or is a bare '*', the tables stay within their bounds, and
// the whole input as one head never makes a parser read past it.
//
// Input: a sequence of records, each starting with an op byte:
//   bits 0-1 kind (0 data, 1 open, 2 close, 3 evict), bits 2-3 connection
//   (0-3), bit 4 direction (write), bits 5-6 role, bit 7 TLS;
//   then a byte of time step (ms); then for data: u16 total_bytes, u16
//   prefix length, the prefix bytes; for open/close: a generation byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "requests/http_engine.h"
#include "requests/http_parser.h"

namespace {

using namespace kscope::requests;

void check(bool ok) {
  if (!ok) std::abort();
}

struct Reader {
  std::string_view in;
  bool empty() const { return in.empty(); }
  uint8_t u8() {
    if (in.empty()) return 0;
    auto v = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    return v;
  }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  std::string_view bytes(size_t n) {
    std::string_view b = in.substr(0, n);
    in.remove_prefix(b.size());
    return b;
  }
};

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

  Reader r{in};
  uint64_t now = 0;
  while (!r.empty()) {
    uint8_t op = r.u8();
    now += uint64_t{r.u8()} * 1000 * 1000;
    const auto conn = static_cast<uint32_t>((op >> 2) & 3);
    ConnectionId id{100 + conn % 2, conn, 1};
    auto role = static_cast<Role>(((op >> 5) & 3) % 3);
    switch (op & 3) {
      case 0: {
        SocketData d;
        uint16_t total = r.u16();
        uint16_t n = r.u16();
        d.prefix = r.bytes(n);
        d.conn = id;
        d.conn.generation = 1;
        d.role = role;
        d.direction = (op & 0x10) ? Direction::kWrite : Direction::kRead;
        d.timestamp_ns = now;
        d.total_bytes = total;
        d.tls = (op & 0x80) != 0;
        engine.on_data(d);
        break;
      }
      case 1:
      case 2: {
        ConnectionEvent e;
        e.conn = id;
        e.conn.generation = r.u8();
        e.kind = (op & 3) == 1 ? ConnectionEvent::Kind::kOpen : ConnectionEvent::Kind::kClose;
        e.role = role;
        e.timestamp_ns = now;
        engine.on_connection(e);
        break;
      }
      default:
        engine.evict_idle(now);
        break;
    }
    check(engine.matcher().connections() <= cfg.limits.max_connections);
    check(engine.matcher().pending() <= cfg.limits.max_pending_total);
    check(engine.matcher().carried_bytes() <= cfg.limits.max_carried_bytes);
  }
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
