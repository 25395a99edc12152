#include "query/statistic.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(Statistic, ParsesNamesPercentilesAndOldAliases) {
  EXPECT_EQ(parse_statistic("p99")->quantile, 0.99);
  EXPECT_NEAR(parse_statistic("p999")->quantile, 0.999, 1e-12);
  EXPECT_EQ(parse_statistic("p5")->quantile, 0.5);
  EXPECT_NEAR(parse_statistic("p05")->quantile, 0.05, 1e-12);
  EXPECT_EQ(parse_statistic("max")->kind, Statistic::Kind::kMax);
  EXPECT_EQ(parse_statistic("")->kind, Statistic::Kind::kDefault);
  EXPECT_EQ(parse_statistic("mean")->kind, Statistic::Kind::kAvg);
  EXPECT_EQ(parse_statistic("value")->kind, Statistic::Kind::kSum);
  EXPECT_EQ(parse_statistic("count_rate")->kind, Statistic::Kind::kRate);
  for (const char* bad : {"p", "p0", "median", "p99999999999", "P99", "p9x"}) {
    EXPECT_FALSE(parse_statistic(bad)) << bad;
  }
}

TEST(Statistic, NamesRoundTrip) {
  for (const char* n : {"avg", "min", "max", "sum", "rate", "increase", "p50", "p99", "p999", "p05"}) {
    auto s = parse_statistic(n);
    ASSERT_TRUE(s) << n;
    EXPECT_EQ(statistic_name(*s), n);
  }
  EXPECT_EQ(statistic_name(Statistic{}, MetricType::kCounter), "rate");
  EXPECT_EQ(statistic_name(Statistic{}, MetricType::kGauge), "avg");
  EXPECT_EQ(statistic_name(Statistic{}, MetricType::kHistogram), "p99");
}

TEST(Statistic, FitsByMetricType) {
  auto fits = [](const char* n, MetricType t) { return statistic_fits(*parse_statistic(n), t); };
  EXPECT_TRUE(fits("rate", MetricType::kCounter));
  EXPECT_TRUE(fits("increase", MetricType::kCounter));
  EXPECT_FALSE(fits("p99", MetricType::kCounter));
  EXPECT_TRUE(fits("min", MetricType::kGauge));
  EXPECT_FALSE(fits("rate", MetricType::kGauge));
  EXPECT_TRUE(fits("p50", MetricType::kHistogram));
  EXPECT_TRUE(fits("count_rate", MetricType::kHistogram));
  EXPECT_FALSE(fits("max", MetricType::kHistogram));
}

}  // namespace
}  // namespace kscope
