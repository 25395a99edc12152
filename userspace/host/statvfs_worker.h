// statvfs off the collector thread, with a deadline. statvfs on a hung
// network mount (NFS, CIFS, a FUSE filesystem whose daemon stopped) does not
// return, and no signal short of SIGKILL ends it; called on the collector
// thread it would stop every metric kscope publishes. node_exporter's answer,
// followed here: the calls run on a worker, the caller waits for them until
// a deadline, a mount whose call did not return by then is "stuck" and is not
// called again until that call returns.
//
// Threads: one worker serves the calls, one at a time. When a call misses the
// deadline its worker is abandoned to it (detached; it ends when the call
// returns) and a fresh worker serves the next batch. So at most one thread
// hangs per stuck mount point, at most `max_stuck` in all (past that no call
// is made: every mount is "not reached"), and they never pile up.
//
// Why detached threads and not std::jthread: a jthread's destructor joins,
// and a thread in a hung statvfs cannot be asked to stop (it is in the
// kernel, deaf to stop tokens and to signals), so joining it would hang
// kscope's exit exactly when a mount is stuck. A detached thread blocked in
// a syscall does not hold up exit_group, which ends it (FUSE and NFS wait
// killably). The abandoned thread touches only the state it shares by
// shared_ptr, never the StatvfsWorker, so it may outlive it; it does not
// log when its call returns (the caller logs the change). The idle
// worker, which never is in a call when the destructor runs, is joined.
//
// Capabilities: a worker applies the agent's capability drop to itself when
// it starts (common/capabilities.h), since one hung in statvfs cannot run
// the signal handler through which the agent drops them later.
#pragma once

#include <sys/statvfs.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace kscope::host {

// statvfs(2) of `path` into `out`: 0, or the errno. The default is the real
// call; tests inject one that blocks.
using StatvfsFn = std::function<int(const std::string& path, struct statvfs& out)>;
int real_statvfs(const std::string& path, struct statvfs& out);

struct StatvfsOptions {
  // The longest one stat_all waits, all its calls together.
  std::chrono::milliseconds deadline{1000};
  // Hung calls (threads) kept at most; a mount point unmounted lazily while
  // stuck and mounted again elsewhere would otherwise add one each time.
  size_t max_stuck = 32;
  StatvfsFn statvfs = real_statvfs;
};

struct StatvfsOutcome {
  enum Kind {
    kOk,          // `st` holds the figures
    kError,       // statvfs failed with `error`
    kStuck,       // a call on this mount point has not returned: not called
    kNotReached,  // the deadline passed before its turn (a call before it hung)
  };
  Kind kind = kNotReached;
  int error = 0;
  struct statvfs st {};
};

class StatvfsWorker {
 public:
  explicit StatvfsWorker(StatvfsOptions options = {});
  ~StatvfsWorker();
  StatvfsWorker(const StatvfsWorker&) = delete;
  StatvfsWorker& operator=(const StatvfsWorker&) = delete;

  // Calls statvfs on each path in turn on the worker (started on the first
  // call) and returns within the deadline, an outcome per path in order.
  // Logs the mount points that became stuck and those whose stuck call has
  // returned since the last call. Not thread-safe: one caller (the collector).
  std::vector<StatvfsOutcome> stat_all(const std::vector<std::string>& paths);

  // Calls that missed their deadline and have not returned yet (the threads
  // they hold), and those that ever missed it.
  size_t stuck() const;
  uint64_t stuck_total() const;


 private:
  struct State;
  // A worker's loop; `id` tells it whether it is still the live one.
  static void serve(std::shared_ptr<State> s, uint64_t id);

  StatvfsOptions options_;
  std::shared_ptr<State> state_;  // shared with every worker, abandoned ones included
  std::thread worker_;  // the live one; abandoned ones are detached
};

}  // namespace kscope::host
