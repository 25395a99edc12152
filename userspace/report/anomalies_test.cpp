#include "report/anomalies.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "report/holt_winters.h"

namespace kscope {
namespace {

TEST(Anomalies, ASpikeIsOneAnomalyAtItsPeak) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 1);
  RegularSeries s;
  s.start = 1000;
  s.step = 60;
  for (int i = 0; i < 600; ++i) s.values.push_back(50 + 5 * std::sin(2 * M_PI * i / 48.0) + noise(rng));
  s.values[400] += 40;
  s.values[401] += 60;
  s.values[402] += 30;
  auto fit = holt_winters_fit(s.values, 48, false);
  ASSERT_TRUE(fit);
  auto found = find_anomalies(s, fit->fitted, fit->residuals, 5.0);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_LE(found[0].start, s.time_at(401));
  EXPECT_GE(found[0].end, s.time_at(401));
  EXPECT_GT(found[0].value, 90);
  EXPECT_NEAR(found[0].expected, 50 + 5 * std::sin(2 * M_PI * 401 / 48.0), 8);
  EXPECT_GT(found[0].score, 5);
}

TEST(Anomalies, NoiseAloneHasNoneAndAFlatSeriesHasNone) {
  std::mt19937 rng(12);
  std::normal_distribution<double> noise(0, 1);
  RegularSeries s;
  s.step = 60;
  for (int i = 0; i < 2000; ++i) s.values.push_back(10 + noise(rng));
  auto fit = holt_winters_fit(s.values, 0, false);
  ASSERT_TRUE(fit);
  EXPECT_TRUE(find_anomalies(s, fit->fitted, fit->residuals, 5.0).empty());
  std::vector<double> zeros(s.values.size(), 0.0);
  EXPECT_TRUE(find_anomalies(s, zeros, zeros, 3.0).empty());
}

TEST(Anomalies, KeepsTheHighestScoresInTimeOrder) {
  RegularSeries s;
  s.step = 1;
  std::vector<double> fitted, residuals;
  for (int i = 0; i < 1000; ++i) {
    s.values.push_back(0);
    fitted.push_back(0);
    residuals.push_back((i % 2 ? 1.0 : -1.0));
  }
  for (int k = 1; k <= 5; ++k) residuals[static_cast<size_t>(k * 100)] = 10.0 * k;
  auto found = find_anomalies(s, fitted, residuals, 3.0, 2, 3);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].start, 300);
  EXPECT_EQ(found[2].start, 500);
  EXPECT_NEAR(robust_sigma(residuals), 1.4826, 1e-9);
}

}  // namespace
}  // namespace kscope
