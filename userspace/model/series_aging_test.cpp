#include "model/series_aging.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

using namespace std::chrono_literals;

Family counters(double a, double b) {
  return {"kscope_cpu_samples_total", "", MetricType::kCounter,
          {{{{"comm", "a"}}, a, {}}, {{{"comm", "b"}}, b, {}}}};
}

TEST(SeriesAging, DropsOnlySeriesIdleLongerThanTheTtl) {
  SeriesAging aging(3s);
  KeyAging::Clock::time_point t0{};
  Family f = counters(1, 1);
  aging.drop_idle(f, t0);
  EXPECT_EQ(f.series.size(), 2u);
  f = counters(1, 2);
  aging.drop_idle(f, t0 + 2s);
  EXPECT_EQ(f.series.size(), 2u);
  f = counters(1, 2);
  aging.drop_idle(f, t0 + 4s);  // a idle 4 s, b idle 2 s
  ASSERT_EQ(f.series.size(), 1u);
  EXPECT_EQ(*f.series[0].label("comm"), "b");
  // It stays out while its value stays put (the kernel entry is still there).
  for (int i = 0; i < 3; ++i) {
    f = counters(1, 2);
    aging.drop_idle(f, t0 + 4s + std::chrono::milliseconds(100 * (i + 1)));
    ASSERT_EQ(f.series.size(), 1u) << i;
  }
  // A dropped series that moves again comes back.
  f = counters(5, 2);
  aging.drop_idle(f, t0 + 5s);
  EXPECT_EQ(f.series.size(), 2u);
}

TEST(SeriesAging, ZeroTtlKeepsEverything) {
  SeriesAging aging(0s);
  Family f = counters(1, 1);
  for (int i = 0; i < 5; ++i) {
    f = counters(1, 1);
    aging.drop_idle(f, KeyAging::Clock::time_point{} + std::chrono::hours(i));
  }
  EXPECT_EQ(f.series.size(), 2u);
}

}  // namespace
}  // namespace kscope
