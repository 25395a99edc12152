#include "cgroups/cgroup_files.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace kscope {

CgroupFileMap::CgroupFileMap(const CgroupLayout& layout) {
  auto set = [&](CgroupFile f, const CgroupHierarchy& h, const char* v1, const char* v2) {
    const char* name = h.version == CgroupVersion::kV1 ? v1 : h.version == CgroupVersion::kV2 ? v2 : nullptr;
    if (name == nullptr || *name == '\0') return;
    roots_[size_t(f)] = h.root;
    names_[size_t(f)] = std::string("/") + name;
  };
  set(CgroupFile::kCpuUsage, layout.cpu_usage, "cpuacct.usage", "cpu.stat");
  set(CgroupFile::kCpuStat, layout.cpu_throttle, "cpu.stat", "cpu.stat");
  set(CgroupFile::kCpuMax, layout.cpu_throttle, "", "cpu.max");
  set(CgroupFile::kCfsQuota, layout.cpu_throttle, "cpu.cfs_quota_us", "");
  set(CgroupFile::kCfsPeriod, layout.cpu_throttle, "cpu.cfs_period_us", "");
  set(CgroupFile::kMemUsage, layout.memory, "memory.usage_in_bytes", "memory.current");
  set(CgroupFile::kMemLimit, layout.memory, "memory.limit_in_bytes", "memory.max");
  set(CgroupFile::kMemStat, layout.memory, "memory.stat", "memory.stat");
  set(CgroupFile::kMemEvents, layout.memory, "", "memory.events");
  set(CgroupFile::kMemFailcnt, layout.memory, "memory.failcnt", "");
  set(CgroupFile::kOomControl, layout.memory, "memory.oom_control", "");
  set(CgroupFile::kIoStat, layout.io, "", "io.stat");
  // The recursive variants: v2's io.stat includes descendants too.
  set(CgroupFile::kBlkioBytes, layout.io, "blkio.throttle.io_service_bytes_recursive", "");
  set(CgroupFile::kBlkioOps, layout.io, "blkio.throttle.io_serviced_recursive", "");
  set(CgroupFile::kPsiCpu, layout.pressure, "", "cpu.pressure");
  set(CgroupFile::kPsiMemory, layout.pressure, "", "memory.pressure");
  set(CgroupFile::kPsiIo, layout.pressure, "", "io.pressure");
}

FdBudget FdBudget::from_rlimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return FdBudget(4096);
  size_t half = size_t(lim.rlim_cur) / 2;
  return FdBudget(half > 128 ? half - 128 : 0);
}

CgroupFiles::~CgroupFiles() {
  if (budget_ == nullptr) return;
  for (auto& fd : fds_) {
    if (fd.valid()) budget_->give_back();
  }
}

namespace {

// One read from offset 0. A cgroup file is a seq_file, which fills the
// buffer until it is full or the text ends, so a short read is the whole
// text and costs one syscall; a file longer than the buffer is cut (the
// parsers are line-based and bounded).
bool pread_all(int fd, std::span<char> buf, std::string_view& text, int& err) {
  while (true) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      text = {};
      return false;
    }
    text = std::string_view(buf.data(), size_t(n));
    return true;
  }
}

}  // namespace

ReadStatus CgroupFiles::read(CgroupFile f, const CgroupFileMap& map, const std::string& rel, FdBudget& budget,
                             std::span<char> buf, std::string_view& text) {
  const size_t i = size_t(f);
  if (!map.has(f) || state_[i] == kAbsent) return ReadStatus::kMissing;
  budget_ = &budget;
  int err = 0;
  if (state_[i] == kOpen) {
    if (pread_all(fds_[i].get(), buf, text, err)) return ReadStatus::kOk;
    return err == ENODEV || err == ENOENT ? ReadStatus::kGone : ReadStatus::kMissing;
  }
  const std::string path = map.root(f) + rel + map.name(f);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    // This cgroup lacks the file (the unified hierarchy lacks this path,
    // or a kernel without it); EMFILE and the like are retried next time.
    if (errno == ENOENT) state_[i] = kAbsent;
    return ReadStatus::kMissing;
  }
  bool ok = pread_all(fd.get(), buf, text, err);
  if (!ok) {
    if (err == ENODEV || err == ENOENT) return ReadStatus::kGone;
    state_[i] = kAbsent;  // EACCES, EINVAL: not a file we can read
    return ReadStatus::kMissing;
  }
  if (state_[i] == kUnknown && budget.take()) {
    fds_[i] = std::move(fd);
    state_[i] = kOpen;
  } else {
    state_[i] = kByPath;
  }
  return ReadStatus::kOk;
}

}  // namespace kscope
