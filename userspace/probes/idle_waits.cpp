#include "probes/idle_waits.h"

#include <array>

namespace kscope {

std::span<const IdleWaitSyscall> idle_wait_syscalls() {
  // Names, not numbers: the numbers differ per architecture, and a name this
  // architecture lacks (pause, select on arm64) is simply not there.
  // poll and select are idle only when they time out: one that returns a
  // ready descriptor after 200 ms was waiting for a reply that took 200 ms.
  // epoll_wait is an event loop's resting place whatever it returns.
  // io_getevents and io_uring_enter are left out: they wait for I/O the
  // program asked for, which is latency that matters.
  static constexpr std::array<IdleWaitSyscall, 18> kClass{{
      {"epoll_wait", IdleWhen::kAlways},
      {"epoll_pwait", IdleWhen::kAlways},
      {"epoll_pwait2", IdleWhen::kAlways},
      {"nanosleep", IdleWhen::kAlways},
      {"clock_nanosleep", IdleWhen::kAlways},
      {"pause", IdleWhen::kAlways},
      {"rt_sigsuspend", IdleWhen::kAlways},
      {"rt_sigtimedwait", IdleWhen::kAlways},
      {"wait4", IdleWhen::kAlways},
      {"waitid", IdleWhen::kAlways},
      {"accept", IdleWhen::kAlways},
      {"accept4", IdleWhen::kAlways},
      {"futex_waitv", IdleWhen::kAlways},
      {"futex", IdleWhen::kFutexWait},
      {"poll", IdleWhen::kTimedOut},
      {"ppoll", IdleWhen::kTimedOut},
      {"select", IdleWhen::kTimedOut},
      {"pselect6", IdleWhen::kTimedOut},
  }};
  return kClass;
}

}  // namespace kscope
