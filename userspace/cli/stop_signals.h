// SIGINT and SIGTERM for the commands that record and then write a file
// (`kscope profile`, `kscope offcpu`).
//
// The first signal asks the recording to stop; the file is still written,
// from what was recorded. Signals after that change nothing (the file is
// what the person waited for, and writing it takes moments) except that the
// first of them prints a note saying so. SIGKILL abandons the file, and
// leaves no partial one (common/atomic_file.h).
//
// The signals are blocked and taken by sigwait on a thread of their own
// rather than run as a handler on whichever thread they hit: a blocked
// signal interrupts no system call, so a storm of them cannot make the
// verifier give up on a BPF program (it returns EAGAIN while a signal is
// pending) or fail a read with EINTR.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

namespace kscope {

class StopSignals {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread, and so in every thread
  // it starts afterwards (call it before starting any), and starts the
  // thread that takes them. The object lives until the process exits.
  static StopSignals& install();

  // True from the first signal on.
  const std::atomic<bool>& stop_requested() const { return stop_; }
  // What a later signal prints (once), e.g. "still writing x.svg".
  void set_note(std::string note);

 private:
  StopSignals() = default;
  void watch();

  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string note_;  // guarded by mu_
};

}  // namespace kscope
