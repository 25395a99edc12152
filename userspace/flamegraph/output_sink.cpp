#include "flamegraph/output_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <vector>

#include "common/atomic_file.h"

namespace kscope {
namespace {

constexpr size_t kBufferBytes = 1 << 20;

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
  std::optional<AtomicFile> file;
  if (path != "-") {
    auto created = AtomicFile::create(path);
    if (!created) return created.error();
    file.emplace(std::move(*created));
  }
  // The first failure is kept; produce() runs to its end regardless, as a
  // Sink cannot stop it. An exception from produce() unwinds through
  // `file`, which leaves nothing behind.
  Status status = ok_status();
  auto emit = [&](std::string_view data) {
    if (!status) return;
    if (file) {
      status = file->write(data);
    } else if (!write_all(1, data)) {
      status = Error("cannot write to stdout", "", errno);
    }
  };
  std::string buffer;
  buffer.reserve(kBufferBytes);
  produce([&](std::string_view piece) {
    if (buffer.size() + piece.size() > kBufferBytes) {
      emit(buffer);
      buffer.clear();
    }
    if (piece.size() > kBufferBytes) {
      emit(piece);
    } else {
      buffer.append(piece);
    }
  });
  emit(buffer);
  if (!status) return status;
  return file ? file->commit() : ok_status();
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
