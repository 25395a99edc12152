#include "common/duration.h"

#include <gtest/gtest.h>

namespace kscope {

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(*parse_duration("250us"), std::chrono::microseconds(250));
  EXPECT_EQ(*parse_duration("10ms"), std::chrono::milliseconds(10));
  EXPECT_EQ(*parse_duration("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_EQ(*parse_duration("2m"), std::chrono::minutes(2));
  EXPECT_EQ(*parse_duration("0s"), Nanos(0));
}

TEST(Duration, RejectsNonsense) {
  EXPECT_FALSE(parse_duration("").ok());
  EXPECT_FALSE(parse_duration("10").ok());
  EXPECT_FALSE(parse_duration("-1s").ok());
  EXPECT_FALSE(parse_duration("1 parsec").ok());
  EXPECT_FALSE(parse_duration("ms").ok());
  EXPECT_FALSE(parse_duration("1e300s").ok());
}

TEST(Duration, Formats) {
  EXPECT_EQ(format_duration(std::chrono::milliseconds(2)), "2ms");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(Nanos(12)), "12ns");
}

}  // namespace kscope
