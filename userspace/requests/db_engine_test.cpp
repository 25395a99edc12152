#include "requests/db_engine.h"

#include <gtest/gtest.h>

#include <string>

#include "export/prometheus.h"
#include "requests/db_test_traffic.h"
#include "requests/http_engine.h"

namespace kscope::requests {
namespace {

using testing::Conn;
using testing::kMs;

const Family* find(const std::vector<Family>& fs, std::string_view name) {
  for (const auto& f : fs) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

SocketAddress local_6379() {
  SocketAddress a = testing::ipv4(10, 0, 0, 5, 6379);
  return a;
}

TEST(DbEngine, OtelLabelsOnBothSides) {
  DbEngineConfig cfg;
  cfg.breakdown_label = "comm";
  DbEngine engine(cfg, [](uint32_t tgid) { return ProcessLabels{"", tgid == 1000 ? "redis-server" : "app"}; });
  Conn server;
  ConnectionEvent open = server.open(0, testing::ipv4(127, 0, 0, 1, 40000));
  open.local = local_6379();
  engine.on_connection(open);
  engine.on_data(server.read(1 * kMs, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"));
  engine.on_data(server.write(3 * kMs, "-WRONGTYPE Operation against a key\r\n"));
  Conn client;
  client.id.tgid = 2000;
  client.role = Role::kClient;
  engine.on_connection(client.open(0, testing::ipv4(127, 0, 0, 1, 6380)));
  engine.on_data(client.write(1 * kMs, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));
  engine.on_data(client.read(11 * kMs, "+OK\r\n"));

  std::vector<Family> out;
  engine.append(out);
  const Family* s = find(out, "kscope_db_server_operation_duration_seconds");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->series.size(), 1u);
  const Series& ss = s->series[0];
  EXPECT_EQ(*ss.label("db_system_name"), "redis");
  EXPECT_EQ(*ss.label("db_operation_name"), "GET");
  EXPECT_EQ(*ss.label("db_collection_name"), "");
  EXPECT_EQ(*ss.label("db_response_status_code"), "WRONGTYPE");
  EXPECT_EQ(*ss.label("server_address"), "10.0.0.5");  // this end: the server
  EXPECT_EQ(*ss.label("server_port"), "6379");
  EXPECT_EQ(*ss.label("comm"), "redis-server");
  EXPECT_NEAR(ss.histogram->sum_seconds, 0.002, 1e-9);

  const Family* c = find(out, "db_client_operation_duration_seconds");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->series.size(), 1u);
  const Series& cs = c->series[0];
  EXPECT_EQ(*cs.label("db_operation_name"), "SET");
  EXPECT_EQ(*cs.label("db_response_status_code"), "");  // success: no status, as OpenTelemetry says
  EXPECT_EQ(*cs.label("server_address"), "127.0.0.1");
  EXPECT_EQ(*cs.label("server_port"), "6380");
  EXPECT_EQ(*cs.label("comm"), "app");
  EXPECT_NEAR(cs.histogram->sum_seconds, 0.010, 1e-9);

  const Family* d = find(out, "kscope_l7_dropped_total");
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->series.size(), kDropReasonCount);
  for (const auto& series : d->series) EXPECT_EQ(*series.label("protocol"), "redis");
}

TEST(DbEngine, EnginesShareTheirFamiliesWithEachOtherAndHttp) {
  HttpEngine http({}, {});
  DbEngineConfig rc;
  DbEngine redis(rc, {});
  DbEngineConfig pc;
  pc.system = DbSystem::kPostgres;
  DbEngine pg(pc, {});
  Conn c;
  testing::exchange(redis, c, 1 * kMs, "*1\r\n$4\r\nPING\r\n", 2 * kMs, "+PONG\r\n");
  std::string sql = "SELECT * FROM \"a\\\"";  // the identifier a\ (quoted)
  std::string q = "Q" + std::string(3, '\0') + static_cast<char>(sql.size() + 5) + sql + '\0';
  std::string z("Z\0\0\0\x05I", 6);
  testing::exchange(pg, c, 1 * kMs, q, 5 * kMs, z);
  std::vector<Family> out;
  http.append(out);
  redis.append(out);
  pg.append(out);
  int dropped = 0, server = 0;
  for (const auto& f : out) {
    dropped += f.name == "kscope_l7_dropped_total";
    server += f.name == "kscope_db_server_operation_duration_seconds";
  }
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(server, 1);
  const Family* d = find(out, "kscope_l7_dropped_total");
  EXPECT_EQ(d->series.size(), 3 * kDropReasonCount);
  const Family* s = find(out, "kscope_db_server_operation_duration_seconds");
  ASSERT_EQ(s->series.size(), 2u);
  std::vector<const Family*> fs;
  for (const auto& f : out) fs.push_back(&f);
  std::string text = render_prometheus(fs, otel_http_duration_le_seconds());
  // A quoted identifier with a quote and a backslash, escaped.
  EXPECT_NE(text.find("db_collection_name=\"a\\\\\""), std::string::npos) << text;
  EXPECT_NE(text.find("db_system_name=\"postgresql\""), std::string::npos);
  EXPECT_NE(text.find("kscope_l7_dropped_total{protocol=\"postgresql\",reason=\"encrypted\"} 0"), std::string::npos);
}

TEST(DbEngine, SeriesCapFoldsCollectionsIntoOther) {
  DbEngineConfig cfg;
  cfg.system = DbSystem::kPostgres;
  cfg.max_series = 2;
  DbEngine engine(cfg, {});
  Conn c;
  for (int i = 0; i < 6; ++i) {
    std::string sql = "SELECT 1 FROM t" + std::to_string(i);
    std::string q = "Q" + std::string(3, '\0') + static_cast<char>(sql.size() + 5) + sql + '\0';
    testing::exchange(engine, c, (10 * i + 1) * kMs, q, (10 * i + 2) * kMs, std::string("Z\0\0\0\x05I", 6));
  }
  std::vector<Family> out;
  engine.append(out);
  const Family* s = find(out, "kscope_db_server_operation_duration_seconds");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->series.size(), 3u);
  uint64_t other = 0, total = 0;
  for (const auto& series : s->series) {
    total += series.histogram->count();
    if (*series.label("db_collection_name") == "_OTHER") other = series.histogram->count();
  }
  EXPECT_EQ(total, 6u);
  EXPECT_EQ(other, 4u);
}

TEST(DbEngine, ConnectionTableAndQueuesAreBoundedAndCounted) {
  DbEngineConfig cfg;
  cfg.max_connections = 2;
  cfg.queue.max_in_flight = 3;
  DbEngine engine(cfg, {});
  Conn c;
  for (int i = 0; i < 5; ++i) engine.on_data(c.read(1 * kMs, "*1\r\n$4\r\nPING\r\n"));
  EXPECT_EQ(engine.pending(), 3u);
  EXPECT_EQ(testing::drops(engine, DropReason::kInFlightFull), 2u);
  for (int i = 0; i < 5; ++i) engine.on_data(c.write(2 * kMs, "+PONG\r\n"));
  EXPECT_EQ(engine.pending(), 0u);
  EXPECT_EQ(testing::drops(engine, DropReason::kResponseWithoutRequest), 0u);
  Conn other = c;
  other.id.fd = 8;
  engine.on_data(other.read(3 * kMs, "*1\r\n$4\r\nPING\r\n"));
  Conn third = c;
  third.id.fd = 9;
  engine.on_data(third.read(3 * kMs, "*1\r\n$4\r\nPING\r\n"));
  EXPECT_EQ(engine.connections(), 2u);
  EXPECT_EQ(testing::drops(engine, DropReason::kTableFull), 1u);
  engine.on_connection(other.close(4 * kMs));
  EXPECT_EQ(testing::drops(engine, DropReason::kClosedInFlight), 1u);
  engine.evict_idle(4 * kMs + cfg.idle_timeout_ns + 1);
  EXPECT_EQ(engine.connections(), 0u);
}

}  // namespace
}  // namespace kscope::requests
