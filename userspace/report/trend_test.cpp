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

TEST(Trend, FallingResourceRunsOutAtTheFittedRate) {
  // 8 GiB available losing 1 MiB a second over 15 minutes at unix-second x:
  // at the end 8 GiB - 900 MiB left, (8192 - 900) seconds to go.
  const double mib = 1024.0 * 1024;
  std::vector<double> x;
  std::vector<std::optional<double>> falling, flat, rising;
  for (int s = 0; s <= 900; s += 5) {
    x.push_back(1.79e9 + s);
    falling.push_back(8192 * mib - mib * s);
    flat.push_back(4096 * mib);
    rising.push_back(1024 * mib + 10 * mib * s);
  }
  falling[3] = std::nullopt;  // a missed frame is skipped
  auto e = project_exhaustion(x, falling);
  ASSERT_TRUE(e);
  EXPECT_NEAR(e->fit.slope, -mib, 1e-3);
  EXPECT_NEAR(e->now_value, 7292 * mib, 1);
  EXPECT_DOUBLE_EQ(e->last_value, 7292 * mib);
  EXPECT_FALSE(e->exhausted);
  ASSERT_TRUE(e->seconds_to_exhaustion);
  EXPECT_NEAR(*e->seconds_to_exhaustion, 7292, 1e-3);

  auto f = project_exhaustion(x, flat);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->seconds_to_exhaustion);
  EXPECT_FALSE(f->exhausted);
  auto r = project_exhaustion(x, rising);
  ASSERT_TRUE(r);
  EXPECT_GT(r->fit.slope, 0);
  EXPECT_FALSE(r->seconds_to_exhaustion);

  // Already gone: the line is below 0 now, no time left to project.
  std::vector<std::optional<double>> gone;
  for (size_t i = 0; i < x.size(); ++i) gone.push_back(50.0 - 1.0 * static_cast<double>(i));
  auto g = project_exhaustion(x, gone);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->exhausted);
  EXPECT_FALSE(g->seconds_to_exhaustion);

  EXPECT_FALSE(project_exhaustion({1.79e9}, {1.0}));
  EXPECT_FALSE(project_exhaustion(x, std::vector<std::optional<double>>(x.size())));
}

}  // namespace
}  // namespace kscope
