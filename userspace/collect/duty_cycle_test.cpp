#include "collect/duty_cycle.h"

#include <gtest/gtest.h>

namespace kscope {

using namespace std::chrono_literals;
using Action = DutyCycle::Action;

TEST(DutyCycle, AttachesForOnOutOfEveryPeriod) {
  auto t0 = DutyCycle::Clock::time_point{} + 100s;
  DutyCycle d(1s, 4s, t0);
  EXPECT_EQ(d.next_action(t0), Action::kAttach);
  d.attached(t0);
  EXPECT_EQ(d.next_due(), t0 + 1s);
  EXPECT_EQ(d.next_action(t0 + 500ms), Action::kNone);
  EXPECT_EQ(d.next_action(t0 + 1s), Action::kDetach);
  d.detached(t0 + 1s);
  EXPECT_EQ(d.cycles(), 1u);
  EXPECT_EQ(d.next_due(), t0 + 4s);
  EXPECT_EQ(d.next_action(t0 + 3s), Action::kNone);
  EXPECT_FALSE(d.close_if_due(t0 + 3s));  // still period 0
  EXPECT_EQ(d.next_action(t0 + 4s), Action::kAttach);
}

TEST(DutyCycle, WindowsMeasureTheTimeReallyAttached) {
  auto t0 = DutyCycle::Clock::time_point{} + 100s;
  DutyCycle d(1s, 4s, t0);
  d.attached(t0);
  d.detached(t0 + 1s);
  ASSERT_EQ(d.next_action(t0 + 4s + 300ms), Action::kAttach);  // late
  d.attached(t0 + 4s + 300ms);
  auto first = d.close_if_due(t0 + 4s + 400ms);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->first);
  EXPECT_NEAR(first->attached_seconds, 1.1, 1e-9);  // 1 s + the 0.1 s since the late attach
  EXPECT_NEAR(first->wall_seconds, 4.4, 1e-9);
  EXPECT_FALSE(d.close_if_due(t0 + 4s + 500ms));  // once per period
  ASSERT_EQ(d.next_action(t0 + 5s + 300ms), Action::kDetach);
  d.detached(t0 + 5s + 300ms);
  ASSERT_EQ(d.next_action(t0 + 8s), Action::kAttach);
  d.attached(t0 + 8s);
  auto second = d.close_if_due(t0 + 8s + 200ms);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->first);
  // 0.9 s (4.4 .. 5.3) + 0.2 s (8.0 .. 8.2) attached out of 3.8 s.
  EXPECT_NEAR(second->attached_seconds, 1.1, 1e-9);
  EXPECT_NEAR(second->wall_seconds, 3.8, 1e-9);
  EXPECT_NEAR(*d.last_attached_ratio(), 1.1 / 3.8, 1e-9);
}

TEST(DutyCycle, AFailedAttachIsRetriedWhileOnLastsAndReportedOnce) {
  auto t0 = DutyCycle::Clock::time_point{} + 100s;
  DutyCycle d(2s, 10s, t0);
  d.attached(t0);
  d.detached(t0 + 2s);
  ASSERT_EQ(d.next_action(t0 + 10s), Action::kAttach);
  EXPECT_TRUE(d.attach_failed(t0 + 10s));
  EXPECT_EQ(d.next_due(), t0 + 11s);
  EXPECT_EQ(d.next_action(t0 + 10s + 500ms), Action::kNone);
  ASSERT_EQ(d.next_action(t0 + 11s), Action::kAttach);
  EXPECT_FALSE(d.attach_failed(t0 + 11s));  // not logged again
  EXPECT_EQ(d.next_due(), t0 + 20s);        // the retry would fall after `on`
  EXPECT_EQ(d.attach_failures(), 2u);
  ASSERT_EQ(d.next_action(t0 + 20s), Action::kAttach);
  d.attached(t0 + 20s);
  auto w = d.close_if_due(t0 + 20s);
  ASSERT_TRUE(w);
  EXPECT_NEAR(w->attached_seconds, 2.0, 1e-9);  // period 1 was never attached
  EXPECT_TRUE(d.attach_failed(t0 + 30s));  // a new run of failures is logged again
}

TEST(DutyCycle, OnEqualToPeriodStaysAttached) {
  auto t0 = DutyCycle::Clock::time_point{};
  DutyCycle d(5s, 5s, t0);
  d.attached(t0);
  EXPECT_EQ(d.next_action(t0 + 5s), Action::kNone);
  EXPECT_EQ(d.next_action(t0 + 7s), Action::kNone);
  auto w = d.close_if_due(t0 + 7s);
  ASSERT_TRUE(w);
  EXPECT_NEAR(w->attached_seconds, w->wall_seconds, 1e-9);
  EXPECT_EQ(d.cycles(), 0u);
}

}  // namespace kscope
