// One `kscope run` per host unless asked: a second agent attaches every
// probe a second time (twice the BPF cost, every event counted twice on the
// host) without a word, so it is refused, naming the one that runs.
//
// The lock is flock(2) on a file (default /run/kscope.lock) that also holds
// the holder's pid and listen address. The kernel drops the lock when the
// holder's process ends however it ends, so a file left by a dead agent never
// blocks the next one.
#pragma once

#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace kscope {

class InstanceLock {
 public:
  // Takes the lock at `path` and writes "PID LISTEN" into it. The Error, when
  // another live process holds it: "kscope run is already running (pid N,
  // listening on H:P)". When the file cannot be opened at all (no /run, not
  // writable without root) nothing is held and warning() says why: kscope
  // cannot tell, so it runs.
  static Result<InstanceLock> acquire(const std::string& path, const std::string& listen);

  bool held() const { return fd_.valid(); }
  const std::string& warning() const { return warning_; }

 private:
  UniqueFd fd_;
  std::string warning_;
};

// The lock file: `flag` when set, else $KSCOPE_LOCK_FILE, else /run/kscope.lock.
std::string instance_lock_path(const std::string& flag);

}  // namespace kscope
