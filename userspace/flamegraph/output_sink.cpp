#include "flamegraph/output_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <vector>

namespace kscope {
namespace {

// Writes all of data to fd, retrying short writes and EINTR.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ > 2) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

std::string collect_output(const Producer& produce) {
  std::string out;
  produce([&](std::string_view piece) { out.append(piece); });
  return out;
}

Status write_output_file(const std::string& path, const Producer& produce) {
  bool to_stdout = path == "-";
  std::string tmp = to_stdout ? std::string() : path + ".tmp";
  int fd = to_stdout ? 1 : ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error("cannot create " + tmp, "check the directory exists and is writable", errno);
  int write_errno = 0;
  {
    FdCloser closer(fd);
    std::string buffer;
    buffer.reserve(1 << 20);
    auto flush = [&] {
      if (write_errno == 0 && !write_all(fd, buffer)) write_errno = errno;
      buffer.clear();
    };
    produce([&](std::string_view piece) {
      if (buffer.size() + piece.size() > (1 << 20)) flush();
      if (piece.size() > (1 << 20)) {
        if (write_errno == 0 && !write_all(fd, piece)) write_errno = errno;
      } else {
        buffer.append(piece);
      }
    });
    flush();
  }
  if (write_errno != 0) {
    if (!to_stdout) ::unlink(tmp.c_str());
    return Error("cannot write " + path, "check free disk space", write_errno);
  }
  if (!to_stdout && ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Error("cannot rename " + tmp + " to " + path, "", err);
  }
  return ok_status();
}

Status read_input_file(const std::string& path, const Sink& chunk_sink, size_t chunk) {
  bool from_stdin = path == "-";
  int fd = from_stdin ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error("cannot open " + path, "", errno);
  FdCloser closer(fd);
  std::vector<char> buffer(chunk);
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error("cannot read " + path, "", errno);
    }
    if (n == 0) return ok_status();
    chunk_sink(std::string_view(buffer.data(), static_cast<size_t>(n)));
  }
}

Result<std::string> read_whole_file(const std::string& path, size_t max_bytes) {
  std::string out;
  bool too_big = false;
  Status st = read_input_file(path, [&](std::string_view piece) {
    if (too_big) return;
    if (out.size() + piece.size() > max_bytes) {
      too_big = true;
      return;
    }
    out.append(piece);
  });
  if (!st.ok()) return st.error();
  if (too_big) {
    return Error(path + " is larger than " + std::to_string(max_bytes >> 20) + " MiB",
                 "is it the right file?");
  }
  return out;
}

}  // namespace kscope
