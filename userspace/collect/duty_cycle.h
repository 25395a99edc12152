// The schedule of the syscall sampling mode (probes.syscalls.sampling,
// docs/sampling.md): the probe attached for `on` (attach_for in the config)
// at the start of every `period` and detached for the rest, and the time it
// really was attached,
// measured, so that a late attach or a failed one does not bias the scaling
// (sampled_counters.h). Pure logic: the caller passes the time, does the
// attach or detach it is told to, and reports how that went.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/duration.h"

namespace kscope {

class DutyCycle {
 public:
  using Clock = std::chrono::steady_clock;

  // Period 0 starts at `start`; the probe is detached then (start() attached
  // it: the caller detaches it or reports attached(start)).
  DutyCycle(Nanos on, Nanos period, Clock::time_point start);

  enum class Action { kNone, kAttach, kDetach };
  // What to do at `now`: attach in the `on` part of a period (again after a
  // failed attempt, at most once a second), detach after it. Moves on to the
  // period `now` falls in (periods missed while the caller was late are
  // skipped, not made up).
  Action next_action(Clock::time_point now);
  // When next_action() will next have something to do.
  Clock::time_point next_due() const;

  // What the caller did: `at` is when the programs began (after the attach
  // returned) or stopped (before the detach began) counting.
  void attached(Clock::time_point at);
  void detached(Clock::time_point at);
  // An attach failed; returns true for the first failure after a success
  // (log that one, count them all).
  bool attach_failed(Clock::time_point at);

  // A measurement window: counts read at its end were recorded during
  // attached_seconds of its wall_seconds.
  struct Window {
    double attached_seconds = 0;
    double wall_seconds = 0;
    // The first window also holds what the probe counted before the cycle
    // began (between its start and the collector's): its counts only set
    // the base the next windows count from.
    bool first = false;
  };
  // Closes the window at `now` when a period has started since the last
  // close (at the first collection of each period), else nothing.
  std::optional<Window> close_if_due(Clock::time_point now);

  bool is_attached() const { return attached_; }
  // Attach/detach cycles completed (a detach after an attach).
  uint64_t cycles() const { return cycles_; }
  uint64_t attach_failures() const { return attach_failures_; }
  // The attached fraction of the last closed window (nullopt before one).
  std::optional<double> last_attached_ratio() const { return last_ratio_; }
  Nanos on() const { return on_; }
  Nanos period() const { return period_; }

 private:
  Clock::time_point on_end() const { return period_start_ + on_; }
  bool always_on() const { return on_ >= period_; }

  Nanos on_;
  Nanos period_;
  Clock::time_point origin_;
  Clock::time_point period_start_;
  uint64_t period_index_ = 0;
  uint64_t closed_index_ = 0;
  bool closed_once_ = false;
  bool attached_ = false;
  bool on_done_ = false;  // this period's attached part is over
  Clock::time_point retry_at_{};
  bool failing_ = false;
  Clock::time_point window_start_;
  Clock::time_point attached_mark_{};  // start of the attached span not yet counted
  Nanos attached_in_window_{0};
  uint64_t cycles_ = 0;
  uint64_t attach_failures_ = 0;
  std::optional<double> last_ratio_;
};

}  // namespace kscope
