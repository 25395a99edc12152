#include "alerts/alert_state.h"

namespace kscope {

Transition step(InstanceState& s, const AlertTiming& t, bool breach, bool clear, SteadyTime now) {
  if (s.state == AlertState::kFiring) {
    if (!clear) return Transition::kNone;
    s.state = AlertState::kResolved;
    s.hits = 0;
    s.ever_resolved = true;
    s.resolved_since = now;
    return Transition::kResolved;
  }
  if (!breach) {
    s.hits = 0;
    if (s.state == AlertState::kPending) {
      s.state = AlertState::kInactive;
      return Transition::kCleared;
    }
    return Transition::kNone;
  }
  Transition out = Transition::kNone;
  if (s.state != AlertState::kPending) {
    s.state = AlertState::kPending;
    s.pending_since = now;
    s.hits = 0;
    out = Transition::kPending;
  }
  ++s.hits;
  bool held = t.consecutive > 0 ? s.hits >= t.consecutive : now - s.pending_since >= t.for_duration;
  bool cooled = !s.ever_resolved || now - s.resolved_since >= t.cooldown;
  if (held && cooled) {
    s.state = AlertState::kFiring;
    return Transition::kFired;
  }
  return out;
}

}  // namespace kscope
