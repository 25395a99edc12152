#include "requests/http_engine.h"

#include <gtest/gtest.h>

#include <string>

#include "export/prometheus.h"
#include "requests/test_traffic.h"

namespace kscope::requests {
namespace {

using testing::Conn;
using testing::kMs;
using testing::traffic;

const Family* find(const std::vector<Family>& fs, std::string_view name) {
  for (const auto& f : fs) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(HttpEngine, ServerAndClientFamiliesWithOtelLabels) {
  HttpEngineConfig cfg;
  cfg.breakdown_label = "comm";
  HttpEngine engine(cfg, [](uint32_t tgid) { return ProcessLabels{"svc", tgid == 1000 ? "nginx" : "curl"}; });
  Conn server;
  engine.on_connection(server.open(0));
  testing::exchange(engine, server, 1 * kMs, traffic("nginx_keepalive.request"),
                    4 * kMs, traffic("nginx_keepalive.response"));
  Conn client;
  client.id.tgid = 2000;
  client.role = Role::kClient;
  engine.on_connection(client.open(0, testing::ipv4(127, 0, 0, 1, 18081)));
  engine.on_data(client.write(1 * kMs, traffic("python_http_server.request")));
  engine.on_data(client.read(61 * kMs, traffic("python_http_server.response")));

  std::vector<Family> out;
  engine.append(out);
  const Family* s = find(out, "http_server_request_duration_seconds");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->type, MetricType::kHistogram);
  ASSERT_EQ(s->series.size(), 3u);  // /users/{id} 200, /fail 503, /index.html 200
  uint64_t total = 0;
  for (const auto& series : s->series) {
    total += series.histogram->count();
    EXPECT_EQ(*series.label("comm"), "nginx");
    EXPECT_EQ(*series.label("network_protocol_version"), "1.1");
    EXPECT_EQ(*series.label("url_scheme"), "http");
    EXPECT_EQ(series.label("server_address"), nullptr);
  }
  EXPECT_EQ(total, 3u);
  const Series* fail = nullptr;
  for (const auto& series : s->series) {
    if (*series.label("http_route") == "/fail") fail = &series;
  }
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(*fail->label("http_response_status_code"), "503");

  const Family* c = find(out, "http_client_request_duration_seconds");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->series.size(), 1u);
  const Series& cs = c->series[0];
  EXPECT_EQ(*cs.label("http_request_method"), "GET");
  EXPECT_EQ(*cs.label("http_route"), "/index.html");  // no query string
  EXPECT_EQ(*cs.label("network_protocol_version"), "1.0");
  EXPECT_EQ(*cs.label("server_address"), "127.0.0.1");
  EXPECT_EQ(*cs.label("server_port"), "18081");
  EXPECT_EQ(*cs.label("comm"), "curl");
  EXPECT_NEAR(cs.histogram->sum_seconds, 0.060, 1e-9);

  const Family* d = find(out, "kscope_l7_dropped_total");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->series.size(), kDropReasonCount);
  for (const auto& series : d->series) EXPECT_EQ(*series.label("protocol"), "http");
}

TEST(HttpEngine, ExportsAtOtelBucketsWithEscapedLabels) {
  HttpEngine engine({}, {});
  Conn c;
  // A path with a quote, a backslash and a byte that is not UTF-8.
  testing::exchange(engine, c, 1 * kMs, std::string("GET /a\"b\\c\xff?secret=1 HTTP/1.1\r\n\r\n"),
                    71 * kMs, testing::kOkEmpty);
  testing::exchange(engine, c, 100 * kMs, "PROPFIND /dav HTTP/1.1\r\n\r\n",
                    102 * kMs, "HTTP/1.1 207 Multi-Status\r\nContent-Length: 0\r\n\r\n");
  std::vector<Family> out;
  engine.append(out);
  std::vector<const Family*> fs;
  for (const auto& f : out) fs.push_back(&f);
  std::string text = render_prometheus(fs, otel_http_duration_le_seconds());
  EXPECT_NE(text.find("http_route=\"/a\\\"b\\\\c\xef\xbf\xbd\""), std::string::npos) << text;
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_NE(text.find("http_request_method=\"_OTHER\""), std::string::npos);
  // 70 ms is counted at le 0.075 or the next boundary, never below it.
  EXPECT_NE(text.find("le=\"0.075\""), std::string::npos);
  EXPECT_NE(text.find("le=\"7.5\""), std::string::npos);
  EXPECT_NE(text.find("kscope_l7_dropped_total{protocol=\"http\",reason=\"truncated\"} 0"), std::string::npos);
}

TEST(HttpEngine, SeriesCapFoldsRoutesIntoOther) {
  HttpEngineConfig cfg;
  cfg.max_series = 2;
  HttpEngine engine(cfg, {});
  Conn c;
  for (int i = 0; i < 5; ++i) {
    testing::exchange(engine, c, (10 * i + 1) * kMs, "GET /r" + std::string(1, char('a' + i)) + " HTTP/1.1\r\n\r\n",
                      (10 * i + 2) * kMs, testing::kOkEmpty);
  }
  std::vector<Family> out;
  engine.append(out);
  const Family* s = find(out, "http_server_request_duration_seconds");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->series.size(), 3u);  // /ra, /rb, and _OTHER
  uint64_t other = 0;
  for (const auto& series : s->series) {
    if (*series.label("http_route") == "_OTHER") other = series.histogram->count();
  }
  EXPECT_EQ(other, 3u);
}

TEST(HttpEngine, BreakdownCapFoldsTheQuietestProcesses) {
  HttpEngineConfig cfg;
  cfg.breakdown_label = "comm";
  cfg.max_breakdown = 2;
  HttpEngine engine(cfg, [](uint32_t tgid) { return ProcessLabels{"", "p" + std::to_string(tgid)}; });
  for (uint32_t tgid = 1; tgid <= 4; ++tgid) {
    Conn c;
    c.id.tgid = tgid;
    for (uint32_t n = 0; n < tgid; ++n) {
      testing::exchange(engine, c, (n * 10 + 1) * kMs, "GET / HTTP/1.1\r\n\r\n",
                        (n * 10 + 2) * kMs, testing::kOkEmpty);
    }
  }
  std::vector<Family> out;
  engine.append(out);
  const Family* s = find(out, "http_server_request_duration_seconds");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->series.size(), 2u);
  for (const auto& series : s->series) {
    const std::string& comm = *series.label("comm");
    EXPECT_TRUE(comm == "p4" || comm == "other") << comm;
    EXPECT_EQ(series.histogram->count(), comm == "p4" ? 4u : 1u + 2 + 3) << comm;
  }
}

}  // namespace
}  // namespace kscope::requests
