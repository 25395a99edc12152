#include "report/seasonality.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace kscope {
namespace {

constexpr double kStep = 900;  // 15 min

RegularSeries make(double days, auto value_at) {
  RegularSeries s;
  s.start = 1.7e9;
  s.step = kStep;
  const size_t n = static_cast<size_t>(days * kDaySeconds / kStep);
  for (size_t i = 0; i < n; ++i) s.values.push_back(value_at(static_cast<double>(i) * kStep));
  return s;
}

const SeasonalityResult& find(const std::vector<SeasonalityResult>& r, const std::string& name) {
  for (const auto& x : r) {
    if (x.name == name) return x;
  }
  throw std::runtime_error("no " + name);
}

TEST(Seasonality, ADailySinusoidOnAGrowingTrendIsDailyNotWeekly) {
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0, 3);
  auto s = make(14, [&](double t) { return 100 + 2 * t / kDaySeconds + 30 * std::sin(2 * M_PI * t / kDaySeconds) + noise(rng); });
  auto r = detect_seasonality(s);
  EXPECT_TRUE(find(r, "daily").significant);
  EXPECT_GT(find(r, "daily").autocorrelation, 0.8);
  EXPECT_TRUE(find(r, "weekly").tested);
  EXPECT_FALSE(find(r, "weekly").significant);  // 6, 7 and 8 days correlate alike
  EXPECT_EQ(model_period(r, 14 * kDaySeconds), kDaySeconds);
}

TEST(Seasonality, NoiseAndALineHaveNoSeason) {
  std::mt19937 rng(2);
  std::normal_distribution<double> noise(0, 5);
  auto s = make(14, [&](double t) { return 50 + 10 * t / kDaySeconds + noise(rng); });
  auto r = detect_seasonality(s);
  EXPECT_FALSE(find(r, "daily").significant);
  EXPECT_FALSE(find(r, "weekly").significant);
  EXPECT_FALSE(model_period(r, 14 * kDaySeconds).has_value());
}

TEST(Seasonality, QuietWeekendsAreWeekly) {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 2);
  auto s = make(28, [&](double t) {
    const int day = static_cast<int>(t / kDaySeconds) % 7;
    return (day >= 5 ? 20 : 80) + noise(rng);
  });
  auto r = detect_seasonality(s);
  EXPECT_TRUE(find(r, "weekly").significant);
  EXPECT_EQ(model_period(r, 28 * kDaySeconds), kWeekSeconds);
  // Two weeks are too few to model a weekly season (tested, not modelled).
  EXPECT_FALSE(model_period(r, 14 * kDaySeconds).has_value());
}

TEST(Seasonality, TooShortIsNotTested) {
  auto s = make(1.5, [](double t) { return std::sin(2 * M_PI * t / kDaySeconds); });
  auto r = detect_seasonality(s);
  EXPECT_FALSE(find(r, "daily").tested);
  EXPECT_FALSE(find(r, "daily").significant);
}

TEST(Seasonality, LagCorrelationSkipsMissingPairs) {
  std::vector<double> x;
  for (int i = 0; i < 100; ++i) x.push_back(i % 10);
  x[5] = std::nan("");
  auto r = lag_correlation(x, 10);
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r, 1.0, 1e-12);
  EXPECT_FALSE(lag_correlation(x, 95).has_value());  // too few pairs
}

}  // namespace
}  // namespace kscope
