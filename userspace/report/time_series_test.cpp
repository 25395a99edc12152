#include "report/time_series.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kscope {
namespace {

TEST(TimeSeries, PointsLandOnTheGridAndMissingEndsAreTrimmed) {
  auto s = to_regular({{120, 2}, {180.4, 3}, {300, 5}, {9999, 1}, {-5, 1}}, 0, 360, 60);
  ASSERT_EQ(s.values.size(), 7u);
  EXPECT_TRUE(std::isnan(s.values[0]));
  EXPECT_EQ(s.values[2], 2);
  EXPECT_EQ(s.values[3], 3);
  EXPECT_TRUE(std::isnan(s.values[4]));
  EXPECT_EQ(s.finite_count(), 3u);
  trim_missing_ends(s);
  EXPECT_EQ(s.start, 120);
  ASSERT_EQ(s.values.size(), 4u);
  EXPECT_EQ(s.end(), 300);
  EXPECT_EQ(s.values.back(), 5);
}

TEST(TimeSeries, NothingFiniteTrimsToEmpty) {
  auto s = to_regular({}, 0, 100, 10);
  trim_missing_ends(s);
  EXPECT_TRUE(s.values.empty());
  EXPECT_TRUE(to_regular({{1, 1}}, 0, 100, 0).values.empty());
}

}  // namespace
}  // namespace kscope
