#include "report/prometheus_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace kscope {
namespace {

using ::testing::HasSubstr;

TEST(PrometheusClient, StepKeepsEveryWindowWithinTheLimit) {
  EXPECT_EQ(choose_step(3600, 2000), 15);
  EXPECT_EQ(choose_step(14 * 86400, 2000), 900);
  EXPECT_EQ(choose_step(14 * 86400, 2000, 3600), 3600);
  for (double days : {1.0, 30.0, 365.0, 3650.0, 36500.0}) {
    const double w = days * 86400;
    const double step = choose_step(w, 11000 * 10);  // even when asked for too many
    EXPECT_LE(w / step, kPrometheusMaxPoints) << days;
    EXPECT_GT(step, 0);
  }
}

TEST(PrometheusClient, ParsesAMatrixWithSpecialValues) {
  auto body = nlohmann::json::parse(R"({"status":"success","warnings":["w1"],"data":{"resultType":"matrix","result":[
    {"metric":{"instance":"a:9100","__name__":"x"},"values":[[1700000000,"1.5"],[1700000060,"NaN"],[1700000120,"+Inf"]]},
    {"metric":{"instance":"b"},"values":[[1700000000,"2e3"]]}]}})");
  auto m = parse_query_range(body, 10, 100);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  ASSERT_EQ(m->series.size(), 2u);
  EXPECT_EQ(m->series[0].labels.at("instance"), "a:9100");
  ASSERT_EQ(m->series[0].points.size(), 3u);
  EXPECT_EQ(m->series[0].points[0].first, 1700000000);
  EXPECT_EQ(m->series[0].points[0].second, 1.5);
  EXPECT_TRUE(std::isnan(m->series[0].points[1].second));
  EXPECT_TRUE(std::isinf(m->series[0].points[2].second));
  EXPECT_EQ(m->series[1].points[0].second, 2000);
  EXPECT_EQ(m->warnings, std::vector<std::string>{"w1"});
}

TEST(PrometheusClient, BoundsSeriesAndPoints) {
  nlohmann::json result = nlohmann::json::array();
  for (int i = 0; i < 5; ++i) {
    nlohmann::json values = nlohmann::json::array();
    for (int k = 0; k < 50; ++k) values.push_back({k, "1"});
    result.push_back({{"metric", {{"i", std::to_string(i)}}}, {"values", values}});
  }
  nlohmann::json body = {{"status", "success"}, {"data", {{"resultType", "matrix"}, {"result", result}}}};
  auto m = parse_query_range(body, 3, 20);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->series.size(), 3u);
  EXPECT_EQ(m->dropped_series, 2u);
  EXPECT_EQ(m->series[0].points.size(), 20u);
}

TEST(PrometheusClient, PrometheusErrorsAreSurfacedAsTheySay) {
  auto err = parse_query_range(nlohmann::json::parse(
                                   R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"})"),
                               10, 10);
  ASSERT_FALSE(err.ok());
  EXPECT_THAT(err.error().message(), HasSubstr("bad_data: 1:5: parse error: unexpected"));
  auto vec = parse_query_range(
      nlohmann::json::parse(R"({"status":"success","data":{"resultType":"vector","result":[]}})"), 10, 10);
  ASSERT_FALSE(vec.ok());
  EXPECT_THAT(vec.error().message(), HasSubstr("resultType"));
  auto bad = parse_query_range(
      nlohmann::json::parse(R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,2]]}]}})"),
      10, 10);
  ASSERT_FALSE(bad.ok());  // a value that is a number, not a string
  EXPECT_FALSE(PrometheusClient::create({"ftp://x"}).ok());
  auto c = PrometheusClient::create({"http://127.0.0.1:9090//"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->url(), "http://127.0.0.1:9090");
}

TEST(PrometheusClient, AnUnreachablePrometheusIsOneClearError) {
  // Port 1 on loopback: nothing listens there.
  auto c = PrometheusClient::create({"http://127.0.0.1:1", {}, 2000});
  ASSERT_TRUE(c.ok());
  auto r = c->query_range("up", 0, 60, 15);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("127.0.0.1:1"));
}

}  // namespace
}  // namespace kscope
