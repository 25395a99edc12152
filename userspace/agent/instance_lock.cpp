#include "agent/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace kscope {
namespace {

constexpr size_t kMaxLockText = 512;

// "PID LISTEN" as the holder wrote it; empty parts when it has not yet.
std::string describe_holder(int fd) {
  char buf[kMaxLockText];
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  std::string_view text(buf, n > 0 ? size_t(n) : 0);
  if (size_t nl = text.find('\n'); nl != std::string_view::npos) text = text.substr(0, nl);
  size_t space = text.find(' ');
  std::string_view pid = text.substr(0, space);
  std::string_view listen = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  if (pid.empty() || pid.find_first_not_of("0123456789") != std::string_view::npos) return "";
  std::string out = "pid " + std::string(pid);
  if (!listen.empty()) out += ", listening on " + std::string(listen);
  return out;
}

}  // namespace

Result<InstanceLock> InstanceLock::acquire(const std::string& path, const std::string& listen) {
  InstanceLock lock;
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) {
    lock.warning_ = "cannot open the lock file " + path + ": " + std::strerror(errno) +
                    "; not checking for another kscope run (--lock-file sets another path)";
    return lock;
  }
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      lock.warning_ = "cannot lock " + path + ": " + std::strerror(errno) + "; not checking for another kscope run";
      return lock;
    }
    std::string holder = describe_holder(fd.get());
    return Error("kscope run is already running (" + (holder.empty() ? "lock " + path + " held" : holder) + ")",
                 "a second agent attaches every probe again: stop that one, or pass --allow-second to run both");
  }
  const std::string text = std::to_string(getpid()) + " " + listen + "\n";
  if (ftruncate(fd.get(), 0) != 0 || pwrite(fd.get(), text.data(), text.size(), 0) != ssize_t(text.size())) {
    lock.warning_ = "cannot write " + path + ": " + std::strerror(errno) +
                    "; another kscope run will be refused without naming this one";
  }
  lock.fd_ = std::move(fd);
  return lock;
}

std::string instance_lock_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("KSCOPE_LOCK_FILE"); env != nullptr && *env != '\0') return env;
  return "/run/kscope.lock";
}

}  // namespace kscope
