#include "api/query_answer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "api/service_map_answer.h"

namespace kscope {
namespace {

TEST(QueryAnswer, RoundTripsThroughJson) {
  QueryAnswer a;
  a.name = "kscope_syscall_latency_seconds";
  a.type = "histogram";
  a.aggregation = "p99";
  a.found = true;
  a.start = 100;
  a.end = 160;
  a.step = 30;
  a.timestamps = {100, 130, 160};
  a.series.push_back({{{"comm", "nginx"}}, {0.25, std::nullopt, 0.5}, 0.375});
  const nlohmann::json j = a;
  EXPECT_TRUE(j["series"][0]["values"][1].is_null());
  const auto b = j.get<QueryAnswer>();
  EXPECT_EQ(b.name, a.name);
  EXPECT_EQ(b.type, a.type);
  EXPECT_EQ(b.aggregation, a.aggregation);
  EXPECT_TRUE(b.found);
  EXPECT_EQ(b.step, 30);
  EXPECT_EQ(b.timestamps, a.timestamps);
  ASSERT_EQ(b.series.size(), 1u);
  EXPECT_EQ(b.series[0].labels, a.series[0].labels);
  EXPECT_EQ(b.series[0].values, a.series[0].values);
  EXPECT_EQ(b.series[0].mean, 0.375);
  EXPECT_EQ(b.series[0].newest(), 0.5);
  ASSERT_NE(b.series[0].label("comm"), nullptr);
  EXPECT_EQ(*b.series[0].label("comm"), "nginx");
  EXPECT_EQ(b.series[0].label("pid"), nullptr);
}

TEST(QueryAnswer, NonFiniteValuesAreWrittenAsNull) {
  QueryAnswer a;
  a.series.push_back({{}, {std::nan(""), INFINITY, 1.0}, std::nan("")});
  const nlohmann::json j = a;
  EXPECT_TRUE(j["series"][0]["values"][0].is_null());
  EXPECT_TRUE(j["series"][0]["values"][1].is_null());
  EXPECT_EQ(j["series"][0]["values"][2], 1.0);
  EXPECT_TRUE(j["series"][0]["mean"].is_null());
}

// The answer comes over the network: fields of the wrong type read as
// absent, and reading never throws.
TEST(QueryAnswer, ReadsHostileJsonWithoutThrowing) {
  for (const char* text : {
           "null", "[]", "42", "\"x\"", "{}", R"({"found": "yes", "series": 3})",
           R"({"found": true, "timestamps": ["a", null, 5], "series": [1, "x", null, {"labels": 3}]})",
           R"({"found": true, "series": [{"labels": {"a": 1, "b": "ok"}, "values": {"x": 1}, "mean": "m"}]})",
           R"({"name": ["x"], "type": {}, "step": "10", "start": null})"}) {
    SCOPED_TRACE(text);
    const auto j = nlohmann::json::parse(text);
    QueryAnswer a;
    EXPECT_NO_THROW(a = j.get<QueryAnswer>());
  }
  const auto a = nlohmann::json::parse(
                     R"({"found": true, "timestamps": ["a", 5],
                         "series": [{"labels": {"a": 1, "b": "ok"}, "values": [1, "2", null, 3], "mean": "m"}]})")
                     .get<QueryAnswer>();
  EXPECT_TRUE(a.found);
  ASSERT_EQ(a.timestamps.size(), 2u);
  EXPECT_TRUE(std::isnan(a.timestamps[0]));
  EXPECT_EQ(a.timestamps[1], 5);
  ASSERT_EQ(a.series.size(), 1u);
  EXPECT_EQ(a.series[0].labels.size(), 1u);  // "a" is not a string
  EXPECT_EQ(a.series[0].values, (std::vector<std::optional<double>>{1.0, std::nullopt, std::nullopt, 3.0}));
  EXPECT_FALSE(a.series[0].mean);
  EXPECT_EQ(a.series[0].newest(), 3.0);
}

TEST(ServiceMapAnswer, RoundTripsThroughJson) {
  ServiceMapAnswer a;
  a.time = "2026-12-07T10:00:00Z";
  a.interval_seconds = 1;
  a.breakdown = "comm";
  ServiceEdgeAnswer e;
  e.client = "curl";
  e.protocol = "http";
  e.server_address = "::1";
  e.server_port = "8080";
  e.server_process = "nginx";
  e.server_pid = 812;
  e.requests_per_second = 40;
  e.error_ratio = 0.25;
  e.p50_seconds = 0.001;
  e.p99_seconds = std::nan("");
  e.count = 40;
  a.edges.push_back(e);
  const nlohmann::json j = a;
  EXPECT_EQ(j["edges"][0]["server"]["process"], "nginx");
  EXPECT_TRUE(j["edges"][0]["p99_seconds"].is_null());
  const auto b = j.get<ServiceMapAnswer>();
  EXPECT_TRUE(b.has_edges);
  EXPECT_EQ(b.breakdown, "comm");
  ASSERT_EQ(b.edges.size(), 1u);
  EXPECT_EQ(b.edges[0].client, "curl");
  EXPECT_EQ(b.edges[0].server_address, "::1");
  EXPECT_EQ(b.edges[0].server_process, "nginx");
  EXPECT_EQ(b.edges[0].server_pid, 812);
  EXPECT_EQ(b.edges[0].error_ratio, 0.25);
  EXPECT_FALSE(b.edges[0].p99_seconds);
  EXPECT_EQ(b.edges[0].count, 40u);
}

TEST(ServiceMapAnswer, RemoteServerHasNoProcessAndHostileJsonReadsAsAbsent) {
  ServiceEdgeAnswer e;
  e.server_address = "10.0.0.1";
  const nlohmann::json j = e;
  EXPECT_TRUE(j["server"]["process"].is_null());
  EXPECT_TRUE(j["server"]["pid"].is_null());
  for (const char* text : {"null", "{}", R"({"edges": {}})", R"({"edges": [1, null, {"server": 5, "count": -3}]})"}) {
    SCOPED_TRACE(text);
    ServiceMapAnswer a;
    EXPECT_NO_THROW(a = nlohmann::json::parse(text).get<ServiceMapAnswer>());
  }
  EXPECT_FALSE(nlohmann::json::parse("{}").get<ServiceMapAnswer>().has_edges);
  const auto a = nlohmann::json::parse(R"({"edges": [1, {"server": 5, "count": -3, "client": "c"}]})")
                     .get<ServiceMapAnswer>();
  ASSERT_EQ(a.edges.size(), 1u);
  EXPECT_EQ(a.edges[0].client, "c");
  EXPECT_EQ(a.edges[0].count, 0u);
}

}  // namespace
}  // namespace kscope
