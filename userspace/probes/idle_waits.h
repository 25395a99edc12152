// The idle-wait class: syscalls whose time is spent waiting for work to
// arrive (an event loop's epoll_wait, a sleep, a condition variable, a
// listener's accept) rather than doing it. Their latency says how idle a
// program is, not how slow, so the latency signal, its default alert rule
// and `kscope trace` keep them apart unless asked (the series carry
// idle="true"; `trace --include-idle`; alerts.signals.include_idle_waits).
#pragma once

#include <span>
#include <string_view>

namespace kscope {

enum class IdleWhen {
  kAlways,    // the call exists to wait
  kTimedOut,  // poll/select: idle when it returns 0, nothing became ready
  kFutexWait, // futex: its wait operations, not wake or requeue
};

struct IdleWaitSyscall {
  std::string_view name;
  IdleWhen when;
};

// Every member of the class, for the probe's tables and the documentation.
std::span<const IdleWaitSyscall> idle_wait_syscalls();

}  // namespace kscope
