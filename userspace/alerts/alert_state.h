// The life of one alert instance: inactive -> pending -> firing -> resolved,
// driven by one evaluation per interval. Pure and clock-free (the caller
// passes the time), so every transition is unit-tested with a fake clock.
#pragma once

#include <chrono>
#include <cstdint>

#include "alerts/alert.h"
#include "common/duration.h"

namespace kscope {

struct AlertTiming {
  Nanos for_duration{0};     // breach must hold this long (from the first breach)
  uint32_t consecutive = 0;  // or this many evaluations in a row
  Nanos cooldown{0};         // after resolving, no new firing before this has passed
};

struct InstanceState {
  AlertState state = AlertState::kInactive;
  SteadyTime pending_since{};
  uint32_t hits = 0;  // consecutive breaching evaluations
  bool ever_resolved = false;
  SteadyTime resolved_since{};
};

enum class Transition { kNone, kPending, kFired, kResolved, kCleared /* pending dropped */ };

// One evaluation. `breach`: the rule's condition holds now. `clear`: the
// value is back on the good side of the hysteresis line (equal to !breach
// without hysteresis); only looked at while firing.
Transition step(InstanceState& s, const AlertTiming& timing, bool breach, bool clear, SteadyTime now);

}  // namespace kscope
