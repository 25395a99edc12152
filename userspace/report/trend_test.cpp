#include "report/trend.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(Trend, ExactLineIsRecovered) {
  // y = 0.01 + 0.0001 x at unix-second scale x, where naive sums lose digits.
  std::vector<double> x, y;
  for (int i = 0; i < 100; ++i) {
    x.push_back(1.8e9 + 10.0 * i);
    y.push_back(0.01 + 0.0001 * 10.0 * i);
  }
  auto f = fit_line(x, y);
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->slope, 0.0001, 1e-12);
  EXPECT_NEAR(f->intercept + f->slope * x[0], 0.01, 1e-9);
  EXPECT_NEAR(f->r2, 1.0, 1e-12);
  EXPECT_EQ(f->points, 100u);
}

TEST(Trend, KnownLeastSquares) {
  // Points (0,1) (1,3) (2,2) (3,5): slope 1.1, intercept 1.1, r^2 = 0.6914.
  auto f = fit_line({0, 1, 2, 3}, {1, 3, 2, 5});
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->slope, 1.1, 1e-12);
  EXPECT_NEAR(f->intercept, 1.1, 1e-12);
  EXPECT_NEAR(f->r2, 30.25 / 43.75, 1e-12);  // sxy^2 / (sxx syy)
  EXPECT_FALSE(fit_line({1}, {1}));
  EXPECT_FALSE(fit_line({2, 2, 2}, {1, 2, 3}));
}

TEST(Trend, ProjectsTimeToThresholdWhenRising) {
  // 10 ms growing 1 ms per minute over an hour: at the end 70 ms; a 100 ms
  // threshold is 30 minutes away.
  std::vector<double> x;
  std::vector<std::optional<double>> y;
  for (int m = 0; m <= 60; ++m) {
    x.push_back(60.0 * m);
    y.push_back(m == 30 ? std::nullopt : std::optional<double>(0.010 + 0.001 * m));
  }
  auto t = project_trend(x, y, 0.1);
  ASSERT_TRUE(t);
  EXPECT_NEAR(t->now_value, 0.070, 1e-9);
  ASSERT_TRUE(t->seconds_to_threshold);
  EXPECT_NEAR(*t->seconds_to_threshold, 1800, 1e-6);
  EXPECT_FALSE(t->above_threshold);
  EXPECT_EQ(t->fit.points, 60u);  // the null point is skipped

  auto above = project_trend(x, y, 0.05);
  EXPECT_TRUE(above->above_threshold);
  EXPECT_FALSE(above->seconds_to_threshold);

  std::vector<std::optional<double>> falling;
  for (int m = 0; m <= 60; ++m) falling.push_back(0.07 - 0.001 * m);
  auto f = project_trend(x, falling, 0.1);
  EXPECT_LT(f->fit.slope, 0);
  EXPECT_FALSE(f->seconds_to_threshold);

  auto none = project_trend(x, y, std::nullopt);
  EXPECT_FALSE(none->seconds_to_threshold);
  EXPECT_FALSE(project_trend(x, std::vector<std::optional<double>>(x.size()), 0.1));
}

}  // namespace
}  // namespace kscope
