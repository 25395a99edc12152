#include "agent/l7_coverage.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(L7Coverage, RatioOverEachIntervalNotSinceStart) {
  L7Coverage c;
  EXPECT_DOUBLE_EQ(*c.update(900, 1000), 0.9);
  // Next interval: 1000 more seen, all recognised.
  EXPECT_DOUBLE_EQ(*c.update(1900, 2000), 1.0);
  // Then 1000 seen, none recognised (an unknown protocol).
  EXPECT_DOUBLE_EQ(*c.update(1900, 3000), 0.0);
}

TEST(L7Coverage, NoBytesNoRatio) {
  L7Coverage c;
  EXPECT_FALSE(c.update(0, 0).has_value());
  ASSERT_TRUE(c.update(10, 20).has_value());
  EXPECT_FALSE(c.update(10, 20).has_value());
}

TEST(L7Coverage, RecordsReadLateAreClampedNotAbove1) {
  L7Coverage c;
  EXPECT_DOUBLE_EQ(*c.update(500, 1000), 0.5);  // half still in the ring
  EXPECT_DOUBLE_EQ(*c.update(1500, 1500), 1.0);  // read now: 1000 of 500
}

}  // namespace
}  // namespace kscope
