#include "report/capacity_forecast.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

std::vector<ForecastPoint> ramp(size_t n, double from, double per_step, double half_width) {
  std::vector<ForecastPoint> f;
  for (size_t i = 1; i <= n; ++i) {
    const double m = from + per_step * static_cast<double>(i);
    f.push_back({m, m - half_width * static_cast<double>(i), m + half_width * static_cast<double>(i)});
  }
  return f;
}

TEST(CapacityForecast, ExhaustionInterpolatesBetweenSteps) {
  // From 50 at t=1000, +1 per 10 s step: 100 at step 50 -> t=1500.
  auto f = ramp(200, 50, 1, 0.1);
  auto e = estimate_exhaustion(f, 1000, 10, 50, 100);
  ASSERT_TRUE(e.time && e.earliest && e.latest);
  EXPECT_NEAR(*e.time, 1500, 1e-9);
  // Upper bound: 50 + 1.1 i reaches 100 at i = 45.45; lower: 0.9 i -> 55.6.
  EXPECT_NEAR(*e.earliest, 1000 + 500 / 1.1, 1e-6);
  EXPECT_NEAR(*e.latest, 1000 + 500 / 0.9, 1e-6);
  EXPECT_FALSE(e.exhausted_now);
}

TEST(CapacityForecast, NotWithinTheForecastAndAlreadyExhausted) {
  auto f = ramp(10, 50, 1, 0.1);
  auto e = estimate_exhaustion(f, 0, 1, 50, 100);
  EXPECT_FALSE(e.time.has_value());
  EXPECT_FALSE(e.latest.has_value());
  auto full = estimate_exhaustion(f, 7, 1, 100, 100);
  EXPECT_TRUE(full.exhausted_now);
  EXPECT_EQ(*full.time, 7);
}

TEST(CapacityForecast, PeakIsTheHighestMeanWithItsInterval) {
  std::vector<ForecastPoint> f = {{1, 0, 2}, {5, 4, 6}, {3, 2, 4}};
  auto p = forecast_peak(f, 100, 60);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->time, 220);
  EXPECT_EQ(p->mean, 5);
  EXPECT_EQ(p->lower, 4);
  EXPECT_EQ(p->upper, 6);
  EXPECT_FALSE(forecast_peak({}, 0, 1).has_value());
}

}  // namespace
}  // namespace kscope
