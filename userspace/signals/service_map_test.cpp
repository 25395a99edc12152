#include "signals/service_map.h"

#include <gtest/gtest.h>

#include "signals/fake_host.h"

namespace kscope {
namespace {

using testing::FakeHost;

constexpr uint64_t kMs = 1000 * 1000;

Labels http_call(const std::string& comm, const std::string& status, const std::string& port) {
  return {{"http_request_method", "GET"},  {"http_response_status_code", status}, {"server_address", "127.0.0.1"},
          {"server_port", port},          {"comm", comm}};
}

TEST(ServiceMap, EdgesPerClientProtocolAndServerWithErrorsAndLatency) {
  FakeHost host;
  host.labeled_histogram("http_client_request_duration_seconds", http_call("curl", "200", "8080"), 1, kMs);
  auto before = host.snapshot();
  host.labeled_histogram("http_client_request_duration_seconds", http_call("curl", "200", "8080"), 30, kMs);
  host.labeled_histogram("http_client_request_duration_seconds", http_call("curl", "503", "8080"), 10, kMs);
  host.labeled_histogram("http_client_request_duration_seconds", http_call("curl", "404", "8080"), 10, kMs);
  host.labeled_histogram("http_client_request_duration_seconds", http_call("app", "200", "9090"), 4, 20 * kMs);
  host.labeled_histogram("db_client_operation_duration_seconds",
                         {{"db_system_name", "redis"}, {"db_operation_name", "GET"}, {"db_response_status_code", ""},
                          {"server_address", "127.0.0.1"}, {"server_port", "6379"}, {"comm", "app"}},
                         20, kMs / 10);
  auto now = host.snapshot(2);
  IntervalPair p{before.get(), *now, 2, "comm"};
  auto edges = service_edges(p);
  ASSERT_EQ(edges.size(), 3u);
  const auto& curl = edges[0];  // busiest first
  EXPECT_EQ(curl.client, "curl");
  EXPECT_EQ(curl.protocol, "http");
  EXPECT_EQ(curl.server_address, "127.0.0.1");
  EXPECT_EQ(curl.server_port, "8080");
  EXPECT_EQ(curl.count, 50u);
  EXPECT_DOUBLE_EQ(curl.requests_per_second, 25);
  EXPECT_DOUBLE_EQ(curl.error_ratio, 0.2);  // the 503s; a 404 is not the server failing
  EXPECT_NEAR(curl.p99_seconds, 1e-3, 1e-3 * 0.2);
  EXPECT_EQ(edges[1].protocol, "redis");
  EXPECT_EQ(edges[1].client, "app");
  EXPECT_EQ(edges[1].count, 20u);
  EXPECT_EQ(edges[2].server_port, "9090");
  EXPECT_NEAR(edges[2].p50_seconds, 20e-3, 20e-3 * 0.2);

  // Nothing new: no edge. No previous snapshot: no edge.
  auto idle = host.snapshot();
  EXPECT_TRUE(service_edges({now.get(), *idle, 1, "comm"}).empty());
  EXPECT_TRUE(service_edges({nullptr, *idle, 1, "comm"}).empty());
  EXPECT_EQ(service_edges(p, 1).size(), 1u);
}

TEST(ServiceMap, GrpcCallsAreEdgesWithEveryNonOkStatusFailing) {
  FakeHost host;
  auto rpc = [](const std::string& code) {
    return Labels{{"rpc_system_name", "grpc"}, {"rpc_service", "a.B"}, {"rpc_method", "C"},
                  {"rpc_grpc_status_code", code}, {"server_address", "127.0.0.1"}, {"server_port", "50051"},
                  {"comm", "client"}};
  };
  host.labeled_histogram("rpc_client_call_duration_seconds", rpc("0"), 1, kMs);
  auto before = host.snapshot();
  host.labeled_histogram("rpc_client_call_duration_seconds", rpc("0"), 6, kMs);
  host.labeled_histogram("rpc_client_call_duration_seconds", rpc("5"), 2, kMs);  // NOT_FOUND fails a client
  auto now = host.snapshot(2);
  auto edges = service_edges({before.get(), *now, 2, "comm"});
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(edges[0].protocol, "grpc");
  EXPECT_EQ(edges[0].server_port, "50051");
  EXPECT_EQ(edges[0].count, 8u);
  EXPECT_DOUBLE_EQ(edges[0].error_ratio, 0.25);
}

}  // namespace
}  // namespace kscope
