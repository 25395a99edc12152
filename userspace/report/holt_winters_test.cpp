#include "report/holt_winters.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace kscope {
namespace {

TEST(HoltWinters, ALineIsContinuedExactly) {
  std::vector<double> y;
  for (int i = 0; i < 200; ++i) y.push_back(10 + 0.5 * i);
  auto fit = holt_winters_fit(y, 0, false);
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->sigma, 0, 1e-9);
  auto f = holt_winters_forecast(*fit, 100, 1.96);
  ASSERT_EQ(f.size(), 100u);
  EXPECT_NEAR(f[0].mean, 10 + 0.5 * 200, 1e-6);
  EXPECT_NEAR(f[99].mean, 10 + 0.5 * 299, 1e-6);
}

TEST(HoltWinters, ASeasonWithTrendAndNoiseIsForecastWithinItsInterval) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1);
  const size_t m = 24;
  auto truth = [&](double i) { return 100 + 0.2 * i + 10 * std::sin(2 * M_PI * i / m); };
  std::vector<double> y;
  for (size_t i = 0; i < 24 * 14; ++i) y.push_back(truth(static_cast<double>(i)) + noise(rng));
  auto fit = holt_winters_fit(y, m, false);
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->sigma, 1.0, 0.3);
  auto f = holt_winters_forecast(*fit, 48, 1.96);
  size_t inside = 0;
  for (size_t h = 0; h < f.size(); ++h) {
    const double t = truth(static_cast<double>(y.size() + h));
    EXPECT_NEAR(f[h].mean, t, 3.0) << "h=" << h;
    inside += f[h].lower <= t && t <= f[h].upper ? 1 : 0;
  }
  EXPECT_EQ(inside, f.size());
  // The interval widens with the horizon.
  EXPECT_GT(f[47].upper - f[47].lower, f[0].upper - f[0].lower);
}

TEST(HoltWinters, IntervalFollowsTheClosedFormOfTheAdditiveModel) {
  HoltWintersFit fit;
  fit.params = {0.5, 0.1, 0.2, 1.0, 3};
  fit.level = 10;
  fit.trend = 1;
  fit.season = {1, 0, -1};
  fit.sigma = 2;
  auto f = holt_winters_forecast(fit, 4, 1.0);
  // h=1: sd = sigma. h=2: c1 = 0.5 + 0.1*1 = 0.6. h=3: c2 = 0.5 + 0.2 = 0.7.
  // h=4: c3 = 0.5 + 0.3 + 0.2 (j = m) = 1.0.
  EXPECT_DOUBLE_EQ(f[0].mean, 12);
  EXPECT_DOUBLE_EQ(f[2].mean, 12);
  EXPECT_DOUBLE_EQ(f[3].mean, 15);  // the season repeats
  EXPECT_NEAR(f[0].upper - f[0].mean, 2, 1e-12);
  EXPECT_NEAR(f[1].upper - f[1].mean, 2 * std::sqrt(1 + 0.36), 1e-12);
  EXPECT_NEAR(f[2].upper - f[2].mean, 2 * std::sqrt(1 + 0.36 + 0.49), 1e-12);
  EXPECT_NEAR(f[3].upper - f[3].mean, 2 * std::sqrt(1 + 0.36 + 0.49 + 1.0), 1e-12);
}

TEST(HoltWinters, DampedTrendLevelsOff) {
  std::vector<double> y;
  for (int i = 0; i < 100; ++i) y.push_back(i);
  auto fit = holt_winters_fit(y, 0, true);
  ASSERT_TRUE(fit);
  EXPECT_LT(fit->params.phi, 1.0);
  auto f = holt_winters_forecast(*fit, 2000, 1.96);
  EXPECT_LT(f.back().mean, 100 + 1.0 / (1 - fit->params.phi) + 1);  // a bounded sum
}

TEST(HoltWinters, MissingStepsAreCarriedAndTooShortIsNothing) {
  std::vector<double> y;
  for (int i = 0; i < 60; ++i) y.push_back(i % 7 == 3 ? std::nan("") : 2.0 * i);
  auto fit = holt_winters_fit(y, 0, false);
  ASSERT_TRUE(fit);
  EXPECT_TRUE(std::isnan(fit->residuals[10]));
  EXPECT_NEAR(holt_winters_forecast(*fit, 1, 2)[0].mean, 120, 1e-6);
  EXPECT_FALSE(holt_winters_fit({1, 2, 3}, 0, false).has_value());
  EXPECT_FALSE(holt_winters_fit(std::vector<double>(40, 1.0), 24, false).has_value());  // < 2 seasons + 1
}

}  // namespace
}  // namespace kscope
