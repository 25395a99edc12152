#include "model/key_aging.h"

#include <gtest/gtest.h>

namespace kscope {

using namespace std::chrono_literals;

TEST(KeyAging, IdleOnlyAfterTtlWithoutChange) {
  KeyAging aging(10s);
  auto t0 = KeyAging::Clock::time_point{};
  EXPECT_FALSE(aging.idle("a", 1, t0));
  EXPECT_FALSE(aging.idle("a", 1, t0 + 5s));
  EXPECT_FALSE(aging.idle("a", 2, t0 + 9s));   // changed: clock restarts
  EXPECT_FALSE(aging.idle("a", 2, t0 + 18s));
  EXPECT_TRUE(aging.idle("a", 2, t0 + 20s));
  EXPECT_EQ(aging.tracked(), 0u);
  EXPECT_FALSE(aging.idle("a", 2, t0 + 21s));  // seen again: new entry
}

TEST(KeyAging, ForgetsKeysNotSeenInARound) {
  KeyAging aging(10s);
  auto t0 = KeyAging::Clock::time_point{};
  EXPECT_FALSE(aging.idle("a", 1, t0));
  EXPECT_FALSE(aging.idle("b", 1, t0));
  aging.end_round();
  EXPECT_FALSE(aging.idle("a", 1, t0 + 1s));
  aging.end_round();
  EXPECT_EQ(aging.tracked(), 1u);
}

TEST(KeyAging, ZeroTtlNeverAges) {
  KeyAging aging(0s);
  auto t0 = KeyAging::Clock::time_point{};
  EXPECT_FALSE(aging.idle("a", 1, t0));
  EXPECT_FALSE(aging.idle("a", 1, t0 + 1000h));
}

}  // namespace kscope
