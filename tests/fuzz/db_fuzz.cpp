// libFuzzer target: the database request engines (userspace/requests:
// Redis and PostgreSQL) fed the same arbitrary sequence of socket events,
// decoded from the input as in http_fuzz.cpp, with small tables so that
// eviction, fd reuse and the queue limits are reached. Beyond "no crash":
// no outcome runs backwards in time, labels stay within their bounds, the
// tables and the bytes kept across calls stay within theirs, and every
// recorded outcome is in some series. The input as one SQL statement and
// as a connection's first bytes goes through the statement summary and
// the protocol recognition.
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

#include "requests/db_engine.h"
#include "requests/pg_framer.h"
#include "requests/protocol_recognition.h"
#include "requests/resp_reader.h"
#include "requests/sql_summary.h"

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

// What one connection may keep across calls: a RESP line, words, an error
// prefix, a simple string and EXEC's element statuses; or PostgreSQL's
// header and a kept body.
constexpr size_t kMaxCarriedPerConnection =
    2 * (kMaxRespLine + 2 * kMaxRespWord + kMaxRespWord + kMaxRespLine + kMaxRespElements * kMaxRespWord) +
    2 * (5 + kMaxPgBody);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (bool complete : {true, false}) {
    StatementSummary s = summarize_sql(in, complete);
    check(s.operation.size() <= 16);
    check(s.collection.size() <= 3 * kMaxSqlIdentifier + 2);
    check(s.collection.empty() || complete);
  }
  (void)recognize_protocol(in, 6379);
  (void)recognize_protocol(in, 5432);

  DbEngineConfig base;
  base.max_connections = 3;
  base.queue.max_in_flight = 4;
  base.queue.max_pending_total = 6;
  base.idle_timeout_ns = 50ull * 1000 * 1000;
  base.max_series = 16;
  base.breakdown_label = "comm";
  base.max_breakdown = 2;
  std::vector<DbEngine*> engines;
  DbEngineConfig rc = base;
  rc.system = DbSystem::kRedis;
  DbEngine redis(rc, [](uint32_t tgid) { return ProcessLabels{"", "p" + std::to_string(tgid % 3)}; });
  DbEngineConfig pc = base;
  pc.system = DbSystem::kPostgres;
  DbEngine pg(pc, [](uint32_t tgid) { return ProcessLabels{"", "p" + std::to_string(tgid % 3)}; });
  engines = {&redis, &pg};
  uint64_t outcomes = 0;
  for (DbEngine* e : engines) {
    e->set_exchange_listener([&](const DbExchange& x) {
      ++outcomes;
      check(x.outcome.response_ns >= x.outcome.request_ns);
      check(x.role == Role::kServer || x.role == Role::kClient);
      check(x.outcome.operation.size() <= 2 * kMaxRespWord + 1);
      check(x.outcome.collection.size() <= 3 * kMaxSqlIdentifier + 2);
      check(x.outcome.status.size() <= kMaxRespWord);
    });
  }

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
        d.role = role;
        d.direction = (op & 0x10) ? Direction::kWrite : Direction::kRead;
        d.timestamp_ns = now;
        d.total_bytes = total;
        d.tls = (op & 0x80) != 0;
        for (DbEngine* e : engines) e->on_data(d);
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
        for (DbEngine* engine : engines) engine->on_connection(e);
        break;
      }
      default:
        for (DbEngine* e : engines) e->evict_idle(now);
        break;
    }
    for (DbEngine* e : engines) {
      check(e->connections() <= base.max_connections);
      check(e->pending() <= base.queue.max_pending_total);
      check(e->carried_bytes() <= e->connections() * kMaxCarriedPerConnection);
    }
  }
  std::vector<kscope::Family> out;
  for (DbEngine* e : engines) e->append(out);
  uint64_t recorded = 0;
  for (const auto& f : out) {
    if (f.type != kscope::MetricType::kHistogram) continue;
    // Two engines add to the same families, each within its cap.
    check(f.series.size() <= 2 * (2 * base.max_series + 1));
    for (const auto& s : f.series) recorded += s.histogram->count();
  }
  check(recorded == outcomes);
  return 0;
}
