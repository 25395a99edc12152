#include "collect/duty_cycle.h"

#include <algorithm>

namespace kscope {
namespace {

// A failed attach is tried again this long after, while the `on` part lasts.
constexpr Nanos kRetryAfter = std::chrono::seconds(1);

double seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

DutyCycle::DutyCycle(Nanos on, Nanos period, Clock::time_point start)
    : on_(on), period_(std::max(period, Nanos(1))), origin_(start), period_start_(start), window_start_(start) {}

DutyCycle::Action DutyCycle::next_action(Clock::time_point now) {
  if (now >= period_start_ + period_) {
    auto index = static_cast<uint64_t>((now - origin_) / period_);
    period_index_ = index;
    period_start_ = origin_ + period_ * static_cast<int64_t>(index);
    retry_at_ = {};
    on_done_ = false;
  }
  if (attached_) return !always_on() && now >= on_end() ? Action::kDetach : Action::kNone;
  if (!on_done_ && now >= period_start_ && now < on_end() && now >= retry_at_) return Action::kAttach;
  return Action::kNone;
}

DutyCycle::Clock::time_point DutyCycle::next_due() const {
  if (attached_) return always_on() ? period_start_ + period_ : on_end();
  auto attach_at = std::max(period_start_, retry_at_);
  return !on_done_ && attach_at < on_end() ? attach_at : period_start_ + period_;
}

void DutyCycle::attached(Clock::time_point at) {
  attached_ = true;
  attached_mark_ = std::max(at, window_start_);
  failing_ = false;
  retry_at_ = {};
}

void DutyCycle::detached(Clock::time_point at) {
  if (!attached_) return;
  if (at > attached_mark_) attached_in_window_ += at - attached_mark_;
  attached_ = false;
  on_done_ = true;
  ++cycles_;
}

bool DutyCycle::attach_failed(Clock::time_point at) {
  ++attach_failures_;
  retry_at_ = at + kRetryAfter;
  bool first = !failing_;
  failing_ = true;
  return first;
}

std::optional<DutyCycle::Window> DutyCycle::close_if_due(Clock::time_point now) {
  if (period_index_ == closed_index_) return std::nullopt;
  Nanos attached = attached_in_window_;
  if (attached_ && now > attached_mark_) attached += now - attached_mark_;
  Window w;
  w.attached_seconds = seconds(attached);
  w.wall_seconds = seconds(now - window_start_);
  w.first = closed_index_ == 0 && !closed_once_;
  closed_once_ = true;
  closed_index_ = period_index_;
  window_start_ = now;
  attached_in_window_ = Nanos(0);
  if (attached_) attached_mark_ = now;
  if (w.wall_seconds > 0) last_ratio_ = std::min(1.0, w.attached_seconds / w.wall_seconds);
  return w;
}

}  // namespace kscope
