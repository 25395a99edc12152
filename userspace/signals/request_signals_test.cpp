#include "signals/request_signals.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "signals/fake_host.h"
#include "signals/signals_engine.h"

namespace kscope {
namespace {

using testing::FakeHost;

constexpr uint64_t kMs = 1000 * 1000;

Labels http(const std::string& status, const std::string& comm) {
  return {{"http_request_method", "GET"}, {"http_response_status_code", status}, {"http_route", "/"}, {"comm", comm}};
}
Labels db(const std::string& status, const std::string& comm) {
  return {{"db_system_name", "redis"}, {"db_operation_name", "GET"}, {"db_response_status_code", status},
          {"comm", comm}};
}

SignalsOptions options() {
  SignalsOptions o;
  o.breakdown = "comm";
  return o;
}

TEST(RequestSignals, RateErrorsAndLatencyOfTheRequestsEachServiceServed) {
  FakeHost host;
  SignalsEngine engine(options());
  host.labeled_histogram("http_server_request_duration_seconds", http("200", "nginx"), 10, 2 * kMs);
  auto first = engine.update(host.snapshot());
  EXPECT_FALSE(first->host.requests_per_second);  // no interval yet

  host.labeled_histogram("http_server_request_duration_seconds", http("200", "nginx"), 90, 2 * kMs);
  host.labeled_histogram("http_server_request_duration_seconds", http("503", "nginx"), 6, 2 * kMs);
  host.labeled_histogram("http_server_request_duration_seconds", http("404", "nginx"), 4, 2 * kMs);
  host.labeled_histogram("kscope_db_server_operation_duration_seconds", db("", "redis-server"), 38, 100 * 1000);
  host.labeled_histogram("kscope_db_server_operation_duration_seconds", db("WRONGTYPE", "redis-server"), 2,
                         100 * 1000);
  // The client side is what a process asked of others: not its service.
  host.labeled_histogram("http_client_request_duration_seconds", http("500", "curl"), 50, kMs);
  auto s = engine.update(host.snapshot(2));

  ASSERT_TRUE(s->host.requests_per_second);
  EXPECT_DOUBLE_EQ(*s->host.requests_per_second, (100.0 + 40) / 2);
  EXPECT_DOUBLE_EQ(*s->host.request_errors_per_second, (6.0 + 2) / 2);
  EXPECT_DOUBLE_EQ(*s->host.request_error_ratio, 8.0 / 140);
  EXPECT_EQ(s->host.request_latency->count, 140u);

  const SignalSet* nginx = s->target("nginx");
  ASSERT_NE(nginx, nullptr);
  EXPECT_DOUBLE_EQ(*nginx->requests_per_second, 50);
  EXPECT_DOUBLE_EQ(*nginx->request_error_ratio, 0.06);  // 404s are the client's errors
  EXPECT_NEAR(nginx->request_latency->p99, 2e-3, 2e-3 * 0.2);
  const SignalSet* redis = s->target("redis-server");
  ASSERT_NE(redis, nullptr);
  EXPECT_DOUBLE_EQ(*redis->request_error_ratio, 0.05);
  EXPECT_NEAR(redis->request_latency->p50, 100e-6, 100e-6 * 0.2);
  EXPECT_EQ(s->target("curl"), nullptr);

  EXPECT_EQ(signal_value(*nginx, "errors.request_error_ratio"), 0.06);
  EXPECT_EQ(signal_value(*nginx, "traffic.requests_per_second"), 50);
  EXPECT_TRUE(signal_value(*nginx, "latency.request.p99"));
  auto j = nlohmann::json::parse(to_json(*s));
  EXPECT_DOUBLE_EQ(j["host"]["traffic"]["requests_per_second"].get<double>(), 70);
  EXPECT_EQ(j["host"]["latency"]["request"]["count"], 140);
}

TEST(RequestSignals, AbsentWithoutCaptureZeroWhenIdle) {
  FakeHost host;
  SignalsEngine engine(options());
  host.calls("read", "nginx", 10, 1000);
  engine.update(host.snapshot());
  auto off = engine.update(host.snapshot());
  EXPECT_FALSE(off->host.requests_per_second);
  EXPECT_FALSE(signal_value(off->host, "errors.request_error_ratio"));
  EXPECT_TRUE(nlohmann::json::parse(to_json(*off))["host"]["traffic"]["requests_per_second"].is_null());

  host.labeled_histogram("http_server_request_duration_seconds", http("200", "nginx"), 5, kMs);
  engine.update(host.snapshot());
  auto idle = engine.update(host.snapshot());
  ASSERT_TRUE(idle->host.requests_per_second);
  EXPECT_DOUBLE_EQ(*idle->host.requests_per_second, 0);
  EXPECT_DOUBLE_EQ(*idle->host.request_errors_per_second, 0);
  EXPECT_FALSE(idle->host.request_error_ratio);  // no request: no ratio
  EXPECT_FALSE(signal_value(idle->host, "latency.request.p99"));
}

TEST(RequestSignals, GrpcServerErrorsAsOpenTelemetryCountsThem) {
  FakeHost host;
  SignalsEngine engine(options());
  auto rpc = [](const std::string& code) {
    return Labels{{"rpc_system_name", "grpc"}, {"rpc_service", "a.B"}, {"rpc_method", "C"},
                  {"rpc_grpc_status_code", code}, {"comm", "python3"}};
  };
  host.labeled_histogram("rpc_server_call_duration_seconds", rpc("0"), 1, kMs);
  engine.update(host.snapshot());
  host.labeled_histogram("rpc_server_call_duration_seconds", rpc("0"), 10, kMs);
  host.labeled_histogram("rpc_server_call_duration_seconds", rpc("14"), 4, kMs);  // UNAVAILABLE: the server's
  host.labeled_histogram("rpc_server_call_duration_seconds", rpc("5"), 6, kMs);   // NOT_FOUND: the caller's
  auto s = engine.update(host.snapshot(2));
  const SignalSet* py = s->target("python3");
  ASSERT_NE(py, nullptr);
  EXPECT_DOUBLE_EQ(*py->requests_per_second, 10);
  EXPECT_DOUBLE_EQ(*py->request_errors_per_second, 2);
}

}  // namespace
}  // namespace kscope
