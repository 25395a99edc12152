#include "report/baseline.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kscope {
namespace {

TEST(Baseline, QuantilesInterpolateBetweenRanksLikeNumpy) {
  std::vector<double> v = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(sorted_quantile(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(sorted_quantile(v, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(sorted_quantile(v, 1.0), 4);
  EXPECT_DOUBLE_EQ(sorted_quantile({7}, 0.99), 7);
}

TEST(Baseline, AnOutlierDoesNotMoveTheP99OrTheDeviation) {
  std::vector<double> v;
  for (int i = 0; i < 1000; ++i) v.push_back(100 + (i % 11) - 5);  // 95..105
  auto clean = compute_baseline(v);
  v[500] = 1e6;  // one incident
  v[501] = std::nan("");
  auto b = compute_baseline(v);
  ASSERT_TRUE(b && clean);
  EXPECT_EQ(b->outliers, 1u);
  EXPECT_EQ(b->count, 998u);
  EXPECT_NEAR(b->p99, clean->p99, 1e-9);
  EXPECT_NEAR(b->stddev, clean->stddev, 0.05);
  EXPECT_LE(b->max, 105);
  EXPECT_NEAR(b->mean, 100, 0.05);
  EXPECT_NEAR(b->p50, 100, 1e-9);
  EXPECT_NEAR(b->stddev, std::sqrt(10.0), 0.01);  // uniform on 11 integers: variance 10
}

TEST(Baseline, NothingFiniteIsNoBaseline) {
  EXPECT_FALSE(compute_baseline({}).has_value());
  EXPECT_FALSE(compute_baseline({std::nan(""), INFINITY}).has_value());
}

}  // namespace
}  // namespace kscope
