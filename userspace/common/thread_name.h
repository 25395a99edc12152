// Names kscope's threads after their role ("kscope-collect", "kscope-http"),
// so that top -H, /proc/PID/task/*/comm, perf and kscope's own breakdown by
// comm show what each one does (not "exe").
#pragma once

#include <string_view>

namespace kscope {

// The kernel keeps 15 bytes of a thread name; longer ones are cut there.
inline constexpr size_t kMaxThreadName = 15;

// Names the calling thread; the main thread's name is the process's comm.
void name_this_thread(std::string_view name);

}  // namespace kscope
