#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <utility>

namespace kscope {
namespace {

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A hidden name beside path that no other writer picks: pid, a per-process
// counter and random bits (pids repeat across containers sharing a folder).
std::string sibling_temp_name(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  uint64_t random = 0;
  if (getrandom(&random, sizeof random, GRND_NONBLOCK) != sizeof random) random = 0;
  char tail[64];
  std::snprintf(tail, sizeof tail, ".tmp-%d-%llu-%016llx", static_cast<int>(getpid()),
                static_cast<unsigned long long>(++counter), static_cast<unsigned long long>(random));
  // Keep the name within NAME_MAX (255) whatever the target's length.
  auto slash = path.rfind('/');
  std::string dir_prefix = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  return dir_prefix + "." + base_name(path).substr(0, 160) + tail;
}

bool tmpfile_unsupported(int err) {
  // EOPNOTSUPP: the file system lacks it; EISDIR/EINVAL: kernels or
  // libcs from before O_TMPFILE.
  return err == EOPNOTSUPP || err == EISDIR || err == EINVAL;
}

// Gives the unnamed file open as fd the name `name`; fails with EEXIST if
// the name is taken.
int link_unnamed(int fd, const std::string& name) {
  // Through /proc needs no capability (AT_EMPTY_PATH needs
  // CAP_DAC_READ_SEARCH); the latter is for a host without /proc mounted.
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return 0;
  if (errno != ENOENT) return -1;
  return ::linkat(fd, "", AT_FDCWD, name.c_str(), AT_EMPTY_PATH);
}

// Makes a rename in dir durable; a failure here loses nothing the caller
// can act on, so it is ignored.
void sync_directory(const std::string& dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  (void)::fsync(dfd);
  ::close(dfd);
}

}  // namespace

AtomicFile::AtomicFile(std::string path, int fd, std::string temp_name)
    : path_(std::move(path)), fd_(fd), temp_(std::move(temp_name)) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), temp_(std::move(other.temp_)) {
  other.temp_.clear();
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    temp_ = std::move(other.temp_);
    other.temp_.clear();
  }
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

Result<AtomicFile> AtomicFile::create(const std::string& path, mode_t mode, bool unnamed) {
  if (path.empty() || path.back() == '/') return Error("cannot create '" + path + "': not a file name");
  int fd = unnamed ? ::open(directory_of(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode) : -1;
  if (fd >= 0) return AtomicFile(path, fd, "");
  if (unnamed && !tmpfile_unsupported(errno)) {
    return Error("cannot create " + path, "check the directory exists and is writable", errno);
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string temp = sibling_temp_name(path);
    // (open with O_EXCL is what mkstemp does; here the name is ours.)
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0) return AtomicFile(path, fd, temp);
    if (errno != EEXIST) break;
  }
  return Error("cannot create " + path, "check the directory exists and is writable", errno);
}

Status AtomicFile::write(std::string_view data) {
  if (fd_ < 0) return Error("cannot write " + path_ + ": already committed or discarded");
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error("cannot write " + path_, "check free disk space", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

Status AtomicFile::commit() {
  if (fd_ < 0) return Error("cannot commit " + path_ + ": already committed or discarded");
  // Data before name: after a power cut the name never points at a file
  // whose blocks were not written yet.
  if (::fsync(fd_) != 0) {
    int err = errno;
    discard();
    return Error("cannot write " + path_, "check free disk space", err);
  }
  std::string staged = temp_;
  if (staged.empty()) {
    // Unnamed: take the target name directly when it is free (no name ever
    // exists but the final one) ...
    if (link_unnamed(fd_, path_) == 0) {
      discard();
      sync_directory(directory_of(path_));
      return ok_status();
    }
    if (errno != EEXIST) {
      int err = errno;
      discard();
      return Error("cannot create " + path_, "check the directory exists and is writable", err);
    }
    // ... else under a unique name, renamed over the old file below.
    for (int attempt = 0; attempt < 16; ++attempt) {
      staged = sibling_temp_name(path_);
      if (link_unnamed(fd_, staged) == 0) break;
      int err = errno;
      staged.clear();
      if (err != EEXIST) {
        discard();
        return Error("cannot create a temporary name beside " + path_, "", err);
      }
    }
    if (staged.empty()) {
      discard();
      return Error("cannot create a temporary name beside " + path_, "", EEXIST);
    }
  }
  ::close(fd_);
  fd_ = -1;
  temp_.clear();
  if (::rename(staged.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(staged.c_str());
    return Error("cannot rename " + staged + " to " + path_, "", err);
  }
  sync_directory(directory_of(path_));
  return ok_status();
}

Status write_file_atomically(const std::string& path, std::string_view data, mode_t mode) {
  auto file = AtomicFile::create(path, mode);
  if (!file) return file.error();
  if (auto st = file->write(data); !st) return st;
  return file->commit();
}

}  // namespace kscope
