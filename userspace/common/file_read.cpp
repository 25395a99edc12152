#include "common/file_read.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace kscope {

Result<UniqueFd> open_regular_file(const std::string& path, struct stat* st) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise hang the
  // collector before fstat could reject it.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) return Error("cannot open " + path, {}, errno);
  struct stat local;
  struct stat* s = st != nullptr ? st : &local;
  if (::fstat(fd.get(), s) != 0) return Error("cannot stat " + path, {}, errno);
  if (!S_ISREG(s->st_mode)) return Error(path + " is not a regular file");
  return fd;
}

Status read_file_bounded(const std::string& path, size_t max_bytes, std::string& out) {
  out.clear();
  auto fd = open_regular_file(path);
  if (!fd) return fd.error();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd->get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error("cannot read " + path, {}, errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return Error(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return ok_status();
}

Result<std::string> read_file_bounded(const std::string& path, size_t max_bytes) {
  std::string out;
  auto st = read_file_bounded(path, max_bytes, out);
  if (!st) return st.error();
  return out;
}

}  // namespace kscope
