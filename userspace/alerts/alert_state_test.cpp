#include "alerts/alert_state.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

using std::chrono::seconds;

class AlertStateTest : public ::testing::Test {
 protected:
  Transition at(int s, bool breach, bool clear) { return step(state, timing, breach, clear, t0 + seconds(s)); }
  Transition at(int s, bool breach) { return at(s, breach, !breach); }
  InstanceState state;
  AlertTiming timing;
  SteadyTime t0 = SteadyTime(std::chrono::hours(1));
};

TEST_F(AlertStateTest, FiresAtOnceWithoutForAndResolvesWhenClear) {
  EXPECT_EQ(at(0, true), Transition::kFired);
  EXPECT_EQ(state.state, AlertState::kFiring);
  EXPECT_EQ(at(1, true), Transition::kNone);  // dedup: still firing, no new transition
  EXPECT_EQ(at(2, false), Transition::kResolved);
  EXPECT_EQ(state.state, AlertState::kResolved);
  EXPECT_EQ(at(3, false), Transition::kNone);
}

TEST_F(AlertStateTest, ForHoldsPendingUntilTheDurationPassed) {
  timing.for_duration = seconds(10);
  EXPECT_EQ(at(0, true), Transition::kPending);
  EXPECT_EQ(at(5, true), Transition::kNone);
  EXPECT_EQ(state.state, AlertState::kPending);
  EXPECT_EQ(at(9, true), Transition::kNone);
  EXPECT_EQ(at(10, true), Transition::kFired);
}

TEST_F(AlertStateTest, APendingAlertThatClearsStartsOver) {
  timing.for_duration = seconds(10);
  at(0, true);
  EXPECT_EQ(at(5, false), Transition::kCleared);
  EXPECT_EQ(state.state, AlertState::kInactive);
  EXPECT_EQ(at(6, true), Transition::kPending);
  EXPECT_EQ(at(15, true), Transition::kNone);  // only 9s since the new start
  EXPECT_EQ(at(16, true), Transition::kFired);
}

TEST_F(AlertStateTest, ConsecutiveCountsEvaluations) {
  timing.consecutive = 3;
  EXPECT_EQ(at(0, true), Transition::kPending);
  EXPECT_EQ(at(100, true), Transition::kNone);
  EXPECT_EQ(at(101, false), Transition::kCleared);
  EXPECT_EQ(at(102, true), Transition::kPending);
  EXPECT_EQ(at(103, true), Transition::kNone);
  EXPECT_EQ(at(104, true), Transition::kFired);
}

TEST_F(AlertStateTest, HysteresisKeepsFiringUntilClear) {
  EXPECT_EQ(at(0, true, false), Transition::kFired);
  // Below the threshold but above clear_below: still firing.
  EXPECT_EQ(at(1, false, false), Transition::kNone);
  EXPECT_EQ(state.state, AlertState::kFiring);
  EXPECT_EQ(at(2, false, true), Transition::kResolved);
}

TEST_F(AlertStateTest, CooldownDelaysTheNextFiring) {
  timing.cooldown = seconds(60);
  EXPECT_EQ(at(0, true), Transition::kFired);
  EXPECT_EQ(at(1, false), Transition::kResolved);
  EXPECT_EQ(at(2, true), Transition::kPending);  // breaching again inside the cooldown
  EXPECT_EQ(at(30, true), Transition::kNone);
  EXPECT_EQ(state.state, AlertState::kPending);
  EXPECT_EQ(at(61, true), Transition::kFired);
}

}  // namespace
}  // namespace kscope
