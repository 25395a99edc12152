// libFuzzer target: the database request engines (userspace/requests:
// Redis, PostgreSQL and MySQL) fed the same arbitrary sequence of socket events,
// with small tables so that eviction, fd reuse and the queue limits are
// reached. Beyond "no crash":
// no outcome runs backwards in time, labels stay within their bounds, the
// tables and the bytes kept across calls stay within theirs, and every
// recorded outcome is in some series. The input as one SQL statement and
// as a connection's first bytes goes through the statement summary and
// the protocol recognition (each well-known port as a hint).
//
// Input: socket events as socket_events.h decodes them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "requests/db_engine.h"
#include "requests/mysql_session.h"
#include "requests/pg_framer.h"
#include "requests/protocol_recognition.h"
#include "requests/resp_reader.h"
#include "requests/sql_summary.h"
#include "socket_events.h"

namespace {

using namespace kscope::requests;

void check(bool ok) {
  if (!ok) std::abort();
}

// What one connection may keep across calls: a RESP line, words, an error
// prefix, a simple string and EXEC's element statuses; or PostgreSQL's
// header and a kept body; or MySQL's headers and kept payloads.
constexpr size_t kMaxCarriedPerConnection =
    2 * (kMaxRespLine + 2 * kMaxRespWord + kMaxRespWord + kMaxRespLine + kMaxRespElements * kMaxRespWord) +
    2 * (5 + kMaxPgBody) + 2 * 4 + kMaxMySqlKept + kMySqlResponseKept;

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
  (void)recognize_protocol(in, 3306);
  for (bool complete : {true, false}) {
    StatementSummary s = summarize_sql(in, complete, SqlDialect::kMySql);
    check(s.operation.size() <= 16);
    check(s.collection.size() <= 3 * kMaxSqlIdentifier + 2);
    check(s.collection.empty() || complete);
  }

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
  DbEngineConfig mc = base;
  mc.system = DbSystem::kMySql;
  DbEngine mysql(mc, [](uint32_t tgid) { return ProcessLabels{"", "p" + std::to_string(tgid % 3)}; });
  engines = {&redis, &pg, &mysql};
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

  struct Sink {
    std::vector<DbEngine*>& engines;
    const DbEngineConfig& base;
    void on_data(const SocketData& d) {
      for (DbEngine* e : engines) e->on_data(d);
    }
    void on_connection(const ConnectionEvent& c) {
      for (DbEngine* e : engines) e->on_connection(c);
    }
    void evict_idle(uint64_t now) {
      for (DbEngine* e : engines) e->evict_idle(now);
    }
    void check() const {
      for (DbEngine* e : engines) {
        ::check(e->connections() <= base.max_connections);
        ::check(e->pending() <= base.queue.max_pending_total);
        ::check(e->carried_bytes() <= e->connections() * kMaxCarriedPerConnection);
      }
    }
  } sink{engines, base};
  kscope::fuzz::decode_events(in, sink);
  std::vector<kscope::Family> out;
  for (DbEngine* e : engines) e->append(out);
  uint64_t recorded = 0;
  for (const auto& f : out) {
    if (f.type != kscope::MetricType::kHistogram) continue;
    // The engines add to the same families, each within its cap.
    check(f.series.size() <= engines.size() * (2 * base.max_series + 1));
    for (const auto& s : f.series) recorded += s.histogram->count();
  }
  check(recorded == outcomes);
  return 0;
}
